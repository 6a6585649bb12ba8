#!/bin/bash
# 091_sd_notify -- both daemons speak sd_notify(3) as the Type=notify units
# expect: READY=1 only once they serve (a query sent right after READY=1 is
# answered), RELOADING=1 with MONOTONIC_USEC then READY=1 around a SIGHUP
# reload (also one with a zone that did not load, or a rejected one: STATUS
# says so), STOPPING=1 on SIGTERM,
# and a STATUS= line with each. A test listener plays systemd's notify
# socket. steer-healthd runs with healthd.user=nobody: its messages must
# still arrive after the privilege drop.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed for the notify socket listener"
id nobody > /dev/null 2>&1 || skip "no user nobody"
chmod 755 "$T"   # nobody reaches the notify socket and healthd's files

# listen NAME: a notify socket $T/NAME.sock whose messages go to $T/NAME.msgs.
listen() {
	start_bg "$1-listener" /usr/bin/python3 "$TESTDIR/notify_listen.py" "$T/$1.sock" "$T/$1.msgs" 60
	for _ in $(seq 100); do [ -S "$T/$1.sock" ] && grep -q listening "$T/$1.msgs" 2>/dev/null && return 0; sleep 0.05; done
	fail "notify listener $1 did not start"; finish
}
# wait_msg NAME N REGEX: until message line N (1 = first message) matches (10 s).
wait_msg() {
	for _ in $(seq 200); do
		sed -n "$(($2 + 1))p" "$T/$1.msgs" | grep -Eq -- "$3" && return 0
		sleep 0.05
	done
	echo "no message $2 matching /$3/ for $1; got:" >&2; cat "$T/$1.msgs" >&2; return 1
}
msg() { sed -n "$(($2 + 1))p" "$T/$1.msgs"; }

# --- steerdns ---
make_zone 1 192.0.2.10
write_config
listen dns
NOTIFY_SOCKET=$T/dns.sock start_bg steerdns "$STEERDNS" -c "$CFG"
pid=$(cat "$T/steerdns.pid")
if wait_msg dns 1 '^READY=1'; then
	# No wait here: READY=1 promises the sockets listen and the zones are loaded.
	expect_eq "steerdns: answers as soon as READY=1 arrives" "$(q www.t.test A)" "192.0.2.10"
	expect_match "steerdns: READY=1 with a STATUS" "$(msg dns 1)" "^READY=1 \| STATUS=serving 1 zone on 2 addresses, generation 1$"
else
	fail "steerdns: no READY=1"
fi
make_zone 2 192.0.2.20
kill -HUP "$pid"
wait_msg dns 2 '^RELOADING=1' || fail "steerdns: no RELOADING=1 after SIGHUP"
expect_match "steerdns: RELOADING=1 carries MONOTONIC_USEC" "$(msg dns 2)" "^RELOADING=1 \| MONOTONIC_USEC=[0-9]+ \| STATUS=reloading$"
# MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds, as systemd compares it.
now_us=$(/usr/bin/python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)')
sent_us=$(msg dns 2 | sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p')
expect_eq "steerdns: MONOTONIC_USEC is near CLOCK_MONOTONIC now" \
	"$([ -n "$sent_us" ] && [ $(( now_us - sent_us )) -gt -5000000 ] && [ $(( now_us - sent_us )) -lt 60000000 ] && echo yes)" yes
wait_msg dns 3 '^READY=1' || fail "steerdns: no READY=1 after the reload"
expect_match "steerdns: READY=1 after the reload, generation 2" "$(msg dns 3)" "STATUS=serving 1 zone on 2 addresses, generation 2$"
expect_eq "steerdns: the reload took" "$(q www.t.test A)" "192.0.2.20"
# A zone that does not load keeps its old version; the reload applies and STATUS says so.
make_zone 3 192.0.2.30 1
kill -HUP "$pid"
wait_msg dns 4 '^RELOADING=1' || fail "steerdns: no RELOADING=1 for the reload with a bad zone"
wait_msg dns 5 '^READY=1' || fail "steerdns: no READY=1 after the reload with a bad zone"
expect_match "steerdns: STATUS names the zone that did not load" "$(msg dns 5)" "STATUS=serving 1 zone on 2 addresses, generation 3; 1 zone did not load$"
# A rejected reload (broken config) ends with READY=1 too: the old data keeps serving.
cp "$CFG" "$T/good.json"
echo '{ "server": ' > "$CFG"
kill -HUP "$pid"
wait_msg dns 6 '^RELOADING=1' || fail "steerdns: no RELOADING=1 for the bad reload"
wait_msg dns 7 '^READY=1' || fail "steerdns: no READY=1 after the rejected reload"
expect_match "steerdns: STATUS says the reload was rejected" "$(msg dns 7)" "STATUS=reload rejected \(1 error\); generation 3 still serving$"
expect_eq "steerdns: still answering after it" "$(q www.t.test A)" "192.0.2.20"
cp "$T/good.json" "$CFG"
kill -TERM "$pid"
wait_msg dns 8 '^STOPPING=1' || fail "steerdns: no STOPPING=1 after SIGTERM"
expect_eq "steerdns: STOPPING=1 message" "$(msg dns 8)" "STOPPING=1 | STATUS=stopping"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
expect_eq "steerdns: exited after STOPPING=1" "$(kill -0 "$pid" 2>/dev/null && echo running || echo gone)" gone

# --- steer-healthd, dropping to nobody ---
mkdir -m 755 "$T/hd"
chown nobody "$T/hd"
HCFG=$T/healthd.json
cat > "$HCFG" <<JSON
{
	"healthd": { "socket": "hd/hd.sock", "state_file": "hd/hd.state", "user": "nobody" },
	"checks": { "c": { "type": "exec", "command": ["/bin/true"], "interval": 1, "timeout": 0.5 } },
	"pools": { "p": { "check": "c", "members": ["127.0.0.1"] } }
}
JSON
listen hd
NOTIFY_SOCKET=$T/hd.sock start_bg healthd "$HEALTHD" -c "$HCFG"
hpid=$(cat "$T/healthd.pid")
if wait_msg hd 1 '^READY=1'; then
	expect_eq "healthd: socket there as soon as READY=1 arrives" "$([ -S "$T/hd/hd.sock" ] && echo yes)" yes
	expect_match "healthd: READY=1 with a STATUS" "$(msg hd 1)" "^READY=1 \| STATUS=monitoring 1 target, socket .*/hd/hd\.sock$"
else
	fail "healthd: no READY=1"
fi
expect_match "healthd: it did drop to nobody" "$(grep '^Uid:' /proc/$hpid/status)" "^Uid:\s+$(id -u nobody)\s"
kill -HUP "$hpid"
wait_msg hd 2 '^RELOADING=1 \| MONOTONIC_USEC=[0-9]+' || fail "healthd: no RELOADING=1 after SIGHUP"
wait_msg hd 3 '^READY=1 \| STATUS=monitoring 1 target' || fail "healthd: no READY=1 after the reload"
kill -TERM "$hpid"
wait_msg hd 4 '^STOPPING=1' || fail "healthd: no STOPPING=1 after SIGTERM"
finish
