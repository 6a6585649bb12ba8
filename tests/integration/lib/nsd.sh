# nsd.sh -- start NSD as a reference server for the differential tests.
# Source it after lib.sh.
#
#   nsd_start NAME PORT ZONEDIR ZONE:FILE...   # NSD on 127.0.0.1:PORT, cwd and zonesdir = ZONEDIR
#
# NSD (Debian nsd 4.6) runs in the foreground (-d) as the current user, with
# every state file in $T/NAME, chaos answers hidden (like steerdns' default
# "chaos": false) and no zone transfers. Needs the nsd binary; callers skip
# the test when `command -v nsd` fails.

nsd_start() {
	local name=$1 port=$2 zdir=$3 z zname zfile dir
	shift 3
	dir=$T/$name
	mkdir -p "$dir"
	{
		echo "server:"
		echo "	ip-address: 127.0.0.1"
		echo "	port: $port"
		echo "	do-ip6: no"
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	zonesdir: \"$zdir\""
		echo "	database: \"\""
		echo "	zonelistfile: \"$dir/zone.list\""
		echo "	xfrdfile: \"$dir/xfrd.state\""
		echo "	xfrdir: \"$dir\""
		echo "	pidfile: \"$dir/nsd.pid\""
		echo "	logfile: \"$dir/nsd.log\""
		echo "	server-count: 1"
		echo "	verbosity: 1"
		echo "	hide-version: yes"
		echo "	hide-identity: yes"
		echo "	tcp-count: 32"
		[ -n "${NSD_EXTRA:-}" ] && printf '\t%s\n' "$NSD_EXTRA"
		echo "remote-control:"
		echo "	control-enable: no"
		for z in "$@"; do
			zname=${z%%:*}
			zfile=${z#*:}
			echo "zone:"
			echo "	name: \"$zname\""
			echo "	zonefile: \"$zfile\""
		done
	} > "$dir/nsd.conf"
	nsd-checkconf "$dir/nsd.conf" || return 1
	(cd "$zdir" && exec nsd -d -c "$dir/nsd.conf") > "$T/$name.log" 2>&1 &
	local pid=$!
	_pids="$_pids $pid"
	echo "$pid" > "$T/$name.pid"
}
