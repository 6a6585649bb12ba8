#!/bin/bash
# 021_fuzz_smoke -- build the libFuzzer targets (tests/fuzz/build.sh: clang
# with ASan + UBSan) and run each for a short while from its seed corpus:
# fuzz_answer (arbitrary bytes into answer_query over UDP and TCP, several
# EDNS sizes) and fuzz_zone (arbitrary master-file text into the zone
# loader, then every loaded node served) and fuzz_zonefast (the loader's
# fast path against ldns, record by record). Any crash, sanitizer report or
# broken invariant fails the test; the crashing input is kept in the log
# directory. Skips (77) when clang or its libFuzzer runtime is missing.
# FUZZ_SECONDS (default 20) sets the time per target.
. "$(dirname "$0")/../lib/lib.sh"
secs=${FUZZ_SECONDS:-20}
out=$T/fuzz
command -v clang > /dev/null || skip "clang not installed (Debian: clang libclang-rt-14-dev)"
tools=$STEER_SRC/tests/fuzz
"$tools/build.sh" "$out" > "$T/build.log" 2>&1
rc=$?
[ $rc -eq 77 ] && { cat "$T/build.log"; skip "clang cannot build libFuzzer targets (install libclang-rt-14-dev)"; }
if [ $rc -ne 0 ]; then
	tail -n 30 "$T/build.log"; fail "fuzz targets did not build"; finish
fi
for target in answer zone zonefast; do
	# -runs bounds the count too, in case the clock is not the limit. A fixed
	# -seed makes CI replay the same inputs every run: the smoke test guards
	# against regressions; open-ended fuzzing is tests/fuzz/run.sh.
	timeout -k 5 $((secs + 60)) "$tools/run.sh" "$target" "$secs" "$out" -runs=50000000 -seed=1 > "$T/$target.log" 2>&1
	rc=$?
	grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$T/$target.log" | sed "s/^/$target: /"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/$target.log")
	if [ $rc -ne 0 ]; then
		grep -E "ERROR|SUMMARY|invariant|runtime error|Test unit written" "$T/$target.log" | head -n 20
		keep=${FUZZ_KEEP:-/tmp}
		cp "$out"/artifacts-$target/* "$keep/" 2>/dev/null && echo "crash inputs copied to $keep"
		fail "fuzz_$target: exit $rc (a crash or a broken invariant; see above)"
	elif [ -z "$execs" ] || [ "$execs" -lt 100 ]; then
		tail -n 20 "$T/$target.log"; fail "fuzz_$target ran only '${execs}' inputs"
	else
		pass "fuzz_$target: $execs inputs in ${secs}s, no crash"
	fi
done
finish
