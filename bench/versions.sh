#!/bin/bash
# versions.sh -- one line naming the versions of the benchmarked programs.
. "$(dirname "$0")/lib.sh"
v=""
srv_available steerdns && v="steerdns $(git -C "$SRC_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')"
command -v nsd > /dev/null && v="$v; nsd $(nsd -v 2>&1 | sed -n 's/^NSD version //p')"
command -v knotd > /dev/null && v="$v; knotd $(knotd -V 2>&1 | sed -n 's/.*version //p')"
command -v gdnsd > /dev/null && v="$v; gdnsd $(gdnsd -V 2>&1 | sed -n 's/^gdnsd version //p')"
command -v dnsperf > /dev/null && v="$v; dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
echo "${v#; }"
