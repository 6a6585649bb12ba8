#!/bin/bash
# 410_ecs_oracle -- ECS answers and scopes (RFC 7871 7.2.1) over every network
# of MaxMind's GeoIP2-Country-Test database, IPv4 and IPv6, checked against an
# oracle computed from the MMDB search tree itself (oracle.c, libmaxminddb
# only) and, row by row, against gdnsd 3.8's geoip plugin serving the same map.
#
# For each of the 345 networks three queries (dig -f, one batch per server):
#   full    the network itself, source prefix = its length
#   capped  source capped at /24 (IPv4) or /56 (IPv6) as resolvers send it;
#           the answer may change inside the source prefix (84 rows)
#   last    the network's last address as a /32 or /128
# Every steerdns response must have the oracle's answer and a scope equal to
# the oracle's optimum (the shortest prefix around the address over which the
# answer is constant): never over-wide, never narrower than needed, and never
# narrower than gdnsd's scope for the same query. Prints the scope distribution.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
DB=$STEER_SRC/tests/data/mmdb/GeoIP2-Country-Test.mmdb
[ -r "$DB" ] || skip "no $DB"
command -v dig > /dev/null || skip "dig is not installed"
pkg-config --exists libmaxminddb || skip "libmaxminddb development files are not installed"
${CC:-cc} -O2 -Wall -Wextra -o "$T/oracle" "$TESTDIR/oracle.c" $(pkg-config --cflags --libs libmaxminddb) ||
	{ fail "compile oracle.c"; finish; }

# The map: country keys, continent keys (RU shares EU's list: equal lists
# merge), default. One single-address pool per answer.
#   key     GB DE SE US JP CN EU RU AS NA default
MAP="GB=198.18.0.1 DE=198.18.0.2 SE=198.18.0.3 US=198.18.0.4 JP=198.18.0.5 CN=198.18.0.6
EU=198.18.0.7 RU=198.18.0.7 AS=198.18.0.8 NA=198.18.0.9 default=198.18.0.10"

# The zone: app has a static A (what a policy-less server would answer).
printf '%s\n' '$ORIGIN example.test.' '$TTL 300' '@ SOA ns1 hostmaster 1 3600 600 86400 300' \
	'@ NS ns1' 'ns1 A 192.0.2.53' 'app A 198.18.0.10' > "$T/example.test.zone"
PORT=$(free_port)
pools="" geo=""
for kv in $MAP; do
	k=${kv%%=*} a=${kv#*=} p=p${a##*.}
	case "$pools" in *"\"$p\""*) ;; *) pools="$pools${pools:+, }\"$p\": { \"members\": [\"$a\"] }" ;; esac
	geo="$geo${geo:+, }\"$k\": [\"$p\"]"
done
cat > "$T/steerdns.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"] },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "geoip": { "database": "$DB" },
  "pools": { $pools },
  "records": { "app.example.test": { "ttl": 60, "geo": { $geo } } } }
JSON
start_bg steerdns "$STEERDNS" -c "$T/steerdns.json"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/steerdns.log"; exit 1; }

"$T/oracle" "$DB" networks > "$T/queries" || { fail "oracle: walk the database"; finish; }
nets=$(grep -c '^full ' "$T/queries")
nets4=$(grep -c '^full 4 ' "$T/queries")
capped=$(paste - - - < "$T/queries" | awk '$4 != $8' | wc -l)
echo "database: $nets networks ($nets4 IPv4, $((nets - nets4)) IPv6), $capped with a source capped at /24 or /56"
[ "$nets4" -gt 0 ] && [ "$nets" -gt "$nets4" ] || fail "the walk found both families"

# ask PORT OUT: every query through one dig batch; OUT gets one line per
# query, "FAMILY ADDR SOURCE ANSWER SCOPE" ("-" when absent).
ask() {
	awk -v port="$1" '{ print "@127.0.0.1 -p " port " +norec +nocookie +time=2 +tries=2 app.example.test A +subnet=" $3 "/" $4 }' \
		"$T/queries" > "$T/batch.$1"
	dig +noall +answer +comments -f "$T/batch.$1" 2>&1 | awk '
		function flush() { if (n) print (ans == "" ? "-" : ans) " " (scope == "" ? "-" : scope); ans = ""; scope = "" }
		/^;; Got answer:/ { flush(); n++ }
		/CLIENT-SUBNET:/ { k = split($3, p, "/"); scope = p[k] }
		/^app\.example\.test\..*IN[ \t]+A[ \t]/ { ans = $NF }
		END { flush() }' > "$T/answers.$1"
	paste -d' ' <(awk '{ print $2, $3, $4 }' "$T/queries") "$T/answers.$1" > "$2"
}
ask "$PORT" "$T/steerdns.rows"
[ "$(wc -l < "$T/steerdns.rows")" -eq "$(wc -l < "$T/queries")" ] || fail "one steerdns response per query"

"$T/oracle" "$DB" check $MAP < "$T/steerdns.rows" > "$T/steerdns.verdicts"
for v in ok narrow overwide wrong unparsed; do
	eval "n_$v=\$(awk -v v=$v '\$NF == v' \"\$T/steerdns.verdicts\" | wc -l)"
done
total=$(wc -l < "$T/steerdns.verdicts")
echo "steerdns: $total responses: $n_ok optimal, $n_narrow narrower than needed, $n_overwide over-wide, $n_wrong wrong answer, $n_unparsed unparsed"
expect_eq "responses checked" "$total" "$((3 * nets))"
expect_eq "over-wide scopes (the answer is not constant over client/scope)" "$n_overwide" 0
expect_eq "wrong answers" "$n_wrong" 0
expect_eq "scopes narrower than the oracle's optimum" "$n_narrow" 0
expect_eq "unparsed responses" "$n_unparsed" 0
awk '$NF != "ok"' "$T/steerdns.verdicts" | head -20

# Scopes longer than the source: exactly where the answer changes inside it.
longer=$(awk '$5 != "-" && $5 > $3' "$T/steerdns.rows" | wc -l)
echo "steerdns: $longer responses with a scope longer than the source prefix"
[ "$longer" -gt 0 ] || fail "no scope longer than the source prefix: the capped rows were not exercised"

# The oracle can fail: the old rule (scope = source where the answer changes
# inside the source) must be caught as over-wide on exactly those rows.
awk '$5 != "-" && $5 > $3 { $5 = $3; print }' "$T/steerdns.rows" > "$T/old-rule.rows"
old_overwide=$("$T/oracle" "$DB" check $MAP < "$T/old-rule.rows" | awk '$NF == "overwide"' | wc -l)
expect_eq "the oracle flags the old rule (scope = source) as over-wide" "$old_overwide" "$longer"

# Scope distribution: per query set and family, "/SCOPE xCOUNT" (and how
# many scopes were shorter than, equal to or longer than the source).
echo "scope distribution (set family: /scope xcount ...; <src =src >src):"
paste -d' ' <(awk '{ print $1 }' "$T/queries") "$T/steerdns.rows" | awk '
	{ k = $1 " v" $2; c[k, $6 + 0]++; keys[k] = 1
	  if ($6 + 0 < $4 + 0) lt[k]++; else if ($6 + 0 == $4 + 0) eq[k]++; else gt[k]++ }
	END { for (k in keys) { line = k ":"
		for (s = 0; s <= 128; s++) if ((k, s) in c) line = line " /" s "x" c[k, s]
		print line "; <src " lt[k] + 0 " =src " eq[k] + 0 " >src " gt[k] + 0 } }' | sort | fold -s -w 110 | sed 's/^/  /'

# gdnsd with the same map, row by row.
GDNSD=$(command -v gdnsd || echo /usr/sbin/gdnsd)
if [ ! -x "$GDNSD" ]; then
	echo "gdnsd is not installed: the row-by-row comparison with gdnsd was not run"
	finish
fi
G=$T/gdnsd GPORT=$(free_port)
mkdir -p "$G/zones" "$G/run" "$G/state"
sed 's/^app A .*/app 60 DYNA geoip!app/' "$T/example.test.zone" > "$G/zones/example.test"
dcs="" dcmap="" sub_eu="" sub_as="" sub_na=""
for kv in $MAP; do
	k=${kv%%=*} a=${kv#*=} p=p${a##*.}
	case " $dcs " in *" $p "*) ;; *) dcs="$dcs $p"; dcmap="$dcmap $p => $a," ;; esac
	case $k in
	GB|DE|SE|RU) sub_eu="$sub_eu $k => [$p]," ;;
	JP|CN) sub_as="$sub_as $k => [$p]," ;;
	US) sub_na="$sub_na $k => [$p]," ;;
	EU) sub_eu="$sub_eu default => [$p]," ;;
	AS) sub_as="$sub_as default => [$p]," ;;
	NA) sub_na="$sub_na default => [$p]," ;;
	default) def=$p ;;
	esac
done
cat > "$G/config" <<CONF
options => {
  listen => [ 127.0.0.1:$GPORT ]
  udp_threads => 1
  tcp_threads => 1
  run_dir => "$G/run"
  state_dir => "$G/state"
}
plugins => { geoip => {
  maps => { m => {
    geoip2_db => "$DB"
    datacenters => [$dcs ]
    map => { default => [$def], EU => {$sub_eu }, AS => {$sub_as }, NA => {$sub_na } }
  } }
  resources => { app => { map => m, dcmap => {$dcmap } } }
} }
CONF
start_bg gdnsd "$GDNSD" -c "$G" -D start
if ! wait_dns 127.0.0.1 "$GPORT"; then
	cat "$T/gdnsd.log"
	fail "gdnsd did not start"
	finish
fi
ask "$GPORT" "$T/gdnsd.rows"
"$T/oracle" "$DB" check $MAP < "$T/gdnsd.rows" > "$T/gdnsd.verdicts"
echo "gdnsd against the oracle: $(awk '{ c[$NF]++ } END { for (k in c) printf "%s %d  ", k, c[k] }' "$T/gdnsd.verdicts")"
cmp=$(paste -d' ' "$T/steerdns.rows" "$T/gdnsd.rows" | awk '
	$4 == $9 { same++ } $4 != $9 { diff++ }
	$5 != "-" && $10 != "-" && $5 + 0 > $10 + 0 { narrower++ }
	$5 != "-" && $10 != "-" && $5 + 0 < $10 + 0 { wider++ }
	$5 == $10 { equal++ }
	END { printf "%d %d %d %d %d\n", same, diff, narrower, wider, equal }')
read -r same diff narrower wider equal <<< "$cmp"
echo "steerdns vs gdnsd: answers agree $same/$((same + diff)); scopes equal $equal, steerdns wider $wider, narrower $narrower"
expect_eq "answers agree with gdnsd on every row" "$diff" 0
expect_eq "scopes narrower than gdnsd's" "$narrower" 0
paste -d' ' "$T/steerdns.rows" "$T/gdnsd.rows" | awk '$4 != $9 || ($5 + 0 > $10 + 0)' | head -20
finish
