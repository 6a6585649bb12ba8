#!/bin/bash
# flap.sh -- health flaps under load: p99 latency quiet vs. while a target's
# health changes 100 times a second.
#
# Usage: BUILD=DIR bench/flap.sh [--seconds S] [--rate R] [--qps Q] [--dnssec] [--json FILE]
# steer-healthd and steerdns share one config: app.<origin> has a failover
# policy us-east (127.0.0.1) -> eu-west (127.0.0.2), both guarded by an exec
# check that always passes (/bin/true), so only the admin override moves them. flapper.pl drains and
# force-ups the target web@127.0.0.1 through healthd's socket (R changes a
# second); each change reaches steerdns through its subscription and flips
# the answer for app. Two runs of S seconds each, same load (dnsperf on CPU 1:
# half app A, half static names; latprobe: app A): quiet, then flapping.
# The load is a fixed dnsperf rate (--qps, default 20000; 0 = unlimited) so that
# both runs offer the same load even though the flapper and healthd share the
# loader's core; at saturation the p99 would mostly measure that contention.
# --dnssec (bench/dnssec.sh): the zone signed, every query with DO=1, so
# each answer set app gets is signed online once (the signature cache);
# the signatures made per second of each run come from steerctl stats.
# Pass: zero lost queries in both runs and p99(flapping) <= 2 x p99(quiet).
# Exit: 0 pass, 1 fail, 77 skipped (healthd or the policies not there yet).
set -u
. "$(dirname "$0")/lib.sh"
SECS=10 RATE=100 QPS=20000 JSON="" DNSSEC=0
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECS=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--qps) QPS=$2; shift ;;
	--json) JSON=$2; shift ;;
	--dnssec) DNSSEC=1 ;;
	*) echo "flap.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$SECS" -ge 1 ] && [ "$SECS" -le 120 ] && [ "$RATE" -ge 1 ] && [ "$RATE" -le 1000 ] ||
	{ echo "flap.sh: seconds 1..120, rate 1..1000" >&2; exit 2; }
emit_skip() { log "health flaps: skipped: $1"; [ -n "$JSON" ] && printf '{ "skipped": "%s" }\n' "$(printf '%s' "$1" | tr '"\\\t' "'' ")" > "$JSON"; exit 77; }
HEALTHD=$BUILD/steer-healthd
srv_available steerdns || emit_skip "steerdns is not built"
[ -x "$HEALTHD" ] || emit_skip "steer-healthd is not built ($HEALTHD)"
command -v dnsperf > /dev/null || emit_skip "dnsperf is not installed"
build_latprobe || exit 1
PROBE_PRIO=$(probe_prio)

W=$(mktemp -d /tmp/steer-flap.XXXXXX)
HD_PID=""
cleanup() {
	srv_stop
	if [ -n "$HD_PID" ]; then SRV_PID=$HD_PID; srv_stop; fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BENCH_DIR/gen-zone" -n 10000 -g > "$W/zone"
{ "$BENCH_DIR/gen-queries" static -n 10000 -q 50000 | awk -v o="$ORIGIN" '{ print; print "app." o " A" }'; } > "$W/q"
printf 'app.%s A\n' "$ORIGIN" > "$W/q-app"
BIN=""
if [ "$DNSSEC" = 1 ]; then
	for f in q q-app; do queries_binary do < "$W/$f" > "$W/$f.bin" && mv "$W/$f.bin" "$W/$f"; done
	BIN=-B
	export STEER_ZONE_DNSSEC='{ "key_dir": "keys" }'
fi
# signs: signatures the server made online so far (0 without --dnssec).
signs() {
	[ "$DNSSEC" = 1 ] || { echo 0; return; }
	"$BUILD/steerctl" -s "$W/srv/steerdns.sock" --json stats 2> /dev/null |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sigcache"]["signs"])' 2> /dev/null || echo 0
}
port=$(bench_free_port) || exit 1
mkdir -p "$W/srv"
STEER_EXTRA_JSON=$(cat <<JSON
"healthd": { "socket": "$W/healthd.sock", "state_file": "$W/healthd.state" },
  "checks": { "web": { "type": "exec", "command": ["/bin/true"], "interval": 1, "timeout": 1, "fall": 1, "rise": 1 } },
  "pools": { "us-east": { "check": "web", "members": ["127.0.0.1"] },
             "eu-west": { "check": "web", "members": ["127.0.0.2"] } },
  "records": { "app.$ORIGIN": { "ttl": 60, "failover": ["us-east", "eu-west"] } }
JSON
) srv_setup steerdns "$W/srv" "$port" "$W/zone"
# healthd shares the loader's core: the flaps should cost steerdns, not compete with it.
taskset -c 1 "$HEALTHD" -c "$W/srv/steerdns.json" > "$W/healthd.out" 2>&1 &
HD_PID=$!
for _ in $(seq 100); do [ -S "$W/healthd.sock" ] && break; sleep 0.05; done
[ -S "$W/healthd.sock" ] || emit_skip "steer-healthd did not create its socket: $(tail -n 2 "$W/healthd.out" | tr '\n' ' ')"
srv_start steerdns "$W/srv" 0
wait_answer "$port" "host-1.$ORIGIN" A 30 || emit_skip "steerdns did not start with healthd/pools/records: $(tail -n 2 "$W/srv/steerdns.out" | tr '\n' ' ')"

for _ in $(seq 20); do echo "@127.0.0.1 -p $port app.$ORIGIN A"; done > "$W/q-app-batch"
app() { dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$port" "app.$ORIGIN" A 2> /dev/null | sort | tr '\n' ' '; }
# Does steerdns steer? Force us-east down, then up, and watch the answer (2 s each).
steers() {
	local admin want i
	for pair in down=127.0.0.2 up=127.0.0.1; do
		admin=${pair%%=*} want="${pair#*=} "
		printf '{"v":1,"cmd":"set","target":"web@127.0.0.1","admin":"%s"}\n' "$admin" |
			timeout 2 perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1; print $s scalar <STDIN>; $_ = <$s>;' "$W/healthd.sock"
		for i in $(seq 40); do [ "$(app)" = "$want" ] && break; sleep 0.05; done
		[ "$(app)" = "$want" ] || { echo "admin $admin: app answers [$(app)], want [$want]"; return 1; }
	done
}
why=$(steers) || emit_skip "steerdns does not steer app.$ORIGIN by health yet ($why): waiting for the records/failover policy and the healthd subscription (issues 3/4)"

# run NAME [flap]: one loaded run; prints "p99 lost sent changes".
run() {
	local fl="" c="changes=0" c0 s0
	c0=$(tree_cpu_ticks "$SRV_PID") s0=$(signs)
	taskset -c 1 $PROBE_PRIO "$LATPROBE" -p "$port" -d "$W/q-app" $BIN -r 1000 -l "$SECS" > "$W/$1.probe" 2>&1 &
	local probe=$!
	if [ "${2:-}" = flap ]; then
		taskset -c 1 perl "$BENCH_DIR/flapper.pl" "$W/healthd.sock" web@127.0.0.1 "$RATE" "$SECS" > "$W/$1.flap" 2>&1 &
		fl=$!
	fi
	# Sample the answer for app during the run: while flapping, both pools
	# must show up. One dig asks 20 times in a row (a dig per sample was too
	# slow on a loaded machine: a 2 s run once got too few samples to see a
	# pool that was up half of the time).
	( end=$(( $(now_ms) + SECS * 1000 ))
	  for _ in $(seq $((SECS * 20))); do [ "$(now_ms)" -lt "$end" ] || break
		dig +short +norec +time=1 +tries=1 -f "$W/q-app-batch" 2> /dev/null; sleep 0.02; done > "$W/$1.answers" ) &
	local sampler=$!
	taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$W/q" $BIN -l "$SECS" -c 1 -q 100 $qps_opt > "$W/$1.dnsperf" 2>&1
	wait "$sampler"
	wait "$probe"
	[ -n "$fl" ] && { wait "$fl"; c=$(grep -o 'changes=[0-9]*' "$W/$1.flap"); }
	read -r sent done lost qps avg rc < <(dnsperf_parse "$W/$1.dnsperf")
	local cpu
	cpu=$(awk -v t=$(( $(tree_cpu_ticks "$SRV_PID") - c0 )) -v hz="$CLK_TCK" -v n="$done" 'BEGIN { printf "%.3f", n ? t * 1000000 / hz / n : 0 }')
	local p99 plost
	p99=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' "$W/$1.probe")
	plost=$(sed -n 's/.* lost=\([0-9]*\) .*/\1/p' "$W/$1.probe")
	local seen
	seen=$(sort -u "$W/$1.answers" | grep -c .)
	echo "${p99:-0} $((lost + ${plost:-0})) $sent ${c#changes=} $qps" $seen $cpu $(( $(signs) - s0 ))
}
qps_opt=""
[ "$QPS" -gt 0 ] && qps_opt="-Q $QPS"
read -r q99 qlost qsent _ qqps _ qcpu qsigns < <(run quiet)
read -r f99 flost fsent changes fqps fseen fcpu fsigns < <(run flapping flap)
ratio=$(awk -v a="$f99" -v b="$q99" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
pass=true
{ [ "$qlost" = 0 ] && [ "$flost" = 0 ] && [ "${fseen:-0}" -ge 2 ] && awk -v r="$ratio" 'BEGIN { exit !(r <= 2.0) }'; } || pass=false
sps() { awk -v n="${1:-0}" -v s="$SECS" 'BEGIN { printf "%.2f", n / s }'; }
[ "$DNSSEC" = 1 ] && log "health flaps, DO=1 (signed zone): signatures made online: quiet $qsigns ($(sps "$qsigns")/s), flapping $fsigns ($(sps "$fsigns")/s)"
log "health flaps: quiet p99 ${q99} us (${qqps} q/s, ${qcpu} us CPU/query, lost $qlost); flapping ($changes changes in ${SECS}s) p99 ${f99} us (${fqps} q/s, ${fcpu} us CPU/query, lost $flost, ${fseen:-0} distinct answers for app); ratio $ratio: $([ $pass = true ] && echo PASS || echo FAIL)"
[ -n "$JSON" ] && printf '{ "seconds": %d, "rate": %d, "qps_offered": %d, "changes": %d, "quiet_p99_us": %d, "flap_p99_us": %d, "p99_ratio": %s, "quiet_qps": %.0f, "flap_qps": %.0f, "quiet_cpu_us_per_query": %s, "flap_cpu_us_per_query": %s, "lost": %d, "distinct_answers": %d, "dnssec": %s, "quiet_signatures": %d, "flap_signatures": %d, "flap_signatures_per_s": %s, "pass": %s }\n' \
	"$SECS" "$RATE" "$QPS" "${changes:-0}" "$q99" "$f99" "$ratio" "$qqps" "$fqps" "${qcpu:-0}" "${fcpu:-0}" $((qlost + flost)) "${fseen:-0}" \
	"$([ "$DNSSEC" = 1 ] && echo true || echo false)" "${qsigns:-0}" "${fsigns:-0}" "$(sps "$fsigns")" "$pass" > "$JSON"
[ "$pass" = true ]
