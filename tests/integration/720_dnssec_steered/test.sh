#!/bin/bash
# 720_dnssec_steered -- steered answers of a signed zone, signed online and
# validated by a real Unbound (stub-zone to steerdns, trust anchor from the
# zone's DS) and by delv:
#   - geo answers for ECS subnets of four continents (NA, EU, AS, OC, and
#     the default) come back through Unbound with AD=1 and the region's pool;
#   - failover with steer-healthd and real HTTP backends: right after east
#     stops, the answer moves to west (degraded TTL: a new signature) and is
#     still secure; and back;
#   - one signature per distinct answer set: asking again hits the cache
#     (steerctl stats "sigcache", Prometheus steerdns_sigcache_*);
#   - a flap run (drain/undrain, bounded) while a DO query loop runs:
#     signatures per second measured, bounded by the distinct sets.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || skip "perl MaxMind::DB::Writer is not installed"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"
. "$(dirname "$0")/../lib/unbound_stub.sh"

place() { # continent country subdivision lat lon
	printf '{"continent":{"code":"%s"},"country":{"iso_code":"%s"},"subdivisions":[{"iso_code":"%s"}],"location":{"latitude":%s,"longitude":%s}}' "$@"
}
cat > "$T/spec.json" <<JSON
{ "networks": [
  ["198.51.100.0/24", $(place NA US CA 37.77 -122.42)],
  ["203.0.113.0/24", $(place EU DE HE 50.11 8.68)],
  ["192.0.2.0/24", $(place AS JP 13 35.69 139.69)],
  ["100.64.3.0/24", $(place OC AU NSW -33.87 151.21)]
] }
JSON
perl "$STEER_SRC/geoip/make-demo-mmdb.pl" --spec "$T/spec.json" "$T/geo.mmdb" || { fail "write the MMDB"; finish; }

HP=$(free_port)
PORT=$(free_port)
MPORT=$(free_port)
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
api 60 IN A 198.18.0.98
ZONE
cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock", "workers": 2 },
  "metrics": { "listen": ["127.0.0.1:$MPORT"] },
  "zones": [ { "name": "example.test", "file": "example.test.zone", "dnssec": { "key_dir": "keys" } } ],
  "geoip": { "database": "geo.mmdb" },
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state" },
  "checks": { "web": { "type": "http", "port": $HP, "path": "/", "interval": 0.2, "timeout": 0.2,
                       "fall": 2, "rise": 2 } },
  "pools": { "us": { "members": ["198.18.1.1", "198.18.1.2"] },
             "eu": { "members": ["198.18.3.1"] },
             "ap": { "members": ["198.18.4.1", "198.18.4.2", "198.18.4.3"] },
             "oc": { "members": ["198.18.5.1"] },
             "east": { "check": "web", "members": ["127.0.0.2"] },
             "west": { "check": "web", "members": ["127.0.0.3"] } },
  "records": {
    "app.example.test": { "ttl": 60, "geo": { "NA": ["us"], "EU": ["eu"], "AS": ["ap"], "OC": ["oc"],
                                               "default": ["us", "eu"] } },
    "api.example.test": { "ttl": 60, "degraded_ttl": 10, "failover": ["east", "west"] } } }
JSON

backend() { # NAME ADDRESS: start it and wait until it serves
	start_bg "$1" /usr/bin/python3 -m http.server --bind "$2" "$HP" --directory "$T/www"
	for _ in $(seq 100); do curl -sf -o /dev/null "http://$2:$HP/" && return 0; sleep 0.05; done
	return 1
}
direct() { dig @127.0.0.1 -p "$PORT" +short +time=2 +tries=1 "$@" | grep -v RRSIG | sort | tr '\n' ' ' | sed 's/ $//'; }
via_ub() { ub_dig +short "$@" | grep -v '^A ' | sort | tr '\n' ' ' | sed 's/ $//'; }
sig() { # FIELD of steerctl stats' sigcache
	"$STEERCTL" -s "$T/ctl.sock" --json stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sigcache"][sys.argv[1]])' "$1"
}
wait_direct() { # WANT SECONDS NAME ARGS...
	local want=$1 n=$(( $2 * 20 )); shift 2
	for _ in $(seq "$n"); do [ "$(direct "$@")" = "$want" ] && return 0; sleep 0.05; done
	return 1
}

backend east 127.0.0.2 || { fail "backend east did not start"; finish; }
backend west 127.0.0.3 || { fail "backend west did not start"; finish; }
rm -f "$T/hd.sock"; start_bg hd "$HEALTHD" -c "$CONF"; wait_file "$T/hd.sock" || { fail "healthd"; finish; }
start_bg server "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
wait_direct "127.0.0.2" 5 api.example.test A || fail "healthd's verdicts never reached steerdns"
ub_anchor example.test "$CONF" || { fail "no DS for the trust anchor"; finish; }
cat "$T/anchor.ds"
ub_delv_anchor
# Unbound forwards the clients' ECS to steerdns (RFC 7871) and caches per
# scope; answers live at most 2 s in its cache so the failover shows at once.
ub_start example.test "$PORT" "	module-config: \"subnetcache validator iterator\"
	send-client-subnet: 127.0.0.1
	client-subnet-always-forward: yes
	max-client-subnet-ipv4: 24
	cache-max-ttl: 2" || { fail "unbound did not start"; cat "$T/unbound.log"; finish; }

# 1. Directly: the steered set carries an RRSIG made online.
out=$(dig @127.0.0.1 -p "$PORT" +dnssec +subnet=203.0.113.0/24 +norec app.example.test A)
expect_match "direct DO: the EU set" "$out" "app\.example\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+A[[:space:]]+198\.18\.3\.1"
expect_match "direct DO: its RRSIG (online, TTL 60)" "$out" "60[[:space:]]+IN[[:space:]]+RRSIG[[:space:]]+A 13 3 60 "

# 2. Through Unbound, four continents and the default: AD=1 and the region's pool.
check_geo() { # SUBNET WANT
	local got ad
	ad=$(ub_ad +subnet="$1" app.example.test A)
	got=$(via_ub +subnet="$1" app.example.test A)
	expect_eq "geo $1 via Unbound: secure" "$ad" "ad"
	expect_eq "geo $1 via Unbound: answer" "$got" "$2"
}
check_geo 198.51.100.0/24 "198.18.1.1 198.18.1.2"
check_geo 203.0.113.0/24 "198.18.3.1"
check_geo 192.0.2.0/24 "198.18.4.1 198.18.4.2 198.18.4.3"
check_geo 100.64.3.0/24 "198.18.5.1"
check_geo 10.9.0.0/24 "198.18.1.1 198.18.1.2"
expect_eq "AAAA (no member of the family: NODATA) secure" "$(ub_ad app.example.test AAAA)" "ad"
out=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.delv" +root=example.test app.example.test A 2>&1)
expect_match "delv: app validated" "$out" "; fully validated"

# 3. One signature per set: the same sets again sign nothing new.
signs=$(sig signs); hits=$(sig hits)
for s in 198.51.100.0/24 203.0.113.0/24 192.0.2.0/24 100.64.3.0/24; do
	for _ in 1 2 3; do dig @127.0.0.1 -p "$PORT" +dnssec +subnet=$s +short app.example.test A > /dev/null; done
done
expect_eq "asked again: no new signature" "$(sig signs)" "$signs"
[ "$(sig hits)" -ge $((hits + 12)) ] && pass "asked again: 12 cache hits" || fail "hits $(sig hits), were $hits"
expect_eq "no signing failure" "$(sig failures)" "0"
[ "$signs" -ge 4 ] && [ "$signs" -le 16 ] && pass "$signs signatures for the 4 geo sets, failover, AAAA (at most one per set and thread)" \
	|| fail "$signs signatures"
m=$(curl -s "http://127.0.0.1:$MPORT/metrics")
expect_match "metrics: signs" "$m" "steerdns_sigcache_signs_total $(sig signs)"
expect_match "metrics: capacity (default 8192)" "$m" "steerdns_sigcache_capacity 8192"

# 4. Failover: east stops; right after the answer moves, Unbound validates west.
expect_eq "api via Unbound: east, secure" "$(via_ub api.example.test A) $(ub_ad api.example.test A)" "127.0.0.2 ad"
stop_bg east
wait_direct "127.0.0.3" 5 api.example.test A && pass "failover: west answers" || fail "failover never happened"
# Unbound's cache holds the old answer for up to cache-max-ttl (2 s): ask it
# until it has the new one, 6 s at most, then check that one is secure.
via_ub_until() { # WANT NAME TYPE
	local i
	for i in $(seq 30); do [ "$(via_ub "$2" "$3")" = "$1" ] && return 0; sleep 0.2; done
	return 1
}
via_ub_until 127.0.0.3 api.example.test A
expect_eq "after failover via Unbound: west, secure" "$(via_ub api.example.test A) $(ub_ad api.example.test A)" "127.0.0.3 ad"
out=$(dig @127.0.0.1 -p "$PORT" +dnssec +norec api.example.test A)
expect_match "degraded TTL 10 signed as such" "$out" "RRSIG[[:space:]]+A 13 3 10 "
out=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.delv" +root=example.test api.example.test A 2>&1)
expect_match "delv: west validated" "$out" "; fully validated"
backend east 127.0.0.2 || fail "backend east did not restart"
wait_direct "127.0.0.2" 5 api.example.test A && pass "failback: east answers" || fail "failback never happened"
via_ub_until 127.0.0.2 api.example.test A
expect_eq "after failback via Unbound: east, secure" "$(via_ub api.example.test A) $(ub_ad api.example.test A)" "127.0.0.2 ad"

# 5. Flap run: 20 drains and undrains while a DO query loop runs (bounded:
# 20 flaps, at most 30 s). Two distinct sets (east at 60 s, west at 10 s):
# the signatures stay bounded whatever the number of flaps.
signs0=$(sig signs); hits0=$(sig hits); t0=$(date +%s%N)
( for _ in $(seq 2000); do dig @127.0.0.1 -p "$PORT" +dnssec +short +time=1 +tries=1 api.example.test A > /dev/null
	[ -e "$T/flap.done" ] && break; done ) &
loop=$!
for i in $(seq 20); do
	"$STEERCTL" -c "$CONF" drain web@127.0.0.2 > /dev/null
	wait_direct "127.0.0.3" 3 api.example.test A || fail "flap $i: drain did not move"
	"$STEERCTL" -c "$CONF" undrain web@127.0.0.2 > /dev/null
	wait_direct "127.0.0.2" 3 api.example.test A || fail "flap $i: undrain did not move"
	[ $(( ($(date +%s%N) - t0) / 1000000000 )) -ge 30 ] && break
done
touch "$T/flap.done"; wait "$loop"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ds=$(( $(sig signs) - signs0 )); dh=$(( $(sig hits) - hits0 ))
echo "MEASURED flap run (under load): $i flaps in $ms ms, $ds signatures ($(( ds * 1000 / (ms > 0 ? ms : 1) )) per s), $dh cache hits"
[ "$ds" -le 6 ] && pass "flap run: $ds new signatures for $i flaps (sets were already cached)" || fail "flap run signed $ds times"
expect_eq "flap run: still secure via Unbound" "$(ub_ad api.example.test A)" "ad"
expect_eq "flap run: no signing failure" "$(sig failures)" "0"
finish
