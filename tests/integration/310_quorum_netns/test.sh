#!/bin/bash
# 310_quorum_netns -- health from three vantage points with a quorum.
#
# Three steer-healthd, each in a network namespace of its own, check the
# same two backends (HTTP servers in a fourth namespace, reached over a veth
# pair per healthd) and publish their state on TCP+TLS (certificates made
# here with openssl; client certificate + token). steerdns, in the root
# namespace, subscribes to all three over their veth pairs; app.example.test
# is failover primary (198.19.0.10) -> backup (198.19.0.20), and the check's
# quorum is the default: a majority of the live sources (2 of 3).
#   - one healthd cut off from the primary (iptables DROP in its namespace):
#     that healthd says down, the answer does not move;
#   - a second one cut off: the answer moves to the backup within
#     fall x interval + timeout + 100 ms of the cut (measured, printed);
#   - steerctl status shows each source's view and the combined verdict,
#     explain says which sources voted how;
#   - a client with a wrong token or without a client certificate gets
#     nothing; a source that goes silent stops voting after silent_after.
# Addresses: 198.18.0.0/15 only, on veth ends and namespace loopbacks this
# test creates; every namespace is deleted on exit.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"
[ "$(id -u)" = 0 ] || skip "network namespaces need root"
command -v iptables > /dev/null || skip "iptables is not installed"
command -v openssl > /dev/null || skip "openssl is not installed"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed for the backends"

S=$(( ($$ + RANDOM) % 9000 + 1000 ))
NS_B=q${S}b
NSS=""
ns_cleanup() {
	for n in $NSS; do ip netns del "$n" 2> /dev/null; done
}
trap 'cleanup; ns_cleanup' EXIT
# A /24 base free in the root namespace (other tests may use 198.18 too).
BASE=""
for try in $(seq 20); do
	b=$(( (S + try * 7) % 40 * 6 + 2 ))
	ip -4 addr | grep -q "198\.18\.$b\." || { BASE=$b; break; }
done
[ -n "$BASE" ] || skip "no free 198.18.x.0/24 in the root namespace"

ip netns add "$NS_B" 2> "$T/netns.err" || skip "netns creation refused: $(cat "$T/netns.err")"
NSS="$NS_B"
# ip netns exec remounts /sys, which a chroot (the fresh-root check) refuses.
ip netns exec "$NS_B" true 2> "$T/netns.err" || skip "cannot run in a network namespace here: $(head -n 1 "$T/netns.err")"
ip -n "$NS_B" link set lo up
ip -n "$NS_B" addr add 198.19.0.10/32 dev lo
ip -n "$NS_B" addr add 198.19.0.20/32 dev lo

PUB=8853
for i in 1 2 3; do
	ns=q${S}h$i rnet=198.18.$((BASE + i)) bnet=198.18.$((BASE + 10 + i))
	ip netns add "$ns" || { fail "netns $ns"; finish; }
	NSS="$NSS $ns"
	ip -n "$ns" link set lo up
	# root <-> healthd i: what steerdns connects over
	ip link add "q${S}r$i" type veth peer name "q${S}n$i" netns "$ns"
	ip addr add "$rnet.1/24" dev "q${S}r$i"
	ip link set "q${S}r$i" up
	ip -n "$ns" addr add "$rnet.2/24" dev "q${S}n$i"
	ip -n "$ns" link set "q${S}n$i" up
	# healthd i <-> backends
	ip -n "$ns" link add "q${S}c$i" type veth peer name "q${S}d$i" netns "$NS_B"
	ip -n "$ns" addr add "$bnet.2/24" dev "q${S}c$i"
	ip -n "$ns" link set "q${S}c$i" up
	ip -n "$NS_B" addr add "$bnet.1/24" dev "q${S}d$i"
	ip -n "$NS_B" link set "q${S}d$i" up
	ip -n "$ns" route add 198.19.0.0/24 via "$bnet.1"
done

# --- certificates: one CA, a server certificate per healthd (IP SAN), a client one.
cd "$T" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem 2> /dev/null
mkcert() { # NAME SAN
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2> /dev/null
	printf 'subjectAltName=%s\n' "$2" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile "$1.ext" \
		-out "$1.pem" 2> /dev/null
}
for i in 1 2 3; do mkcert "hd$i" "IP:198.18.$((BASE + i)).2"; done
mkcert steerdns "DNS:steerdns.test"
[ -s hd3.pem ] && [ -s steerdns.pem ] || { fail "openssl could not make the certificates"; finish; }
TOKEN=qtok-$RANDOM$RANDOM

HP=8080 PORT=$(free_port)
INTERVAL=1 TIMEOUT=0.5 FALL=2
steer_zone 198.19.0.10
CHECKS='"checks": { "web": { "type": "http", "port": '$HP', "path": "/", "interval": '$INTERVAL', "timeout": '$TIMEOUT', "fall": '$FALL', "rise": 2 } },
  "pools": { "primary": { "check": "web", "members": ["198.19.0.10"] },
             "backup": { "check": "web", "members": ["198.19.0.20"] } }'
for i in 1 2 3; do
	mkdir -p "hd$i"
	cat > "hd$i.json" <<JSON
{ "healthd": { "socket": "hd$i/hd.sock", "state_file": "hd$i/state",
               "publish": { "listen": ["198.18.$((BASE + i)).2:$PUB"], "cert_file": "hd$i.pem", "key_file": "hd$i.key",
                            "client_ca_file": "ca.pem", "token": "$TOKEN", "heartbeat": 0.5 } },
  $CHECKS }
JSON
done
src() { echo '{ "name": "hd'$1'", "connect": "198.18.'$((BASE + $1))'.2:'$PUB'", "ca_file": "ca.pem",
  "cert_file": "steerdns.pem", "key_file": "steerdns.key", "token": "'$TOKEN'" }'; }
CONF=$T/steerdns.json
cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "healthd": { "sources": [ $(src 1), $(src 2), $(src 3) ], "silent_after": 3 },
  $CHECKS,
  "records": { "app.example.test": { "ttl": 60, "failover": ["primary", "backup"] } } }
JSON
mkdir -p www && echo ok > www/index.html
for a in 10 20; do
	start_bg "be$a" ip netns exec "$NS_B" /usr/bin/python3 -m http.server --bind 198.19.0.$a "$HP" --directory "$T/www"
done
for i in 1 2 3; do start_bg "hd$i" ip netns exec "q${S}h$i" "$HEALTHD" -c "$T/hd$i.json"; done
for i in 1 2 3; do wait_file "$T/hd$i/hd.sock" || { cat "$T/hd$i.log"; fail "healthd $i did not start"; finish; }; done
start_bg server "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }

ans() { dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 app.example.test A | sort | tr '\n' ' ' | sed 's/ $//'; }
now_ms() { date +%s%3N; }
status_json() { "$STEERCTL" -c "$CONF" --json status 2> /dev/null; }
# view SOURCE TARGET: that source's vote as steerctl status shows it ("combined": the verdict)
view() {
	status_json | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
for t in j.get("targets", []):
    if t["name"] == sys.argv[2]:
        print(t["state"] if sys.argv[1] == "combined" else t["votes"].get(sys.argv[1], "absent")); break
else:
    print("absent")' "$1" "$2"
}
wait_view() { # SOURCE TARGET STATE SECONDS
	for _ in $(seq $(( $4 * 20 ))); do [ "$(view "$1" "$2")" = "$3" ] && return 0; sleep 0.05; done
	return 1
}

for i in 1 2 3; do
	wait_view "hd$i" web@198.19.0.10 up 10 || fail "source hd$i never reported the primary up ($(view hd$i web@198.19.0.10))"
done
expect_eq "start: the primary answers" "$(ans)" "198.19.0.10"
expect_match "steerdns subscribed over TLS" "$(cat "$T/server.log")" "healthd hd3: subscribed"

# 1. One healthd cut off from the primary: it says down, the answer stays.
ip netns exec "q${S}h1" iptables -A OUTPUT -d 198.19.0.10 -j DROP
LIMIT_MS=$(awk "BEGIN{print int($FALL * $INTERVAL * 1000 + $TIMEOUT * 1000 + 100)}")
wait_view hd1 web@198.19.0.10 down 10 || fail "hd1 did not see the primary down"
moved=0 n=0 t0=$(now_ms)
while [ $(( $(now_ms) - t0 )) -lt $((LIMIT_MS + 1000)) ]; do
	[ "$(ans)" = 198.19.0.10 ] || moved=$((moved + 1))
	n=$((n + 1)); sleep 0.05
done
expect_eq "one source down: the answer did not move ($n queries)" "$moved" 0
expect_eq "combined verdict with 1 of 3 down" "$(view combined web@198.19.0.10)" up
"$STEERCTL" -c "$CONF" status > status1.txt 2>&1
expect_match "status shows the sources" "$(cat status1.txt)" "hd1 .*tls.*198\.18\.$((BASE + 1))\.2:$PUB"
expect_match "status shows each source's view and the verdict" "$(grep 'web@198.19.0.10' status1.txt)" \
	"web@198.19.0.10 +up +down +up +up"
"$STEERCTL" -c "$CONF" explain app.example.test A > explain1.txt 2>&1
expect_match "explain says who voted how" "$(cat explain1.txt)" "hd1 down, hd2 up, hd3 up"
cat status1.txt explain1.txt

# 2. A second one: the majority says down, the answer moves to the backup.
t0=$(now_ms)
ip netns exec "q${S}h2" iptables -A OUTPUT -d 198.19.0.10 -j DROP
took=never
while [ $(( $(now_ms) - t0 )) -lt $((LIMIT_MS * 3)) ]; do
	[ "$(ans)" = 198.19.0.20 ] && { took=$(( $(now_ms) - t0 )); break; }
	sleep 0.01
done
echo "quorum timing: answer moved ${took} ms after the second cut (bound fall x interval + timeout + 100 ms = $LIMIT_MS ms)" | tee timings
expect_match "two of three down: the answer moved" "$took" '^[0-9]+$'
[ "$took" != never ] && [ "$took" -le "$LIMIT_MS" ] || fail "moved after $took ms, over $LIMIT_MS ms"
expect_eq "combined verdict with 2 of 3 down" "$(view combined web@198.19.0.10)" down

# 3. Uncut both: back to the primary (rise).
ip netns exec "q${S}h1" iptables -F OUTPUT
ip netns exec "q${S}h2" iptables -F OUTPUT
for _ in $(seq 100); do [ "$(ans)" = 198.19.0.10 ] && break; sleep 0.1; done
expect_eq "both uncut: the primary answers again" "$(ans)" "198.19.0.10"

# 4. Authentication: a wrong token, and no client certificate.
probe() { # ARGS for the python TLS client -> first reply line or the error
	/usr/bin/python3 - "$@" <<'PY' 2>&1
import json, socket, ssl, sys
host, port, ca, cert, key, token = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
if cert != "-":
    ctx.load_cert_chain(cert, key)
try:
    s = ctx.wrap_socket(socket.create_connection((host, int(port)), timeout=3), server_hostname=host)
    s.sendall((json.dumps({"v": 1, "cmd": "status", "token": token}) + "\n").encode())
    print(s.makefile().readline().strip() or "closed")
except Exception as e:
    print("refused:", type(e).__name__)
PY
}
H3=198.18.$((BASE + 3)).2
expect_match "the right token and certificate get the state" "$(probe $H3 $PUB ca.pem steerdns.pem steerdns.key "$TOKEN")" '"ok": *true'
expect_match "a wrong token is refused" "$(probe $H3 $PUB ca.pem steerdns.pem steerdns.key wrong)" 'authentication required'
expect_match "no client certificate: no state" "$(probe $H3 $PUB ca.pem - - "$TOKEN")" 'refused|closed'

# 5. A silent source stops voting after silent_after (3 s): stop healthd 3,
# cut healthd 1; with hd2 up and hd1 down of 2 live, 2 downs are needed.
stop_bg hd3
for _ in $(seq 100); do [ "$(status_json | /usr/bin/python3 -c 'import json,sys; print([s["live"] for s in json.load(sys.stdin)["sources"] if s["name"]=="hd3"][0])')" = False ] && break; sleep 0.1; done
expect_eq "hd3 no longer live after silent_after" "$(status_json | /usr/bin/python3 -c 'import json,sys; print([s["live"] for s in json.load(sys.stdin)["sources"] if s["name"]=="hd3"][0])')" False
ip netns exec "q${S}h1" iptables -A OUTPUT -d 198.19.0.10 -j DROP
wait_view hd1 web@198.19.0.10 down 10 || fail "hd1 did not see the primary down again"
expect_eq "1 of 2 live down: still up" "$(ans)" "198.19.0.10"
finish
