#!/bin/bash
# 056_reload_sighup -- SIGHUP reloads config and zones: a broken config is
# rejected whole (logged as file:line, the old data keeps serving); a broken
# zone keeps its old version (logged as file:line) while the reload applies;
# a good reload changes the answers.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

# wait_log REGEX: until the server log matches (5 s).
wait_log() {
	for _ in $(seq 100); do grep -Eq -- "$1" "$T/steerdns.log" && return 0; sleep 0.05; done
	return 1
}

make_zone 1 192.0.2.10
write_config
start_steerdns
pid=$(cat "$T/steerdns.pid")
expect_eq "before: www" "$(q www.t.test A)" "192.0.2.10"

# 1. A broken zone: its old version keeps serving (generation 2 shares it).
make_zone 2 192.0.2.20 1
kill -HUP "$pid"
wait_log "did not load \(kept" || fail "no 'did not load' in the log"
expect_match "zone error logged as file:line" "$(cat "$T/steerdns.log")" "t\.test\.zone:[0-9]+: "
expect_match "log says the old version serves" "$(cat "$T/steerdns.log")" "zone t\.test\.: .* did not load; still serving the old version \(serial 1\)"
expect_eq "broken zone: old www still served" "$(q www.t.test A)" "192.0.2.10"
expect_eq "broken zone: old serial" "$(q t.test SOA | awk '{print $3}')" "1"

# 2. A broken config (JSON syntax): rejected too.
make_zone 2 192.0.2.20
cp "$CFG" "$T/good.json"
printf '{ "server": { "listen": [,] } }\n' > "$CFG"
: > "$T/steerdns.log.mark"
n_before=$(grep -c "reload rejected" "$T/steerdns.log")
kill -HUP "$pid"
for _ in $(seq 100); do [ "$(grep -c "reload rejected" "$T/steerdns.log")" -gt "$n_before" ] && break; sleep 0.05; done
expect_match "config error logged as file:line" "$(cat "$T/steerdns.log")" "steerdns\.json:1: "
expect_eq "broken config: old www still served" "$(q www.t.test A)" "192.0.2.10"

# 3. A good reload: new answers, new serial.
cp "$T/good.json" "$CFG"
kill -HUP "$pid"
wait_log "reload done: generation 3" || fail "no 'generation 3' in the log"
expect_eq "good reload: new www" "$(q www.t.test A)" "192.0.2.20"
expect_eq "good reload: new serial" "$(q t.test SOA | awk '{print $3}')" "2"
expect_eq "still running" "$(kill -0 "$pid" && echo yes)" "yes"
finish
