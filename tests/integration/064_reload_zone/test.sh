#!/bin/bash
# 064_reload_zone -- one broken zone does not hold back the others, and
# `steerctl reload ZONE` reloads one zone:
#   a.test broken + b.test edited, `steerctl reload`: b.test's edit is
#     served, a.test keeps its old version (exit 1, its file:line error);
#   a new zone that does not load is left out (REFUSED), the rest applies;
#   `steerctl reload a.test` while a.test is broken: exit 1, nothing changes;
#     fixed: exit 0, new serial, and its steered name is still steered;
#   `steerctl reload b.test` does not touch a.test; unknown zone: exit 1;
#   two zone arguments: exit 2; a broken config still rejects everything.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

PORT=$(free_port)
CFG=$T/steerdns.json
zone() { # NAME SERIAL WWW [broken]
	{
		echo "\$ORIGIN $1."
		echo "\$TTL 300"
		echo "@ IN SOA ns1 hostmaster $2 3600 600 86400 300"
		echo "  IN NS ns1"
		echo "ns1 IN A 192.0.2.53"
		echo "www IN A $3"
		echo "app 60 IN A 198.18.0.99"
		[ -n "${4:-}" ] && echo "bad IN A 203.0.113.925"
	} > "$T/$1.zone"
}
config() { # ZONES...
	local z list=""
	for z in "$@"; do list="$list${list:+, }{ \"name\": \"$z\", \"file\": \"$z.zone\" }"; done
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ $list ],
  "pools": { "p": { "members": ["192.0.2.77"] } },
  "records": { "app.a.test": { "ttl": 30, "failover": ["p"] } } }
JSON
}
q() { dig +short +time=2 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }
serial() { q "$1" SOA | awk '{print $3}'; }
ctl() { "$STEERCTL" -c "$CFG" "$@"; }

zone a.test 1 192.0.2.1
zone b.test 1 192.0.2.2
config a.test b.test
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
expect_eq "start: steered name" "$(q app.a.test A)" "192.0.2.77"

# 1. a.test broken, b.test edited: b applies, a keeps serial 1.
zone a.test 2 192.0.2.11 broken
zone b.test 2 192.0.2.22
out=$(ctl reload 2>&1); rc=$?
expect_eq "partial reload: exit 1" "$rc" 1
expect_match "partial reload: names the bad token at file:line" "$out" "a\.test\.zone:8: "
expect_match "partial reload: says what happened" "$out" "applied .* except for the zones above"
expect_eq "b.test edit served" "$(q www.b.test A)" "192.0.2.22"
expect_eq "b.test new serial" "$(serial b.test)" 2
expect_eq "a.test old version still served" "$(q www.a.test A)" "192.0.2.1"
expect_eq "a.test old serial" "$(serial a.test)" 1
expect_eq "a.test steered name still steered" "$(q app.a.test A)" "192.0.2.77"

# 2. A new zone that does not load is left out; the rest applies.
zone c.test 1 192.0.2.3 broken
zone b.test 3 192.0.2.23
config a.test b.test c.test
out=$(ctl reload 2>&1); rc=$?
expect_eq "new broken zone: exit 1" "$rc" 1
expect_eq "new broken zone: REFUSED" "$(dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" www.c.test A | grep -o 'status: [A-Z]*')" "status: REFUSED"
expect_eq "the others applied" "$(serial b.test)" 3

# 3. reload one zone: broken -> rejected; fixed -> applied, policy kept.
out=$(ctl reload a.test 2>&1); rc=$?
expect_eq "reload a.test broken: exit 1" "$rc" 1
expect_match "reload a.test broken: rejected" "$out" "zone reload rejected; the old version is still serving"
expect_eq "a.test still serial 1" "$(serial a.test)" 1
zone a.test 4 192.0.2.14
zone b.test 9 192.0.2.29 # changed on disk, not reloaded below
out=$(ctl reload a.test 2>&1); rc=$?
expect_eq "reload a.test fixed: exit 0" "$rc" 0
expect_match "reload a.test fixed: output" "$out" "^reload ok: generation [0-9]+$"
expect_eq "a.test new serial" "$(serial a.test)" 4
expect_eq "a.test new data" "$(q www.a.test A)" "192.0.2.14"
expect_eq "a.test steered name still steered" "$(q app.a.test A)" "192.0.2.77"
expect_eq "b.test untouched by reload a.test" "$(serial b.test)" 3
out=$(ctl reload b.test. 2>&1); rc=$?
expect_eq "reload b.test. (trailing dot): exit 0" "$rc" 0
expect_eq "b.test reloaded alone" "$(serial b.test)" 9
expect_eq "a.test untouched by reload b.test" "$(serial a.test)" 4
expect_match "zones lists both in config order" "$(ctl zones | awk '$1 ~ /test\.$/ {print $1}' | tr '\n' ' ')" "^a\.test\. b\.test\. $"

# 4. Errors.
out=$(ctl reload nosuch.test 2>&1); rc=$?
expect_eq "unknown zone: exit 1" "$rc" 1
expect_match "unknown zone: message" "$out" "zone nosuch.test is not in the config"
ctl reload a.test b.test > /dev/null 2>&1; rc=$?
expect_eq "two zones: usage exit 2" "$rc" 2
cp "$CFG" "$T/good.json"
printf '{ "server": { "listen": [,] } }\n' > "$CFG"
out=$("$STEERCTL" -s "$T/ctl.sock" reload 2>&1); rc=$?
cp "$T/good.json" "$CFG"
expect_eq "broken config: exit 1" "$rc" 1
expect_match "broken config: rejected whole" "$out" "reload rejected; the old data is still serving"
expect_eq "broken config: data unchanged" "$(serial a.test) $(serial b.test)" "4 9"
finish
