# signed_zone.sh -- the signed test zone of 702 and 704 (example.test with
# 40 hosts, an A and a TXT each) and what they ask of it; source after
# lib.sh, with PORT (steerdns' port) and CFG (its config, the zone with
# "dnssec": {"key_dir": "keys"}) set.
#   sz_zone SERIAL WWW      write $T/example.test.zone, www's A = WWW
#   sz_st KEY               KEY's value in $T/keys/signing.status
#   sz_anchor               $T/anchor.conf: delv's trust anchor (steerctl dnssec ds)
#   sz_validated NAME [TYPE]  1 when delv fully validates NAME TYPE (default A)

sz_zone() {
	{
		echo "\$ORIGIN example.test."; echo "\$TTL 300"
		echo "@ IN SOA ns1 hostmaster $1 3600 600 86400 300"; echo "  IN NS ns1"
		echo "ns1 IN A 192.0.2.53"; echo "www IN A $2"
		for i in $(seq 1 40); do echo "h$i IN A 192.0.2.$i"; echo "h$i IN TXT \"host $i\""; done
	} > "$T/example.test.zone"
}

sz_st() { awk -v k="$1" '$1 == k {print $2}' "$T/keys/signing.status"; }

sz_anchor() {
	"$STEERCTL" -c "$CFG" dnssec ds example.test |
		awk '{printf "trust-anchors { %s static-ds %s %s %s \"%s\"; };\n", $1, $4, $5, $6, $7}' > "$T/anchor.conf"
}

sz_validated() {
	delv @127.0.0.1 -p "$PORT" -a "$T/anchor.conf" +root=example.test "$1" "${2:-A}" 2>&1 |
		grep -c "^; fully validated"
}
