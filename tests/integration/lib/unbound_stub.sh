# unbound_stub.sh -- a validating Unbound on loopback with steerdns as the
# authority of one zone (stub-zone) and that zone's DS as its only trust
# anchor; source after lib.sh. Nothing leaves loopback: Unbound sends only
# from 127.0.0.1, and the root is stubbed to steerdns too (which refuses).
#
#   ub_anchor ZONE CONFIG          DS of ZONE's KSKs into $T/anchor.ds (steerctl dnssec ds,
#                                  else dnssec-dsfromkey over key_dir's KSK files)
#   ub_start ZONE AUTHPORT [EXTRA] start Unbound (port in $UPORT), EXTRA lines go in server:
#   ub_dig ARGS...                 dig through it: +dnssec, 2 s timeout
#   ub_ad ARGS...                  "ad" when the answer is validated secure, else the flags
command -v unbound > /dev/null || skip "unbound is not installed (Debian package unbound)"

# ub_anchor ZONE CONFIG [KEYDIR]
ub_anchor() {
	local out
	if out=$("$STEERCTL" -c "$2" dnssec ds "$1" 2>/dev/null) && [ -n "$out" ]; then
		echo "$out" | grep -E '[[:space:]]DS[[:space:]]' > "$T/anchor.ds"
	else
		: > "$T/anchor.ds"
		for k in "${3:-$T/keys}"/K*.key; do
			grep -q 'DNSKEY[[:space:]]*257' "$k" && dnssec-dsfromkey -2 "$k" >> "$T/anchor.ds"
		done
	fi
	[ -s "$T/anchor.ds" ]
}

# delv's form of the same anchor: $T/anchor.delv
ub_delv_anchor() {
	awk '{ printf "trust-anchors { %s static-ds %s %s %s \"%s\"; };\n", $1, $4, $5, $6, $7 }' "$T/anchor.ds" \
		> "$T/anchor.delv"
}

# ub_start ZONE AUTHPORT [EXTRA-SERVER-LINES]
ub_start() {
	UPORT=$(free_port)
	cat > "$T/unbound.conf" <<EOF
server:
	port: $UPORT
	interface: 127.0.0.1
	outgoing-interface: 127.0.0.1
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$T"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	num-threads: 1
	so-reuseport: no
	do-not-query-localhost: no
	access-control: 127.0.0.0/8 allow
	qname-minimisation: no
	local-zone: "test." nodefault
	trust-anchor-file: "$T/anchor.ds"
${3:-}
stub-zone:
	name: "$1"
	stub-addr: 127.0.0.1@$2
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$2
EOF
	unbound-checkconf "$T/unbound.conf" > "$T/unbound-check.log" 2>&1 || { cat "$T/unbound-check.log"; return 1; }
	start_bg unbound unbound -d -c "$T/unbound.conf"
	wait_dns 127.0.0.1 "$UPORT"
}

ub_dig() { dig @127.0.0.1 -p "$UPORT" +dnssec +time=2 +tries=1 "$@"; }

# ub_ad ARGS: "ad" if the response has AD (validated secure), else its flags and status.
ub_ad() {
	local out flags
	out=$(ub_dig "$@" 2>&1)
	flags=$(echo "$out" | sed -n 's/.*flags: \([a-z ]*\);.*/\1/p' | head -1)
	case " $flags " in *" ad "*) echo ad ;; *) echo "flags=[$flags] $(echo "$out" | grep -o 'status: [A-Z]*')" ;; esac
}

# ub_short_zone DNSSEC-JSON: the rollover tests' zone example.test (TTLs 3 s,
# a steered "app" in pool east) signed with the given "dnssec" object, in
# $CONF with steerdns on $PORT (both set here), started and answering.
ub_short_zone() {
	PORT=$(free_port)
	CONF=$T/steerdns.json
	printf '%s\n' '$ORIGIN example.test.' '$TTL 3' '@ IN SOA ns1 hostmaster 1 3600 600 86400 3' '  IN NS ns1' \
		'ns1 IN A 192.0.2.53' 'app 3 IN A 198.18.0.99' > "$T/example.test.zone"
	cat > "$CONF" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [ { "name": "example.test", "file": "example.test.zone", "dnssec": $1 } ],
  "pools": { "east": { "members": ["198.18.1.1", "198.18.1.2"] } },
  "records": { "app.example.test": { "ttl": 3, "failover": ["east"] } } }
JSON
	start_bg server "$STEERDNS" -c "$CONF"
	wait_dns 127.0.0.1 "$PORT" || { cat "$T/server.log"; return 1; }
}
