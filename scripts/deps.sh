#!/bin/sh
# deps.sh -- install (as root) or name (otherwise) the Debian packages steerdns needs.
# Usage: scripts/deps.sh [build|run|test|bench|fresh]...   (default: build)
# Exits 0 when everything is present, 1 when something is missing and could not be installed.
set -u
build_pkgs="gcc make autoconf pkg-config libldns-dev libevent-dev libmaxminddb-dev libjansson-dev libssl-dev"
# dnstap: Frame Streams and protobuf-c libraries, protoc-c for the generated code
build_pkgs="$build_pkgs libfstrm-dev libprotobuf-c-dev protobuf-c-compiler"
build_pkgs="$build_pkgs libsystemd-dev"  # sd_notify (common/notify.c)
build_pkgs="$build_pkgs libxdp-dev libbpf-dev clang"  # the AF_XDP listener (optional; clang -target bpf compiles its XDP program)
run_pkgs="python3 dnsutils"   # demo backends (http.server) and dig for trying it
test_pkgs="check dnsutils knot-dnsutils ldnsutils nsd knot libmaxmind-db-writer-perl openssl curl procps python3 iproute2"
# clang (a build package) with its libFuzzer runtime: tests/fuzz/build.sh (021_fuzz_smoke skips without them)
test_pkgs="$test_pkgs clang libclang-rt-14-dev"
# gcc without its recommends has no libc headers/crt files ("C compiler cannot
# create executables" on a minbase root)
build_pkgs="$build_pkgs libc6-dev"
# 061_reload_under_load and 500_bench_smoke load the server with dnsperf
test_pkgs="$test_pkgs dnsperf"
# 500_bench_smoke compares against every peer it finds (nsd, knot, gdnsd)
test_pkgs="$test_pkgs gdnsd"
# dnstap tests: fstrm_capture (a Frame Streams reader) and dnstap-read (shipped in bind9-dnsutils)
test_pkgs="$test_pkgs fstrm-bin bind9-dnsutils"
# named-checkzone: 007_zone_errors checks that BIND rejects each bad zone line too
test_pkgs="$test_pkgs bind9-utils"
# 601_secondaries: BIND 9 (named) as a secondary of steerdns, beside NSD and Knot
test_pkgs="$test_pkgs bind9"
# promtool and a real Prometheus (080_metrics), jq for its API and the dashboard (081)
test_pkgs="$test_pkgs prometheus jq"
# systemd-analyze verify on the installed units, man for its Documentation= check,
# useradd/groupadd for the privilege-drop test (090_install, 092_privdrop)
test_pkgs="$test_pkgs systemd man-db passwd"
# real validators and proxies in front (700-722 Unbound; 420 dnsdist; 421 HAProxy) and
# iptables to cut a health prober off in its namespace (310_quorum_netns)
test_pkgs="$test_pkgs unbound dnsdist haproxy iptables"
bench_pkgs="dnsperf nsd knot gdnsd procps dnsutils iproute2 libmaxmind-db-writer-perl"
# make check-fresh (tests/fresh/run.sh) builds a minbase Debian root on the host
fresh_pkgs="debootstrap git wget"

want=""
[ $# -eq 0 ] && set -- build
for set_name in "$@"; do
	case "$set_name" in
	build) want="$want $build_pkgs" ;;
	run) want="$want $build_pkgs $run_pkgs" ;;
	test) want="$want $build_pkgs $test_pkgs" ;;
	bench) want="$want $build_pkgs $bench_pkgs" ;;
	fresh) want="$want $fresh_pkgs" ;;
	*) echo "deps.sh: unknown set '$set_name' (build, run, test, bench, fresh)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: installing:$missing" >&2
	# The peers (nsd, knot, gdnsd) must not start as system services on port 53.
	export DEBIAN_FRONTEND=noninteractive
	policy=/usr/sbin/policy-rc.d
	created_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && created_policy=1
	fi
	started=$(date +%s)
	apt-get update -q >/dev/null 2>&1 || true
	apt-get install -y -q --no-install-recommends $missing >&2
	rc=$?
	echo "deps.sh: apt-get took $(( $(date +%s) - started )) s (exit $rc)" >&2
	[ "$created_policy" -eq 1 ] && rm -f "$policy"
	exit $rc
fi
echo "steerdns: missing Debian packages:$missing" >&2
echo "install them with:  sudo apt-get install$missing" >&2
exit 1
