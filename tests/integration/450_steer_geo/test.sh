#!/bin/bash
# 450_steer_geo -- location policies end to end: an MMDB written now with
# MaxMind::DB::Writer, steerdns with geo, closest and sticky records, and
# `dig +subnet=` from four continents: each gets its region's pool and the
# ECS scope of its region; the nesting subdivision > country > continent >
# default; AAAA from the IPv6 members; queries without ECS located by the
# source address (127.0.0.1: not in the database -> default); failover is
# location-free (scope 0); `steerctl explain` (text and --json); geoip.ecs
# false by reload; a record for a name missing from the zone is a
# file:line error.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || skip "perl MaxMind::DB::Writer is not installed"

place() { # continent country subdivision lat lon
	printf '{"continent":{"code":"%s"},"country":{"iso_code":"%s"},"subdivisions":[{"iso_code":"%s"}],"location":{"latitude":%s,"longitude":%s}}' "$@"
}
cat > "$T/spec.json" <<JSON
{ "networks": [
  ["198.51.100.0/24", $(place NA US CA 37.77 -122.42)],
  ["100.64.1.0/24", $(place NA US NY 40.71 -74.01)],
  ["100.64.2.0/24", $(place NA CA ON 43.65 -79.38)],
  ["203.0.113.0/24", $(place EU DE HE 50.11 8.68)],
  ["192.0.2.0/24", $(place AS JP 13 35.69 139.69)],
  ["100.64.3.0/24", $(place OC AU NSW -33.87 151.21)],
  ["2001:db8:200::/40", $(place EU DE BE 52.52 13.40)]
] }
JSON
perl "$STEER_SRC/geoip/make-demo-mmdb.pl" --spec "$T/spec.json" "$T/geo.mmdb" || { fail "write the MMDB"; finish; }

cat > "$T/example.test.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
  IN NS ns1
ns1 IN A 192.0.2.53
app 60 IN A 198.18.0.99
near 60 IN A 198.18.0.99
stick 60 IN A 198.18.0.99
api 60 IN A 198.18.0.99
ZONE
PORT=$(free_port)
cat > "$T/steerdns.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "geoip": { "database": "geo.mmdb", "nets": { "10.0.0.0/8": "office" } },
  "pools": { "us-west": { "members": ["198.18.1.1", "2001:db8:1::1"], "location": [37.4, -122.1] },
             "us-east": { "members": ["198.18.2.1", "198.18.2.2"], "location": [39.0, -77.5] },
             "eu":      { "members": ["198.18.3.1", "2001:db8:3::1"], "location": [50.1, 8.7] },
             "ap":      { "members": ["198.18.4.1"], "location": [35.7, 139.7] } },
  "records": {
    "app.example.test": { "ttl": 60,
      "geo": { "US-CA": ["us-west", "us-east"], "US": ["us-east", "us-west"], "NA": ["us-east"],
               "EU": ["eu", "us-east"], "AS": ["ap", "eu"], "office": ["eu"], "default": ["us-east", "eu"] } },
    "near.example.test": { "closest": ["us-west", "us-east", "eu", "ap"] },
    "stick.example.test": { "sticky": { "pools": { "us-east": 1, "eu": 1, "ap": 1 } } },
    "api.example.test": { "failover": ["eu", "us-east"] } } }
JSON
start_bg server "$STEERDNS" -c "$T/steerdns.json"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; exit 1; }

# q NAME TYPE [SUBNET] -> "ADDRESSES... /SCOPE" (sorted; scope "-" without ECS)
q() {
	local opt=""; [ -n "${3:-}" ] && opt="+subnet=$3"
	dig @127.0.0.1 -p "$PORT" +norec +nocookie +time=2 +tries=1 "$1" "$2" $opt 2>&1 | awk -v t="$2" '
		/CLIENT-SUBNET:/ { n = split($3, p, "/"); scope = p[n] }
		$4 == t && $1 ~ /example\.test\.$/ { a[++k] = $5 }
		END { s = ""; for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		      for (i = 1; i <= k; i++) s = s a[i] " "; print s "/" (scope == "" ? "-" : scope) }'
}
expect_eq "geo: California (subdivision US-CA)" "$(q app.example.test A 198.51.100.0/24)" "198.18.1.1 /24"
expect_eq "geo: New York (country US)" "$(q app.example.test A 100.64.1.0/24)" "198.18.2.1 198.18.2.2 /24"
expect_eq "geo: Ontario (continent NA)" "$(q app.example.test A 100.64.2.0/24)" "198.18.2.1 198.18.2.2 /24"
expect_eq "geo: Frankfurt (continent EU)" "$(q app.example.test A 203.0.113.0/24)" "198.18.3.1 /24"
expect_eq "geo: Tokyo (continent AS)" "$(q app.example.test A 192.0.2.0/24)" "198.18.4.1 /24"
expect_eq "geo: Sydney (no key: default)" "$(q app.example.test A 100.64.3.0/24)" "198.18.2.1 198.18.2.2 /24"
expect_eq "geo: nets entry office" "$(q app.example.test A 10.20.0.0/16)" "198.18.3.1 /8"
expect_eq "geo: host bits ignored, scope never past the source" "$(q app.example.test A 198.51.100.77/32)" "198.18.1.1 /24"
expect_eq "geo: IPv6 Berlin, AAAA from eu" "$(q app.example.test AAAA 2001:db8:200::/48)" "2001:db8:3::1 /40"
expect_eq "geo: AAAA for Tokyo: ap has no IPv6, eu answers" "$(q app.example.test AAAA 192.0.2.0/24)" "2001:db8:3::1 /24"
expect_eq "geo: no ECS: by source 127.0.0.1 (default)" "$(q app.example.test A)" "198.18.2.1 198.18.2.2 /-"
ttl=$(dig @127.0.0.1 -p "$PORT" +noall +answer app.example.test AAAA +subnet=100.64.3.0/24 | awk '{print $2; exit}')
expect_eq "geo: AAAA for default: us-east has none, eu is no fallback" "$ttl" "60"
expect_eq "geo: IPv4-mapped ECS counts as IPv4" "$(q app.example.test A ::ffff:203.0.113.0/120)" "198.18.3.1 /120"

expect_eq "closest: Frankfurt -> eu" "$(q near.example.test A 203.0.113.0/24)" "198.18.3.1 /24"
expect_eq "closest: Tokyo -> ap" "$(q near.example.test A 192.0.2.0/24)" "198.18.4.1 /24"
expect_eq "closest: New York -> us-east" "$(q near.example.test A 100.64.1.0/24)" "198.18.2.1 198.18.2.2 /24"
expect_eq "closest: California -> us-west" "$(q near.example.test A 198.51.100.0/24)" "198.18.1.1 /24"
expect_eq "closest: no location -> listed order (scope: the located-free /11)" "$(q near.example.test A 100.99.0.0/16)" "198.18.1.1 /11"

a1=$(q stick.example.test A 100.70.1.0/24)
same=1
for i in 1 2 3 4 5; do [ "$(q stick.example.test A 100.70.1.$i/32)" = "${a1%/24}/24" ] || same=0; done
expect_eq "sticky: one /24 keeps its answer, scope /24" "$same" 1
expect_match "sticky: one address" "$a1" "^198\.18\.[234]\.[12] /24$"
distinct=$(for i in $(seq 1 30); do q stick.example.test A 100.80.$i.0/24; done | sort -u | wc -l)
expect_eq "sticky: 30 subnets spread over the 4 members" "$((distinct >= 3))" 1

expect_eq "failover: location-free, scope 0" "$(q api.example.test A 192.0.2.0/24)" "198.18.3.1 /0"

# explain: text and JSON
out=$("$STEERCTL" -s "$T/ctl.sock" explain app.example.test A --subnet 198.51.100.0/24)
echo "$out"
expect_match "explain: location" "$out" "location +continent NA, country US, subdivision US-CA"
expect_match "explain: matched network" "$out" "matched network 198\.51\.100\.0/24"
expect_match "explain: region" "$out" "region +US-CA: subdivision US-CA: matched"
expect_match "explain: first pool answered" "$out" "1\. us-west +answered"
expect_match "explain: second pool not reached" "$out" "2\. us-east +not reached"
expect_match "explain: answer" "$out" "answer +198\.18\.1\.1"
expect_match "explain: scope" "$out" "ecs scope +/24"
out=$("$STEERCTL" -s "$T/ctl.sock" explain app.example.test A --from 100.64.3.9)
expect_match "explain: default with reasons" "$out" "region +default: subdivision AU-NSW: no key; country AU: no key; continent OC: no key; default"
json=$("$STEERCTL" -s "$T/ctl.sock" --json explain near.example.test A --subnet 203.0.113.0/24)
expect_eq "explain --json: closest ranking" "$(printf '%s' "$json" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(" ".join(p["pool"] for p in j["pools"]), j["answer"], j["ecs_scope"])')" "eu us-east us-west ap ['198.18.3.1'] 24"
out=$("$STEERCTL" -s "$T/ctl.sock" explain www.example.test A 2>&1); rc=$?
expect_eq "explain: a name the zone lacks is explained (exit 0)" "$rc" 0
expect_match "explain: ... as NXDOMAIN" "$out" "answer +NXDOMAIN: www\.example\.test\. does not exist"
"$STEERCTL" -s "$T/ctl.sock" explain app.example.test > /dev/null 2>&1
expect_eq "explain: usage error (exit 2)" "$?" 2

# geoip.ecs false: ECS ignored (located by the source), never echoed.
sed -i 's|"nets": { "10.0.0.0/8": "office" }|"nets": { "10.0.0.0/8": "office" }, "ecs": false|' "$T/steerdns.json"
"$STEERCTL" -s "$T/ctl.sock" reload > /dev/null || fail "reload with ecs false"
expect_eq "ecs false: ECS ignored, no echo" "$(q app.example.test A 203.0.113.0/24)" "198.18.2.1 198.18.2.2 /-"

# A record for a name the zone does not have: file:line error, reload refused.
cp "$T/steerdns.json" "$T/good.json"
sed -i 's|"api.example.test": {|"nothere.example.test": { "failover": ["eu"] },\n    "api.example.test": {|' "$T/steerdns.json"
out=$("$STEERDNS" --check -c "$T/steerdns.json" 2>&1)
expect_match "check: file:line: records/NAME" "$out" "steerdns\.json:[0-9]+: records/nothere\.example\.test: no such name in zone example\.test\."
"$STEERCTL" -s "$T/ctl.sock" reload > /dev/null 2>&1
expect_eq "bad records: reload rejected (exit 1)" "$?" 1
expect_eq "bad records: old data still serves" "$(q app.example.test A 203.0.113.0/24)" "198.18.2.1 198.18.2.2 /-"
finish
