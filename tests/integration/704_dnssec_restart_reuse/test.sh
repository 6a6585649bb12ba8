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
# Then a ZSK rollover (`steerctl dnssec roll ZONE zsk`, Ipub 8 s): the step
# that publishes the new ZSK signs the DNSKEY RRset alone (1), a restart
# right after it signs nothing; the step where the new ZSK starts signing
# re-signs every ZSK-signed rrset (N - 3: not DNSKEY, CDS, CDNSKEY, which
# the KSK signs and which did not change), and a restart right after that
# signs nothing either; both still validate.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/signed_zone.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"
command -v ldns-verify-zone > /dev/null || skip "ldns-verify-zone is not installed (Debian package ldnsutils)"

PORT=$(free_port)
CFG=$T/steerdns.json
# The same config for every start: a changed DNSKEY TTL would be a changed
# DNSKEY rrset. dnskey_ttl 4 + propagation 4: a ZSK rollover's Ipub is 8 s.
cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone", "allow_transfer": [ "127.0.0.1" ],
               "dnssec": { "key_dir": "keys", "dnskey_ttl": 4, "propagation": 4 } } ] }
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

# A ZSK rollover, step 1: the new ZSK is published (signs in Ipub = 8 s).
zsk0=$(sz_st zsk)
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
stop_bg start6
finish
