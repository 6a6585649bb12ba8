#!/bin/bash
# 302_healthd_https -- https checks against `openssl s_server -www` with a
# self-signed certificate made here: verification is on by default and fails
# with a reason; "ca_file" and "verify": false succeed; "host" sets SNI and the
# name to verify. Stopping the server turns the target down after exactly
# `fall` failures, restarting it up after exactly `rise` successes.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"
command -v openssl > /dev/null || skip "openssl is not installed"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
	-subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" > "$T/req.log" 2>&1 ||
	{ cat "$T/req.log"; fail "openssl req"; finish; }
port=$(free_port)
CONF=$T/steerdns.json
common="\"port\": $port, \"interval\": 0.2, \"timeout\": 1"
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "hd.state" },
  "checks": {
    "strict": { "type": "https", $common },
    "ca":     { "type": "https", $common, "ca_file": "cert.pem", "fall": 2, "rise": 3 },
    "loose":  { "type": "https", $common, "verify": false },
    "named":  { "type": "https", $common, "ca_file": "cert.pem", "host": "localhost" },
    "wrongname": { "type": "https", $common, "ca_file": "cert.pem", "host": "www.example.com" }
  },
  "pools": { "a": { "check": "strict", "members": ["127.0.0.1"] },
             "b": { "check": "ca", "members": ["127.0.0.1"] },
             "c": { "check": "loose", "members": ["127.0.0.1"] },
             "d": { "check": "named", "members": ["127.0.0.1"] },
             "e": { "check": "wrongname", "members": ["127.0.0.1"] } }
}
JSON
tls_server() { start_bg "$1" openssl s_server -accept "127.0.0.1:$port" -cert "$T/cert.pem" -key "$T/key.pem" -www -quiet; }
tls_server tls1
for _ in $(seq 50); do ss -Hlnt "sport = :$port" | grep -q . && break; sleep 0.1; done

hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_subscribe
hd_wait ca@127.0.0.1 state up || fail "ca_file check never up"
hd_wait loose@127.0.0.1 state up || fail "verify:false check never up"
hd_wait named@127.0.0.1 state up || fail "host check never up"
hd_wait strict@127.0.0.1 state down || fail "strict check never down"
hd_wait wrongname@127.0.0.1 state down || fail "wrong host check never down"
expect_match "verify on: reason" "$(hd_field strict@127.0.0.1 last)" "^TLS: certificate verify failed \(self-signed certificate\)$"
expect_match "wrong name: reason" "$(hd_field wrongname@127.0.0.1 last)" "^TLS: certificate verify failed \(hostname mismatch\)$"
expect_match "ca_file: reason" "$(hd_field ca@127.0.0.1 last)" "^HTTP 200$"
expect_match "table" "$("$STEERCTL" -c "$CONF" status)" "strict@127\.0\.0\.1 +strict +127\.0\.0\.1 +down +auto .* TLS: certificate verify failed"

t0=$(now); stop_bg tls1
hd_wait ca@127.0.0.1 state down 5 || fail "ca check never down"
expect_flip "https stopped (fall 2 x 0.2 s)" ca@127.0.0.1 down "$t0" fail 2
expect_eq "stopped: reason" "$(hd_field ca@127.0.0.1 last)" "connection refused"

t0=$(now); tls_server tls2
hd_wait ca@127.0.0.1 state up 5 || fail "ca check never back up"
expect_flip "https restarted (rise 3 x 0.2 s)" ca@127.0.0.1 up "$t0" ok 3
cat "$T/timings"
finish
