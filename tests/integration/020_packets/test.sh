#!/bin/bash
# 020_packets -- every packet file in tests/data/packets (generated cases,
# c-ares fuzz inputs, fuzzer regressions) and, when ../shared/testdata is
# there, every file of its dns-packets/ (read in place), sent to a real
# steerdns over UDP and TCP on 127.0.0.1 and ::1 (replay.py). Malformed
# input gets FORMERR (or its case's rcode, expect.tsv) or no reply, never a
# crash: afterwards the same process still answers. Zones and steering are
# those of tests/fuzz/fuzz.json.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
PORT=$(free_port)
v6=0
python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null && v6=1
listen='"127.0.0.1:'$PORT'"'
[ $v6 = 1 ] && listen="$listen, \"[::1]:$PORT\""
sed -e "s|\"listen\": \[[^]]*\]|\"listen\": [$listen]|" \
	-e "s|\"\.\./data/zones/|\"$STEER_SRC/tests/data/zones/|g" \
	-e "s|\"\.\./\.\./zones/|\"$STEER_SRC/zones/|g" \
	"$STEER_SRC/tests/fuzz/fuzz.json" > "$T/steerdns.json"
start_bg server "$STEERDNS" -c "$T/steerdns.json"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; fail "steerdns did not start"; finish; }

files=$(find "$STEER_SRC/tests/data/packets" -type f | sort)
nlocal=$(echo "$files" | wc -l)
if [ -d "$SHARED_TESTDATA/dns-packets" ]; then
	files="$files
$(find "$SHARED_TESTDATA/dns-packets" -type f | sort)"
else
	echo "note: $SHARED_TESTDATA/dns-packets not found: replaying the $nlocal local files only"
fi
[ "$nlocal" -ge 20 ] || fail "only $nlocal packet files in tests/data/packets"

# shellcheck disable=SC2086
out=$(timeout 60 /usr/bin/python3 "$TESTDIR/replay.py" 127.0.0.1 "$PORT" "$TESTDIR/expect.tsv" $files)
rc=$?
echo "$out" | tail -n 30
expect_eq "IPv4: every packet file gets its rcode or no reply" "$rc" 0
if [ $v6 = 1 ]; then
	gen=$(find "$STEER_SRC/tests/data/packets" -maxdepth 1 -name 'q-*.bin' | sort)
	# shellcheck disable=SC2086
	out=$(timeout 60 /usr/bin/python3 "$TESTDIR/replay.py" ::1 "$PORT" "$TESTDIR/expect.tsv" $gen)
	rc=$?
	echo "$out" | tail -n 10
	expect_eq "IPv6: generated cases" "$rc" 0
fi

# Still alive and answering, the same process.
kill -0 "$PID_server" 2>/dev/null && pass "steerdns still running" || fail "steerdns exited"
r=$(dig +time=2 +tries=1 +norec @127.0.0.1 -p "$PORT" example.org SOA 2>&1)
expect_match "UDP answer afterwards" "$r" "status: NOERROR"
r=$(dig +tcp +time=2 +tries=1 +norec @127.0.0.1 -p "$PORT" www.example.org A 2>&1)
expect_match "TCP answer afterwards" "$r" "status: NOERROR"
if grep -Eiq "sanitizer|runtime error|assert" "$T/server.log"; then
	fail "server log has a sanitizer or assertion report"; grep -Ei "sanitizer|runtime error|assert" "$T/server.log" | head
fi
finish
