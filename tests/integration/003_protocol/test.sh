#!/bin/bash
# 003_protocol -- the message level: unknown opcodes (NOTIMP), malformed
# queries (FORMERR or drop, never a crash), class CH off and on, ANY (RFC
# 8482), zone transfers over UDP, the ID/RD/question case echoed, and name
# compression. Hand-made messages are sent with rawdns.py; the shared test
# packets are in tests/data/packets (see tests/data/README.md).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/dnstest.sh"
dns_serve $TEST_ZONES $DEMO_ZONES
P=$STEER_SRC/tests/data/packets
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# expect_raw WHAT "rawdns output" key=value...
expect_raw() {
	local what=$1 out=$2 kv
	shift 2
	for kv in "$@"; do
		expect_eq "$what: ${kv%%=*}" "$(field "${kv%%=*}" "$out")" "${kv#*=}"
	done
}

# --- opcodes (RFC 1035 4.1.1: NOTIMP = 4; IQUERY is obsolete, RFC 3425) ---
for op in 1 2 3 5 6 15; do
	r=$(raw 127.0.0.1 "$PORT" --query www.example.org A opcode=$op)
	expect_raw "opcode $op" "$r" qr=1 opcode=$op rcode=4 id=4660 an=0
done
# NOTIFY (opcode 4) from a stranger: we are no secondary; NOTIMP or REFUSED (steerdns: REFUSED, as NSD)
r=$(raw 127.0.0.1 "$PORT" --file "$P/q-notify-soa.bin")
case $(field rcode "$r") in 4|5) pass "NOTIFY: NOTIMP or REFUSED" ;; *) fail "NOTIFY: $r" ;; esac

# --- malformed queries: FORMERR (1) with our ID, or nothing ---
formerr() { # what rawdns-args...
	local what=$1 r
	shift
	r=$(raw 127.0.0.1 "$PORT" "$@")
	expect_raw "$what" "$r" qr=1 rcode=1 id=4660 an=0
}
formerr "QDCOUNT=2 (q-two-questions.bin)" --file "$P/q-two-questions.bin"
formerr "QDCOUNT=0" --query www.example.org A qdcount=0
formerr "QDCOUNT=2, one question present" --query www.example.org A qdcount=2
formerr "question cut inside the name" --query www.example.org A cut=20
formerr "question cut before the class" --query www.example.org A cut=31
formerr "compression pointer loop in QNAME (q-qname-pointer-loop.bin)" --file "$P/q-qname-pointer-loop.bin"
formerr "label type 01 (0x40)" --hex 12340000000100000000000003777777410161000001000100
formerr "label type 10 (0x80)" --hex 12340000000100000000000003777777800161000001000100
long=""; for i in $(seq 26); do long="${long}09616263646566676869"; done
formerr "name longer than 255 octets" --hex "123400000001000000000000${long}0000010001"
formerr "two OPT records (RFC 6891 6.1.1, q-two-opt.bin)" --file "$P/q-two-opt.bin"
r=$(raw 127.0.0.1 "$PORT" --file "$P/q-truncated-header.bin")
case $r in noreply|*rcode=1*) pass "11-byte message: dropped or FORMERR" ;; *) fail "11-byte message: $r" ;; esac
r=$(raw --timeout 0.5 127.0.0.1 "$PORT" --query www.example.org A qr=1)
expect_eq "a response (QR=1) is never answered" "$r" noreply

# --- header echo: ID, RD, opcode; question name case kept (0x20) ---
r=$(raw 127.0.0.1 "$PORT" --query www.example.org A id=51966 rd=1)
expect_raw "echo" "$r" id=51966 rd=1 qr=1 aa=1 rcode=0 an=1
r=$(raw 127.0.0.1 "$PORT" --file "$P/q-a-mixed-case.bin")
expect_raw "mixed-case question (q-a-mixed-case.bin)" "$r" qname=wWw.ExAmPlE.cOm. rcode=0 aa=1

# --- name compression (RFC 1035 4.1.4): every owner name after the
# question points back into the message ---
r=$(raw 127.0.0.1 "$PORT" --query example.org MX edns=0)
n=$(field owner_ptrs "$r")
expect_eq "owner names compressed (MX + additional)" "${n%/*}" "${n#*/}"
expect_match "MX answer has records to compress" "${n#*/}" "^([4-9]|1[0-9])$"
# uncompressed: 12 + 17 question + 3 NS RRs with their owner (13) and targets
# (17, 17, 21) and 3 glue RRs (17 + 17 + 17 owners, rdata 4/16/4) = 326 bytes
r=$(raw 127.0.0.1 "$PORT" --query example.org NS)
len=$(field len "$r")
if [ -n "$len" ] && [ "$len" -lt 250 ]; then pass "NS answer compressed ($len bytes < 250)"; else fail "NS answer size: $r"; fi

# --- class CH: off by default, REFUSED like NSD with hidden version ---
for q in "version.bind TXT CH" "id.server TXT CH" "hostname.bind TXT CH" "version.server TXT CH" "www.example.org A CH"; do
	ask $q
	expect_status "CH off: $q" REFUSED
	expect_sec "CH off: $q: no answer" answer ""
done
ask www.example.org A HS
expect_status "class HS: REFUSED" REFUSED

# --- ANY (RFC 8482): over UDP a non-empty subset (one RRset), never all ---
ask anyname.example.org ANY +notcp
n=$(sec answer | grep -c .)
if [ "$n" -ge 1 ] && [ "$n" -le 2 ]; then pass "ANY over UDP: one RRset ($n records)"; else fail "ANY over UDP: $n records"; fi
expect_flags "ANY over UDP is authoritative" aa,qr
ask anyname.example.org ANY +tcp
n=$(sec answer | grep -c .)
[ "$n" -ge 1 ] && pass "ANY over TCP: answered ($n records)" || fail "ANY over TCP: empty"
ask nothere.example.org ANY +notcp
expect_status "ANY for a missing name: NXDOMAIN" NXDOMAIN

# --- zone transfers over UDP are refused (issue 2; NSD and Knot: NOTIMP for AXFR) ---
# (steerdns answers IXFR over UDP with the current SOA alone, RFC 1995 4: below)
ts="AXFR IXFR"; [ "$SERVER" = steerdns ] && ts=AXFR
for t in $ts; do
	r=$(raw 127.0.0.1 "$PORT" --query example.org $t)
	case "$(field rcode "$r"):$(field an "$r")" in
	5:0|4:0) pass "$t over UDP refused" ;;
	*) fail "$t over UDP: $r" ;;
	esac
done
if [ "$SERVER" = steerdns ]; then
	r=$(raw 127.0.0.1 "$PORT" --query example.org AXFR)
	expect_raw "AXFR over UDP: NOTIMP, as NSD and Knot" "$r" rcode=4
	r=$(raw 127.0.0.1 "$PORT" --query example.org IXFR)
	expect_raw "IXFR over UDP: the SOA alone (RFC 1995 4)" "$r" rcode=0 an=1
fi

# the server is still there after all of the above
ask www.example.org A
expect_sec "still answering" answer "www.example.org. 3600 IN A 192.0.2.80"

# --- CH on: version.bind / id.server from the config (steerdns only) ---
if [ "$SERVER" = steerdns ]; then
	stop_bg server
	DNS_SERVER_EXTRA=', "chaos": true, "version": "steer-test-1", "identity": "ns-test-7"'
	dns_serve $TEST_ZONES
	for q in version.bind version.server; do
		ask $q TXT CH
		expect_status "CH on: $q" NOERROR
		expect_has "CH on: $q" answer "$q. 0 CH TXT \"steer-test-1\""
	done
	for q in id.server hostname.bind; do
		ask $q TXT CH
		expect_has "CH on: $q" answer "$q. 0 CH TXT \"ns-test-7\""
	done
	ask www.example.org A CH
	expect_status "CH on: other CH names still refused" REFUSED
	ask www.example.org A
	expect_sec "CH on: IN still served" answer "www.example.org. 3600 IN A 192.0.2.80"
fi
finish
