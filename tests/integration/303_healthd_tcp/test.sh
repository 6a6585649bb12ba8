#!/bin/bash
# 303_healthd_tcp -- tcp checks against a bare TCP listener (python3): plain
# connect, send/expect, and an expect that never matches. Stopping the
# listener turns the targets down after exactly `fall` failures with
# "connection refused"; restarting it, up after exactly `rise` successes.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"

port=$(free_port)
CONF=$T/steerdns.json
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": {
    "conn": { "type": "tcp", "port": $port, "interval": 0.2, "timeout": 1, "fall": 4, "rise": 1 },
    "ping": { "type": "tcp", "port": $port, "send": "PING\r\n", "expect": "+PONG", "interval": 0.2, "timeout": 1,
              "fall": 2, "rise": 3 },
    "nope": { "type": "tcp", "port": $port, "send": "HELLO\r\n", "expect": "+PONG", "interval": 0.2, "timeout": 0.5 }
  },
  "pools": { "a": { "check": "conn", "members": ["127.0.0.1"] },
             "b": { "check": "ping", "members": ["127.0.0.1"] },
             "c": { "check": "nope", "members": ["127.0.0.1"] } }
}
JSON
start_bg pong1 /usr/bin/python3 "$TESTDIR/pong.py" "$port"
for _ in $(seq 50); do ss -Hlnt "sport = :$port" | grep -q . && break; sleep 0.1; done

hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_subscribe
hd_wait conn@127.0.0.1 state up || fail "conn never up"
hd_wait ping@127.0.0.1 state up || fail "ping never up"
hd_wait nope@127.0.0.1 state down || fail "nope never down"
expect_eq "connect reason" "$(hd_field conn@127.0.0.1 last)" "connected"
expect_eq "expect reason" "$(hd_field ping@127.0.0.1 last)" "connected, expected reply received"
expect_eq "expect mismatch reason" "$(hd_field nope@127.0.0.1 last)" "timeout after 500 ms"
expect_match "table" "$("$STEERCTL" -c "$CONF" status)" "ping@127\.0\.0\.1 +ping +127\.0\.0\.1 +up +auto .* connected, expected reply received +[0-9]+ms"

t0=$(now); stop_bg pong1
hd_wait conn@127.0.0.1 state down 5 || fail "conn never down"
hd_wait ping@127.0.0.1 state down 5 || fail "ping never down"
expect_flip "tcp stopped (fall 4 x 0.2 s)" conn@127.0.0.1 down "$t0" fail 4
expect_flip "tcp send/expect stopped (fall 2 x 0.2 s)" ping@127.0.0.1 down "$t0" fail 2
expect_eq "refused reason" "$(hd_field conn@127.0.0.1 last)" "connection refused"

t0=$(now); start_bg pong2 /usr/bin/python3 "$TESTDIR/pong.py" "$port"
hd_wait ping@127.0.0.1 state up 5 || fail "ping never back up"
expect_flip "tcp restarted (rise 1)" conn@127.0.0.1 up "$t0" ok 1
expect_flip "tcp send/expect restarted (rise 3 x 0.2 s)" ping@127.0.0.1 up "$t0" ok 3
cat "$T/timings"
finish
