#!/bin/bash
# 700_dnssec_validate -- a real validator says steerdns' signed answers are
# secure. For NSEC + ECDSA P-256 and for NSEC3 + Ed25519:
#   parent example.test (signed, keys made by `steerctl dnssec keygen`),
#   child secure.example.test (signed; its DS from `steerctl dnssec ds`
#   written into the parent) and sub.example.test (unsigned), all served by
#   one steerdns; Unbound started here with a stub-zone to it and the
#   parent's DS (`steerctl dnssec ds`) as its trust anchor.
# Unbound must answer with AD=1: static names (A, AAAA, MX at the apex,
# DNSKEY, CDS, CDNSKEY), NXDOMAIN, NODATA, an empty non-terminal, wildcard
# expansion and wildcard NODATA, a CNAME, a DNAME into the child, names in
# the signed child, the DS of the signed child and the proof of no DS for
# the unsigned one. Names in the unsigned child resolve without AD (insecure,
# not SERVFAIL). delv with the same anchor says "fully validated"; with the
# child's anchor for the parent it fails. Without DO the answers carry no
# RRSIG and have the unsigned size; a DO answer too big for the client's
# buffer is truncated (TC) and complete over TCP.
. "$(dirname "$0")/../lib/lib.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
command -v unbound > /dev/null || skip "unbound is not installed (Debian package unbound)"
command -v delv > /dev/null || skip "delv is not installed (Debian package bind9-dnsutils)"

ctl() { "$STEERCTL" -c "$CFG" "$@"; }

child_zone() { # LABEL WWW-ADDRESS: LABEL.example.test
	printf '$ORIGIN %s.example.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n  IN NS ns1\nns1 IN A 127.0.0.1\nwww IN A %s\n' \
		"$1" "$2" > "$T/$1.example.test.zone"
}

zones() { # write the three zone files; the parent gets the child's DS
	cat > "$T/example.test.zone" <<ZONE
\$ORIGIN example.test.
\$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
  IN NS ns1
  IN MX 10 mail
ns1 IN A 127.0.0.1
mail IN A 192.0.2.25
www IN A 192.0.2.1
www IN AAAA 2001:db8::1
*.wild IN A 192.0.2.99
a.b.ent IN A 192.0.2.7
alias IN CNAME www
dn IN DNAME secure.example.test.
secure IN NS ns1.secure
ns1.secure IN A 127.0.0.1
sub IN NS ns1.sub
ns1.sub IN A 127.0.0.1
ZONE
	child_zone secure 192.0.2.31
	child_zone sub 192.0.2.41
}

config() { # ALG DENIAL
	cat > "$CFG" <<JSON
{ "server": { "listen": ["127.0.0.1:$PORT"], "control_socket": "ctl.sock" },
  "zones": [
    { "name": "example.test", "file": "example.test.zone",
      "dnssec": { "key_dir": "keys/example.test", "algorithm": "$1", "denial": "$2" } },
    { "name": "secure.example.test", "file": "secure.example.test.zone",
      "dnssec": { "key_dir": "keys/secure.example.test", "algorithm": "$1", "denial": "$2" } },
    { "name": "sub.example.test", "file": "sub.example.test.zone" } ] }
JSON
}

unbound_conf() { # DS-LINE
	cat > "$T/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $UPORT
  do-ip6: no
  do-not-query-localhost: no
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "$T"
  pidfile: ""
  trust-anchor: "$1"
  val-log-level: 2
  verbosity: 1
  qname-minimisation: no
  module-config: "validator iterator"
  local-zone: "test." nodefault
stub-zone:
  name: "example.test"
  stub-addr: 127.0.0.1@$PORT
CONF
}

# "RCODE FLAGS-HAVE-AD ANSWER-DATA" of a query through Unbound.
via_unbound() { # NAME TYPE
	local out; out=$(dig +dnssec +time=5 +tries=1 @127.0.0.1 -p "$UPORT" "$1" "$2")
	local rc ad
	rc=$(printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
	ad=no; printf '%s\n' "$out" | grep -q '^;; flags:.* ad[ ;]' && ad=ad
	printf '%s %s %s' "$rc" "$ad" "$(printf '%s\n' "$out" | awk '!/^;/ && NF && $4 == "'"$2"'" {print $5}' | sort | tr '\n' ' ')"
}

secure() { # WHAT NAME TYPE WANT-RCODE [WANT-DATA]
	local got; got=$(via_unbound "$2" "$3")
	expect_eq "$MODE: $1 secure" "$got" "$4 ad ${5:-}${5:+ }"
}

run_mode() { # ALG DENIAL
	MODE="$1/$2"
	rm -rf "$T/keys"
	zones
	config "$1" "$2"
	# The child's keys first, so its DS can go into the parent.
	ctl dnssec keygen secure.example.test > /dev/null || fail "$MODE: keygen secure.example.test"
	ctl dnssec keygen example.test > /dev/null || fail "$MODE: keygen example.test"
	ctl dnssec ds secure.example.test >> "$T/example.test.zone" || fail "$MODE: ds secure.example.test"
	local anchor; anchor=$(ctl dnssec ds example.test)
	expect_match "$MODE: ds is one SHA-256 DS line" "$anchor" "^example\.test\. IN DS [0-9]+ $3 2 [0-9A-F]{64}$"
	start_bg "server-$2" "$STEERDNS" -c "$CFG"
	wait_dns 127.0.0.1 "$PORT" || { cat "$T/server-$2.log"; return; }
	unbound_conf "$anchor"
	start_bg "unbound-$2" unbound -d -c "$T/unbound.conf"
	local i; for i in $(seq 50); do dig +time=1 +tries=1 @127.0.0.1 -p "$UPORT" . > /dev/null 2>&1 && break; sleep 0.1; done

	secure "A" www.example.test A NOERROR 192.0.2.1
	secure "AAAA" www.example.test AAAA NOERROR 2001:db8::1
	secure "apex MX" example.test MX NOERROR 10
	secure "DNSKEY" example.test DNSKEY NOERROR "256 257"
	secure "CDS" example.test CDS NOERROR "$(echo "$anchor" | awk '{print $4}')"
	secure "CDNSKEY" example.test CDNSKEY NOERROR 257
	secure "NXDOMAIN" nx.example.test A NXDOMAIN
	secure "NXDOMAIN deeper" a.b.nx.example.test A NXDOMAIN
	secure "NODATA" www.example.test TXT NOERROR
	secure "empty non-terminal" ent.example.test A NOERROR
	secure "wildcard" x.wild.example.test A NOERROR 192.0.2.99
	secure "wildcard, two labels" y.x.wild.example.test A NOERROR 192.0.2.99
	secure "wildcard NODATA" x.wild.example.test TXT NOERROR
	secure "CNAME" alias.example.test A NOERROR 192.0.2.1
	secure "DNAME into the signed child" www.dn.example.test A NOERROR 192.0.2.31
	secure "signed child (DS at the parent)" www.secure.example.test A NOERROR 192.0.2.31
	secure "signed child NXDOMAIN" nx.secure.example.test A NXDOMAIN
	secure "DS of the signed child" secure.example.test DS NOERROR "$(ctl dnssec ds secure.example.test | awk '{print $4}')"
	secure "no DS for the unsigned child" sub.example.test DS NOERROR
	expect_eq "$MODE: unsigned child: insecure, not bogus" "$(via_unbound www.sub.example.test A)" "NOERROR no 192.0.2.41 "

	# delv, same anchor (BIND's trust-anchors syntax).
	echo "$anchor" | awk '{printf "trust-anchors { %s static-ds %s %s %s \"%s\"; };\n", $1, $4, $5, $6, $7}' \
		> "$T/anchor.conf"
	local d
	d=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.conf" +root=example.test www.example.test A 2>&1)
	expect_match "$MODE: delv: A fully validated" "$d" "^; fully validated"
	d=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.conf" +root=example.test nx.example.test A 2>&1)
	expect_match "$MODE: delv: NXDOMAIN fully validated" "$d" "; negative response, fully validated"
	d=$(delv @127.0.0.1 -p "$PORT" -a "$T/anchor.conf" +root=example.test x.wild.example.test A 2>&1)
	expect_match "$MODE: delv: wildcard fully validated" "$d" "^; fully validated"
	# A wrong anchor (the child's DS, renamed to the parent) must fail.
	ctl dnssec ds secure.example.test |
		awk '{printf "trust-anchors { example.test. static-ds %s %s %s \"%s\"; };\n", $4, $5, $6, $7}' > "$T/wrong.conf"
	d=$(delv @127.0.0.1 -p "$PORT" -a "$T/wrong.conf" +root=example.test www.example.test A 2>&1)
	expect_match "$MODE: delv: a wrong anchor fails" "$d" "resolution failed|no valid"

	# Without DO: no RRSIG, no NSEC, the size of an unsigned answer.
	local plain
	plain=$(dig +norec +noedns @127.0.0.1 -p "$PORT" nx.example.test A)
	expect_eq "$MODE: no DO: no DNSSEC records" "$(printf '%s\n' "$plain" | grep -cE 'RRSIG|NSEC')" 0
	expect_match "$MODE: no DO: the SOA alone in authority" "$plain" "AUTHORITY: 1,"
	d=$(dig +norec +dnssec @127.0.0.1 -p "$PORT" www.example.test A)
	expect_match "$MODE: DO: RRSIG in the answer, AA, no AD from us" "$d" "flags: qr aa;"

	# A proof that does not fit the client's 512 bytes: TC, whole over TCP.
	if [ "$2" = nsec3 ]; then
		d=$(dig +norec +dnssec +bufsize=512 +ignore @127.0.0.1 -p "$PORT" nx.example.test A)
		expect_match "$MODE: DO, 512-byte buffer: truncated" "$d" "flags: qr aa tc;"
		d=$(dig +norec +dnssec +tcp @127.0.0.1 -p "$PORT" nx.example.test A)
		expect_match "$MODE: over TCP: SOA, 3 NSEC3 and their 4 RRSIGs" "$d" "AUTHORITY: 8,"
	fi

	stop_bg "unbound-$2"
	stop_bg "server-$2"
}

PORT=$(free_port)
UPORT=$(free_port)
CFG=$T/steerdns.json
run_mode ecdsap256sha256 nsec 13
run_mode ed25519 nsec3 15
finish
