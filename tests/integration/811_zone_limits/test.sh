#!/bin/bash
# 811_zone_limits -- bounded input from zone files: $INCLUDE of a device
# (/dev/zero) or a FIFO is refused at once with file:line naming the target,
# in --check, steerctl check-zone and on reload (the old zone keeps
# serving); an entry without end, an RRset over 10,000 records: errors that
# name the limit.
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTDIR/../lib/common.sh"
[ -x "$STEERDNS" ] || skip "no steerdns binary at $STEERDNS"

wait_log() {
	for _ in $(seq 100); do grep -Eq -- "$1" "$T/steerdns.log" && return 0; sleep 0.05; done
	return 1
}
# check_in SECONDS CMD...: run it bounded; print its exit code, elapsed ms and output.
check_in() {
	local t0 t1 out rc
	t0=$(date +%s%N)
	out=$(timeout "$1" "${@:2}" 2>&1); rc=$?
	t1=$(date +%s%N)
	echo "rc=$rc ms=$(( (t1 - t0) / 1000000 ))"
	printf '%s\n' "$out"
}

make_zone 1 192.0.2.10
cp "$T/t.test.zone" "$T/good.zone"
write_config
start_steerdns
pid=$(cat "$T/steerdns.pid")
expect_eq "before: www" "$(q www.t.test A)" "192.0.2.10"

# 1. $INCLUDE /dev/zero: refused at once (not read until memory runs out).
{ cat "$T/good.zone"; echo '$INCLUDE /dev/zero'; } > "$T/t.test.zone"
line=$(grep -n 'INCLUDE' "$T/t.test.zone" | cut -d: -f1)
out=$(check_in 10 "$STEERDNS" --check -c "$CFG")
expect_match "--check: /dev/zero refused at once (exit 1, under 2 s)" "$(echo "$out" | head -1)" "^rc=1 ms=(1?[0-9]{1,3})$"
expect_match "--check: file:line names /dev/zero" "$out" \
	"t\.test\.zone:$line: \\\$INCLUDE /dev/zero: a character device: only regular files are read"
out=$(check_in 10 "$STEERCTL" check-zone t.test "$T/t.test.zone")
expect_match "check-zone: /dev/zero refused" "$out" "t\.test\.zone:$line: \\\$INCLUDE /dev/zero: a character device"
expect_match "check-zone: exit 1" "$(echo "$out" | head -1)" "^rc=1 "
kill -HUP "$pid"
wait_log "INCLUDE /dev/zero: a character device" || fail "reload: no /dev/zero error in the log"
expect_eq "reload: old zone still served" "$(q www.t.test A)" "192.0.2.10"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
expect_eq "reload: no memory growth (RSS $rss KiB under 100 MiB)" "$([ "$rss" -lt 102400 ] && echo yes)" yes

# 2. A FIFO (no writer: opening it must not wait) and a directory.
mkfifo "$T/fifo"
mkdir "$T/dir"
{ cat "$T/good.zone"; echo "\$INCLUDE $T/fifo"; echo '$INCLUDE dir'; } > "$T/t.test.zone"
out=$(check_in 10 "$STEERDNS" --check -c "$CFG")
expect_match "--check: FIFO refused at once" "$(echo "$out" | head -1)" "^rc=1 ms=(1?[0-9]{1,3})$"
expect_match "--check: FIFO named" "$out" "t\.test\.zone:[0-9]+: \\\$INCLUDE $T/fifo: a FIFO: only regular files are read"
expect_match "--check: directory named" "$out" "t\.test\.zone:[0-9]+: \\\$INCLUDE $T/dir: a directory: only regular files are read"

# 3. The zone file itself a device.
out=$(check_in 10 "$STEERCTL" check-zone t.test /dev/zero)
expect_match "check-zone /dev/zero itself" "$out" "/dev/zero: /dev/zero: a character device: only regular files are read"

# 4. An entry without end: 2 MiB without a newline.
{ cat "$T/good.zone"; printf 'long TXT "'; head -c 2097152 /dev/zero | tr '\0' 'x'; } > "$T/t.test.zone"
line=$(( $(wc -l < "$T/good.zone") + 1 ))
out=$(check_in 20 "$STEERDNS" --check -c "$CFG")
expect_match "entry over 1 MiB: the limit named at its line" "$out" \
	"t\.test\.zone:$line: entry longer than 1048576 bytes \(the limit for one record\)"

# 5. 10,001 A records in one RRset.
{ cat "$T/good.zone"; for i in $(seq 0 10000); do echo "many A 10.$((i / 256 / 256)).$((i / 256 % 256)).$((i % 256))"; done; } > "$T/t.test.zone"
out=$(check_in 30 "$STEERCTL" check-zone t.test "$T/t.test.zone")
expect_match "RRset over 10,000 records: the limit named" "$out" \
	"t\.test\.zone:[0-9]+: A RRset of 10001 records: more than 10000 in one RRset \(the limit\)"
# 10,000 exactly is fine.
{ cat "$T/good.zone"; for i in $(seq 1 10000); do echo "many A 10.$((i / 256 / 256)).$((i / 256 % 256)).$((i % 256))"; done; } > "$T/t.test.zone"
expect_match "10,000 records in one RRset load" "$(check_in 30 "$STEERCTL" check-zone t.test "$T/t.test.zone" | head -1)" "^rc=0 "

# 6. A failover list over 1,000 pools: refused with the limit named.
cp "$T/good.zone" "$T/t.test.zone"
echo 'app A 192.0.2.80' >> "$T/t.test.zone"
/usr/bin/python3 - "$T" "$PORT" <<'PY'
import json, sys
t, port = sys.argv[1], int(sys.argv[2])
pools = {"p%d" % i: {"check": "c", "members": ["198.18.%d.%d" % (i // 256, i % 256)]} for i in range(1001)}
conf = {"server": {"listen": ["127.0.0.1:%d" % port]}, "zones": [{"name": "t.test", "file": "t.test.zone"}],
        "healthd": {"socket": "hd.sock", "state_file": "hd.state"},
        "checks": {"c": {"type": "exec", "command": "/bin/true"}}, "pools": pools,
        "records": {"app.t.test": {"failover": sorted(pools)}}}
json.dump(conf, open(t + "/big.json", "w"), indent=1)
PY
expect_match "failover over 1,000 pools: the limit named" "$("$STEERDNS" --check -c "$T/big.json" 2>&1)" \
	"big\.json:[0-9]+: records/app\.t\.test/failover: a list of 1001 pools: at most 1000 pools in one list \(the limit\)"

# The server is still serving the first zone through all of it.
expect_eq "after: www" "$(q www.t.test A)" "192.0.2.10"
finish
