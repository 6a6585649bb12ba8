#!/bin/bash
# 420_proxy_dnsdist -- steerdns behind a real dnsdist that sends PROXY v2
# (newServer{useProxyProtocol=true}), over UDP and TCP, IPv4 and IPv6
# clients: the geo answer follows the client dnsdist forwards for (nets
# overrides place 127.0.0.21/.22/.23 and ::1 in four countries), not
# dnsdist's own address; dnsdist's health checks pass through the header.
# dnstap logs the original client. Then what is dropped and counted:
# headers from a source not in proxy_from (a second dnsdist sending from
# 127.0.0.2), a listed source without a header (dig from 127.0.0.1), broken
# headers sent by hand (rawdns.py), and, after a reload that empties
# proxy_from, every header; LOCAL and a header with a TLV are answered. Plain queries from other
# sources keep working throughout.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
DNSDIST=$(command -v dnsdist || echo /usr/bin/dnsdist)
[ -x "$DNSDIST" ] || skip "dnsdist is not installed (Debian package dnsdist)"
. "$TESTDIR/../lib/proxy.sh"
. "$TESTDIR/../lib/metrics.sh"

proxy_steerdns '["127.0.0.1/32"]'

# dnsdist A: 127.0.0.1 and [::1], forwarding with a PROXY v2 header.
# dnsdist B: the same, but sending from 127.0.0.2, which is not listed.
DA=$(free_port) DB=$(free_port)
cat > "$T/dnsdist-a.conf" <<CONF
setLocal("127.0.0.1:$DA")
addLocal("[::1]:$DA")
newServer({address="127.0.0.1:$PORT", useProxyProtocol=true, checkName="example.test.", checkInterval=1})
CONF
cat > "$T/dnsdist-b.conf" <<CONF
setLocal("127.0.0.1:$DB")
newServer({address="127.0.0.1:$PORT", useProxyProtocol=true, source="127.0.0.2", checkName="example.test.", checkInterval=1}):setUp()
CONF
start_bg dnsdist-a "$DNSDIST" --supervised --disable-syslog -C "$T/dnsdist-a.conf"
start_bg dnsdist-b "$DNSDIST" --supervised --disable-syslog -C "$T/dnsdist-b.conf"
wait_dns 127.0.0.1 "$DA" || { cat "$T/dnsdist-a.log"; fail "dnsdist A does not answer"; finish; }

# ---- 1. geo answers follow the original client, UDP and TCP ----
proxy_expect_geo "via dnsdist, UDP" "$DA"
proxy_expect_geo "via dnsdist, TCP" "$DA" +tcp
# ECS from the client still wins over the address in the header
expect_eq "via dnsdist, ECS 127.0.0.22/32 from client .21" "$(pq "$DA" 127.0.0.21 +subnet=127.0.0.22/32)" 198.18.0.2
# its health checks carry the header too: steerdns must stay up for dnsdist
if grep -q "as 'down'" "$T/dnsdist-a.log"; then
	fail "dnsdist A marked steerdns down (its health check failed)"
else
	pass "dnsdist A's health checks pass"
fi
accepted=$(pstat accepted)
[ "$accepted" -ge 10 ] && pass "headers accepted: $accepted" || fail "headers accepted: $accepted, want >= 10"

# ---- 2. what is dropped and counted ----
# a source not in proxy_from (plain) is answered as usual
expect_eq "direct, unlisted source, no header: answered" "$(pq "$PORT" 127.0.0.21)" 198.18.0.1
expect_eq "direct, unlisted source, TCP: answered" "$(pq "$PORT" 127.0.0.21 +tcp)" 198.18.0.1
# a listed source without a header: dropped (UDP) or closed (TCP)
m0=$(pstat missing)
expect_eq "direct from the listed 127.0.0.1 without a header, UDP: dropped" "$(pq "$PORT" 127.0.0.1)" none
expect_eq "direct from the listed 127.0.0.1 without a header, TCP: closed" "$(pq "$PORT" 127.0.0.1 +tcp)" none
expect_eq "counted: missing" "$(( $(pstat missing) - m0 ))" 2
# a header from a source that is not listed: dropped
u0=$(pstat unlisted)
expect_eq "via dnsdist sending from unlisted 127.0.0.2, UDP: dropped" "$(pq "$DB" 127.0.0.21)" none
expect_eq "via dnsdist sending from unlisted 127.0.0.2, TCP: dropped" "$(pq "$DB" 127.0.0.22 +tcp)" none
u1=$(pstat unlisted)
[ "$u1" -ge $((u0 + 2)) ] && pass "counted: unlisted +$((u1 - u0))" || fail "unlisted went from $u0 to $u1"
expect_eq "metric steerdns_proxy_total{verdict=\"unlisted\"} = stats" \
	"$(mval "$MPORT" 'steerdns_proxy_total{verdict="unlisted"}')" "$(pstat unlisted)"
expect_eq "metric steerdns_proxy_total{verdict=\"malformed\"}" \
	"$(mval "$MPORT" 'steerdns_proxy_total{verdict="malformed"}')" 0

# hand-made headers from the listed 127.0.0.1 (rawdns.py sends from it)
sig=0d0a0d0a000d0a515549540a
query=12340000000100000000000003617070076578616d706c650474657374000001
query=${query}0001
raw() { /usr/bin/python3 "$TESTDIR/../lib/rawdns.py" 127.0.0.1 "$PORT" --hex "$1"; }
b0=$(pstat malformed)
expect_match "binary version 1 header: dropped" "$(raw "${sig}1111000c7f0000157f0000010035003500${query}")" '^noreply'
expect_match "length past the datagram: dropped" "$(raw "${sig}211100ff7f0000157f000001003500350035${query}")" '^noreply'
expect_eq "counted: malformed" "$(( $(pstat malformed) - b0 ))" 2
# LOCAL (a proxy's own check): answered for the proxy itself
expect_match "LOCAL command: answered" "$(raw "${sig}20000000${query}")" 'rcode=0 qd=1 an=1'
# PROXY with a TLV after the IPv4 addresses (PP2_TYPE_NOOP, 3 bytes): skipped
expect_match "header with a TLV: answered" "$(raw "${sig}211100107f0000157f0000010035003504000100${query}")" \
	'rcode=0 qd=1 an=1'

# TCP, by hand: the header written in pieces (5 bytes a write), with a TLV,
# and two queries pipelined behind it; IPv4 and IPv6 clients
ptcp() { /usr/bin/python3 "$TESTDIR/proxytcp.py" 127.0.0.1 "$PORT" "$@"; }
expect_eq "TCP: header in 5-byte writes + TLV, 2 pipelined queries" "$(ptcp 127.0.0.22 12 5 2)" "198.18.0.2 198.18.0.2"
expect_eq "TCP: IPv6 client in the header" "$(ptcp ::1 0 7 1)" "198.18.0.4"
expect_eq "TCP: one write, a 400-byte TLV" "$(ptcp 127.0.0.23 400 1000 2)" "198.18.0.3 198.18.0.3"

# ---- 3. a reload applies proxy_from: with none listed every header is dropped ----
sed -i 's|"proxy_from": \["127.0.0.1/32"\]|"proxy_from": []|' "$T/steerdns.json"
"$STEERCTL" -c "$T/steerdns.json" reload > /dev/null || fail "steerctl reload"
u0=$(pstat unlisted)
expect_eq "proxy_from [] after reload: via dnsdist dropped" "$(pq "$DA" 127.0.0.21)" none
[ "$(pstat unlisted)" -gt "$u0" ] && pass "counted as unlisted after the reload" || fail "not counted after reload"
expect_eq "proxy_from []: direct from 127.0.0.1 answered" "$(pq "$PORT" 127.0.0.1)" 198.18.0.9
sed -i 's|"proxy_from": \[\]|"proxy_from": ["127.0.0.0/8"]|' "$T/steerdns.json"
"$STEERCTL" -c "$T/steerdns.json" reload > /dev/null || fail "steerctl reload"
expect_eq "proxy_from 127.0.0.0/8 after reload: via dnsdist B (127.0.0.2) accepted" "$(pq "$DB" 127.0.0.23)" 198.18.0.3
"$STEERCTL" -c "$T/steerdns.json" stats | grep '^proxy v2'

# ---- 4. dnstap logs the client dnsdist forwarded for ----
stop_bg steerdns
if command -v dnstap-read > /dev/null; then
	dnstap-read -y "$T/tap.fstrm" > "$T/tap.yaml" 2>&1
	for c in 127.0.0.21 127.0.0.22 127.0.0.23 ::1; do
		grep -q "query_address: \"$c\"" "$T/tap.yaml" && pass "dnstap: query_address $c" ||
			fail "dnstap: no query with query_address $c"
	done
else
	echo "dnstap-read is not installed: the dnstap check was not run"
fi
finish
