#!/bin/sh
# check.sh STATEDIR ADDRESS PORT CHECK -- an external check for the tests:
# records its arguments, then exits with the code in STATEDIR/code (0 when
# absent). With STATEDIR/hang present it starts a grandchild and hangs, so
# the test can see that a timeout kills the whole process group.
dir=$1
echo "$2 $3 $4" > "$dir/args"
if [ -e "$dir/hang" ]; then
	sleep 60 &
	echo $! > "$dir/grandchild"
	sleep 60
fi
code=$(cat "$dir/code" 2>/dev/null || echo 0)
echo "check said $code"
exit "$code"
