#!/bin/bash
# 054_tcp_idle_timeout -- an idle TCP connection is closed after
# server.tcp_idle_timeout; a connection that keeps asking stays open.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

make_zone 1 192.0.2.10
write_config '"tcp_idle_timeout": 0.8'
start_steerdns

out=$($PY "$COMMON/tcpdns.py" idle 127.0.0.1 "$PORT" 5)
expect_match "idle connection closed" "$out" "^state=closed"
secs=$(printf '%s' "$out" | sed 's/.*after=//')
expect_eq "closed after about 0.8 s (0.6..2.0)" "$(awk -v s="$secs" 'BEGIN { print (s >= 0.6 && s <= 2.0) ? "yes" : "no (" s ")" }')" "yes"
# 6 queries 0.4 s apart: 2.4 s in all, well past the timeout, never idle for 0.8 s.
expect_eq "active connection stays open" "$($PY "$COMMON/tcpdns.py" active 127.0.0.1 "$PORT" 0.4 6)" "answered=6 of=6"
# A 30 s timeout keeps an idle connection for at least 2 s.
stop_bg steerdns
write_config '"tcp_idle_timeout": 30'
start_steerdns
expect_match "30 s timeout: open after 2 s" "$($PY "$COMMON/tcpdns.py" idle 127.0.0.1 "$PORT" 2)" "^state=open"
finish
