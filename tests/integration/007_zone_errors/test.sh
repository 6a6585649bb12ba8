#!/bin/bash
# 007_zone_errors -- zone-file errors name the bad token (file:line: reason,
# the token quoted, like nsd-checkzone), in `steerdns --check`, `steerctl
# check` and `steerctl check-zone ZONE FILE`, which checks one master file
# without a config: exit 0 with a summary (zone, serial, records), 1 with
# every error, 2 on a usage error. Where named-checkzone (BIND) is
# installed it is asked too: the good zone is good for it, every bad line bad.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"
[ -x "$STEERCTL" ] || skip "no steerctl binary at $STEERCTL"
cd "$T" || exit 1

cat > good.zone <<'ZONE'
$ORIGIN t.test.
$TTL 1h
@       IN SOA ns1 hostmaster ( 2024070107 3600 600 86400 300 )
@       IN NS  ns1
ns1     IN A   192.0.2.53
www  60 IN A   192.0.2.10
        IN AAAA 2001:db8::10
@       IN MX  10 www
_sip._tcp IN SRV 10 20 5060 www
@       IN TXT "v=spf1 -all" "second"
@       IN CAA 0 issue "ca.example"
alias   IN CNAME www
ZONE

# One error a line, each of a different kind; the line numbers matter.
{
	head -n 5 good.zone                          # 1-5: $ORIGIN $TTL SOA NS A
	echo 'www  60 IN A   203.0.113.925'         # 6
	echo 'www2    IN AA  192.0.2.1'             # 7
	echo 'www3 1x IN A   192.0.2.1'             # 8
	echo 'a..b    IN A   192.0.2.1'             # 9
	echo 'mx      IN MX'                        # 10
	echo 'mx2     IN MX  70000 www'             # 11
	echo 'srv     IN SRV 1 2 99999 www'         # 12
	echo '@       IN CAA 0 iss-ue "ca.example"' # 13
	echo 'sub     IN NS  ns..sub'               # 14
	echo '$INCLUDE bad.inc'                     # 15
	echo 'tlsa    IN TLSA 3 1 1 zz'             # 16
} > bad.zone
printf 'ok  IN A 192.0.2.20\nbad IN AAAA 2001:db8::g\n' > bad.inc
want_errors="bad.zone:6: invalid IPv4 address '203.0.113.925'
bad.zone:7: unknown type 'AA'
bad.zone:8: invalid TTL '1x' (a time value: 3600, 1h, 1w2d)
bad.zone:9: bad domain name 'a..b': empty label
bad.zone:10: missing RDATA for MX
bad.zone:11: invalid MX preference '70000' (0 to 65535)
bad.zone:12: invalid SRV port '99999' (0 to 65535)
bad.zone:13: invalid CAA tag 'iss-ue' (letters and digits only)
bad.zone:14: bad domain name 'ns..sub' (NS name server): empty label
bad.inc:2: invalid IPv6 address '2001:db8::g'
bad.zone:16: TLSA record: Syntax error, could not parse the RR's rdata"

# --- steerctl check-zone ---------------------------------------------------
out=$("$STEERCTL" check-zone t.test good.zone 2>&1); rc=$?
expect_eq "check-zone good: exit 0" "$rc" 0
expect_eq "check-zone good: summary" "$out" "good.zone: ok: zone t.test., serial 2024070107, 10 records"

out=$("$STEERCTL" check-zone t.test bad.zone 2>/dev/null); rc=$?
err=$("$STEERCTL" check-zone t.test bad.zone 2>&1 >/dev/null)
expect_eq "check-zone bad: exit 1" "$rc" 1
expect_eq "check-zone bad: nothing on stdout" "$out" ""
expect_eq "check-zone bad: every error, the token named, then a count" "$err" "$want_errors
bad.zone: zone t.test: 11 errors"

out=$("$STEERCTL" check-zone t.test missing.zone 2>&1); rc=$?
expect_eq "check-zone missing file: exit 1" "$rc" 1
expect_eq "check-zone missing file: says so" "$out" "missing.zone: cannot open: No such file or directory
missing.zone: zone t.test: 1 error"
out=$("$STEERCTL" check-zone 'a..b' good.zone 2>&1); rc=$?
expect_eq "check-zone bad zone name: exit 1" "$rc" 1
expect_match "check-zone bad zone name: says so" "$out" "^good\.zone: zone name 'a\.\.b' is not a valid domain name"
out=$("$STEERCTL" check-zone 2>&1); rc=$?
expect_eq "check-zone without arguments: exit 2" "$rc" 2
expect_match "check-zone without arguments: usage" "$out" "usage: steerctl check-zone ZONE FILE"
"$STEERCTL" check-zone t.test > /dev/null 2>&1; rc=$?
expect_eq "check-zone with one argument: exit 2" "$rc" 2
"$STEERCTL" check-zone t.test good.zone extra > /dev/null 2>&1; rc=$?
expect_eq "check-zone with three arguments: exit 2" "$rc" 2

json=$("$STEERCTL" check-zone --json t.test good.zone 2>/dev/null); rc=$?
expect_eq "check-zone --json good: exit 0" "$rc" 0
expect_eq "check-zone --json good" "$(printf '%s' "$json" | $PY -c 'import json,sys; j=json.load(sys.stdin); print(j["ok"], j["zone"], j["serial"], j["records"], len(j["errors"]))')" \
	"True t.test. 2024070107 10 0"
json=$("$STEERCTL" --json check-zone t.test bad.zone 2>/dev/null); rc=$?
expect_eq "check-zone --json bad: exit 1" "$rc" 1
expect_eq "check-zone --json bad: the same errors" "$(printf '%s' "$json" | $PY -c 'import json,sys; print("\n".join(json.load(sys.stdin)["errors"]))')" "$want_errors"

# --- steerdns --check and steerctl check: the same messages -----------------
cat > bad.json <<'JSON'
{ "server": { "listen": ["127.0.0.1:5353"] },
  "zones": [ { "name": "t.test", "file": "bad.zone" } ] }
JSON
out=$("$STEERDNS" --check -c bad.json 2>&1); rc=$?
expect_eq "steerdns --check: exit 1" "$rc" 1
expect_eq "steerdns --check: every error, the token named" "$out" "$want_errors
bad.json: 11 errors"
ctl_out=$("$STEERCTL" check bad.json 2>&1); rc=$?
expect_eq "steerctl check: exit 1" "$rc" 1
expect_eq "steerctl check: what steerdns --check prints" "$ctl_out" "$out"

# The server refuses to start on the bad zone, with the same message.
sed 's/bad\.zone/good.zone/' bad.json > good.json
out=$("$STEERDNS" --check -c good.json 2>&1); rc=$?
expect_eq "steerdns --check good: exit 0" "$rc" 0
expect_eq "steerdns --check good: summary" "$out" "good.json: ok: 1 zone, 10 records, 1 listen address"

# --- BIND and NSD agree ----------------------------------------------------
# named-checkzone rejects each bad line too (NSD 4.6 lets MX 70000 and SRV
# port 99999 through, wrapped, so it is asked only about the good zone).
if command -v named-checkzone > /dev/null; then
	named-checkzone t.test good.zone > bind.out 2>&1; rc=$?
	expect_eq "named-checkzone: the good zone is good" "$rc" 0
	for l in 6 7 8 9 10 11 12 13 14 16; do
		{ cat good.zone; sed -n "${l}p" bad.zone; } > one.zone
		named-checkzone t.test one.zone > bind.out 2>&1; rc=$?
		expect_eq "named-checkzone rejects bad.zone line $l too ($(sed -n "${l}p" bad.zone | tr -s ' '))" "$rc" 1
	done
else
	echo "note: named-checkzone not installed; the BIND comparison is left out"
fi
if command -v nsd-checkzone > /dev/null; then
	nsd-checkzone t.test good.zone > nsd.out 2>&1; rc=$?
	expect_eq "nsd-checkzone: the good zone is good" "$rc" 0
fi
finish
