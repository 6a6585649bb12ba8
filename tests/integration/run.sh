#!/bin/bash
# run.sh -- run the integration tests: every tests/integration/NNN_topic/test.sh.
#
# Each test starts the real daemons on free loopback ports and talks to them
# with real clients. A test exits 0 (pass), 77 (skipped: say why on stdout)
# or anything else (fail). Usage: run.sh [PATTERN]   (e.g. run.sh 01)
# Environment: BUILD = directory of the binaries (default: build/);
# STEER_SKIP_TESTS = names not to run here (.ci/run's sanitizer pass leaves
# out the tests that build their own sanitized programs or time a harness),
# each shown as SKIP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BUILD=${BUILD:-$here/../../build}
export STEER_SRC=$(cd "$here/../.." && pwd)
pattern=${1:-}
pass=0 fail=0 skip=0 failed_names=""
logdir=$(mktemp -d /tmp/steer-it.XXXXXX)

for t in "$here"/[0-9]*_*/test.sh; do
	name=$(basename "$(dirname "$t")")
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	case " ${STEER_SKIP_TESTS:-} " in *" $name "*)
		skip=$((skip + 1)); echo "SKIP $name: left out of this run (STEER_SKIP_TESTS)"; continue ;;
	esac
	start=$(date +%s)
	timeout -k 5 300 bash "$t" > "$logdir/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $name (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$logdir/$name.log")"
	else
		fail=$((fail + 1)); failed_names="$failed_names $name"
		echo "FAIL $name (exit $rc, ${secs}s); its failed checks, then the last lines of its log:"
		# The failed checks first: a CI log keeps only this, and a failure
		# early in a long test would scroll out of the tail.
		grep -m 10 '^FAIL ' "$logdir/$name.log" | sed 's/^/  > /'
		tail -n 25 "$logdir/$name.log" | sed 's/^/    /'
	fi
done
echo "logs: $logdir"
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
