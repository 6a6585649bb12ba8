# metrics.sh -- helpers for the Prometheus metrics tests (08x); source after lib.sh.
#
#   scrape PORT                       the /metrics text of the daemon on 127.0.0.1:PORT
#   mval PORT 'name{l="v"}'           the value of that exact series ("absent" when missing)
#   mdelta BEFORE_FILE PORT SERIES    now minus the value in a saved scrape (absent = 0)
#   wait_mval PORT SERIES VALUE [S]   poll every 0.1 s until the series has VALUE (default 5 s)
#   prom_start PORT CONFIG            a real Prometheus on 127.0.0.1:PORT, storage in $T/prom
#   prom_query PORT EXPR              the value of the first sample of an instant query, or "none"
#   prom_wait PORT EXPR WANT S        poll prom_query every 0.2 s for S seconds; prints the last value
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics"; }

# The series is matched as written, labels in the order the daemon prints them.
series_val() { # FILE SERIES
	awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2); found = 1; exit }
		END { if (!found) print "absent" }' "$1"
}

mval() {
	scrape "$1" > "$T/.scrape" || { echo "absent"; return; }
	series_val "$T/.scrape" "$2"
}

mdelta() {
	local a b
	a=$(series_val "$1" "$3"); b=$(mval "$2" "$3")
	[ "$a" = absent ] && a=0
	[ "$b" = absent ] && b=0
	echo $((b - a))
}

wait_mval() {
	local i n=$(( ${4:-5} * 10 ))
	for i in $(seq "$n"); do
		[ "$(mval "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	echo "timeout waiting for $2 = $3 (now: $(mval "$1" "$2"))" >&2
	return 1
}

prom_start() {
	mkdir -p "$T/prom"
	start_bg prometheus prometheus --config.file="$2" --storage.tsdb.path="$T/prom" \
		--web.listen-address="127.0.0.1:$1" --log.level=warn
	local i
	for i in $(seq 200); do
		curl -sf "http://127.0.0.1:$1/-/ready" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "prometheus did not become ready" >&2; return 1
}

prom_query() {
	curl -sf --max-time 5 "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" |
		jq -r 'if (.data.result | length) > 0 then .data.result[0].value[1] else "none" end' 2>/dev/null ||
		echo none
}

prom_wait() {
	local got=none i
	for i in $(seq $(( $4 * 5 ))); do
		got=$(prom_query "$1" "$2")
		[ "$got" = "$3" ] && break
		sleep 0.2
	done
	echo "$got"
}
