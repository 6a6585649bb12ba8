#!/bin/bash
# 702_dnssec_resign -- signatures are reused and refreshed:
#   a reload with one edited record signs only what changed (the edited
#   rrset and the SOA; key_dir/signing.status counts made and reused), by
#   SIGHUP and by `steerctl reload ZONE` (which signs too); the answers
#   still validate (delv, anchor from `steerctl dnssec ds`); a restart
#   signs nothing (key_dir/signatures.db), a damaged store everything;
#   with signature_validity 3600 s and refresh 3590 s the zone is re-signed
#   by the timer about 10 s after a load, without any reload by us: new
#   expiration times, still validating; `steerctl dnssec status` shows the
#   keys and the signing state.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/signed_zone.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"

PORT=$(free_port)
CFG=$T/steerdns.json
config() { # EXTRA-DNSSEC-KEYS
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone",
               "dnssec": { "key_dir": "keys" $1 } } ] }
JSON
}
rrsig_exp() { dig +dnssec +norec @127.0.0.1 -p "$PORT" "$1" A | awk '$4 == "RRSIG" {print $9; exit}'; }
wait_signed_after() { # UNIX-TIME: signing.status newer than that (30 s at most)
	for _ in $(seq 300); do
		[ "$(sz_st signed_at 2>/dev/null || echo 0)" -gt "$1" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# 1. Reuse on reload.
sz_zone 1 192.0.2.1
config ""
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
sz_anchor
made0=$(sz_st signatures_made)
expect_match "first load signs everything" "$made0" "^[0-9]{2,}$"
expect_eq "first load reuses nothing" "$(sz_st signatures_reused)" 0
expect_eq "first load validates" "$(sz_validated www.example.test)" 1
t=$(sz_st signed_at)
sleep 1.1
sz_zone 2 192.0.2.2
kill -HUP "$PID_server"
wait_signed_after "$t" || fail "SIGHUP: no new signing"
for _ in $(seq 50); do [ "$(dig +short @127.0.0.1 -p "$PORT" www.example.test A)" = 192.0.2.2 ] && break; sleep 0.1; done
# The SOA, www's A, and nothing else (NSEC records did not change).
expect_eq "SIGHUP with one edit: 2 signatures made" "$(sz_st signatures_made)" 2
expect_eq "SIGHUP with one edit: the rest reused" "$(sz_st signatures_reused)" $((made0 - 2))
expect_eq "after SIGHUP: the edit validates" "$(sz_validated www.example.test)" 1
expect_eq "after SIGHUP: a reused signature validates" "$(sz_validated h7.example.test)" 1
t=$(sz_st signed_at)
sleep 1.1
sz_zone 3 192.0.2.3
out=$("$STEERCTL" -c "$CFG" reload example.test 2>&1) || fail "steerctl reload example.test: $out"
wait_signed_after "$t" || fail "steerctl reload ZONE: no new signing"
expect_eq "steerctl reload ZONE: 2 signatures made" "$(sz_st signatures_made)" 2
expect_eq "steerctl reload ZONE: validates" "$(sz_validated www.example.test)" 1
s=$("$STEERCTL" -c "$CFG" dnssec status example.test)
expect_match "status: a KSK, active" "$s" "key [0-9]+ ksk alg 13 active"
expect_match "status: a ZSK, active" "$s" "key [0-9]+ zsk alg 13 active"
expect_match "status: signature expiry" "$s" "expire_min [0-9]+ 20[0-9-]+ [0-9:]+ UTC"
expect_match "status: next refresh" "$s" "next_refresh [0-9]+"
stop_bg server

# A restart reuses the signatures stored next to the keys: nothing to sign.
start_bg server1b "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server1b.log"; finish; }
expect_eq "restart: no signature made (key_dir/signatures.db)" "$(sz_st signatures_made)" 0
expect_eq "restart: every one reused" "$(sz_st signatures_reused)" "$made0"
expect_eq "restart: validates" "$(sz_validated h9.example.test)" 1
stop_bg server1b
# A damaged store only costs signing everything.
printf 'STEERSIG1\n\001\002' > "$T/keys/signatures.db"
start_bg server1c "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server1c.log"; finish; }
expect_eq "damaged store: everything signed" "$(sz_st signatures_made)" "$made0"
expect_eq "damaged store: validates" "$(sz_validated www.example.test)" 1
stop_bg server1c

# 2. The refresh timer: validity 3600 s, refresh 3590 s: due 10 s after signing.
config ', "signature_validity": 3600, "refresh": 3590'
start_bg server2 "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server2.log"; finish; }
e1=$(rrsig_exp www.example.test)
t=$(sz_st signed_at)
expect_match "short validity: expiration about an hour ahead" "$(( $(date -u -d "${e1:0:8} ${e1:8:2}:${e1:10:2}:${e1:12:2}" +%s) - t ))" "^36[0-9][0-9]$"
wait_signed_after "$t" || fail "timer: no re-signing within 30 s"
e2=$(rrsig_exp www.example.test)
expect_match "timer re-signed: a later expiration" "$e2" "^[0-9]{14}$"
[ -n "$e2" ] && [ "$e2" -gt "$e1" ] && pass "timer: expiration moved from $e1 to $e2" || fail "timer: expiration $e1 -> $e2"
expect_eq "timer: every signature new (all were due)" "$(sz_st signatures_reused)" 0
expect_eq "timer: still validates" "$(sz_validated www.example.test)" 1
grep -q "signatures due for refresh, re-signing" "$T/server2.log" && pass "timer logged" || fail "no timer log line"
finish
