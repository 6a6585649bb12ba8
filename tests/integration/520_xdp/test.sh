#!/bin/bash
# 520_xdp -- the AF_XDP listener on a veth pair between two network
# namespaces that this test creates (198.18.0.1 and .2, deleted on exit).
# steerdns runs in one namespace with server.xdp on its veth end for UDP
# port P, and a normal listener on P (for TCP) and on P2. Checked: UDP
# queries to P are answered without the kernel's UDP stack (the namespace's
# Udp InDatagrams counter does not move) while TCP to P and UDP to P2
# still work (the XDP program passes them on, ARP too); every packet file of
# tests/data/packets (and ../shared/testdata/dns-packets) gets byte-identical replies from P (XDP) and P2 (the
# kernel socket of the same process); queries the kernel drops while the
# process is stopped (RX ring full) show in steerdns_xdp_dropped_total and
# in the exit log; under kxdpgun's overload right after such a stall no
# reply is dropped on the TX side; the program is detached at exit.
# Skipped with the reason when the build or the kernel has no AF_XDP.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
grep -q '^#define HAVE_XDP 1' "$BUILD/config.h" 2>/dev/null || grep -q '^#define HAVE_XDP 1' "$STEER_SRC/build/config.h" 2>/dev/null ||
	skip "steerdns built without AF_XDP (configure found no libxdp-dev, libbpf-dev or clang)"
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and XDP"
command -v ip > /dev/null || skip "no ip (iproute2)"

NA=steer-xa$$ NB=steer-xb$$ VA=sxa$$ VB=sxb$$
VA=${VA:0:15} VB=${VB:0:15}
trap 'cleanup; ip netns del "$NA" 2>/dev/null; ip netns del "$NB" 2>/dev/null' EXIT
ip netns add "$NA" 2>/dev/null && ip netns add "$NB" ||
	skip "cannot create network namespaces here"
ip link add "$VA" type veth peer name "$VB" || skip "cannot create a veth pair"
ip link set "$VA" netns "$NA" && ip link set "$VB" netns "$NB" || skip "cannot move the veth ends"
ip -n "$NA" addr add 198.18.0.1/30 dev "$VA"
ip -n "$NB" addr add 198.18.0.2/30 dev "$VB"
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set "$VA" up
ip -n "$NB" link set "$VB" up

P=5300 P2=5301 PM=5302 # inside our own namespaces: no other listener can be there
sed -e "s|\"listen\": \[[^]]*\]|\"listen\": [\"198.18.0.1:$P\", \"198.18.0.1:$P2\"], \"xdp\": {\"interface\": \"$VA\", \"port\": $P}|" \
	-e "s|^\t\"server\": |\t\"metrics\": { \"listen\": [\"198.18.0.1:$PM\"] },\n\t\"server\": |" \
	-e "s|\"\.\./data/zones/|\"$STEER_SRC/tests/data/zones/|g" \
	-e "s|\"\.\./\.\./zones/|\"$STEER_SRC/zones/|g" \
	"$STEER_SRC/tests/fuzz/fuzz.json" > "$T/steerdns.json"
grep -q '"xdp"' "$T/steerdns.json" || { fail "could not write the config"; finish; }
start_bg server ip netns exec "$NA" "$STEERDNS" -c "$T/steerdns.json"
for _ in $(seq 100); do
	grep -q "serving" "$T/server.log" && break
	kill -0 "$PID_server" 2> /dev/null || break
	sleep 0.05
done
if ! grep -q "AF_XDP: $VA" "$T/server.log"; then
	cat "$T/server.log"
	grep -q "cannot attach\|refused the XDP program\|AF_XDP socket" "$T/server.log" &&
		skip "the kernel refused XDP here: $(grep -o 'server/xdp: .*' "$T/server.log" | head -n 1)"
	fail "steerdns did not start its AF_XDP listener"; finish
fi
grep "AF_XDP" "$T/server.log"
expect_match "XDP program attached to $VA" "$(ip -n "$NA" link show "$VA")" "xdp"

dq() { ip netns exec "$NB" dig +time=2 +tries=1 +norec @198.18.0.1 "$@" 2>&1; }
udp_in() { ip netns exec "$NA" awk '/^Udp:/ && $2 ~ /^[0-9]+$/ { print $2 }' /proc/net/snmp; }

r=$(dq -p $P example.org SOA)
expect_match "UDP to the XDP port answers" "$r" "status: NOERROR"
before=$(udp_in)
n_ok=0
for i in $(seq 200); do
	dq -p $P +short "www.example.org" A > /dev/null && n_ok=$((n_ok + 1))
done
after=$(udp_in)
expect_eq "200 UDP queries to the XDP port answered" "$n_ok" 200
# Only the kernel's own traffic may count here (none is expected on this link).
expect_eq "...without the kernel's UDP stack (Udp InDatagrams delta)" "$(( after - before < 5 ? 0 : after - before ))" 0

r=$(dq -p $P +tcp example.org SOA)
expect_match "TCP to the XDP port goes to the kernel (passed by the program)" "$r" "status: NOERROR"
before=$(udp_in)
r=$(dq -p $P2 example.org SOA)
after=$(udp_in)
expect_match "UDP to another port goes to the kernel socket" "$r" "status: NOERROR"
expect_eq "...and the kernel counted it" "$(( after > before ? 1 : 0 ))" 1

# Byte for byte: XDP (P) against the kernel socket (P2) of the same process.
files=$(find "$STEER_SRC/tests/data/packets" -type f | sort)
if [ -d "$SHARED_TESTDATA/dns-packets" ]; then
	files="$files
$(find "$SHARED_TESTDATA/dns-packets" -type f -size -4k | sort)"
else
	echo "note: $SHARED_TESTDATA/dns-packets not found: comparing the local packet files only"
fi
# shellcheck disable=SC2086
out=$(timeout 90 ip netns exec "$NB" /usr/bin/python3 "$TESTDIR/compare.py" 198.18.0.1 $P $P2 $files)
rc=$?
echo "$out" | tail -n 15
expect_eq "every packet file: identical replies over XDP and the kernel path" "$rc" 0
expect_match "...at least 10 of them answered" "$(echo "$out" | tail -n 1)" "[0-9]{2,} replied on both"

# Kernel drops: stop the process, send more queries than the RX ring holds
# (2048), go on. The kernel fills the ring while we are stopped and drops
# the rest; /metrics must say so and the server must answer again.
# metric_value SAMPLE: the value of one /metrics sample (name and labels as printed).
metric_value() { ip netns exec "$NB" curl -s --max-time 5 "http://198.18.0.1:$PM/metrics" |
	awk -v k="$1" '$1 == k { print $2 }'; }
metric() { metric_value "steerdns_xdp_dropped_total{queue=\"0\",reason=\"$1\"}"; }
expect_eq "steerdns_xdp_dropped_total ring_full is 0 before" "$(metric ring_full)" 0
expect_eq "...and no_frame" "$(metric no_frame)" 0
kill -STOP "$PID_server"
# example.org SOA, id 0x1234, as one datagram per write
ip netns exec "$NB" bash -c "exec 3> /dev/udp/198.18.0.1/$P
	for i in \$(seq 3000); do printf '\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x06\x00\x01' >&3; done"
kill -CONT "$PID_server"
sleep 0.5
dropped=$(metric ring_full)
echo "ring_full after 3000 queries to a stopped server: $dropped"
expect_eq "the RX-ring drops are counted (at least 900 of the 952 past the ring)" "$(( ${dropped:-0} >= 900 ? 1 : 0 ))" 1
r=$(dq -p $P example.org SOA)
expect_match "...and the server answers over XDP again" "$r" "status: NOERROR"

# Overload right after a stall: kxdpgun (AF_XDP on the other end) offers
# more than one core answers while the server is stopped, and goes on after
# SIGCONT, so every batch is full. Copy mode sends at most 32 frames per
# kick and a batch holds 64: kicked once per batch, the TX backlog grew by
# 32 a turn until the TX ring was full and replies were dropped
# (steerdns_dropped_total); kick_tx kicks until the ring is taken.
if command -v kxdpgun > /dev/null; then
	printf 'example.org. SOA\nwww.example.org. A\n' > "$T/gun.q"
	d0=$(metric_value steerdns_dropped_total)
	kill -STOP "$PID_server"
	ip netns exec "$NB" timeout -k 5 30 kxdpgun -t 4 -Q 500000 -p $P -i "$T/gun.q" -I "$VB" 198.18.0.1 \
		> "$T/gun.log" 2>&1 &
	gun=$!
	sleep 1
	kill -CONT "$PID_server"
	wait "$gun"
	d1=$(metric_value steerdns_dropped_total)
	cat "$T/gun.log"
	replies=$(awk '/^total replies:/ { print $3 }' "$T/gun.log")
	echo "kxdpgun overload after a stall: ${replies:-?} replies, steerdns_dropped_total $d0 -> $d1"
	expect_eq "overload after a stall: kxdpgun got replies (at least 50000)" "$(( ${replies:-0} >= 50000 ? 1 : 0 ))" 1
	expect_eq "...and steerdns dropped none of its replies (the TX ring kept up)" "$(( ${d1:-1} - ${d0:-0} ))" 0
else
	echo "note: kxdpgun (knot-dnsutils) not installed: the overload part is not run"
fi

kill -0 "$PID_server" 2> /dev/null && pass "steerdns still running" || fail "steerdns exited"
stop_bg server
expect_match "the exit log names the drops" "$(cat "$T/server.log")" "queue 0: the kernel dropped queries: [0-9]+ with the RX ring full"
if ip -n "$NA" link show "$VA" | grep -q "prog/xdp"; then fail "XDP program still attached after exit"; else pass "XDP program detached at exit"; fi
r=$(dq -p $P example.org SOA)
expect_match "after exit the port is the kernel's again (nothing listens: no answer)" "$r" "timed out|no servers|refused"
finish
