#!/bin/bash
# 060_shutdown -- SIGTERM and SIGINT stop steerdns promptly with exit 0,
# remove the control socket and free the port for the next start.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

make_zone 1 192.0.2.10
write_config
for sig in TERM INT; do
	"$STEERDNS" -c "$CFG" > "$T/run-$sig.log" 2>&1 &
	pid=$!
	_pids="$_pids $pid"
	wait_dns 127.0.0.1 "$PORT" || fail "$sig: did not start"
	wait_file "$SOCK"
	# an open idle TCP connection must not hold up the shutdown
	$PY "$COMMON/tcpdns.py" idle 127.0.0.1 "$PORT" 3 > /dev/null &
	sleep 0.2
	start=$(date +%s%N)
	kill -"$sig" "$pid"
	wait "$pid"; rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "SIG$sig: exit 0" "$rc" "0"
	expect_eq "SIG$sig: stopped within 1 s" "$([ "$ms" -lt 1000 ] && echo yes || echo "no ($ms ms)")" "yes"
	expect_eq "SIG$sig: control socket removed" "$([ -e "$SOCK" ] && echo present || echo gone)" "gone"
	expect_match "SIG$sig: logged" "$(cat "$T/run-$sig.log")" "shutting down"
	wait
done
finish
