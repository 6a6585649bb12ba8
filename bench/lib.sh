# lib.sh -- shared helpers for the benchmark scripts (sourced, not run).
#
# Servers: each of steerdns, nsd, knot, gdnsd has
#   srv_available NAME             exit 0 if its binary is installed/built
#   srv_setup NAME DIR PORT ZONE   write its config into DIR serving ZONE (origin $ORIGIN)
#   srv_start NAME DIR CPU         start it pinned to CPU (or "" for no pinning), sets SRV_PID
#   srv_stop                       SIGTERM SRV_PID (and its children), wait, SIGKILL if needed
# Measurement:
#   tree_cpu_ticks PID             utime+stime clock ticks of PID and all its descendants
#   tree_rss_kb PID                VmRSS summed over PID and its descendants
# Every wait loop here is bounded in count and time.

: "${ORIGIN:=example.com}"
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$BENCH_DIR/.." && pwd)
: "${BUILD:=$SRC_DIR/build}"
CLK_TCK=$(getconf CLK_TCK)
SRV_PID=""

log() { printf '%s\n' "$*" >&2; }
# Seconds since the script started, for progress lines.
elapsed() { echo "$(( $(date +%s) - ${BENCH_T0:=$(date +%s)} ))s"; }

# A port free for UDP and TCP on loopback (checked with ss), spread by pid.
bench_free_port() {
	local p tries=0 low_end   # below the ephemeral range: see free_port in tests/integration/lib/lib.sh
	low_end=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${low_end:-0}" -gt 12000 ] || low_end=32768
	while [ $tries -lt 200 ]; do
		p=$(( 10000 + (RANDOM * 32768 + RANDOM + $$) % (low_end - 10000) ))
		if [ -z "$(ss -Hlnu "sport = :$p" 2>/dev/null)" ] &&
		   [ -z "$(ss -Hlnt "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"; return 0
		fi
		tries=$((tries + 1))
	done
	log "bench: no free port"; return 1
}

srv_binary() {
	case $1 in
	steerdns|steerdns-uring) echo "$BUILD/steerdns" ;;
	steerdns-b) echo "${STEER_B_BIN:-}" ;;
	nsd) command -v nsd || echo /usr/sbin/nsd ;;
	knot) command -v knotd || echo /usr/sbin/knotd ;;
	gdnsd) command -v gdnsd || echo /usr/sbin/gdnsd ;;
	esac
}

srv_available() { [ -x "$(srv_binary "$1")" ]; }

# Worker count for steerdns: 1 so that every server gets one core, unless
# STEER_WORKERS is set (0 = steerdns' default, one per core).
: "${STEER_WORKERS:=1}"

# STEER_EXTRA_JSON: more top-level sections; STEER_ZONE_DNSSEC: the zone's
# "dnssec" object (dnssec.sh, flap.sh --dnssec).
setup_steerdns() { # DIR PORT ZONE
	local geo="" io="" dz=""
	[ -n "${STEER_EXTRA_JSON:-}" ] && geo=",$STEER_EXTRA_JSON"
	[ -n "${STEER_UDP_IO:-}" ] && io=" \"udp_io\": \"$STEER_UDP_IO\","
	[ -n "${STEER_ZONE_DNSSEC:-}" ] && dz=", \"dnssec\": $STEER_ZONE_DNSSEC"
	cat > "$1/steerdns.json" <<JSON
{
  "server": { "listen": ["127.0.0.1:$2"], "workers": $STEER_WORKERS,$io
              "control_socket": "$1/steerdns.sock" },
  "zones": [ { "name": "$ORIGIN", "file": "$3"$dz } ]$geo
}
JSON
}

# steerdns-uring: the same binary with "udp_io": "io_uring", to compare
# the two UDP engines in one run (--servers steerdns,steerdns-uring,...).
setup_steerdns-uring() { STEER_UDP_IO=io_uring setup_steerdns "$@"; }

# steerdns-b: another steerdns binary (STEER_B_BIN, e.g. an engine variant
# built from a branch) with the same configuration, so that run.sh
# interleaves old and new under dnsload (--servers steerdns,steerdns-b).
setup_steerdns-b() { setup_steerdns "$@"; }

setup_nsd() { # DIR PORT ZONE
	cat > "$1/nsd.conf" <<CONF
server:
	ip-address: 127.0.0.1@$2
	port: $2
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$1"
	pidfile: "$1/nsd.pid"
	database: ""
	zonelistfile: "$1/zone.list"
	xfrdfile: "$1/xfrd.state"
	xfrdir: "$1"
	logfile: "$1/nsd.log"
	verbosity: 1
	hide-version: yes
	tcp-count: 100
	# Debian builds NSD with response rate limiting on: a benchmark from one
	# address would be throttled (NXDOMAIN bursts are cut to a trickle).
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "$ORIGIN"
	zonefile: "$3"
CONF
}

# KNOT_LISTEN (default 127.0.0.1) and KNOT_EXTRA (more config sections,
# e.g. xdp.sh's "xdp:") change the listener; KNOT_ZONE_EXTRA adds lines to
# the zone (dnssec.sh: "dnssec-signing: on").
setup_knot() { # DIR PORT ZONE
	mkdir -p "$1/storage"
	cat > "$1/knot.conf" <<CONF
server:
    rundir: "$1"
    listen: ${KNOT_LISTEN:-127.0.0.1}@$2
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
${KNOT_EXTRA:-}
log:
  - target: stderr
    any: info
database:
    storage: "$1/storage"
template:
  - id: default
    storage: "$1/storage"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: $ORIGIN
    file: "$3"
${KNOT_ZONE_EXTRA:-}
CONF
}

# gdnsd reads DIR/config and DIR/zones/<origin>; the geo mix adds a plugin
# block through GDNSD_PLUGINS (see mixes.sh).
setup_gdnsd() { # DIR PORT ZONE
	mkdir -p "$1/zones" "$1/run" "$1/state"
	ln -sf "$3" "$1/zones/$ORIGIN"
	cat > "$1/config" <<CONF
options => {
  listen => [ 127.0.0.1:$2 ]
  udp_threads => 1
  tcp_threads => 1
  run_dir => "$1/run"
  state_dir => "$1/state"
  zones_strict_data => false
}
${GDNSD_PLUGINS:-}
CONF
}

srv_setup() { "setup_$1" "$2" "$3" "$4"; }

srv_cmd() { # NAME DIR -> the command line (one word a line)
	case $1 in
	steerdns|steerdns-uring|steerdns-b) printf '%s\n' "$(srv_binary "$1")" ${STEER_DEBUG:+-d} -c "$2/steerdns.json" ;;
	nsd) printf '%s\n' "$(srv_binary nsd)" -d -c "$2/nsd.conf" ;;
	knot) printf '%s\n' "$(srv_binary knot)" -c "$2/knot.conf" ;;
	gdnsd) printf '%s\n' "$(srv_binary gdnsd)" -c "$2" start ;;
	esac
}

srv_start() { # NAME DIR CPU
	local -a cmd
	mapfile -t cmd < <(srv_cmd "$1" "$2")
	if [ -n "$3" ]; then
		taskset -c "$3" "${cmd[@]}" > "$2/$1.out" 2>&1 &
	else
		"${cmd[@]}" > "$2/$1.out" 2>&1 &
	fi
	SRV_PID=$!
	echo "$SRV_PID" > "$2/$1.pid"
}

# Children of PID (one level), from /proc; pids of threads are not listed.
proc_children() {
	local f
	for f in /proc/"$1"/task/*/children; do
		[ -r "$f" ] && cat "$f"
	done 2>/dev/null | tr ' ' '\n' | sed '/^$/d'
}

proc_tree() { # PID -> PID and descendants, 3 levels deep (nsd: main, xfrd, servers)
	local p c g
	echo "$1"
	for c in $(proc_children "$1"); do
		echo "$c"
		for g in $(proc_children "$c"); do
			echo "$g"; proc_children "$g"
		done
	done
}

# tree_cpu_ticks PID [user]: CPU ticks of PID and its children (user + system,
# or user alone).
tree_cpu_ticks() {
	local p sum=0 t
	for p in $(proc_tree "$1"); do
		# Fields 14 and 15 are utime and stime; field 2 may hold spaces, so cut after ')'.
		t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk -v u="${2:-}" '{print u ? $12 : $12 + $13}')
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}

tree_rss_kb() {
	local p sum=0 r
	for p in $(proc_tree "$1"); do
		r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${r:-0}))
	done
	echo "$sum"
}

# proc_alive PID: running and not a zombie (our own children stay zombies
# until waited for, and kill -0 succeeds on them).
proc_alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d " " -f 1)
	[ -n "$st" ] && [ "$st" != Z ]
}

srv_stop() {
	local pid=$SRV_PID kids i
	[ -n "$pid" ] || return 0
	kids=$(proc_tree "$pid" | tail -n +2)
	kill "$pid" 2>/dev/null
	for i in $(seq 50); do proc_alive "$pid" || break; sleep 0.1; done
	proc_alive "$pid" && kill -9 "$pid"
	for i in $kids; do proc_alive "$i" && kill -9 "$i"; done
	wait "$pid" 2>/dev/null
	SRV_PID=""
}

# wait_answer PORT NAME TYPE TIMEOUT_S: until the server answers NAME with NOERROR.
wait_answer() {
	local deadline=$(( $(date +%s%N) / 1000000 + $4 * 1000 )) out
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$deadline" ]; do
		out=$(dig +time=1 +tries=1 +norec @127.0.0.1 -p "$1" "$2" "$3" 2>/dev/null)
		case $out in *"status: NOERROR"*) return 0 ;; esac
		proc_alive "$SRV_PID" || return 1
		sleep 0.02
	done
	return 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# tree_pss_kb PID: proportional set size over PID and its descendants. Unlike
# summing VmRSS it does not count twice the pages a forking server (NSD)
# shares between its processes.
tree_pss_kb() {
	local p sum=0 r
	for p in $(proc_tree "$1"); do
		r=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
		sum=$((sum + ${r:-0}))
	done
	echo "$sum"
}

# Build the latency prober once per build directory (cc from the build deps).
build_latprobe() {
	LATPROBE=${LATPROBE:-$BUILD/bench/latprobe}
	if [ ! -x "$LATPROBE" ] || [ "$BENCH_DIR/latprobe.c" -nt "$LATPROBE" ] || [ "$BENCH_DIR/qfile.h" -nt "$LATPROBE" ]; then
		mkdir -p "$(dirname "$LATPROBE")"
		${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$LATPROBE" "$BENCH_DIR/latprobe.c" || return 1
	fi
}

# The load generator (bench/dnsload.c), built the same way.
build_dnsload() {
	DNSLOAD=${DNSLOAD:-$BUILD/bench/dnsload}
	if [ ! -x "$DNSLOAD" ] || [ "$BENCH_DIR/dnsload.c" -nt "$DNSLOAD" ] || [ "$BENCH_DIR/qfile.h" -nt "$DNSLOAD" ]; then
		mkdir -p "$(dirname "$DNSLOAD")"
		${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$DNSLOAD" "$BENCH_DIR/dnsload.c" || return 1
	fi
}

# dnsperf_parse FILE: one line "sent completed lost qps avg_us rcodes" from
# dnsperf's summary (rcodes as NOERROR=n,NXDOMAIN=m).
dnsperf_parse() {
	awk '
	/Queries sent:/ { sent = $3 }
	/Queries completed:/ { done = $3 }
	/Queries lost:/ { lost = $3 }
	/Queries per second:/ { qps = $4 }
	/Average Latency/ { avg = $4 * 1000000 }
	/Response codes:/ {
		sub(/.*Response codes: */, ""); n = split($0, parts, /, */)
		for (i = 1; i <= n; i++) { split(parts[i], w, " "); rc = rc (rc ? "," : "") w[1] "=" w[2] }
	}
	END { printf "%d %d %d %.0f %.0f %s\n", sent, done, lost, qps, avg, (rc ? rc : "none") }' "$1"
}

# The prober runs with a real-time priority when allowed (root): it sleeps
# almost all the time, and its timestamps should not wait behind dnsperf or
# healthd on the loader's core. Prints the prefix command (may be empty).
probe_prio() {
	if chrt -f 10 true 2> /dev/null; then echo "chrt -f 10"; fi
}

# --- one dnsload run (run.sh, dnssec.sh) ---------------------------------
# measure_dnsload MIX SERVER ROUND QFILE [-B] RATE appends one row to $RUNS
# (report.awk's columns) and logs it; it reads the caller's W (work dir),
# PIDS/PORTS (server -> pid/port), SECONDS_PER_RUN, LOADER_CPU, WINDOW,
# DNSLOAD and calls its note().

# machine_steal: the machine's steal ticks (/proc/stat), reported beside
# the CPU columns: time the hypervisor gave our vCPUs to someone else, which
# on this VM came and went round to round.
machine_steal() { awk '/^cpu / { print $9 }' /proc/stat; }
# machine_task_us: CPU time of every live task (threads and kernel threads
# alike) in microseconds, from the scheduler's own clock
# (/proc/*/task/*/schedstat). /proc/stat is sampled at the tick (this
# kernel has TICK_CPU_ACCOUNTING): on this VM its busy time at 20k q/s came
# out below the server's own CPU once steal was left out, and far above it
# with steal. Softirq work runs in the task that raised it (a veth or
# loopback transmit), so it is counted; tasks that exit in the window are
# not (a run's own awk and sed, not the server or the loader).
machine_task_us() { cat /proc/[0-9]*/task/[0-9]*/schedstat 2> /dev/null | awk '{ s += $1 } END { printf "%.0f\n", s / 1000 }'; }
# The loader has exited when the window closes, so machine_task_us does not
# hold it: every caller adds the loader's own CPU from its rusage (dnsload
# prints cpu_us; dnsperf and the prober are timed by timed_run).
# timed_run TIMES_FILE CMD...: run CMD, then write its CPU (user + system,
# microseconds, from bash's "times" of the child) into TIMES_FILE.
timed_run() {
	local f=$1; shift
	(
		"$@"
		rc=$?
		# Not "times | awk": a pipeline's builtin runs in a fork, whose
		# children's times are zero.
		times > "$f.raw"
		awk 'NR == 2 { split($1, u, "m"); split($2, y, "m"); printf "%.0f\n", (u[1] * 60 + u[2] + y[1] * 60 + y[2]) * 1e6 }' "$f.raw" > "$f"
		rm -f "$f.raw"
		exit $rc
	)
}

# runs.tsv columns: mix server round qps sent completed lost cpu_us p50 p99
# avg rcodes probe_lost util% machine_us/q loader_us/q (see report.awk)
# rcodes_of NOERROR NXDOMAIN OTHER: "NOERROR=n,NXDOMAIN=m" as dnsperf_parse
# writes it, counts of zero left out.
rcodes_of() {
	local out=""
	[ "$1" -gt 0 ] && out="NOERROR=$1"
	[ "$2" -gt 0 ] && out="${out:+$out,}NXDOMAIN=$2"
	[ "$3" -gt 0 ] && out="${out:+$out,}other=$3"
	echo "${out:-none}"
}

measure_dnsload() {
	local mix=$1 s=$2 round=$3 qfile=$4 bin=$5 rate=$6 pid=${PIDS[$2]} port=${PORTS[$2]}
	local out=$W/$mix-$s-$round-$rate c0 c1 m0 m1 cpu_us util mach load key
	c0=$(tree_cpu_ticks "$pid") m0=$(machine_task_us)
	timeout -k 5 $((SECONDS_PER_RUN + 30)) taskset -c "$LOADER_CPU" "$DNSLOAD" -p "$port" -d "$qfile" \
		$bin -l "$SECONDS_PER_RUN" -Q "$rate" -w "$WINDOW" > "$out.load" 2>&1
	c1=$(tree_cpu_ticks "$pid") m1=$(machine_task_us)
	# dnsload prints key=value pairs; take the ones used here by name.
	eval "$(awk '/^sent=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "lsent=%d ldone=%d llost=%d lqps=%d p50=%d p99=%d noerr=%d nx=%d oth=%d lcpu=%d\n",
			v["sent"], v["recv"], v["lost"], v["qps"], v["p50_us"], v["p99_us"], v["noerror"],
			v["nxdomain"], v["other_rcode"], v["cpu_us"] }' "$out.load")"
	[ -n "${ldone:-}" ] || { note "$s: dnsload failed at rate $rate: $(head -c 200 "$out.load")"; return 0; }
	# machine: every task's CPU (microseconds) plus the loader's own.
	read -r cpu_us util mach load < <(awk -v t=$((c1 - c0)) -v m=$((m1 - m0)) -v hz="$CLK_TCK" \
		-v n="$ldone" -v s="$SECONDS_PER_RUN" -v l="$lcpu" 'BEGIN {
		if (!n) n = 1
		printf "%.3f %.0f %.3f %.3f\n", t * 1e6 / hz / n, t * 100 / hz / s, (m + l) / n, l / n }')
	key=$mix@$( [ "$rate" = 0 ] && echo sat || echo "$((rate / 1000))k" )
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$s" "$round" \
		"$lqps" "$lsent" "$ldone" "$llost" "$cpu_us" "$p50" "$p99" 0 \
		"$(rcodes_of "$noerr" "$nx" "$oth")" 0 "$util" "$mach" "$load" >> "$RUNS"
	log "  $(printf '%-11s %-9s round %s: %7s q/s  lost %-6s srv %6s us/q (%s%%)  machine %6s us/q  p99 %6s us' \
		"$key" "$s" "$round" "$lqps" "$llost" "$cpu_us" "$util" "$mach" "$p99")"
	unset lsent ldone llost lqps p50 p99 noerr nx oth lcpu
}

# queries_binary do|nodo < TEXT > BINARY: a dnsperf text query file ("name
# type" a line) as -B binary (2-byte length + message, no RD), every query
# with EDNS (1232 bytes) and, for "do", the DO bit: the text format has no
# way to ask for DNSSEC.
queries_binary() {
	perl -e '
	use strict; use warnings;
	my $do = $ARGV[0] eq "do" ? 0x8000 : 0;
	my %t = (A => 1, NS => 2, CNAME => 5, SOA => 6, PTR => 12, MX => 15, TXT => 16, AAAA => 28,
		 SRV => 33, DS => 43, DNSKEY => 48, ANY => 255);
	while (<STDIN>) {
		my ($n, $ty) = split;
		next unless defined $ty && exists $t{uc $ty};
		my $q = join("", map { chr(length $_) . $_ } split(/\./, $n)) . "\0";
		my $msg = pack("nnnnnn", 0, 0, 1, 0, 0, 1) . $q . pack("nn", $t{uc $ty}, 1) .
			  "\0" . pack("nnNn", 41, 1232, $do, 0);
		print pack("n", length $msg) . $msg;
	}' "$1"
}

# write_report T_START: the table (report.awk) on stdout, the JSON into $OUT,
# from $RUNS, $EXTRA and $NOTES and the settings the caller keeps in
# ROUNDS SECONDS_PER_RUN CLIENTS OUTSTANDING RECORDS STEER_WORKERS
# PROBE_RATE SERVER_CPU LOADER_CPU (run.sh, dnssec.sh).
write_report() {
	mkdir -p "$(dirname "$OUT")"
	awk -f "$BENCH_DIR/report.awk" -v out="$OUT.tmp" -v extra="$EXTRA" -v notes="$NOTES" \
		-v rounds="$ROUNDS" -v seconds="$SECONDS_PER_RUN" -v clients="$CLIENTS" \
		-v outstanding="$OUTSTANDING" -v records="$RECORDS" -v workers="$STEER_WORKERS" \
		-v probe_rate="$PROBE_RATE" -v cpus="$(nproc)" -v server_cpu="$SERVER_CPU" \
		-v loader_cpu="$LOADER_CPU" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		-v cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		-v kernel="$(uname -r)" -v versions="$(bash "$BENCH_DIR/versions.sh")" \
		-v elapsed=$(( $(date +%s) - $1 )) "$RUNS" && mv "$OUT.tmp" "$OUT"
}
