#!/bin/bash
# 400_geoip_ecs -- GeoIP and EDNS Client Subnet end to end: a MaxMind DB
# written now with MaxMind::DB::Writer (geoip/make-demo-mmdb.pl --spec), a geo
# record, and `dig +subnet=` from different places. Checks which pool answers
# and the ECS SCOPE PREFIX-LENGTH the server echoes (RFC 7871 7.2.1): the
# widest prefix with the same answer (two /25s of one region merge to /24), a
# prefix longer than the source when the answer changes inside the source
# prefix, nets overrides winning over the database.
# Then SIGHUP: a broken database is refused and the old one keeps answering;
# the committed demo database (zones/demo-geo.mmdb) routes the documentation
# ranges of three continents apart.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || skip "perl MaxMind::DB::Writer is not installed"

city() { # continent country city
	printf '{"continent":{"code":"%s"},"country":{"iso_code":"%s"},"city":{"names":{"en":"%s"}}}' "$1" "$2" "$3"
}
cat > "$T/spec.json" <<JSON
{ "networks": [
  ["10.1.0.0/25", $(city EU DE Berlin)],
  ["10.1.0.128/25", $(city EU DE Munich)],
  ["10.3.0.0/25", $(city EU DE Hamburg)],
  ["10.3.0.128/25", $(city EU DE Bremen)],
  ["10.2.0.0/24", $(city EU FR Paris)],
  ["10.2.1.0/24", $(city NA US Boston)],
  ["192.0.2.0/24", $(city AS JP Tokyo)],
  ["2001:db8:100::/40", $(city NA US Austin)],
  ["2001:db8:200::/40", $(city EU DE Berlin)]
] }
JSON
perl "$STEER_SRC/geoip/make-demo-mmdb.pl" --spec "$T/spec.json" "$T/geo.mmdb" || { fail "write the MMDB"; finish; }

cat > "$T/example.test.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
  IN NS ns1
ns1 IN A 192.0.2.53
app IN A 198.18.0.9
ZONE
PORT=$(free_port)
cat > "$T/steerdns.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"] },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "geoip": { "database": "geo.mmdb",
             "nets": { "10.1.0.128/25": "internal", "172.16.0.0/12": "EU" } },
  "pools": { "eu": { "members": ["198.18.0.1"] }, "na": { "members": ["198.18.0.2"] },
             "as": { "members": ["198.18.0.3"] }, "de": { "members": ["198.18.0.4"] },
             "int": { "members": ["198.18.0.5"] }, "def": { "members": ["198.18.0.9"] } },
  "records": { "app.example.test": { "ttl": 60,
      "geo": { "DE": ["de"], "EU": ["eu"], "NA": ["na"], "AS": ["as"], "internal": ["int"],
               "default": ["def"] } } } }
JSON
start_bg server "$STEERDNS" -c "$T/steerdns.json"
pid=$(cat "$T/server.pid")
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; exit 1; }

# q SUBNET -> "ADDRESS SCOPE" (scope from the echoed CLIENT-SUBNET option)
q() {
	dig @127.0.0.1 -p "$PORT" +norec +nocookie +time=2 +tries=1 app.example.test A +subnet="$1" 2>&1 | awk '
		/CLIENT-SUBNET:/ { n = split($3, p, "/"); scope = p[n] }
		/^app\.example\.test\..*IN[ \t]+A[ \t]/ { addr = $NF }
		END { print addr " " scope }'
}
expect_eq "DE /25 merges with its DE neighbour: scope /24" "$(q 10.3.0.0/25)" "198.18.0.4 24"
expect_eq "DE /32 in the merged /24" "$(q 10.3.0.200/32)" "198.18.0.4 24"
expect_eq "DE /25 whose partner is a nets override: no merge" "$(q 10.1.0.77/32)" "198.18.0.4 25"
expect_eq "FR /24 beside a US /24 does not merge" "$(q 10.2.0.0/24)" "198.18.0.1 24"
expect_eq "US /24" "$(q 10.2.1.0/24)" "198.18.0.2 24"
expect_eq "answer changes inside the /20: scope longer than the source" "$(q 10.2.0.0/20)" "198.18.0.1 24"
expect_eq "a /23 holding FR and US: FR for 10.2.0.0, scope 24" "$(q 10.2.0.0/23)" "198.18.0.1 24"
expect_eq "AS /24" "$(q 192.0.2.0/24)" "198.18.0.3 24"
expect_eq "nets override wins over the database" "$(q 10.1.0.128/25)" "198.18.0.5 25"
expect_eq "nets with a continent name" "$(q 172.20.0.0/16)" "198.18.0.1 12"
expect_eq "not in the database: default" "$(q 100.64.0.0/24)" "198.18.0.9 2"
expect_eq "IPv6 NA /48 in a /40" "$(q 2001:db8:100::/48)" "198.18.0.2 40"
expect_eq "IPv6 DE /56 in a /40: country over continent" "$(q 2001:db8:200:ff00::/56)" "198.18.0.4 40"
expect_eq "IPv6 source /32 around the data: default for 2001:db8::, scope 40" "$(q 2001:db8::/32)" "198.18.0.9 40"

# wait_log N REGEX: until the server log has more than N lines matching (5 s).
wait_log() {
	for _ in $(seq 100); do
		[ "$(grep -Ec -- "$2" "$T/server.log")" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# A broken database on reload: refused (file: reason), the old one serves.
printf 'this is not a MaxMind DB\n' > "$T/broken.mmdb"
sed -i 's/"database": "geo.mmdb"/"database": "broken.mmdb"/' "$T/steerdns.json"
n=$(grep -c "broken.mmdb" "$T/server.log")
kill -HUP "$pid"
wait_log "$n" "broken\.mmdb: " || fail "no 'broken.mmdb: reason' in the log"
expect_eq "broken database: the old one still answers" "$(q 10.2.0.0/24)" "198.18.0.1 24"

# The committed demo database.
sed -i "s|\"database\": \"broken.mmdb\"|\"database\": \"$STEER_SRC/zones/demo-geo.mmdb\"|" "$T/steerdns.json"
kill -HUP "$pid"
for _ in $(seq 100); do [ "$(q 198.51.100.0/24)" = "198.18.0.2 24" ] && break; sleep 0.05; done
expect_eq "demo: 198.51.100.0/24 North America" "$(q 198.51.100.0/24)" "198.18.0.2 24"
# not in the demo data; 10.1.0.128/25 (nets) keeps 10.0.0.0/15 apart
expect_eq "demo: 10.2.0.0/24 default" "$(q 10.2.0.0/24)" "198.18.0.9 15"
expect_eq "demo: 203.0.113.0/24 Germany" "$(q 203.0.113.0/24)" "198.18.0.4 24"
expect_eq "demo: 192.0.2.0/24 Asia" "$(q 192.0.2.0/24)" "198.18.0.3 24"
expect_eq "demo: 81.2.69.0/24 Europe" "$(q 81.2.69.0/24)" "198.18.0.1 24"
expect_eq "demo: 2001:db8:300::/48 Asia" "$(q 2001:db8:300::/48)" "198.18.0.3 40"
finish
