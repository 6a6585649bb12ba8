#!/bin/bash
# 010_diff_nsd -- differential test: NSD and steerdns serve the same zones,
# get the same queries (queries.txt), and must give the same answers, except
# for the differences listed with their reasons in allow.txt.
#
# The zones are the test zones (tests/data/zones: example.org with its served
# child child.example.org, types.example.net) and the demo zones (zones/).
# Both servers run with the working directory tests/data/zones so that the
# relative $INCLUDE paths in types.example.net.zone resolve the same way.
#
# STEER_DIFF_SELF=1 compares NSD with a second NSD instead (checks the
# harness itself: it must report 0 differences).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/nsd.sh"
command -v nsd > /dev/null || skip "nsd is not installed"
command -v dig > /dev/null || skip "dig is not installed"
Z=$STEER_SRC/tests/data/zones
E=$STEER_SRC/zones
zones="example.org:$Z/example.org.zone child.example.org:$Z/child.example.org.zone
types.example.net:$Z/types.example.net.zone example.com:$E/example.com.zone
dev.example.com:$E/dev.example.com.zone 113.0.203.in-addr.arpa:$E/113.0.203.in-addr.arpa.zone"

[ "${STEER_DIFF_SELF:-0}" = 1 ] || [ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

# NSD with minimal-responses: steerdns does not add the zone's NS RRset to
# the authority section of positive answers (nor their addresses), which is
# what NSD's minimal-responses does too; the MX/SRV target addresses that
# steerdns still adds are allow-listed.
export NSD_EXTRA="minimal-responses: yes"
nsd_port=$(free_port)
nsd_start nsd "$nsd_port" "$Z" $zones
if [ "${STEER_DIFF_SELF:-0}" = 1 ]; then
	test_name=nsd2
	test_port=$(free_port)
	nsd_start nsd2 "$test_port" "$Z" $zones
else
	test_name=steerdns
	test_port=$(free_port)
	{
		echo '{ "server": { "listen": ["127.0.0.1:'"$test_port"'"] },'
		echo '  "zones": ['
		sep=""
		for z in $zones; do
			printf '%s    { "name": "%s", "file": "%s" }' "$sep" "${z%%:*}" "${z#*:}"
			sep=$',\n'
		done
		echo; echo '  ] }'
	} > "$T/steerdns.json"
	start_bg steerdns sh -c "cd '$Z' && exec '$STEERDNS' -c '$T/steerdns.json'"
fi
wait_dns 127.0.0.1 "$nsd_port" || { cat "$T/nsd.log"; exit 1; }
wait_dns 127.0.0.1 "$test_port" || { cat "$T/$test_name.log"; exit 1; }

out=$(/usr/bin/python3 "$TESTDIR/../lib/dnsdiff.py" --names "nsd,$test_name" --allow "$TESTDIR/allow.txt" \
	"$TESTDIR/queries.txt" "127.0.0.1:$nsd_port" "127.0.0.1:$test_port")
rc=$?
echo "$out"
summary=$(echo "$out" | tail -n 1)
expect_match "harness compared every query" "$summary" "^[0-9]+ queries compared"
expect_eq "no unexplained difference from NSD (dnsdiff exit code)" "$rc" 0
# both servers still alive after the whole list
kill -0 "$(cat "$T/$test_name.pid")" 2>/dev/null
expect_eq "$test_name still running" "$?" 0
finish
