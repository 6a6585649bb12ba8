#!/bin/bash
# zone-load.sh -- `make bench-zone`: load time and memory for large zones.
#
# Usage: BUILD=DIR bench/zone-load.sh [--sizes 100000,1000000] [--quick]
#          [--servers steerdns,nsd,knot,gdnsd] [--timeout S] [--out FILE]
# For each size, gen-zone writes one zone file; each server loads that same
# file, pinned to CPU 0. Load time: from the start of the process until it
# answers NOERROR for last-name.<origin> (the last record in the file), polled
# with dig every ~20 ms. Memory: PSS of the server's process tree after the
# load (smaps_rollup; for one process that is its RSS without shared library
# pages counted twice across NSD's forks), also VmRSS of the main process.
# For steerdns, `steerdns --check` timing (parse + compile, no sockets) too,
# and the load split into parse / build / serve: steerdns runs with -d and
# logs, per zone, the monotonic time of its read (parse: master file into
# entries) and of the rest (build: rrsets, node table, checks, link); serve
# is the rest of load_ms (exec, config, sockets, the first answer and the
# dig poll's granularity of up to ~20 ms plus one dig start).
# --quick: one 20k-record zone. Bounded: each load waits at most --timeout s.
set -u
. "$(dirname "$0")/lib.sh"
SIZES="100000 1000000" SERVERS="steerdns nsd knot gdnsd" TIMEOUT=300
OUT=$BENCH_DIR/results/zone-load.json
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) SIZES=${2//,/ }; shift ;;
	--servers) SERVERS=${2//,/ }; shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--out) OUT=$2; shift ;;
	--quick) SIZES=20000 ;;
	*) echo "zone-load.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
W=$(mktemp -d /tmp/steer-zload.XXXXXX)
cleanup() { srv_stop; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
ROWS=$W/rows.tsv
# split_ms LOG LOAD_MS -> "parse<TAB>build<TAB>serve" in ms from steerdns'
# debug line "zone Z: N records: parse P s, build B s" (summed over zones),
# serve = LOAD_MS - parse - build; "null" three times for other servers.
split_ms() {
	awk -v load="$2" '/records: parse [0-9.]+ s, build [0-9.]+ s/ {
		for (i = 1; i <= NF; i++) { if ($i == "parse") p += $(i + 1); if ($i == "build") b += $(i + 1) }; n++ }
	END { if (!n) { print "null\tnull\tnull"; exit }
	      printf "%d\t%d\t%d\n", p * 1000, b * 1000, load - int(p * 1000) - int(b * 1000) }' "$1"
}
: > "$ROWS"

for size in $SIZES; do
	t0=$(now_ms)
	"$BENCH_DIR/gen-zone" -n "$size" > "$W/zone" || exit 1
	log "== zone of $size records ($(du -m "$W/zone" | cut -f1) MB) generated in $(( $(now_ms) - t0 )) ms"
	for s in $SERVERS; do
		srv_available "$s" || { log "$s: not installed; skipped"; continue; }
		dir=$W/$s-$size
		mkdir -p "$dir"
		port=$(bench_free_port) || exit 1
		srv_setup "$s" "$dir" "$port" "$W/zone"
		check_ms=null
		if [ "$s" = steerdns ]; then
			t0=$(now_ms)
			timeout "$TIMEOUT" taskset -c 0 "$BUILD/steerdns" --check -c "$dir/steerdns.json" > "$dir/check.out" 2>&1 &&
				check_ms=$(( $(now_ms) - t0 ))
		fi
		t0=$(now_ms)
		STEER_DEBUG=1 srv_start "$s" "$dir" 0
		if ! wait_answer "$port" "last-name.$ORIGIN" A "$TIMEOUT"; then
			log "$s: no answer for last-name within ${TIMEOUT}s: $(tail -n 2 "$dir/$s.out" | tr '\n' ' ')"
			srv_stop; continue
		fi
		load_ms=$(( $(now_ms) - t0 ))
		sleep 0.5	# let a background loader (Knot) settle before reading memory
		pss=$(tree_pss_kb "$SRV_PID")
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SRV_PID/status")
		srv_stop
		split=$(split_ms "$dir/$s.out" "$load_ms")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$s" "$load_ms" "$pss" "$rss" "$check_ms" "$split" >> "$ROWS"
		log "  $(printf '%-9s %8d records: loaded in %6d ms, PSS %7d kB (%4d B/record), main RSS %7d kB, --check %s ms' \
			"$s" "$size" "$load_ms" "$pss" $((pss * 1024 / size)) "$rss" "$check_ms")"
		[ "$s" = steerdns ] && log "  $(echo "$split" | awk -F '\t' '{printf "steerdns split: parse %s ms, build %s ms, serve %s ms", $1, $2, $3}')"
		# steerdns' debug line of bytes per structure (server/zone/load/stats.c)
		[ "$s" = steerdns ] && log "  steerdns $(sed -n 's/.*zone [^ ]*: memory: /memory: /p' "$dir/$s.out" | head -n 1)"
	done
done

mkdir -p "$(dirname "$OUT")"
awk -F '\t' -v out="$OUT" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v versions="$(bash "$BENCH_DIR/versions.sh")" '
BEGIN { printf "\n%-9s %9s %9s %10s %9s %9s %9s %9s %9s\n", "server", "records", "load_ms", "pss_kB", "B/record", "check_ms", "parse_ms", "build_ms", "serve_ms" }
{
	printf "%-9s %9d %9d %10d %9d %9s %9s %9s %9s\n", $2, $1, $3, $4, $4 * 1024 / $1, $6, $7, $8, $9
	row[NR] = sprintf("    { \"server\": \"%s\", \"records\": %d, \"load_ms\": %d, \"pss_kb\": %d, \"main_rss_kb\": %d, \"bytes_per_record\": %d, \"check_ms\": %s, \"parse_ms\": %s, \"build_ms\": %s, \"serve_ms\": %s }", $2, $1, $3, $4, $5, $4 * 1024 / $1, $6, $7, $8, $9)
}
END {
	printf "{\n  \"generated\": \"%s\",\n  \"versions\": \"%s\",\n  \"results\": [\n", date, versions > out
	for (i = 1; i <= NR; i++) printf "%s%s\n", row[i], (i < NR ? "," : "") > out
	printf "  ]\n}\n" > out
}' "$ROWS"
log "JSON written to $OUT"
