#!/bin/bash
# 059_steerctl_verbs -- `steerctl zones` and `stats` (tables and --json) over
# the control socket; the counters follow the queries; the control protocol
# answers unknown commands and bad versions with an error.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

jget() { $PY -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

make_zone 7 192.0.2.10
write_config
start_steerdns

out=$(ctl zones)
expect_match "zones: header" "$(printf '%s' "$out" | head -1)" "^NAME +SERIAL +RECORDS +FILE +LOADED AT$"
expect_match "zones: t.test row" "$(printf '%s' "$out" | sed -n 2p)" "^t\.test\. +7 +46 +$T/t\.test\.zone +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"
expect_eq "zones --json" "$(ctl zones --json | jget 'j["zones"][0]["name"], j["zones"][0]["serial"], j["zones"][0]["records"], j["generation"]')" "('t.test.', 7, 46, 1)"
# perms of the control socket
expect_eq "control socket mode 0660" "$(stat -c %a "$SOCK")" "660"

before=$(ctl stats --json)
for i in 1 2 3 4 5; do q www.t.test A > /dev/null; done
q mail.t.test MX > /dev/null
q nothing.t.test A > /dev/null
q +tcp www.t.test AAAA > /dev/null
dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" example.org A > /dev/null
after=$(ctl stats --json)
delta() { echo $(( $(printf '%s' "$after" | jget "$1") - $(printf '%s' "$before" | jget "$1") )); }
expect_eq "stats: +8 UDP queries" "$(delta 'j["queries"]["udp"]')" "8"
expect_eq "stats: +1 TCP query" "$(delta 'j["queries"]["tcp"]')" "1"
expect_eq "stats: +9 responses" "$(delta 'j["responses"]')" "9"
expect_eq "stats: +7 A" "$(delta 'j["qtype"].get("A", 0)')" "7"
expect_eq "stats: +1 MX" "$(delta 'j["qtype"].get("MX", 0)')" "1"
expect_eq "stats: +1 NXDOMAIN" "$(delta 'j["rcode"].get("NXDOMAIN", 0)')" "1"
expect_eq "stats: +1 REFUSED" "$(delta 'j["rcode"].get("REFUSED", 0)')" "1"
expect_eq "stats: nothing dropped" "$(delta 'j["dropped"]')" "0"
table=$(ctl stats)
expect_match "stats table: udp row" "$table" "queries udp +[0-9]+"
expect_match "stats table: qtype rows" "$table" "MX +1"
expect_match "stats table: rcode rows" "$table" "NXDOMAIN +1"

# The protocol itself, with a raw client.
raw() { printf '%s\n' "$1" | $PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read()); print(s.makefile().readline().strip())' "$SOCK"; }
expect_match "unknown command: error reply" "$(raw '{"v":1,"cmd":"frobnicate"}')" '"ok": ?false.*unknown command'
expect_match "wrong version: error reply" "$(raw '{"v":2,"cmd":"zones"}')" '"ok": ?false.*version'
expect_match "missing cmd: error reply" "$(raw '{"v":1}')" '"ok": ?false'

stop_bg steerdns
"$STEERCTL" -c "$CFG" zones > /dev/null 2>&1; rc=$?
expect_eq "server gone: steerctl exit 3" "$rc" "3"
finish
