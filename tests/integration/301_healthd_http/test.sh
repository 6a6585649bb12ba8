#!/bin/bash
# 301_healthd_http -- http checks against a real HTTP server on 127.0.0.1 and
# ::1 that answers 503 on demand: down after exactly `fall` failures, up after
# exactly `rise` successes; body substring and status lists; the steerctl
# table; drain / force-up / undrain by name and by bare address; a drain
# survives a healthd restart.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"

port=$(free_port)
CONF=$T/steerdns.json
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state", "log_level": "debug" },
  "checks": {
    "web":  { "type": "http", "port": $port, "path": "/health", "interval": 0.2, "timeout": 1, "fall": 3, "rise": 2 },
    "body": { "type": "http", "port": $port, "host": "app.example.com", "body": "ALIVE", "status": [200, "500-599"],
              "interval": 0.2, "timeout": 1, "fall": 1, "rise": 1 },
    "only201": { "type": "http", "port": $port, "status": 201, "interval": 0.2, "timeout": 1 },
    "chunked": { "type": "http", "port": $port, "path": "/chunked", "body": "ALIVE", "interval": 0.2, "timeout": 1, "rise": 1 },
    "big": { "type": "http", "port": $port, "path": "/big", "body": "ALIVE", "interval": 0.5, "timeout": 2, "fall": 1 }
  },
  "pools": { "p4": { "check": "web", "members": ["127.0.0.1"] },
             "p6": { "check": "web", "members": ["::1"] },
             "pb": { "check": "body", "members": ["127.0.0.1"] },
             "pc": { "check": "only201", "members": ["127.0.0.1"] },
             "pk": { "check": "chunked", "members": ["127.0.0.1"] },
             "pg": { "check": "big", "members": ["127.0.0.1"] } }
}
JSON
mkdir -p "$T/state"
start_bg http4 /usr/bin/python3 "$TESTDIR/flaky_http.py" 127.0.0.1 "$port" "$T/code4"
start_bg http6 /usr/bin/python3 "$TESTDIR/flaky_http.py" ::1 "$port" "$T/code6"
sleep 0.3
hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_subscribe
hd_wait web@127.0.0.1 state up || fail "web v4 never up"
hd_wait web@::1 state up || fail "web v6 never up"
hd_wait body@127.0.0.1 state up || fail "body check never up"
hd_wait only201@127.0.0.1 state down || fail "status list check never down"
expect_eq "status list: 200 is not 201" "$(hd_field only201@127.0.0.1 last)" "HTTP 200"
# A chunked body is decoded (the match spans chunks); only the first MiB
# of a body is searched.
hd_wait chunked@127.0.0.1 state up || fail "chunked body check never up"
expect_eq "chunked: reason" "$(hd_field chunked@127.0.0.1 last)" "HTTP 200, body matches"
hd_wait big@127.0.0.1 state down || fail "big body check never down"
expect_eq "big body: reason" "$(hd_field big@127.0.0.1 last)" 'HTTP 200 but the body lacks "ALIVE"'
expect_match "Host header and path" "$(cat "$T/http4.log")" "200 /health 127.0.0.1:$port"
expect_match "configured Host header" "$(cat "$T/http4.log")" "200 / app.example.com:$port"

# steerctl's table.
table=$("$STEERCTL" -c "$CONF" status)
expect_match "table header" "$(sed -n 1p <<< "$table")" "^POOL +TARGET +CHECK +ADDRESS +STATE +ADMIN +EFFECTIVE +SINCE +LAST RESULT +LATENCY$"
expect_match "table row v4" "$table" "^p4 +web@127\.0\.0\.1 +web +127\.0\.0\.1 +up +auto +up +20[0-9-]+T[0-9:]+ +HTTP 200 +[0-9]+ms"
expect_match "table row v6" "$table" "web@::1 +web +::1 +up +auto"

# Flip v4 to 503: down after exactly fall=3 failures, v6 unaffected.
t0=$(now); echo 503 > "$T/code4"
hd_wait web@127.0.0.1 state down 5 || fail "web v4 never down"
expect_flip "http down (fall 3 x 0.2 s)" web@127.0.0.1 down "$t0" fail 3
expect_eq "down reason" "$(hd_field web@127.0.0.1 last)" "HTTP 503"
expect_eq "v6 still up" "$(hd_field web@::1 state)" up
# The body check accepts 5xx by its status list but the body says SICK.
hd_wait body@127.0.0.1 state down 3 || fail "body check never down"
expect_match "body mismatch reason" "$(hd_field body@127.0.0.1 last)" 'HTTP 503 but the body lacks "ALIVE"'

t0=$(now); rm -f "$T/code4"
hd_wait web@127.0.0.1 state up 5 || fail "web v4 never back up"
expect_flip "http up (rise 2 x 0.2 s)" web@127.0.0.1 up "$t0" ok 2

# Stop the v6 server: connection refused, down after 3.
t0=$(now); stop_bg http6
hd_wait web@::1 state down 5 || fail "web v6 never down"
expect_flip "http v6 stopped" web@::1 down "$t0" fail 3
expect_eq "refused reason" "$(hd_field web@::1 last)" "connection refused"

# Drain by name; force-up; drain by bare address (every check on it).
out=$("$STEERCTL" -c "$CONF" drain web@127.0.0.1); expect_eq "drain exit" "$?" 0
expect_eq "drain output" "$out" "drained web@127.0.0.1"
expect_eq "drained: admin" "$(hd_field web@127.0.0.1 admin)" down
expect_eq "drained: effective" "$(hd_field web@127.0.0.1 effective)" down
expect_eq "drained: measured state stays" "$(hd_field web@127.0.0.1 state)" up
expect_match "drain event" "$(cat "$T/events.log")" '"event":"change".*"web@127.0.0.1".*"admin":"down"'
"$STEERCTL" -c "$CONF" force-up web@::1 > /dev/null; expect_eq "force-up exit" "$?" 0
expect_eq "forced up: effective" "$(hd_field web@::1 effective)" up
expect_eq "forced up: state" "$(hd_field web@::1 state)" down
expect_match "table shows admin" "$("$STEERCTL" -c "$CONF" status)" "web@::1 +web +::1 +down +forced-up"
out=$("$STEERCTL" -c "$CONF" drain 127.0.0.1 | sort | tr '\n' ' ')
expect_eq "drain by address" "$out" "drained big@127.0.0.1 drained body@127.0.0.1 drained chunked@127.0.0.1 drained only201@127.0.0.1 drained web@127.0.0.1 "
expect_match "state file" "$(cat "$T/state/hd.state")" '"web@127.0.0.1": "down"'

# Restart healthd: overrides come back from the state file.
stop_bg hd
hd_start hd2 "$CONF" || fail "healthd did not restart"
expect_eq "drain survives restart" "$(hd_field web@127.0.0.1 admin)" down
expect_eq "drain survives restart: effective" "$(hd_field web@127.0.0.1 effective)" down
expect_eq "address drain survives restart" "$(hd_field body@127.0.0.1 admin)" down
expect_eq "force-up survives restart" "$(hd_field web@::1 admin)" up
"$STEERCTL" -c "$CONF" undrain 127.0.0.1 > /dev/null; expect_eq "undrain exit" "$?" 0
"$STEERCTL" -c "$CONF" undrain web@::1 > /dev/null
hd_wait web@127.0.0.1 effective up 3 || fail "undrained target not up"
expect_eq "undrained: admin" "$(hd_field web@127.0.0.1 admin)" auto
expect_eq "state file empty again" "$(tr -d ' \n' < "$T/state/hd.state")" '{"admin":{},"v":1}'
cat "$T/timings"
finish
