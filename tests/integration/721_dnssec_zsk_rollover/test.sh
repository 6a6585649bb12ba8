#!/bin/bash
# 721_dnssec_zsk_rollover -- automatic ZSK rollover by pre-publication with
# short timers (zsk_lifetime 15 s, DNSKEY TTL 2 s, propagation 1 s, zone
# TTLs 3 s: Ipub 3 s, Iret 4 s) while a real Unbound (trust anchor: the
# zone's DS) keeps validating every answer, steered and static, positive
# and negative, in a bounded loop (50 s, 0.4 s apart). Checked: every
# answer that came back is AD=1; the new ZSK shows in the DNSKEY RRset
# before it signs (two ZSKs published at once), at least three ZSKs sign
# in turn, old ones leave; a restart of steerdns while a new ZSK is only
# published (half-way) goes on from the key files; delv validates after.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary in $BUILD"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"
. "$(dirname "$0")/../lib/unbound_stub.sh"

ub_short_zone '{ "key_dir": "keys", "zsk_lifetime": 15, "dnskey_ttl": 2, "propagation": 1 }' || { fail "steerdns did not start"; finish; }
ub_anchor example.test "$CONF" || { fail "no DS for the trust anchor"; finish; }
ub_delv_anchor
ub_start example.test "$PORT" || { fail "unbound did not start"; cat "$T/unbound.log"; finish; }

zsks() { dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 example.test DNSKEY | grep -c '^256 '; }
signer() { dig @127.0.0.1 -p "$PORT" +dnssec +short +time=1 +tries=1 "$1" A | awk '$1 == "A" { print $7; exit }'; }

n=0 bad=0 lost=0 restarted=0 max_zsk=0 tags=""
end=$(( $(date +%s) + 50 ))
while [ "$(date +%s)" -lt "$end" ] && [ $n -lt 400 ]; do
	for q in "app.example.test A" "ns1.example.test A" "nothere.example.test A" "app.example.test AAAA"; do
		r=$(ub_ad $q)
		n=$((n + 1))
		case "$r" in
		ad) ;;
		*SERVFAIL*) bad=$((bad + 1)); echo "not secure at $(date +%T.%N | cut -c1-12): $q: $r"
			grep -i "validation failure" "$T/unbound.log" | tail -2 ;;
		*) lost=$((lost + 1)); echo "no answer at $(date +%T): $q: $r" ;;
		esac
	done
	z=$(zsks); [ "$z" -gt "$max_zsk" ] && max_zsk=$z
	t=$(signer app.example.test)
	case " $tags " in *" $t "*) ;; *) [ -n "$t" ] && tags="$tags $t" && echo "$(date +%T) app signed by ZSK $t ($z ZSK published)" ;; esac
	# Half-way: a new ZSK published, not yet signing. Restart there once.
	if [ "$z" -ge 2 ] && [ $restarted = 0 ] && [ "$(echo $tags | wc -w)" -ge 1 ]; then
		stop_bg server && start_bg server2 "$STEERDNS" -c "$CONF" && wait_dns 127.0.0.1 "$PORT" \
			&& restarted=1 && echo "$(date +%T) restarted steerdns with two ZSKs published"
	fi
	sleep 0.4
done
ntags=$(echo $tags | wc -w)
echo "MEASURED $n answers through Unbound in 50 s: $bad not secure, $lost lost; ZSKs that signed: $tags"
expect_eq "every answer secure during the rollovers" "$bad" "0"
[ "$lost" -le 2 ] && pass "at most 2 answers lost ($lost)" || fail "$lost answers lost"
[ $n -ge 100 ] && pass "$n answers checked" || fail "only $n answers checked"
expect_eq "pre-publication: two ZSKs in the DNSKEY RRset at once" "$max_zsk" "2"
[ "$ntags" -ge 3 ] && pass "$ntags ZSKs signed in turn" || fail "only $ntags ZSKs signed: $tags"
expect_eq "restarted half-way" "$restarted" "1"
expect_match "the timer wrote the rollovers" "$(cat "$T"/server*.log)" "new ZSK .*signing from"
zfiles=$(grep -l 'DNSKEY[[:space:]]*256' "$T"/keys/*.key | wc -l)
[ "$(zsks)" -le 2 ] && [ "$zfiles" -gt "$(zsks)" ] && pass "old ZSKs left the DNSKEY RRset ($zfiles made, $(zsks) published)" \
	|| fail "ZSKs: $zfiles made, $(zsks) published"
[ "$(ls "$T"/keys/*.private | wc -l)" -ge 4 ] && pass "key files: KSK and the ZSKs" || fail "key files: $(ls "$T/keys")"
for name in app.example.test ns1.example.test; do
	out=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.delv" +root=example.test $name A 2>&1)
	expect_match "delv after the rollovers: $name" "$out" "; fully validated"
done
finish
