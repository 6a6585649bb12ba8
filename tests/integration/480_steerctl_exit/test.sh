#!/bin/bash
# 480_steerctl_exit -- the exit status of every steerctl verb in every outcome
# it can have, as man steerctl(8) EXIT STATUS promises: 0 ok, 1 failed (the
# daemon answered with an error, the check or reload found errors, no such
# target), 2 usage error, 3 the daemon cannot be reached (not running, socket
# missing, permission denied, no answer in time). Both daemons really run
# on loopback (the demo config), and really do not for the unreachable case.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] && [ -x "$HEALTHD" ] || skip "no steerdns/steer-healthd binaries in $BUILD"
. "$TESTDIR/../lib/demo.sh"

# rc WANT WHAT steerctl-args...: run steerctl (output to $T/out, $T/err).
rc() {
	local want=$1 what=$2 got
	shift 2
	"$STEERCTL" "$@" > "$T/out" 2> "$T/err"
	got=$?
	expect_eq "$what: exit $want" "$got" "$want"
	[ "$got" = "$want" ] || sed 's/^/    stderr: /' "$T/err"
}
S=(-c "$DEMO")
SD=(-s "$T/steerdns.sock")
HD=(-s "$T/healthd.sock")
SERVER_VERBS="zones reload stats"
HEALTH_VERBS="drain undrain force-up"

demo_config
cp "$DEMO" "$T/good.json"

# --- no daemon needed -------------------------------------------------------
rc 0 "-h" -h
rc 0 "-V" -V
rc 2 "no verb"
rc 2 "unknown verb" "${S[@]}" frobnicate
rc 2 "unknown global option" --frobnicate zones
rc 2 "-t not a number" -t 5s "${S[@]}" zones
rc 2 "-t zero" -t 0 "${S[@]}" zones
rc 0 "check: good config" check "$T/good.json"
rc 0 "check --json: good config" --json check "$T/good.json"
rc 0 "check: -c" "${S[@]}" check
sed 's/"ttl": 60, "failover"/"ttl": "x", "failover"/' "$T/good.json" > "$T/bad.json"
rc 1 "check: config with errors" check "$T/bad.json"
expect_match "check: errors as file:line" "$(cat "$T/err")" "bad\.json:[0-9]+: "
rc 1 "check --json: config with errors" check --json "$T/bad.json"
rc 1 "check: missing config" check "$T/nothere.json"
rc 2 "check: two configs" check "$T/good.json" "$T/bad.json"
rc 2 "check: unknown option" check --frobnicate "$T/good.json"

# --- both daemons running ---------------------------------------------------
start_bg hd "$HEALTHD" -c "$DEMO"
start_bg server "$STEERDNS" -c "$DEMO"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
wait_file "$T/steerdns.sock"
wait_file "$T/healthd.sock"

rc 0 "zones (table)" "${S[@]}" zones
expect_match "zones: the table" "$(cat "$T/out")" "^NAME +SERIAL"
rc 0 "zones --json" "${S[@]}" zones --json
rc 0 "--json zones" --json "${S[@]}" zones
rc 0 "stats" "${S[@]}" stats
rc 0 "stats --json" "${S[@]}" --json stats
rc 0 "reload" "${S[@]}" reload
rc 0 "reload --json" "${S[@]}" reload --json
rc 0 "status" "${S[@]}" status
rc 0 "status --json" "${S[@]}" status --json
rc 0 "drain" "${S[@]}" drain web@127.0.2.20
rc 0 "force-up" "${S[@]}" force-up 127.0.2.20
rc 0 "undrain --json" "${S[@]}" undrain web@127.0.2.20 --json
rc 0 "explain: steered" "${S[@]}" explain app.example.com A --subnet 203.0.113.0/24
rc 0 "explain: CNAME to a steered name" "${S[@]}" explain www.example.com AAAA --from 127.0.0.1
rc 0 "explain: static" "${S[@]}" explain mail.example.com MX
rc 0 "explain: NXDOMAIN" "${S[@]}" explain nothere.example.com A
rc 0 "explain: REFUSED" "${S[@]}" explain example.org A
rc 0 "explain --json" "${S[@]}" --json explain example.org A

# Usage errors, with the daemons up: nothing is sent.
for v in zones stats status; do rc 2 "$v: extra argument" "${S[@]}" "$v" extra; done
rc 2 "reload: two zones" "${S[@]}" reload a.test b.test
rc 1 "reload: a zone not in the config" "${S[@]}" reload nosuch.test
for v in $SERVER_VERBS status; do rc 2 "$v: unknown option" "${S[@]}" "$v" --frobnicate; done
for v in $HEALTH_VERBS; do
	rc 2 "$v: no target" "${S[@]}" "$v"
	rc 2 "$v: two targets" "${S[@]}" "$v" web@127.0.2.20 web@127.0.1.10
	rc 2 "$v: unknown option" "${S[@]}" "$v" --frobnicate web@127.0.2.20
done
rc 2 "explain: no type" "${S[@]}" explain app.example.com
rc 2 "explain: three names" "${S[@]}" explain app.example.com A AAAA
rc 2 "explain: --from and --subnet" "${S[@]}" explain app.example.com A --from 127.0.0.1 --subnet 10.0.0.0/8
rc 2 "explain: --from without a value" "${S[@]}" explain app.example.com A --from
rc 2 "explain: unknown option" "${S[@]}" explain app.example.com A --frobnicate

# The daemon answers with an error: exit 1.
for v in $HEALTH_VERBS; do
	rc 1 "$v: unknown target" "${S[@]}" "$v" nope@192.0.2.9
	expect_match "$v: unknown target: says so" "$(cat "$T/err")" "no target"
done
rc 1 "drain --json: unknown target" "${S[@]}" --json drain 192.0.2.9
expect_match "drain --json: the error reply on stdout" "$(cat "$T/out")" '"ok": false'
rc 1 "explain: unknown type" "${S[@]}" explain app.example.com BOGUS
expect_match "explain: unknown type: says so" "$(cat "$T/err")" "unknown type"
rc 1 "explain: --from not an address" "${S[@]}" explain app.example.com A --from 10.0.0.0/8
rc 1 "explain: --subnet not a subnet" "${S[@]}" explain app.example.com A --subnet nonsense
rc 1 "explain: not a domain name" "${S[@]}" explain "a..b" A
# Each daemon asked the other's commands: a real error reply.
for v in $SERVER_VERBS; do rc 1 "$v to steer-healthd: error reply" "${HD[@]}" "$v"; done
rc 1 "zones --json to steer-healthd: error reply" "${HD[@]}" --json zones
expect_match "zones --json: the error reply on stdout" "$(cat "$T/out")" '"ok": false'
rc 1 "explain to steer-healthd: error reply" "${HD[@]}" explain app.example.com A
rc 1 "status to steerdns: error reply" "${SD[@]}" status
for v in $HEALTH_VERBS; do rc 1 "$v to steerdns: error reply" "${SD[@]}" "$v" 127.0.2.20; done
# A reload with errors: rejected, the old data still serves.
cp "$STEER_SRC/zones/example.com.zone" "$T/example.com.zone"
sed "s|\"file\": \"[^\"]*/example\\.com\\.zone\"|\"file\": \"$T/example.com.zone\"|" "$T/good.json" > "$DEMO"
rc 0 "reload onto a copy of the zone" "${S[@]}" reload
echo 'broken A 999.1.2.3' >> "$T/example.com.zone"
rc 1 "reload: zone with errors" "${S[@]}" reload
expect_match "reload: file:line: reason" "$(cat "$T/err")" "example\.com\.zone:[0-9]+: "
rc 1 "reload --json: zone with errors" "${S[@]}" --json reload
expect_eq "still serving" "$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$PORT" mail.example.com A)" "203.0.113.25"

# Permission denied on the sockets (mode 0660, root's): steerctl as nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	chmod 711 "$T"
	mkdir -m 755 "$T/bin" && cp "$STEERCTL" "$T/bin/steerctl"
	nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/bin/steerctl" "$@"; }
	for v in $SERVER_VERBS status; do
		sock=$T/steerdns.sock; [ "$v" = status ] && sock=$T/healthd.sock
		nobody -s "$sock" "$v" > /dev/null 2> "$T/err"
		expect_eq "$v as nobody: exit 3" "$?" 3
		expect_match "$v as nobody: permission denied" "$(cat "$T/err")" "permission denied"
	done
	nobody -s "$T/steerdns.sock" explain app.example.com A > /dev/null 2>&1
	expect_eq "explain as nobody: exit 3" "$?" 3
	nobody -s "$T/healthd.sock" drain 127.0.2.20 > /dev/null 2>&1
	expect_eq "drain as nobody: exit 3" "$?" 3
	chmod 700 "$T"
else
	echo "note: not root (or no setpriv): the permission-denied checks need another user"
fi

# A daemon that does not answer in time (stopped, its socket still there).
kill -STOP "$PID_server"
rc 3 "zones: steerdns stopped, -t 0.3" -t 0.3 "${S[@]}" zones
expect_match "zones: timeout: says so" "$(cat "$T/err")" "did not answer within 300 ms"
kill -CONT "$PID_server"
rc 0 "zones: steerdns continued" "${S[@]}" zones

# --- socket missing / daemons really not running ----------------------------
rc 3 "zones: no socket there" -s "$T/nothere.sock" zones
rc 3 "status: no socket there" -s "$T/nothere.sock" status
rc 3 "zones: config missing (socket unknown)" -c "$T/nothere.json" zones
stop_bg server
stop_bg hd
[ ! -e "$T/steerdns.sock" ] || fail "steerdns left its socket behind"
for v in $SERVER_VERBS status; do
	rc 3 "$v: daemon not running" "${S[@]}" "$v"
	expect_match "$v: not running: says so" "$(cat "$T/err")" "is not running"
	rc 3 "$v --json: daemon not running" "${S[@]}" --json "$v"
done
for v in $HEALTH_VERBS; do rc 3 "$v: steer-healthd not running" "${S[@]}" "$v" 127.0.2.20; done
rc 3 "explain: steerdns not running" "${S[@]}" explain app.example.com A
# Usage errors win over the missing daemon: nothing is tried.
rc 2 "zones extra: usage even with no daemon" "${S[@]}" zones extra
rc 2 "drain: usage even with no daemon" "${S[@]}" drain
rc 0 "check still works without daemons" check "$T/good.json"
finish
