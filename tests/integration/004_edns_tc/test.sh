#!/bin/bash
# 004_edns_tc -- EDNS(0) (RFC 6891) and truncation: OPT echoed only to EDNS
# queries, our UDP payload (1232, configurable) advertised and enforced,
# BADVERS for version 1, unknown options ignored, DO echoed, TC=1 when the
# answer does not fit and the whole answer over TCP.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/dnstest.sh"
dns_serve $TEST_ZONES $DEMO_ZONES
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
O=example.org.

ask example.org SOA +edns=0
expect_sec "OPT in the response to an EDNS query, payload 1232" edns "EDNS: version: 0, flags:; udp: 1232"
ask example.org SOA +noedns
expect_sec "no OPT when the query had none" edns ""
expect_status "no EDNS: answered" NOERROR
ask example.org SOA +dnssec
expect_sec "DO bit echoed (RFC 3225)" edns "EDNS: version: 0, flags: do; udp: 1232"

# BADVERS (RFC 6891 6.1.3): extended rcode 16, OPT version 0, no answer
ask example.org SOA +edns=1 +noednsnegotiation
expect_status "EDNS version 1: BADVERS" BADVERS
expect_sec "BADVERS: we speak version 0" edns "EDNS: version: 0, flags:; udp: 1232"
expect_sec "BADVERS: no answer" answer ""
r=$(raw 127.0.0.1 "$PORT" --file "$STEER_SRC/tests/data/packets/q-soa-edns-version1.bin")
expect_eq "BADVERS on the wire: rcode 0 + OPT high bits 1 (q-soa-edns-version1.bin)" \
	"$(field rcode "$r")/$(field edns "$r")" "0/v0:1232:rcodehi=1"

# unknown options are ignored, not echoed (RFC 6891 6.1.2)
ask example.org SOA +ednsopt=65001:abcd
expect_status "unknown EDNS option: answered" NOERROR
expect_sec "unknown EDNS option: not echoed" edns "EDNS: version: 0, flags:; udp: 1232"
expect_sec "unknown EDNS option: answer" answer "$O 3600 IN SOA ns1.$O hostmaster.$O 2024060101 7200 900 1209600 300"
r=$(raw 127.0.0.1 "$PORT" --file "$STEER_SRC/tests/data/packets/q-soa-nsid-cookie.bin")
expect_eq "NSID + COOKIE options: answered with OPT" "$(field rcode "$r")/$(field edns "$r")" "0/v0:1232:rcodehi=0"

# payload below 512 counts as 512 (RFC 6891 6.2.5)
ask example.org SOA +bufsize=100 +ignore
expect_flags "bufsize 100: the SOA fits 512" aa,qr

# --- truncation: big (~3.1 KB TXT RRset), medium (~850 bytes) ---
ask big.example.org TXT +bufsize=512 +ignore
expect_flags "big over UDP, bufsize 512: TC" aa,qr,tc
expect_status "TC answer: NOERROR" NOERROR
r=$(raw 127.0.0.1 "$PORT" --query big.example.org TXT edns=0 bufsize=512)
len=$(field len "$r")
if [ -n "$len" ] && [ "$len" -le 512 ]; then pass "TC response within 512 ($len)"; else fail "TC response: $r"; fi
ask big.example.org TXT +noedns +ignore
expect_flags "big without EDNS: TC" aa,qr,tc
ask big.example.org TXT +bufsize=4096 +ignore
expect_flags "client 4096, our payload 1232: still TC" aa,qr,tc
ask big.example.org TXT +tcp
expect_flags "big over TCP: whole answer" aa,qr
expect_eq "big over TCP: 12 TXT records" "$(sec answer | grep -c ' IN TXT "big')" 12
ask big.example.org TXT
expect_eq "dig retries over TCP after TC: 12 records" "$(sec answer | grep -c ' IN TXT "big')" 12

ask medium.example.org TXT +noedns +ignore
expect_flags "medium, no EDNS (512): TC" aa,qr,tc
ask medium.example.org TXT +ignore
expect_flags "medium, EDNS 1232: fits" aa,qr
expect_eq "medium, EDNS 1232: 4 records" "$(sec answer | grep -c ' IN TXT "med')" 4
r=$(raw 127.0.0.1 "$PORT" --query many.example.org A)
expect_eq "40 A records (~670 bytes) without EDNS: TC" "$(field tc "$r")" 1
r=$(raw 127.0.0.1 "$PORT" --query many.example.org A edns=0 bufsize=1232)
expect_eq "40 A records with EDNS 1232: all in" "$(field tc "$r")/$(field an "$r")" "0/40"

# --- udp_payload configurable (steerdns only) ---
if [ "$SERVER" = steerdns ]; then
	stop_bg server
	DNS_SERVER_EXTRA=', "udp_payload": 4096'
	dns_serve $TEST_ZONES
	ask example.org SOA
	expect_sec "udp_payload 4096 advertised" edns "EDNS: version: 0, flags:; udp: 4096"
	ask big.example.org TXT +bufsize=4096 +ignore
	expect_flags "udp_payload 4096: big fits over UDP" aa,qr
	expect_eq "udp_payload 4096: 12 records over UDP" "$(sec answer | grep -c ' IN TXT "big')" 12
	ask big.example.org TXT +bufsize=1232 +ignore
	expect_flags "udp_payload 4096, client 1232: TC" aa,qr,tc
fi
finish
