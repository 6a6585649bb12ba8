#!/bin/bash
# 092_privdrop -- server.user/group and healthd.user/group: both daemons bind
# as root, then run as a user and group this test creates, with no
# capability left (/proc/PID/status), and still answer and reload (zone
# files are read as the user: one it cannot read does not load). Their sockets
# belong to the group, mode 0660: a user in the group can use steerctl (zones,
# drain), a user outside it cannot (exit 3, "permission denied on ... socket"). Exec
# checks run as the user. Started by another non-root user, steerdns refuses
# with a clear message; started by the user itself, it runs. In a network
# namespace of its own, steerdns binds port 53 (and /metrics on port 80)
# before the drop, and a reload that adds a port below 1024 is refused with
# a warning, not a crash.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ "$(id -u)" = 0 ] || skip "needs root (useradd, setpriv)"
for t in useradd groupadd userdel groupdel setpriv; do
	command -v "$t" > /dev/null || skip "no $t (Debian packages passwd, util-linux)"
done

G=stg$$ D=stgd$$ IN=stgi$$ OUT=stgo$$ NS=steer-priv-$$
ns_made=0
drop_users() {
	cleanup
	[ $ns_made = 1 ] && ip netns del "$NS" 2>/dev/null
	for u in $D $IN $OUT; do userdel "$u" 2>/dev/null; done
	groupdel "$G" 2>/dev/null
}
trap drop_users EXIT
groupadd -r "$G" || skip "groupadd failed"
useradd -r -M -N -g "$G" -d /nonexistent -s /usr/sbin/nologin "$D" &&
	useradd -r -M -N -g nogroup -G "$G" -d /nonexistent -s /usr/sbin/nologin "$IN" &&
	useradd -r -M -N -g nogroup -d /nonexistent -s /usr/sbin/nologin "$OUT" || skip "useradd failed"
uid=$(id -u "$D") gid=$(getent group "$G" | cut -d: -f3)
# as USER ARGS...: run a command as a test user, with its groups (setpriv).
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }

chmod 755 "$T"            # the users read the config and zones below it
# The test users run the programs themselves: use copies they can reach (a
# checkout under /root, as on a fresh machine, is not).
mkdir -m 755 "$T/bin"
cp "$STEERDNS" "$STEERCTL" "$HEALTHD" "$T/bin/" && chmod 755 "$T"/bin/*
STEERDNS=$T/bin/steerdns STEERCTL=$T/bin/steerctl HEALTHD=$T/bin/steer-healthd
mkdir -m 755 "$T/run"     # 0755: the sockets' own mode is what keeps others out
mkdir -m 750 "$T/state"
chown "$D:$G" "$T/run" "$T/state"
make_zone 1 192.0.2.10
chmod 644 "$T/t.test.zone"

# conf PORT CONTROL_SOCKET [EXTRA_SERVER_JSON [EXTRA_TOP_JSON]]: $CFG for both daemons.
conf() {
	cat > "$CFG" <<JSON
{
	"server": { "listen": ["127.0.0.1:$1"], "workers": 1, "control_socket": "$2",
		    "user": "$D", "group": "$G"${3:+, $3} },
	"healthd": { "socket": "run/hd.sock", "state_file": "state/hd.state", "user": "$D", "group": "$G" },
	"checks": { "who": { "type": "exec", "interval": 0.3, "timeout": 1,
			     "command": ["/bin/sh", "-c", "{ id -u; id -g; id -G; } > $T/run/exec.tmp && mv $T/run/exec.tmp $T/run/exec.id"] } },
	"pools": { "p": { "check": "who", "members": ["127.0.0.1"] } },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ]${4:+, $4}
}
JSON
}
# status_of PID FIELD: the numbers of one /proc/PID/status line.
status_of() { sed -n "s/^$2:\s*//p" "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ $//'; }

# 1. The control socket in a directory the user cannot write ($T is root's):
#    refused at startup, reported at the config key (not a failed bind).
conf "$PORT" ctl.sock
start_bg bad "$STEERDNS" -c "$CFG"
bpid=$(cat "$T/bad.pid")
for _ in $(seq 100); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.05; done
wait "$bpid"; rc=$?
expect_eq "unwritable control socket directory: steerdns exits 1" "$rc" 1
expect_match "... naming the config key and the user" "$(cat "$T/bad.log")" \
	"steerdns\.json:2: server/control_socket: directory $T \(for $T/ctl\.sock\) is not writable by user $D \(uid $uid, gid $gid\): Permission denied"

# 2. Both daemons as D:G.
conf "$PORT" run/ctl.sock
start_bg healthd "$HEALTHD" -c "$CFG"
wait_file "$T/run/hd.sock" || fail "healthd did not start: $(cat "$T/healthd.log")"
start_bg steerdns "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || fail "steerdns did not start: $(cat "$T/steerdns.log")"
wait_file "$T/run/ctl.sock"
spid=$(cat "$T/steerdns.pid") hpid=$(cat "$T/healthd.pid")
for who in steerdns:$spid healthd:$hpid; do
	n=${who%%:*} p=${who#*:}
	expect_eq "$n: Uid (real, effective, saved, fs)" "$(status_of "$p" Uid)" "$uid $uid $uid $uid"
	expect_eq "$n: Gid" "$(status_of "$p" Gid)" "$gid $gid $gid $gid"
	expect_eq "$n: supplementary groups: only $G" "$(status_of "$p" Groups)" "$gid"
	expect_eq "$n: CapEff" "$(status_of "$p" CapEff)" 0000000000000000
	expect_eq "$n: CapPrm" "$(status_of "$p" CapPrm)" 0000000000000000
	expect_eq "$n: CapAmb" "$(status_of "$p" CapAmb)" 0000000000000000
done
# Every thread of steerdns (UDP workers, TCP) runs as D too.
bad_threads=$(for f in /proc/"$spid"/task/*/status; do sed -n 's/^Uid:\s*//p' "$f"; done | tr -s ' \t' ' ' | grep -cv "^$uid $uid $uid $uid")
expect_eq "steerdns: no thread left with another uid" "$bad_threads" 0
expect_eq "answers as $D" "$(q www.t.test A)" "192.0.2.10"
# bind() makes the socket before chmod() and chown() reach it: give them a moment.
for _ in $(seq 20); do [ "$(stat -c '%U:%G %a' "$T/run/ctl.sock")" = "$D:$G 660" ] && break; sleep 0.05; done
expect_eq "control socket: owner, group, mode" "$(stat -c '%U:%G %a' "$T/run/ctl.sock")" "$D:$G 660"
expect_eq "health socket: owner, group, mode" "$(stat -c '%U:%G %a' "$T/run/hd.sock")" "$D:$G 660"
# The check renames a whole file into place every 0.3 s: a read never sees
# one half written.
for _ in $(seq 100); do [ -e "$T/run/exec.id" ] && break; sleep 0.05; done
expect_eq "exec check ran as $D:$G, groups $G only" "$(tr '\n' ' ' < "$T/run/exec.id")" "$uid $gid $gid "

# 3. Reload as the user: a new zone serves; one the user cannot read does
#    not load (so zones are read as D, not as root) and its old version stays.
make_zone 2 192.0.2.20
kill -HUP "$spid"
for _ in $(seq 100); do grep -q "reload done: generation 2" "$T/steerdns.log" && break; sleep 0.05; done
expect_eq "SIGHUP reload as $D: new data" "$(q www.t.test A)" "192.0.2.20"
make_zone 3 192.0.2.30
chmod 600 "$T/t.test.zone"
kill -HUP "$spid"
for _ in $(seq 100); do grep -q "zone did not load" "$T/steerdns.log" && break; sleep 0.05; done
expect_match "a zone $D cannot read: not loaded, with the reason" "$(cat "$T/steerdns.log")" "t\.test\.zone.*Permission denied"
expect_eq "... and its old version serves" "$(q www.t.test A)" "192.0.2.20"
chmod 644 "$T/t.test.zone"
out=$(as "$IN" "$STEERCTL" -c "$CFG" reload 2>&1); rc=$?
expect_eq "steerctl reload by a member of $G: exit 0" "$rc" 0
expect_eq "... new data" "$(q www.t.test A)" "192.0.2.30"

# 4. The sockets: a member of the group may, anybody else may not.
out=$(as "$IN" "$STEERCTL" -c "$CFG" zones 2>&1); rc=$?
expect_eq "steerctl zones by a member of $G: exit 0" "$rc" 0
expect_match "... lists the zone" "$out" "t\.test"
out=$(as "$OUT" "$STEERCTL" -c "$CFG" zones 2>&1); rc=$?
expect_eq "steerctl zones by a user outside $G: exit 3" "$rc" 3
expect_match "... says why" "$out" "permission denied on steerdns.s socket .*/run/ctl\.sock \(run as root or as a member of its group\)"
out=$(as "$OUT" "$STEERCTL" -c "$CFG" drain who@127.0.0.1 2>&1); rc=$?
expect_eq "steerctl drain by a user outside $G: exit 3" "$rc" 3
expect_match "... says why" "$out" "permission denied on steer-healthd.s socket .*/run/hd\.sock \(run as root or as a member of its group\)"
expect_eq "... and wrote no state" "$([ -e "$T/state/hd.state" ] && echo written || echo none)" none
out=$(as "$IN" "$STEERCTL" -c "$CFG" drain who@127.0.0.1 2>&1); rc=$?
expect_eq "steerctl drain by a member of $G: exit 0" "$rc" 0
expect_eq "... state file saved by $D" "$(stat -c %U "$T/state/hd.state" 2>/dev/null)" "$D"
expect_match "... target drained" "$(as "$IN" "$STEERCTL" -c "$CFG" status 2>&1)" "who@127\.0\.0\.1 .* drain"

# 5. Started by a user that is neither root nor D: a clear refusal.
P2=$(free_port)
cp "$CFG" "$T/main.json"
conf "$P2" run/ctl2.sock
cp "$CFG" "$T/other.json"
out=$(as "$OUT" timeout 10 "$STEERDNS" -c "$T/other.json" 2>&1); rc=$?
expect_eq "started by $OUT with server.user $D: exit 1" "$rc" 1
expect_match "... saying why" "$out" "server\.user: started as uid $(id -u "$OUT"), not root: cannot become user $D"
# Started by D itself (as under systemd User=): no drop needed, it runs.
start_bg self setpriv --reuid="$D" --regid="$G" --clear-groups "$STEERDNS" -c "$T/other.json"
if wait_dns 127.0.0.1 "$P2"; then
	pass "started by $D itself: serves"
	expect_eq "... as $D" "$(status_of "$(cat "$T/self.pid")" Uid)" "$uid $uid $uid $uid"
else
	fail "started by $D itself: did not serve: $(cat "$T/self.log")"
fi
stop_bg self

# 6. Port 53 in a network namespace of our own: bound as root, then dropped;
#    a reload that adds another port below 1024 warns and keeps serving.
if ip netns add "$NS" 2> /dev/null && ip -n "$NS" link set lo up; then
	ns_made=1
	conf 53 run/ctl3.sock "" '"metrics": { "listen": "127.0.0.1:80" }'
	cp "$CFG" "$T/ns.json"
	start_bg nsdns ip netns exec "$NS" "$STEERDNS" -c "$T/ns.json"
	npid=$(cat "$T/nsdns.pid")
	got=""
	for _ in $(seq 100); do
		got=$(ip netns exec "$NS" dig +short +time=1 +tries=1 @127.0.0.1 -p 53 www.t.test A 2>/dev/null)
		[ "$got" = 192.0.2.30 ] && break; sleep 0.05 # dig +short prints its errors too
	done
	expect_eq "port 53 (netns): answers" "$got" "192.0.2.30"
	expect_eq "port 53 (netns): CapEff after the drop" "$(status_of "$npid" CapEff)" 0000000000000000
	if command -v curl > /dev/null; then
		expect_match "metrics on port 80 (netns): bound before the drop, served after it" \
			"$(ip netns exec "$NS" curl -s --max-time 5 http://127.0.0.1:80/metrics)" "^steerdns_build_info"
	fi
	sed 's/"listen": \["127.0.0.1:53"\]/"listen": ["127.0.0.1:53", "127.0.0.1:54"]/' "$CFG" > "$T/ns.json"
	kill -HUP "$npid"
	for _ in $(seq 100); do grep -q "reload done" "$T/nsdns.log" && break; sleep 0.05; done
	expect_match "reload adding port 54: a clear warning" "$(cat "$T/nsdns.log")" \
		"reload: server\.listen adds 127\.0\.0\.1:54: port 54 is below 1024 and steerdns runs as user $D now, without the privilege to bind it; restart steerdns to listen there"
	expect_eq "... still running" "$(kill -0 "$npid" 2>/dev/null && echo yes)" yes
	expect_eq "... still answering on 53" \
		"$(ip netns exec "$NS" dig +short +time=1 +tries=1 @127.0.0.1 -p 53 www.t.test A)" "192.0.2.30"
	stop_bg nsdns
else
	echo "note: no network namespace (ip netns add failed): the port-53 part is not run"
fi
finish
