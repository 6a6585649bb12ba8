#!/bin/bash
# scale.sh -- q/s of steerdns with 1 and with 2 (or more) UDP workers at
# saturation, for the multi-core model in bench/README.md.
#
# Usage: BUILD=DIR bench/scale.sh [--workers LIST] [--seconds S] [--rounds N]
#          [--sockets C] [--udp-io io_uring|recvmmsg]
# For each worker count W (default "1 2"): steerdns with "workers": W; W = 1
# runs pinned to CPU 0 with dnsload on CPU 1 (the make bench setup);
# W > 1 runs unpinned, as does dnsload (a 2-core machine has no core left
# for the loader, so the loader's CPU is shared: the numbers are a floor).
# dnsload keeps 256 queries in flight over C sockets (default 16, so that
# SO_REUSEPORT's hash of the source ports spreads them over the workers).
# Prints per run: q/s, server CPU us/query, machine CPU us/query and the
# load average; then the medians per W. Bounded: rounds x workers x (S + ~3 s).
set -u
. "$(dirname "$0")/lib.sh"

WORKERS_LIST="1 2" SECS=5 ROUNDS=3 SOCKS=16 UDP_IO=""
while [ $# -gt 0 ]; do
	case $1 in
	--workers) WORKERS_LIST=${2//,/ }; shift ;;
	--seconds) SECS=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--sockets) SOCKS=$2; shift ;;
	--udp-io) UDP_IO=$2; shift ;;
	*) sed -n '4,5p' "$0" >&2; exit 2 ;;
	esac
	shift
done
build_dnsload || exit 1
W=$(mktemp -d /tmp/steer-scale.XXXXXX)
cleanup() { srv_stop; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$BENCH_DIR/gen-zone" -n 10000 -g > "$W/zone"
"$BENCH_DIR/gen-queries" static -n 10000 -q 100000 > "$W/q"

: > "$W/runs"
for r in $(seq 1 "$ROUNDS"); do
	for w in $WORKERS_LIST; do
		mkdir -p "$W/$w"
		PORT=$(bench_free_port) || exit 1
		STEER_WORKERS=$w STEER_UDP_IO=$UDP_IO setup_steerdns "$W/$w" "$PORT" "$W/zone"
		if [ "$w" = 1 ]; then cpu=0 lcpu="taskset -c 1"; else cpu="" lcpu=""; fi
		srv_start steerdns "$W/$w" "$cpu"
		wait_answer "$PORT" "host-1.$ORIGIN" A 30 || { log "steerdns ($w workers) did not answer"; srv_stop; continue; }
		c0=$(tree_cpu_ticks "$SRV_PID") m0=$(machine_task_us)
		out=$(timeout -k 5 $((SECS + 30)) $lcpu "$DNSLOAD" -p "$PORT" -d "$W/q" -l "$SECS" -Q 0 -w 256 -c "$SOCKS")
		c1=$(tree_cpu_ticks "$SRV_PID") m1=$(machine_task_us)
		srv_stop
		echo "$out" | awk -v w="$w" -v r="$r" -v t=$((c1 - c0)) -v m=$((m1 - m0)) -v hz="$CLK_TCK" \
			-v l="$(uptime | sed 's/.*average: //')" '{
			for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			n = v["recv"] ? v["recv"] : 1
			printf "%d\t%d\t%d\t%.2f\t%.2f\t%s\n", w, r, v["qps"], t * 1e6 / hz / n, (m + v["cpu_us"]) / n, l }' |
			tee -a "$W/runs" | awk -F'\t' '{ printf "workers %s round %s: %s q/s, server %s us/q, machine %s us/q (load %s)\n", $1, $2, $3, $4, $5, $6 }'
	done
done
awk -F'\t' '{ q[$1] = q[$1] " " $3; c[$1] = c[$1] " " $4; m[$1] = m[$1] " " $5 }
	function med(s,   a, n, i, j, t) { n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	END { for (w in q) printf "median, workers %s: %s q/s, server %s us/q, machine %s us/q\n", w, med(q[w]), med(c[w]), med(m[w]) }' "$W/runs"
