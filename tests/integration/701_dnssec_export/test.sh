#!/bin/bash
# 701_dnssec_export -- the signed static zone leaves steerdns verifiable:
# AXFR (dig, from an allowed address) and `steerctl dnssec export` both
# give a zone that ldns-verify-zone and dnssec-verify (bind9-utils) accept,
# with NSEC + ECDSA P-256 and with NSEC3 + Ed25519 (NSEC3PARAM 1 0 0 -).
# The AXFR carries the RRSIGs of the SOA, DNSKEY (by the KSK), the NSEC or
# NSEC3 chain, and the same records as the unsigned zone besides; a zone
# whose signatures are tampered with is rejected by both tools (so they
# really check).
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v ldns-verify-zone > /dev/null || skip "ldns-verify-zone is not installed (Debian package ldnsutils)"
command -v dnssec-verify > /dev/null || skip "dnssec-verify is not installed (Debian package bind9-utils)"

PORT=$(free_port)
CFG=$T/steerdns.json
cat > "$T/example.test.zone" <<ZONE
\$ORIGIN example.test.
\$TTL 300
@ IN SOA ns1 hostmaster 7 3600 600 86400 300
  IN NS ns1
  IN MX 10 mail
ns1 IN A 192.0.2.53
mail IN A 192.0.2.25
www IN A 192.0.2.1
www IN AAAA 2001:db8::1
*.wild IN A 192.0.2.99
a.b.ent IN TXT "deep"
alias IN CNAME www
sub IN NS ns.sub
ns.sub IN A 192.0.2.200
ZONE

verify() { # WHAT FILE
	local out
	out=$(ldns-verify-zone "$2" 2>&1); expect_match "$MODE: $1: ldns-verify-zone" "$out" "Zone is verified and complete"
	out=$(dnssec-verify -o example.test "$2" 2>&1); expect_match "$MODE: $1: dnssec-verify" "$out" "Zone fully signed"
}

run_mode() { # ALG DENIAL DENIAL-TYPE
	MODE="$1/$2"
	rm -rf "$T/keys"
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"] },
  "zones": [ { "name": "example.test", "file": "example.test.zone", "allow_transfer": [ "127.0.0.1" ],
               "dnssec": { "key_dir": "keys", "algorithm": "$1", "denial": "$2" } } ] }
JSON
	start_bg "server-$2" "$STEERDNS" -c "$CFG"
	wait_dns 127.0.0.1 "$PORT" || { cat "$T/server-$2.log"; return; }
	dig +nocmd +nostats +onesoa @127.0.0.1 -p "$PORT" example.test AXFR | grep -v '^;' | grep . > "$T/axfr-$2.zone"
	expect_match "$MODE: AXFR has RRSIGs" "$(grep -c RRSIG "$T/axfr-$2.zone")" "^[1-9][0-9]*$"
	expect_match "$MODE: AXFR has the SOA's RRSIG" "$(cat "$T/axfr-$2.zone")" "RRSIG[[:space:]]+SOA "
	expect_match "$MODE: AXFR has $3" "$(cat "$T/axfr-$2.zone")" "IN[[:space:]]+$3[[:space:]]"
	expect_match "$MODE: AXFR has DNSKEY" "$(cat "$T/axfr-$2.zone")" "IN[[:space:]]+DNSKEY[[:space:]]+257 3 $4 "
	expect_eq "$MODE: AXFR: unsigned records all there" \
		"$(grep -cE 'IN[[:space:]]+(A|AAAA|MX|NS|CNAME|TXT)[[:space:]]' "$T/axfr-$2.zone")" 11
	verify "AXFR" "$T/axfr-$2.zone"
	"$STEERCTL" -c "$CFG" dnssec export example.test "$T/export-$2.zone" || fail "$MODE: steerctl dnssec export"
	verify "export" "$T/export-$2.zone"
	# Tampered: one signature byte changed. Both tools must say no.
	awk '!done && $4 == "RRSIG" && $5 == "A" { $NF = "AAAA" substr($NF, 5); done = 1 } { print }' \
		"$T/axfr-$2.zone" > "$T/bad-$2.zone"
	if ldns-verify-zone "$T/bad-$2.zone" > /dev/null 2>&1; then fail "$MODE: ldns-verify-zone takes a bad signature"; else pass "$MODE: ldns-verify-zone rejects a bad signature"; fi
	if dnssec-verify -o example.test "$T/bad-$2.zone" > /dev/null 2>&1; then fail "$MODE: dnssec-verify takes a bad signature"; else pass "$MODE: dnssec-verify rejects a bad signature"; fi
	stop_bg "server-$2"
}

run_mode ecdsap256sha256 nsec NSEC 13
run_mode ed25519 nsec3 NSEC3 15
expect_match "NSEC3 parameters: RFC 9276" "$(grep NSEC3PARAM "$T/axfr-nsec3.zone")" "NSEC3PARAM[[:space:]]+1 0 0 -"
finish
