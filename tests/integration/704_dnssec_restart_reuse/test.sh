#!/bin/bash
# 704_dnssec_restart_reuse -- every restart of an unchanged signed zone
# reuses its stored signatures (key_dir/signatures.db), from the SECOND
# start on: the first start makes key_dir and the keys and must also write
# the store (it once could not: the store was opened before key_dir
# existed, so start 2 signed everything again and only start 3 reused).
#   start 1   keys made, everything signed (N), signatures.db written
#   start 2   0 made, N reused          start 3   the same
#   start 4   www's A edited: 2 made (its A and the SOA; the NSEC chain
#             does not change), N - 2 reused
# Each start's numbers come from its log line ("signed (...): M signatures
# made, R reused") and key_dir/signing.status, which must agree; delv
# (trust anchor from `steerctl dnssec ds`) validates a reused and an edited
# answer, and ldns-verify-zone the whole zone over AXFR, after each start.
# Then a restart right after each step of a ZSK rollover (`steerctl
# dnssec roll ZONE zsk`, Ipub 12 s) and of a KSK rollover (roll ksk, then
# ds-seen) signs nothing: each step's own signing stored its signatures.
# The steps make: ZSK published 1 (the DNSKEY RRset), new ZSK signing N - 3
# (every ZSK-signed rrset; DNSKEY, CDS, CDNSKEY are the KSK's and did not
# change); KSK published 1, both KSKs signing 6 (DNSKEY, CDS, CDNSKEY by
# each), old KSK gone 3. Everything validates after each restart. Each
# restart comes seconds after its step, well inside the 12 s before the
# next key time (a load after that would rightly sign more).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/signed_zone.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"
command -v ldns-verify-zone > /dev/null || skip "ldns-verify-zone is not installed (Debian package ldnsutils)"

PORT=$(free_port)
CFG=$T/steerdns.json
# The same config for every start: a changed DNSKEY TTL would be a changed
# DNSKEY rrset. Ipub = dnskey_ttl 8 + propagation 4 = 12 s; the old KSK
# leaves ds_ttl 2 + propagation 4 = 6 s after ds-seen.
cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone", "allow_transfer": [ "127.0.0.1" ],
               "dnssec": { "key_dir": "keys", "dnskey_ttl": 8, "propagation": 4, "ds_ttl": 2 } } ] }
JSON
# "M R" from the last signing line of log NAME.
logged() { sed -n 's/.*zone example\.test\.: signed ([A-Z0-9]*): \([0-9]*\) signatures made, \([0-9]*\) reused.*/\1 \2/p' "$T/$1.log" | tail -n 1; }
nsigned() { grep -c "zone example\.test\.: signed (" "$T/$1.log"; }
verify_axfr() { # WHAT
	dig +nocmd +nostats +onesoa @127.0.0.1 -p "$PORT" example.test AXFR | grep -v '^;' | grep . > "$T/axfr.zone"
	expect_match "$1: ldns-verify-zone over AXFR" "$(ldns-verify-zone "$T/axfr.zone" 2>&1)" "Zone is verified and complete"
}
# check_start WHAT LOGNAME MADE REUSED: the log line and signing.status agree.
check_start() {
	expect_eq "$1: log line: made, reused" "$(logged "$2")" "$3 $4"
	expect_eq "$1: signing.status: made" "$(sz_st signatures_made)" "$3"
	expect_eq "$1: signing.status: reused" "$(sz_st signatures_reused)" "$4"
	echo "     $1: $(logged "$2" | awk '{print $1 " made, " $2 " reused"}')"
}
start() { # NAME
	start_bg "$1" "$STEERDNS" -c "$CFG"
	wait_dns 127.0.0.1 "$PORT" || { cat "$T/$1.log"; fail "$1: steerdns did not answer"; finish; }
}
wait_signings() { # LOGNAME COUNT: until the log has COUNT signing lines (30 s at most)
	for _ in $(seq 300); do
		[ "$(nsigned "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# Start 1: keys made, everything signed, the store written.
sz_zone 1 192.0.2.1
start start1
sz_anchor
N=$(logged start1 | awk '{print $1}')
expect_match "start 1: signs everything" "$N" "^[0-9]{2,}$"
check_start "start 1" start1 "$N" 0
[ -s "$T/keys/signatures.db" ] && pass "start 1 wrote key_dir/signatures.db" ||
	fail "start 1 wrote no key_dir/signatures.db"
expect_eq "start 1: validates" "$(sz_validated h7.example.test A)" 1
verify_axfr "start 1"
stop_bg start1

# Starts 2 and 3: nothing changed, nothing signed.
for i in 2 3; do
	start "start$i"
	check_start "start $i" "start$i" 0 "$N"
	expect_eq "start $i: a reused signature validates" "$(sz_validated h7.example.test TXT)" 1
	expect_eq "start $i: the apex DNSKEY validates" "$(sz_validated example.test DNSKEY)" 1
	verify_axfr "start $i"
	stop_bg "start$i"
done

# Start 4: one record changed while steerdns was down.
sz_zone 2 192.0.2.2
start start4
check_start "start 4 (www edited)" start4 2 $((N - 2))
expect_eq "start 4: the edit is served" "$(dig +short @127.0.0.1 -p "$PORT" www.example.test A)" 192.0.2.2
expect_eq "start 4: the edit validates" "$(sz_validated www.example.test A)" 1
expect_eq "start 4: a reused signature validates" "$(sz_validated h9.example.test A)" 1
verify_axfr "start 4"

# A ZSK rollover, step 1: the new ZSK is published (signs in Ipub = 12 s).
zsk0=$(sz_st zsk) ksk0=$(sz_st ksk)
out=$("$STEERCTL" -c "$CFG" dnssec roll example.test zsk 2>&1) || fail "steerctl dnssec roll example.test zsk: $out"
wait_signings start4 2 || fail "roll: no signing after the new ZSK was published"
check_start "roll: new ZSK published" start4 1 $((N - 1))
expect_eq "roll: two ZSKs in the DNSKEY RRset" \
	"$(dig +short @127.0.0.1 -p "$PORT" example.test DNSKEY | grep -c '^256 ')" 2
stop_bg start4
start start5
check_start "restart after the ZSK was published" start5 0 "$N"
expect_eq "restart after publication: validates" "$(sz_validated h7.example.test A)" 1
verify_axfr "restart after publication"
# Step 2: the new ZSK signs (the keyroll timer reloads the zone at its Activate).
wait_signings start5 2 || fail "roll: no signing when the new ZSK became active (30 s)"
check_start "roll: new ZSK signs" start5 $((N - 3)) 3
zsk1=$(sz_st zsk)
[ -n "$zsk1" ] && [ "$zsk1" != "$zsk0" ] && pass "roll: the ZSK changed ($zsk0 -> $zsk1)" ||
	fail "roll: the ZSK did not change ($zsk0 -> $zsk1)"
stop_bg start5
start start6
check_start "restart after the new ZSK took over" start6 0 "$N"
expect_eq "restart after the ZSK change: signed by the new ZSK" "$(sz_st zsk)" "$zsk1"
expect_eq "restart after the ZSK change: validates" "$(sz_validated www.example.test A)" 1
verify_axfr "restart after the ZSK change"

# A KSK rollover (double-KSK), step 1: the new KSK is published.
out=$("$STEERCTL" -c "$CFG" dnssec roll example.test ksk 2>&1) || fail "steerctl dnssec roll example.test ksk: $out"
wait_signings start6 2 || fail "roll ksk: no signing after the new KSK was published"
check_start "roll ksk: new KSK published" start6 1 $((N - 1))
stop_bg start6
start start7
check_start "restart after the KSK was published" start7 0 "$N"
expect_eq "restart after KSK publication: validates" "$(sz_validated example.test DNSKEY)" 1
# Step 2: both KSKs sign DNSKEY, CDS and CDNSKEY, which now name both.
wait_signings start7 2 || fail "roll ksk: no signing when the new KSK became active (30 s)"
check_start "roll ksk: both KSKs sign" start7 6 $((N - 3))
expect_eq "roll ksk: the CDS names both KSKs" "$(dig +short @127.0.0.1 -p "$PORT" example.test CDS | wc -l)" 2
stop_bg start7
start start8
check_start "restart with two KSKs signing" start8 0 $((N + 3))
expect_eq "restart with two KSKs: validates" "$(sz_validated example.test DNSKEY)" 1
verify_axfr "restart with two KSKs"
# Step 3: the parent has the new DS; the old KSK leaves 6 s later:
# DNSKEY, CDS and CDNSKEY by the new KSK alone.
new_ksk=$(for k in "$T"/keys/*.key; do grep -q 'DNSKEY[[:space:]]*257' "$k" && basename "$k" .key | sed 's/.*+0*//'; done |
	grep -vx "$ksk0" | head -1)
out=$("$STEERCTL" -c "$CFG" dnssec ds-seen example.test "$new_ksk" 2>&1) || fail "steerctl dnssec ds-seen $new_ksk: $out"
for _ in $(seq 300); do
	[ "$(dig +short @127.0.0.1 -p "$PORT" example.test CDS | wc -l)" = 1 ] && break
	sleep 0.1
done
expect_eq "ds-seen: the CDS names the new KSK alone" "$(dig +short @127.0.0.1 -p "$PORT" example.test CDS | awk '{print $1}')" "$new_ksk"
check_start "ds-seen: the old KSK left" start8 3 $((N - 3))
stop_bg start8
start start9
check_start "restart after the old KSK left" start9 0 "$N"
sz_anchor # the new KSK's DS: the old one is gone
expect_eq "restart after the KSK rollover: validates" "$(sz_validated example.test DNSKEY)" 1
expect_eq "restart after the KSK rollover: a reused signature validates" "$(sz_validated h7.example.test A)" 1
verify_axfr "restart after the KSK rollover"
stop_bg start9
finish
