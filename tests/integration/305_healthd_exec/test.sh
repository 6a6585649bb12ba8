#!/bin/bash
# 305_healthd_exec -- exec checks: the command gets ADDRESS PORT CHECK as
# arguments (no shell in between), exit 0 is up; down after exactly `fall`
# non-zero exits, up after exactly `rise` zero exits; a hung command is killed
# with its whole process group at the timeout; a missing program is a
# failure with a reason.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"

CONF=$T/steerdns.json
mkdir -p "$T/s"
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": {
    "script": { "type": "exec", "command": ["/bin/sh", "$TESTDIR/check.sh", "$T/s"], "port": 8443,
                "interval": 0.2, "timeout": 0.4, "fall": 3, "rise": 2 },
    "missing": { "type": "exec", "command": "/nonexistent/check", "interval": 0.2, "timeout": 1 }
  },
  "pools": { "a": { "check": "script", "members": ["127.0.0.1"] },
             "b": { "check": "missing", "members": ["::1"] } }
}
JSON
hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_subscribe
hd_wait script@127.0.0.1 state up || fail "script never up"
hd_wait missing@::1 state down || fail "missing never down"
expect_eq "arguments" "$(cat "$T/s/args")" "127.0.0.1 8443 script"
expect_eq "ok reason" "$(hd_field script@127.0.0.1 last)" "exit 0: check said 0"
expect_eq "missing program reason" "$(hd_field missing@::1 last)" "exit 127: cannot run /nonexistent/check: No such file or directory"

t0=$(now); echo 2 > "$T/s/code"
hd_wait script@127.0.0.1 state down 5 || fail "script never down"
expect_flip "exec failing (fall 3 x 0.2 s)" script@127.0.0.1 down "$t0" fail 3
expect_eq "fail reason" "$(hd_field script@127.0.0.1 last)" "exit 2: check said 2"
expect_match "table" "$("$STEERCTL" -c "$CONF" status)" "script@127\.0\.0\.1 +script +127\.0\.0\.1 +down +auto .* exit 2: check said 2 +[0-9]+ms"

t0=$(now); rm -f "$T/s/code"
hd_wait script@127.0.0.1 state up 5 || fail "script never back up"
expect_flip "exec passing (rise 2 x 0.2 s)" script@127.0.0.1 up "$t0" ok 2

# Hang: the timeout kills the script and the grandchild it started.
t0=$(now); touch "$T/s/hang"
hd_wait script@127.0.0.1 state down 8 || fail "hung script never down"
expect_flip "exec hanging (fall 3 x (0.4 s timeout))" script@127.0.0.1 down "$t0" fail 3
expect_eq "timeout reason" "$(hd_field script@127.0.0.1 last)" "timeout after 400 ms"
rm -f "$T/s/hang"
gc=$(cat "$T/s/grandchild")
alive=yes
# A killed grandchild is reparented to PID 1 and may linger as a zombie
# until PID 1 reaps it; kill -0 succeeds on zombies, so read its state.
for _ in $(seq 20); do
	st=$(awk '{print $3}' "/proc/$gc/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] && { alive=no; break; }
	sleep 0.1
done
expect_eq "grandchild killed with the process group" "$alive" no
kill "$gc" 2>/dev/null
hd_wait script@127.0.0.1 state up 5 || fail "script never up after the hang"
zombies=$(ps -o stat= --ppid "$(cat "$T/hd.pid")" | grep -c Z)
expect_eq "no zombies left" "$zombies" 0
cat "$T/timings"
finish
