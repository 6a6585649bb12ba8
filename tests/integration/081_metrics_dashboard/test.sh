#!/bin/bash
# 081_metrics_dashboard -- docs/grafana-steerdns.json is valid JSON, every
# PromQL expression in it parses (promtool check rules), and every metric
# name it uses is exported by a live steerdns or steer-healthd.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/metrics.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"
command -v promtool > /dev/null || skip "promtool not installed (Debian package prometheus)"
command -v jq > /dev/null || skip "jq not installed"
DASH=$STEER_SRC/docs/grafana-steerdns.json

jq empty "$DASH" 2> "$T/jq.err" && pass "valid JSON (jq)" || fail "invalid JSON: $(cat "$T/jq.err")"
/usr/bin/python3 -m json.tool "$DASH" > /dev/null 2>&1 && pass "valid JSON (python json.tool)" || fail "json.tool rejects it"

# Every expression, with Grafana's variables given values, as a recording
# rule: promtool parses each one as Prometheus would.
jq -r '.. | objects | select(has("expr")) | .expr' "$DASH" > "$T/exprs"
n=$(wc -l < "$T/exprs")
[ "$n" -ge 20 ] && pass "$n expressions" || fail "only $n expressions in the dashboard"
{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	i=0
	while IFS= read -r e; do
		i=$((i + 1))
		e=${e//\$__rate_interval/1m}
		e=${e//\$instance/.*}
		printf '      - record: dashboard:expr%d\n        expr: %s\n' "$i" "$(jq -Rn --arg e "$e" '$e')"
	done < "$T/exprs"
} > "$T/rules.yml"
out=$(promtool check rules "$T/rules.yml" 2>&1) && pass "promtool: every expression parses" || fail "promtool: $out"

# The names used (queries and the instance variable's label_values()).
jq -r '.. | strings' "$DASH" | grep -oE '\b(steerdns|steer_healthd)_[a-z0-9_]+' | sort -u > "$T/used"

PORT=$(free_port) MS=$(free_port) MH=$(free_port) HP=$(free_port)
printf '$ORIGIN example.test.\n$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\napp A 192.0.2.1\n' \
	> "$T/example.test.zone"
cat > "$T/steerdns.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1 },
  "metrics": { "listen": ["127.0.0.1:$MS"] },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "healthd": { "socket": "hd.sock", "state_file": "hd.state", "metrics_listen": ["127.0.0.1:$MH"] },
  "checks": { "web": { "type": "tcp", "port": $HP, "interval": 0.2, "timeout": 0.2 } },
  "pools": { "p": { "check": "web", "members": ["127.0.0.1"] } },
  "records": { "app.example.test": { "ttl": 60, "failover": ["p"] } } }
JSON
start_bg hd "$HEALTHD" -c "$T/steerdns.json"
wait_file "$T/hd.sock" || { cat "$T/hd.log"; fail "healthd did not start"; finish; }
start_bg server "$STEERDNS" -c "$T/steerdns.json"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; fail "steerdns did not start"; finish; }
# Exported names: every family's TYPE line; a histogram also has its
# _bucket, _sum and _count series.
{ scrape "$MS"; scrape "$MH"; } | awk '$1 == "#" && $2 == "TYPE" {
	print $3
	if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" } }' | sort -u > "$T/exported"
[ "$(wc -l < "$T/exported")" -ge 30 ] && pass "$(wc -l < "$T/exported") names exported" || fail "too few names exported"
missing=$(comm -23 "$T/used" "$T/exported" | tr '\n' ' ')
[ -z "$missing" ] && pass "every metric the dashboard uses ($(wc -l < "$T/used")) is exported" ||
	fail "the dashboard uses names nobody exports: $missing"
[ "$(wc -l < "$T/used")" -ge 20 ] || fail "the dashboard uses only $(wc -l < "$T/used") metric names"
# For information: families nobody graphs (a histogram counts as used through its series).
sed -E 's/_(bucket|sum|count)$//' "$T/used" | sort -u > "$T/used_families"
echo "families not on the dashboard: $(comm -13 "$T/used_families" "$T/exported" | grep -vE '_(bucket|sum|count)$' | tr '\n' ' ')"
finish
