#!/bin/sh
# funclen.sh -- fail when a function on the query path is longer than 60 lines.
#
# The query path is every function a query runs through between "bytes in"
# and "bytes out"; keeping each of them short keeps the per-section steps
# of server/answer readable and leaves room for DNSSEC hooks without
# growing one function (STYLE.md 1: 90 % of functions under about 60).
# A function's length counts from the first line of its signature to its
# closing brace, blank lines and comments included.
#
# Checked (relative to the tree root; FILE:PATTERN checks only the
# functions whose name matches PATTERN, an awk regex):
#   server/answer/*.c  server/wire/*.c
#   server/zone/lookup.c server/zone/zone.c server/zone/zonedb.c
#   server/steer/steer.c  server/steer/policy/*.c (their _choose functions)
#   server/net/udp.c server/net/tcp.c server/net/xdp.c
#
# Functions are found by brace counting: at file level, a line that starts
# with an identifier and has a "(" opens a candidate signature; the "{" that
# follows at depth 0 (with no "=" in between: not an initializer) starts its
# body, and the matching "}" ends it. Strings, character constants, comments
# and preprocessor lines are skipped, so braces inside them do not count.
# This fits the tree's style (K&R, signature at column 0) without needing
# ctags. Usage: scripts/funclen.sh [ROOT] [MAX]   (default MAX 60)
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
max=${2:-60}
cd "$root" || exit 2

specs="server/answer/*.c server/wire/*.c server/zone/lookup.c server/zone/zone.c server/zone/zonedb.c
server/steer/steer.c server/steer/policy/*.c:_choose$ server/net/udp.c server/net/tcp.c server/net/xdp.c"

bad=0 funcs=0
for spec in $specs; do
	pat=.
	case "$spec" in *:*) pat=${spec#*:} spec=${spec%%:*} ;; esac
	for f in $spec; do
		[ -f "$f" ] || { echo "funclen: $f: no such file (update scripts/funclen.sh)" >&2; exit 2; }
		out=$(awk -v max="$max" -v pat="$pat" -v file="$f" '
		# Remove strings, character constants and comments from one line;
		# incomment carries a /* ... */ across lines.
		function strip(s,    o, i, c, n, q) {
			o = ""; n = length(s)
			for (i = 1; i <= n; i++) {
				c = substr(s, i, 1)
				if (incomment) {
					if (c == "*" && substr(s, i + 1, 1) == "/") { incomment = 0; i++ }
					continue
				}
				if (c == "/" && substr(s, i + 1, 1) == "*") { incomment = 1; i++; continue }
				if (c == "/" && substr(s, i + 1, 1) == "/") break
				if (c == "\"" || c == "\047") {
					q = c
					for (i++; i <= n; i++) {
						c = substr(s, i, 1)
						if (c == "\\") { i++; continue }
						if (c == q) break
					}
					continue
				}
				o = o c
			}
			return o
		}
		BEGIN { depth = 0; cand = 0; incomment = 0; cont = 0; nf = 0 }
		{
			line = $0
			if (cont) { cont = (line ~ /\\$/); next }     # preprocessor continuation
			if (!incomment && line ~ /^[ \t]*#/) { cont = (line ~ /\\$/); next }
			s = strip(line)
			if (depth == 0 && !infunc) {
				if (s ~ /^[A-Za-z_]/ && s ~ /\(/ && !cand) {
					cand = NR; t = s; sub(/\(.*/, "", t); n = split(t, w, /[ \t*]+/); name = w[n]
					sawassign = 0
				}
				if (cand && s ~ /=/ && index(s, "=") < (index(s, "{") ? index(s, "{") : length(s) + 1)) sawassign = 1
				if (cand && s ~ /;[ \t]*$/ && s !~ /\{/) cand = 0  # a prototype or a declaration
			}
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (c == "{") {
					if (depth == 0 && cand && !sawassign) { infunc = 1; start = cand }
					depth++
				} else if (c == "}") {
					depth--
					if (depth == 0 && infunc) {
						len = NR - start + 1; if (name ~ pat) nf++
						if (len > max && name ~ pat)
							printf "%s:%d: %s() is %d lines (max %d)\n", file, start, name, len, max
						infunc = 0; cand = 0
					} else if (depth == 0) cand = 0
				}
			}
		}
		END { printf "#%d\n", nf }
		' "$f")
		n=$(printf '%s\n' "$out" | sed -n 's/^#//p')
		funcs=$((funcs + n))
		long=$(printf '%s\n' "$out" | grep -v '^#')
		if [ -n "$long" ]; then
			printf '%s\n' "$long"
			bad=$((bad + $(printf '%s\n' "$long" | wc -l)))
		fi
	done
done
if [ "$bad" -ne 0 ]; then
	echo "funclen: $bad functions on the query path are longer than $max lines ($funcs functions)" >&2
	exit 1
fi
echo "funclen: $funcs functions on the query path, none longer than $max lines"
