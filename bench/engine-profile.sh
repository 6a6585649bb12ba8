#!/bin/bash
# engine-profile.sh -- per query, what each server's UDP path costs the kernel:
# system calls by name, context switches (each one a sleep and a wakeup),
# receive batch sizes, and server, softirq and whole-machine CPU.
#
# Usage: BUILD=DIR bench/engine-profile.sh [--rates LIST (q/s, 0 = saturation)] [--seconds S]
#          [--servers LIST (lib.sh names, e.g. steerdns,steerdns-uring,knot,nsd)]
#          [--records N] [--workers N]
# Same zone, query mix (static) and pinning as `make bench` (servers on CPU
# 0, dnsload on CPU 1, one UDP worker each). For every server and rate, three
# dnsload runs of S seconds (default 5):
#   clean   no tracer: server CPU (/proc/PID/stat), softirq (/proc/stat,
#           sampled at the tick) and whole-machine CPU (every task's, from
#           the scheduler, plus dnsload's own: machine_task_us in lib.sh),
#           per answered query
#   count   perf stat on the server's threads: every syscalls:sys_enter_*
#           tracepoint that fired, context switches and migrations
#   batch   perf record of syscalls:sys_exit_recvmmsg (and recvmsg): the
#           distribution of datagrams per receive call
# Prints one block per server and rate; needs root and linux-perf.
# Bounded: each dnsload run stops after S seconds (timeout S + 30).
set -u
. "$(dirname "$0")/lib.sh"

RATES="20000 60000 0" SECS=5 SERVERS="steerdns knot nsd" RECORDS=10000
SERVER_CPU=0 LOADER_CPU=1
while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=${2//,/ }; shift ;;
	--seconds) SECS=$2; shift ;;
	--servers) SERVERS=${2//,/ }; shift ;;
	--records) RECORDS=$2; shift ;;
	--workers) STEER_WORKERS=$2; shift ;;
	*) sed -n '4,6p' "$0" >&2; exit 2 ;;
	esac
	shift
done
export STEER_WORKERS
command -v perf > /dev/null || { echo "engine-profile: perf (linux-perf) is not installed" >&2; exit 1; }
build_dnsload || exit 1

W=$(mktemp -d /tmp/steer-eprof.XXXXXX)
cleanup() { srv_stop; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BENCH_DIR/gen-zone" -n "$RECORDS" -g > "$W/zone"
"$BENCH_DIR/gen-queries" static -n "$RECORDS" -q 100000 > "$W/q"

# cpu_fields: "softirq_ticks task_us": the machine's softirq ticks
# (/proc/stat) and every task's CPU in microseconds (machine_task_us).
cpu_fields() { echo "$(awk '/^cpu / { print $8 }' /proc/stat) $(machine_task_us)"; }

# load RATE OUT: one dnsload run on the loader's CPU; prints answered count.
load() {
	timeout -k 5 $((SECS + 30)) taskset -c "$LOADER_CPU" "$DNSLOAD" -p "$PORT" -d "$W/q" \
		-l "$SECS" -Q "$1" -w 256 > "$2" 2>&1
	sed -n 's/.*recv=\([0-9]*\).*/\1/p' "$2"
}
# loader_us OUT: dnsload's own CPU (it has exited, so machine_task_us lacks it).
loader_us() { sed -n 's/.*cpu_us=\([0-9]*\).*/\1/p' "$1"; }

# pids_csv: the server's process and its children (NSD forks its servers).
pids_csv() { proc_tree "$SRV_PID" | paste -sd, -; }

profile_rate() {
	local s=$1 rate=$2 c0 c1 m0 s0 m1 s1 n pids
	# clean
	c0=$(tree_cpu_ticks "$SRV_PID") u0=$(tree_cpu_ticks "$SRV_PID" user); read -r s0 m0 < <(cpu_fields)
	n=$(load "$rate" "$W/clean")
	c1=$(tree_cpu_ticks "$SRV_PID") u1=$(tree_cpu_ticks "$SRV_PID" user); read -r s1 m1 < <(cpu_fields)
	awk -v s="$s" -v r="$rate" -v n="${n:-0}" -v t=$((c1 - c0)) -v u=$((u1 - u0)) -v m=$((m1 - m0)) -v q=$((s1 - s0)) \
		-v ld="$(loader_us "$W/clean")" -v hz="$CLK_TCK" -v l="$(uptime | sed 's/.*average: //')" 'BEGIN { if (!n) n = 1
		printf "%s @%s: answered %d; us/query: server %.2f (user %.2f, kernel %.2f), softirq %.2f, machine %.2f, loader %.2f (load %s)\n",
			s, r ? r / 1000 "k" : "sat", n, t * 1e6 / hz / n, u * 1e6 / hz / n, (t - u) * 1e6 / hz / n,
			q * 1e6 / hz / n, (m + ld) / n, ld / n, l }'
	# count
	pids=$(pids_csv)
	perf stat -x, -e 'syscalls:sys_enter_*' -e context-switches,cpu-migrations -p "$pids" \
		-o "$W/stat" -- sleep $((SECS + 1)) &
	local perf_pid=$!
	sleep 0.5
	n=$(load "$rate" "$W/count")
	wait "$perf_pid"
	awk -F, -v n="${n:-1}" '$1 ~ /^[0-9]+$/ && $1 > 0 {
		ev = $3; sub(/^syscalls:sys_enter_/, "", ev)
		if (ev ~ /context-switches|cpu-migrations/) other = other sprintf(" %s %.3f", ev, $1 / n)
		else { line = line sprintf(" %s %.3f", ev, $1 / n); total += $1 } }
		END { printf "  per query: syscalls %.3f:%s\n  per query:%s\n", total / n, line, other }' "$W/stat"
	# batch
	perf record -q -e 'syscalls:sys_exit_recvmmsg' -e 'syscalls:sys_exit_recvmsg' -p "$pids" \
		-o "$W/rec" -- sleep $((SECS + 1)) > /dev/null 2>&1 &
	perf_pid=$!
	sleep 0.5
	load "$rate" "$W/batch" > /dev/null
	wait "$perf_pid"
	# ret is printed in hex; 0xffff... is an error (-errno), not a batch.
	perf script -i "$W/rec" -F trace 2>/dev/null | awk '{ x = tolower($NF); if (x !~ /^0x/ || x ~ /^0xfff/) next
		v = 0; for (i = 3; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
		b = v < 1 ? 0 : v == 1 ? 1 : v <= 2 ? 2 : v <= 4 ? 4 : v <= 8 ? 8 : v <= 16 ? 16 : v <= 32 ? 32 : 64
		h[b]++; calls++; sum += v; if (v == 0) empty++ }
		END { if (!calls) { print "  batch: no recvmmsg/recvmsg calls (io_uring: one io_uring_enter per batch, see above)"; exit }
		printf "  receive calls %d, mean datagrams/call %.2f, empty %d; calls by size:", calls, sum / calls, empty
		split("0 1 2 4 8 16 32 64", k, " ")
		for (i = 1; i <= 8; i++) if (h[k[i]]) printf " <=%s:%d", k[i], h[k[i]]
		printf "\n" }'
}

for s in $SERVERS; do
	srv_available "$s" || { log "$s: not installed; skipped"; continue; }
	mkdir -p "$W/$s"
	PORT=$(bench_free_port) || exit 1
	srv_setup "$s" "$W/$s" "$PORT" "$W/zone"
	srv_start "$s" "$W/$s" "$SERVER_CPU"
	if ! wait_answer "$PORT" "host-1.$ORIGIN" A 60; then
		log "$s: did not answer; skipped"; srv_stop; continue
	fi
	sleep 1
	for rate in $RATES; do profile_rate "$s" "$rate"; done
	srv_stop
done
