#!/bin/bash
# 057_reload_steerctl -- `steerctl reload`: ok + generation; exit 1 with the
# file:line errors when a zone kept its old version; exit 1 with "the old
# data is still serving" for a broken config. Settings that need a restart
# (listen) are kept, with a warning.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

make_zone 1 192.0.2.10
write_config
start_steerdns

make_zone 2 192.0.2.20 1
out=$(ctl reload 2>&1); rc=$?
expect_eq "broken zone: exit 1" "$rc" "1"
expect_match "broken zone: zone file:line" "$out" "t\.test\.zone:[0-9]+: "
expect_match "broken zone: says the zone kept its old version" "$out" "except for the zones above, which kept their old version"
expect_eq "broken zone: old answer" "$(q www.t.test A)" "192.0.2.10"
json=$(ctl reload --json 2>/dev/null)
expect_eq "broken zone --json: ok, partial + errors" \
	"$(printf '%s' "$json" | $PY -c 'import json,sys; j=json.load(sys.stdin); print(j["ok"], j["partial"], len(j["errors"]) > 0, j["generation"])')" "True True True 3"

printf '{ "server": { "listen": [,] } }\n' > "$T/bad.json"
cp "$CFG" "$T/good.json"; cp "$T/bad.json" "$CFG"
out=$("$STEERCTL" -s "$T/ctl.sock" reload 2>&1); rc=$?
cp "$T/good.json" "$CFG"
expect_eq "broken config: exit 1" "$rc" "1"
expect_match "broken config: says the old data serves" "$out" "reload rejected; the old data is still serving"

make_zone 3 192.0.2.30
out=$(ctl reload 2>&1); rc=$?
expect_eq "good reload: exit 0" "$rc" "0"
expect_eq "good reload: output" "$out" "reload ok: generation 4"
expect_eq "good reload: new answer" "$(q www.t.test A)" "192.0.2.30"
expect_eq "zones shows the new serial" "$(ctl zones | awk '$1 == "t.test." {print $2}')" "3"

# A new listen address needs a restart: warned, the old one keeps serving.
OLD=$PORT
PORT=$(free_port)
write_config
out=$(ctl reload 2>&1)
expect_eq "listen change: reload still ok" "$out" "reload ok: generation 5"
expect_match "listen change: warning logged" "$(cat "$T/steerdns.log")" "server.listen changed"
expect_eq "listen change: old port serves" "$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$OLD" www.t.test A)" "192.0.2.30"
finish
