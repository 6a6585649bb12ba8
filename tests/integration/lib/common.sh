# common.sh -- shared by the steerdns server tests (05x-09x): a test zone, a
# config, and starting steerdns on a free port. Source after lib.sh.
#
#   make_zone SERIAL WWW_ADDR [BROKEN]  writes $T/t.test.zone (BROKEN=1: a bad record)
#   write_config [EXTRA_SERVER_JSON [EXTRA_TOP_JSON]]  writes $T/steerdns.json for $PORT, control socket
#                                       $T/ctl.sock; EXTRA_TOP_JSON: more sections ("dnstap": {...})
#   start_steerdns                      starts it and waits until it answers
#   q ARGS...                           dig +short against it over UDP
#   ctl ARGS...                         steerctl with its config
COMMON=$TESTDIR/../lib
PY=/usr/bin/python3
PORT=$(free_port)
CFG=$T/steerdns.json
SOCK=$T/ctl.sock

make_zone() {
	local i
	{
		echo '$ORIGIN t.test.'
		echo '$TTL 300'
		echo "@ SOA ns1 hostmaster $1 3600 600 86400 300"
		echo '@ NS ns1'
		echo 'ns1 A 192.0.2.53'
		echo "www A $2"
		echo 'mail MX 10 www'
		echo '*.wild A 192.0.2.99'
		# 40 TXT strings of 100 bytes: about 4.4 KB, over any UDP limit.
		for i in $(seq 10 49); do
			printf 'big TXT "%s-%s"\n' "$i" "$(printf 'x%.0s' $(seq 97))"
		done
		[ "${3:-0}" = 1 ] && echo 'broken A 999.1.2.3'
	} > "$T/t.test.zone"
}

write_config() {
	cat > "$CFG" <<JSON
{
	"server": {
		"listen": ["127.0.0.1:$PORT", "[::1]:$PORT"],
		"workers": 2,
		"control_socket": "ctl.sock"${1:+,
		$1}
	},${2:+
	$2,}
	"zones": [ { "name": "t.test", "file": "t.test.zone" } ]
}
JSON
}

start_steerdns() {
	start_bg steerdns "$STEERDNS" -c "$CFG"
	if ! wait_dns 127.0.0.1 "$PORT"; then
		cat "$T/steerdns.log"
		fail "steerdns did not start"
		finish
	fi
	wait_file "$SOCK"
}

q() { dig +short +time=2 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }
ctl() { "$STEERCTL" -c "$CFG" "$@"; }
