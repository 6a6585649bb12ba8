#!/bin/bash
# 802_nsid_ede -- NSID (RFC 5001, server.nsid) and Extended DNS Errors
# (RFC 8914; issue 13, item 6). NSID only to queries that ask for it, as a
# string or "hex:" bytes, changed by a reload; EDE where NSD sends one
# (010_diff_nsd compares them with NSD): 20 Not Authoritative outside our
# zones, 18 Prohibited for a hidden CH identity, 21 Not Supported for other
# classes; EDE 0 "rate limited" on a truncated (slipped) RRL response; none
# without EDNS.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
make_zone 1 192.0.2.10
conf() { # nsid
	write_config "${1:+\"nsid\": \"$1\"}" '"rrl": { "responses_per_second": 1, "slip": 1, "window": 1, "ipv4_prefix": 16 }'
	sed -i 's/"workers": 2/"workers": 1/' "$CFG" # one RRL table (rrl.h)
}
conf nsid-test
start_steerdns
d() { dig @127.0.0.1 -p "$PORT" +nocookie +time=2 +tries=1 "$@"; }

out=$(d -b 127.20.0.1 +nsid www.t.test A)
expect_match "dig +nsid: our NSID" "$out" '; NSID: 6e 73 69 64 2d 74 65 73 74 \("nsid-test"\)'
expect_match "dig +nsid: answered" "$out" 'status: NOERROR'
out=$(d -b 127.20.0.2 www.t.test A)
expect_eq "no NSID option asked: none sent" "$(printf '%s' "$out" | grep -c NSID)" 0
out=$(kdig @127.0.0.1 -p "$PORT" -b 127.20.0.3 +nsid www.t.test A 2>&1)
expect_match "kdig +nsid: our NSID" "$out" 'NSID: 6E7369642D74657374 "nsid-test"'

conf hex:0102ff
ctl reload > /dev/null || fail "reload"
out=$(d -b 127.21.0.1 +nsid www.t.test A)
expect_match "server.nsid \"hex:0102ff\": those bytes" "$out" '; NSID: 01 02 ff '
conf ""
ctl reload > /dev/null || fail "reload"
out=$(d -b 127.21.0.2 +nsid www.t.test A)
expect_eq "no server.nsid: no NSID even when asked" "$(printf '%s' "$out" | grep -c NSID)" 0

# EDE on REFUSED, as NSD sends them.
out=$(d -b 127.22.0.1 www.example.net A)
expect_match "outside our zones: REFUSED" "$out" 'status: REFUSED'
expect_match "outside our zones: EDE 20 (Not Authoritative)" "$out" 'EDE: 20 \(Not Authoritative\)'
out=$(d -b 127.22.0.2 version.bind TXT -c CH)
expect_match "version.bind with chaos off: REFUSED" "$out" 'status: REFUSED'
expect_match "version.bind with chaos off: EDE 18 (Prohibited)" "$out" 'EDE: 18 \(Prohibited\)'
out=$(d -b 127.22.0.3 www.t.test A -c CH)
expect_match "another name in class CH: EDE 21 (Not Supported)" "$out" 'EDE: 21 \(Not Supported\)'
out=$(d -b 127.22.0.4 www.t.test A -c HS)
expect_match "class HS: EDE 21 (Not Supported)" "$out" 'EDE: 21 \(Not Supported\)'
out=$(d -b 127.22.0.5 +noedns www.example.net A)
expect_match "without EDNS: REFUSED" "$out" 'status: REFUSED'
expect_eq "without EDNS: no OPT, so no EDE" "$(printf '%s' "$out" | grep -c 'EDE:')" 0
out=$(d -b 127.22.0.6 www.t.test A)
expect_eq "a plain answer: no EDE" "$(printf '%s' "$out" | grep -c 'EDE:')" 0

# A slipped RRL response (1/s, slip 1: every limited one is truncated).
# The limit is per second: two queries that straddle a second boundary
# can both be answered in full, so ask up to five times (at most two fall
# in one second's credit) and check the first truncated response.
d -b 127.23.0.1 www.t.test A > /dev/null
for _ in 1 2 3 4 5; do
	out=$(d -b 127.23.0.1 +ignore www.t.test A)
	case $out in *'flags: qr aa tc'*) break ;; esac
done
expect_match "over the limit: truncated" "$out" 'flags: qr aa tc'
expect_match "the truncated response: EDE 0 with its reason" "$out" 'EDE: 0 \(Other\): \(rate limited\)'
expect_match "the truncated response: no records" "$out" 'ANSWER: 0, AUTHORITY: 0'
expect_match "dig retries over TCP and gets the answer" "$(d -b 127.23.0.1 +short www.t.test A)" '^192\.0\.2\.10$'

# A reload without the "rrl" section stops limiting (the worker drops its table).
write_config
sed -i 's/"workers": 2/"workers": 1/' "$CFG"
ctl reload > /dev/null || fail "reload"
n=0
for i in $(seq 10); do
	d -b 127.23.0.1 +ignore www.t.test A | grep -q 'flags: qr aa rd;' && n=$((n + 1))
done
expect_eq "rrl removed by a reload: every answer full" "$n/10" "10/10"

# A bad server.nsid is a config error at its line.
printf '{ "server": {\n "nsid": "hex:zz" }, "zones": [] }\n' > "$T/bad.json"
expect_match "bad nsid: file:line: server/nsid: reason" "$("$STEERDNS" --check -c "$T/bad.json" 2>&1)" \
	'bad.json:2: server/nsid: "hex:zz": "hex:" needs an even number of hex digits'
printf '{ "server": {}, "rrl": {\n "responses_per_secnd": 5 }, "zones": [] }\n' > "$T/bad2.json"
expect_match "a typo in rrl: did you mean" "$("$STEERDNS" --check -c "$T/bad2.json" 2>&1)" \
	'bad2.json:2: rrl: unknown key "responses_per_secnd" \(did you mean "responses_per_second"\?\)'
printf '{ "server": {}, "rrl": {\n "exempt": ["192.0.2.1/24"] }, "zones": [] }\n' > "$T/bad3.json"
expect_match "an exempt network with host bits: an error" "$("$STEERDNS" --check -c "$T/bad3.json" 2>&1)" \
	'rrl/exempt: "192.0.2.1/24": host bits set past the prefix length'
finish
