#!/bin/bash
# 482_steerctl_explain -- `steerctl explain` on the demo (real steerdns, real
# steer-healthd, four real HTTP backends on loopback): a CNAME (and a
# wildcard CNAME) is followed to the steered name, with the chain shown; a
# name without a policy gets what the server answers (static records,
# NODATA, NXDOMAIN with the SOA, REFUSED outside our zones, a chain that
# leaves them), checked against dig's answer from the same server; health
# data is said to be stale while steer-healthd is away (never seen yet, then
# lost, since when) and live again once it is back.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"
. "$TESTDIR/../lib/demo.sh"
PY=/usr/bin/python3

# jq EXPR: evaluate a Python expression on the JSON on stdin (as j).
jq() { $PY -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# dig_rrs NAME TYPE [SUBNET]: "rcode|answer RRs" from the server itself.
dig_rrs() {
	dig @127.0.0.1 -p "$PORT" +norec +nocookie +time=2 +tries=1 "$1" "$2" ${3:++subnet=$3} 2>&1 | awk '
		/status:/ { s = $6; sub(",", "", s) }
		/^;; ANSWER SECTION:/ { a = 1; next }
		/^$/ { a = 0 }
		a && !/^;/ { n++; r = r $1 " " $2 " " $3 " " $4 " " $5; for (i = 6; i <= NF; i++) r = r " " $i; r = r ";" }
		END { print s "|" r }'
}
# ex_rrs: the same from an explain --json reply.
ex_rrs() { jq '"%s|%s" % (j["response"]["rcode"], "".join(r + ";" for r in j["response"]["answer"]))'; }

demo_config
demo_backends
# steerdns before steer-healthd: no health data yet.
start_bg server "$STEERDNS" -c "$DEMO"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
wait_file "$T/steerdns.sock"
j=$(demo_ctl --json explain app.example.com A --subnet 203.0.113.0/24)
expect_eq "no healthd yet: stale, never updated" "$(jq '(j["health"]["linked"], j["health"]["stale"], j["health"]["last_update"], j["health"]["targets"])' <<< "$j")" "(False, True, None, 4)"
out=$(demo_ctl explain app.example.com A --subnet 203.0.113.0/24)
expect_match "no healthd yet: says so" "$out" "health +STALE: no link to steer-healthd since [0-9T:-]+Z \([0-9]+s\); no health data yet"

start_bg hd "$HEALTHD" -c "$DEMO"
ups() { demo_ctl --json explain app.example.com A 2>/dev/null | grep -c '"state": "up"'; }
for _ in $(seq 80); do [ "$(ups)" = 3 ] && break; sleep 0.1; done
expect_eq "healthd: the backends up, as steerdns sees them" "$(ups)" 3
j=$(demo_ctl --json explain app.example.com A)
expect_eq "healthd linked: live" "$(jq '(j["health"]["linked"], j["health"]["stale"], j["health"]["last_update"] is not None)' <<< "$j")" "(True, False, True)"

# --- a CNAME to a steered name ---------------------------------------------
j=$(demo_ctl --json explain www.example.com A --subnet 198.51.100.0/24); rc=$?
expect_eq "www (CNAME): exit 0" "$rc" 0
expect_eq "www: query, chain, steered name" "$(jq '(j["query"]["name"], j["chain"], j["name"], j["outcome"], j["policy"])' <<< "$j")" \
	"('www.example.com', ['www.example.com. 3600 IN CNAME app.example.com.'], 'app.example.com.', 'steered', 'geo')"
expect_eq "www: the policy's reasoning for app (California -> NA -> us-east)" \
	"$(jq '(j["region"]["key"], [p["pool"] + ":" + p["verdict"] for p in j["pools"]], j["answer"], j["ecs_scope"])' <<< "$j")" \
	"('NA', ['us-east:answered', 'eu-west:not reached', 'v6:not reached'], ['127.0.1.10', '127.0.1.11'], 6)"
expect_eq "www: the response is the server's" "$(ex_rrs <<< "$j")" "$(dig_rrs www.example.com A 198.51.100.0/24)"
expect_match "www: the response has the chain and the steered A" "$(ex_rrs <<< "$j")" \
	"^NOERROR\|www\.example\.com\. 3600 IN CNAME app\.example\.com\.;app\.example\.com\. 60 IN A 127\.0\.1\.1[01];"
expect_eq "www: explain_json's fields are all kept" "$(jq 'sorted(k for k in ["name","type","policy","client","location","region","pools","fell_open","nodata","answer","ttl","degraded","ecs_scope","note"] if k not in j)' <<< "$j")" "[]"
out=$(demo_ctl explain www.example.com A --subnet 198.51.100.0/24)
echo "$out"
expect_eq "www human: the query first" "$(sed -n 1p <<< "$out")" "www.example.com A"
expect_match "www human: the chain" "$(sed -n 2p <<< "$out")" "^cname +www\.example\.com\. 3600 IN CNAME app\.example\.com\.$"
expect_eq "www human: then the policy of app" "$(sed -n 3p <<< "$out")" "app.example.com. A: policy geo"
expect_match "www human: health live" "$out" "health +live: linked to steer-healthd since [0-9T:-]+Z, last update [0-9T:-]+Z"
j=$(demo_ctl --json explain www.example.com A --subnet 2001:db8:400::/48)
expect_eq "IPv6 ECS subnet in the query: Sydney -> default, scope /38" \
	"$(jq '(j["region"]["key"], j["ecs_scope"])' <<< "$j")|$(ex_rrs <<< "$j")" "('default', 38)|$(dig_rrs www.example.com A 2001:db8:400::/48)"
j=$(demo_ctl --json explain www.example.com A --from 203.0.113.7)
expect_eq "--from is the query's source: Frankfurt -> eu-west, no ECS" \
	"$(jq '(j["region"]["key"], j["ecs_scope"], j["response"]["answer"][1:])' <<< "$j")" "('EU', None, ['app.example.com. 60 IN A 127.0.2.20'])"
j=$(demo_ctl --json explain tenant7.customers.example.com AAAA --subnet 203.0.113.0/24)
expect_eq "wildcard CNAME: followed to app, AAAA from v6" "$(jq '(j["chain"], j["name"], j["outcome"], j["answer"])' <<< "$j")" \
	"(['tenant7.customers.example.com. 300 IN CNAME app.example.com.'], 'app.example.com.', 'steered', ['2001:db8::10', '2001:db8:1::20'])"
expect_eq "wildcard: the response is the server's" "$(ex_rrs <<< "$j")" "$(dig_rrs tenant7.customers.example.com AAAA 203.0.113.0/24)"

# --- names without a policy: what the server answers -----------------------
j=$(demo_ctl --json explain mail.example.com A); rc=$?
expect_eq "static: exit 0" "$rc" 0
expect_eq "static: outcome, no policy" "$(jq '(j["outcome"], j["policy"], j["chain"])' <<< "$j")" "('static', None, [])"
expect_eq "static: the zone's records" "$(ex_rrs <<< "$j")" "NOERROR|mail.example.com. 3600 IN A 203.0.113.25;"
expect_eq "static: as dig gets them" "$(ex_rrs <<< "$j")" "$(dig_rrs mail.example.com A)"
out=$(demo_ctl explain mail.example.com A)
expect_match "static human" "$out" "answer +from the zone file \(no steering policy\)"
expect_match "static human: the record" "$out" "mail\.example\.com\. 3600 IN A 203\.0\.113\.25"

j=$(demo_ctl --json explain example.com MX)
expect_eq "other type at a steered name: static, with a note" "$(jq '(j["outcome"], j["policy"], j["note"])' <<< "$j")" \
	"('static', None, \"this name's policy steers only A and AAAA answers\")"
expect_eq "MX: as dig gets them" "$(ex_rrs <<< "$j")" "$(dig_rrs example.com MX)"

j=$(demo_ctl --json explain mail.example.com TXT)
expect_eq "NODATA: outcome, empty answer" "$(jq '(j["outcome"], j["response"]["rcode"], j["response"]["answer"])' <<< "$j")" "('nodata', 'NOERROR', [])"
expect_match "NODATA: the SOA in authority" "$(jq 'j["response"]["authority"]' <<< "$j")" "example\.com\. 300 IN SOA ns1\.example\.com\. hostmaster\.example\.com\. 2024060101 "
expect_eq "NODATA: as dig gets it" "$(ex_rrs <<< "$j")" "$(dig_rrs mail.example.com TXT)"
expect_match "NODATA human" "$(demo_ctl explain mail.example.com TXT)" "answer +NODATA: mail\.example\.com\. exists but has no TXT record"

j=$(demo_ctl --json explain nothere.example.com A); rc=$?
expect_eq "NXDOMAIN: exit 0" "$rc" 0
expect_eq "NXDOMAIN: outcome" "$(jq '(j["outcome"], j["response"]["rcode"], j["response"]["aa"])' <<< "$j")" "('nxdomain', 'NXDOMAIN', True)"
expect_eq "NXDOMAIN: as dig gets it" "$(ex_rrs <<< "$j")" "$(dig_rrs nothere.example.com A)"
out=$(demo_ctl explain nothere.example.com A)
expect_match "NXDOMAIN human" "$out" "answer +NXDOMAIN: nothere\.example\.com\. does not exist"
expect_match "NXDOMAIN human: the SOA" "$out" "authority +example\.com\. 300 IN SOA ns1\.example\.com\. "

j=$(demo_ctl --json explain www.example.org A); rc=$?
expect_eq "REFUSED: exit 0" "$rc" 0
expect_eq "REFUSED: outcome" "$(jq '(j["outcome"], j["response"]["rcode"])' <<< "$j")" "('refused', 'REFUSED')"
expect_eq "REFUSED: as dig gets it" "$(ex_rrs <<< "$j")" "$(dig_rrs www.example.org A)"
expect_match "REFUSED human" "$(demo_ctl explain www.example.org A)" "answer +REFUSED: www\.example\.org\. is in no zone steerdns serves"

j=$(demo_ctl --json explain status.example.com A)
expect_eq "chain out of our zones" "$(jq '(j["outcome"], j["name"], j["chain"])' <<< "$j")" \
	"('external', 'statuspage.saas-provider.example.', ['status.example.com. 3600 IN CNAME statuspage.saas-provider.example.'])"
expect_eq "external: as dig gets it" "$(ex_rrs <<< "$j")" "$(dig_rrs status.example.com A)"

# --- healthd away: stale since it went -----------------------------------
before=$(date +%s)
stop_bg hd
for _ in $(seq 50); do [ "$(demo_ctl --json explain app.example.com A | jq 'j["health"]["linked"]')" = False ] && break; sleep 0.1; done
j=$(demo_ctl --json explain www.example.com A --subnet 198.51.100.0/24)
expect_eq "healthd gone: stale" "$(jq '(j["health"]["linked"], j["health"]["stale"])' <<< "$j")" "(False, True)"
expect_eq "healthd gone: since it went, after the last update" \
	"$(jq "j['health']['since'] >= $before - 1 and j['health']['since'] >= j['health']['last_update']" <<< "$j")" "True"
expect_eq "healthd gone: the last-known states are kept" "$(jq '[m["state"] for p in j["pools"] for m in p["members"]][:2]' <<< "$j")" "['up', 'up']"
out=$(demo_ctl explain www.example.com A --subnet 198.51.100.0/24)
expect_match "healthd gone human" "$out" "health +STALE: no link to steer-healthd since [0-9T:-]+Z \([0-9]+s\); member states are the last known, from [0-9T:-]+Z"
start_bg hd2 "$HEALTHD" -c "$DEMO"
for _ in $(seq 100); do [ "$(demo_ctl --json explain app.example.com A | jq 'j["health"]["linked"]')" = True ] && break; sleep 0.1; done
expect_eq "healthd back: live again" "$(demo_ctl --json explain app.example.com A | jq '(j["health"]["linked"], j["health"]["stale"])')" "(True, False)"
finish
