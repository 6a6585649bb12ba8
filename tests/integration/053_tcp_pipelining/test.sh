#!/bin/bash
# 053_tcp_pipelining -- several queries on one TCP connection, sent back to
# back in one write, are all answered, in order (RFC 7766 section 6.2.1);
# a query arriving a byte at a time is reassembled; kdig +keepopen works.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

make_zone 1 192.0.2.10
write_config
start_steerdns

expect_eq "10 pipelined queries" "$($PY "$COMMON/tcpdns.py" pipeline 127.0.0.1 "$PORT" 10 www.t.test A)" \
	"answers=10 in_order=1 with_records=10 rcodes=0"
expect_eq "200 pipelined queries (v6)" "$($PY "$COMMON/tcpdns.py" pipeline ::1 "$PORT" 200 www.t.test A)" \
	"answers=200 in_order=1 with_records=200 rcodes=0"
# Big answers: the output passes the 256 KiB watermark (300 x ~4.4 KB), so
# reading pauses and resumes; nothing may be lost.
expect_eq "300 pipelined big answers" "$($PY "$COMMON/tcpdns.py" pipeline 127.0.0.1 "$PORT" 300 big.t.test TXT)" \
	"answers=300 in_order=1 with_records=300 rcodes=0"
expect_eq "query split into 1-byte writes" "$($PY "$COMMON/tcpdns.py" split 127.0.0.1 "$PORT" www.t.test A)" \
	"id=7 rcode=0 an=1"
if command -v kdig > /dev/null; then
	out=$(kdig +tcp +keepopen +short +time=2 @127.0.0.1 -p "$PORT" www.t.test A mail.t.test MX nx.t.test A 2>&1)
	expect_eq "kdig +keepopen: two answers on one connection" "$(printf '%s\n' "$out" | grep -c .)" "2"
fi
stats=$(ctl stats --json)
expect_eq "stats: 514 TCP queries" "$(printf '%s' "$stats" | $PY -c 'import json,sys; print(json.load(sys.stdin)["queries"]["tcp"])')" "514"
finish
