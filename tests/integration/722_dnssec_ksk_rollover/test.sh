#!/bin/bash
# 722_dnssec_ksk_rollover -- a double-KSK rollover started by the operator,
# with short timers (DNSKEY TTL 2 s, propagation 1 s, ds_ttl 2 s):
#   steerctl dnssec roll ZONE ksk   new KSK published at once, signing
#                                   (and in the CDS/CDNSKEY) after Ipub 3 s;
#                                   a second roll is refused; ds-seen for a
#                                   key that does not sign yet is refused
#   restart half-way                the rollover goes on from the key files
#   "parent" switches the DS        an Unbound anchored on the new DS alone
#                                   validates; the one on the old DS too
#   steerctl dnssec ds-seen ZONE TAG  the old KSK leaves after ds_ttl +
#                                   propagation: one KSK, CDS of the new only;
#                                   Unbound (new anchor) and delv validate.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary in $BUILD"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"
. "$(dirname "$0")/../lib/unbound_stub.sh"

ub_short_zone '{ "key_dir": "keys", "dnskey_ttl": 2, "propagation": 1, "ds_ttl": 2 }' || { fail "steerdns did not start"; finish; }
ub_anchor example.test "$CONF" || { fail "no DS for the trust anchor"; finish; }
OLD=$(awk '{ print $4; exit }' "$T/anchor.ds")
cp "$T/anchor.ds" "$T/anchor-old.ds"
ub_start example.test "$PORT" || { fail "unbound did not start"; finish; }

d() { dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 "$@"; }
ksks() { d example.test DNSKEY | grep -c '^257 '; }
cds_tags() { d example.test CDS | awk '{ print $1 }' | sort -n | tr '\n' ' ' | sed 's/ $//'; }
secure_all() { # what: every kind of answer AD=1 through the running Unbound
	local q r bad=0
	for q in "app.example.test A" "ns1.example.test A" "nothere.example.test A" "example.test DNSKEY"; do
		r=$(ub_ad $q); [ "$r" = ad ] || { bad=1; echo "  $q: $r"; }
	done
	[ $bad = 0 ] && pass "$1: every answer secure" || fail "$1: not secure"
}

secure_all "before the rollover"
expect_eq "one KSK, the CDS names it" "$(ksks) $(cds_tags)" "1 $OLD"
out=$("$STEERCTL" -c "$CONF" dnssec roll example.test ksk 2>&1); rc=$?
expect_eq "steerctl dnssec roll ksk: exit 0" "$rc" "0"
echo "$out"
expect_eq "the new KSK is published at once" "$(ksks)" "2"
NEW=$(for k in "$T"/keys/*.key; do grep -q 'DNSKEY[[:space:]]*257' "$k" && basename "$k" .key | sed 's/.*+0*//'; done \
	| grep -vx "$OLD" | head -1)
echo "old KSK $OLD, new KSK $NEW"
expect_eq "not signing yet: the CDS still names the old KSK only" "$(cds_tags)" "$OLD"
out=$("$STEERCTL" -c "$CONF" dnssec roll example.test ksk 2>&1); rc=$?
expect_eq "a second roll is refused (exit 1)" "$rc" "1"
expect_match "... saying why" "$out" "already under way"
out=$("$STEERCTL" -c "$CONF" dnssec ds-seen example.test "$NEW" 2>&1); rc=$?
expect_eq "ds-seen before the new KSK signs is refused" "$rc" "1"
expect_match "... saying why" "$out" "not the incoming key"
secure_all "new KSK published"

# Half-way: restart; the rollover goes on from the key files.
stop_bg server
start_bg server2 "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || fail "restart"
expect_eq "after a restart: still two KSKs" "$(ksks)" "2"
for _ in $(seq 60); do [ "$(cds_tags)" = "$(echo "$OLD $NEW" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" ] && break; sleep 0.1; done
expect_eq "after Ipub both KSKs sign: the CDS offers both DS" "$(cds_tags)" \
	"$(echo "$OLD $NEW" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')"
secure_all "double-KSK (old anchor)"
expect_match "steerctl dnssec status: waiting for the DS" "$("$STEERCTL" -c "$CONF" dnssec status example.test)" \
	"rollover ksk: waiting for the DS at the parent; signing key $NEW; incoming key $NEW; .*ds-seen ZONE $NEW"

# The parent now has the new DS: a resolver anchored on it alone validates.
stop_bg unbound
"$STEERCTL" -c "$CONF" dnssec ds example.test | grep -E "[[:space:]]DS[[:space:]]+$NEW[[:space:]]" > "$T/anchor.ds"
[ -s "$T/anchor.ds" ] || dnssec-dsfromkey -2 "$(ls "$T"/keys/*+*"$NEW".key)" > "$T/anchor.ds"
ub_delv_anchor
ub_start example.test "$PORT" || fail "unbound (new anchor) did not start"
secure_all "double-KSK (new anchor)"

out=$("$STEERCTL" -c "$CONF" dnssec ds-seen example.test "$NEW" 2>&1); rc=$?
echo "$out"
expect_eq "steerctl dnssec ds-seen NEW: exit 0" "$rc" "0"
expect_match "the old KSK is given its end" "$(cat "$T/server2.log")" "KSK $OLD stops signing"
for _ in $(seq 80); do [ "$(ksks)" = 1 ] && break; sleep 0.1; done
expect_eq "after ds_ttl + propagation: one KSK" "$(ksks)" "1"
expect_eq "the CDS names the new KSK only" "$(cds_tags)" "$NEW"
secure_all "after the rollover (new anchor)"
out=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.delv" +root=example.test app.example.test A 2>&1)
expect_match "delv (new anchor): app validated" "$out" "; fully validated"
out=$("$STEERCTL" -c "$CONF" dnssec ds-seen example.test 4242 2>&1); rc=$?
expect_eq "ds-seen for an unknown tag: exit 1" "$rc" "1"
expect_match "... saying why" "$out" "no KSK with tag 4242"
finish
