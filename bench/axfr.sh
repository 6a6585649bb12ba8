#!/bin/bash
# axfr.sh -- AXFR of a large zone and UDP answering meanwhile.
#
#   BUILD=$PWD/build bench/axfr.sh [RECORDS [RATE [SECONDS]]]   (default 1000000 20000 10)
#
# Serves a gen-zone zone of RECORDS records from steerdns (one UDP worker,
# on CPUs $CPUS, default 0, when taskset exists), then:
#   1. times one TSIG-signed AXFR alone (kdig, to /dev/null: the client's
#      own printing is not measured; dig's count of records is checked);
#   2. runs dnsperf at RATE q/s (-Q: bounded) for SECONDS without a transfer,
#      then again while AXFRs run back to back, and prints q/s, lost and the
#      ratio during/without.
# Bounded: every run has a time limit; everything started is killed on exit.
set -u
: "${BUILD:?BUILD must name the directory of the binaries}"
N=${1:-1000000} RATE=${2:-20000} SECS=${3:-10}
CPUS=${CPUS:-0} # steerdns' CPUs (taskset list); dnsperf runs on CPU 1
D=$(mktemp -d /tmp/steer-axfr.XXXXXX)
B=$(cd "$(dirname "$0")" && pwd)
PORT=$(( 30000 + $$ % 20000 ))
SECRET=$(head -c 32 /dev/urandom | base64)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$D"' EXIT
# exec, so that $! is the process itself (a function in the background would be a subshell).
pin() { if command -v taskset >/dev/null; then exec taskset -c "$1" "${@:2}"; else exec "${@:2}"; fi; }

"$B/gen-zone" -n "$N" > "$D/example.com.zone"
"$B/gen-queries" static -n "$N" -q 200000 > "$D/queries"
cat > "$D/c.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1 },
  "tsig": { "k": { "algorithm": "hmac-sha256", "secret": "$SECRET" } },
  "zones": [ { "name": "example.com", "file": "example.com.zone", "allow_transfer": [ { "key": "k" } ] } ] }
JSON
(pin "$CPUS" "$BUILD/steerdns" -c "$D/c.json") > "$D/log" 2>&1 &
spid=$!
pids="$pids $spid"
for _ in $(seq 600); do dig +time=1 +tries=1 @127.0.0.1 -p $PORT example.com SOA >/dev/null 2>&1 && break; sleep 0.1; done
rss=$(awk '/VmRSS/ {print $2}' /proc/$spid/status)

axfr() { timeout 300 kdig +tcp @127.0.0.1 -p $PORT -y "hmac-sha256:k:$SECRET" example.com AXFR +noall +answer >/dev/null 2>&1; }
t0=$(date +%s.%N); axfr; t1=$(date +%s.%N)
nrec=$(timeout 300 dig +tcp @127.0.0.1 -p $PORT -y "hmac-sha256:k:$SECRET" example.com AXFR 2>/dev/null | sed -n 's/.*XFR size: \([0-9]*\) records.*/\1/p')
rss2=$(awk '/VmRSS/ {print $2}' /proc/$spid/status)
echo "zone: $N records requested, AXFR carried ${nrec:-?} records; steerdns RSS ${rss} kB before, ${rss2} kB after"
echo "AXFR alone: $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }') s"
grep "transfer: " "$D/log" | tail -1

perf() { (pin 1 dnsperf -s 127.0.0.1 -p $PORT -d "$D/queries" -l "$SECS" -Q "$RATE" -t 2) 2>&1 |
	awk '/Queries per second/ {q=$4} /Queries lost/ {l=$3} END { printf "%s %s\n", q, l }'; }
read q0 l0 < <(perf)
( end=$(( $(date +%s) + SECS + 2 )); n=0; while [ "$(date +%s)" -lt $end ]; do axfr; n=$((n + 1)); done; echo $n > "$D/nxfr" ) &
pids="$pids $!"
sleep 0.5
read q1 l1 < <(perf)
wait "${pids##* }" 2>/dev/null
echo "UDP at $RATE q/s offered, $SECS s: without transfer $q0 q/s (lost $l0); during back-to-back AXFRs ($(cat "$D/nxfr" 2>/dev/null) done) $q1 q/s (lost $l1)"
awk -v a="$q0" -v b="$q1" 'BEGIN { if (a > 0) printf "ratio during/without: %.3f\n", b / a }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared)"
