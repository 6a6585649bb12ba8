#!/bin/sh
# build.sh -- build the libFuzzer targets (fuzz_answer, fuzz_zone) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, from the tree's sources.
#
#   tests/fuzz/build.sh [OUTDIR]       (default: build-fuzz/ at the top of the tree)
#
# Every server/, geoip/ and common/ source except server/main.c (and the
# dnstap code generated into build/gen/) is compiled
# with -fsanitize=fuzzer-no-link (coverage instrumentation only), then each
# tests/fuzz/fuzz_*.c is linked with -fsanitize=fuzzer (libFuzzer's main).
# Needs clang with the libFuzzer runtime (Debian: clang, libclang-rt-14-dev)
# and build/config.h (written by configure on the first `make`).
# Exits 77 when clang or libFuzzer is missing (callers may skip), 1 on error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build-fuzz}
CC=${FUZZ_CC:-clang}
case "$out" in /*) ;; *) out=$(pwd)/$out ;; esac

command -v "$CC" >/dev/null 2>&1 || { echo "build.sh: $CC not found" >&2; exit 77; }
probe=$(mktemp -d /tmp/steer-fuzzprobe.XXXXXX)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	> "$probe/p.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
	echo "build.sh: $CC cannot link -fsanitize=fuzzer (install libclang-rt-14-dev):" >&2
	head -n 3 "$probe/err" >&2
	exit 77
fi

if [ ! -f "$top/build/config.h" ]; then
	echo "build.sh: build/config.h is missing; configuring with make" >&2
	make -C "$top" build/config.mk >/dev/null
fi

# The dnstap message code is generated at build time (Makefile: build/gen/).
gen=$top/build/gen
make -C "$top" "build/gen/server/metrics/dnstap.pb-c.h" >/dev/null

# libsystemd: common/notify.c (sd_notify) is among the common objects.
pkgs="ldns libevent libevent_openssl libevent_pthreads libmaxminddb jansson openssl libfstrm libprotobuf-c libsystemd"
# The AF_XDP listener (when configured in): its embedded program and libxdp/libbpf.
xdp_src=""
if grep -q '^#define HAVE_XDP 1' "$top/build/config.h"; then
	make -C "$top" "build/gen/server/net/xdp_prog.c" >/dev/null
	xdp_src="$gen/server/net/xdp_prog.c"
	xdp_libs=$(pkg-config --libs libxdp libbpf)
fi
# Debian's ldns ships no .pc file on every release: fall back to -lldns.
pc_cflags=$(pkg-config --cflags $pkgs 2>/dev/null || pkg-config --cflags libevent libmaxminddb jansson openssl libfstrm libprotobuf-c libsystemd)
pc_libs=$(pkg-config --libs $pkgs 2>/dev/null || echo "-lldns $(pkg-config --libs libevent libevent_openssl libevent_pthreads libmaxminddb jansson openssl libfstrm libprotobuf-c libsystemd)")

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I$top/build -I$top -I$gen $pc_cflags"
TCFLAGS="-DFUZZ_DIR=\"$here\""

mkdir -p "$out/obj"
objs="" todo=""
for src in $(find "$top/server" "$top/geoip" "$top/common" -name '*.c' | sort) "$gen/server/metrics/dnstap.pb-c.c" $xdp_src; do
	case "$src" in */server/main.c|*.bpf.c) continue ;; esac # .bpf.c: XDP programs, for clang -target bpf
	rel=${src#"$top"/}
	obj="$out/obj/$(echo "$rel" | tr / _ | sed 's/\.c$/.o/')"
	# Rebuild only what changed (the sources change under us while others work).
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find "$top/server" "$top/common" "$top/geoip" \
		-name '*.h' -newer "$obj" 2>/dev/null | head -n 1)" ]; then
		todo="$todo $src:$obj"
	fi
	objs="$objs $obj"
done
# One compiler per CPU: a sanitized build of every module is the slow part.
export CC CFLAGS SAN
# shellcheck disable=SC2016
printf '%s\n' $todo | xargs -r -P "$(nproc)" -I{} sh -c 'src=${1%%:*} obj=${1#*:}; $CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$obj" "$src"' _ {}
for t in "$here"/fuzz_*.c; do
	name=$(basename "$t" .c)
	"$CC" $CFLAGS $TCFLAGS $SAN -fsanitize=fuzzer -o "$out/$name" "$t" $objs $pc_libs ${xdp_libs:-} -lpthread -lm
	echo "built $out/$name"
done
