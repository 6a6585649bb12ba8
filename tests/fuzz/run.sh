#!/bin/sh
# run.sh -- run one fuzz target from its seed corpus for a bounded time.
#
#   tests/fuzz/run.sh answer|zone|zonefast SECONDS [BUILDDIR] [extra libFuzzer flags...]
#
# Seeds: answer = tests/data/packets (and ../shared/testdata/dns-packets when
# present: read in place, never copied); zone = tests/data/zones and zones/;
# zonefast = one line of those zone files per seed.
# The growing corpus is kept in BUILDDIR/corpus-TARGET (default build-fuzz/,
# not committed); crash inputs land in BUILDDIR/artifacts-TARGET/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
target=${1:?answer, zone or zonefast}
secs=${2:?seconds}
out=${3:-$top/build-fuzz}
[ $# -ge 3 ] && shift 3 || shift $#
bin=$out/fuzz_$target
[ -x "$bin" ] || { echo "run.sh: $bin not built (tests/fuzz/build.sh)" >&2; exit 1; }
corpus=$out/corpus-$target
art=$out/artifacts-$target
mkdir -p "$corpus" "$art"
shared=${STEER_SHARED_TESTDATA:-$top/../shared/testdata}
case "$target" in
answer)
	seeds="$top/tests/fuzz/seeds $top/tests/data/packets $top/tests/data/packets/c-ares $top/tests/data/packets/regress"
	[ -d "$shared/dns-packets" ] && seeds="$seeds $shared/dns-packets/generated $shared/dns-packets/powerdns-raw"
	flags="-max_len=4096"
	;;
zone)
	seeds="$top/tests/data/zones $top/zones/example.com.zone $top/zones/dev.example.com.zone"
	# libFuzzer takes directories; put the single seed files in a dir of their own.
	mkdir -p "$out/seeds-zone"
	cp "$top"/zones/*.zone "$top"/tests/data/zones/*.zone "$out/seeds-zone/" 2>/dev/null || true
	[ -d "$top/tests/data/zones/regress" ] && cp "$top"/tests/data/zones/regress/* "$out/seeds-zone/" 2>/dev/null
	seeds="$out/seeds-zone"
	flags="-max_len=8192 -dict=$here/zone.dict -timeout=10"
	;;
zonefast)
	# One seed per master-file line, after a mode byte (4: $TTL 3600, previous owner set).
	mkdir -p "$out/seeds-zonefast"
	cat "$top"/zones/*.zone "$top"/tests/data/zones/*.zone | grep -v '^[;$]' | grep . | head -n 400 |
		while IFS= read -r line; do
			f=$out/seeds-zonefast/$(printf '%s' "$line" | cksum | cut -d' ' -f1)
			[ -e "$f" ] || printf '\004%s' "$line" > "$f"
		done
	seeds="$out/seeds-zonefast"
	flags="-max_len=4096 -dict=$here/zone.dict"
	;;
*) echo "run.sh: unknown target $target" >&2; exit 2 ;;
esac
existing=""
for d in $seeds; do [ -d "$d" ] && existing="$existing $d"; done
# Known library leaks (tests/fuzz/lsan.supp) on the zone loader's ldns path;
# the full unwinder is needed so that frames inside libldns (built without
# frame pointers) are seen. It slows malloc down, so only where ldns parses.
if [ "$target" = zone ]; then
	export LSAN_OPTIONS="suppressions=$here/lsan.supp:fast_unwind_on_malloc=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
# fuzz_answer: ldns leaks inside its oracle (tests/fuzz/lsan-answer.supp).
if [ "$target" = answer ]; then
	export LSAN_OPTIONS="suppressions=$here/lsan-answer.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
exec "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$art/" $flags "$@" "$corpus" $existing
