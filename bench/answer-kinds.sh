#!/bin/sh
# answer-kinds.sh -- instructions per query of answer_query() by query kind
# (callgrind, in-process, no sockets), for the zone unsigned, signed
# without DO, and signed with DO: what DNSSEC costs each kind of answer.
#
#   BUILD=$PWD/build bench/answer-kinds.sh [-k K]    # make bench-answer-kinds
#
# Each cell is (Ir(K+1 queries) - Ir(1 query)) / K over answer_query()
# alone (--toggle-collect), so loading and signing the zone and the first
# query (a steered answer's one signature, the per-thread digest context)
# are not in it. Counts do not depend on the machine's load.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../build}
K=2000
while getopts k: opt; do
	case $opt in k) K=$OPTARG ;; *) echo "usage: answer-kinds.sh [-k QUERIES]" >&2; exit 2 ;; esac
done
command -v valgrind > /dev/null || { echo "answer-kinds: valgrind is not installed" >&2; exit 77; }
bin=$BUILD/answer-bench
[ -x "$bin" ] || { echo "answer-kinds: no $bin (make $bin)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
cp "$here/kinds/kinds.zone" "$here/kinds/kinds.json" "$T/"
sed 's/"file": "kinds.zone" }/"file": "kinds.zone", "dnssec": { "key_dir": "keys" } }/' \
	"$here/kinds/kinds.json" > "$T/signed.json"
grep -q key_dir "$T/signed.json" || { echo "answer-kinds: could not make signed.json" >&2; exit 1; }

ir() { # N CONFIG [-d] QUERY: instructions inside answer_query() for N queries
	n=$1 conf=$2 q=$3; shift 3
	valgrind --tool=callgrind --toggle-collect=answer_query --callgrind-out-file="$T/cg.out" \
		"$bin" -c "$conf" "$@" -q "$q" "$n" > /dev/null 2> "$T/vg.err" ||
		{ cat "$T/vg.err" >&2; exit 1; }
	awk '/^summary:/ { print $2 }' "$T/cg.out"
}
per_query() { # CONFIG QUERY [-d]
	a=$(ir 1 "$@"); b=$(ir $((K + 1)) "$@")
	echo $(( (b - a) / K ))
}

printf '%-10s %-28s %9s %9s %9s %7s\n' kind query unsigned signed signed+DO ratio
for row in "static	host.example.com A" "nxdomain	nothere.example.com A" \
	"nodata	mail.example.com TXT" "wildcard	x.wild.example.com A" \
	"referral	www.sec.example.com A" "ref-nods	www.uns.example.com A" \
	"steered	app.example.com A" "mx+addl	example.com MX"; do
	kind=${row%%	*} q=${row#*	}
	u=$(per_query "$T/kinds.json" "$q")
	s=$(per_query "$T/signed.json" "$q")
	d=$(per_query "$T/signed.json" "$q" -d)
	printf '%-10s %-28s %9d %9d %9d %7s\n' "$kind" "$q" "$u" "$s" "$d" "$(awk -v a="$d" -v b="$u" 'BEGIN { printf "%.2f", a / b }')"
done
