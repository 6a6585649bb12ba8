#!/bin/bash
# 600_axfr -- AXFR out over TCP (RFC 5936) with TSIG (RFC 8945), checked on
# the wire by kdig and dig (both verify the MAC of every message):
#   a zone of ~3000 records comes in several messages, SOA first and last,
#     and holds exactly the zone file's records (compared with
#     named-compilezone's canonical form of the same file);
#   a steered name exports its zone-file (fallback) record, not the policy's
#     answer, which UDP still gives;
#   hmac-sha1/256/384/512 keys each get a signed transfer;
#   allow_transfer: unsigned from 127.0.0.1 REFUSED, unsigned from the
#     listed 127.0.0.2 served; a wrong secret gets BADSIG, an unknown key
#     BADKEY (NOTAUTH, RFC 8945 5.2); a zone we do not serve NOTAUTH;
#   AXFR over UDP: NOTIMP (what NSD 4.6 and Knot 3.2 answer);
#   a signed SOA query gets a signed answer (BIND's refresh needs it);
#   EDNS EXPIRE (RFC 7314) in AXFR messages and SOA answers; a query
#     pipelined behind an AXFR is answered after it.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v kdig >/dev/null || skip "no kdig (knot-dnsutils)"
command -v named-compilezone >/dev/null || skip "no named-compilezone (bind9-utils)"

PORT=$(free_port)
CFG=$T/steerdns.json
secret() { head -c 32 /dev/urandom | base64; }
S1=$(secret) S256=$(secret) S384=$(secret) S512=$(secret)
{
	echo '$ORIGIN t.test.'
	echo '$TTL 300'
	echo '@ SOA ns1 hostmaster 2026120101 3600 600 1209600 300'
	echo '@ NS ns1'
	echo 'ns1 A 192.0.2.53'
	echo 'app 60 A 192.0.2.80'
	echo 'www CNAME app'
	echo 'mail MX 10 ns1'
	echo 'txt TXT "hello world" "second string"'
	echo 'sub NS ns.sub'
	echo 'ns.sub A 192.0.2.54'
	for i in $(seq 1 3000); do echo "h$i A 10.1.$((i / 256)).$((i % 256))"; done
} > "$T/t.test.zone"
cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1 },
  "tsig": { "k1": { "algorithm": "hmac-sha1", "secret": "$S1" },
            "k256": { "algorithm": "hmac-sha256", "secret": "$S256" },
            "k384": { "algorithm": "hmac-sha384", "secret": "$S384" },
            "k512": { "algorithm": "hmac-sha512", "secret": "$S512" } },
  "zones": [ { "name": "t.test", "file": "t.test.zone",
               "allow_transfer": [ "127.0.0.2", { "key": "k1" }, { "key": "k256" },
                                   { "address": "127.0.0.0/8", "key": "k384" }, { "key": "k512" } ] } ],
  "pools": { "p": { "members": ["192.0.2.77"] } },
  "records": { "app.t.test": { "ttl": 30, "failover": ["p"] } } }
JSON
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }

# The zone file in canonical form, one record a line, the SOA once.
named-compilezone -q -s full -o - t.test "$T/t.test.zone" | awk '{$1=$1; print}' | sort > "$T/want"
nwant=$(wc -l < "$T/want")
# An AXFR answer as the same lines (TSIG dropped, the closing SOA too).
canon() { grep -v '^;' | grep -v 'TSIG' | awk 'NF {$1=$1; print}' | awk '!($4 == "SOA" && seen++)' | sort; }

for alg in 1:k1:hmac-sha1 256:k256:hmac-sha256 384:k384:hmac-sha384 512:k512:hmac-sha512; do
	bits=${alg%%:*} rest=${alg#*:}
	key=${rest%%:*} name=${rest#*:}
	eval "sec=\$S$bits"
	out=$(kdig +tcp @127.0.0.1 -p "$PORT" -y "$name:$key:$sec" t.test AXFR 2>&1)
	msgs=$(printf '%s\n' "$out" | sed -n 's/^;; Received .*(\([0-9]*\) messages.*/\1/p')
	expect_match "$name: kdig verified every message (no TSIG warning or error)" \
		"$(printf '%s\n' "$out" | grep -ciE '^;; (warning|error)|failed' | sed 's/^0$/none/')" '^none$'
	[ "${msgs:-0}" -ge 3 ] && pass "$name: $msgs messages" || fail "$name: $msgs messages (want several)"
	first=$(printf '%s\n' "$out" | grep -v '^;' | awk 'NF' | head -1 | awk '{print $4}')
	last=$(printf '%s\n' "$out" | grep -v '^;' | grep -v TSIG | awk 'NF' | tail -1 | awk '{print $4}')
	expect_eq "$name: SOA first and last" "$first $last" "SOA SOA"
	ntsig=$(printf '%s\n' "$out" | grep -c 'TSIG')
	expect_eq "$name: every message signed" "$ntsig" "$msgs"
done

# The records, compared with the file (dig, which checks every MAC too).
dig +tcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:k256:$S256" t.test AXFR > "$T/dig.out" 2>&1
expect_eq "dig: no verification failure" "$(grep -ciE "couldn't verify|failure|expected a TSIG" "$T/dig.out")" 0
canon < "$T/dig.out" > "$T/got"
if cmp -s "$T/want" "$T/got"; then pass "AXFR holds exactly the zone file's $nwant records"
else fail "AXFR differs from the zone file: $(diff "$T/want" "$T/got" | head -5)"; fi
expect_match "steered name: AXFR exports its zone-file record" "$(grep -E '^app\.t\.test\.' "$T/got")" '192\.0\.2\.80$'
expect_eq "steered name: UDP still answers from the policy" \
	"$(dig +short @127.0.0.1 -p "$PORT" app.t.test A)" 192.0.2.77

# allow_transfer
out=$(dig +tcp @127.0.0.1 -p "$PORT" t.test AXFR 2>&1)
expect_match "unsigned from 127.0.0.1: REFUSED" "$out" 'Transfer failed|REFUSED'
out=$(dig +tcp -b 127.0.0.2 @127.0.0.1 -p "$PORT" t.test AXFR 2>&1 | canon)
expect_eq "unsigned from 127.0.0.2 (listed): the whole zone" "$(printf '%s\n' "$out" | wc -l)" "$nwant"
out=$(kdig +tcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:k256:$S512" t.test AXFR 2>&1)
expect_match "wrong secret: BADSIG" "$out" "BADSIG"
out=$(kdig +tcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:nokey:$S256" t.test AXFR 2>&1)
expect_match "unknown key: BADKEY" "$out" "BADKEY"
out=$(kdig +tcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:k256:$S256" other.test AXFR 2>&1)
expect_match "zone not served: NOTAUTH" "$out" "NOTAUTH"
out=$(kdig +tcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:k256:$S256" www.t.test AXFR 2>&1)
expect_match "not an apex: NOTAUTH" "$out" "NOTAUTH"
out=$(kdig +notcp @127.0.0.1 -p "$PORT" t.test AXFR 2>&1)
expect_match "AXFR over UDP: NOTIMP" "$out" "NOTIMPL"

# EDNS EXPIRE (RFC 7314) in every message of an AXFR (the primary's value:
# the SOA's expire field), and a query pipelined behind the transfer on the
# same connection is answered after its last message.
r=$(/usr/bin/python3 "$TESTDIR/axfr_edns.py" 127.0.0.1 "$PORT" 127.0.0.2 t.test)
expect_match "AXFR with EXPIRE: several messages, EXPIRE 1209600 in each, SOA first and last" "$r" \
	'^messages=([2-9]|[1-9][0-9]+) expire_in_all=1 expire=1209600 soa_first_last=1 '
expect_match "a query pipelined behind the AXFR: answered after it" "$r" 'after=0:1$'
expect_match "EXPIRE on an SOA query" "$(kdig +expire @127.0.0.1 -p "$PORT" t.test SOA)" 'EXPIRE: 1209600'

# A signed ordinary query (a secondary's SOA check) gets a signed answer;
# a bad MAC gets NOTAUTH/BADSIG instead of the data.
out=$(kdig +notcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:k256:$S256" t.test SOA 2>&1)
expect_match "signed SOA query over UDP: signed answer, verified" "$(printf '%s\n' "$out" | grep -E 'status|TSIG' | tr '\n' ' ')" \
	'status: NOERROR.*TSIG.*NOERROR'
expect_eq "signed SOA query: no kdig warning" "$(printf '%s\n' "$out" | grep -c '^;; WARNING')" 0
out=$(kdig +notcp @127.0.0.1 -p "$PORT" -y "hmac-sha256:k256:$S512" t.test SOA 2>&1)
expect_match "SOA query with a bad MAC: BADSIG" "$out" "BADSIG"

# The server still answers after all of the above.
expect_eq "still answering" "$(dig +short @127.0.0.1 -p "$PORT" ns1.t.test A)" 192.0.2.53
grep -q "transfer: .* records in .* messages" "$T/server.log" && pass "transfers are logged" || fail "no transfer log line"
finish
