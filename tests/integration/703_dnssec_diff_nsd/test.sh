#!/bin/bash
# 703_dnssec_diff_nsd -- differential test of signed answers: steerdns
# signs example.test.zone and its child signed.example.test.zone (its DS in
# the parent; NSEC with ECDSA P-256, then NSEC3 with Ed25519, RFC 9276: 0
# iterations, empty salt), `steerctl dnssec export` writes the signed zones
# (with the very signatures steerdns serves: export reuses
# key_dir/signatures.db), NSD serves those files pre-signed, and both get the
# same DO=1 queries (names.txt, each over UDP with 512-, 900- and
# 1232-byte buffers and over TCP, and a few with every 48th buffer size
# from 512 to 1232, so truncation is compared too). The
# answers must be equal section by section, RR sets as sets
# (lib/dnsdiff.py), except for the differences in allow.txt, each with its
# reason. Then every answer that is not a referral goes through a
# validating Unbound (trust anchor from `steerctl dnssec ds`) and must come
# back secure (AD) with steerdns' rcode, and delv fully validates the
# wildcard answers and wildcard CNAMEs.
#
# STEER_DIFF_SELF=1 compares NSD with a second NSD serving the same signed
# file (checks the harness: 0 differences).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/nsd.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v nsd > /dev/null || skip "nsd is not installed"
command -v dig > /dev/null || skip "dig is not installed"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"
. "$TESTDIR/../lib/unbound_stub.sh"

# names.txt, one query a line, comments gone; with noval=1 only those
# Unbound is to check.
queries() { # [noval]
	if [ "${1:-}" = noval ]; then
		grep -v -e '^#' -e 'noval:' "$TESTDIR/names.txt" | sed 's/#.*//' | awk 'NF'
	else
		grep -v '^#' "$TESTDIR/names.txt" | sed 's/#.*//' | awk 'NF'
	fi
}

# Each query over UDP with three buffer sizes (+ignore: a TC answer is
# compared as it is, not retried) and over TCP.
expand() {
	local q
	queries | while read -r q; do
		for o in "+notcp +bufsize=1232" "+notcp +bufsize=900 +ignore" "+notcp +bufsize=512 +ignore" "+tcp"; do
			echo "$q +dnssec $o"
		done
	done
}

# Where truncation starts: answers with glue, referrals, proofs of 1-3
# records, over UDP with buffers from 512 to 1232 bytes in steps of 48: TC
# must be set exactly where NSD sets it, and the additional section cut
# (without TC) the same way.
sweep() {
	local q b
	for q in "example.test NS" "secure.example.test A" "sub.example.test A" "a.b.nothere.example.test A" \
		"foo.wild.example.test TXT" "towc.example.test A" "example.test DNSKEY" "x.a.b.ent.example.test A"; do
		for b in $(seq 512 48 1232); do echo "$q +dnssec +notcp +bufsize=$b +ignore"; done
	done
}

# Verbatim queries: without DO (nothing DNSSEC unless asked for by type),
# without EDNS, with a buffer below 512, and the NSEC3 owner names (hash
# labels) of the chain.
extra() { # MODE
	cat <<EOF
www.example.test A +notcp
www.example.test RRSIG +notcp
www.example.test NSEC +notcp
nothere.example.test A +notcp
foo.wild.example.test A +notcp
example.test DNSKEY +notcp
www.example.test RRSIG +noedns +notcp +ignore
nothere.example.test A +noedns +notcp
example.test DNSKEY +dnssec +bufsize=100 +notcp +ignore
EOF
	[ "$1" = nsec3 ] || return 0
	awk '$4 == "NSEC3" { print $1 }' "$T/example.test-$1.signed" | head -3 | while read -r h; do
		echo "$h NSEC3 +dnssec +notcp"
		echo "$h A +dnssec +notcp"
		echo "$h RRSIG +dnssec +notcp"
	done
}

run_mode() { # ALG DENIAL
	local mode=$2 port nsd_port out rc q
	port=$(free_port)
	CFG=$T/steerdns-$mode.json
	cp "$TESTDIR/example.test.zone" "$TESTDIR/signed.example.test.zone" "$T/"
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$port"] },
  "zones": [ { "name": "example.test", "file": "example.test.zone",
               "dnssec": { "key_dir": "keys-$mode", "algorithm": "$1", "denial": "$mode" } },
             { "name": "signed.example.test", "file": "signed.example.test.zone",
               "dnssec": { "key_dir": "keys-child-$mode", "algorithm": "$1", "denial": "$mode" } } ] }
JSON
	# The child's keys first, so that its DS goes into the parent.
	"$STEERCTL" -c "$CFG" dnssec keygen signed.example.test > /dev/null || { fail "$mode: keygen child"; return; }
	"$STEERCTL" -c "$CFG" dnssec ds signed.example.test >> "$T/example.test.zone" || { fail "$mode: ds"; return; }
	"$STEERCTL" -c "$CFG" dnssec keygen example.test > /dev/null || { fail "$mode: keygen"; return; }
	start_bg "steerdns-$mode" "$STEERDNS" -c "$CFG"
	wait_dns 127.0.0.1 "$port" || { cat "$T/steerdns-$mode.log"; fail "$mode: steerdns did not start"; return; }
	for z in example.test signed.example.test; do
		"$STEERCTL" -c "$CFG" dnssec export "$z" "$T/$z-$mode.signed" 2> "$T/export-$mode.log" ||
			{ cat "$T/export-$mode.log"; fail "$mode: export $z"; return; }
		expect_match "$mode: export of $z reuses every signature steerdns made" "$(cat "$T/export-$mode.log")" \
			": 0 signatures made, [1-9][0-9]* reused"
	done

	nsd_port=$(free_port)
	export NSD_EXTRA="minimal-responses: yes"
	local nsd_zones="example.test:$T/example.test-$mode.signed signed.example.test:$T/signed.example.test-$mode.signed"
	# shellcheck disable=SC2086
	nsd_start "nsd-$mode" "$nsd_port" "$T" $nsd_zones
	wait_dns 127.0.0.1 "$nsd_port" || { cat "$T/nsd-$mode.log"; fail "$mode: NSD did not start"; return; }
	local test_port=$port test_name=steerdns
	if [ "${STEER_DIFF_SELF:-0}" = 1 ]; then
		test_port=$(free_port)
		test_name=nsd2
		# shellcheck disable=SC2086
		nsd_start "nsd2-$mode" "$test_port" "$T" $nsd_zones
		wait_dns 127.0.0.1 "$test_port" || { fail "$mode: second NSD did not start"; return; }
	fi

	{ expand; sweep; extra "$mode"; } > "$T/queries-$mode.txt"
	out=$(/usr/bin/python3 "$TESTDIR/../lib/dnsdiff.py" --names "nsd,$test_name" --allow "$TESTDIR/allow.txt" \
		"$T/queries-$mode.txt" "127.0.0.1:$nsd_port" "127.0.0.1:$test_port")
	rc=$?
	echo "$out" | sed "s/^/$mode: /"
	expect_match "$mode: harness compared every query" "$(echo "$out" | tail -n 1)" \
		"^$(wc -l < "$T/queries-$mode.txt") queries compared"
	expect_eq "$mode: no unexplained difference from NSD (dnsdiff exit code)" "$rc" 0

	# Secure, as a validator sees it.
	ub_anchor example.test "$CFG" || { fail "$mode: no DS for the trust anchor"; return; }
	ub_start example.test "$port" || { fail "$mode: unbound did not start"; return; }
	local bad=0 n=0 want got qa
	while read -r -a qa; do # NAME TYPE [options] as words ("*.wild..." not globbed)
		want=$(dig +norec +dnssec +tcp +time=2 +tries=1 @127.0.0.1 -p "$port" "${qa[@]}" | grep -o 'status: [A-Z]*')
		# "ad status: RCODE" when Unbound validated the answer as secure
		got=$(ub_dig "${qa[@]}" | awk '/flags:/ && !f { f = 1; ad = ($0 ~ / ad[ ;]/) ? "ad" : "not-ad" }
			/status:/ && !s { s = 1; match($0, /status: [A-Z]*/); st = substr($0, RSTART, RLENGTH) }
			END { print ad " " st }')
		n=$((n + 1))
		if [ "$got" != "ad $want" ]; then
			fail "$mode: via Unbound ${qa[*]}: want [ad $want], got [$got]"
			bad=$((bad + 1))
		fi
	done < <(queries noval)
	expect_eq "$mode: all $n answers secure through Unbound" "$bad" 0
	ub_delv_anchor
	# delv asks for each name of a chain on its own: the wildcard CNAMEs
	# first in their chains are the ones its proofs show.
	for q in "foo.wild.example.test A" "foo.wc.example.test A" "foo.ww.example.test A" "foo.wnx.example.test A" \
		"foo.wtochild.example.test A" "x.w.signed.example.test A"; do
		out=$(delv @127.0.0.1 -p "$port" -a "$T/anchor.delv" +root=example.test "${q% *}" "${q#* }" 2>&1)
		expect_match "$mode: delv: $q fully validated" "$out" "; (negative response, )?fully validated"
	done
	stop_bg unbound
	stop_bg "nsd-$mode"
	[ "${STEER_DIFF_SELF:-0}" = 1 ] && stop_bg "nsd2-$mode"
	stop_bg "steerdns-$mode"
}

run_mode ecdsap256sha256 nsec
run_mode ed25519 nsec3
finish
