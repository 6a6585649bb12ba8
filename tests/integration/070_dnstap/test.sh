#!/bin/bash
# 070_dnstap -- dnstap to a real Frame Streams reader (fstrm_capture) and to a
# file, read back with BIND's dnstap-read: every query sent is there with its
# response (id, qname, type, rcode, transport). steerdns starts and answers
# with nobody on the socket, connects when a reader appears, and a reload
# switches the output.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v fstrm_capture > /dev/null || skip "no fstrm_capture (Debian package fstrm-bin)"
command -v dnstap-read > /dev/null || skip "no dnstap-read (Debian package bind9-dnsutils)"

make_zone 1 192.0.2.10

# One field of `steerctl stats --json`'s "dnstap" object.
tap_stat() { ctl stats --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["dnstap"][sys.argv[1]])' "$1"; }
# Queries steerdns answered so far (UDP + TCP), wait_dns's probes included.
answered() { ctl stats --json | $PY -c 'import json,sys; q=json.load(sys.stdin)["queries"]; print(q["udp"] + q["tcp"])'; }
# Until tap_stat $1 prints $2 (10 s).
wait_tap() {
	local i
	for i in $(seq 100); do [ "$(tap_stat "$1")" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
start_capture() { # NAME SOCKET FILE
	start_bg "$1" fstrm_capture -t protobuf:dnstap.Dnstap -u "$2" -w "$3"
	wait_file "$2"
}
# dnstap-read -p FILE as one line per message: TYPE PROTO QNAME/CLASS/TYPE STATUS ID
tap_lines() {
	dnstap-read -p "$1" | awk '
		/^[0-9]+-[A-Za-z]+-[0-9]+ / { kind = $3; proto = $7; q = $9; next }
		/->>HEADER<<-/ { st = $6; sub(/,$/, "", st); id = $NF; print kind, proto, q, st, id }'
}

# ---- 1. To fstrm_capture on a Unix socket ----
start_capture cap1 "$T/tap1.sock" "$T/tap1.fstrm"
write_config "" '"dnstap": { "socket": "tap1.sock", "identity": "steer-test" }'
start_steerdns
wait_tap connected True || fail "dnstap did not connect to fstrm_capture within 10 s"
# wait_dns's probe may come before the connection (the writer connects in
# the background; a loaded machine makes that visible): its messages are
# dropped and counted. Everything after the connection must be logged.
d0=$(tap_stat dropped)

# id transport server name type expected-rcode
cat > "$T/queries" <<EOF
1001 udp 127.0.0.1 www.t.test A NOERROR
1002 udp 127.0.0.1 www.t.test AAAA NOERROR
1003 udp 127.0.0.1 mail.t.test MX NOERROR
1004 udp 127.0.0.1 nope.t.test A NXDOMAIN
1005 udp ::1 www.t.test A NOERROR
1006 udp 127.0.0.1 big.t.test TXT NOERROR
1007 udp 127.0.0.1 www.other.test A REFUSED
2001 tcp 127.0.0.1 www.t.test A NOERROR
2002 tcp 127.0.0.1 nope.t.test A NXDOMAIN
2003 tcp ::1 t.test SOA NOERROR
2004 tcp 127.0.0.1 big.t.test TXT NOERROR
EOF
while read -r id proto server name type rcode; do
	flag=+notcp; [ "$proto" = tcp ] && flag=+tcp
	got=$(dig +time=2 +tries=1 +ignore $flag +qid="$id" @"$server" -p "$PORT" "$name" "$type" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
	expect_eq "dig $proto $name $type" "$got" "$rcode"
done < "$T/queries"
# 100 more over UDP in one dig batch, ids 3000..3099.
for i in $(seq 0 99); do echo "www.t.test A +qid=$((3000 + i))"; done > "$T/batch"
dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" -f "$T/batch" > /dev/null
# wait_dns's probe(s) came before: 111 and those, each with its response.
n=$(answered)
[ "$n" -ge 111 ] && [ "$n" -le 115 ] || fail "steerdns answered $n queries, want 111 and wait_dns's probes"
[ $((d0 % 2)) -eq 0 ] && [ "$d0" -le $((2 * (n - 111))) ] ||
	fail "dropped before the connection: $d0 messages, want the probes' only (at most $((2 * (n - 111))))"
m=$((n - d0 / 2)) # queries logged with their responses
wait_tap logged $((2 * m)) || fail "stats: dnstap.logged is $(tap_stat logged), want $((2 * m)) ($m queries and responses)"
expect_eq "stats: nothing dropped once connected" "$(tap_stat dropped)" "$d0"
expect_eq "stats: no errors" "$(tap_stat errors)" "0"
expect_match "steerctl stats shows dnstap" "$(ctl stats)" "dnstap +connected, $((2 * m)) logged, $d0 dropped, 0 errors"
stop_bg steerdns || fail "steerdns did not stop"   # writes out what is queued
stop_bg cap1 || fail "fstrm_capture did not stop"
tap_lines "$T/tap1.fstrm" > "$T/tap1.txt"
expect_eq "AUTH_QUERY messages" "$(grep -c '^AQ ' "$T/tap1.txt")" "$m"
expect_eq "AUTH_RESPONSE messages" "$(grep -c '^AR ' "$T/tap1.txt")" "$m"
while read -r id proto server name type rcode; do
	P=$(echo "$proto" | tr a-z A-Z)
	expect_eq "$id query logged" "$(grep -c "^AQ $P $name/IN/$type NOERROR $id\$" "$T/tap1.txt")" "1"
	expect_eq "$id response logged" "$(grep -c "^AR $P $name/IN/$type $rcode $id\$" "$T/tap1.txt")" "1"
done < "$T/queries"
expect_eq "batch: 100 responses" "$(grep -c '^AR UDP www.t.test/IN/A NOERROR 30[0-9][0-9]$' "$T/tap1.txt")" "100"
yaml=$(dnstap-read -y "$T/tap1.fstrm")
expect_match "identity" "$yaml" "identity: steer-test"
expect_match "version (server.version by default)" "$yaml" "version: steerdns "
expect_match "IPv6 client address" "$yaml" 'query_address: "::1"'
expect_match "server port" "$yaml" "response_port: $PORT"
expect_match "response time" "$yaml" "response_time: "

# ---- 2. Nobody on the socket: starts, answers, counts drops; then a reader comes ----
write_config "" '"dnstap": { "socket": "tap2.sock" }'
start_steerdns
expect_eq "no reader: answers" "$(q www.t.test A)" "192.0.2.10"
expect_eq "no reader: not connected" "$(tap_stat connected)" "False"
expect_eq "no reader: nothing logged" "$(tap_stat logged)" "0"
n=$(answered)
wait_tap dropped $((2 * n)) || fail "no reader: dnstap.dropped is $(tap_stat dropped), want $((2 * n))"
expect_match "no reader: warned once" "$(grep -c 'tap2.sock: cannot connect' "$T/steerdns.log")" "^1$"
start_capture cap2 "$T/tap2.sock" "$T/tap2.fstrm"
wait_tap connected True || fail "did not connect to a reader that came later"
for i in 1 2 3 4 5; do q +qid=$((4000 + i)) www.t.test A > /dev/null; done
wait_tap logged 10 || fail "after connecting: dnstap.logged is $(tap_stat logged), want 10"
expect_eq "after connecting: no more drops" "$(tap_stat dropped)" "$((2 * n))"

# ---- 3. Reload: from the socket to a file ----
write_config "" '"dnstap": { "file": "tap3.dnstap", "log_queries": false }'
expect_eq "reload to file mode" "$(ctl reload)" "reload ok: generation 2"
expect_match "reload: applied" "$(cat "$T/steerdns.log")" "dnstap: writing to .*tap3.dnstap"
for i in 1 2 3; do q +qid=$((5000 + i)) nope.t.test A > /dev/null; done
wait_tap logged 13 || fail "after reload: dnstap.logged is $(tap_stat logged), want 13 (counts go on)"
write_config
expect_eq "reload without the section" "$(ctl reload)" "reload ok: generation 3"
expect_eq "dnstap off" "$(tap_stat enabled) $(tap_stat logged)" "False 13"
expect_eq "still answers" "$(q www.t.test A)" "192.0.2.10"
stop_bg steerdns || fail "steerdns did not stop"
stop_bg cap2 || fail "fstrm_capture did not stop"
tap_lines "$T/tap2.fstrm" > "$T/tap2.txt"
expect_eq "late reader got the 5 queries" "$(grep -c '^AQ UDP www.t.test/IN/A NOERROR 400[1-5]$' "$T/tap2.txt")" "5"
expect_eq "late reader got the 5 responses" "$(grep -c '^AR UDP www.t.test/IN/A NOERROR 400[1-5]$' "$T/tap2.txt")" "5"
expect_eq "late reader: nothing else" "$(wc -l < "$T/tap2.txt")" "10"
tap_lines "$T/tap3.dnstap" > "$T/tap3.txt"
expect_eq "file: 3 responses, no queries (log_queries false)" \
	"$(grep -c '^AR UDP nope.t.test/IN/A NXDOMAIN 500[1-3]$' "$T/tap3.txt") $(wc -l < "$T/tap3.txt")" "3 3"

# ---- 4. A bad section is refused with file:line ----
write_config "" '"dnstap": { "socket": "a.sock", "file": "b.dnstap" }'
out=$(ctl check 2>&1)
expect_match "socket and file: refused" "$out" "steerdns.json:[0-9]+: dnstap: give exactly one of"
finish
