#!/bin/bash
# 001_zone_syntax -- master-file syntax (RFC 1035 5.1, RFC 2308 $TTL, RFC
# 3597 generic records) and every common record type, through the server:
# tests/data/zones/types.example.net.zone loaded, each record queried.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/dnstest.sh"
dns_serve $TEST_ZONES
Z=types.example.net.
S="$Z 5400 IN SOA ns1.$Z hostmaster.$Z 2024060101 86400 7200 604800 3600"

ask types.example.net SOA
expect_status "SOA: NOERROR" NOERROR
expect_flags "SOA: authoritative" aa,qr
# $TTL 1h30m = 5400; SOA timers 1d 2h 1w 1h in seconds; multi-line parentheses
expect_sec "SOA with TTL units and parentheses" answer "$S"

# TTL units and $TTL default (RFC 2308 section 4)
for t in "ttl-w 604800" "ttl-mix 5400" "ttl-dflt 5400" "ttl-sec 90" "ttl-d 172800" "ns1 3600"; do
	set -- $t
	ask $1.$Z A
	expect_eq "TTL of $1" "$(sec answer | awk '{print $2}')" "$2"
done
ask ns1.$Z AAAA
expect_sec "TTL before class" answer "ns1.$Z 3600 IN AAAA 2001:db8::1"

# absolute names, owner carried over from the previous line, parentheses in rdata
ask abs.$Z AAAA
expect_sec "owner inherited (AAAA)" answer "abs.$Z 5400 IN AAAA 2001:db8::7"
ask abs.$Z MX
expect_sec "MX across lines" answer "abs.$Z 5400 IN MX 10 mail.$Z"

# TXT: several strings, escapes (\" \065), empty string, unquoted word
ask txt.$Z TXT
expect_sec "TXT strings and escapes" answer \
	"txt.$Z 5400 IN TXT \"one\" \"two three\" \"quo\\\"te\" \"semi;colon\" \"ABC\" \"\" \"word\"|txt.$Z 5400 IN TXT \"multi\" \"line\""
ask long.$Z TXT
expect_eq "TXT string of 255 bytes" "$(sec answer | sed 's/.*TXT "\(.*\)"/\1/' | tr -d '\n' | wc -c)" 255

# one query per type
check_type() { # name type rdata
	ask "$1.$Z" "$2"
	expect_sec "$2" answer "$1.$Z 5400 IN $2 $3"
}
check_type cname CNAME "abs.$Z"
check_type srv._tcp SRV "10 20 443 abs.$Z"
check_type 2.2.0.192 PTR "abs.$Z"
check_type dname DNAME "example.org."
check_type svc SVCB "1 abs.$Z alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.7"
check_type svc0 SVCB "0 abs.$Z"
check_type _443._tcp.abs TLSA "3 1 1 2BB2B13A9B8A5E4B8C0C2E26E8F4D2C7A1D2E3F405162738495A6B7C 8D9E0F1A"
check_type abs SSHFP "4 2 0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4 C3D2E1F0"
check_type hinfo HINFO '"PC" "Linux"'
ask caa.$Z CAA
expect_sec "CAA (two, one critical)" answer \
	"caa.$Z 5400 IN CAA 0 issue \"letsencrypt.org; validationmethods=dns-01\"|caa.$Z 5400 IN CAA 128 tbs \"unknown-critical\""
ask $Z HTTPS
expect_sec "HTTPS at the apex" answer "$Z 5400 IN HTTPS 1 . alpn=\"h2\" ipv6hint=2001:db8::7"
ask ds.$Z DS
expect_sec "DS at a delegation (parent side)" answer "ds.$Z 5400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"
expect_flags "DS answered authoritatively" aa,qr

# cname.types -> abs: chased
ask cname.$Z A
expect_sec "CNAME chased" answer "cname.$Z 5400 IN CNAME abs.$Z|abs.$Z 5400 IN A 192.0.2.7"

# RFC 3597: unknown types in and out, generic form of a known type
ask unk.$Z TYPE65226
expect_sec "unknown type 65226" answer "unk.$Z 5400 IN TYPE65226 \\# 3 414243"
ask unk0.$Z TYPE65280
expect_sec "unknown type, empty rdata" answer "unk0.$Z 5400 IN TYPE65280 \\# 0"
ask generic-a.$Z A
expect_sec "generic syntax of A (CLASS1 TYPE1)" answer "generic-a.$Z 5400 IN A 192.0.2.9"
ask unk.$Z A
expect_status "other type at the unknown-type name: NODATA" NOERROR
# NODATA SOA TTL = min(SOA TTL 5400, MINIMUM 3600) (RFC 2308 section 3)
expect_sec "NODATA SOA TTL = min(TTL, MINIMUM)" authority "$Z 3600 IN SOA ns1.$Z hostmaster.$Z 2024060101 86400 7200 604800 3600"

# $INCLUDE: without an origin argument, with one, and the origin restored after
ask inc.$Z A
expect_sec "\$INCLUDE file" answer "inc.$Z 5400 IN A 192.0.2.20"
ask inc.$Z TXT
expect_sec "\$INCLUDE file (TXT)" answer "inc.$Z 5400 IN TXT \"included\""
ask sub.$Z A
expect_sec "\$INCLUDE with origin, @" answer "sub.$Z 120 IN A 192.0.2.21"
ask deep.sub.$Z A
expect_sec "\$INCLUDE with origin, relative" answer "deep.sub.$Z 120 IN A 192.0.2.22"
ask after-include.$Z A
expect_sec "origin restored after \$INCLUDE" answer "after-include.$Z 3600 IN A 192.0.2.30"

# RFC 1035 5.1: "[<TTL>] [<class>]" and "[<class>] [<TTL>]" are both valid;
# a zone of its own (order.example.net) so that it cannot hide the rest
stop_bg server
dns_serve "order.example.net:$ZDIR/order.example.net.zone"
ask ns1.order.example.net A
expect_sec "class before TTL (IN 3600 A)" answer "ns1.order.example.net. 3600 IN A 192.0.2.1"
ask ns1.order.example.net AAAA
expect_sec "TTL before class (3600 IN AAAA)" answer "ns1.order.example.net. 3600 IN AAAA 2001:db8::1"
ask ns2.order.example.net A
expect_sec "class, no TTL: \$TTL" answer "ns2.order.example.net. 300 IN A 192.0.2.2"
ask ns2.order.example.net AAAA
expect_sec "TTL, no class" answer "ns2.order.example.net. 600 IN AAAA 2001:db8::2"
finish
