#!/bin/bash
# 460_steer_failover -- health-driven failover end to end with the real
# daemons: two HTTP backends on loopback (python3 http.server on 127.0.0.2
# and 127.0.0.3) guard pools east and west through steer-healthd (interval
# 0.2 s, fall 2, rise 2); steerdns subscribes to it. Measured and bounded:
#   stop east -> answers move to west within fall x interval + 1 s
#   start east -> answers come back within rise x interval + 1 s
# Also: degraded TTL, `steerctl drain`/`undrain` move traffic, explain shows
# member states; healthd killed -> steerdns keeps the last-known state (a
# backend that recovers meanwhile is not used) and picks up when healthd
# returns; everything down -> fall open.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"

HP=$(free_port)
PORT=$(free_port)
CONF=$T/steerdns.json
mkdir -p "$T/state" "$T/www"
echo ok > "$T/www/index.html"
cat > "$T/example.test.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
  IN NS ns1
ns1 IN A 192.0.2.53
app 60 IN A 198.18.0.99
ZONE
cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state" },
  "checks": { "web": { "type": "http", "port": $HP, "path": "/", "interval": 0.2, "timeout": 0.2,
                       "fall": 2, "rise": 2 } },
  "pools": { "east": { "check": "web", "members": ["127.0.0.2"] },
             "west": { "check": "web", "members": ["127.0.0.3"] } },
  "records": { "app.example.test": { "ttl": 60, "degraded_ttl": 10, "failover": ["east", "west"] } } }
JSON
FALL_MS=400 # fall x interval
RISE_MS=400 # rise x interval

backend() { # NAME ADDRESS: start it and wait until it serves
	start_bg "$1" /usr/bin/python3 -m http.server --bind "$2" "$HP" --directory "$T/www"
	for _ in $(seq 100); do curl -sf -o /dev/null "http://$2:$HP/" && return 0; sleep 0.05; done
	return 1
}
healthd() { rm -f "$T/hd.sock"; start_bg hd "$HEALTHD" -c "$CONF"; wait_file "$T/hd.sock"; }
ans() { dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 app.example.test A | sort | tr '\n' ' ' | sed 's/ $//'; }
ttl() { dig @127.0.0.1 -p "$PORT" +noall +answer +time=1 +tries=1 app.example.test A | awk '{print $2; exit}'; }
now_ms() { date +%s%3N; }
# wait_ans WANT SECONDS: poll every 20 ms; prints the elapsed ms, fails after SECONDS
wait_ans() {
	local t0 n=$(( $2 * 50 )) i
	t0=$(now_ms)
	for i in $(seq "$n"); do
		[ "$(ans)" = "$1" ] && { echo $(( $(now_ms) - t0 )); return 0; }
		sleep 0.02
	done
	echo "never"; return 1
}
state_of() { # ADDRESS -> its state in explain --json
	"$STEERCTL" -s "$T/ctl.sock" --json explain app.example.test A 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
print([m["state"] for p in j["pools"] for m in p["members"] if m["address"] == sys.argv[1]][0])' "$1"
}
wait_state() { # ADDRESS STATE
	for _ in $(seq 100); do [ "$(state_of "$1")" = "$2" ] && return 0; sleep 0.05; done
	return 1
}

backend east 127.0.0.2 || { fail "backend east did not start"; finish; }
backend west 127.0.0.3 || { fail "backend west did not start"; finish; }
healthd || { fail "healthd did not start"; finish; }
start_bg server "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
wait_state 127.0.0.2 up && wait_state 127.0.0.3 up || fail "healthd's verdicts never reached steerdns"
expect_eq "both up: east answers" "$(ans)" "127.0.0.2"
expect_eq "both up: full TTL" "$(ttl)" "60"

# 1. east stops: west answers within fall x interval + 1 s
stop_bg east
ms=$(wait_ans 127.0.0.3 5)
echo "MEASURED failover east -> west: ${ms} ms (bound $((FALL_MS + 1000)) ms)"
[ "$ms" != never ] && [ "$ms" -le $((FALL_MS + 1000)) ] && pass "failover within fall x interval + 1 s" \
	|| fail "failover took $ms ms"
expect_eq "fallback pool: degraded TTL" "$(ttl)" "10"
expect_match "steerdns logs the transition" "$(cat "$T/server.log")" "health: web@127\.0\.0\.2 up -> down"

# 2. east back: it answers again within rise x interval + 1 s (from when it serves)
backend east 127.0.0.2 || fail "backend east did not restart"
ms=$(wait_ans 127.0.0.2 5)
echo "MEASURED failback west -> east: ${ms} ms (bound $((RISE_MS + 1000)) ms)"
[ "$ms" != never ] && [ "$ms" -le $((RISE_MS + 1000)) ] && pass "failback within rise x interval + 1 s" \
	|| fail "failback took $ms ms"

# 3. drain moves traffic, undrain brings it back; explain says so
"$STEERCTL" -c "$CONF" drain web@127.0.0.2 > /dev/null || fail "steerctl drain"
ms=$(wait_ans 127.0.0.3 3)
echo "MEASURED drain -> west: ${ms} ms"
[ "$ms" != never ] && pass "drain moves traffic to west" || fail "drain did not move traffic"
out=$("$STEERCTL" -s "$T/ctl.sock" explain app.example.test A --from 127.0.0.1)
echo "$out"
expect_match "explain: east drained" "$out" "127\.0\.0\.2 +drained"
expect_match "explain: east pool all down" "$out" "1\. east +all down"
expect_match "explain: west answered" "$out" "2\. west +answered"
expect_match "explain: degraded TTL" "$out" "ttl +10 \(degraded"
"$STEERCTL" -c "$CONF" undrain web@127.0.0.2 > /dev/null || fail "steerctl undrain"
[ "$(wait_ans 127.0.0.2 3)" != never ] && pass "undrain brings east back" || fail "undrain: east not back"

# 4. healthd goes away: the last-known state stays
stop_bg east
[ "$(wait_ans 127.0.0.3 5)" != never ] || fail "east down again: west"
stop_bg hd
backend east 127.0.0.2 || fail "backend east did not restart"
sleep 1.5 # without healthd nobody tells steerdns: east must stay down
expect_eq "healthd away: last-known state kept (west)" "$(ans)" "127.0.0.3"
expect_eq "healthd away: explain shows east down" "$(state_of 127.0.0.2)" "down"
expect_match "steerdns noticed healthd leaving" "$(cat "$T/server.log")" "healthd: connection lost; keeping the last-known"
t0=$(now_ms)
healthd || fail "healthd did not restart"
ms=$(wait_ans 127.0.0.2 8)
echo "MEASURED healthd back -> east answers again: ${ms} ms after its restart"
[ "$ms" != never ] && pass "healthd back: steerdns picks up its state" || fail "healthd back: never east"

# 5. everything down: fall open (as if all were up: east), degraded TTL
stop_bg east
stop_bg west
wait_state 127.0.0.2 down && wait_state 127.0.0.3 down || fail "both never down"
expect_eq "all down: fall open to the first pool" "$(ans)" "127.0.0.2"
expect_eq "all down: degraded TTL" "$(ttl)" "10"
out=$("$STEERCTL" -s "$T/ctl.sock" explain app.example.test A --from 127.0.0.1)
expect_match "explain: fall open" "$out" "fall open +nothing is up"
finish
