#!/bin/bash
# 312_slowstart -- slow start in a weighted policy, with real HTTP backends
# checked by steer-healthd: app.example.test is weighted a:1, b:1; pool a
# ("slowstart": 6) has 127.0.0.2, pool b 127.0.0.3. Both up: about half the
# answers each. a fails, then recovers: right after, a gets only a small share
# (its weight ramps from ~0); halfway, more; after slowstart, half again.
# 200 queries per sample (one dig run), so every bound is loose.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"

HP=$(free_port) PORT=$(free_port)
CONF=$T/steerdns.json
mkdir -p "$T/state" "$T/wa" "$T/wb"
steer_zone 127.0.0.2
cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state" },
  "checks": { "web": { "type": "http", "port": $HP, "path": "/health", "interval": 0.2, "timeout": 0.5,
                       "fall": 1, "rise": 1 } },
  "pools": { "a": { "check": "web", "members": ["127.0.0.2"], "slowstart": 6 },
             "b": { "check": "web", "members": ["127.0.0.3"] } },
  "records": { "app.example.test": { "ttl": 60, "weighted": { "a": 1, "b": 1 } } } }
JSON
start_bg ha /usr/bin/python3 "$TESTDIR/../lib/knobs_http.py" 127.0.0.2 "$HP" "$T/wa"
start_bg hb /usr/bin/python3 "$TESTDIR/../lib/knobs_http.py" 127.0.0.3 "$HP" "$T/wb"
# Backends first: a backend healthd saw down at its start would ramp from there.
for a in 2 3; do
	for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.$a:$HP/health" && break; sleep 0.05; done
done
hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
start_bg server "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }

# share: percent of 200 answers that are 127.0.0.2
share() {
	local qs=() i
	for i in $(seq 200); do qs+=(app.example.test A); done
	dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 "${qs[@]}" 2> /dev/null |
		awk '$1 == "127.0.0.2" {a++} /^127/ {n++} END {printf "%d\n", n ? a * 100 / n : -1}'
}
hd_wait web@127.0.0.2 state up 5 || fail "a never up"
hd_wait web@127.0.0.3 state up 5 || fail "b never up"
sleep 0.3
s0=$(share)
echo "slowstart: a's share with both up (no ramp since start): $s0%" | tee -a "$T/timings"
[ "$s0" -ge 30 ] && [ "$s0" -le 70 ] || fail "both up: a got $s0%, not about half"

echo 503 > "$T/wa/health.code"
hd_wait web@127.0.0.2 state down 5 || fail "a never down"
for _ in $(seq 50); do [ "$(share)" = 0 ] && break; sleep 0.1; done
expect_eq "a down: a gets nothing" "$(share)" 0

rm -f "$T/wa/health.code"
t0=$(date +%s%3N)
for _ in $(seq 100); do [ "$(share)" != 0 ] && break; sleep 0.05; done
s1=$(share)
t1=$(( $(date +%s%3N) - t0 ))
"$STEERCTL" -c "$CONF" explain app.example.test A > "$T/explain.txt" 2>&1
expect_match "explain shows the ramp" "$(cat "$T/explain.txt")" "127.0.0.2 +up \(slow start: [0-9]+% of its weight\)"
echo "slowstart: a's share ${t1} ms after it recovered: $s1%" | tee -a "$T/timings"
[ "$s1" -le 25 ] || fail "just recovered: a got $s1%, not a small share"
sleep "$(awk "BEGIN{t = 3 - $t1 / 1000; print (t > 0 ? t : 0)}")"
s2=$(share)
echo "slowstart: a's share 3 s after it recovered (half of slowstart 6 s): $s2%" | tee -a "$T/timings"
[ "$s2" -gt "$s1" ] && [ "$s2" -le 50 ] || fail "halfway: a got $s2% (just after: $s1%)"
sleep "$(awk "BEGIN{t = 6.5 - ($(date +%s%3N) - $t0) / 1000; print (t > 0 ? t : 0)}")"
s3=$(share)
echo "slowstart: a's share after slowstart: $s3%" | tee -a "$T/timings"
[ "$s3" -ge 30 ] && [ "$s3" -le 70 ] || fail "after slowstart: a got $s3%, not about half"
finish
