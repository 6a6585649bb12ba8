#!/bin/bash
# 055_tcp_conn_cap -- at server.tcp_max_connections open connections a new
# client is served at once: steerdns closes the connection that has gone
# longest without a query (as Knot and Unbound do); the others keep working.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

make_zone 1 192.0.2.10
write_config '"tcp_max_connections": 3, "tcp_idle_timeout": 20'
start_steerdns

expect_eq "cap 3: 4th served, the longest-idle closed" "$($PY "$COMMON/tcpdns.py" cap 127.0.0.1 "$PORT" 3)" \
	"over_cap=answered oldest=closed held=answered"
# All gone again: the listener accepts as before (and UDP never cared).
expect_eq "TCP after the burst" "$(q +tcp www.t.test A)" "192.0.2.10"
expect_eq "UDP unaffected" "$(q www.t.test A)" "192.0.2.10"
finish
