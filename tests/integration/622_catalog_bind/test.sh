#!/bin/bash
# 622_catalog_bind -- a real BIND 9 (named) consumes steerdns' generated
# catalog zone (catalog-zones, RFC 9432 version 2). Unsigned, allowed by
# address: BIND signs its SOA refresh queries too, and signed answers to
# ordinary queries come with the xfr branch's TSIG-on-queries change (its
# 601_secondaries runs BIND with TSIG; 621 runs Knot with TSIG here):
#   the member zone listed at start is served by named;
#   a zone added to steerdns' config appears on named after `steerctl
#     reload` and a refresh of the catalog (rndc), with its data.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/xfrzone.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v named >/dev/null || skip "no named (Debian package bind9)"
command -v rndc >/dev/null || skip "no rndc (Debian package bind9)"

PORT=$(free_port)
BPORT=$(free_port)
CPORT=$(free_port)
CFG=$T/steerdns.json
RKEY=$(head -c 32 /dev/urandom | base64)
mkdir -p "$T/state" "$T/bind"
zone() { xfr_zone "$1" "$2" "$3"; }
config() { # ZONES...
	local z list=""
	for z in "$@"; do
		list="$list{ \"name\": \"$z\", \"file\": \"$z.zone\", \"allow_transfer\": [ \"127.0.0.1\" ] }, "
	done
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "workers": 1, "control_socket": "ctl.sock", "state_dir": "state" },
  "zones": [ $list{ "name": "catalog.invalid", "catalog": true, "allow_transfer": [ "127.0.0.1" ] } ] }
JSON
}
cat > "$T/named.conf" <<EOF
key "rndc" { algorithm hmac-sha256; secret "$RKEY"; };
controls { inet 127.0.0.1 port $CPORT allow { 127.0.0.1; } keys { "rndc"; }; };
options {
	directory "$T/bind";
	pid-file "$T/bind/named.pid";
	listen-on port $BPORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-new-zones yes;
	notify no;
	transfer-source 127.0.0.1;
	query-source address 127.0.0.1;
	catalog-zones {
		zone "catalog.invalid" default-primaries { 127.0.0.1 port $PORT; } in-memory yes;
	};
};
zone "catalog.invalid" { type secondary; primaries { 127.0.0.1 port $PORT; }; file "catalog.db"; };
EOF
cat > "$T/rndc.conf" <<EOF
key "rndc" { algorithm hmac-sha256; secret "$RKEY"; };
options { default-key "rndc"; default-server 127.0.0.1; default-port $CPORT; };
EOF
bq() { dig +short +time=2 +tries=1 @127.0.0.1 -p "$BPORT" "$@"; }
serial_is() { [ "$(bq "$1" SOA | awk '{print $3}')" = "$2" ]; }

zone a.test 3 192.0.2.30
config a.test
start_bg server "$STEERDNS" -c "$CFG"
wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; finish; }
start_bg named named -g -c "$T/named.conf"
wait_for "named took a.test from the catalog" serial_is a.test 3 && pass "catalog: member a.test served by named"
expect_eq "a.test data on named" "$(bq www.a.test A)" 192.0.2.30

zone n.test 9 192.0.2.90
config a.test n.test
out=$("$STEERCTL" -c "$CFG" reload 2>&1) || fail "reload with n.test: $out"
rndc -c "$T/rndc.conf" refresh catalog.invalid > /dev/null 2>&1 || fail "rndc refresh failed"
wait_for "n.test on named" serial_is n.test 9 && pass "catalog: new zone n.test served by named"
expect_eq "n.test data on named" "$(bq www.n.test A)" 192.0.2.90
expect_match "named's log: the catalog added it" "$(cat "$T/named.log")" "catz.*n\.test"
finish
