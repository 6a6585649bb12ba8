#!/bin/bash
# 080_metrics -- Prometheus metrics of steerdns and steer-healthd, end to end
# with the real daemons, real clients and a real Prometheus:
#   1. a known set of queries (UDP, TCP, a truncated one, two malformed
#      packets): every counter moves by exactly what was sent
#   2. promtool check metrics accepts both expositions
#   3. a Prometheus scraping both every second returns the same numbers
#      through its HTTP API
#   4. a backend stops, then the other: healthd's target state follows,
#      steerdns counts degraded and fall-open answers and logs fall open
#      at most once per record per 10 s, with the count
#   0. bad metrics addresses are config errors (file:line), a busy port stops
#      the start
#   5. a reload that puts a new zone first (every zone index shifts): the
#      per-zone counters stay with their zones; a failed reload is counted
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/metrics.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed for the HTTP backends"
command -v promtool > /dev/null && command -v prometheus > /dev/null || skip "promtool/prometheus not installed (Debian package prometheus)"
command -v jq > /dev/null || skip "jq is needed to read Prometheus' API"

PORT=$(free_port)   # DNS
HP=$(free_port)     # the backends' HTTP port
MS=$(free_port)     # steerdns /metrics
MH=$(free_port)     # steer-healthd /metrics
PP=$(free_port)     # Prometheus
CONF=$T/steerdns.json
mkdir -p "$T/www" "$T/state"
echo ok > "$T/www/index.html"
{
	echo '$ORIGIN example.test.'
	echo '$TTL 300'
	echo '@ IN SOA ns1 hostmaster 2024010101 3600 600 86400 300'
	echo '  IN NS ns1'
	echo 'ns1 IN A 192.0.2.53'
	echo 'app 60 IN A 198.18.0.99'
	for i in $(seq 10 49); do printf 'big TXT "%s-%s"\n' "$i" "$(printf 'x%.0s' $(seq 97))"; done
} > "$T/example.test.zone"
printf '$ORIGIN other.test.\n$TTL 300\n@ SOA ns1.example.test. h 7 3600 600 86400 300\n@ NS ns1.example.test.\nwww A 192.0.2.7\n' \
	> "$T/other.test.zone"
# config ZONES_JSON: the whole config, with the given zone list
config() {
	cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 2, "control_socket": "ctl.sock" },
  "metrics": { "listen": ["127.0.0.1:$MS"] },
  "zones": $1,
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state", "metrics_listen": "127.0.0.1:$MH" },
  "checks": { "web": { "type": "http", "port": $HP, "path": "/", "interval": 0.2, "timeout": 0.2,
                       "fall": 2, "rise": 2 } },
  "pools": { "east": { "check": "web", "members": ["127.0.0.2"] },
             "west": { "check": "web", "members": ["127.0.0.3"] } },
  "records": { "app.example.test": { "ttl": 60, "degraded_ttl": 10, "failover": ["east", "west"] } } }
JSON
}
config '[ { "name": "example.test", "file": "example.test.zone" } ]'

backend() { # NAME ADDRESS
	start_bg "$1" /usr/bin/python3 -m http.server --bind "$2" "$HP" --directory "$T/www"
	for _ in $(seq 100); do curl -sf -o /dev/null "http://$2:$HP/" && return 0; sleep 0.05; done
	return 1
}
d() { dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" "$@" > /dev/null; }
wait_answer() { # ADDRESS: until app.example.test A is that (5 s)
	for _ in $(seq 100); do [ "$(dig +short +tries=1 @127.0.0.1 -p "$PORT" app.example.test A)" = "$1" ] && return 0; sleep 0.05; done
	return 1
}
raw() { /usr/bin/python3 "$TESTDIR/../lib/rawdns.py" "$@" > /dev/null; }
snap() { scrape "$MS" > "$T/$1.s"; scrape "$MH" > "$T/$1.h"; }
# dstep BEFORE WHAT SERIES WANT: steerdns' series moved by WANT since scrape BEFORE
dstep() { expect_eq "$2" "$(mdelta "$T/$1.s" "$MS" "$3")" "$4"; }
hstep() { expect_eq "$2" "$(mdelta "$T/$1.h" "$MH" "$3")" "$4"; }
APP='record="app.example.test."'
EAST='target="web@127.0.0.2",check="web",address="127.0.0.2"'
WEST='target="web@127.0.0.3",check="web",address="127.0.0.3"'

backend east 127.0.0.2 || { fail "backend east did not start"; finish; }
backend west 127.0.0.3 || { fail "backend west did not start"; finish; }
# 0. Bad addresses and a busy port.
sed -e 's/"listen": \["127.0.0.1:'"$MS"'"\]/"listen": ["localhost:9153", "127.0.0.1"]/' \
	-e 's/"metrics_listen": "127.0.0.1:'"$MH"'"/"metrics_listen": "[::1]"/' "$CONF" > "$T/bad.json"
out=$("$STEERDNS" --check -c "$T/bad.json" 2>&1); rc=$?
expect_eq "--check: bad metrics addresses fail" "$rc" 1
expect_match "--check: a host name is refused" "$out" 'bad\.json:2: metrics/listen: "localhost:9153": expected a numeric'
expect_match "--check: a port is required" "$out" 'bad\.json:2: metrics/listen: "127\.0\.0\.1": a port'
expect_match "--check: healthd's key too" "$out" 'bad\.json:4: healthd/metrics_listen: "\[::1\]": a port'
out=$("$HEALTHD" --check -c "$T/bad.json" 2>&1) && fail "healthd --check accepted a bad metrics_listen" ||
	expect_match "healthd --check names it" "$out" 'healthd/metrics_listen: "\[::1\]": a port'
sed 's/"listen": \["127.0.0.1:'"$MS"'"\]/"listen": ["127.0.0.2:'"$HP"'"]/' "$CONF" > "$T/busy.json"
out=$(timeout 10 "$STEERDNS" -c "$T/busy.json" 2>&1); rc=$?
expect_eq "metrics port in use: steerdns does not start" "$rc" 1
expect_match "metrics port in use: says which" "$out" "metrics listen 127\.0\.0\.2:$HP: Address already in use"

start_bg hd "$HEALTHD" -c "$CONF"
wait_file "$T/hd.sock" || { cat "$T/hd.log"; fail "healthd did not start"; finish; }
start_bg server "$STEERDNS" -c "$CONF"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; fail "steerdns did not start"; finish; }
wait_mval "$MH" "steer_healthd_target_up{$EAST}" 1 && wait_mval "$MH" "steer_healthd_target_up{$WEST}" 1 ||
	fail "healthd: both targets up"
wait_mval "$MS" "steerdns_health_link_connected" 1 || fail "steerdns subscribed to healthd"
expect_eq "healthd: one subscriber (steerdns)" "$(mval "$MH" steer_healthd_subscribers)" 1
expect_eq "steerdns: state age 0 while subscribed" "$(mval "$MS" steerdns_health_link_state_age_seconds)" 0

# The HTTP side: content type, 404 elsewhere.
ctype=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$MS/metrics")
expect_match "steerdns: Content-Type of format 0.0.4" "$ctype" '^text/plain; version=0\.0\.4'
expect_match "healthd: Content-Type of format 0.0.4" "$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$MH/metrics")" \
	'^text/plain; version=0\.0\.4'
expect_eq "other paths: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MS/")" 404
expect_eq "POST: 405" "$(curl -s -o /dev/null -w '%{http_code}' -d x "http://127.0.0.1:$MS/metrics")" 405

# 1. A known set of queries.
snap q0
for _ in $(seq 7); do d app.example.test A; done      # steered: east
for _ in $(seq 3); do d example.test SOA; done
for _ in $(seq 2); do d nx.example.test A; done       # NXDOMAIN
d www.not-ours.invalid A                              # REFUSED, no zone
for _ in $(seq 2); do d +tcp example.test SOA; done   # TCP
d +ignore big.example.test TXT                        # UDP, truncated (no TCP retry)
raw 127.0.0.1 "$PORT" --hex 0102030405                # 5 bytes: dropped
raw 127.0.0.1 "$PORT" --query example.test A qdcount=2 # FORMERR
dstep q0 "UDP queries" 'steerdns_queries_total{transport="udp"}' 16
dstep q0 "TCP queries" 'steerdns_queries_total{transport="tcp"}' 2
dstep q0 "qtype A" 'steerdns_queries_by_qtype_total{qtype="A"}' 10
dstep q0 "qtype SOA" 'steerdns_queries_by_qtype_total{qtype="SOA"}' 5
dstep q0 "qtype TXT" 'steerdns_queries_by_qtype_total{qtype="TXT"}' 1
dstep q0 "unparsed question: TYPE0" 'steerdns_queries_by_qtype_total{qtype="TYPE0"}' 2
dstep q0 "rcode NOERROR" 'steerdns_responses_total{rcode="NOERROR"}' 13
dstep q0 "rcode NXDOMAIN" 'steerdns_responses_total{rcode="NXDOMAIN"}' 2
dstep q0 "rcode REFUSED" 'steerdns_responses_total{rcode="REFUSED"}' 1
dstep q0 "rcode FORMERR" 'steerdns_responses_total{rcode="FORMERR"}' 1
dstep q0 "truncated" steerdns_responses_truncated_total 1
dstep q0 "dropped" steerdns_dropped_total 1
dstep q0 "malformed" steerdns_malformed_total 2
dstep q0 "zone example.test." 'steerdns_zone_queries_total{zone="example.test."}' 15
dstep q0 "steered answers from east" "steerdns_steer_answers_total{$APP,pool=\"east\"}" 7
dstep q0 "no answers from west" "steerdns_steer_answers_total{$APP,pool=\"west\"}" 0
dstep q0 "no degraded answers" "steerdns_steer_degraded_total{$APP}" 0
dstep q0 "no fall open" "steerdns_steer_fall_open_total{$APP}" 0
expect_eq "zone serial" "$(mval "$MS" 'steerdns_zone_serial{zone="example.test."}')" 2024010101
expect_eq "zone records" "$(mval "$MS" 'steerdns_zone_records{zone="example.test."}')" 44
expect_match "zone load time is a small number of seconds" \
	"$(mval "$MS" 'steerdns_zone_load_duration_seconds{zone="example.test."}')" '^[0-9.e-]+$'
expect_eq "build info" "$(mval "$MS" "steerdns_build_info{version=\"$("$STEERDNS" --version | awk '{print $2}')\"}")" 1
hstep q0 "healthd: checks ran ok" "steer_healthd_checks_total{$EAST,result=\"fail\"}" 0
expect_match "healthd: checks counted" "$(mval "$MH" "steer_healthd_checks_total{$EAST,result=\"ok\"}")" '^[1-9][0-9]*$'
expect_match "healthd: durations counted" "$(mval "$MH" "steer_healthd_check_duration_seconds_count{$EAST}")" '^[1-9][0-9]*$'

# 2. promtool accepts both expositions as they are.
scrape "$MS" > "$T/steerdns.prom"
scrape "$MH" > "$T/healthd.prom"
out=$(promtool check metrics < "$T/steerdns.prom" 2>&1) && pass "promtool: steerdns" || fail "promtool: steerdns: $out"
out=$(promtool check metrics < "$T/healthd.prom" 2>&1) && pass "promtool: steer-healthd" || fail "promtool: healthd: $out"

# 3. A real Prometheus scraping both.
cat > "$T/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: steerdns
    static_configs: [ { targets: ["127.0.0.1:$MS"] } ]
  - job_name: steer-healthd
    static_configs: [ { targets: ["127.0.0.1:$MH"] } ]
YML
if prom_start "$PP" "$T/prometheus.yml"; then
	# Both jobs scraped at least once (each has its own first-scrape offset).
	expect_eq "Prometheus: both targets up" "$(prom_wait "$PP" 'sum(up)' 2 30)" 2
	# Nothing but the queries above went over TCP or asked for app: the
	# totals are what was sent.
	expect_eq "Prometheus: steerdns TCP queries = the 2 sent" \
		"$(prom_wait "$PP" 'steerdns_queries_total{job="steerdns",transport="tcp"}' 2 30)" 2
	expect_eq "Prometheus: answers from east = the 7 sent" \
		"$(prom_query "$PP" "steerdns_steer_answers_total{job=\"steerdns\",$APP,pool=\"east\"}")" 7
	expect_eq "Prometheus: healthd scraped, east up" \
		"$(prom_query "$PP" "steer_healthd_target_up{job=\"steer-healthd\",$EAST}")" 1
else
	fail "prometheus did not start: $(tail -n 5 "$T/prometheus.log")"
fi

# 4a. east stops: healthd says down, steerdns answers from west, degraded.
t_stop=$(date +%s)
stop_bg east
wait_mval "$MH" "steer_healthd_target_up{$EAST}" 0 || fail "healthd: east down"
expect_eq "healthd: east effective down" "$(mval "$MH" "steer_healthd_target_effective_up{$EAST}")" 0
since=$(mval "$MH" "steer_healthd_target_last_change_timestamp_seconds{$EAST}")
[ "$since" -ge "$t_stop" ] 2>/dev/null && pass "healthd: east's last change is after the stop" ||
	fail "healthd: east last change $since, stopped at $t_stop"
expect_match "healthd: east failures counted" "$(mval "$MH" "steer_healthd_checks_total{$EAST,result=\"fail\"}")" '^[1-9]'
wait_answer 127.0.0.3 || fail "east down: west never answered"
snap f0
for _ in $(seq 4); do d app.example.test A; done
dstep f0 "east down: 4 answers from west" "steerdns_steer_answers_total{$APP,pool=\"west\"}" 4
dstep f0 "east down: 4 degraded" "steerdns_steer_degraded_total{$APP}" 4
dstep f0 "east down: no fall open" "steerdns_steer_fall_open_total{$APP}" 0

# 4b. west stops too: every member down, fall open (as if all were up: east).
stop_bg west
wait_mval "$MH" "steer_healthd_target_up{$WEST}" 0 || fail "healthd: west down"
wait_answer 127.0.0.2 || fail "all down: no fall open to east"
for _ in $(seq 50); do grep -q "fall open: app" "$T/server.log" && break; sleep 0.1; done
snap f1
for _ in $(seq 3); do d app.example.test A; done
dstep f1 "all down: 3 fall-open answers" "steerdns_steer_fall_open_total{$APP}" 3
dstep f1 "all down: fall open is degraded" "steerdns_steer_degraded_total{$APP}" 3
dstep f1 "all down: answered from east" "steerdns_steer_answers_total{$APP,pool=\"east\"}" 3
if [ -n "${PP:-}" ] && [ -s "$T/prometheus.pid" ]; then
	want=$(mval "$MS" "steerdns_steer_fall_open_total{$APP}")
	expect_eq "Prometheus: fall-open answers" "$(prom_wait "$PP" "steerdns_steer_fall_open_total{$APP}" "$want" 20)" "$want"
fi
# The log: the first fall-open line came at once; the three answers above
# fall inside its 10 s window, so they wait for the next line, which says
# how many there were.
lines=$(grep -c "fall open: app\.example\.test\. (failover)" "$T/server.log")
expect_eq "fall open logged once so far" "$lines" 1
expect_match "first line: the one answer that found everything down" "$(grep "fall open: app" "$T/server.log")" \
	"1 answer since the last report, 0 lines suppressed"
t0=$(date +%s)
for _ in $(seq 130); do [ "$(grep -c "fall open: app" "$T/server.log")" -ge 2 ] && break; sleep 0.1; done
second=$(grep "fall open: app" "$T/server.log" | sed -n 2p)
echo "MEASURED second fall-open line after $(( $(date +%s) - t0 )) s: $second"
expect_match "second line counts the suppressed answers" "$second" \
	"every member down, answered as if all were up; 3 answers since the last report, 2 lines suppressed"
t1=$(grep "fall open: app" "$T/server.log" | sed -n 1p | awk '{print $2}')
t2=$(echo "$second" | awk '{print $2}')
gap=$(( $(date -d "$t2" +%s) - $(date -d "$t1" +%s) ))
[ "$gap" -ge 10 ] && pass "lines at least 10 s apart ($gap s)" || fail "fall-open lines only $gap s apart"

# 4c. drain: the override is a metric of its own
"$STEERCTL" -c "$CONF" drain web@127.0.0.3 > /dev/null || fail "steerctl drain"
expect_eq "healthd: west drained" "$(mval "$MH" "steer_healthd_target_admin{$WEST,admin=\"down\"}")" 1
expect_eq "healthd: west not auto" "$(mval "$MH" "steer_healthd_target_admin{$WEST,admin=\"auto\"}")" 0

# 5. A reload that puts a new zone first: every zone index shifts by one.
# example.test's file is broken meanwhile, so its old compiled zone is kept
# and shared by the old and the new data set, at different positions.
snap r0
cp "$T/example.test.zone" "$T/example.test.zone.good"
echo 'broken A 999.1.2.3' >> "$T/example.test.zone"
config '[ { "name": "other.test", "file": "other.test.zone" }, { "name": "example.test", "file": "example.test.zone" } ]'
kill -HUP "$(cat "$T/server.pid")"
wait_mval "$MS" steerdns_generation 2 || fail "reload: generation 2"
expect_match "the broken zone keeps its old version" "$(cat "$T/server.log")" "zone example\.test\.: .* did not load; still serving the old version"
cp "$T/example.test.zone.good" "$T/example.test.zone"
dstep r0 "reload counted" 'steerdns_reloads_total{result="ok"}' 1
dstep r0 "example.test. keeps its count over the reload" 'steerdns_zone_queries_total{zone="example.test."}' 0
expect_eq "new zone starts at 0" "$(mval "$MS" 'steerdns_zone_queries_total{zone="other.test."}')" 0
d www.other.test A
d www.other.test A
d example.test SOA
dstep r0 "new zone: its own 2 queries" 'steerdns_zone_queries_total{zone="other.test."}' 2
dstep r0 "old zone: 1 more, at its new index" 'steerdns_zone_queries_total{zone="example.test."}' 1
dstep r0 "record counts carried over" "steerdns_steer_fall_open_total{$APP}" 0
# steerdns asked healthd to re-read the same config (one reload for both)
for _ in $(seq 50); do [ "$(mdelta "$T/r0.h" "$MH" 'steer_healthd_reloads_total{result="ok"}')" = 1 ] && break; sleep 0.1; done
hstep r0 "healthd followed the reload" 'steer_healthd_reloads_total{result="ok"}' 1
# One zone alone (steerctl reload ZONE): a new data set again, counts carried.
"$STEERCTL" -c "$CONF" reload other.test > /dev/null || fail "steerctl reload other.test"
wait_mval "$MS" steerdns_generation 3 || fail "zone reload: generation 3"
dstep r0 "zone reload counted" 'steerdns_reloads_total{result="ok"}' 2
dstep r0 "zone reload: other.test keeps its count" 'steerdns_zone_queries_total{zone="other.test."}' 2
dstep r0 "zone reload: example.test. keeps its count" 'steerdns_zone_queries_total{zone="example.test."}' 1
echo '{ "server": ' > "$CONF"
kill -HUP "$(cat "$T/server.pid")"
for _ in $(seq 50); do [ "$(mdelta "$T/r0.s" "$MS" 'steerdns_reloads_total{result="failed"}')" = 1 ] && break; sleep 0.1; done
dstep r0 "failed reload counted" 'steerdns_reloads_total{result="failed"}' 1
expect_eq "failed reload: generation stays" "$(mval "$MS" steerdns_generation)" 3

# healthd gone: steerdns says so.
stop_bg hd
wait_mval "$MS" steerdns_health_link_connected 0 || fail "steerdns noticed healthd leaving"
age=0
for _ in $(seq 30); do age=$(mval "$MS" steerdns_health_link_state_age_seconds); [ "$age" != 0 ] && break; sleep 0.1; done
expect_match "state age grows without healthd" "$age" '^[1-9]'
expect_match "last update: a time from this run" "$(mval "$MS" steerdns_health_link_last_update_timestamp_seconds)" '^1[0-9]{9}$'
finish
