#!/bin/bash
# dnssec.sh -- `make bench-dnssec`: what DNSSEC costs, steerdns against Knot DNS.
#
# Usage: BUILD=DIR bench/dnssec.sh [--quick] [--rounds N] [--seconds S]
#          [--rates LIST] [--records N] [--big N|0] [--timeout S]
#          [--no-queries] [--no-flap] [--out FILE] [--keep]
# 1. Queries. One gen-zone zone (--records, default 10000) served by
#      steerdns     signed by steerdns ("dnssec": key_dir; ECDSA P-256, NSEC)
#      steer-plain  steerdns, the same file unsigned
#      knot         Knot DNS signing it itself (dnssec-signing: on, its
#                   default policy: ECDSA P-256, NSEC)
#      knot-plain   Knot DNS, unsigned
#    all pinned to CPU 0 with one UDP worker, the loader (dnsload) on CPU 1;
#    one query file for all: the `mix` mix (78 % existing names, 20 %
#    NXDOMAIN, 2 % referrals to unsigned delegations), every query with
#    EDNS and DO=1 (an unsigned zone answers it as without DO). Rounds
#    alternate the servers (the order rotates), at each fixed rate of
#    --rates (default 20000,60000 q/s; 0 = saturation, included by
#    default): server CPU and whole-machine CPU per answered query
#    (report.awk); the ratios row steerdns/steer-plain is the DO=1 cost,
#    steerdns/knot the comparison with Knot's signed answers.
# 2. Signing (--big, default 1000000 records; 0 skips): steerdns signs the
#    big zone at its first load (signatures made, signing seconds from its
#    log, time until it answers last-name, PSS), then one A record changes
#    and SIGHUP: signatures made and reused, time until the new address is
#    served, PSS (old and new version side by side while the reload runs,
#    as every reload). Knot signing the same file (signing-threads: one per
#    CPU): time until last-name answers with an RRSIG, PSS. Not pinned: a
#    signer may use every core.
# 3. Flaps (flap.sh --dnssec): health flaps while DO queries ask for the
#    steered name; signatures made online per second (the sigcache counters).
# --quick: 1 round x 2 s at 20k and saturation, 2000 records, a 20000-record
# big zone. Writes bench/results/dnssec.json (--out). Bounded: each load
# waits at most --timeout s (default 1800).
set -u
. "$(dirname "$0")/lib.sh"

ROUNDS=3 SECONDS_PER_RUN=10 RECORDS=10000 BIG=1000000 TIMEOUT=1800
RATES="20000 60000 0" OUT=$BENCH_DIR/results/dnssec.json KEEP=0 DO_QUERIES=1 DO_FLAP=1
SERVER_CPU=0 LOADER_CPU=1 WINDOW=256
VARIANTS="steerdns steer-plain knot knot-plain"

usage() { sed -n '3,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--quick) ROUNDS=1 SECONDS_PER_RUN=2 RECORDS=2000 BIG=20000 RATES="20000 0" ;;
	--rounds) ROUNDS=$2; shift ;;
	--seconds) SECONDS_PER_RUN=$2; shift ;;
	--rates) RATES=${2//,/ }; shift ;;
	--records) RECORDS=$2; shift ;;
	--big) BIG=$2; shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--no-queries) DO_QUERIES=0 ;;
	--no-flap) DO_FLAP=0 ;;
	--out) OUT=$2; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage ;;
	*) echo "dnssec.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
for v in "$ROUNDS" "$SECONDS_PER_RUN" "$RECORDS" "$BIG" "$TIMEOUT" $RATES; do
	case $v in ''|*[!0-9]*) echo "dnssec.sh: bad number '$v'" >&2; exit 2 ;; esac
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 9 ] && [ "$SECONDS_PER_RUN" -ge 1 ] && [ "$SECONDS_PER_RUN" -le 60 ] ||
	{ echo "dnssec.sh: rounds 1..9, seconds 1..60" >&2; exit 2; }
srv_available steerdns || { echo "dnssec.sh: no steerdns in $BUILD (make)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { log "dnssec.sh: one CPU only: server and loader share it"; LOADER_CPU=0; }
build_dnsload || exit 1
STEER_WORKERS=1

W=$(mktemp -d /tmp/steer-dnssec.XXXXXX)
declare -A PIDS PORTS
cleanup() {
	local s
	for s in "${!PIDS[@]}"; do SRV_PID=${PIDS[$s]}; srv_stop; done
	srv_stop
	[ "$KEEP" = 1 ] && log "work files kept in $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RUNS=$W/runs.tsv NOTES=$W/notes.txt EXTRA=$W/extra.json
: > "$RUNS"; : > "$NOTES"; : > "$EXTRA"
note() { grep -qxF -- "$*" "$NOTES" 2>/dev/null && return 0; log "$*"; printf '%s\n' "$*" >> "$NOTES"; }
BENCH_T0=$(date +%s) LOAD0=$(cut -d ' ' -f 1-3 /proc/loadavg)

# The server program of a variant, and its signing setting (lib.sh reads
# STEER_ZONE_DNSSEC and KNOT_ZONE_EXTRA in srv_setup).
variant_server() { case $1 in steer*) echo steerdns ;; knot*) echo knot ;; esac; }
variant_setup() { # VARIANT DIR PORT ZONE
	case $1 in
	steerdns) STEER_ZONE_DNSSEC='{ "key_dir": "keys" }' srv_setup steerdns "$2" "$3" "$4" ;;
	knot) KNOT_ZONE_EXTRA="    dnssec-signing: on" srv_setup knot "$2" "$3" "$4" ;;
	*) srv_setup "$(variant_server "$1")" "$2" "$3" "$4" ;;
	esac
}
signed_variant() { case $1 in steerdns|knot) return 0 ;; *) return 1 ;; esac; }

# dig_do PORT NAME TYPE: the answer to a DO=1 query (no recursion wanted; no
# COOKIE, which dnsload does not send either and Knot does not echo).
dig_do() { dig +dnssec +nocookie +norec +time=2 +tries=1 @127.0.0.1 -p "$1" "$2" "$3" 2> /dev/null; }

# wait_signed PORT NAME TIMEOUT_S: until NAME A comes with its RRSIG.
wait_signed() {
	local end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -lt "$end" ]; do
		dig_do "$1" "$2" A | grep -q "RRSIG[[:space:]]*A " && return 0
		proc_alive "$SRV_PID" || return 1
		sleep 0.2
	done
	return 1
}

# start_variant VARIANT ZONE: configure, start pinned, wait until it answers
# (signed variants: with signatures). Sets PIDS/PORTS.
start_variant() {
	local v=$1 dir=$W/$1 port s
	s=$(variant_server "$v")
	srv_available "$s" || { note "$v: $s is not installed; skipped"; return 1; }
	mkdir -p "$dir"
	port=$(bench_free_port) || return 1
	variant_setup "$v" "$dir" "$port" "$2"
	srv_start "$s" "$dir" "$SERVER_CPU"
	PIDS[$v]=$SRV_PID PORTS[$v]=$port
	if ! wait_answer "$port" "host-1.$ORIGIN" A 120 ||
	   { signed_variant "$v" && ! wait_signed "$port" "host-1.$ORIGIN" 120; }; then
		note "$v: did not answer (signed: with an RRSIG) on port $port; skipped (log: $(tail -n 3 "$dir/$s.out" | tr '\n' ' '))"
		stop_variant "$v"; return 1
	fi
}
stop_variant() { SRV_PID=${PIDS[$1]:-}; srv_stop; unset "PIDS[$1]" "PORTS[$1]"; }

# What one server answers, as a line for the log: bytes per answer of a
# name, an NXDOMAIN and a referral with DO=1, and whether they are signed.
answer_sizes() { # PORT
	local n q out
	for q in "host-1.$ORIGIN A" "nx-none.$ORIGIN A" "www.sub-0.$ORIGIN A"; do
		out=$(dig_do "$1" $q)
		n=$(printf '%s\n' "$out" | sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p')
		printf '%s %s B (%s RRSIG, %s NSEC); ' "${q%% *}" "${n:-?}" \
			"$(printf '%s\n' "$out" | grep -c 'IN[[:space:]]*RRSIG')" "$(printf '%s\n' "$out" | grep -c 'IN[[:space:]]*NSEC[[:space:]]')"
	done
}

bench_queries() {
	local v started=() r i n rate
	"$BENCH_DIR/gen-zone" -n "$RECORDS" -g > "$W/zone"
	"$BENCH_DIR/gen-queries" mix -n "$RECORDS" -q 100000 | queries_binary do > "$W/q-do"
	for v in $VARIANTS; do
		start_variant "$v" "$W/zone" || continue
		started+=("$v")
		log "  $v: $(answer_sizes "${PORTS[$v]}")"
	done
	n=${#started[@]}
	log "== [$(elapsed)] DO=1 mix: ${started[*]:-no server} x $ROUNDS round(s) x ${SECONDS_PER_RUN}s at $RATES"
	for rate in $RATES; do
		for r in $(seq 1 "$ROUNDS"); do
			for i in $(seq 0 $((n - 1))); do
				measure_dnsload do-mix "${started[$(( (i + r - 1) % n ))]}" "$r" "$W/q-do" -B "$rate"
			done
		done
	done
	for v in "${started[@]}"; do stop_variant "$v"; done
}

# sign_line LOG N: the Nth "signed (NSEC): M signatures made, R reused, T s"
# of steerdns' log as "M R T".
sign_line() {
	awk -v want="$2" '/: signed \(NSEC3?\): / { if (++n == want) {
		for (i = 1; i <= NF; i++) { if ($i == "signatures") m = $(i - 1); if ($i == "reused,") r = $(i - 1); if ($i == "s;") t = $(i - 1) }
		print m, r, t; exit } }' "$1"
}

# bench_big: steerdns' first signing of the big zone, a reload with one
# change, and Knot's first signing. Appends "big": {...} to the JSON.
bench_big() {
	local dir=$W/big port t0 load_ms pss made reused secs r_ms r_pss r_made r_reused r_secs k_ms=null k_pss=null
	"$BENCH_DIR/gen-zone" -n "$BIG" > "$W/big.zone" || return 1
	grep -q '^host-0 IN A 10.0.0.1$' "$W/big.zone" || { note "big zone: no host-0 A 10.0.0.1 to change"; return 1; }
	mkdir -p "$dir"
	port=$(bench_free_port) || return 1
	STEER_ZONE_DNSSEC='{ "key_dir": "keys" }' srv_setup steerdns "$dir" "$port" "$W/big.zone"
	log "== [$(elapsed)] big zone: $BIG records; steerdns signs it (first load)"
	t0=$(now_ms)
	srv_start steerdns "$dir" ""
	if ! wait_answer "$port" "last-name.$ORIGIN" A "$TIMEOUT"; then
		note "big zone: steerdns did not answer within ${TIMEOUT}s: $(tail -n 2 "$dir/steerdns.out" | tr '\n' ' ')"
		srv_stop; return 1
	fi
	load_ms=$(( $(now_ms) - t0 ))
	pss=$(tree_pss_kb "$SRV_PID")
	read -r made reused secs < <(sign_line "$dir/steerdns.out" 1)
	log "  first load: ${made:-?} signatures made, ${reused:-?} reused, signing ${secs:-?} s; answering after $load_ms ms; PSS $pss kB"
	# One change: host-0's address; SIGHUP; until the new one is served.
	sed -i 's/^host-0 IN A 10.0.0.1$/host-0 IN A 10.0.0.99/' "$W/big.zone"
	t0=$(now_ms)
	kill -HUP "$SRV_PID"
	r_ms=null
	for _ in $(seq $((TIMEOUT * 10))); do
		[ "$(dig +short +norec +time=1 +tries=1 @127.0.0.1 -p "$port" "host-0.$ORIGIN" A 2> /dev/null)" = 10.0.0.99 ] &&
			{ r_ms=$(( $(now_ms) - t0 )); break; }
		sleep 0.1
	done
	r_pss=$(tree_pss_kb "$SRV_PID")
	read -r r_made r_reused r_secs < <(sign_line "$dir/steerdns.out" 2)
	log "  reload, one A changed: ${r_made:-?} signatures made, ${r_reused:-?} reused, signing ${r_secs:-?} s; new address served after $r_ms ms; PSS $r_pss kB"
	dig_do "$port" "host-0.$ORIGIN" A | grep -q "RRSIG[[:space:]]*A " || note "big zone: host-0 A has no RRSIG after the reload"
	srv_stop
	if srv_available knot; then
		log "== [$(elapsed)] big zone: Knot DNS signs it (dnssec-signing: on)"
		sed -i 's/^host-0 IN A 10.0.0.99$/host-0 IN A 10.0.0.1/' "$W/big.zone"
		mkdir -p "$W/big-knot"
		port=$(bench_free_port) || return 1
		# Knot signs on one thread unless its policy says more: as many as steerdns uses.
		KNOT_EXTRA=$(printf 'policy:\n  - id: bench\n    signing-threads: %s' "$(nproc)") \
		KNOT_ZONE_EXTRA=$(printf '    dnssec-signing: on\n    dnssec-policy: bench') \
			srv_setup knot "$W/big-knot" "$port" "$W/big.zone"
		t0=$(now_ms)
		srv_start knot "$W/big-knot" ""
		if wait_signed "$port" "last-name.$ORIGIN" "$TIMEOUT"; then
			k_ms=$(( $(now_ms) - t0 )) k_pss=$(tree_pss_kb "$SRV_PID")
			log "  Knot: last-name signed after $k_ms ms; PSS $k_pss kB"
		else
			note "big zone: Knot did not answer with signatures within ${TIMEOUT}s"
		fi
		srv_stop
	fi
	printf '"big": { "records": %d, "first": { "signatures_made": %s, "reused": %s, "sign_s": %s, "answering_ms": %d, "pss_kb": %d }, "reload_one_change": { "signatures_made": %s, "reused": %s, "sign_s": %s, "served_ms": %s, "pss_kb": %d }, "knot": { "signed_answering_ms": %s, "pss_kb": %s } },\n' \
		"$BIG" "${made:-null}" "${reused:-null}" "${secs:-null}" "$load_ms" "$pss" "${r_made:-null}" "${r_reused:-null}" \
		"${r_secs:-null}" "$r_ms" "$r_pss" "$k_ms" "$k_pss" >> "$EXTRA"
}

log "steerdns DNSSEC bench: $(nproc) CPUs, servers on CPU $SERVER_CPU, loader on CPU $LOADER_CPU; load average $LOAD0"
FAILED=0
[ "$DO_QUERIES" = 1 ] && bench_queries
[ "$BIG" -gt 0 ] && { bench_big || FAILED=1; }
if [ "$DO_FLAP" = 1 ]; then
	log "== [$(elapsed)] health flaps, DO=1 queries for the steered name"
	"$BENCH_DIR/flap.sh" --dnssec --seconds "$SECONDS_PER_RUN" --json "$W/flap.json"
	case $? in
	0) ;;
	77) note "flaps: skipped: $(sed -n 's/.*"skipped": "\(.*\)" }/\1/p' "$W/flap.json")" ;;
	*) note "flaps: FAILED (see the log above)"; FAILED=1 ;;
	esac
	[ -s "$W/flap.json" ] && { printf '"flap_dnssec": '; cat "$W/flap.json"; printf ',\n'; } >> "$EXTRA"
fi
printf '"load_average": { "start": "%s", "end": "%s" },\n' "$LOAD0" "$(cut -d ' ' -f 1-3 /proc/loadavg)" >> "$EXTRA"

CLIENTS=1 OUTSTANDING=$WINDOW PROBE_RATE=0
write_report "$BENCH_T0"
log "JSON written to $OUT ($(elapsed))"
exit "$FAILED"
