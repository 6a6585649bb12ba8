#!/bin/bash
# 061_reload_under_load -- dnsperf sends a steady stream of queries while the
# zone is reloaded 10 times (SIGHUP and steerctl reload, alternating, the
# answer changing each time): no query is lost, every answer is NOERROR.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v dnsperf > /dev/null || skip "dnsperf is not installed"

make_zone 1 192.0.2.10
write_config
start_steerdns
pid=$(cat "$T/steerdns.pid")
printf 'www.t.test A\nmail.t.test MX\nt.test SOA\nx.wild.t.test A\nt.test NS\n' > "$T/queries"
# The zones of the 10 reloads, made beforehand: under load, forks are slow.
for i in $(seq 10); do make_zone $((i + 1)) "192.0.2.$((i + 10))"; cp "$T/t.test.zone" "$T/zone.$i"; done
make_zone 1 192.0.2.10

# 8 s at up to 20000 q/s, 20 outstanding: busy, not a flood that would lose
# packets in the kernel whatever the server did.
dnsperf -s 127.0.0.1 -p "$PORT" -d "$T/queries" -l 8 -Q 20000 -q 20 -t 2 > "$T/perf.out" 2>&1 &
perf=$!
sleep 0.5
for i in $(seq 10); do
	cp "$T/zone.$i" "$T/t.test.zone"
	if [ $((i % 2)) = 0 ]; then ctl reload > /dev/null || fail "reload $i"; else kill -HUP "$pid"; fi
	sleep 0.35
done
expect_eq "all 10 reloads happened while dnsperf ran" "$(kill -0 "$perf" 2>/dev/null && echo yes)" "yes"
wait "$perf"
cat "$T/perf.out"
sent=$(awk '/Queries sent:/ {print $3}' "$T/perf.out")
lost=$(awk '/Queries lost:/ {print $3}' "$T/perf.out")
expect_eq "dnsperf ran" "$([ "${sent:-0}" -gt 10000 ] && echo yes || echo "no (${sent:-0} sent)")" "yes"
expect_eq "no query lost" "$lost" "0"
expect_match "every answer NOERROR" "$(cat "$T/perf.out")" "NOERROR [0-9]+ \(100\.00%\)"
for _ in $(seq 50); do [ "$(ctl zones --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["generation"])')" = 11 ] && break; sleep 0.1; done
expect_eq "10 reloads done" "$(ctl zones --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["generation"])')" "11"
expect_eq "last data served" "$(q www.t.test A)" "192.0.2.20"
finish
