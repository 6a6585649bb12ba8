# demo.sh -- the demo of `make run` (zones/steerdns.json: the example zones,
# the FAKE demo GeoIP database, steer-healthd checking four HTTP backends)
# on free ports, for tests that run steerdns and steer-healthd together.
# Source after lib.sh.
#
#   demo_config     writes $DEMO ($T/steerdns.json): DNS on 127.0.0.1/::1 port
#                   $PORT, the backends' port $HP, sockets $T/steerdns.sock and
#                   $T/healthd.sock, state file $T/healthd.state
#   demo_backends   starts the four backends (python http.server on
#                   127.0.1.10, 127.0.1.11, 127.0.2.20, 127.0.3.30, port $HP)
#   demo_ctl ARGS   steerctl on $DEMO
PORT=$(free_port)
HP=$(free_port)
DEMO=$T/steerdns.json
DEMO_BACKENDS="127.0.1.10 127.0.1.11 127.0.2.20 127.0.3.30"

demo_config() {
	local z=$STEER_SRC/zones
	sed -e "s|127.0.0.1:5353|127.0.0.1:$PORT|; s|\"\[::1\]:5353\"|\"[::1]:$PORT\"|; s|\"\.\./run/|\"$T/|g" \
	    -e "s|\"port\": 18080|\"port\": $HP|; s|\"demo-geo.mmdb\"|\"$z/demo-geo.mmdb\"|; s|\"file\": \"|\"file\": \"$z/|" \
	    "$z/steerdns.json" > "$DEMO"
}

demo_backends() {
	local a
	mkdir -p "$T/www"
	echo ok > "$T/www/index.html"
	for a in $DEMO_BACKENDS; do
		start_bg "www$a" /usr/bin/python3 -m http.server --bind "$a" "$HP" --directory "$T/www"
	done
}

demo_ctl() { "$STEERCTL" -c "$DEMO" "$@"; }
