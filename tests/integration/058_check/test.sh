#!/bin/bash
# 058_check -- `steerdns --check` and `steerctl check` validate the config and
# every zone without starting anything, print every error as file:line:
# reason, and exit 1; a good config gives exit 0 and a one-line summary.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

cd "$T" || exit 1
make_zone 1 192.0.2.10
write_config
out=$("$STEERDNS" --check -c "$CFG" 2>&1); rc=$?
expect_eq "good config: exit 0" "$rc" "0"
expect_eq "good config: summary" "$out" "$CFG: ok: 1 zone, 46 records, 2 listen addresses"
out=$("$STEERCTL" check "$CFG" 2>&1); rc=$?
expect_eq "steerctl check good: exit 0" "$rc" "0"
expect_eq "steerctl check good: same summary" "$out" "$CFG: ok: 1 zone, 46 records, 2 listen addresses"

# Errors everywhere: an unknown key (line 4), a bad listen address (line 2),
# a bad record (zone line 49), a missing zone file. All reported, one run.
make_zone 1 192.0.2.10 1
cat > bad.json <<'JSON'
{ "server": {
	"listen": ["127.0.0.1:5353", "nowhere:53"],
	"workers": 2,
	"tcp_idle_timout": 3 },
  "zones": [ { "name": "t.test", "file": "t.test.zone" },
	     { "name": "gone.test", "file": "gone.zone" } ] }
JSON
out=$("$STEERDNS" --check -c bad.json 2>&1); rc=$?
expect_eq "bad config: exit 1" "$rc" "1"
expect_match "unknown key at its line" "$out" "^bad\.json:4: server: unknown key \"tcp_idle_timout\" \\(did you mean \"tcp_idle_timeout\"\\?\\)$"
expect_match "bad listen address at its line" "$out" "^bad\.json:2: server/listen: \"nowhere:53\": not an IPv4 or IPv6 address"
expect_match "bad record at its line" "$out" "^t\.test\.zone:49: "
expect_match "missing zone file" "$out" "^gone\.zone: "
expect_match "error count" "$out" "bad\.json: 4 errors$"
ctl_out=$("$STEERCTL" check bad.json 2>&1); rc=$?
expect_eq "steerctl check bad: exit 1" "$rc" "1"
expect_eq "steerctl check prints what steerdns --check prints" "$ctl_out" "$out"
json=$("$STEERCTL" --json check bad.json 2>/dev/null)
expect_eq "steerctl check --json" "$(printf '%s' "$json" | $PY -c 'import json,sys; j=json.load(sys.stdin); print(j["ok"], len(j["errors"]))')" "False 4"

printf '{ "server": {\n  "listen": [1,, ] }\n' > syntax.json
out=$("$STEERDNS" --check -c syntax.json 2>&1); rc=$?
expect_eq "JSON syntax error: exit 1" "$rc" "1"
expect_match "JSON syntax error at its line" "$out" "^syntax\.json:2: "
out=$("$STEERDNS" --check -c nonexistent.json 2>&1); rc=$?
expect_eq "missing config: exit 1" "$rc" "1"
expect_match "missing config: says so" "$out" "^nonexistent\.json: .*(No such file|not found|cannot)"
finish
