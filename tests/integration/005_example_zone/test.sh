#!/bin/bash
# 005_example_zone -- the demo zones in zones/: the full demo config passes
# `steerdns --check`, and the zones (served without the steering sections, so
# the zone-file data is what answers) give the records and TTLs the zone
# promises: 60 s for the steered names, 300 s for LB/CDN endpoints, 3600 s
# for static data; the dev.example.com child with DS at the parent; the
# customer wildcard and its exception; the reverse zone.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/dnstest.sh"
C=example.com.

if [ "$SERVER" = steerdns ]; then
	out=$("$STEERDNS" --check -c "$EDIR/steerdns.json" 2>&1)
	expect_eq "steerdns --check zones/steerdns.json exits 0" "$?" 0
	echo "$out"
fi
dns_serve $DEMO_ZONES

ask example.com SOA
expect_sec "SOA" answer "$C 3600 IN SOA ns1.$C hostmaster.$C 2024060101 7200 1800 1209600 300"
expect_flags "SOA: authoritative" aa,qr
ask example.com NS
expect_sec "NS: two in-zone, one at a second provider" answer "$C 3600 IN NS ns1.$C|$C 3600 IN NS ns2.$C|$C 3600 IN NS ns3.dns-provider.example."
expect_has "NS glue ns1 A" additional "ns1.$C 3600 IN A 203.0.113.53"
expect_has "NS glue ns2 AAAA" additional "ns2.$C 3600 IN AAAA 2001:db8:1:53::1"
ask example.com A
expect_sec "apex A: failover TTL 60" answer "$C 60 IN A 198.51.100.20|$C 60 IN A 203.0.113.10"
ask app.example.com AAAA
expect_sec "app AAAA: TTL 60" answer "app.$C 60 IN AAAA 2001:db8:1::20|app.$C 60 IN AAAA 2001:db8::10"
ask api.example.com A
expect_sec "api A: TTL 60" answer "api.$C 60 IN A 198.51.100.21|api.$C 60 IN A 203.0.113.11"
ask www.example.com A
expect_sec "www CNAME app, chased" answer "www.$C 3600 IN CNAME app.$C|app.$C 60 IN A 198.51.100.20|app.$C 60 IN A 203.0.113.10"
ask static.example.com A
expect_sec "LB endpoint: TTL 300" answer "static.$C 300 IN A 203.0.113.80|static.$C 300 IN A 203.0.113.81"
ask example.com MX
expect_sec "MX" answer "$C 3600 IN MX 10 mail.$C|$C 3600 IN MX 20 mail2.$C"
expect_has "MX target in additional" additional "mail.$C 3600 IN A 203.0.113.25"
expect_has "MX backup target in additional" additional "mail2.$C 3600 IN A 198.51.100.25"
ask example.com TXT
expect_has "SPF" answer "$C 3600 IN TXT \"v=spf1 mx ip4:203.0.113.0/24 ip4:198.51.100.0/24 -all\""
ask _dmarc.example.com TXT
expect_sec "DMARC" answer "_dmarc.$C 3600 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com; adkim=s; aspf=s\""
ask mail._domainkey.example.com TXT
expect_match "DKIM key in two strings" "$(sec answer)" '"v=DKIM1; k=rsa; " "p=MIGf'
ask example.com CAA
expect_sec "CAA" answer "$C 3600 IN CAA 0 iodef \"mailto:security@example.com\"|$C 3600 IN CAA 0 issue \"letsencrypt.org\"|$C 3600 IN CAA 0 issuewild \";\""
ask _http._tcp.example.com SRV
expect_sec "SRV" answer "_http._tcp.$C 3600 IN SRV 0 5 443 app.$C"
ask _imaps._tcp.example.com SRV
expect_has "SRV target in additional" additional "mail.$C 3600 IN A 203.0.113.25"
ask tenant42.customers.example.com A
expect_sec "customer wildcard CNAME" answer "tenant42.customers.$C 300 IN CNAME app.$C|app.$C 60 IN A 198.51.100.20|app.$C 60 IN A 203.0.113.10"
ask bigcorp.customers.example.com A
expect_sec "customer with its own address: no wildcard" answer "bigcorp.customers.$C 300 IN A 203.0.113.90"
ask internal.example.com A
expect_status "internal: empty non-terminal" NOERROR
expect_sec "internal: NODATA SOA (negative TTL 300)" authority "$C 300 IN SOA ns1.$C hostmaster.$C 2024060101 7200 1800 1209600 300"
ask nothing-here.example.com A
expect_status "NXDOMAIN" NXDOMAIN
# parent/child: dev.example.com is delegated and also served
ask dev.example.com DS
expect_sec "DS from the parent" answer "dev.$C 3600 IN DS 31589 13 2 0D0F6A5B1C2E3F40516273849AABBCCDDEEFF0011223344556677889 9AABBCCD"
ask dev.example.com SOA
expect_sec "child SOA from the child" answer "dev.$C 3600 IN SOA ns1.dev.$C platform.$C 2024060101 3600 900 604800 60"
ask api.dev.example.com A
expect_sec "child data: CNAME + A, TTL 30" answer "api.dev.$C 30 IN CNAME app.dev.$C|app.dev.$C 30 IN A 203.0.113.210"
ask pr-7.review.dev.example.com A
expect_has "child wildcard" answer "pr-7.review.dev.$C 300 IN CNAME app.dev.$C"
ask 25.113.0.203.in-addr.arpa PTR
expect_sec "reverse zone PTR" answer "25.113.0.203.in-addr.arpa. 3600 IN PTR mail.$C"
ask example.org A
expect_status "not our zone: REFUSED" REFUSED
finish
