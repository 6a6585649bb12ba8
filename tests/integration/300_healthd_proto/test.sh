#!/bin/bash
# 300_healthd_proto -- steer-healthd's socket and lifecycle: --check, steerctl
# when the daemon is down, socket mode, malformed requests, unknown targets,
# usage errors, many clients, SIGHUP reload keeping state, SIGTERM cleanup.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"

closed=$(free_port)   # nothing listens here: the tcp check fails with "connection refused"
CONF=$T/steerdns.json
write_conf() { # $1 = extra member for pool "b"
	cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": { "t": { "type": "tcp", "port": $closed, "interval": 0.2, "timeout": 1, "fall": 2, "rise": 2 },
              "x": { "type": "exec", "command": ["/bin/true"], "interval": 0.2, "timeout": 1 } },
  "pools": { "a": { "check": "t", "members": ["127.0.0.1"] },
             "b": { "check": "x", "members": ["127.0.0.1"$1] },
             "plain": { "members": ["192.0.2.1"] } }
}
JSON
}
write_conf ""

# --check: a good config, then one with errors reported as file:line.
out=$("$HEALTHD" -c "$CONF" --check 2>&1); rc=$?
expect_eq "--check ok exit" "$rc" 0
expect_match "--check summary" "$out" "ok \(2 checks, 3 pools, 2 targets\)"
cat > "$T/bad.json" <<'JSON'
{
  "checks": { "t": { "type": "tcp", "port": 1, "interval": "fast" },
              "u": { "type": "tcp" } },
  "pools": { "p": { "check": "t", "members": ["192.0.2.1"] } }
}
JSON
out=$("$HEALTHD" -c "$T/bad.json" --check 2>&1); rc=$?
expect_eq "--check bad exit" "$rc" 1
expect_match "--check bad: file:line" "$out" "bad.json:2: checks/t/interval: expected a number of seconds"
expect_match "--check bad: missing port" "$out" "bad.json:3: checks/u: a tcp check needs a \"port\""

# steerctl before the daemon runs: exit 3 and a clear message.
out=$("$STEERCTL" -c "$CONF" status 2>&1); rc=$?
expect_eq "status without healthd: exit" "$rc" 3
expect_match "status without healthd: message" "$out" "steer-healthd is not running"

hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
expect_eq "socket mode" "$(stat -c %a "$T/hd.sock")" 660
hd_wait t@127.0.0.1 state down || fail "tcp target never went down"
hd_wait x@127.0.0.1 state up || fail "exec target never went up"
expect_eq "reason" "$(hd_field t@127.0.0.1 last)" "connection refused"
expect_eq "pool without check has no target" "$(hd_field check@192.0.2.1 name)" "NO-SUCH-TARGET"

# Malformed lines get an error and the connection survives.
out=$($HDTOOL raw "$T/hd.sock" 'not json' '{"v":2,"cmd":"status"}' '{"v":1,"cmd":"dance"}' \
	'{"v":1,"cmd":"set","target":"x@127.0.0.1","admin":"sideways"}' '{"v":1,"cmd":"status"}')
expect_match "garbage -> error" "$(sed -n 1p <<< "$out")" '"ok":false,"error":"malformed request'
expect_match "wrong version -> error" "$(sed -n 2p <<< "$out")" '"ok":false.*version'
expect_match "unknown cmd -> error" "$(sed -n 3p <<< "$out")" '"ok":false.*unknown cmd'
expect_match "bad admin -> error" "$(sed -n 4p <<< "$out")" '"ok":false.*admin'
expect_match "then status works on the same connection" "$(sed -n 5p <<< "$out")" '"targets":\[.*"ok":true'

# Unknown target and usage errors.
out=$("$STEERCTL" -c "$CONF" drain nope@192.0.2.9 2>&1); rc=$?
expect_eq "drain unknown: exit" "$rc" 1
expect_match "drain unknown: message" "$out" 'no target named "nope@192.0.2.9"'
"$STEERCTL" -c "$CONF" drain 2>/dev/null; expect_eq "drain without target: exit" "$?" 2
"$STEERCTL" -c "$CONF" status extra 2>/dev/null; expect_eq "status with junk: exit" "$?" 2

# Many clients at once.
for i in $(seq 30); do ( "$STEERCTL" -s "$T/hd.sock" --json status > "$T/many.$i" 2>&1; echo $? > "$T/many.$i.rc" ) & done
wait_ok=0
for i in $(seq 30); do wait_file "$T/many.$i.rc" >/dev/null 2>&1; done
for i in $(seq 30); do [ "$(cat "$T/many.$i.rc" 2>/dev/null)" = 0 ] && grep -q '"t@127.0.0.1"' "$T/many.$i" && wait_ok=$((wait_ok + 1)); done
expect_eq "30 concurrent clients answered" "$wait_ok" 30

# A client that sends requests but never reads its replies is cut off at the
# output limit; the daemon and its checks go on.
fails_before=$(hd_field t@127.0.0.1 fail_count)
expect_eq "stuck client disconnected" "$($HDTOOL flood "$T/hd.sock" 6000)" closed
expect_match "stuck client logged" "$(cat "$T/hd.log")" "disconnecting a socket client that does not read"
sleep 0.5
expect_eq "checks went on" "$([ "$(hd_field t@127.0.0.1 fail_count)" -gt "$fails_before" ] && echo yes)" yes

# SIGHUP: a new member appears, the old targets keep their state and history.
hd_subscribe
since_before=$(hd_field t@127.0.0.1 since)
sleep 1.1   # so that a reset "since" would show
write_conf ', "127.0.0.2"'
kill -HUP "$(cat "$T/hd.pid")"
hd_wait x@127.0.0.2 state up || fail "new target after reload not up"
expect_eq "reload keeps since" "$(hd_field t@127.0.0.1 since)" "$since_before"
expect_eq "reload keeps state" "$(hd_field t@127.0.0.1 state)" down
expect_match "subscriber got a snapshot event" "$(cat "$T/events.log")" '"event":"snapshot".*x@127.0.0.2'
# A reload with errors changes nothing.
echo '{ "healthd": { "socket": "hd.sock" }, "checks": { "t": { "type": "nope" } } }' > "$CONF"
kill -HUP "$(cat "$T/hd.pid")"
sleep 0.5
expect_eq "bad reload keeps targets" "$(hd_field x@127.0.0.2 state)" up
expect_match "bad reload logged" "$(cat "$T/hd.log")" "reload failed"

# SIGTERM: clean exit, socket removed.
pid=$(cat "$T/hd.pid")
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid" 2>/dev/null; rc=$?
expect_eq "SIGTERM exit status" "$rc" 0
expect_eq "socket removed" "$(test -e "$T/hd.sock" && echo present || echo gone)" gone
finish
