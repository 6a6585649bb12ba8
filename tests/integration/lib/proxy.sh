# proxy.sh -- steerdns behind a PROXY v2 sender (42x tests); source after lib.sh.
#
# The clients are loopback addresses placed by "nets" overrides, so the
# answers do not depend on any MMDB data:
#   127.0.0.21 DE -> 198.18.0.1   127.0.0.22 JP -> 198.18.0.2
#   127.0.0.23 US -> 198.18.0.3   ::1        GB -> 198.18.0.4
#   any other                     default -> 198.18.0.9
#
#   proxy_steerdns PROXY_FROM_JSON   zone + $T/steerdns.json on $PORT (control
#                                    socket $T/ctl.sock, /metrics on $MPORT,
#                                    dnstap file $T/tap.fstrm), then starts it
#   pq PORT SRC [dig args]           app.example.test A from SRC via 127.0.0.1:PORT
#                                    (or [::1] when SRC is ::1): the address or "none"
#   pstat VERDICT                    steerctl stats --json: proxy.VERDICT
#   proxy_expect_geo WHAT PORT [dig args]  the four clients get their answers
PORT=$(free_port)
MPORT=$(free_port)
CLIENTS="127.0.0.21=198.18.0.1 127.0.0.22=198.18.0.2 127.0.0.23=198.18.0.3 ::1=198.18.0.4 127.0.0.5=198.18.0.9"

proxy_steerdns() {
	printf '%s\n' '$ORIGIN example.test.' '$TTL 300' '@ SOA ns1 hostmaster 1 3600 600 86400 300' \
		'@ NS ns1' 'ns1 A 192.0.2.53' 'app A 198.18.0.9' > "$T/example.test.zone"
	cat > "$T/steerdns.json" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "proxy_from": $1, "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone" } ],
  "metrics": { "listen": ["127.0.0.1:$MPORT"] },
  "dnstap": { "file": "tap.fstrm" },
  "geoip": { "nets": { "127.0.0.21/32": "DE", "127.0.0.22/32": "JP", "127.0.0.23/32": "US",
                       "::1/128": "GB" } },
  "pools": { "de": { "members": ["198.18.0.1"] }, "jp": { "members": ["198.18.0.2"] },
             "us": { "members": ["198.18.0.3"] }, "gb": { "members": ["198.18.0.4"] },
             "def": { "members": ["198.18.0.9"] } },
  "records": { "app.example.test": { "ttl": 60,
      "geo": { "DE": ["de"], "JP": ["jp"], "US": ["us"], "GB": ["gb"], "default": ["def"] } } } }
JSON
	start_bg steerdns "$STEERDNS" -c "$T/steerdns.json"
	for _ in $(seq 100); do
		[ -S "$T/ctl.sock" ] && "$STEERCTL" -c "$T/steerdns.json" stats > /dev/null 2>&1 && return 0
		sleep 0.05
	done
	cat "$T/steerdns.log"
	fail "steerdns did not start"
	finish
}

pq() {
	local port=$1 src=$2 server=127.0.0.1 out
	shift 2
	[ "$src" = ::1 ] && server=::1
	out=$(dig +short +norec +time=2 +tries=1 -b "$src" @"$server" -p "$port" app.example.test A "$@" 2>/dev/null |
		grep -E '^[0-9.]+$' | head -1)
	echo "${out:-none}"
}

pstat() {
	"$STEERCTL" -c "$T/steerdns.json" stats --json |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["proxy"][sys.argv[1]])' "$1"
}

proxy_expect_geo() {
	local what=$1 port=$2 kv
	shift 2
	for kv in $CLIENTS; do
		expect_eq "$what: client ${kv%%=*}" "$(pq "$port" "${kv%%=*}" "$@")" "${kv#*=}"
	done
}
