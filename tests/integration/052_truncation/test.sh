#!/bin/bash
# 052_truncation -- a response too big for UDP comes back with TC=1 and no
# records; the client's retry over TCP gets the whole RRset. Both counted.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

make_zone 1 192.0.2.10
write_config
start_steerdns

out=$(dig +ignore +time=2 +tries=1 @127.0.0.1 -p "$PORT" big.t.test TXT)
expect_match "UDP, EDNS 1232: TC set" "$out" "flags: qr aa tc"
expect_match "UDP, EDNS 1232: no answer records" "$out" "ANSWER: 0,"
out=$(dig +ignore +noedns +time=2 +tries=1 @127.0.0.1 -p "$PORT" big.t.test TXT)
expect_match "UDP, no EDNS: TC set" "$out" "flags: qr aa tc"
# dig's default: see TC, retry over TCP, get everything.
out=$(dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" big.t.test TXT)
expect_match "TC then TCP retry: all 40 TXT" "$out" "ANSWER: 40,"
expect_match "the retry went over TCP" "$out" "Truncated, retrying in TCP mode"
expect_eq "TCP directly: 40 TXT" "$(q +tcp big.t.test TXT | wc -l)" "40"
# A small answer is never truncated.
expect_match "small answer over UDP: no TC" "$(dig +norec +time=2 +tries=1 @127.0.0.1 -p "$PORT" www.t.test A)" "flags: qr aa;"

stats=$(ctl stats --json)
expect_eq "stats: truncated = 3" "$(printf '%s' "$stats" | $PY -c 'import json,sys; print(json.load(sys.stdin)["truncated"])')" "3"
expect_eq "stats: tcp queries = 2" "$(printf '%s' "$stats" | $PY -c 'import json,sys; print(json.load(sys.stdin)["queries"]["tcp"])')" "2"
finish
