#!/bin/bash
# 621_ixfr_knot -- a real Knot DNS (knotd) secondary of steerdns, started by
# the test on loopback, TSIG on every transfer:
#   initial transfer of i.test and of the catalog catalog.invalid;
#   an edit + `steerctl reload`, then a refresh: Knot takes it by IXFR
#     (its log says "IXFR, incoming ... finished", never AXFR for it) and
#     serves the new serial and the changed record;
#   the catalog (Knot catalog-role: interpret): a zone added to steerdns'
#     config appears on Knot after `steerctl reload` and a refresh of the
#     catalog, with the zone's data; a zone removed goes away.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/xfrzone.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v knotd >/dev/null || skip "no knotd (Debian package knot)"

PORT=$(free_port)
KPORT=$(free_port)
while [ "$KPORT" = "$PORT" ]; do KPORT=$(free_port); done
CFG=$T/steerdns.json
KEY=$(head -c 32 /dev/urandom | base64)
mkdir -p "$T/state" "$T/knot"
zone() { xfr_zone "$1" "$2" "$3" 200; }
config() { # ZONES...
	local z list=""
	for z in "$@"; do
		list="$list{ \"name\": \"$z\", \"file\": \"$z.zone\", \"allow_transfer\": [ { \"key\": \"sec\" } ] }, "
	done
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1, "control_socket": "ctl.sock", "state_dir": "state" },
  "tsig": { "sec": { "algorithm": "hmac-sha256", "secret": "$KEY" } },
  "zones": [ $list{ "name": "catalog.invalid", "catalog": true, "allow_transfer": [ { "key": "sec" } ] } ] }
JSON
}
cat > "$T/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KPORT
    rundir: "$T/knot"
log:
  - target: "$T/knot.log"
    any: info
database:
    storage: "$T/knot"
control:
    listen: "$T/knot/knot.sock"
key:
  - id: sec
    algorithm: hmac-sha256
    secret: $KEY
remote:
  - id: steerdns
    address: 127.0.0.1@$PORT
    key: sec
template:
  - id: default
    storage: "$T/knot"
    master: steerdns
    zonefile-load: none
    journal-content: none
  - id: member
    storage: "$T/knot"
    master: steerdns
    zonefile-load: none
    journal-content: none
zone:
  - domain: i.test
  - domain: catalog.invalid
    catalog-role: interpret
    catalog-template: member
EOF
kq() { dig +short +time=2 +tries=1 @127.0.0.1 -p "$KPORT" "$@"; }
kserial() { kq "$1" SOA | awk '{print $3}'; }
serial_is() { [ "$(kserial "$1")" = "$2" ]; } # (a function: wait_for runs it again each time)
knotc() { command knotc -c "$T/knot.conf" -s "$T/knot/knot.sock" "$@"; }

zone i.test 1 192.0.2.1
zone a.test 1 192.0.2.10
config i.test a.test
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
start_bg knot knotd -c "$T/knot.conf"
wait_for "knot took i.test" serial_is i.test 1 && pass "initial transfer: Knot serves i.test serial 1"
wait_for "knot took a.test from the catalog" serial_is a.test 1 && pass "catalog: member a.test on Knot"

# 1. Edit + reload + refresh: IXFR.
zone i.test 2 192.0.2.2
out=$("$STEERCTL" -c "$CFG" reload 2>&1) || fail "reload: $out"
knotc zone-refresh i.test > /dev/null
wait_for "knot at serial 2" serial_is i.test 2 && pass "Knot follows the reload: serial 2"
expect_eq "Knot serves the changed record" "$(kq www.i.test A)" 192.0.2.2
expect_match "Knot's log: IXFR used" "$(cat "$T/knot.log")" "\[i\.test\.\] IXFR, incoming, remote 127\.0\.0\.1@$PORT.* finished"
grep "\[i\.test\.\]" "$T/knot.log" | grep -q "AXFR, incoming.*serial 1 -> 2\|fallback to AXFR" &&
	fail "Knot fell back to AXFR: $(grep 'i.test' "$T/knot.log")" || pass "Knot did not fall back to AXFR"
expect_match "steerdns' log: incremental answer" "$(cat "$T/server.log")" "IXFR of i\.test\. from serial 1 to 2: incremental"

# 2. A zone added to steerdns' config shows up through the catalog.
zone n.test 7 192.0.2.70
config i.test a.test n.test
out=$("$STEERCTL" -c "$CFG" reload 2>&1) || fail "reload with n.test: $out"
knotc zone-refresh catalog.invalid > /dev/null
wait_for "n.test on Knot" serial_is n.test 7 && pass "catalog: new zone n.test served by Knot"
expect_eq "catalog: n.test's data" "$(kq www.n.test A)" 192.0.2.70
expect_match "the catalog itself came by IXFR" "$(cat "$T/knot.log")" "\[catalog\.invalid\.\] IXFR, incoming"

# 3. A zone removed goes away.
config i.test n.test
out=$("$STEERCTL" -c "$CFG" reload 2>&1) || fail "reload without a.test: $out"
knotc zone-refresh catalog.invalid > /dev/null
gone() { ! knotc zone-status a.test > /dev/null 2>&1 || [ -z "$(kserial a.test)" ]; }
wait_for "a.test dropped by Knot" gone && pass "catalog: removed zone a.test dropped by Knot"
finish
