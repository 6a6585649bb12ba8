#!/bin/bash
# 002_answers -- authoritative answer semantics on tests/data/zones/example.org
# (+ its served child child.example.org): AA, CNAME chasing with a loop bound,
# wildcards (RFC 4592), referrals and glue, DS at the parent, empty
# non-terminals, NXDOMAIN/NODATA with the SOA (RFC 2308), additional-section
# addresses, REFUSED outside our zones, DNAME (RFC 6672).
# Positive answers are checked without their authority section: whether NS
# records go there (NSD) or not (minimal responses) is a policy choice.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/dnstest.sh"
dns_serve $TEST_ZONES $DEMO_ZONES
O=example.org.
SOA="$O 300 IN SOA ns1.$O hostmaster.$O 2024060101 7200 900 1209600 300"
CSOA="child.$O 120 IN SOA ns1.child.$O hostmaster.child.$O 7 3600 600 86400 120"

# --- plain answers: AA set, RD clear, nothing else in the answer ---
ask www.example.org A
expect_status "www A" NOERROR
expect_flags "www A" aa,qr
expect_sec "www A" answer "www.$O 3600 IN A 192.0.2.80"
ask www.example.org A +rec
expect_flags "RD copied into the response, RA clear" aa,qr,rd

# --- additional section: in-zone targets of MX, NS and SRV (RFC 1034 3.7,
# RFC 2782); out-of-zone targets get nothing ---
ask example.org MX
expect_sec "apex MX" answer "$O 3600 IN MX 10 mail.$O|$O 3600 IN MX 20 mx.outside.example."
expect_has "MX target A in additional" additional "mail.$O 3600 IN A 192.0.2.25"
expect_has "MX target AAAA in additional" additional "mail.$O 3600 IN AAAA 2001:db8::25"
expect_no "nothing for the out-of-zone MX target" additional "^mx\.outside"
ask example.org NS
expect_sec "apex NS" answer "$O 3600 IN NS ns.outside.example.|$O 3600 IN NS ns1.$O|$O 3600 IN NS ns2.$O"
expect_has "NS target A in additional" additional "ns1.$O 3600 IN A 192.0.2.1"
expect_has "NS target AAAA in additional" additional "ns1.$O 3600 IN AAAA 2001:db8::1"
expect_has "second NS target in additional" additional "ns2.$O 3600 IN A 192.0.2.2"
ask _sip._udp.example.org SRV
expect_has "SRV target in additional" additional "sip.$O 3600 IN A 192.0.2.60"
expect_no "nothing for the out-of-zone SRV target" additional "^sip\.outside"

# --- negative answers (RFC 2308): SOA in authority, TTL min(SOA TTL 3600, MINIMUM 300) ---
ask nothere.example.org A
expect_status "NXDOMAIN" NXDOMAIN
expect_flags "NXDOMAIN is authoritative" aa,qr
expect_sec "NXDOMAIN answer empty" answer ""
expect_sec "NXDOMAIN SOA with negative TTL" authority "$SOA"
ask a.b.c.nothere.example.org AAAA
expect_status "NXDOMAIN several labels below" NXDOMAIN
ask www.example.org MX
expect_status "NODATA" NOERROR
expect_flags "NODATA is authoritative" aa,qr
expect_sec "NODATA answer empty" answer ""
expect_sec "NODATA SOA with negative TTL" authority "$SOA"
ask x.leaf.b.ent.example.org A
expect_status "below a leaf: NXDOMAIN" NXDOMAIN

# --- empty non-terminals (RFC 4592 2.2.2, RFC 8020): exist, NODATA ---
for n in b.ent.example.org ent.example.org; do
	ask $n A
	expect_status "ENT $n: NOERROR" NOERROR
	expect_sec "ENT $n: no answer" answer ""
	expect_sec "ENT $n: SOA" authority "$SOA"
done
ask leaf.b.ent.example.org A
expect_sec "leaf under ENTs" answer "leaf.b.ent.$O 3600 IN A 192.0.2.30"

# --- wildcards (RFC 4592) ---
ask foo.w.example.org A
expect_sec "wildcard A, owner = query name" answer "foo.w.$O 3600 IN A 192.0.2.100"
expect_flags "wildcard answer is authoritative" aa,qr
ask a.b.c.w.example.org A
expect_sec "wildcard matches several labels" answer "a.b.c.w.$O 3600 IN A 192.0.2.100"
ask foo.w.example.org MX
expect_sec "wildcard MX" answer "foo.w.$O 3600 IN MX 10 mail.$O"
expect_has "wildcard MX target in additional" additional "mail.$O 3600 IN A 192.0.2.25"
ask foo.w.example.org AAAA
expect_status "wildcard NODATA" NOERROR
expect_sec "wildcard NODATA: no answer" answer ""
expect_sec "wildcard NODATA: SOA" authority "$SOA"
ask '*.w.example.org' A
expect_sec "the wildcard owner itself" answer "*.w.$O 3600 IN A 192.0.2.100"
ask exists.w.example.org TXT
expect_status "existing name: no wildcard for other types (NODATA)" NOERROR
expect_sec "existing name: no wildcard TXT" answer ""
ask x.exists.w.example.org A
expect_status "no wildcard match below an existing name (4592 2.2.1)" NXDOMAIN
ask ent.w.example.org A
expect_status "ENT under the wildcard parent is not synthesized" NOERROR
expect_sec "ENT under the wildcard parent: empty" answer ""
ask y.ent.w.example.org A
expect_status "an empty non-terminal blocks the wildcard" NXDOMAIN
ask w.example.org A
expect_status "wildcard parent (ENT) itself: NODATA" NOERROR
expect_sec "wildcard parent: empty" answer ""
ask anything.wc.example.org A
expect_sec "wildcard CNAME chased" answer "anything.wc.$O 3600 IN CNAME target.$O|target.$O 3600 IN A 192.0.2.200"
ask anything.wc.example.org CNAME
expect_sec "wildcard CNAME, qtype CNAME" answer "anything.wc.$O 3600 IN CNAME target.$O"
ask anything.wc.example.org TXT
expect_status "wildcard CNAME to a name without the type" NOERROR
expect_sec "wildcard CNAME, NODATA at the target" answer "anything.wc.$O 3600 IN CNAME target.$O"
expect_sec "wildcard CNAME, NODATA SOA" authority "$SOA"
ask anything.wext.example.org A
expect_sec "wildcard CNAME out of zone" answer "anything.wext.$O 3600 IN CNAME wild.outside.example."

# --- CNAME (RFC 1034 3.6.2, 4.3.2 step 3a) ---
ask c1.example.org A
expect_sec "CNAME chain of 3" answer "c1.$O 3600 IN CNAME c2.$O|c2.$O 3600 IN CNAME c3.$O|c3.$O 3600 IN A 192.0.2.3"
expect_flags "CNAME chain is authoritative" aa,qr
ask c1.example.org CNAME
expect_sec "qtype CNAME: not chased" answer "c1.$O 3600 IN CNAME c2.$O"
ask cext.example.org A
expect_status "CNAME out of zone: NOERROR" NOERROR
expect_sec "CNAME out of zone: just the CNAME" answer "cext.$O 3600 IN CNAME www.outside.example."
ask cnx.example.org A
expect_status "CNAME to a missing in-zone name: NXDOMAIN (RFC 6604)" NXDOMAIN
expect_sec "CNAME to missing name: CNAME kept" answer "cnx.$O 3600 IN CNAME nothere.$O"
expect_sec "CNAME to missing name: SOA" authority "$SOA"
ask cnodata.example.org TXT
expect_status "CNAME to NODATA" NOERROR
expect_sec "CNAME to NODATA: CNAME kept" answer "cnodata.$O 3600 IN CNAME ns2.$O"
expect_sec "CNAME to NODATA: SOA" authority "$SOA"
ask cwild.example.org A
expect_sec "CNAME to a wildcard-synthesized name" answer "cwild.$O 3600 IN CNAME foo.w.$O|foo.w.$O 3600 IN A 192.0.2.100"
ask cmail.example.org MX
expect_sec "CNAME then NODATA" answer "cmail.$O 3600 IN CNAME mail.$O"
# loops end: every name at most once, NOERROR, and an answer at all
ask loop1.example.org A
expect_status "CNAME loop: still answered" NOERROR
expect_sec "CNAME loop: each CNAME once" answer "loop1.$O 3600 IN CNAME loop2.$O|loop2.$O 3600 IN CNAME loop1.$O"
ask self.example.org A
expect_sec "CNAME to itself" answer "self.$O 3600 IN CNAME self.$O"
ask chain0.example.org A
n=$(sec answer | grep -c .)
if [ "$n" -ge 2 ] && [ "$n" -le 13 ] && sec answer | grep -qxF "chain0.$O 3600 IN CNAME chain1.$O"; then
	pass "long CNAME chain: bounded ($n records)"
else
	fail "long CNAME chain: $n records"
fi
# into another zone we serve: the child's data (the chase may stop at the cut)
ask cchild.example.org A
expect_has "CNAME into the served child: CNAME first" answer "cchild.$O 3600 IN CNAME www.child.$O"
# RFC 1034 4.3.2 step 3a: "change QNAME to the canonical name ... and go back
# to step 1", and step 2 picks the nearest zone we serve: the child (as NSD)
expect_has "CNAME into the served child: chased into the child zone" answer "www.child.$O 1800 IN A 192.0.2.54"
ask cdeleg.example.org A
expect_has "CNAME into a delegation: CNAME given" answer "cdeleg.$O 3600 IN CNAME www.away.$O"
expect_no "CNAME into a delegation: no glue as answer" answer "IN A"

# --- referrals (RFC 1034 4.3.2 step 3b): AA clear, NS in authority, glue ---
for q in "away.example.org A" "www.away.example.org A" "away.example.org NS" "ns1.away.example.org A" "deep.www.away.example.org TXT"; do
	ask $q
	expect_status "referral for $q: NOERROR" NOERROR
	expect_flags "referral for $q" qr
	expect_sec "referral for $q: no answer" answer ""
	expect_sec "referral for $q: NS" authority "away.$O 3600 IN NS ns1.away.$O|away.$O 3600 IN NS ns2.away.$O"
	expect_sec "referral for $q: glue" additional "ns1.away.$O 3600 IN A 192.0.2.153|ns2.away.$O 3600 IN AAAA 2001:db8::153"
done
ask www.noglue.example.org A
expect_flags "referral without glue" qr
expect_sec "referral without glue: NS" authority "noglue.$O 3600 IN NS ns1.outside.example.|noglue.$O 3600 IN NS ns2.outside.example."
expect_sec "referral without glue: no additional" additional ""

# --- DS is answered by the parent (RFC 4035 3.1.4.1) ---
ask away.example.org DS
expect_flags "DS at the parent: authoritative" aa,qr
expect_sec "DS at the parent" answer "away.$O 3600 IN DS 54321 8 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF01234567 89ABCDEF"
ask noglue.example.org DS
expect_status "no DS at a delegation: NODATA" NOERROR
expect_flags "no DS: authoritative" aa,qr
expect_sec "no DS: parent's SOA" authority "$SOA"
ask child.example.org DS
expect_sec "DS for a served child comes from the parent" answer "child.$O 3600 IN DS 12345 13 2 3A1B5C7D9E0F11223344556677889900AABBCCDDEEFF001122334455 66778899"
expect_flags "DS for a served child: AA" aa,qr

# --- the served child answers for itself ---
ask child.example.org SOA
expect_flags "child SOA: AA (from the child)" aa,qr
expect_sec "child SOA" answer "child.$O 1800 IN SOA ns1.child.$O hostmaster.child.$O 7 3600 600 86400 120"
ask child.example.org NS
expect_flags "child NS: authoritative from the child" aa,qr
expect_sec "child NS" answer "child.$O 1800 IN NS ns1.child.$O|child.$O 1800 IN NS ns2.outside.example."
ask www.child.example.org TXT
expect_sec "child data" answer "www.child.$O 1800 IN TXT \"from the child\""
ask nothere.child.example.org A
expect_status "child NXDOMAIN" NXDOMAIN
expect_sec "child NXDOMAIN: the child's SOA" authority "$CSOA"
ask child.example.org A
expect_sec "child apex NODATA: the child's SOA" authority "$CSOA"
ask www.sub.child.example.org A
expect_flags "referral from the child" qr
expect_sec "referral from the child: NS" authority "sub.child.$O 1800 IN NS ns.sub.child.$O"
expect_sec "referral from the child: glue" additional "ns.sub.child.$O 1800 IN A 192.0.2.55"

# --- DNAME (RFC 6672 section 3.2): DNAME, synthesized CNAME with the
# DNAME's TTL, chase when the target is in the zone ---
ask dname.example.org DNAME
expect_sec "DNAME at its owner" answer "dname.$O 3600 IN DNAME example.net."
ask dname.example.org A
expect_sec "other data at the DNAME owner" answer "dname.$O 3600 IN A 192.0.2.66"
ask x.dname.example.org A
expect_sec "DNAME substitution" answer "dname.$O 3600 IN DNAME example.net.|x.dname.$O 3600 IN CNAME x.example.net."
ask x.dname-in.example.org A
expect_sec "DNAME to an in-zone name, chased" answer \
	"dname-in.$O 3600 IN DNAME target-tree.$O|x.dname-in.$O 3600 IN CNAME x.target-tree.$O|x.target-tree.$O 3600 IN A 192.0.2.67"

# --- names outside our zones: REFUSED, not authoritative, no records ---
for q in "example.net A" "org SOA" ". NS" "outside.example A" "example.org.evil.test A"; do
	ask $q
	expect_status "outside our zones: $q" REFUSED
	expect_flags "outside our zones: $q" qr
	expect_sec "outside our zones, no answer: $q" answer ""
done

# --- the query name's case is kept (dig 0x20-style) ---
ask WwW.ExAmPlE.oRg A
expect_sec "case of the question kept" question "WwW.ExAmPlE.oRg. IN A"
expect_sec "case kept in the answer owner" answer "WwW.ExAmPlE.oRg. 3600 IN A 192.0.2.80"
ask MIXED.EXAMPLE.ORG A
expect_sec "zone-file case does not leak into the owner" answer "MIXED.EXAMPLE.ORG. 3600 IN A 192.0.2.91"
ask FOO.W.EXAMPLE.ORG A
expect_sec "wildcard owner in the query's case" answer "FOO.W.EXAMPLE.ORG. 3600 IN A 192.0.2.100"
finish
