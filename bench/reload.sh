#!/bin/bash
# reload.sh -- reload under load: while dnsperf saturates steerdns, change and
# reload the zone 10 times; no query may be lost and every answer must be right.
#
# Usage: BUILD=DIR bench/reload.sh [--seconds S] [--records N] [--via hup|ctl]
#                                  [--reloads K] [--json FILE]
# Each reload bumps the SOA serial and the TXT of reload-gen.<origin> to the
# reload's number, then sends SIGHUP (or `steerctl -s SOCKET reload`). After
# each one, dig (bounded to 5 s) waits for the new serial, then checks the new
# TXT, a static A, a CNAME and an NXDOMAIN. dnsperf's summary must show zero
# lost queries and no rcode other than NOERROR (the static mix).
# Exit: 0 pass, 1 fail, 77 steerdns not built.
set -u
. "$(dirname "$0")/lib.sh"
SECS=20 RECORDS=10000 VIA=hup RELOADS=10 JSON=""
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECS=$2; shift ;;
	--records) RECORDS=$2; shift ;;
	--via) VIA=$2; shift ;;
	--reloads) RELOADS=$2; shift ;;
	--json) JSON=$2; shift ;;
	*) echo "reload.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$RELOADS" -ge 1 ] && [ "$RELOADS" -le 50 ] && [ "$SECS" -ge 2 ] && [ "$SECS" -le 300 ] ||
	{ echo "reload.sh: reloads 1..50, seconds 2..300" >&2; exit 2; }
emit_skip() { log "reload under load: skipped: $1"; [ -n "$JSON" ] && printf '{ "skipped": "%s" }\n' "$(printf '%s' "$1" | tr '"\\\t' "'' ")" > "$JSON"; exit 77; }
srv_available steerdns || emit_skip "steerdns is not built ($BUILD/steerdns)"
command -v dnsperf > /dev/null || emit_skip "dnsperf is not installed"

W=$(mktemp -d /tmp/steer-reload.XXXXXX)
DP_PID=""
cleanup() {
	[ -n "$DP_PID" ] && kill "$DP_PID" 2> /dev/null
	srv_stop; rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BENCH_DIR/gen-zone" -n "$RECORDS" -g > "$W/base.zone"
write_zone() { # GENERATION: serial 1000+GEN, reload-gen TXT "GEN"; replaced atomically
	sed "s/ 2024010101 / $((1000 + $1)) /" "$W/base.zone" > "$W/zone.tmp"
	printf 'reload-gen IN TXT "%d"\n' "$1" >> "$W/zone.tmp"
	mv "$W/zone.tmp" "$W/zone"
}
write_zone 0
"$BENCH_DIR/gen-queries" static -n "$RECORDS" -q 100000 > "$W/q"
port=$(bench_free_port) || exit 1
mkdir -p "$W/srv"
srv_setup steerdns "$W/srv" "$port" "$W/zone"
srv_start steerdns "$W/srv" 0
wait_answer "$port" "reload-gen.$ORIGIN" TXT 30 || { log "steerdns did not start: $(tail -n 3 "$W/srv/steerdns.out")"; exit 1; }

q() { dig +short +norec +time=1 +tries=2 @127.0.0.1 -p "$port" "$@" 2> /dev/null; }
serial() { q "$ORIGIN" SOA | awk '{print $3}'; }

taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$W/q" -l "$SECS" -c 1 -q 100 > "$W/dnsperf.out" 2>&1 &
DP_PID=$!
# Reload k is due at start + k * gap, so that all of them fall inside the run.
gap_ms=$(( SECS * 1000 / (RELOADS + 1) ))
bad=0 seen=0 times="" load_start=$(now_ms) under_load=true
for gen in $(seq 1 "$RELOADS"); do
	wait_ms=$(( load_start + gen * gap_ms - $(now_ms) ))
	[ "$wait_ms" -gt 0 ] && sleep "$(awk -v m="$wait_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
	proc_alive "$DP_PID" || { under_load=false; log "reload $gen: dnsperf had already stopped"; }
	write_zone "$gen"
	t0=$(now_ms)
	case $VIA in
	ctl) "$BUILD/steerctl" -s "$W/srv/steerdns.sock" reload > /dev/null 2>&1 || log "reload $gen: steerctl failed" ;;
	*) kill -HUP "$SRV_PID" ;;
	esac
	got="" i=0
	while [ $i -lt 250 ] && [ "$(now_ms)" -lt $((t0 + 5000)) ]; do
		got=$(serial); [ "$got" = $((1000 + gen)) ] && break
		sleep 0.02; i=$((i + 1))
	done
	took=$(( $(now_ms) - t0 ))
	if [ "$got" != $((1000 + gen)) ]; then
		log "reload $gen: serial still [$got] after ${took} ms"; bad=$((bad + 1)); continue
	fi
	seen=$((seen + 1)) times="$times $took"
	txt=$(q "reload-gen.$ORIGIN" TXT) a=$(q "host-1.$ORIGIN" A) c=$(q "www-2.$ORIGIN" CNAME)
	nx=$(dig +norec +time=1 +tries=2 @127.0.0.1 -p "$port" "nx-none.$ORIGIN" A 2> /dev/null | grep -o 'status: [A-Z]*')
	if [ "$txt" != "\"$gen\"" ] || [ "$a" != 10.0.0.2 ] || [ "$c" != "host-2.$ORIGIN." ] || [ "$nx" != "status: NXDOMAIN" ]; then
		log "reload $gen: wrong answers: txt=[$txt] a=[$a] cname=[$c] nx=[$nx]"; bad=$((bad + 1))
	else
		log "reload $gen: serial $((1000 + gen)) visible after ${took} ms, answers correct"
	fi
done
wait "$DP_PID"; DP_PID=""
read -r sent done lost qps avg rc < <(dnsperf_parse "$W/dnsperf.out")
alive=1; proc_alive "$SRV_PID" || alive=0
others=$(printf '%s' "$rc" | tr ',' '\n' | grep -v '^NOERROR=' | tr '\n' ' ')
pass=true
{ [ "$under_load" = true ] && [ "$lost" = 0 ] && [ -z "$others" ] && [ "$bad" = 0 ] && [ "$seen" = "$RELOADS" ] && [ "$alive" = 1 ]; } || pass=false
max_ms=$(printf '%s\n' $times | sort -n | tail -n 1)
med_ms=$(printf '%s\n' $times | sort -n | awk '{v[NR] = $1} END { print NR ? v[int((NR + 1) / 2)] : 0 }')
log "reload under load: $seen/$RELOADS reloads seen (all under load: $under_load), $bad bad, dnsperf sent $sent lost $lost ($rc), ${qps} q/s, reload visible median ${med_ms:-0} ms max ${max_ms:-0} ms: $([ $pass = true ] && echo PASS || echo FAIL)"
[ -n "$JSON" ] && printf '{ "server": "steerdns", "via": "%s", "records": %d, "seconds": %d, "reloads": %d, "reloads_seen": %d, "bad_answers": %d, "sent": %d, "lost": %d, "qps": %.0f, "rcodes": "%s", "reload_visible_ms_median": %d, "reload_visible_ms_max": %d, "under_load": %s, "pass": %s }\n' \
	"$VIA" "$RECORDS" "$SECS" "$RELOADS" "$seen" "$bad" "$sent" "$lost" "$qps" "$rc" "${med_ms:-0}" "${max_ms:-0}" "$under_load" "$pass" > "$JSON"
[ "$pass" = true ]
