# xfrzone.sh -- helpers of the transfer tests with real secondaries (62x);
# source after lib.sh.
#
#   xfr_zone NAME SERIAL WWW [HOSTS]  # $T/NAME.zone: SOA, NS, ns1, www A WWW, HOSTS more A records
#   wait_for WHAT CMD...               # until CMD succeeds (20 s; CMD runs again each try), else a failure

xfr_zone() {
	{
		echo "\$ORIGIN $1."
		echo '$TTL 300'
		echo "@ SOA ns1 hostmaster $2 3600 600 1209600 300"
		echo '@ NS ns1'
		echo 'ns1 A 192.0.2.53'
		echo "www A $3"
		for i in $(seq 1 "${4:-0}"); do echo "h$i A 10.0.$((i / 250)).$((i % 250))"; done
	} > "$T/$1.zone"
}

wait_for() {
	local what=$1 i; shift
	for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
	fail "$what (after 20 s)"; return 1
}
