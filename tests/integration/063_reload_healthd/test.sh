#!/bin/bash
# 063_reload_healthd -- one reload for both daemons. `steerctl reload` (no
# SIGHUP to steer-healthd) makes healthd re-read the same config, and a pool
# member the reload adds is not answered until healthd has judged it:
#   a new dead member is never answered (polled from the reload on, for
#     interval + timeout + 1 s), and healthd reports it down;
#   a new live member is answered once healthd says up, within
#     interval + timeout + 1 s of the reload;
#   with healthd unreachable the fall-open rule applies (unknown counts as
#     up): a new member is answered at once;
#   a healthd reading another file refuses the reload and says why.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"

HP=$(free_port)
PORT=$(free_port)
CONF=$T/steerdns.json
mkdir -p "$T/state" "$T/www"
echo ok > "$T/www/index.html"
cat > "$T/example.test.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
  IN NS ns1
ns1 IN A 192.0.2.53
app 60 IN A 198.18.0.99
ZONE
INTERVAL_MS=1000 TIMEOUT_MS=300
write_conf() { # MEMBERS (JSON list items)
	cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state" },
  "checks": { "web": { "type": "http", "port": $HP, "path": "/", "interval": 1, "timeout": 0.3,
                       "fall": 2, "rise": 2 } },
  "pools": { "p": { "check": "web", "members": [$1] } },
  "records": { "app.example.test": { "ttl": 60, "failover": ["p"] } } }
JSON
}
backend() { # NAME ADDRESS
	start_bg "$1" /usr/bin/python3 -m http.server --bind "$2" "$HP" --directory "$T/www"
	for _ in $(seq 100); do curl -sf -o /dev/null "http://$2:$HP/" && return 0; sleep 0.05; done
	return 1
}
ans() { dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 app.example.test A | sort | tr '\n' ' ' | sed 's/ $//'; }
now_ms() { date +%s%3N; }
hd_state() { # TARGET -> its state as healthd reports it
	"$STEERCTL" -c "$CONF" --json status 2>/dev/null | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print(([t["state"] for t in j["targets"] if t["name"] == sys.argv[1]] or ["absent"])[0])' "$1"
}
# poll_never ADDRESS MS: fail if ADDRESS is in any answer during MS ms
poll_never() {
	local t0 seen=0 n=0
	t0=$(now_ms)
	while [ $(( $(now_ms) - t0 )) -lt "$2" ]; do
		case " $(ans) " in *" $1 "*) seen=$((seen + 1)) ;; esac
		n=$((n + 1)); sleep 0.02
	done
	echo "$seen of $n"
}
# wait_in ADDRESS MS: ms until ADDRESS is answered, or "never"
wait_in() {
	local t0; t0=$(now_ms)
	while [ $(( $(now_ms) - t0 )) -lt "$2" ]; do
		case " $(ans) " in *" $1 "*) echo $(( $(now_ms) - t0 )); return 0 ;; esac
		sleep 0.02
	done
	echo never; return 1
}

backend one 127.0.0.2 || { fail "backend one did not start"; finish; }
write_conf '"127.0.0.2"'
start_bg hd "$HEALTHD" -c "$CONF"
wait_file "$T/hd.sock" || { fail "healthd did not start"; finish; }
start_bg server "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
for _ in $(seq 100); do [ "$(hd_state web@127.0.0.2)" = up ] && break; sleep 0.05; done
expect_eq "start: the one member answers" "$(ans)" "127.0.0.2"

# 1. A dead member added by steerctl reload alone.
write_conf '"127.0.0.2", "127.0.0.3"'
"$STEERCTL" -c "$CONF" reload > "$T/reload1.out" 2>&1
expect_eq "reload 1 exit" "$?" 0
LIMIT=$((INTERVAL_MS + TIMEOUT_MS + 1000))
expect_eq "new dead member never answered (polls)" "$(poll_never 127.0.0.3 $LIMIT | cut -d' ' -f1)" 0
expect_eq "healthd reloaded without SIGHUP: new target judged down" "$(hd_state web@127.0.0.3)" down
expect_eq "old member still answers" "$(ans)" "127.0.0.2"
expect_match "steerdns logged the pending target" "$(cat "$T/server.log")" "1 new health target pending"
expect_match "steerdns logged healthd's reload" "$(cat "$T/server.log")" "healthd: reloaded .*steerdns.json, 2 targets"

# 2. A live member: answered once judged, within interval + timeout + 1 s.
backend three 127.0.0.4 || fail "backend three did not start"
write_conf '"127.0.0.2", "127.0.0.3", "127.0.0.4"'
"$STEERCTL" -c "$CONF" reload > /dev/null 2>&1
ms=$(wait_in 127.0.0.4 $LIMIT)
expect_match "new live member answered within $LIMIT ms (took $ms)" "$ms" '^[0-9]+$'
expect_eq "it was judged up by healthd" "$(hd_state web@127.0.0.4)" up
expect_eq "answer: the two live members" "$(ans)" "127.0.0.2 127.0.0.4"

# 3. healthd unreachable: a new member is answered at once (fall-open rule).
stop_bg hd
for _ in $(seq 50); do grep -q "connection lost" "$T/server.log" && break; sleep 0.05; done
write_conf '"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"'
"$STEERCTL" -c "$CONF" reload > /dev/null 2>&1
expect_eq "healthd away: new member answered (unknown counts as up)" "$(wait_in 127.0.0.5 500 | grep -c never)" 0
expect_match "the known-down member stays out" "$(ans)" "^127.0.0.2 127.0.0.4 127.0.0.5$"

# 4. A healthd that reads another file refuses steerdns' reload.
cp "$CONF" "$T/other.json"
rm -f "$T/hd.sock"
start_bg hd2 "$HEALTHD" -c "$T/other.json"
wait_file "$T/hd.sock" || fail "healthd 2 did not start"
for _ in $(seq 100); do grep -q "healthd: reads\|not reloading" "$T/server.log" && break; sleep 0.05; done
expect_match "refused: another file" "$(cat "$T/server.log")" "healthd: steer-healthd reads .*other.json, not .*steerdns.json: not reloading"
expect_match "healthd 2 logged the refusal" "$(cat "$T/hd2.log")" "reload request for .*steerdns.json refused"
finish
