#!/bin/bash
# 813_socket_ownership -- the daemons' Unix sockets are theirs: a second
# steer-healthd (or steerdns) with the same socket path exits with a clear
# message and the first stays reachable; a control_socket / healthd.socket
# path naming a regular file is refused and the file kept; a socket left by a
# killed daemon is replaced.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"

make_zone 1 192.0.2.10
HCONF=$T/hd.json
cat > "$HCONF" <<JSON
{ "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": { "c": { "type": "exec", "command": "/bin/true", "interval": 5 } },
  "pools": { "p": { "check": "c", "members": ["198.18.0.1"] } } }
JSON
hstatus() { "$STEERCTL" -c "$HCONF" status 2>&1; }

# 1. healthd: a second instance does not take over the live socket.
start_bg hd1 "$HEALTHD" -c "$HCONF"
wait_file "$T/hd.sock"
expect_match "first healthd answers" "$(hstatus)" "c@198\.18\.0\.1"
out=$(timeout 10 "$HEALTHD" -c "$HCONF" 2>&1); rc=$?
expect_eq "second healthd exits 1" "$rc" 1
expect_match "second healthd says why" "$out" "hd\.sock: cannot listen: a running process listens on it \(is the daemon already running\?\)"
expect_match "first healthd still answers" "$(hstatus)" "c@198\.18\.0\.1"

# 2. A socket left by a killed healthd is replaced.
kill -9 "$(cat "$T/hd1.pid")"
sleep 0.2
[ -S "$T/hd.sock" ] || fail "the killed healthd's socket is not there (test setup)"
start_bg hd2 "$HEALTHD" -c "$HCONF"
for _ in $(seq 50); do hstatus | grep -q 'c@198' && break; sleep 0.1; done
expect_match "a stale socket is replaced" "$(hstatus)" "c@198\.18\.0\.1"
stop_bg hd2
expect_eq "healthd removes its socket on exit" "$([ -e "$T/hd.sock" ] && echo there || echo gone)" gone

# 3. healthd.socket naming a regular file: refused, the file kept.
echo "precious" > "$T/hd.sock"
out=$(timeout 10 "$HEALTHD" -c "$HCONF" 2>&1); rc=$?
expect_eq "healthd on a regular file exits 1" "$rc" 1
expect_match "healthd says it is not a socket" "$out" "hd\.sock: cannot listen: the path exists and is not a socket"
expect_eq "the file is kept" "$(cat "$T/hd.sock")" precious
rm -f "$T/hd.sock"

# 4. steerdns: control_socket naming a regular file, then a live second instance.
write_config
echo "precious" > "$SOCK"
out=$(timeout 10 "$STEERDNS" -c "$CFG" 2>&1); rc=$?
expect_eq "steerdns on a regular file exits non-zero" "$([ "$rc" -ne 0 ] && echo yes)" yes
expect_match "steerdns says it is not a socket" "$out" "cannot create the control socket .*ctl\.sock: the path exists and is not a socket"
expect_eq "the file is kept" "$(cat "$SOCK")" precious
rm -f "$SOCK"
start_steerdns
expect_match "first steerdns answers steerctl" "$(ctl stats 2>&1)" "^queries udp"
# Same control socket, another port: the listen addresses are free, the socket is not.
PORT2=$(free_port)
sed "s/:$PORT\"/:$PORT2\"/g" "$CFG" > "$T/second.json"
out=$(timeout 10 "$STEERDNS" -c "$T/second.json" 2>&1); rc=$?
expect_eq "second steerdns exits non-zero" "$([ "$rc" -ne 0 ] && echo yes)" yes
expect_match "second steerdns says why" "$out" "cannot create the control socket .*ctl\.sock: a running process listens on it"
expect_match "first steerdns still answers steerctl" "$(ctl stats 2>&1)" "^queries udp"
finish
