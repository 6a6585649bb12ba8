#!/bin/sh
# run-demo.sh -- `make run`: steerdns in the foreground on 127.0.0.1:5353 and
# [::1]:5353 with the example zones (zones/steerdns.json).
# Usage: scripts/run-demo.sh BUILD_DIR
# Ctrl-C (SIGINT) stops it; `kill -HUP PID` or `steerctl reload` reloads.
set -eu
build=${1:?usage: run-demo.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
config=$src/zones/steerdns.json
steerctl="$build/steerctl -c $config"

# Sockets (the control socket, later steer-healthd's) live in run/.
mkdir -p "$src/run"

# Refuse early with the file:line errors rather than half-starting.
"$build/steerdns" --check -c "$config"

# Later daemons of the demo (steer-healthd, issue 4) start here, in the
# background, before steerdns takes over this shell.

cat <<MSG

steerdns is starting on 127.0.0.1:5353 and [::1]:5353. In another terminal, try:

  dig @127.0.0.1 -p 5353 example.com SOA
  dig @127.0.0.1 -p 5353 www.example.com A
  dig @::1 -p 5353 example.com MX
  dig @127.0.0.1 -p 5353 _imaps._tcp.example.com SRV
  dig @127.0.0.1 -p 5353 example.com TXT +tcp
  dig @127.0.0.1 -p 5353 nothing-here.example.com A      # NXDOMAIN with the SOA
  dig @127.0.0.1 -p 5353 example.org A                   # REFUSED: not our zone
  $steerctl zones
  $steerctl stats
  $steerctl reload

Stop with Ctrl-C.

MSG
exec "$build/steerdns" -c "$config"
