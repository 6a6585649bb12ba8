#!/bin/sh
# run-demo.sh -- `make run`: steerdns in the foreground on 127.0.0.1:5353 and
# [::1]:5353 with the example zones (zones/steerdns.json), plus steer-healthd
# and four demo HTTP backends in the background.
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

# Steering demo (issue 4, docs/steering.md): four tiny HTTP backends on
# loopback addresses stand for the data centers' servers (pools us-east,
# eu-west, ap-east in steerdns.json), and steer-healthd checks them. They run
# in the background and stop with steerdns (Ctrl-C). Logs: run/*.log.
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
mkdir -p "$src/run/www"
echo "demo backend: ok" > "$src/run/www/index.html"
for addr in 127.0.1.10 127.0.1.11 127.0.2.20 127.0.3.30; do
	/usr/bin/python3 -m http.server --bind "$addr" 18080 --directory "$src/run/www" \
		> "$src/run/backend-$addr.log" 2>&1 &
	pids="$pids $!"
done
"$build/steer-healthd" -c "$config" > "$src/run/healthd.log" 2>&1 &
pids="$pids $!"

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

Traffic steering (FAKE demo GeoIP data, see docs/steering.md):

  dig @127.0.0.1 -p 5353 app.example.com A +subnet=198.51.100.0/24   # North America: us-east
  dig @127.0.0.1 -p 5353 app.example.com A +subnet=203.0.113.0/24    # Europe: eu-west
  dig @127.0.0.1 -p 5353 app.example.com A +subnet=192.0.2.0/24      # Asia: ap-east
  $steerctl explain app.example.com A --subnet 203.0.113.0/24
  $steerctl status                                   # steer-healthd's view
  $steerctl drain web@127.0.2.20                     # Europe fails over to us-east
  $steerctl undrain web@127.0.2.20

Stop with Ctrl-C.

MSG
"$build/steerdns" -c "$config"
