#!/bin/bash
# xdp.sh -- steerdns' AF_XDP listener against Knot DNS's XDP mode, on a veth
# pair between two network namespaces this script creates (198.18.0.1 for
# the server, .2 for the loader; both deleted on exit).
#
# Usage: BUILD=DIR bench/xdp.sh [--rates LIST] [--rounds N] [--seconds S]
#          [--records N] [--servers LIST] [--mode native|generic] [--json FILE]
#          [--loader dnsload|kxdpgun] [--perf DIR]
# Each server in turn serves the generated bench zone with UDP on the veth
# end through XDP (steerdns "server.xdp", knotd "xdp: listen: IF@PORT"),
# pinned to CPU 0; dnsload (bench/dnsload.c) runs in the other namespace on
# CPU 1 at each fixed rate (default 20000,60000,0 = saturation; with --loader
# kxdpgun, AF_XDP on the loader side too, 20000,60000,150000). Measured:
# q/s answered, the server's CPU per query (/proc/PID/stat) and the whole
# machine's: every task's CPU from the scheduler (machine_task_us in
# lib.sh; the loader exits inside the window, so its own CPU, from its
# rusage, is added; the veth's softirq work runs in the task that sends
# and is counted; steal from /proc/stat is shown apart). Rounds interleave
# the servers; medians; the ratio steerdns / knot at each rate. --perf DIR:
# perf record -g of the server (all threads) during each round-1 run, to
# DIR/SERVER-RATE.data; the profiler's own cost then lands in round 1's
# numbers. Needs root (namespaces, XDP); exits 77 with the reason when the
# kernel or a server refuses XDP.
# Bounded: servers x rates x rounds x (seconds + ~3 s).
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/lib.sh"

RATES="" ROUNDS=3 SECS=8 RECORDS=10000 SERVERS="steerdns knot" MODE=native JSON="" LOADER=dnsload PERF_DIR=
while [ $# -gt 0 ]; do
	case $1 in
	--rates) RATES=${2//,/ }; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--seconds) SECS=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	--servers) SERVERS=${2//,/ }; shift ;;
	--mode) MODE=$2; shift ;;
	--json) JSON=$2; shift ;;
	--loader) LOADER=$2; shift ;;
	--perf) PERF_DIR=$2; shift ;;
	*) echo "xdp.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
: "${BUILD:?BUILD must name the directory of the binaries}"
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root (network namespaces, XDP)"; exit 77; }
case $LOADER in
dnsload) build_dnsload || exit 1; : "${RATES:=20000 60000 0}" ;;
# kxdpgun (knot-dnsutils) sends and receives through AF_XDP on the loader's
# veth end: far less loader CPU per query than a socket loader, and it
# paces by rate only (no window), so no saturation point: a top rate instead.
kxdpgun) command -v kxdpgun > /dev/null || { echo "skipped: kxdpgun (knot-dnsutils) not installed"; exit 77; }
	: "${RATES:=20000 60000 150000}" ;;
*) echo "xdp.sh: --loader dnsload or kxdpgun" >&2; exit 2 ;;
esac

W=$(mktemp -d /tmp/steer-xdp.XXXXXX)
NA=steer-bxa$$ NB=steer-bxb$$ VA=bxa$$ VB=bxb$$
VA=${VA:0:15} VB=${VB:0:15}
SRV_PID=""
cleanup() {
	srv_stop
	ip netns del "$NA" 2> /dev/null
	ip netns del "$NB" 2> /dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NA" && ip netns add "$NB" || { echo "skipped: cannot create network namespaces"; exit 77; }
ip link add "$VA" type veth peer name "$VB" && ip link set "$VA" netns "$NA" && ip link set "$VB" netns "$NB" ||
	{ echo "skipped: cannot create the veth pair"; exit 77; }
ip -n "$NA" addr add 198.18.0.1/30 dev "$VA"
ip -n "$NB" addr add 198.18.0.2/30 dev "$VB"
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set "$VA" up
ip -n "$NB" link set "$VB" up
PORT=5300
ORIGIN=example.com
export ORIGIN
"$BENCH_DIR/gen-zone" -n "$RECORDS" > "$W/zone"
"$BENCH_DIR/gen-queries" static -n "$RECORDS" -q 100000 > "$W/q"

setup_xdp_steerdns() {
	cat > "$W/steerdns.json" <<JSON
{ "server": { "listen": ["198.18.0.1:$PORT"], "workers": 1,
              "xdp": { "interface": "$VA", "port": $PORT, "mode": "$MODE" } },
  "metrics": { "listen": ["198.18.0.1:$((PORT + 2))"] },
  "zones": [ { "name": "$ORIGIN", "file": "$W/zone" } ] }
JSON
	echo "$BUILD/steerdns -c $W/steerdns.json"
}
# steerdns-b: another build (STEER_B_BIN), for an A/B of the XDP engine
# (--servers steerdns,steerdns-b).
setup_xdp_steerdns-b() { setup_xdp_steerdns | sed "s|^$BUILD/steerdns |${STEER_B_BIN:?STEER_B_BIN names the B binary} |"; }

setup_xdp_knot() {
	mkdir -p "$W/knot"
	KNOT_LISTEN=198.18.0.1 KNOT_EXTRA="xdp:
    listen: $VA@$PORT
    udp: on
    tcp: off" setup_knot "$W/knot" "$PORT" "$W/zone"
	echo "$(srv_binary knot) -c $W/knot/knot.conf"
}

# start NAME: the server in namespace A on CPU 0; waits for an answer over UDP.
start() {
	local cmd
	# A server that exits may leave its program attached (knotd does):
	# start each run on a bare interface.
	ip -n "$NA" link set dev "$VA" xdp off 2> /dev/null
	ip -n "$NA" link set dev "$VA" xdpgeneric off 2> /dev/null
	cmd=$("setup_xdp_$1")
	ip netns exec "$NA" taskset -c 0 $cmd > "$W/$1.out" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 100); do
		ip netns exec "$NB" dig +time=1 +tries=1 +short @198.18.0.1 -p "$PORT" "host-1.$ORIGIN" A 2> /dev/null |
			grep -q 10.0.0.2 && return 0
		proc_alive "$SRV_PID" || break
		sleep 0.1
	done
	log "$1 did not answer over XDP: $(tail -n 3 "$W/$1.out" | tr '\n' ' ')"
	srv_stop
	return 1
}

# ctx_switches PID: voluntary and involuntary context switches of all its
# threads (each voluntary one a sleep and a wakeup).
ctx_switches() { cat /proc/"$1"/task/*/status 2> /dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }

# gun RATE: one kxdpgun run on CPU 1, printed as dnsload prints its result
# (no latency: p50_us=0; cpu_us from its rusage, timed_run in lib.sh).
gun() {
	timed_run "$W/gun.cpu" timeout -k 5 $((SECS + 30)) ip netns exec "$NB" \
		kxdpgun -t "$SECS" -Q "$1" -p "$PORT" -F 1 -i "$W/q" -I "$VB" 198.18.0.1 > "$W/gun.out" 2>&1
	awk -v cpu="$(cat "$W/gun.cpu")" '/^total queries:/ { sent = $3 } /^total replies:/ { recv = $3 }
		END { printf "sent=%d recv=%d lost=%d qps=%d p50_us=0 cpu_us=%d\n", sent, recv, sent - recv, recv / '"$SECS"', cpu }' "$W/gun.out"
}

# run NAME RATE ROUND: one loader run; appends "name rate round qps lost srv_us mach_us p50 loader_us cs steal_us".
run() {
	local c0 c1 m0 m1 s0 s1 t0 t1 out perf=""
	if [ -n "$PERF_DIR" ] && [ "$3" = 1 ]; then
		mkdir -p "$PERF_DIR"
		perf record -q -g -F 2000 -o "$PERF_DIR/$1-$2.data" -p "$SRV_PID" -- sleep "$SECS" 2> /dev/null &
		perf=$!
	fi
	c0=$(tree_cpu_ticks "$SRV_PID") m0=$(machine_task_us) s0=$(ctx_switches "$SRV_PID") t0=$(machine_steal)
	if [ "$LOADER" = kxdpgun ]; then
		out=$(gun "$2")
	else
		out=$(timeout -k 5 $((SECS + 30)) ip netns exec "$NB" taskset -c 1 "$DNSLOAD" -s 198.18.0.1 -p "$PORT" \
			-d "$W/q" -l "$SECS" -Q "$2")
	fi
	c1=$(tree_cpu_ticks "$SRV_PID") m1=$(machine_task_us) s1=$(ctx_switches "$SRV_PID") t1=$(machine_steal)
	[ -n "$perf" ] && wait "$perf"
	echo "$out" | awk -v s="$1" -v r="$2" -v k="$3" -v t=$((c1 - c0)) -v m=$((m1 - m0)) -v hz="$CLK_TCK" -v cs=$((s1 - s0)) -v st=$((t1 - t0)) '
		/^sent=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		n = v["recv"] ? v["recv"] : 1
		printf "%s %s %s %d %d %.3f %.3f %d %.3f %.4f %.3f\n", s, r, k, v["qps"], v["lost"], t * 1e6 / hz / n, (m + v["cpu_us"]) / n,
			v["p50_us"], v["cpu_us"] / n, cs / n, st * 1e6 / hz / n }' \
		>> "$W/runs"
	tail -n 1 "$W/runs" >&2
}

: > "$W/runs"
avail=""
for s in $SERVERS; do
	case $s in knot) srv_available knot || { log "knot not installed; skipped"; continue; } ;; esac
	if start "$s"; then avail="$avail $s"; srv_stop; fi
done
[ -n "$avail" ] || { echo "skipped: no server came up with XDP (mode $MODE)"; exit 77; }
log "xdp bench ($MODE mode, loader $LOADER): servers$avail; rates $RATES; $ROUNDS rounds x ${SECS}s"
for r in $(seq 1 "$ROUNDS"); do
	for s in $avail; do
		start "$s" || continue
		for rate in $RATES; do run "$s" "$rate" "$r"; done
		# steerdns' own drops (a reply the TX ring could not take counts
		# in steerdns_dropped_total) beside the kernel's, logged at exit
		case $s in steerdns*) ip netns exec "$NB" curl -s --max-time 5 "http://198.18.0.1:$((PORT + 2))/metrics" |
			awk -v s="$s" '/^steerdns_dropped_total / { printf "%s round %s: steerdns_dropped_total %s\n", s, r, $2 }' r="$r" >&2 ;;
		esac
		srv_stop
		# the kernel's AF_XDP drop counters, which steerdns logs at exit
		grep -h 'the kernel dropped' "$W/$s.out" >&2
	done
done

awk -v json="$JSON" '
function median(list,    n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ k = $1 SUBSEP $2; q[k] = q[k] " " $4; l[k] += $5; c[k] = c[k] " " $6; m[k] = m[k] " " $7
  p[k] = p[k] " " $8; d[k] = d[k] " " ($7 - $9); x[k] = x[k] " " $10; y[k] = y[k] " " $11
  if (!($2 in sr)) { sr[$2] = 1; rates[++nr] = $2 }
  if (!($1 in ss)) { ss[$1] = 1; srvs[++ns] = $1 } }
END {
	# mach-ldr: the whole machine less the loader process own CPU (its
	# cpu_us), i.e. the server plus every other task, kernel threads too
	# (ksoftirqd, when softirq work is deferred to it).
	printf "\n%-10s %-8s %9s %6s %9s %10s %9s %7s %7s %8s\n", "server", "rate", "qps", "lost", "srv_us/q", "mach_us/q",
		"mach-ldr", "p50_us", "csw/q", "steal/q"
	for (i = 1; i <= nr; i++) for (j = 1; j <= ns; j++) {
		k = srvs[j] SUBSEP rates[i]
		mq[k] = median(q[k]); mc[k] = median(c[k]); mm[k] = median(m[k]); md[k] = median(d[k])
		printf "%-10s %-8s %9.0f %6d %9.3f %10.3f %9.3f %7d %7.4f %8.3f\n", srvs[j], rates[i] == 0 ? "sat" : rates[i], mq[k], l[k],
			mc[k], mm[k], md[k], median(p[k]), median(x[k]), median(y[k])
	}
	printf "\nsteerdns / knot (lower is better for CPU, higher for qps)\n"
	for (i = 1; i <= nr; i++) {
		a = "steerdns" SUBSEP rates[i]; b = "knot" SUBSEP rates[i]
		if ((a in mq) && (b in mq) && mc[b] > 0 && mm[b] > 0)
			printf "%-8s qps %.2f  srv_cpu/q %.2f  machine_cpu/q %.2f  machine-loader/q %.2f\n", rates[i] == 0 ? "sat" : rates[i],
				mq[a] / mq[b], mc[a] / mc[b], mm[a] / mm[b], (md[b] > 0 ? md[a] / md[b] : 0)
	}
	if (json != "") {
		printf "{ \"runs\": [" > json
		sep = ""
		for (i = 1; i <= nr; i++) for (j = 1; j <= ns; j++) {
			k = srvs[j] SUBSEP rates[i]
			printf "%s\n  { \"server\": \"%s\", \"rate\": %d, \"qps\": %.0f, \"lost\": %d, \"server_us_per_query\": %.3f, \"machine_us_per_query\": %.3f, \"machine_less_loader_us_per_query\": %.3f }", sep, srvs[j], rates[i], mq[k], l[k], mc[k], mm[k], md[k] > json
			sep = ","
		}
		printf "\n] }\n" > json
	}
}' "$W/runs"
