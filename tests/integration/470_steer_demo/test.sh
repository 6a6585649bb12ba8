#!/bin/bash
# 470_steer_demo -- the demo of `make run` (zones/steerdns.json with the
# committed FAKE demo database zones/demo-geo.mmdb, steer-healthd and four
# HTTP backends), on free ports: the `dig +subnet=` queries shown in
# docs/steering.md land where the document says, with the scopes it shows,
# and a drain fails Europe over to us-east as shown there.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"

. "$TESTDIR/../lib/demo.sh"
demo_config
demo_backends
start_bg hd "$HEALTHD" -c "$T/steerdns.json"
start_bg server "$STEERDNS" -c "$T/steerdns.json"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
# The backends may start after healthd's first probes: wait for four "up"s
# (rise 2 x interval 1 s), as seen by steerdns.
ups() { "$STEERCTL" -c "$T/steerdns.json" --json explain app.example.com A 2>/dev/null | grep -c '"state": "up"'; }
for _ in $(seq 80); do [ "$(ups)" = 3 ] && [ "$(grep -c -- '-> up' "$T/server.log")" -ge 4 ] && break; sleep 0.1; done

q() { # NAME TYPE SUBNET -> "ADDRESSES /SCOPE"
	dig @127.0.0.1 -p "$PORT" +norec +nocookie +time=2 +tries=1 "$1" "$2" +subnet="$3" 2>&1 | awk -v t="$2" '
		/CLIENT-SUBNET:/ { n = split($3, p, "/"); scope = p[n] }
		$4 == t { s = s $5 " " }
		END { print s "/" scope }'
}
expect_eq "doc: California -> us-east" "$(q app.example.com A 198.51.100.0/24)" "127.0.1.10 127.0.1.11 /6"
expect_eq "doc: Frankfurt -> eu-west" "$(q app.example.com A 203.0.113.0/24)" "127.0.2.20 /24"
expect_eq "doc: Tokyo -> ap-east" "$(q app.example.com A 192.0.2.0/24)" "127.0.3.30 /24"
expect_eq "doc: Sydney (IPv6) -> default" "$(q app.example.com A 2001:db8:400::/48)" "127.0.1.10 127.0.1.11 /38"
expect_eq "doc: office nets entry -> eu-west" "$(q app.example.com A 10.1.0.0/16)" "127.0.2.20 /8"
expect_eq "doc: AAAA from the v6 pool" "$(q app.example.com AAAA 203.0.113.0/24)" "2001:db8::10 2001:db8:1::20 /24"
expect_eq "doc: api failover, scope 0" "$(q api.example.com A 203.0.113.0/24)" "127.0.1.10 127.0.1.11 /0"
w=$(for i in $(seq 40); do dig @127.0.0.1 -p "$PORT" +short example.com A; done | sort -u | tr '\n' ' ')
expect_eq "doc: the apex is weighted over us-east and eu-west" "$w" "127.0.1.10 127.0.1.11 127.0.2.20 "

"$STEERCTL" -c "$T/steerdns.json" drain web@127.0.2.20 > /dev/null || fail "drain"
for _ in $(seq 100); do [ "$(q app.example.com A 203.0.113.0/24)" = "127.0.1.10 127.0.1.11 /24" ] && break; sleep 0.05; done
expect_eq "doc: eu-west drained -> Europe on us-east" "$(q app.example.com A 203.0.113.0/24)" "127.0.1.10 127.0.1.11 /24"
ttl=$(dig @127.0.0.1 -p "$PORT" +noall +answer app.example.com A +subnet=203.0.113.0/24 | awk '{print $2; exit}')
expect_eq "doc: degraded TTL 20" "$ttl" "20"
out=$("$STEERCTL" -c "$T/steerdns.json" explain app.example.com A --subnet 203.0.113.0/24)
echo "$out"
expect_match "doc: explain shows the drain" "$out" "127\.0\.2\.20 +drained"
finish
