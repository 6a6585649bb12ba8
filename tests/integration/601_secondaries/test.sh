#!/bin/bash
# 601_secondaries -- NSD, Knot DNS and BIND 9 as TSIG secondaries of
# steerdns on loopback (started here, tests/integration/lib/secondary.sh):
#   each gets the zone by AXFR signed with hmac-sha256 and then answers
#     every static name exactly as steerdns does (the steered name: the
#     zone file's record, which the secondary cannot steer);
#   one secondary of each kind with a wrong secret gets nothing (steerdns
#     answers BADSIG);
#   an edit + `steerctl reload` reaches all three by NOTIFY (TSIG-signed)
#     and IXFR within 5 s: the new serial and the changed record, and
#     steerdns logs an incremental IXFR for each (SEC_XFR=ixfr: the
#     secondaries ask IXFR first, as they do by default).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/secondary.sh"
SEC_XFR=ixfr
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
for k in nsd knot bind; do sec_have $k || skip "no $k installed (nsd, knot, bind9 packages)"; done

PORT=$(free_port)
CFG=$T/steerdns.json
SECRET=$(head -c 32 /dev/urandom | base64)
WRONG=$(head -c 32 /dev/urandom | base64)
declare -A SP WP
for k in nsd knot bind; do SP[$k]=$(free_port); WP[$k]=$(free_port); done

zone() { # SERIAL WWW
	cat > "$T/t.test.zone" <<ZONE
\$ORIGIN t.test.
\$TTL 300
@ SOA ns1 hostmaster $1 3600 600 1209600 300
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
mail AAAA 2001:db8::25
www A $2
app 60 A 192.0.2.80
api CNAME app
txt TXT "multi-provider" "dns"
_sip._udp SRV 10 60 5060 mail
*.wild A 192.0.2.99
sub NS ns.sub
ns.sub A 192.0.2.54
ZONE
}
notify_list=""
for k in nsd knot bind; do
	notify_list="$notify_list${notify_list:+, }{ \"address\": \"127.0.0.1:${SP[$k]}\", \"key\": \"sec1\" }"
done
cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1, "control_socket": "ctl.sock" },
  "tsig": { "sec1": { "algorithm": "hmac-sha256", "secret": "$SECRET" } },
  "zones": [ { "name": "t.test", "file": "t.test.zone",
               "allow_transfer": [ { "key": "sec1" } ], "notify": [ $notify_list ] } ],
  "pools": { "p": { "members": ["192.0.2.77"] } },
  "records": { "app.t.test": { "ttl": 30, "failover": ["p"] } } }
JSON
zone 2026120101 192.0.2.1
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
wait_file "$T/ctl.sock"

for k in nsd knot bind; do
	sec_start $k "sec_$k" "${SP[$k]}" t.test "$PORT" sec1 hmac-sha256 "$SECRET" || fail "$k: cannot start"
	sec_start $k "wrong_$k" "${WP[$k]}" t.test "$PORT" sec1 hmac-sha256 "$WRONG" || fail "$k (wrong key): cannot start"
done

# 1. The initial transfer (generous: three daemons start on a loaded machine).
for k in nsd knot bind; do
	if sec_wait_serial "${SP[$k]}" t.test 2026120101 30; then pass "$k: initial AXFR with TSIG"
	else fail "$k: serves serial [$(sec_serial "${SP[$k]}" t.test)], want 2026120101"; tail -5 "$T/sec_$k.log"; fi
done

# 2. Every static name answers the same on the secondary as on steerdns:
#    the rcode and the answer section (NSD and BIND add NS to the authority
#    section where steerdns gives minimal responses; that is not data).
names="t.test/SOA t.test/NS t.test/MX ns1.t.test/A mail.t.test/A mail.t.test/AAAA www.t.test/A api.t.test/CNAME
txt.t.test/TXT _sip._udp.t.test/SRV x.wild.t.test/A nothere.t.test/A www.t.test/AAAA"
ans() { dig +norec +time=2 +tries=1 +noall +comments +answer @127.0.0.1 -p "$1" "$2" "$3" 2>/dev/null |
	awk '/status:/{sub(/,.*/, "", $6); print "status", $6} /^[^;]/ && NF' | sort; }
for k in nsd knot bind; do
	bad=""
	for nt in $names; do
		a=$(ans "$PORT" "${nt%/*}" "${nt#*/}") b=$(ans "${SP[$k]}" "${nt%/*}" "${nt#*/}")
		[ "$a" = "$b" ] || bad="$bad ${nt}"
	done
	expect_eq "$k: every static name answers as on steerdns" "${bad:-none}" none
	expect_eq "$k: the steered name serves the zone file's record" \
		"$(dig +short @127.0.0.1 -p "${SP[$k]}" app.t.test A)" 192.0.2.80
done
expect_eq "steerdns itself steers it" "$(dig +short @127.0.0.1 -p "$PORT" app.t.test A)" 192.0.2.77

# 3. A wrong secret gets nothing.
for k in nsd knot bind; do
	expect_eq "$k with a wrong secret: no zone" "$(sec_serial "${WP[$k]}" t.test)" ""
done
grep -q "refused to a client (key sec1.): rcode 9" "$T/server.log" && pass "steerdns answered the wrong key NOTAUTH (BADSIG)" \
	|| fail "no BADSIG refusal in the log"

# 4. Edit + reload: NOTIFY, then the transfer, within 5 s.
zone 2026120102 192.0.2.2
start=$(date +%s.%N)
"$STEERCTL" -c "$CFG" reload > /dev/null || fail "steerctl reload"
for k in nsd knot bind; do
	if sec_wait_serial "${SP[$k]}" t.test 2026120102 5; then
		pass "$k: the change arrived by NOTIFY in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
	else
		fail "$k: serial [$(sec_serial "${SP[$k]}" t.test)] 5 s after the reload"
	fi
	expect_eq "$k: changed record" "$(dig +short @127.0.0.1 -p "${SP[$k]}" www.t.test A)" 192.0.2.2
done
# Every secondary took the change as an IXFR (its first transfer was
# whole: it had nothing to be incremental from).
for _ in $(seq 20); do
	[ "$(grep -c "IXFR of t.test. from serial 2026120101 to 2026120102: incremental" "$T/server.log")" -ge 3 ] && break
	sleep 0.1
done
expect_eq "all three took the change by IXFR (incremental)" \
	"$(grep -c "IXFR of t.test. from serial 2026120101 to 2026120102: incremental" "$T/server.log")" 3
grep -q "notify: t.test. serial 2026120102: 127.0.0.1:.* acknowledged" "$T/server.log" \
	&& pass "NOTIFY acknowledged (signed answers verified)" || fail "no acknowledged NOTIFY in the log"
finish
