#!/bin/bash
# 051_udp_tcp -- steerdns answers over UDP and TCP, on IPv4 and IPv6, and on
# a wildcard address replies from the address the query was sent to.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v kdig > /dev/null || skip "kdig is not installed"

make_zone 1 192.0.2.10
write_config
start_steerdns

expect_eq "UDP v4 A" "$(q www.t.test A)" "192.0.2.10"
expect_eq "UDP v6 MX" "$(dig +short +time=2 +tries=1 @::1 -p "$PORT" mail.t.test MX)" "10 www.t.test."
expect_eq "TCP v4 A (dig)" "$(q +tcp www.t.test A)" "192.0.2.10"
expect_eq "TCP v6 A (kdig)" "$(kdig +short +tcp +time=2 @::1 -p "$PORT" www.t.test A)" "192.0.2.10"
expect_eq "UDP wildcard" "$(kdig +short +time=2 @127.0.0.1 -p "$PORT" foo.wild.t.test A)" "192.0.2.99"
expect_match "UDP header: authoritative" "$(dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" www.t.test A)" "flags: qr aa"
expect_match "outside our zones: REFUSED" "$(dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" example.org A)" "status: REFUSED"

# A wildcard listener (0.0.0.0) must answer from the address asked: a query
# to 127.0.0.2 answered from 127.0.0.1 would be rejected by dig.
stop_bg steerdns
WPORT=$(free_port)
cat > "$T/wild.json" <<JSON
{ "server": { "listen": ["0.0.0.0:$WPORT", "[::]:$WPORT"], "workers": 1 },
  "zones": [ { "name": "t.test", "file": "t.test.zone" } ] }
JSON
start_bg wild "$STEERDNS" -c "$T/wild.json"
wait_dns 127.0.0.1 "$WPORT" || { cat "$T/wild.log"; fail "wildcard server did not start"; finish; }
out=$(dig +time=2 +tries=1 @127.0.0.2 -p "$WPORT" www.t.test A 2>&1)
expect_match "0.0.0.0: reply from 127.0.0.2 when asked there" "$out" "192\.0\.2\.10"
if printf '%s' "$out" | grep -q "unexpected source"; then fail "reply came from the wrong address: $out"; fi
expect_eq "[::]: answers on ::1" "$(dig +short +time=2 +tries=1 @::1 -p "$WPORT" www.t.test A)" "192.0.2.10"
expect_eq "[::]: TCP on ::1" "$(dig +short +tcp +time=2 +tries=1 @::1 -p "$WPORT" www.t.test A)" "192.0.2.10"
finish
