#!/bin/bash
# ab.sh -- two steerdns binaries side by side: CPU per query at the same
# offered load, rounds interleaved (A B A B ...), medians and the ratio B/A.
# For a change that must not cost speed (a refactor): build the old commit
# somewhere, then
#   bench/ab.sh OLD_BINARY NEW_BINARY [--rate Q] [--rounds N] [--seconds S] [--records N]
# Each run: one UDP worker pinned to CPU 0, dnsperf pinned to CPU 1 at a fixed
# rate (default 40000 q/s; 0 = saturation) for S seconds, the generated bench zone and its
# static query mix. Server CPU comes from /proc/PID/stat (user + system);
# whole-machine CPU from every task's scheduler time plus dnsperf's own
# (machine_task_us, timed_run in lib.sh), so kernel work on the server's
# behalf (softirq) is counted too. Bounded: rounds x 2 x (seconds + ~2 s).
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib.sh"

[ $# -ge 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY [--rate Q] [--rounds N] [--seconds S] [--records N]" >&2; exit 2; }
A=$1 B=$2; shift 2
RATE=40000 ROUNDS=5 SECS=8 RECORDS=20000
while [ $# -gt 0 ]; do
	case $1 in
	--rate) RATE=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--seconds) SECS=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
command -v dnsperf > /dev/null || { echo "skipped: dnsperf not installed (scripts/deps.sh bench)"; exit 77; }

W=$(mktemp -d /tmp/steer-ab.XXXXXX)
trap 'rm -rf "$W"' EXIT
ORIGIN=example.com
export ORIGIN
"$BENCH_DIR/gen-zone" -n "$RECORDS" > "$W/zone"
"$BENCH_DIR/gen-queries" static -n "$RECORDS" -q 100000 > "$W/q"
PORT=$(bench_free_port)
setup_steerdns "$W" "$PORT" "$W/zone"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

one() { # BINARY -> "server_us_per_q machine_us_per_q completed"
	local pid t0 t1 b0 b1 done hz
	hz=$(getconf CLK_TCK)
	taskset -c 0 "$1" -c "$W/steerdns.json" > "$W/srv.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		dig +time=1 +tries=1 @127.0.0.1 -p "$PORT" "$ORIGIN" SOA > /dev/null 2>&1 && break
		sleep 0.05
	done
	t0=$(ticks "$pid"); b0=$(machine_task_us)
	# --rate 0: as fast as dnsperf can (saturation)
	timed_run "$W/perf-cpu" taskset -c 1 dnsperf -s 127.0.0.1 -p "$PORT" -d "$W/q" -l "$SECS" \
		${RATE:+$([ "$RATE" != 0 ] && echo "-Q $RATE")} -c 4 > "$W/perf" 2>&1
	t1=$(ticks "$pid"); b1=$(machine_task_us)
	kill "$pid"; wait "$pid" 2>/dev/null
	done=$(awk '/Queries completed:/ {print $3}' "$W/perf")
	awk -v t0="$t0" -v t1="$t1" -v m=$((b1 - b0 + $(cat "$W/perf-cpu"))) -v n="$done" -v hz="$hz" 'BEGIN {
		if (n == 0) { print "0 0 0"; exit }
		printf "%.3f %.3f %d\n", (t1 - t0) / hz * 1e6 / n, m / n, n }'
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

: > "$W/a"; : > "$W/b"
for r in $(seq "$ROUNDS"); do
	one "$A" >> "$W/a"
	one "$B" >> "$W/b"
	log "round $r: A $(tail -1 "$W/a")  B $(tail -1 "$W/b")"
done
sa=$(cut -d' ' -f1 "$W/a" | median) sb=$(cut -d' ' -f1 "$W/b" | median)
ma=$(cut -d' ' -f2 "$W/a" | median) mb=$(cut -d' ' -f2 "$W/b" | median)
echo "offered $([ "$RATE" = 0 ] && echo "saturation" || echo "$RATE q/s"), $ROUNDS rounds of $SECS s, $RECORDS records, static mix"
echo "A $A: server ${sa} us/query, machine ${ma} us/query"
echo "B $B: server ${sb} us/query, machine ${mb} us/query"
awk -v sa="$sa" -v sb="$sb" -v ma="$ma" -v mb="$mb" 'BEGIN {
	printf "ratio B/A: server %.3f, machine %.3f\n", sb / sa, mb / ma }'
