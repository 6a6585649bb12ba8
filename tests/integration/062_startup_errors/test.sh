#!/bin/bash
# 062_startup_errors -- steerdns refuses to start, with a clear message and
# exit 1, on a broken config or zone and when its port is taken.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

expect_match "-V" "$("$STEERDNS" -V)" "^steerdns [0-9]"
"$STEERDNS" --bogus > /dev/null 2>&1; expect_eq "bad option: exit 2" "$?" "2"

make_zone 1 192.0.2.10 1
write_config
out=$(timeout 5 "$STEERDNS" -c "$CFG" 2>&1); rc=$?
expect_eq "broken zone: exit 1" "$rc" "1"
expect_match "broken zone: file:line logged" "$out" "t\.test\.zone:[0-9]+: "
expect_match "broken zone: not starting" "$out" "not starting"

# The port is taken (a TCP listener of ours on 127.0.0.1:PORT).
make_zone 1 192.0.2.10
$PY -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); print("ready", flush=True); time.sleep(20)' "$PORT" > "$T/holder.out" &
holder=$!
_pids="$_pids $holder"
for _ in $(seq 50); do grep -q ready "$T/holder.out" && break; sleep 0.1; done
out=$(timeout 5 "$STEERDNS" -c "$CFG" 2>&1); rc=$?
expect_eq "port taken: exit 1" "$rc" "1"
expect_match "port taken: says which and why" "$out" "cannot listen on TCP 127\.0\.0\.1:$PORT: Address already in use"
expect_eq "port taken: no control socket left behind" "$([ -e "$SOCK" ] && echo present || echo gone)" "gone"
kill "$holder"
finish
