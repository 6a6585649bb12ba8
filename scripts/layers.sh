#!/bin/sh
# layers.sh -- fail when a source file includes a header of a later layer.
#
# The tree is layered; a file may include headers of its own layer and of
# the layers before it, never of a later one (so there is no include cycle
# between layers, and each folder can be read knowing only what is above it
# in this list). The order, lowest first:
#
#   common            shared by every program: config, logging, JSON lines, DNS constants
#   geoip             client location
#   server/wire       names, query parsing, packet and RR writing (libc only)
#   server/zone       compiled zones, zone db, lookup, snapshot
#   server/zone/load  master-file reader, RRset build and checks, linking
#   server/steer      steering engine, health link, explain
#   server/steer/policy  one file per policy
#   server/dnssec     (room for) keys, signing, denial proofs
#   server/limit      RRL table, DNS cookies (RFC 9018), their config; TCP limits
#   server/answer     one query in, one response out, in per-section steps
#   server/xfr        (room for) AXFR, IXFR, NOTIFY, TSIG
#   server/net        listeners, UDP engine, TCP
#   server/metrics    Prometheus, dnstap
#   server/ctl        control socket and its commands
#   server             the process: config, load, startup, reload, main
#   healthd            steer-healthd (common only)
#   cli                steerctl (anything but healthd)
#
# server/limit sits below server/answer: the COOKIE option is checked and
# written, and the rate limit is applied to the response kind, inside
# answer_query() (a slipped or BADCOOKIE response is cut back and gets its
# OPT there), so answer/ calls the cookie math and the RRL table, never the
# other way round. limit/ needs only wire/ and common/.
#
# tests/ and bench/ may include anything. Usage: scripts/layers.sh [ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

layers="common geoip server/wire server/zone server/zone/load server/steer server/steer/policy
server/dnssec server/limit server/answer server/xfr server/net server/metrics server/ctl server
healthd cli"

# The rank of a path: the position of the longest layer folder it is in.
# Printed as "rank" or "-" for files outside every layer (tests, bench).
rank_of() {
	best=- bestlen=0 i=0
	for l in $layers; do
		i=$((i + 1))
		case "$1" in "$l"/*)
			len=${#l}
			[ "$len" -gt "$bestlen" ] && best=$i bestlen=$len ;;
		esac
	done
	echo "$best"
}

bad=0 files=0
for f in $(find common geoip server healthd cli -name '*.[ch]' | sort); do
	files=$((files + 1))
	r=$(rank_of "$f")
	# One line per include: "LINE HEADER". Every bad include is reported.
	incs=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/')
	[ -z "$incs" ] && continue
	while read -r line inc; do
		[ "$inc" = config.h ] && continue
		ir=$(rank_of "$inc")
		why=""
		if [ "$ir" = - ]; then
			why="includes \"$inc\", which is in no layer"
		else
			case "$f:$inc" in
			healthd/*:common/* | healthd/*:healthd/*) ;;
			# healthd is a program of its own: it sees common/ and nothing else.
			healthd/*) why="healthd may include only common/ and its own headers: \"$inc\"" ;;
			cli/*:healthd/*) why="steerctl must not include steer-healthd's \"$inc\"" ;;
			*) [ "$ir" -gt "$r" ] && why="includes \"$inc\" from a later layer (see scripts/layers.sh)" ;;
			esac
		fi
		if [ -n "$why" ]; then
			echo "$f:$line: $why"
			bad=$((bad + 1))
		fi
	done <<EOF2
$incs
EOF2
done
if [ "$bad" -ne 0 ]; then
	echo "layers: $bad includes point up the layering ($files files)" >&2
	exit 1
fi
echo "layers: $files files, every include points down or sideways"
