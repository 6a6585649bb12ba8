#!/bin/bash
# dnstap.sh -- what dnstap costs steerdns: CPU per query at a fixed query rate
# with dnstap off, on (fstrm_capture reading the socket), and on with nobody
# listening (every message dropped before encoding).
#
# Usage: BUILD=DIR bench/dnstap.sh [--rate QPS] [--seconds S] [--rounds N] [--records N]
# steerdns (1 worker) is pinned to CPU 0, dnsperf and fstrm_capture to CPU 1.
# CPU is utime+stime of the whole steerdns process (answering threads and
# fstrm's I/O thread) from /proc/PID/stat, divided by the queries answered.
# Bounded: modes x rounds x (seconds + ~3 s); the default takes about 2 minutes.
set -u
. "$(dirname "$0")/lib.sh"

RATE=20000 SECONDS_PER_RUN=10 ROUNDS=3 RECORDS=10000 SERVER_CPU=0 LOADER_CPU=1
while [ $# -gt 0 ]; do
	case $1 in
	--rate) RATE=$2; shift ;;
	--seconds) SECONDS_PER_RUN=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	*) sed -n '4,5p' "$0" | sed 's/^# //' >&2; exit 2 ;;
	esac
	shift
done
for v in "$RATE" "$SECONDS_PER_RUN" "$ROUNDS" "$RECORDS"; do
	case $v in ''|*[!0-9]*) echo "dnstap.sh: bad number '$v'" >&2; exit 2 ;; esac
done
[ "$ROUNDS" -le 9 ] && [ "$SECONDS_PER_RUN" -le 60 ] && [ "$RATE" -le 200000 ] ||
	{ echo "dnstap.sh: rounds <= 9, seconds <= 60, rate <= 200000" >&2; exit 2; }
for c in dnsperf fstrm_capture; do
	command -v $c > /dev/null || { echo "dnstap.sh: $c is not installed (scripts/deps.sh bench test)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || LOADER_CPU=0

W=$(mktemp -d /tmp/steer-dnstap.XXXXXX)
CAP_PID=""
cleanup() {
	srv_stop
	[ -n "$CAP_PID" ] && kill "$CAP_PID" 2> /dev/null && wait "$CAP_PID" 2> /dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BENCH_DIR/gen-zone" -n "$RECORDS" > "$W/zone"
"$BENCH_DIR/gen-queries" static -n "$RECORDS" -q 100000 > "$W/queries"

# run MODE ROUND: one steerdns, one dnsperf run; prints "MODE us_per_query answered logged dropped".
run() {
	local mode=$1 dir=$W/$1-$2 port c0 c1 out
	mkdir -p "$dir"
	port=$(bench_free_port) || return 1
	case $mode in
	off) STEER_EXTRA_JSON="" ;;
	*) STEER_EXTRA_JSON="\"dnstap\": { \"socket\": \"$dir/tap.sock\" }" ;;
	esac
	STEER_WORKERS=1 STEER_EXTRA_JSON=$STEER_EXTRA_JSON setup_steerdns "$dir" "$port" "$W/zone"
	if [ "$mode" = reader ]; then
		taskset -c "$LOADER_CPU" fstrm_capture -t protobuf:dnstap.Dnstap -u "$dir/tap.sock" \
			-w "$dir/tap.fstrm" > "$dir/capture.out" 2>&1 &
		CAP_PID=$!
		for _ in $(seq 50); do [ -S "$dir/tap.sock" ] && break; sleep 0.1; done
	fi
	srv_start steerdns "$dir" "$SERVER_CPU"
	wait_answer "$port" "host-1.$ORIGIN" A 30 || { log "steerdns did not answer"; return 1; }
	if [ "$mode" = reader ]; then # until connected (fstrm retries every second)
		for _ in $(seq 50); do
			"$BUILD/steerctl" -s "$dir/steerdns.sock" stats --json | grep -q '"connected": *true' && break
			sleep 0.1
		done
	fi
	c0=$(tree_cpu_ticks "$SRV_PID")
	timeout -k 5 $((SECONDS_PER_RUN + 30)) taskset -c "$LOADER_CPU" dnsperf -s 127.0.0.1 -p "$port" \
		-d "$W/queries" -l "$SECONDS_PER_RUN" -Q "$RATE" -q 100 > "$dir/dnsperf.out" 2>&1
	c1=$(tree_cpu_ticks "$SRV_PID")
	out=$("$BUILD/steerctl" -s "$dir/steerdns.sock" stats --json)
	read -r sent done lost qps avg rc < <(dnsperf_parse "$dir/dnsperf.out")
	srv_stop
	[ -n "$CAP_PID" ] && { kill "$CAP_PID"; wait "$CAP_PID" 2> /dev/null; CAP_PID=""; }
	printf '%s %s %s %s %s %s\n' "$mode" \
		"$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$done" 'BEGIN { printf "%.3f", n ? t * 1e6 / hz / n : 0 }')" \
		"$done" "$qps" \
		"$(printf '%s' "$out" | sed -n 's/.*"logged": *\([0-9]*\).*/\1/p')" \
		"$(printf '%s' "$out" | sed -n 's/.*"dropped": *\([0-9]*\).*/\1/p')"
}

log "dnstap cost: $RATE q/s for ${SECONDS_PER_RUN}s, $ROUNDS round(s), steerdns on CPU $SERVER_CPU (1 worker)"
printf '%-8s %-6s %10s %9s %9s %10s %10s\n' mode round "us/query" answered "q/s" logged dropped
for r in $(seq "$ROUNDS"); do
	for mode in off reader noreader; do
		read -r m us done qps logged dropped < <(run "$mode" "$r") || exit 1
		printf '%-8s %-6s %10s %9s %9s %10s %10s\n' "$m" "$r" "$us" "$done" "$qps" "${logged:--}" "${dropped:--}"
		echo "$m $us" >> "$W/results"
	done
done
echo "median us/query:"
for mode in off reader noreader; do
	awk -v m="$mode" '$1 == m { print $2 }' "$W/results" | sort -n |
		awk -v m="$mode" '{ v[NR] = $1 } END { printf "  %-8s %s\n", m, v[int((NR + 1) / 2)] }'
done
