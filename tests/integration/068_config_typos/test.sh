#!/bin/bash
# 068_config_typos -- config errors name the line of the mistake and offer
# the closest known name: `steerdns --check` and `steerctl check` on
# configs with a mistyped key (server, check, record), section, pool name
# and check name, and a zone listed twice (reported at the second entry,
# naming the first). The whole output is compared, so a wrong line, a
# missing suggestion or an extra error fails.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$STEERCTL" ] || skip "no steerdns/steerctl binaries in $BUILD"

cd "$T" || exit 1
cat > t.test.zone <<'ZONE'
$ORIGIN t.test.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 192.0.2.53
app 60 A 192.0.2.10
api 60 A 192.0.2.11
ZONE
sed 's/t\.test\./u.test./' t.test.zone > u.test.zone
sed 's/t\.test\./v.test./' t.test.zone > v.test.zone

# check NAME EXPECTED: both tools print exactly EXPECTED and exit 1.
check() {
	local out rc
	out=$("$STEERDNS" --check -c "$1" 2>&1); rc=$?
	expect_eq "$1: steerdns --check exits 1" "$rc" "1"
	expect_eq "$1: steerdns --check output" "$out" "$2"
	out=$("$STEERCTL" check "$1" 2>&1); rc=$?
	expect_eq "$1: steerctl check exits 1" "$rc" "1"
	expect_eq "$1: steerctl check output" "$out" "$2"
}

cat > server.json <<'JSON'
{
	"server": {
		"listne": ["127.0.0.1:5353"],
		"workers": 1
	},
	"recods": {},
	"zones": [
		{ "name": "t.test", "file": "t.test.zone" },
		{ "name": "u.test",
		  "fiel": "u.test.zone" },
		{ "file": "v.test.zone",
		  "name": "T.TEST" }
	]
}
JSON
check server.json 'server.json:6: unknown section "recods" (did you mean "records"?)
server.json:3: server: unknown key "listne" (did you mean "listen"?)
server.json:10: zones/u.test: unknown key "fiel" (did you mean "file"?)
server.json:12: zone "T.TEST" is listed twice (first at line 8)
server.json: 4 errors'

# The steering sections, one mistake at a time: a broken check hides the
# pools (they would only repeat it), a broken pool hides the records.
cat > check.json <<'JSON'
{
	"server": { "listen": ["127.0.0.1:5353"] },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ],
	"checks": { "web": { "type": "http",
		"interva": 5 } },
	"pools": { "us-east": { "check": "web", "members": ["192.0.2.1"] } }
}
JSON
check check.json 'check.json:5: checks/web: unknown key "interva" (did you mean "interval"?)
check.json: 1 error'

cat > pool.json <<'JSON'
{
	"server": { "listen": ["127.0.0.1:5353"] },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ],
	"checks": { "web": { "type": "http" } },
	"pools": {
		"us-east": { "members": ["192.0.2.1"],
			"check": "wbe" }
	}
}
JSON
check pool.json 'pool.json:7: pools/us-east/check: no check named "wbe" (did you mean "web"?)
pool.json: 1 error'

cat > records.json <<'JSON'
{
	"server": { "listen": ["127.0.0.1:5353"] },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ],
	"checks": { "web": { "type": "http" } },
	"pools": {
		"us-east": { "check": "web", "members": ["192.0.2.1"] },
		"eu-west": { "check": "web", "members": ["192.0.2.2"] }
	},
	"records": {
		"app.t.test": { "ttl": 60,
			"degraded_tll": 10,
			"failovr": ["us-east"] },
		"api.t.test": { "failover": [
			"eu-west",
			"us-eats" ] }
	}
}
JSON
check records.json 'records.json:11: records/app.t.test: unknown key "degraded_tll" (did you mean "degraded_ttl"?)
records.json:12: records/app.t.test: unknown key "failovr" (did you mean "failover"?)
records.json:10: records/app.t.test: no policy (failover, geo, weighted, multivalue, closest, sticky)
records.json:15: records/api.t.test/failover: no pool named "us-eats" (did you mean "us-east"?)
records.json: 4 errors'

# Fixed, the same configs pass: the errors came from the typos alone.
sed -i 's/"listne"/"listen"/; s/"recods"/"records"/; s/"fiel"/"file"/; s/"T.TEST"/"v.test"/' server.json
sed -i 's/"interva"/"interval"/' check.json
sed -i 's/"wbe"/"web"/' pool.json
sed -i 's/"degraded_tll"/"degraded_ttl"/; s/"failovr"/"failover"/; s/"us-eats"/"us-east"/' records.json
for f in server.json check.json pool.json records.json; do
	out=$("$STEERDNS" --check -c "$f" 2>&1); rc=$?
	expect_eq "$f fixed: exit 0 ($out)" "$rc" "0"
done
finish
