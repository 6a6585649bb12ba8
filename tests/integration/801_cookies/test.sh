#!/bin/bash
# 801_cookies -- DNS cookies (RFC 7873, server cookies per RFC 9018; issue
# 13, item 2): dig +cookie gets its client cookie back with a 16-byte server
# cookie; the server cookie sent back is echoed; malformed COOKIE options
# are FORMERR (RFC 7873 5.2.2); over the RRL limit with require_over_limit,
# a client without a valid server cookie gets BADCOOKIE with a fresh one,
# and one with a valid server cookie is never limited; kdig +cookie (a
# second client) follows BADCOOKIE to an answer; a secret rotated by reload
# keeps the old cookies valid through previous_secret, and not after.
# genreport (ISC) is not packaged for Debian: its ednscookie check is the
# dig +cookie exchange below.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
command -v kdig > /dev/null || skip "kdig is not installed (knot-dnsutils)"
S1=e5e973e5a6b2a43f48e7dc849e37bfcf
S2=445536bcd2513298075a5d379663c962
make_zone 1 192.0.2.10
cookies() { # secret [previous]
	write_config '"nsid": "cookie-test"' '"rrl": { "responses_per_second": 2, "slip": 2, "window": 2, "ipv4_prefix": 16 },
	"cookies": { "secret": "'"$1"'"'"${2:+, \"previous_secret\": \"$2\"}"', "require_over_limit": true }'
	# One UDP worker: RRL tables are per worker (rrl.h), and dig's source
	# ports could land on another one.
	sed -i 's/"workers": 2/"workers": 1/' "$CFG"
}
cookies $S1
start_steerdns
pid=$(cat "$T/steerdns.pid")
d() { dig @127.0.0.1 -p "$PORT" +time=2 +tries=1 +nobadcookie "$@"; }
cookie_of() { sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p'; }

# dig +cookie: the client cookie comes back with a server cookie of 16 bytes, version 1.
out=$(d -b 127.10.0.1 +cookie=0102030405060708 www.t.test A)
c=$(printf '%s\n' "$out" | cookie_of)
expect_match "dig +cookie: the client cookie echoed, then a server cookie (version 1, 16 bytes)" "$c" '^0102030405060708010000[0-9a-f]{26}$'
expect_match "dig judges the COOKIE good" "$out" 'COOKIE: [0-9a-f]{48} \(good\)'
expect_match "dig +cookie: answered" "$out" 'status: NOERROR'
out=$(d -b 127.10.0.1 +cookie="$c" www.t.test A)
expect_eq "the server cookie sent back is fresh: echoed as it came" "$(printf '%s\n' "$out" | cookie_of)" "$c"
out=$(kdig @127.0.0.1 -p "$PORT" -b 127.10.0.1 +cookie www.t.test A)
expect_match "kdig +cookie: a server cookie back" "$out" 'COOKIE: [0-9A-F]{16}01000000[0-9A-F]{24}'

# RFC 7873 5.2.2: too short, a server cookie of 1..7 bytes, too long: FORMERR.
# (Each from its own /16: FORMERR responses are rate-limited too.)
i=30
for hex in 00112233445566 00112233445566778899aabbcc \
	00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677889; do
	[ $(( ${#hex} % 2 )) -eq 1 ] && hex=${hex}0
	i=$((i + 1))
	out=$(d -b 127.$i.0.1 +nocookie +ednsopt=10:$hex www.t.test A)
	expect_match "COOKIE of $(( ${#hex} / 2 )) bytes: FORMERR" "$out" 'status: FORMERR'
done
out=$(d -b 127.35.0.1 +nocookie +ednsopt=10:0011223344556677 www.t.test A)
expect_match "COOKIE of 8 bytes (client only): answered" "$out" 'status: NOERROR'

# Over the limit (2/s) with a client cookie only: BADCOOKIE with a fresh server cookie.
saw=""
for i in $(seq 8); do
	out=$(d -b 127.12.0.1 +cookie=1112131415161718 www.t.test A)
	if printf '%s' "$out" | grep -q 'status: BADCOOKIE'; then saw=$out; break; fi
done
expect_match "over the limit without a server cookie: BADCOOKIE" "$saw" 'status: BADCOOKIE'
expect_match "BADCOOKIE carries a fresh server cookie" "$(printf '%s\n' "$saw" | cookie_of)" '^1112131415161718010000'
expect_match "BADCOOKIE: no answer records" "$saw" 'ANSWER: 0'
good=$(printf '%s\n' "$saw" | cookie_of)
# With that cookie the same prefix is answered every time, however fast.
n=0
for i in $(seq 10); do
	d -b 127.12.0.1 +cookie="$good" www.t.test A | grep -q 'status: NOERROR' && n=$((n + 1))
done
expect_eq "a valid server cookie is not rate-limited" "$n/10" "10/10"
# A forged server cookie (one bit of the hash flipped) is limited like none.
bad=${good%?}$(printf '%x' $(( (0x${good: -1} + 1) % 16 )))
n=0
for i in $(seq 6); do
	d -b 127.12.0.1 +cookie="$bad" www.t.test A | grep -q 'status: BADCOOKIE' && n=$((n + 1))
done
if [ "$n" -ge 4 ]; then pass "a forged server cookie: BADCOOKIE ($n/6)"; else fail "forged cookie: $n/6 BADCOOKIE"; fi
# kdig follows BADCOOKIE: it retries with the cookie it got and is answered.
out=$(kdig @127.0.0.1 -p "$PORT" -b 127.12.0.1 +cookie=2122232425262728 www.t.test A 2>&1)
expect_match "kdig +cookie over the limit: answered after BADCOOKIE" "$out" 'status: NOERROR'
expect_match "kdig: the answer" "$out" 'www.t.test.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.10'

# TCP is not limited and needs no cookie.
expect_eq "over TCP: answered" "$(dig -b 127.12.0.1 @127.0.0.1 -p "$PORT" +tcp +short +cookie=3132333435363738 www.t.test A)" 192.0.2.10

# Rotation: new secret, the old one as previous_secret: the old cookie is
# still valid (answered over the limit), and the answer carries a new one.
cookies $S2 $S1
ctl reload > /dev/null || fail "reload"
n=0; newc=""
for i in $(seq 6); do
	out=$(d -b 127.12.0.1 +cookie="$good" www.t.test A)
	printf '%s' "$out" | grep -q 'status: NOERROR' && n=$((n + 1))
	newc=$(printf '%s\n' "$out" | cookie_of)
done
expect_eq "after rotation: the old secret's cookie still valid" "$n/6" "6/6"
if [ -n "$newc" ] && [ "$newc" != "$good" ]; then pass "after rotation: a cookie made with the new secret handed out"; else fail "no new cookie: $newc"; fi
# Without previous_secret, the old cookie is no longer ours.
cookies $S2
ctl reload > /dev/null || fail "reload"
n=0
for i in $(seq 6); do
	d -b 127.12.0.1 +cookie="$good" www.t.test A | grep -q 'status: BADCOOKIE' && n=$((n + 1))
done
if [ "$n" -ge 4 ]; then pass "previous secret dropped: the old cookie gets BADCOOKIE ($n/6)"; else fail "old cookie after drop: $n/6 BADCOOKIE"; fi
n=0
for i in $(seq 6); do
	d -b 127.12.0.1 +cookie="$newc" www.t.test A | grep -q 'status: NOERROR' && n=$((n + 1))
done
expect_eq "the new secret's cookie: answered" "$n/6" "6/6"

ctl stats > "$T/stats.txt"
expect_match "steerctl stats counts cookies" "$(grep '^cookies' "$T/stats.txt")" '[1-9][0-9]* client only, [1-9][0-9]* valid, [1-9][0-9]* invalid'
expect_match "steerctl stats counts BADCOOKIE" "$(grep '^rate-limited' "$T/stats.txt")" '[1-9][0-9]* badcookie'

# Config errors name the key and the reason.
printf '{ "server": {}, "cookies": { "secret": "abc", "require_over_limit": true }, "zones": [] }\n' > "$T/bad.json"
out=$("$STEERDNS" --check -c "$T/bad.json" 2>&1)
expect_match "a short secret: file:line: cookies/secret" "$out" 'bad.json:1: cookies/secret: "abc": expected 32 hex digits'
expect_match "require_over_limit without rrl: an error" "$out" 'require_over_limit: needs an "rrl" section'
printf '{ "server": {},\n "cookies": { "secrt": "%s" }, "zones": [] }\n' $S1 > "$T/bad2.json"
expect_match "a typo in cookies: did you mean" "$("$STEERDNS" --check -c "$T/bad2.json" 2>&1)" 'bad2.json:2: cookies: unknown key "secrt" \(did you mean "secret"\?\)'
kill -0 "$pid" && pass "steerdns still running"
finish
