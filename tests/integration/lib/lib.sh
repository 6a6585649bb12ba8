# lib.sh -- helpers for integration tests; source it from a test.sh.
#
#   . "$(dirname "$0")/../lib/lib.sh"
#   port=$(free_port)
#   start_bg NAME cmd args...       # starts a process, remembers its pid, logs to $T/NAME.log
#   wait_dns 127.0.0.1 $port        # until a DNS server answers there (5 s)
#   expect_eq "what" "$got" "$want" # records a failure, the test goes on
#   finish                          # exit 0 if no failure, 1 otherwise
#
# Every process started with start_bg is killed (by its pid) when the test exits.
set -u
: "${BUILD:?BUILD must name the directory of the binaries}"
T=$(mktemp -d /tmp/steer-t.XXXXXX)
STEERDNS=$BUILD/steerdns
STEERCTL=$BUILD/steerctl
HEALTHD=$BUILD/steer-healthd
TESTDIR=$(cd "$(dirname "$0")" && pwd)
SHARED_TESTDATA=${STEER_SHARED_TESTDATA:-$STEER_SRC/../shared/testdata}
_pids=""
_failures=0

cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	[ "${KEEP_T:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT

# A port free for both UDP and TCP on loopback, from a range spread by pid so
# that tests running side by side rarely collide; checked with ss. Below the
# kernel's ephemeral range (ip_local_port_range): a server port inside it can
# be handed to a client socket as its source port (steerdns' UDP sockets have
# SO_REUSEPORT), and a dig bound that way sends its query to itself and reads
# it as the reply ("query response not set"), which once failed 410.
free_port() {
	local p tries=0 low_end
	low_end=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${low_end:-0}" -gt 12000 ] || low_end=32768
	while [ $tries -lt 200 ]; do
		p=$(( 10000 + (RANDOM * 32768 + RANDOM + $$) % (low_end - 10000) ))
		if [ -z "$(ss -Hlnu "sport = :$p" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"; return 0
		fi
		tries=$((tries + 1))
	done
	echo "no free port" >&2; return 1
}

start_bg() {
	local name=$1; shift
	"$@" > "$T/$name.log" 2>&1 &
	local pid=$!
	_pids="$_pids $pid"
	eval "PID_$(echo "$name" | tr -c 'a-zA-Z0-9_\n' '_')=$pid"
	echo "$pid" > "$T/$name.pid"
}

# stop_bg NAME: SIGTERM the process started as NAME and wait for it.
stop_bg() {
	local pid; pid=$(cat "$T/$1.pid")
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null; return 1
}

wait_dns() {
	local addr=$1 port=$2 i
	for i in $(seq 100); do
		dig +time=1 +tries=1 @"$addr" -p "$port" . SOA > /dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "no DNS server answered on $addr port $port" >&2; return 1
}

wait_file() {
	local i
	for i in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done
	echo "$1 did not appear" >&2; return 1
}

pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; _failures=$((_failures + 1)); }

expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got [$2] want [$3]"; fi
}
expect_match() { # what text regex
	if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1: [$2] does not match /$3/"; fi
}

skip() { echo "skipped: $*"; exit 77; }

finish() {
	if [ $_failures -eq 0 ]; then echo "all checks passed"; exit 0; fi
	echo "$_failures check(s) failed"; exit 1
}
