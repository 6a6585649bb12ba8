#!/bin/bash
# 481_steerctl_status -- `steerctl status` against a real steer-healthd
# probing real HTTP servers on loopback: rows sorted by pool list, check,
# then address (numerically, IPv4 first), whatever the daemon's or the
# file's order; the POOL column from the config; the EFFECTIVE column (what
# steerdns uses: up, down, drained, forced; unknown counts as up) in the
# table and as "effective_state" in --json, which has the same order.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"
[ -x "$HEALTHD" ] || skip "no steer-healthd binary at $BUILD"

HP=$(free_port)
SP=$(free_port)
CONF=$T/steerdns.json
# The file lists pools and members in an order that is neither the sorted
# one nor healthd's (pools by name, members in file order).
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": {
    "web":  { "type": "http", "port": $HP, "path": "/", "interval": 0.3, "timeout": 0.25, "fall": 1, "rise": 1 },
    "alt":  { "type": "http", "port": $HP, "path": "/missing", "interval": 0.3, "timeout": 0.25, "fall": 1, "rise": 1 },
    "slow": { "type": "http", "port": $SP, "interval": 60, "timeout": 30 }
  },
  "pools": {
    "s": { "check": "slow", "members": ["127.0.0.9"] },
    "b": { "check": "web", "members": ["::1", "127.0.0.100", "127.0.0.12", "127.0.0.9"] },
    "c": { "check": "alt", "members": ["127.0.0.9"] },
    "a": { "check": "web", "members": ["127.0.0.9"] },
    "d": { "members": ["127.0.0.50"] }
  }
}
JSON
mkdir -p "$T/www"
echo ok > "$T/www/index.html"
start_bg www4 /usr/bin/python3 -m http.server --bind 127.0.0.9 "$HP" --directory "$T/www"
start_bg www6 /usr/bin/python3 -m http.server --bind ::1 "$HP" --directory "$T/www"
# "slow": accepts (the kernel does) and never answers, so its first verdict
# is 30 s away: the target stays unknown for the whole test.
start_bg hang /usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.9", int(sys.argv[1]))); s.listen(16); time.sleep(120)' "$SP"
sleep 0.3
hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_wait web@127.0.0.9 state up || fail "web@127.0.0.9 never up"
hd_wait web@::1 state up || fail "web@::1 never up"
hd_wait web@127.0.0.12 state down || fail "web@127.0.0.12 never down"
hd_wait web@127.0.0.100 state down || fail "web@127.0.0.100 never down"
hd_wait alt@127.0.0.9 state down || fail "alt@127.0.0.9 never down"
"$STEERCTL" -c "$CONF" force-up web@127.0.0.12 > /dev/null || fail "force-up"
"$STEERCTL" -c "$CONF" drain ::1 > /dev/null || fail "drain"

# The table: sorted, POOL and EFFECTIVE.
table=$("$STEERCTL" -c "$CONF" status); rc=$?
echo "$table"
expect_eq "status: exit 0" "$rc" 0
expect_match "header" "$(sed -n 1p <<< "$table")" \
	"^POOL +TARGET +CHECK +ADDRESS +STATE +ADMIN +EFFECTIVE +SINCE +LAST RESULT +LATENCY$"
cols() { awk 'NR > 1 { print $1, $2, $5, $6, $7 }' | tr '\n' ';'; }
expect_eq "rows: pools, then address numerically, IPv4 first; effective state" "$(cols <<< "$table")" \
"a,b web@127.0.0.9 up auto up;b web@127.0.0.12 down forced-up forced;b web@127.0.0.100 down auto down;\
b web@::1 up drained drained;c alt@127.0.0.9 down auto down;s slow@127.0.0.9 unknown auto up;"
expect_match "a target's last result is kept" "$table" "c +alt@127\.0\.0\.9 .* HTTP 404"

# --json: the same order, with "pools" and "effective_state".
json=$("$STEERCTL" -c "$CONF" --json status); rc=$?
expect_eq "status --json: exit 0" "$rc" 0
expect_eq "json: order, pools, effective_state" "$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
print(";".join("%s %s %s %s" % (t["name"], ",".join(t["pools"]), t["effective"], t["effective_state"]) for t in j["targets"]))')" \
"web@127.0.0.9 a,b up up;web@127.0.0.12 b up forced;web@127.0.0.100 b down down;web@::1 b down drained;\
alt@127.0.0.9 c down down;slow@127.0.0.9 s unknown up"
expect_match "json: still the daemon's reply" "$json" '"ok": true'

# Without the config (-s only): no pool names, sorted by check then address.
table=$("$STEERCTL" -c "$T/nothere.json" -s "$T/hd.sock" status); rc=$?
expect_eq "status -s without a config: exit 0" "$rc" 0
expect_eq "rows without a config" "$(cols <<< "$table")" \
"- alt@127.0.0.9 down auto down;- slow@127.0.0.9 unknown auto up;- web@127.0.0.9 up auto up;\
- web@127.0.0.12 down forced-up forced;- web@127.0.0.100 down auto down;- web@::1 up drained drained;"

# An override lifted: back to what the checks say.
"$STEERCTL" -c "$CONF" undrain ::1 > /dev/null || fail "undrain"
expect_match "undrained: effective up again" "$("$STEERCTL" -c "$CONF" status)" "b +web@::1 +web +::1 +up +auto +up "
finish
