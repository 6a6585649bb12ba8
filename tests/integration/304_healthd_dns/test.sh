#!/bin/bash
# 304_healthd_dns -- dns checks against NSD on a loopback port: SOA over UDP
# and TCP, an expected NXDOMAIN, require_answer on a name without that type.
# Stopping NSD turns the targets down after exactly `fall` failures,
# restarting it up after exactly `rise` successes.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/nsd.sh"
. "$(dirname "$0")/../lib/health.sh"
command -v nsd > /dev/null || skip "nsd is not installed"

port=$(free_port)
CONF=$T/steerdns.json
c="\"port\": $port, \"interval\": 0.2, \"timeout\": 0.5"
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": {
    "soa":   { "type": "dns", $c, "query": "example.test", "fall": 3, "rise": 2 },
    "tcp":   { "type": "dns", $c, "query": "www.example.test.", "qtype": "A", "transport": "tcp",
               "require_answer": true, "fall": 2, "rise": 2 },
    "nx":    { "type": "dns", $c, "query": "nope.example.test", "rcode": "NXDOMAIN" },
    "empty": { "type": "dns", $c, "query": "txtonly.example.test", "qtype": "A", "require_answer": true },
    "refused": { "type": "dns", $c, "query": "example.org" }
  },
  "pools": { "a": { "check": "soa", "members": ["127.0.0.1"] },
             "b": { "check": "tcp", "members": ["127.0.0.1"] },
             "c": { "check": "nx", "members": ["127.0.0.1"] },
             "d": { "check": "empty", "members": ["127.0.0.1"] },
             "e": { "check": "refused", "members": ["127.0.0.1"] } }
}
JSON
nsd_start nsd1 "$port" "$TESTDIR" example.test:example.test.zone || { fail "nsd config"; finish; }
wait_dns 127.0.0.1 "$port" || { cat "$T/nsd1.log"; fail "nsd did not start"; finish; }

hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_subscribe
for t in soa tcp nx; do hd_wait $t@127.0.0.1 state up || fail "$t never up"; done
for t in empty refused; do hd_wait $t@127.0.0.1 state down || fail "$t never down"; done
expect_eq "soa reason" "$(hd_field soa@127.0.0.1 last)" "DNS NOERROR, 1 answer"
expect_eq "tcp reason" "$(hd_field tcp@127.0.0.1 last)" "DNS NOERROR, 1 answer"
expect_eq "nx reason" "$(hd_field nx@127.0.0.1 last)" "DNS NXDOMAIN, 0 answers"
expect_eq "empty reason" "$(hd_field empty@127.0.0.1 last)" "DNS NOERROR with an empty answer"
expect_eq "refused reason" "$(hd_field refused@127.0.0.1 last)" "DNS REFUSED (want NOERROR)"
expect_match "table" "$("$STEERCTL" -c "$CONF" status)" "soa@127\.0\.0\.1 +soa +127\.0\.0\.1 +up +auto .* DNS NOERROR, 1 answer +[0-9]+ms"

t0=$(now); stop_bg nsd1
hd_wait soa@127.0.0.1 state down 5 || fail "soa never down"
hd_wait tcp@127.0.0.1 state down 5 || fail "tcp never down"
expect_flip "dns udp stopped (fall 3 x 0.2 s)" soa@127.0.0.1 down "$t0" fail 3
expect_flip "dns tcp stopped (fall 2 x 0.2 s)" tcp@127.0.0.1 down "$t0" fail 2
expect_eq "udp stopped reason" "$(hd_field soa@127.0.0.1 last)" "connection refused"
expect_eq "tcp stopped reason" "$(hd_field tcp@127.0.0.1 last)" "connection refused"

t0=$(now); nsd_start nsd2 "$port" "$TESTDIR" example.test:example.test.zone
hd_wait soa@127.0.0.1 state up 8 || fail "soa never back up"
hd_wait tcp@127.0.0.1 state up 8 || fail "tcp never back up"
expect_flip "dns udp restarted (rise 2 x 0.2 s)" soa@127.0.0.1 up "$t0" ok 2
expect_flip "dns tcp restarted (rise 2 x 0.2 s)" tcp@127.0.0.1 up "$t0" ok 2
cat "$T/timings"
finish
