# geo.sh -- the geo + ECS mix (sourced by run.sh; uses its start_server,
# run_rounds and note).
#
# Both servers get the same MMDB (geo-mmdb.pl) and the same map:
#   NA -> us-east, EU -> eu-west, AS -> ap-south, anything else -> us-east
# with one address per pool (192.0.2.1, 192.0.2.2, 192.0.2.3). gdnsd serves the
# generated zone with app replaced by a DYNA geoip record; steerdns serves the
# zone unchanged plus a "records" policy for app. Queries: app A, each with an
# ECS option from one of many /24s (gen-queries geo, dnsperf -B).

GEO_MAP_NOTE="NA->us-east EU->eu-west AS->ap-south default->us-east"

steer_geo_json() { # MMDB
	cat <<JSON
"geoip": { "database": "$1" },
  "pools": { "us-east": { "members": ["192.0.2.1"] },
             "eu-west": { "members": ["192.0.2.2"] },
             "ap-south": { "members": ["192.0.2.3"] } },
  "records": { "app.$ORIGIN": { "ttl": 60, "geo": {
      "NA": ["us-east", "eu-west"], "EU": ["eu-west", "us-east"],
      "AS": ["ap-south", "us-east"], "default": ["us-east", "eu-west"] } } }
JSON
}

gdnsd_geo_plugins() { # MMDB
	cat <<CONF
plugins => { geoip => {
  maps => { bench => {
    geoip2_db => "$1"
    datacenters => [ us-east, eu-west, ap-south ]
    map => { default => [ us-east, eu-west ], NA => [ us-east, eu-west ],
             EU => [ eu-west, us-east ], AS => [ ap-south, us-east ] }
  } }
  resources => { app => { map => bench,
    dcmap => { us-east => 192.0.2.1, eu-west => 192.0.2.2, ap-south => 192.0.2.3 } } }
} }
CONF
}

# geo_answer PORT SUBNET: the A records for app with that ECS source.
geo_answer() {
	dig +short +norec +subnet="$2" @127.0.0.1 -p "$1" "app.$ORIGIN" A 2>/dev/null | sort | tr '\n' ' '
}

# geo_correct SERVER: the server steers by ECS as the map says.
geo_correct() {
	local port=${PORTS[$1]} got
	for pair in 3.1.2.0/24=192.0.2.1 80.9.9.0/24=192.0.2.2 27.1.1.0/24=192.0.2.3 240.1.1.0/24=192.0.2.1; do
		got=$(geo_answer "$port" "${pair%%=*}")
		[ "$got" = "${pair#*=} " ] || { echo "ECS ${pair%%=*}: got [$got] want [${pair#*=}]"; return 1; }
	done
}

bench_geo_mix() {
	local servers=() s why
	if ! perl -MMaxMind::DB::Writer::Tree -e 1 2> /dev/null; then
		note "geo mix: perl MaxMind::DB::Writer missing (Debian libmaxmind-db-writer-perl); skipped"
		return 0
	fi
	"$BENCH_DIR/geo-mmdb.pl" "$W/geo.mmdb" || { note "geo mix: could not write the MMDB; skipped"; return 0; }
	[ -s "$W/zone" ] || "$BENCH_DIR/gen-zone" -n "$RECORDS" -g > "$W/zone"
	"$BENCH_DIR/gen-queries" geo -q 50000 > "$W/q-geo"
	for s in $(available_servers); do
		case $s in
		steerdns|steerdns-uring|steerdns-b)
			STEER_EXTRA_JSON=$(steer_geo_json "$W/geo.mmdb") start_server "$s" "$W/geo-$s" "$W/zone" || continue ;;
		gdnsd)
			sed 's/^app 60 IN A .*/app 60 DYNA geoip!app/' "$W/zone" > "$W/zone-gdnsd-geo"
			GDNSD_PLUGINS=$(gdnsd_geo_plugins "$W/geo.mmdb") start_server gdnsd "$W/geo-gdnsd" "$W/zone-gdnsd-geo" || continue ;;
		*) continue ;;
		esac
		if why=$(geo_correct "$s"); then
			servers+=("$s")
		else
			if [ "$s" = steerdns ]; then
				note "geo mix: steerdns does not steer app.$ORIGIN yet ($why): waiting for the records/geo policies (issue 4); skipped"
			else
				note "geo mix: $s answers wrong ($why); skipped"
			fi
			stop_server "$s"
		fi
	done
	log "== [$(elapsed)] mix geo ($GEO_MAP_NOTE): ${servers[*]:-no server} x $ROUNDS round(s) x ${SECONDS_PER_RUN}s"
	run_rounds geo "$W/q-geo" -B "${servers[@]}"
	for s in "${servers[@]}"; do stop_server "$s"; done
}
