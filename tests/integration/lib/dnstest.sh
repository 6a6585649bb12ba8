# dnstest.sh -- helpers for the DNS-semantics tests (000-049). Source it
# after lib.sh.
#
#   dns_serve ZONE:FILE...   start the server under test on 127.0.0.1:$PORT
#                            with those zones (cwd = tests/data/zones) and
#                            wait until it answers. The server is steerdns,
#                            or NSD when STEER_TEST_AGAINST=nsd (to check the
#                            tests themselves against a reference server).
#   ask QUERY...             dig one query (NAME TYPE [CLASS] [+opts]); the
#                            normalized answer goes to $R ("section<TAB>line")
#   sec SECTION              the lines of one section of $R (sorted)
#   expect_status WHAT STATUS        rcode name of $R, e.g. NOERROR
#   expect_flags WHAT FLAGS          sorted flags of $R, e.g. aa,qr
#   expect_sec WHAT SECTION LINES    the whole section ("|" between lines, "" = empty)
#   expect_has WHAT SECTION LINE     the section contains LINE
#   expect_no WHAT SECTION REGEX     no line of the section matches REGEX
#   raw ARGS...                      rawdns.py against the server (see rawdns.py)
#
# Expected answers in the tests come from the RFCs (cited next to them); all
# tests also pass against NSD 4.6 except where a test says steerdns differs
# on purpose.
ZDIR=$STEER_SRC/tests/data/zones
EDIR=$STEER_SRC/zones
PORT=""
R=""
SERVER=${STEER_TEST_AGAINST:-steerdns}

# dns_config FILE PORT ZONE:FILE... -- write a steerdns config
dns_config() {
	local out=$1 port=$2 z sep=""
	shift 2
	{
		echo '{ "server": { "listen": ["127.0.0.1:'"$port"'"]'"${DNS_SERVER_EXTRA:-}"' },'
		echo '  "zones": ['
		for z in "$@"; do
			printf '%s    { "name": "%s", "file": "%s" }' "$sep" "${z%%:*}" "${z#*:}"
			sep=$',\n'
		done
		echo; echo '  ] }'
	} > "$out"
}

dns_serve() {
	PORT=$(free_port) || return 1
	if [ "$SERVER" = nsd ]; then
		. "$TESTDIR/../lib/nsd.sh"
		command -v nsd > /dev/null || skip "nsd is not installed"
		nsd_start server "$PORT" "$ZDIR" "$@"
	else
		[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
		dns_config "$T/steerdns.json" "$PORT" "$@"
		start_bg server sh -c "cd '$ZDIR' && exec '$STEERDNS' -c '$T/steerdns.json'"
	fi
	if ! wait_dns 127.0.0.1 "$PORT"; then
		cat "$T/server.log"
		fail "$SERVER did not start with zones: $*"
		finish
	fi
}

# ask: the same normalization as dnsdiff.py (keep the two in step), in awk
# because a test makes a hundred queries and python's start-up adds up.
ask() {
	R=$(dig @127.0.0.1 -p "$PORT" +norec +nocookie +time=2 +tries=1 +noall +comments +question \
		+answer +authority +additional +nottlunits +nomultiline +noidnout "$@" 2>&1 | awk '
	/^$/ { next }
	/^;; ->>HEADER<<-/ {
		op = $0; sub(/.*opcode: /, "", op); sub(/,.*/, "", op)
		st = $0; sub(/.*status: /, "", st); sub(/,.*/, "", st)
		print "header\topcode=" op " status=" st; next
	}
	/^;; flags:/ {
		f = $0; sub(/^;; flags:/, "", f); sub(/;.*/, "", f)
		n = split(f, a, " "); out = ""
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") a[i]
		print "header\tflags=" out; next
	}
	/^;; OPT PSEUDOSECTION/ { cur = "edns"; next }
	/^;; [A-Z]+ SECTION:$/ { cur = tolower($2); next }
	cur == "edns" && /^; / { print "edns\t" substr($0, 3); next }
	/^;; Got answer/ { next }
	/^;;/ { print "header\t" substr($0, 4); next }
	{
		if (cur == "question") sub(/^;/, "")
		$1 = $1
		if (cur != "") print cur "\t" $0
	}' | LC_ALL=C sort)
	_split
}

# sec SECTION: the section's lines of $R, one a line (no fork: tests make
# hundreds of checks)
declare -A SEC
_split() {
	local s l
	SEC=()
	while IFS=$'\t' read -r s l; do
		[ -n "$s" ] && SEC[$s]+="$l"$'\n'
	done <<< "$R"
}
sec() { printf '%s' "${SEC[$1]:-}"; }
_joined() { local v=${SEC[$1]:-}; v=${v%$'\n'}; printf '%s' "${v//$'\n'/|}"; }

expect_status() {
	local h=${SEC[header]:-} st=""
	[[ $h =~ status=([A-Z0-9]+) ]] && st=${BASH_REMATCH[1]}
	expect_eq "$1" "$st" "$2"
}
expect_flags() {
	local h=${SEC[header]:-} fl=""
	[[ $h =~ flags=([a-z,]*) ]] && fl=${BASH_REMATCH[1]}
	expect_eq "$1 (flags)" "$fl" "$2"
}
expect_sec() {
	local want
	want=$(printf '%s' "$3" | tr '|' '\n' | LC_ALL=C sort | tr '\n' '|')
	expect_eq "$1 ($2)" "$(_joined "$2")" "${want%|}"
}
expect_has() {
	case $'\n'"${SEC[$2]:-}" in
	*$'\n'"$3"$'\n'*) pass "$1" ;;
	*) fail "$1: $2 lacks [$3]; got [$(_joined "$2")]" ;;
	esac
}
expect_no() {
	if sec "$2" | grep -qE -- "$3"; then fail "$1: $2 has /$3/: [$(_joined "$2")]"; else pass "$1"; fi
}

raw() { /usr/bin/python3 "$TESTDIR/../lib/rawdns.py" "$@"; }

# the usual zone sets
TEST_ZONES="example.org:$ZDIR/example.org.zone child.example.org:$ZDIR/child.example.org.zone types.example.net:$ZDIR/types.example.net.zone"
DEMO_ZONES="example.com:$EDIR/example.com.zone dev.example.com:$EDIR/dev.example.com.zone 113.0.203.in-addr.arpa:$EDIR/113.0.203.in-addr.arpa.zone"
