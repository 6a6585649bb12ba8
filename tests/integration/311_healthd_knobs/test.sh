#!/bin/bash
# 311_healthd_knobs -- HAProxy-style check knobs against a real HTTP server:
#   fastinter: once a probe fails, the next ones come every fastinter, so a
#     check with interval 3 s and fall 3 is down within interval +
#     2 x fastinter (+ slack), where plain intervals need >= 6 s;
#   downinter: a down target is probed every downinter, not every interval
#     (probes counted in the server's log);
#   rise after downinter + fastinter.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/health.sh"

port=$(free_port)
CONF=$T/steerdns.json
mkdir -p "$T/state" "$T/www"
cat > "$CONF" <<JSON
{
  "healthd": { "socket": "hd.sock", "state_file": "state/hd.state", "log_level": "debug" },
  "checks": {
    "fast": { "type": "http", "port": $port, "path": "/fast", "interval": 3, "fastinter": 0.2, "timeout": 0.5,
              "fall": 3, "rise": 2 },
    "slow": { "type": "http", "port": $port, "path": "/slow", "interval": 0.3, "downinter": 2, "timeout": 0.5,
              "fall": 1, "rise": 1 }
  },
  "pools": { "pf": { "check": "fast", "members": ["127.0.0.1"] },
             "ps": { "check": "slow", "members": ["127.0.0.1"] } }
}
JSON
start_bg http /usr/bin/python3 "$TESTDIR/../lib/knobs_http.py" 127.0.0.1 "$port" "$T/www"
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/x" && break; sleep 0.05; done
hd_start hd "$CONF" || { fail "healthd did not start"; finish; }
hd_subscribe
hd_wait fast@127.0.0.1 state up 8 || fail "fast never up"
hd_wait slow@127.0.0.1 state up 5 || fail "slow never up"

# fastinter: down within interval (3 s, the first failing probe's phase) +
# 2 x fastinter (0.4 s) + 1 s slack; with the interval alone it takes >= 6 s.
t0=$(now); echo 503 > "$T/www/fast.code"
hd_wait fast@127.0.0.1 state down 10 || fail "fast never down"
tr=$(hd_transition fast@127.0.0.1 down "$t0")
read -r _ fails ts _ <<< "$tr"
secs=$(awk "BEGIN{printf \"%.2f\", $ts - $t0}")
echo "fastinter: down $secs s after the backend failed (interval 3 s, fastinter 0.2 s, fall 3)" | tee -a "$T/timings"
expect_eq "fastinter: down after fall=3 failures" "$fails" 3
awk "BEGIN{exit !($secs <= 4.4)}" || fail "fastinter: down after $secs s, over 3 + 0.4 + 1 s"
# The three failing probes: the last two fastinter apart, not interval apart.
gaps=$(grep ' 503 /fast' "$T/http.log" | head -3 | awk 'NR>1{printf "%.2f ", $1-p} {p=$1}')
echo "fastinter: gaps between the failing probes: $gaps"
for g in $gaps; do awk "BEGIN{exit !($g < 1.0)}" || fail "fastinter: a gap of $g s between failing probes"; done

# downinter: down, probed every 2 s, not every 0.3 s.
echo 503 > "$T/www/slow.code"
hd_wait slow@127.0.0.1 state down 5 || fail "slow never down"
n0=$(grep -c ' 503 /slow' "$T/http.log")
sleep 6
n1=$(grep -c ' 503 /slow' "$T/http.log")
echo "downinter: $((n1 - n0)) probes in 6 s while down (downinter 2 s; the interval, 0.3 s, would make ~20)" | tee -a "$T/timings"
[ $((n1 - n0)) -ge 2 ] && [ $((n1 - n0)) -le 4 ] || fail "downinter: $((n1 - n0)) probes in 6 s"
# Recovery is noticed within one downinter (+ slack).
t0=$(now); rm -f "$T/www/slow.code"
hd_wait slow@127.0.0.1 state up 5 || fail "slow never back up"
tr=$(hd_transition slow@127.0.0.1 up "$t0")
read -r _ _ ts _ <<< "$tr"
secs=$(awk "BEGIN{printf \"%.2f\", $ts - $t0}")
echo "downinter: up $secs s after the backend recovered" | tee -a "$T/timings"
awk "BEGIN{exit !($secs <= 3.0)}" || fail "downinter: up after $secs s, over 2 + 1 s"
finish
