#!/bin/bash
# 421_proxy_haproxy -- steerdns behind a real HAProxy in TCP mode with
# send-proxy-v2 and the DNS tcp-check of the seed article (HAProxy in front
# of the authoritative servers), corrected: DNS over TCP needs the 2-byte
# length, and an authoritative answer has QR AA and no RA. Three backends:
#   proxied   send-proxy-v2 from 127.0.0.1 (listed): the check passes and
#             the geo answers follow the client HAProxy forwards for
#             (127.0.0.21/.22/.23 and ::1 placed in four countries by nets)
#   plain     no PROXY header from the listed 127.0.0.1: closed, counted
#             "missing", HAProxy marks the server DOWN
#   unlisted  send-proxy-v2 from 127.0.0.2 (not listed): closed, counted
#             "unlisted", DOWN
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$HAPROXY" ] || skip "haproxy is not installed (Debian package haproxy)"
. "$TESTDIR/../lib/proxy.sh"

proxy_steerdns '["127.0.0.1/32"]'

HP=$(free_port) HPLAIN=$(free_port) HUN=$(free_port)
# The seed's DNS check, with the TCP length prefix and our zone's name:
# app.example.test A, ID 0x4844, no RD; expect the ID and flags 8400
# (QR AA, NOERROR) of steerdns' answer.
check='  option tcp-check
  tcp-check send-binary 0022 # message length (DNS over TCP, RFC 1035 4.2.2)
  tcp-check send-binary 48440000 # ID, flags: standard query, no recursion
  tcp-check send-binary 0001000000000000 # one question
  tcp-check send-binary 03617070076578616d706c650474657374 # app.example.test
  tcp-check send-binary 0000010001 # end of name, type A, class IN
  tcp-check expect binary 48448400 # same ID, QR AA, NOERROR'
cat > "$T/haproxy.cfg" <<CONF
global
  log stderr format raw local0 info
defaults
  mode tcp
  log global
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend dns_tcp
  bind 127.0.0.1:$HP
  bind [::1]:$HP
  default_backend proxied
frontend dns_plain
  bind 127.0.0.1:$HPLAIN
  default_backend plain
frontend dns_unlisted
  bind 127.0.0.1:$HUN
  default_backend unlisted
backend proxied
$check
  server s1 127.0.0.1:$PORT check send-proxy-v2 inter 300ms rise 1 fall 1
backend plain
$check
  server s2 127.0.0.1:$PORT check inter 300ms rise 1 fall 1
backend unlisted
$check
  server s3 127.0.0.1:$PORT check send-proxy-v2 source 127.0.0.2 inter 300ms rise 1 fall 1
CONF
"$HAPROXY" -c -f "$T/haproxy.cfg" > "$T/haproxy-check.log" 2>&1 || { cat "$T/haproxy-check.log"; fail "haproxy -c"; finish; }
start_bg haproxy "$HAPROXY" -f "$T/haproxy.cfg" -db

# wait_log REGEX: until HAProxy logs it (5 s)
wait_log() {
	for _ in $(seq 50); do grep -Eq -- "$1" "$T/haproxy.log" && return 0; sleep 0.1; done
	return 1
}
wait_log "plain/s2 is DOWN" && pass "HAProxy: the plain backend (no header from a listed source) is DOWN" ||
	fail "HAProxy did not mark plain/s2 DOWN: $(cat "$T/haproxy.log")"
wait_log "unlisted/s3 is DOWN" && pass "HAProxy: the backend sending from unlisted 127.0.0.2 is DOWN" ||
	fail "HAProxy did not mark unlisted/s3 DOWN"
sleep 1 # a few more rounds of checks
if grep -q "proxied/s1 is DOWN" "$T/haproxy.log"; then
	fail "HAProxy marked the proxied backend DOWN: $(grep 'proxied/s1' "$T/haproxy.log" | head -3)"
else
	pass "HAProxy: the DNS tcp-check through PROXY v2 keeps the proxied backend UP"
fi

proxy_expect_geo "via HAProxy (TCP, send-proxy-v2)" "$HP" +tcp
expect_eq "via the plain backend: refused" "$(pq "$HPLAIN" 127.0.0.21 +tcp)" none
expect_eq "via the unlisted backend: refused" "$(pq "$HUN" 127.0.0.21 +tcp)" none

accepted=$(pstat accepted) missing=$(pstat missing) unlisted=$(pstat unlisted)
echo "steerdns: $accepted headers accepted; dropped: $unlisted unlisted, $missing missing, $(pstat malformed) malformed"
[ "$accepted" -ge 5 ] && pass "accepted counted" || fail "accepted: $accepted"
[ "$missing" -ge 1 ] && pass "missing counted" || fail "missing: $missing"
[ "$unlisted" -ge 1 ] && pass "unlisted counted" || fail "unlisted: $unlisted"
expect_eq "malformed" "$(pstat malformed)" 0
finish
