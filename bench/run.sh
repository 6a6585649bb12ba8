#!/bin/bash
# run.sh -- `make bench`: steerdns against NSD, Knot DNS and gdnsd on loopback.
#
# Usage: BUILD=DIR bench/run.sh [--quick] [--rounds N] [--seconds S]
#          [--rates LIST|dnsperf] [--clients C] [--servers LIST] [--mixes LIST]
#          [--workers N|default] [--records N] [--out FILE] [--reloads K]
#          [--no-reload] [--no-flap] [--keep]
# Every installed server serves the same generated zone on its own free port
# on 127.0.0.1, pinned to CPU 0; the loader runs on CPU 1: dnsload (bench/
# dnsload.c, sendmmsg/recvmmsg) at each fixed rate of --rates (q/s, 0 =
# saturation; default 20000,60000,100000,0), or dnsperf + the latency prober
# with --rates dnsperf (the method before dnsload). For each mix and rate,
# rounds alternate between the servers (the order rotates each round) and
# the table shows medians. See bench/README.md for the method.
# Bounded: the default run takes about 15 minutes, --quick about 2.
set -u
. "$(dirname "$0")/lib.sh"

ROUNDS=3 SECONDS_PER_RUN=10 CLIENTS=1 OUTSTANDING=100 RECORDS=10000
SERVERS="steerdns nsd knot gdnsd" MIXES="static mix geo" PROBE_RATE=1000
RELOADS=10 OUT=$BENCH_DIR/results/latest.json DO_RELOAD=1 DO_FLAP=1 KEEP=0
SERVER_CPU=0 LOADER_CPU=1 RATES="20000 60000 100000 0" WINDOW=256

usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) ROUNDS=1 SECONDS_PER_RUN=2 RECORDS=2000 RELOADS=3 ;;
	--rates) RATES=${2//,/ }; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--seconds) SECONDS_PER_RUN=$2; shift ;;
	--clients) CLIENTS=$2; shift ;;
	--servers) SERVERS=${2//,/ }; shift ;;
	--mixes) MIXES=${2//,/ }; shift ;;
	--workers) [ "$2" = default ] && STEER_WORKERS=0 || STEER_WORKERS=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	--out) OUT=$2; shift ;;
	--reloads) RELOADS=$2; shift ;;
	--no-reload) DO_RELOAD=0 ;;
	--no-flap) DO_FLAP=0 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage ;;
	*) echo "run.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
for v in "$ROUNDS" "$SECONDS_PER_RUN" "$CLIENTS" "$RECORDS"; do
	case $v in ''|*[!0-9]*) echo "run.sh: bad number '$v'" >&2; exit 2 ;; esac
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ] && [ "$SECONDS_PER_RUN" -ge 1 ] &&
	[ "$SECONDS_PER_RUN" -le 60 ] || { echo "run.sh: rounds 1..9, seconds 1..60" >&2; exit 2; }
export STEER_WORKERS

command -v dnsperf > /dev/null || { echo "run.sh: dnsperf is not installed (scripts/deps.sh bench)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { log "run.sh: one CPU only: server and loader share it"; LOADER_CPU=0; }
build_latprobe || exit 1
build_dnsload || exit 1
for r in $RATES; do
	case $r in dnsperf) ;; ''|*[!0-9]*) echo "run.sh: bad rate '$r'" >&2; exit 2 ;; esac
done
PROBE_PRIO=$(probe_prio)

W=$(mktemp -d /tmp/steer-bench.XXXXXX)
declare -A PIDS PORTS
cleanup() {
	local s
	for s in "${!PIDS[@]}"; do SRV_PID=${PIDS[$s]}; srv_stop; done
	[ "$KEEP" = 1 ] && log "work files kept in $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RUNS=$W/runs.tsv NOTES=$W/notes.txt
: > "$RUNS"; : > "$NOTES"
note() { grep -qxF -- "$*" "$NOTES" 2>/dev/null && return 0; log "$*"; printf '%s\n' "$*" >> "$NOTES"; }

# start_server NAME DIR ZONE: configure, start pinned, wait for an answer.
start_server() {
	local s=$1 dir=$2 zone=$3 port
	mkdir -p "$dir"
	port=$(bench_free_port) || return 1
	srv_setup "$s" "$dir" "$port" "$zone"
	srv_start "$s" "$dir" "$SERVER_CPU"
	PIDS[$s]=$SRV_PID PORTS[$s]=$port
	if ! wait_answer "$port" "host-1.$ORIGIN" A 60; then
		note "$s: did not answer on port $port; skipped (log: $(tail -n 3 "$dir/$s.out" | tr '\n' ' '))"
		stop_server "$s"; return 1
	fi
	local a; a=$(dig +short +norec @127.0.0.1 -p "$port" "host-1.$ORIGIN" A)
	if [ "$a" != 10.0.0.2 ]; then
		note "$s: wrong answer for host-1.$ORIGIN A ([$a], want 10.0.0.2); skipped"
		stop_server "$s"; return 1
	fi
}

stop_server() {
	SRV_PID=${PIDS[$1]:-}; srv_stop
	unset "PIDS[$1]" "PORTS[$1]"
}

# measure MIX SERVER ROUND QFILE [-B] RATE: one loader run; appends to runs.tsv.
measure() {
	if [ "$6" = dnsperf ]; then measure_dnsperf "$@"; else measure_dnsload "$@"; fi
}

# measure_dnsperf MIX SERVER ROUND QFILE [-B]: one dnsperf run plus the prober.
measure_dnsperf() {
	local mix=$1 s=$2 round=$3 qfile=$4 bin=${5:-} pid=${PIDS[$2]} port=${PORTS[$2]}
	local out=$W/$mix-$s-$round c0 c1 m0 m1 probe d sent done lost qps avg rc cpu_us mach ldr
	c0=$(tree_cpu_ticks "$pid") m0=$(machine_task_us)
	timed_run "$out.probe-cpu" taskset -c "$LOADER_CPU" $PROBE_PRIO "$LATPROBE" -p "$port" -d "$qfile" $bin \
		-r "$PROBE_RATE" -l "$SECONDS_PER_RUN" > "$out.probe" 2>&1 &
	probe=$!
	timed_run "$out.dnsperf-cpu" timeout -k 5 $((SECONDS_PER_RUN + 30)) taskset -c "$LOADER_CPU" dnsperf \
		-s 127.0.0.1 -p "$port" -d "$qfile" $bin -l "$SECONDS_PER_RUN" -c "$CLIENTS" -q "$OUTSTANDING" \
		> "$out.dnsperf" 2>&1
	wait "$probe"
	c1=$(tree_cpu_ticks "$pid") m1=$(machine_task_us)
	read -r sent done lost qps avg rc < <(dnsperf_parse "$out.dnsperf")
	eval "$(sed -n 's/^sent=\([0-9]*\) recv=\([0-9]*\) lost=\([0-9]*\) p50_us=\([0-9]*\) p90_us=[0-9]* p99_us=\([0-9]*\).*/psent=\1 precv=\2 plost=\3 p50=\4 p99=\5/p' "$out.probe")"
	cpu_us=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n=$((done + ${precv:-0})) \
		'BEGIN { printf "%.3f", n ? t * 1000000 / hz / n : 0 }')
	# machine: every task's CPU plus the two loaders', which have exited (lib.sh).
	read -r mach ldr < <(awk -v t=$((m1 - m0)) -v l=$(( $(cat "$out.dnsperf-cpu" 2>/dev/null || echo 0) + $(cat "$out.probe-cpu" 2>/dev/null || echo 0) )) \
		-v n=$((done + ${precv:-0})) 'BEGIN { printf "%.3f %.3f\n", n ? (t + l) / n : 0, n ? l / n : 0 }')
	util=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$SECONDS_PER_RUN" 'BEGIN { printf "%.0f", t * 100 / hz / s }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mix" "$s" "$round" \
		"$qps" "$sent" "$done" "$lost" "$cpu_us" "${p50:-0}" "${p99:-0}" "$avg" "$rc" \
		"$((${plost:-0}))" "$util" "$mach" "$ldr" >> "$RUNS"
	log "  $(printf '%-6s %-9s round %s: %9s q/s  lost %-6s cpu %6s us/q (%s%%)  p50 %5s us  p99 %6s us  %s' \
		"$mix" "$s" "$round" "$qps" "$lost" "$cpu_us" "$util" "${p50:-?}" "${p99:-?}" "$rc")"
	unset psent precv plost p50 p99
}

# run_rounds MIX QFILE [-B] SERVERS...: for each rate, alternate the servers,
# rotating the order each round.
run_rounds() {
	local mix=$1 qfile=$2 bin=$3 r i n rate; shift 3
	local -a list=("$@")
	n=${#list[@]}
	[ "$n" -gt 0 ] || return 0
	for rate in $RATES; do
		for r in $(seq 1 "$ROUNDS"); do
			for i in $(seq 0 $((n - 1))); do
				measure "$mix" "${list[$(( (i + r - 1) % n ))]}" "$r" "$qfile" "$bin" "$rate"
			done
		done
	done
}

available_servers() {
	local s
	for s in $SERVERS; do
		if srv_available "$s"; then echo "$s"; else note "$s: not installed; skipped"; fi
	done
}

# Static and NXDOMAIN mixes share one zone and one set of running servers.
bench_plain_mixes() {
	local s started=() mix
	"$BENCH_DIR/gen-zone" -n "$RECORDS" -g > "$W/zone"
	for s in $(available_servers); do
		start_server "$s" "$W/$s" "$W/zone" && started+=("$s")
	done
	for mix in $MIXES; do
		[ "$mix" = geo ] && continue
		"$BENCH_DIR/gen-queries" "$mix" -n "$RECORDS" -q 100000 > "$W/q-$mix"
		log "== [$(elapsed)] mix $mix: ${started[*]:-no server} x $ROUNDS round(s) x ${SECONDS_PER_RUN}s"
		run_rounds "$mix" "$W/q-$mix" "" "${started[@]}"
	done
	for s in "${started[@]}"; do stop_server "$s"; done
}

log "steerdns bench: $(nproc) CPUs, servers on CPU $SERVER_CPU, loader on CPU $LOADER_CPU, steerdns workers=$STEER_WORKERS"
t_start=$(date +%s) BENCH_T0=$t_start
bench_plain_mixes
case " $MIXES " in *" geo "*)
	. "$BENCH_DIR/geo.sh"
	bench_geo_mix ;;
esac
# sub_result WHAT RC JSON: a note for a failed (1) or skipped (77) sub-benchmark.
sub_result() {
	case $2 in
	0) ;;
	77) note "$1: skipped: $(sed -n 's/.*"skipped": "\(.*\)" }/\1/p' "$3" 2> /dev/null)" ;;
	*) note "$1: FAILED (see the log above)"; FAILED=1 ;;
	esac
}
FAILED=0
EXTRA=$W/extra.json
: > "$EXTRA"
if [ "$DO_RELOAD" = 1 ]; then
	log "== [$(elapsed)] reload under load"
	# At least 2 s of load per reload: each one is checked with dig before the next.
	reload_secs=$(( SECONDS_PER_RUN > RELOADS ? SECONDS_PER_RUN * 2 : RELOADS * 2 ))
	"$BENCH_DIR/reload.sh" --seconds "$reload_secs" --records "$RECORDS" \
		--reloads "$RELOADS" --json "$W/reload.json"
	sub_result "reload under load" $? "$W/reload.json"
	[ -s "$W/reload.json" ] && { printf '"reload": '; cat "$W/reload.json"; printf ',\n'; } >> "$EXTRA"
fi
if [ "$DO_FLAP" = 1 ]; then
	log "== [$(elapsed)] health flaps"
	"$BENCH_DIR/flap.sh" --seconds "$SECONDS_PER_RUN" --json "$W/flap.json"
	sub_result "health flaps" $? "$W/flap.json"
	[ -s "$W/flap.json" ] && { printf '"flap": '; cat "$W/flap.json"; printf ',\n'; } >> "$EXTRA"
fi

write_report "$t_start"
log "JSON written to $OUT ($(( $(date +%s) - t_start )) s)"
exit "$FAILED"
