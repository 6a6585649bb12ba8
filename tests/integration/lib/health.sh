# health.sh -- shell helpers shared by the steer-healthd integration tests
# (3NN_*); source after lib.sh. Every wait is bounded.
HDTOOL="/usr/bin/python3 $STEER_SRC/tests/integration/lib/hdtool.py"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is needed for the health test servers"

# hd_start NAME CONFIG: start steer-healthd and wait for its socket ($T/hd.sock).
hd_start() {
	rm -f "$T/hd.sock"
	start_bg "$1" "$HEALTHD" -c "$2"
	wait_file "$T/hd.sock"
}

# hd_json: steerctl --json status on $CONF.
hd_json() { "$STEERCTL" -c "$CONF" --json status; }

# hd_field TARGET FIELD
hd_field() { hd_json 2>/dev/null | $HDTOOL field "$1" "$2"; }

# hd_wait TARGET FIELD VALUE [SECONDS]: poll status every 0.1 s; 0 when seen.
hd_wait() {
	local i n=$(( ${4:-5} * 10 ))
	for i in $(seq "$n"); do
		[ "$(hd_field "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	echo "timeout waiting for $1 $2=$3 (now: $(hd_field "$1" "$2"))" >&2
	return 1
}

# hd_subscribe: log every event to $T/events.log (background).
hd_subscribe() {
	start_bg "events${1:-}" $HDTOOL subscribe "$T/hd.sock" "$T/events.log"
	local i
	for i in $(seq 50); do [ -s "$T/events.log" ] && return 0; sleep 0.05; done
	echo "subscriber got no snapshot" >&2; return 1
}

# hd_transition TARGET STATE AFTER: "ok fail time last" of the change event.
hd_transition() { $HDTOOL transition "$T/events.log" "$1" "$2" "$3"; }

now() { date +%s.%N | cut -c1-14; }

# expect_flip WHAT TARGET STATE AFTER COUNTFIELD WANT: the change to STATE
# must have happened after exactly WANT consecutive results (ok or fail).
# Prints the detection delay in seconds to $T/timings.
expect_flip() {
	local what=$1 target=$2 state=$3 after=$4 which=$5 want=$6 tr ok fail ts
	tr=$(hd_transition "$target" "$state" "$after")
	read -r ok fail ts _ <<< "$tr"
	if [ "$tr" = none ]; then fail "$what: no change event to $state"; return; fi
	if [ "$which" = fail ]; then expect_eq "$what: consecutive failures at the flip" "$fail" "$want"
	else expect_eq "$what: consecutive successes at the flip" "$ok" "$want"; fi
	echo "$what: $(awk "BEGIN{printf \"%.2f\", $ts - $after}") s" | tee -a "$T/timings"
}

# steer_zone ADDRESS: $T/example.test.zone with app.example.test (TTL 60) at
# ADDRESS, the zone-file fallback of a steered name.
steer_zone() {
	printf '%s\n' '$ORIGIN example.test.' '$TTL 300' '@ IN SOA ns1 hostmaster 1 3600 600 86400 300' \
		'  IN NS ns1' 'ns1 IN A 192.0.2.53' "app 60 IN A $1" > "$T/example.test.zone"
}
