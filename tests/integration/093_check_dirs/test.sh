#!/bin/bash
# 093_check_dirs -- steerdns --check, steer-healthd --check and steerctl check
# verify that the directories the daemons write to (server.control_socket,
# dnstap.file, healthd.socket, healthd.state_file) exist and are writable
# by the user each daemon will run as, and report a problem as "file:line: key: reason"
# at the key. steer-healthd refuses to start on the same problem instead of
# failing at the first `steerctl drain`. steerdns --check does not hold a
# config without a healthd section to healthd's default directories.
. "$(dirname "$0")/../lib/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (to own directories as another user)"
id nobody > /dev/null 2>&1 && command -v setpriv > /dev/null || skip "needs user nobody and setpriv"
id daemon > /dev/null 2>&1 || skip "needs user daemon"
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)
chmod 755 "$T"
mkdir -m 755 "$T/run" "$T/state"
chown nobody "$T/run"           # state/ stays root's: not writable by nobody
printf '$ORIGIN t.test.\n$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\n' > "$T/t.test.zone"
CFG=$T/steerdns.json
PORT=$(free_port)
# conf USER CONTROL_DIR STATE_DIR
conf() {
	cat > "$CFG" <<JSON
{
	"server": {
		"listen": "127.0.0.1:$PORT",
		"user": "$1",
		"control_socket": "$2/ctl.sock"
	},
	"healthd": {
		"socket": "run/hd.sock",
		"state_file": "$3/hd.state",
		"user": "$1"
	},
	"checks": { "c": { "type": "exec", "command": "/bin/true", "interval": 1, "timeout": 0.5 } },
	"pools": { "p": { "check": "c", "members": ["127.0.0.1"] } },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ]
}
JSON
}
STATE_ERR="steerdns\.json:9: healthd/state_file: directory $T/state \(for $T/state/hd\.state\) is not writable by user nobody \(uid $NOBODY, gid $NOGROUP\): Permission denied"

# 1. The state directory is root's, healthd.user is nobody.
conf nobody run state
out=$("$HEALTHD" --check -c "$CFG" 2>&1); rc=$?
expect_eq "steer-healthd --check: exit 1" "$rc" 1
expect_match "steer-healthd --check: file:line at healthd/state_file" "$out" "$STATE_ERR"
out=$("$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "steerdns --check: exit 1" "$rc" 1
expect_match "steerdns --check: the same error" "$out" "$STATE_ERR"
expect_match "steerdns --check: counted" "$out" "steerdns\.json: 1 error$"
out=$("$STEERCTL" check "$CFG" 2>&1); rc=$?
expect_eq "steerctl check: exit 1" "$rc" 1
expect_match "steerctl check: the same error" "$out" "$STATE_ERR"
out=$("$STEERCTL" --json check "$CFG" 2>&1); rc=$?
expect_eq "steerctl --json check: exit 1" "$rc" 1
expect_match "steerctl --json check: the error in the list" "$out" "healthd/state_file: directory $T/state .*is not writable by user nobody"

# 2. ... and steer-healthd will not start with it (rather than fail at the first drain).
out=$(timeout 10 "$HEALTHD" -c "$CFG" 2>&1); rc=$?
expect_eq "steer-healthd start: exit 1" "$rc" 1
expect_match "steer-healthd start: the same error" "$out" "$STATE_ERR"

# 3. Missing directories, and steerdns' own control socket directory.
conf nobody nodir state
rmdir "$T/state"
out=$("$STEERDNS" --check -c "$CFG" 2>&1)
expect_match "missing control socket directory" "$out" \
	"steerdns\.json:5: server/control_socket: directory $T/nodir \(for $T/nodir/ctl\.sock\) does not exist"
expect_match "missing state directory" "$out" \
	"steerdns\.json:9: healthd/state_file: directory $T/state \(for $T/state/hd\.state\) does not exist"
expect_match "both in one run" "$out" "steerdns\.json: 2 errors$"
mkdir -m 755 "$T/state"

# 4. Fixed: every check passes, healthd starts, and a drain is saved.
chown nobody "$T/state"
conf nobody run state
out=$("$STEERCTL" check "$CFG" 2>&1); rc=$?
expect_eq "writable by nobody: steerctl check exit 0" "$rc" 0
out=$("$HEALTHD" --check -c "$CFG" 2>&1); rc=$?
expect_eq "writable by nobody: steer-healthd --check exit 0" "$rc" 0
start_bg healthd "$HEALTHD" -c "$CFG"
wait_file "$T/run/hd.sock" || fail "healthd did not start: $(cat "$T/healthd.log")"
"$STEERCTL" -c "$CFG" drain c@127.0.0.1 > /dev/null 2>&1
expect_eq "drain: exit 0" "$?" 0
expect_eq "drain: state file saved by nobody" "$(stat -c %U "$T/state/hd.state" 2>/dev/null)" nobody
stop_bg healthd

# 5. Checked by a non-root operator for another user (daemon): judged from
#    the mode bits, since it cannot become that user.
conf daemon run state
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$STEERCTL" check "$CFG" 2>&1); rc=$?
expect_eq "non-root check for user daemon: exit 1" "$rc" 1
expect_match "non-root check for user daemon: state dir" "$out" \
	"healthd/state_file: directory $T/state \(for $T/state/hd\.state\) is not writable by user daemon \(uid $(id -u daemon), gid $(id -g daemon)\): Permission denied"
chown daemon "$T/run" "$T/state"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$STEERCTL" check "$CFG" 2>&1); rc=$?
expect_eq "non-root check for user daemon, dirs now daemon's: exit 0" "$rc" 0

# 6. No user: the directories must be writable by whoever runs the check.
cat > "$CFG" <<JSON
{
	"server": { "listen": "127.0.0.1:$PORT", "control_socket": "run/ctl.sock" },
	"healthd": { "socket": "run/hd.sock", "state_file": "state/hd.state" },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ]
}
JSON
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "no user, checked by nobody: exit 1" "$rc" 1
expect_match "no user, checked by nobody: reported for this process" "$out" \
	"server/control_socket: directory $T/run \(for $T/run/ctl\.sock\) is not writable by this process \(uid $NOBODY\): Permission denied"
out=$("$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "no user, checked by root: exit 0" "$rc" 0

# 7. The dnstap file is written as server.user too.
mkdir -m 755 "$T/tap"
printf '{\n "server": { "listen": "127.0.0.1:%s", "user": "nobody" },\n "dnstap": { "file": "tap/dns.tap" },\n "zones": [ { "name": "t.test", "file": "t.test.zone" } ]\n}\n' "$PORT" > "$CFG"
out=$("$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "dnstap file in root's directory, server.user nobody: exit 1" "$rc" 1
expect_match "... reported at dnstap/file" "$out" \
	"steerdns\.json:3: dnstap/file: directory $T/tap \(for $T/tap/dns\.tap\) is not writable by user nobody"
chown nobody "$T/tap"
out=$("$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "... fixed: exit 0" "$rc" 0

# 8. Checks but no healthd section: healthd's default directories
#    (/run/steerdns, /var/lib/steerdns) come with the install; steerdns
#    --check does not hold a config to them, steer-healthd --check does.
cat > "$CFG" <<JSON
{
	"server": { "listen": "127.0.0.1:$PORT" },
	"checks": { "c": { "type": "exec", "command": "/bin/true" } },
	"pools": { "p": { "check": "c", "members": ["127.0.0.1"] } },
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ]
}
JSON
out=$("$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "no healthd section: steerdns --check exit 0" "$rc" 0
if [ ! -e /run/steerdns ]; then
	out=$("$HEALTHD" --check -c "$CFG" 2>&1); rc=$?
	expect_eq "no healthd section, no /run/steerdns: steer-healthd --check exit 1" "$rc" 1
	expect_match "... names the default socket's directory" "$out" \
		"healthd/socket: directory /run/steerdns \(for /run/steerdns/healthd\.sock\) does not exist"
fi
finish
