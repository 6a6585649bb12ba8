#!/bin/bash
# 602_serial -- who sets the served serial ("serial" per zone, Knot's names):
#   keep (the default of a zone with transfers): content changed, serial not
#     -> that zone's reload is refused with a clear message, the old data serves;
#   increment: the served serial follows content changes the file's serial
#     does not show, stays put when nothing changed, and survives a restart
#     (server.state_dir/serial/ZONE); an NSD secondary follows by NOTIFY;
#   unixtime and dateserial: the time of the change.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/secondary.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
sec_have nsd || skip "no nsd installed"

PORT=$(free_port) SPORT=$(free_port)
CFG=$T/steerdns.json
mkdir -p "$T/state"
zone() { # NAME SERIAL WWW
	printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns1 hostmaster %s 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\nwww A %s\n' \
		"$1" "$2" "$3" > "$T/$1.zone"
}
cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1, "control_socket": "ctl.sock", "state_dir": "state" },
  "zones": [ { "name": "k.test", "file": "k.test.zone", "allow_transfer": ["127.0.0.1"] },
             { "name": "i.test", "file": "i.test.zone", "serial": "increment", "allow_transfer": ["127.0.0.1"],
               "notify": ["127.0.0.1:$SPORT"] },
             { "name": "u.test", "file": "u.test.zone", "serial": "unixtime" },
             { "name": "d.test", "file": "d.test.zone", "serial": "dateserial" } ] }
JSON
for z in k i u d; do zone $z.test 7 192.0.2.1; done
serial() { dig +short @127.0.0.1 -p "$PORT" "$1" SOA | awk '{print $3}'; }
www() { dig +short @127.0.0.1 -p "$PORT" "www.$1" A; }
ctl() { "$STEERCTL" -c "$CFG" "$@"; }
start() {
	start_bg server "$STEERDNS" -c "$CFG"
	wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
	wait_file "$T/ctl.sock"
}
t0=$(date +%s)
start
expect_eq "increment: first load serves the file's serial" "$(serial i.test)" 7
u=$(serial u.test)
[ "$u" -ge "$t0" ] 2>/dev/null && pass "unixtime: $u (the load's time)" || fail "unixtime: [$u] < $t0"
expect_eq "dateserial: today's YYYYMMDD00" "$(serial d.test)" "$(date -u +%Y%m%d)00"
sec_start nsd sec "$SPORT" i.test "$PORT" || fail "nsd: cannot start"
sec_wait_serial "$SPORT" i.test 7 30 && pass "nsd has i.test serial 7" || fail "nsd: [$(sec_serial "$SPORT" i.test)]"

# keep: changed content, same serial
zone k.test 7 192.0.2.2
out=$(ctl reload 2>&1); rc=$?
expect_eq "keep: the reload reports the zone (exit 1)" "$rc" 1
expect_match "keep: a clear message" "$out" 'zone k\.test changed but its SOA serial \(7\) did not: not loaded'
expect_eq "keep: the old data keeps serving" "$(www k.test)" 192.0.2.1
zone k.test 8 192.0.2.2
ctl reload > /dev/null; expect_eq "keep: with the serial raised it loads" "$(www k.test)/$(serial k.test)" 192.0.2.2/8

# increment: the file's serial stays 7, the content changes
zone i.test 7 192.0.2.3
start_t=$(date +%s.%N)
ctl reload > /dev/null
expect_eq "increment: changed content serves 8" "$(serial i.test)/$(www i.test)" 8/192.0.2.3
sec_wait_serial "$SPORT" i.test 8 5 && pass "the secondary follows (NOTIFY + AXFR) within 5 s" \
	|| fail "nsd: [$(sec_serial "$SPORT" i.test)] 5 s after the reload"
expect_eq "the secondary serves the change" "$(dig +short @127.0.0.1 -p "$SPORT" www.i.test A)" 192.0.2.3
ctl reload > /dev/null
expect_eq "increment: same content, same serial" "$(serial i.test)" 8
u1=$(serial u.test)
stop_bg server
start
expect_eq "increment: after a restart, still 8" "$(serial i.test)" 8
expect_eq "unixtime: after a restart, the same content keeps its serial" "$(serial u.test)" "$u1"
zone i.test 7 192.0.2.4
ctl reload > /dev/null
expect_eq "increment: the next change after the restart is 9" "$(serial i.test)" 9
zone u.test 7 192.0.2.4
sleep 1
ctl reload > /dev/null
u2=$(serial u.test)
[ "$u2" -gt "$u1" ] 2>/dev/null && pass "unixtime: a change moves it forward ($u1 -> $u2)" || fail "unixtime: $u1 -> $u2"
# `steerctl reload ZONE` applies the policy too.
zone i.test 7 192.0.2.5
ctl reload i.test > /dev/null
expect_eq "increment: steerctl reload ZONE moves it too" "$(serial i.test)/$(www i.test)" 10/192.0.2.5
zone k.test 8 192.0.2.6
ctl reload k.test > /dev/null 2>&1
expect_eq "keep: steerctl reload ZONE refuses the unbumped change too" "$(www k.test)" 192.0.2.2
finish
