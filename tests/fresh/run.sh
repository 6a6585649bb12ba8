#!/bin/bash
# run.sh -- `make check-fresh`: the README's quick start (`make run`, then
# `make check`) on a fresh minimal Debian 12 root, as root.
#
# Steps, each timed:
#   1. a debootstrap --variant=minbase bookworm root in /var/tmp (the pristine
#      root is cached as a tar, see "Cache" below; every run unpacks a new one)
#   2. apt-get install git make in it, nothing else
#   3. git clone of this checkout's committed HEAD into /root/steerdns in it
#   4. in the root, as root: `make run` in the background until
#      `dig @127.0.0.1 -p 5353 example.com SOA` answers with the zone's SOA,
#      then SIGINT to it (Ctrl-C), then `make check`
# Every test must pass, and none may be skipped for want of a package
# (a SKIP line, or a test log saying something "not installed", fails the
# run): scripts/deps.sh must install all that the tests use.
#
# Uncommitted changes are NOT tested: the root gets a git clone (through a
# bundle of HEAD), so this checks what is committed, as a fresh machine that
# clones the repository would see it. Commit first.
#
# The package archive is the host's: its URIs come from /etc/apt/sources.list
# and /etc/apt/sources.list.d/* at run time (and the host's Acquire:: options
# from /etc/apt/apt.conf*), so nothing here names an archive host.
#
# Isolation: the root itself (bound onto itself), /proc, /sys, /dev, /dev/pts
# are mounted into the root and always
# unmounted by the EXIT trap. The commands in the root run in their own pid
# namespace (unshare --pid), so every process they start ends when they
# end; as a second net, any process whose root is still this root is killed
# by pid. The root shares the host's network namespace (apt needs the
# archive), so the tests pick free loopback ports as they always do, and
# `make run` needs 127.0.0.1:5353, [::1]:5353 and the demo backends' port
# 18080 free on the host: if one is taken the check is skipped.
#
# Exit: 0 pass; 77 skipped (not root, no debootstrap, archive unreachable,
# port 5353 taken), with "skipped: reason" as the last line; else failure.
#
# Environment:
#   FRESH_DIR=/var/tmp/steerdns-fresh   cache and roots
#   FRESH_MIRROR=URI                    debootstrap from URI instead of the host's
#                                       (the root's apt still uses the host's sources)
#   FRESH_NO_CACHE=1                    debootstrap anew (and refresh the cache)
#   FRESH_CACHE_DAYS=7                  a cached root older than this is rebuilt
#   FRESH_KEEP=1                        keep the root afterwards (to look inside)
#   FRESH_LOGS=build/fresh              where the logs are copied
#   FRESH_RUN_TIMEOUT=1500              s for `make run` to answer (installs + build)
#   FRESH_CHECK_TIMEOUT=2700            s for `make check`
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
suite=bookworm
fresh_dir=${FRESH_DIR:-/var/tmp/steerdns-fresh}
logs=${FRESH_LOGS:-$src/build/fresh}
run_timeout=${FRESH_RUN_TIMEOUT:-1500}
check_timeout=${FRESH_CHECK_TIMEOUT:-2700}
root=""
mounted=""

skip_reason=""
skip() { skip_reason="$*"; exit 77; }   # cleanup prints it as the last line
die() { echo "check-fresh: FAIL: $*" >&2; exit 1; }
now() { date +%s; }
timing() { printf 'timing: %-34s %5d s\n' "$1" "$2"; echo "$1: $2 s" >> "$logs/timings"; }

# --- Cleanup, always -----------------------------------------------------------
# Processes whose root directory is our root were started in it by us.
kill_root_procs() {
	local p left=""
	[ -n "$root" ] || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && left="$left ${p#/proc/}"
	done
	[ -z "$left" ] && return 0
	echo "check-fresh: killing processes left in the root:$left" >&2
	kill -KILL $left 2>/dev/null
	sleep 1
}
root_mounts() { awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo; }
cleanup() {
	local rc=$? m
	trap - EXIT INT TERM
	if [ -n "${in_root_pid:-}" ]; then
		kill -TERM "$in_root_pid" 2>/dev/null
		wait "$in_root_pid" 2>/dev/null
	fi
	kill_root_procs
	if [ -n "$root" ]; then
		for m in $mounted; do umount "$m" 2>/dev/null || umount -l "$m"; done
		if [ -d "$root/root/fresh-logs" ]; then
			# Next to ours: the inner timings are appended, not copied over.
			[ -f "$root/root/fresh-logs/timings" ] && cat "$root/root/fresh-logs/timings" >> "$logs/timings" &&
				rm -f "$root/root/fresh-logs/timings"
			cp -r "$root/root/fresh-logs/." "$logs/" 2>/dev/null
		fi
		if [ -n "$(root_mounts)" ]; then
			echo "check-fresh: still mounted, root left in place: $(root_mounts | tr '\n' ' ')" >&2
		elif [ "${FRESH_KEEP:-0}" = 1 ]; then
			echo "check-fresh: root kept: $root"
		else
			rm -rf --one-file-system "$root"
		fi
	fi
	[ -d "$logs" ] && echo "check-fresh: logs in $logs"
	[ $rc -eq 130 ] && echo "check-fresh: interrupted (the root's processes are stopped, its mounts gone)" >&2
	[ $rc -eq 77 ] && echo "skipped: $skip_reason"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mount)"
git -C "$src" rev-parse --verify -q HEAD > /dev/null || die "$src is not a git checkout with a commit"
"$src/scripts/deps.sh" fresh || skip "debootstrap/git/wget not installed and not installable here"
command -v unshare > /dev/null || skip "unshare (util-linux) not found"

# --- The host's archive ------------------------------------------------------
# Prints "URI SUITE" for each enabled `deb` source of this Debian release
# (SUITE, SUITE-updates, SUITE-security), from both one-line *.list and
# deb822 *.sources files.
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i+1) == s || $(i+1) == s "-updates" || $(i+1) == s "-security") print $i, $(i+1)
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			function flush(  i, j, nu, ns, u, x) {
				if (types ~ /(^| )deb( |$)/ && enabled != "no") {
					nu = split(uris, u, " "); ns = split(suites, x, " ")
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
						if (x[j] == s || x[j] == s "-updates" || x[j] == s "-security") print u[i], x[j]
				}
				types = uris = suites = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ /, "") }
			key == "types" { types = $0 } key == "uris" { uris = $0 }
			key == "suites" { suites = $0 } key == "enabled" { enabled = tolower($0) }
			END { flush() }' "$f"
	done
}
sources=$(host_sources | awk '!seen[$0]++')
mirror=${FRESH_MIRROR:-$(echo "$sources" | awk -v s="$suite" '$2 == s { print $1; exit }')}
[ -n "$mirror" ] || skip "no enabled 'deb ... $suite' source in /etc/apt/sources.list*"
mirror=${mirror%/}
# debootstrap fetches with wget, which does not read apt's proxy setting.
eval "$(apt-config shell http_proxy Acquire::http::Proxy https_proxy Acquire::https::Proxy)"
[ -n "${http_proxy:-}" ] && export http_proxy
[ -n "${https_proxy:-}" ] && export https_proxy
wget -q -O /dev/null --timeout=20 --tries=2 "$mirror/dists/$suite/InRelease" \
	|| skip "the package archive ($mirror/dists/$suite) cannot be reached"

# `make run` listens on fixed ports; in the host's network namespace they
# must be free (another `make run` on this machine would answer for us).
for spec in u:5353 t:5353 t:18080; do
	[ -z "$(ss -Hln"${spec%:*}" "sport = :${spec#*:}" 2>/dev/null)" ] ||
		skip "port ${spec#*:} is in use on this host (by another make run?); make run needs it"
done

mkdir -p "$fresh_dir" "$logs" || die "cannot create $fresh_dir or $logs"
(cd "$logs" && rm -rf timings ./*.log dig-soa.txt integration)
echo "check-fresh: commit $(git -C "$src" log --oneline -1 | cut -c1-72)"
git -C "$src" diff --quiet HEAD 2>/dev/null || echo "check-fresh: note: uncommitted changes in $src are not part of this check"
echo "check-fresh: archive $mirror ($(echo "$sources" | awk '{ print $2 }' | tr '\n' ' '))"

# --- 1. The minbase root ---------------------------------------------------------
# Cache: the root as debootstrap left it, before anything ran in it, as a tar
# keyed by archive, suite and debootstrap version. Unpacking it into a new
# empty folder gives the same pristine root as a new debootstrap (minus its
# download and dpkg runs); the packages added later come from the archive
# each time. A cache older than FRESH_CACHE_DAYS is rebuilt, so the root does
# not drift far from the archive's current minbase.
key=$(printf '%s %s minbase %s' "$mirror" "$suite" "$(dpkg-query -W -f='${Version}' debootstrap)" | sha256sum | cut -c1-16)
cache=$fresh_dir/$suite-minbase-$key.tar
root=$(mktemp -d "$fresh_dir/root.XXXXXX") && root=$(realpath "$root") || die "mktemp in $fresh_dir"
chmod 755 "$root"
t=$(now)
exec 9> "$fresh_dir/cache.lock"
flock 9
if [ "${FRESH_NO_CACHE:-0}" != 1 ] && [ -f "$cache" ] &&
   [ -z "$(find "$cache" -mmin +$(( ${FRESH_CACHE_DAYS:-7} * 1440 )))" ]; then
	tar --numeric-owner --xattrs --xattrs-include='*' -xpf "$cache" -C "$root" || die "cannot unpack $cache"
	flock -u 9
	timing "unpack cached minbase root" $(( $(now) - t ))
else
	echo "check-fresh: debootstrap --variant=minbase $suite (log: $logs/debootstrap.log)"
	if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$logs/debootstrap.log" 2>&1; then
		tail -n 15 "$logs/debootstrap.log" >&2
		grep -Eq "Failed getting release|Couldn't download|Temporary failure|Could not resolve|Connection refused" "$logs/debootstrap.log" &&
			skip "debootstrap could not reach the package archive $mirror"
		die "debootstrap failed"
	fi
	timing "debootstrap minbase" $(( $(now) - t ))
	t=$(now)
	tar --numeric-owner --xattrs --xattrs-include='*' -cpf "$cache.tmp" -C "$root" . && mv "$cache.tmp" "$cache" || die "cannot write $cache"
	find "$fresh_dir" -maxdepth 1 -name "$suite-minbase-*.tar" ! -name "${cache##*/}" -delete
	flock -u 9
	timing "cache the pristine root" $(( $(now) - t ))
fi
exec 9>&-

# --- The root's view of the host -------------------------------------------------
# Name resolution and the archive, as the host has them; /etc/hosts as a
# Debian installer writes it. The apt sources list the same archive URIs as
# the host, main only (all this project needs); no keyring path is copied:
# the root's own debian-archive-keyring verifies them.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
[ -s "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
rm -f "$root/etc/apt/sources.list"
echo "$sources" | awk '{ s[$1] = s[$1] " " $2 } END {
	for (u in s) printf "Types: deb\nURIs: %s\nSuites:%s\nComponents: main\n\n", u, s[u] }' \
	> "$root/etc/apt/sources.list.d/debian.sources"
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
	[ -f "$f" ] && grep -q '^[^#/]*Acquire' "$f" && grep '^[^#/]*Acquire' "$f" > "$root/etc/apt/apt.conf.d/90host-${f##*/}"
done
chmod 1777 "$root/tmp"

# The root is first bound onto itself, so that "/" inside the chroot is a
# mount point: `ip netns exec` (310_quorum_netns) makes "/" a slave mount
# before it remounts /sys, and that fails on a plain directory. It is
# unmounted last (the list is unmounted in reverse order).
for m in . proc sys dev dev/pts; do
	case $m in
	.) mount --bind "$root" "$root" && mount --make-private "$root" ;;
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs sysfs "$root/sys" ;;
	*) mount --bind "/$m" "$root/$m" && mount --make-private "$root/$m" ;;
	esac || die "cannot mount $root/$m"
	mounted="$root/$m $mounted"   # unmounted in reverse order
done

# Runs a command in the root, as root, with a clean login-like environment,
# in a new pid namespace whose init (a shell waiting on it) reaps orphans,
# for at most $in_root_timeout seconds.
in_root_timeout=900
# In the background with a wait, so that a signal to this script runs the
# cleanup at once (it stops the timeout, whose unshare --kill-child then
# SIGKILLs the namespace's init, which ends every process in it).
in_root_pid=""
in_root() {
	local rc
	timeout -k 10 "$in_root_timeout" unshare --pid --fork --kill-child --mount-proc="$root/proc" \
		chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb \
		/bin/sh -c '"$@" & wait $!' sh "$@" &
	in_root_pid=$!
	wait $in_root_pid
	rc=$?
	in_root_pid=""
	return $rc
}

# --- 2. git and make, nothing else ---------------------------------------------------
# Without their recommends (ca-certificates, patch, less, ssh-client), so
# that nothing scripts/deps.sh forgets comes in by chance.
# Like deps.sh, keep packages from starting services while installing (here
# git and make start none; deps.sh sets its own for the servers it installs).
t=$(now)
mkdir -p "$root/root/fresh-logs"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
in_root /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends git make' \
	> "$logs/git-make.log" 2>&1 || { tail -n 20 "$logs/git-make.log" >&2; die "apt-get install git make failed in the root"; }
rm -f "$root/usr/sbin/policy-rc.d"
timing "apt-get install git make" $(( $(now) - t ))

# --- 3. The committed HEAD -----------------------------------------------------------
git -C "$src" bundle create "$root/root/steerdns.bundle" HEAD > /dev/null 2>&1 || die "git bundle of HEAD failed"

# --- 4. The quick start, inside ----------------------------------------------------------
cat > "$root/root/fresh-inside.sh" <<'INSIDE'
#!/bin/bash
# Runs in the root as root (tests/fresh/run.sh writes it). Args: RUN_TIMEOUT CHECK_TIMEOUT
set -u
run_timeout=$1 check_timeout=$2
L=/root/fresh-logs
fail() { echo "check-fresh: FAIL: $*" >&2; exit 1; }
now() { date +%s; }
timing() { printf 'timing: %-34s %5d s\n' "$1" "$2"; echo "$1: $2 s" >> $L/timings; }
# Processes of this pid namespace other than init, this shell and its subshell.
others() {
	local p c
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = 1 ] || [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		read -r c < "/proc/$p/comm" 2>/dev/null && printf ' %s(%s)' "$c" "$p"
	done
}
deps_time() { sed -n 's/^deps.sh: apt-get took \([0-9]*\) s.*/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }'; }

cd /root
git -c advice.detachedHead=false clone -q /root/steerdns.bundle steerdns || fail "git clone"
cd steerdns
echo "check-fresh: cloned $(git log --oneline -1 | cut -c1-60)"

echo "== make run (in the background until it answers)"
t=$(now)
setsid make run > $L/make-run.log 2>&1 < /dev/null &
run_pid=$!
answer=""
while [ $(( $(now) - t )) -lt "$run_timeout" ]; do
	kill -0 $run_pid 2>/dev/null || { tail -n 30 $L/make-run.log >&2; fail "make run exited before answering"; }
	if command -v dig > /dev/null &&
	   answer=$(dig +norec +time=1 +tries=1 @127.0.0.1 -p 5353 example.com SOA 2>&1) &&
	   [[ $answer == *"status: NOERROR"* ]]; then
		break
	fi
	answer=""
	sleep 1
done
[ -n "$answer" ] || { tail -n 30 $L/make-run.log >&2; kill -KILL -- -$run_pid; fail "make run did not answer within $run_timeout s"; }
run_secs=$(( $(now) - t ))
echo "$answer" > $L/dig-soa.txt
# The zone's own SOA (zones/example.com.zone), authoritative, alone.
soa=$(dig +short +norec +time=2 +tries=2 @127.0.0.1 -p 5353 example.com SOA)
[[ $answer =~ flags:\ qr\ aa\; ]] || fail "SOA answer without aa: $answer"
[[ $answer == *"ANSWER: 1,"* ]] || fail "SOA answer does not have exactly one record: $answer"
[[ $soa =~ ^ns1\.example\.com\.\ hostmaster\.example\.com\.\ [0-9]+\ 7200\  ]] || fail "unexpected SOA: $soa"
echo "check-fresh: make run answers: example.com SOA $soa"
if [ -s /proc/net/if_inet6 ] && grep -q '^0*1 ' /proc/net/if_inet6; then
	soa6=$(dig +short +norec +time=2 +tries=2 @::1 -p 5353 example.com SOA)
	[ "$soa6" = "$soa" ] || fail "[::1]:5353 answers '$soa6', 127.0.0.1 '$soa'"
fi
timing "make run until first answer" $run_secs
kill -INT -- -$run_pid
for _ in $(seq 100); do kill -0 $run_pid 2>/dev/null || break; sleep 0.2; done
kill -0 $run_pid 2>/dev/null && { kill -KILL -- -$run_pid; fail "make run did not stop within 20 s of SIGINT"; }
wait $run_pid
sleep 1
left=$(others)
[ -z "$left" ] || fail "processes left after stopping make run:$left"

echo "== make check"
t=$(now)
timeout -k 10 "$check_timeout" make check > $L/make-check.log 2>&1 < /dev/null
rc=$?
check_secs=$(( $(now) - t ))
grep -E '^(PASS|FAIL|SKIP) |^    |passed, .* failed|^[0-9]+%: Checks' $L/make-check.log
[ $rc -eq 0 ] || { tail -n 40 $L/make-check.log >&2; fail "make check exited $rc"; }
timing "make check" $check_secs
timing "deps.sh apt-get (make run + check)" $(( $(deps_time $L/make-run.log) + $(deps_time $L/make-check.log) ))
itlogs=$(sed -n 's/^logs: //p' $L/make-check.log | tail -n 1)
[ -n "$itlogs" ] && [ -d "$itlogs" ] && cp -r "$itlogs" $L/integration
gaps=$(grep '^SKIP ' $L/make-check.log)
notes=$(grep -H 'not installed' "$itlogs"/*.log 2>/dev/null)
[ -z "$gaps$notes" ] || fail "skipped or partly skipped on a fresh root (a gap in scripts/deps.sh):
$gaps
$notes"
left=$(others)
[ -z "$left" ] || fail "processes left after make check:$left"
echo "check-fresh: make run answered and make check passed with nothing skipped"
INSIDE
chmod 755 "$root/root/fresh-inside.sh"

t=$(now)
in_root_timeout=$(( run_timeout + check_timeout + 120 ))
in_root /root/fresh-inside.sh "$run_timeout" "$check_timeout"
rc=$?
kill_root_procs
[ $rc -eq 0 ] || die "inside the fresh root (exit $rc); logs: $logs"
timing "total in the root" $(( $(now) - t ))
echo "check-fresh: passed"
