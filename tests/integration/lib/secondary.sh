# secondary.sh -- start NSD, Knot DNS or BIND 9 as a secondary of steerdns
# on loopback, for the transfer tests (60x: AXFR/NOTIFY; the IXFR and
# catalog tests reuse it: set SEC_XFR=ixfr to let the secondary ask IXFR
# first). Source after lib.sh.
#
#   sec_have KIND                         is the daemon installed (nsd, knot, bind)?
#   sec_start KIND NAME PORT ZONE PRIMARY_PORT [KEY ALG SECRET]
#                                         KIND as a secondary of ZONE from 127.0.0.1:PRIMARY_PORT,
#                                         answering on 127.0.0.1:PORT, TSIG key KEY when given;
#                                         it accepts NOTIFY from 127.0.0.1 (signed with KEY when given)
#   sec_serial PORT ZONE                  the SOA serial it serves ("" when none)
#   sec_wait_serial PORT ZONE SERIAL SECS until it serves SERIAL; 0 when it does, else 1
#
# Each runs in the foreground as the current user with every file in
# $T/NAME; its pid is remembered like start_bg's, its log is $T/NAME.log.
# Refresh timers are left at their defaults: a change must arrive by NOTIFY.

sec_have() {
	case $1 in
	nsd) command -v nsd >/dev/null && command -v nsd-checkconf >/dev/null ;;
	knot) command -v knotd >/dev/null ;;
	bind) command -v named >/dev/null ;;
	*) return 1 ;;
	esac
}

_sec_nsd() { # NAME PORT ZONE PPORT KEY ALG SECRET
	local dir=$T/$1 keyref=NOKEY mode=AXFR
	[ -n "$5" ] && keyref=$5
	[ "${SEC_XFR:-axfr}" = ixfr ] && mode=""
	cat > "$dir/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $2
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$dir"
	database: ""
	zonelistfile: "$dir/zone.list"
	xfrdfile: "$dir/xfrd.state"
	xfrdir: "$dir"
	pidfile: "$dir/nsd.pid"
	logfile: "$dir/nsd.log"
	server-count: 1
	verbosity: 2
	tcp-count: 32
remote-control:
	control-enable: no
EOF
	[ -n "$5" ] && printf 'key:\n\tname: "%s"\n\talgorithm: %s\n\tsecret: "%s"\n' "$5" "$6" "$7" >> "$dir/nsd.conf"
	printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone"\n\trequest-xfr: %s 127.0.0.1@%s %s\n\tallow-notify: 127.0.0.1 %s\n' \
		"$3" "$3" "$mode" "$4" "$keyref" "$keyref" >> "$dir/nsd.conf"
	nsd-checkconf "$dir/nsd.conf" || return 1
	(cd "$dir" && exec nsd -d -c "$dir/nsd.conf") > "$T/$1.log" 2>&1 &
}

_sec_knot() { # NAME PORT ZONE PPORT KEY ALG SECRET
	local dir=$T/$1 keyline="" ixfr=""
	[ -n "$5" ] && keyline="key: $5"
	[ "${SEC_XFR:-axfr}" = ixfr ] || ixfr="    # AXFR only until IXFR is served"
	{
		echo "server:"
		echo "    listen: 127.0.0.1@$2"
		echo "    rundir: $dir"
		echo "database:"
		echo "    storage: $dir"
		[ -n "$5" ] && printf 'key:\n  - id: %s\n    algorithm: %s\n    secret: %s\n' "$5" "$6" "$7"
		echo "remote:"
		echo "  - id: primary"
		echo "    address: 127.0.0.1@$4"
		[ -n "$keyline" ] && echo "    $keyline"
		echo "acl:"
		echo "  - id: from_primary"
		echo "    address: 127.0.0.1"
		[ -n "$keyline" ] && echo "    $keyline"
		echo "    action: notify"
		echo "template:"
		echo "  - id: default"
		echo "    storage: $dir"
		echo "zone:"
		echo "  - domain: $3"
		echo "    master: primary"
		echo "    acl: from_primary"
		echo "    zonefile-load: none"
		echo "    journal-content: none"
		echo "log:"
		echo "  - target: stderr"
		echo "    any: info"
	} > "$dir/knot.conf"
	knotd -c "$dir/knot.conf" > "$T/$1.log" 2>&1 &
}

_sec_bind() { # NAME PORT ZONE PPORT KEY ALG SECRET
	local dir=$T/$1 keyref="" ixfr=no
	[ -n "$5" ] && keyref="key \"$5\""
	[ "${SEC_XFR:-axfr}" = ixfr ] && ixfr=yes
	{
		echo "options {"
		echo "	directory \"$dir\";"
		echo "	pid-file \"$dir/named.pid\";"
		echo "	listen-on port $2 { 127.0.0.1; };"
		echo "	listen-on-v6 { none; };"
		echo "	recursion no;"
		echo "	dnssec-validation no;"
		echo "	notify no;"
		echo "	request-ixfr $ixfr;"
		echo "	allow-notify { 127.0.0.1; };"
		echo "	session-keyfile \"$dir/session.key\";"
		echo "	managed-keys-directory \"$dir\";"
		echo "};"
		echo "controls { };"
		[ -n "$5" ] && printf 'key "%s" { algorithm %s; secret "%s"; };\n' "$5" "$6" "$7"
		echo "zone \"$3\" { type secondary; file \"$3.db\"; primaries { 127.0.0.1 port $4 $keyref; }; };"
	} > "$dir/named.conf"
	named-checkconf "$dir/named.conf" || return 1
	named -g -c "$dir/named.conf" -n 1 > "$T/$1.log" 2>&1 &
}

sec_start() { # KIND NAME PORT ZONE PRIMARY_PORT [KEY ALG SECRET]
	local kind=$1 name=$2
	mkdir -p "$T/$name"
	"_sec_$kind" "$name" "$3" "$4" "$5" "${6:-}" "${7:-}" "${8:-}" || return 1
	local pid=$!
	_pids="$_pids $pid"
	echo "$pid" > "$T/$name.pid"
}

sec_serial() { dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" "$2" SOA 2>/dev/null | awk '{print $3}'; }

sec_wait_serial() { # PORT ZONE SERIAL SECS
	# Bounded by the clock, not by tries: a secondary that is up but does
	# not answer costs each dig its 1 s timeout.
	local end=$(( $(date +%s%N) / 1000000 + $4 * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		[ "$(sec_serial "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
