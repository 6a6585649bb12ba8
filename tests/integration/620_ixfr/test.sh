#!/bin/bash
# 620_ixfr -- IXFR out (RFC 1995) from the journal, checked on the wire with
# dig and kdig:
#   four versions of a zone (serial 1..4, reloaded one after the other);
#   ixfr=3: one step, SOA4 SOA3 deleted SOA4 added SOA4;
#   ixfr=1: three steps condensed into one: a record added in 3 and removed
#     in 4 appears nowhere, a record changed twice once;
#   ixfr=4 (current) and ixfr=5 (ahead): the SOA alone;
#   ixfr=0 (unknown): the whole zone, AXFR style (SOA, every RR, SOA);
#   over UDP: the SOA alone (RFC 1995 4); no SOA in the request: FORMERR;
#   a TSIG-signed IXFR (kdig checks every MAC);
#   allow_transfer applies: unsigned from 127.0.0.2 (not listed) REFUSED;
#   after a restart the journal comes back from server.state_dir: ixfr=1
#     is still incremental; a journal that does not end at the loaded serial
#     (the zone changed while steerdns was down) is dropped: the whole zone.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v kdig >/dev/null || skip "no kdig (knot-dnsutils)"

PORT=$(free_port)
CFG=$T/steerdns.json
KEY=$(head -c 32 /dev/urandom | base64)
mkdir "$T/state"
zone() { # SERIAL: versions differ in www (each), tmp (only 3), mail (2 and 4)
	{
		echo '$ORIGIN i.test.'
		echo '$TTL 300'
		echo "@ SOA ns1 hostmaster $1 3600 600 1209600 300"
		echo '@ NS ns1'
		echo 'ns1 A 192.0.2.53'
		echo "www A 192.0.2.$1"
		[ "$1" = 3 ] && echo 'tmp TXT "only in 3"'
		case $1 in 1) echo 'mail A 198.51.100.1' ;; 2 | 3) echo 'mail A 198.51.100.2' ;; *) echo 'mail A 198.51.100.4' ;; esac
		for i in $(seq 1 20); do echo "h$i A 10.0.0.$i"; done
	} > "$T/i.test.zone"
}
cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT", "127.0.0.2:$PORT"], "workers": 1, "control_socket": "ctl.sock",
              "state_dir": "state" },
  "tsig": { "k": { "algorithm": "hmac-sha256", "secret": "$KEY" } },
  "zones": [ { "name": "i.test", "file": "i.test.zone", "allow_transfer": [ "127.0.0.1", { "key": "k" } ] } ] }
JSON
ctl() { "$STEERCTL" -c "$CFG" "$@"; }
# The answer of an IXFR as "TYPE DATA" lines, in order (TTL and owner kept apart).
ixfr() { # SERIAL [dig options]
	local s=$1; shift
	dig +tcp +time=5 +tries=1 -b 127.0.0.1 @127.0.0.1 -p "$PORT" i.test "ixfr=$s" +noall +answer "$@" |
		awk 'NF && $4 != "TSIG" { if ($4 == "SOA") print "SOA" $7; else print $1, $4, $5 }' | paste -sd' '
}

zone 1
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
for s in 2 3 4; do
	zone $s
	out=$(ctl reload 2>&1) || fail "reload to serial $s: $out"
done
expect_eq "serial 4 served" "$(dig +short @127.0.0.1 -p "$PORT" i.test SOA | awk '{print $3}')" 4
[ -s "$T/state/journal/i.test.jnl" ] && pass "journal file in state_dir" || fail "no journal file in $T/state/journal"

# Deleted and added in canonical order (mail, tmp, www).
expect_eq "ixfr=3: one step" "$(ixfr 3)" \
	"SOA4 SOA3 mail.i.test. A 198.51.100.2 tmp.i.test. TXT \"only www.i.test. A 192.0.2.3 SOA4 mail.i.test. A 198.51.100.4 www.i.test. A 192.0.2.4 SOA4"
expect_eq "ixfr=1: condensed, tmp nowhere" "$(ixfr 1)" \
	"SOA4 SOA1 mail.i.test. A 198.51.100.1 www.i.test. A 192.0.2.1 SOA4 mail.i.test. A 198.51.100.4 www.i.test. A 192.0.2.4 SOA4"
expect_eq "ixfr=4: up to date, the SOA alone" "$(ixfr 4)" "SOA4"
expect_eq "ixfr=5: ahead of us, the SOA alone" "$(ixfr 5)" "SOA4"
full=$(ixfr 0)
n=$(echo "$full" | grep -o 'SOA4\|\. A \|\. NS \|\. TXT ' | grep -c .)
expect_match "ixfr=0: AXFR style, SOA first and last" "$full" "^SOA4 .* SOA4$"
expect_eq "ixfr=0: the whole zone (SOA, NS, 23 A, closing SOA)" "$n" 26
expect_eq "ixfr=0: no deletions in it" "$(echo "$full" | grep -c SOA1)" 0

# kdig's own parse of the same answers (it checks the IXFR framing).
k=$(kdig +tcp -b 127.0.0.1 @127.0.0.1 -p "$PORT" IXFR=2 i.test 2>&1)
expect_match "kdig IXFR=2: received" "$k" ";; Received [0-9]+ B"
expect_match "kdig IXFR=2: serial 2 step present" "$k" "SOA[[:space:]]+ns1.i.test. hostmaster.i.test. 2 "
k=$(kdig +tcp -y "hmac-sha256:k:$KEY" -b 127.0.0.2 @127.0.0.2 -p "$PORT" IXFR=3 i.test 2>&1)
expect_match "signed IXFR from 127.0.0.2: answered" "$k" "tmp.i.test."
expect_match "signed IXFR: TSIG verified by kdig" "$k" "TSIG.*NOERROR|hmac-sha256"
echo "$k" | grep -qi "bad\|failed" && fail "signed IXFR: kdig complains: $k" || pass "signed IXFR: no TSIG complaint"
r=$(dig +tcp -b 127.0.0.2 @127.0.0.2 -p "$PORT" i.test ixfr=3 2>&1)
expect_match "unsigned IXFR from 127.0.0.2: REFUSED" "$r" "status: REFUSED|Transfer failed"

# UDP: the SOA alone, whatever the client's serial.
u=$(dig +notcp +time=2 +tries=1 -b 127.0.0.1 @127.0.0.1 -p "$PORT" i.test ixfr=1 +noall +answer +comments)
expect_match "IXFR over UDP: NOERROR" "$u" "status: NOERROR"
expect_eq "IXFR over UDP: one SOA" "$(echo "$u" | grep -v '^;' | awk 'NF' | awk '{print $4, $7}')" "SOA 4"

# No SOA in the request: kdig's IXFR without serial still sends one, so
# build it by hand: an IXFR question with an empty authority.
if [ -x /usr/bin/python3 ]; then
	fe=$(/usr/bin/python3 - "$PORT" <<'PY'
import socket, struct, sys
q = struct.pack(">HHHHHH", 0x1234, 0, 1, 0, 0, 0) + b"\x01i\x04test\x00" + struct.pack(">HH", 251, 1)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(struct.pack(">H", len(q)) + q)
n = struct.unpack(">H", s.recv(2))[0]
r = b""
while len(r) < n:
    r += s.recv(n - len(r))
print(r[3] & 15)
PY
)
	expect_eq "IXFR without the client's SOA: FORMERR" "$fe" 1
fi

# Restart: the journal is read back.
stop_bg server
start_bg server2 "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server2.log"; finish; }
expect_eq "after a restart: ixfr=1 still condensed from the journal" "$(ixfr 1)" \
	"SOA4 SOA1 mail.i.test. A 198.51.100.1 www.i.test. A 192.0.2.1 SOA4 mail.i.test. A 198.51.100.4 www.i.test. A 192.0.2.4 SOA4"
expect_match "after a restart: the log says so" "$(cat "$T/server2.log")" "journal of 3 differences from serial 1"
# The zone changes while steerdns is down: the journal does not end at
# the loaded serial and must not be used.
stop_bg server2
zone 5
start_bg server3 "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server3.log"; finish; }
expect_match "changed while down: journal dropped" "$(cat "$T/server3.log")" "ends at serial 4, the zone is at 5; dropped"
got=$(ixfr 4)
expect_match "changed while down: ixfr=4 gets the whole zone" "$got" "^SOA5 .*i.test. NS ns1.i.test. .* SOA5$"
expect_eq "changed while down: no SOA4 in it" "$(echo "$got" | grep -c SOA4)" 0
finish
