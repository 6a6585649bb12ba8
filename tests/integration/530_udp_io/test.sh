#!/bin/bash
# 530_udp_io -- the io_uring UDP engine answers exactly as the recvmmsg one:
# the same bytes for a fixed set of queries (wildcard address included, where
# the reply must leave from the address asked), every query of a burst much
# larger than io_uring's receive buffer ring answered, an oversized query
# dropped by both, and a bad "udp_io" value refused with its line.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
MIXPY=$TESTDIR/udpmix.py

make_zone 1 192.0.2.10
# server NAME UDP_IO: a config serving t.test on a plain and a wildcard port.
server() {
	local p w
	p=$(free_port) w=$(free_port)
	cat > "$T/$1.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$p", "0.0.0.0:$w"], "workers": 2, "udp_io": "$2" },
  "zones": [ { "name": "t.test", "file": "t.test.zone" } ] }
JSON
	start_bg "$1" "$STEERDNS" -d -c "$T/$1.json"
	wait_dns 127.0.0.1 "$p" && wait_dns 127.0.0.1 "$w" || { cat "$T/$1.log"; fail "$1 did not start"; finish; }
	eval "PORT_$1=$p WILD_$1=$w"
}
server uring io_uring
server mmsg recvmmsg

"$PY" "$MIXPY" replies 127.0.0.1 "$PORT_mmsg" > "$T/ref"
"$PY" "$MIXPY" replies 127.0.0.1 "$PORT_uring" > "$T/got"
expect_eq "io_uring: same replies as recvmmsg" "$(diff "$T/ref" "$T/got" && echo same)" same
# Replies to 127.0.0.2 on the wildcard port must come from 127.0.0.2 (the
# script's socket is connected: a reply from elsewhere is not seen).
"$PY" "$MIXPY" replies 127.0.0.2 "$WILD_mmsg" > "$T/ref-w"
"$PY" "$MIXPY" replies 127.0.0.2 "$WILD_uring" > "$T/got-w"
expect_eq "io_uring, wildcard 0.0.0.0 asked at 127.0.0.2: same replies" "$(diff "$T/ref-w" "$T/got-w" && echo same)" same
expect_eq "wildcard replies as on the plain address" "$(diff "$T/ref" "$T/ref-w" && echo same)" same
# The reference itself must be right, or the comparisons prove little.
expect_eq "reference: www A answered" "$(awk '$1 == "www-A" && $2 != "noreply" { print "yes" }' "$T/ref")" yes
expect_eq "reference: 3000-byte query answered" "$(awk '$1 == "apex-SOA-pad3000" && $2 != "noreply" { print "yes" }' "$T/ref")" yes
expect_eq "reference: 5000-byte query dropped" "$(awk '$1 == "www-A-pad5000" { print $2 }' "$T/ref")" noreply
expect_eq "reference: 4100-byte query dropped" "$(awk '$1 == "www-A-4100" { print $2 }' "$T/ref")" noreply
expect_eq "reference: 4096-byte query answered" "$(awk '$1 == "www-A-4096" && $2 != "noreply" { print "yes" }' "$T/ref")" yes
# big TXT over 1232 bytes: TC set (flags byte 2 of the header, bit 0x02).
tc=$(awk '$1 == "big-TXT" { print substr($2, 5, 2) }' "$T/ref")
expect_eq "reference: big TXT truncated (TC)" "$(( 0x${tc:-00} & 2 ))" 2

# A burst of 5000 queries: far more than the 256 provided buffers, so the
# multishot receive runs out and is armed again; none may be lost or wrong.
for e in uring mmsg; do
	eval "port=\$PORT_$e"
	out=$("$PY" "$MIXPY" burst 127.0.0.1 "$port" 5000 "$T/ref")
	exp=$(echo "$out" | sed -n 's/.*expected=\([0-9]*\).*/\1/p')
	expect_eq "$e: burst of 5000 all answered right ($out)" \
		"$(echo "$out" | sed -n 's/.*answered=\([0-9]*\) wrong=\([0-9]*\)/\1 \2/p')" "${exp:-?} 0"
done

# 1000 queries queued while the server is stopped: on SIGCONT the kernel
# has more datagrams than provided buffers at once (ENOBUFS ends the
# multishot receive; the worker must arm it again and lose nothing).
for e in uring mmsg; do
	eval "port=\$PORT_$e pid=\$PID_$e"
	kill -STOP "$pid"
	"$PY" "$MIXPY" burst 127.0.0.1 "$port" 1000 "$T/ref" > "$T/paused.out" &
	bp=$!
	sleep 0.5
	kill -CONT "$pid"
	wait "$bp"
	out=$(cat "$T/paused.out")
	exp=$(echo "$out" | sed -n 's/.*expected=\([0-9]*\).*/\1/p')
	expect_eq "$e: 1000 queued while stopped, all answered right ($out)" \
		"$(echo "$out" | sed -n 's/.*answered=\([0-9]*\) wrong=\([0-9]*\)/\1 \2/p')" "${exp:-?} 0"
done


expect_eq "recvmmsg engine does not use io_uring" "$(grep -c 'worker [0-9]*: io_uring$' "$T/mmsg.log")" 0

# The engine is chosen at start: a reload that changes it says that the
# old one stays until a restart, and keeps answering.
sed -i 's/"udp_io": "recvmmsg"/"udp_io": "io_uring"/' "$T/mmsg.json"
kill -HUP "$PID_mmsg"
for _ in $(seq 50); do grep -q 'reload: server.udp_io' "$T/mmsg.log" && break; sleep 0.1; done
expect_match "reload of a changed udp_io: restart needed" "$(grep 'reload: server.udp_io' "$T/mmsg.log")" \
	"server.udp_io or server.xdp changed; still udp_io=recvmmsg xdp=none.* until a restart"
expect_eq "after that reload: still answers" "$(dig +short +time=2 +tries=2 -p "$PORT_mmsg" @127.0.0.1 www.t.test A)" 192.0.2.10

# A misspelt engine: refused with the file and line.
cat > "$T/bad.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"],
  "udp_io": "epoll" },
  "zones": [ { "name": "t.test", "file": "t.test.zone" } ] }
JSON
out=$("$STEERDNS" --check -c "$T/bad.json" 2>&1); rc=$?
expect_eq "bad udp_io: refused" "$rc" 1
expect_match "bad udp_io: file:line and the value" "$out" "bad.json:2: .*udp_io.*\"epoll\""

# Where the kernel has no io_uring (or it is turned off) the engine falls
# back to recvmmsg, and everything above tested that twice: say so.
if grep -q "io_uring not available" "$T/uring.log"; then
	[ $_failures -eq 0 ] || finish
	skip "io_uring is not available here ($(grep -m1 'io_uring not available' "$T/uring.log" | sed 's/.*available (//; s/).*//')): only the fallback was tested"
fi
expect_eq "io_uring engine in use on all 4 threads" "$(grep -c 'worker [0-9]*: io_uring$' "$T/uring.log")" 4
finish
