# report.awk -- turn runs.tsv (one line per dnsperf run) into the table on
# stdout and the JSON document in `out`.
#
# Input columns: mix server round qps sent completed lost cpu_us_per_query
#                p50_us p99_us avg_latency_us rcodes probe_lost server_cpu_pct
#                machine_us_per_query loader_us_per_query
# mix is "static@20k" (mix at a fixed rate of 20k q/s), "static@sat"
# (saturation) with dnsload, or the bare mix name with dnsperf.
# machine_us_per_query: CPU time of the whole machine per answered query,
# every task's from the scheduler plus the loader's own (machine_task_us and
# timed_run in lib.sh), the loader included: the same loader for every
# server, so the differences are the server's, counted wherever the kernel
# did its work. loader_us_per_query: the loader's own part of it (its
# rusage; on loopback that includes the kernel's delivery of each query
# into the server's socket, which runs in the sender).
# Per (mix, server) the table shows the median over rounds of qps, CPU per
# query, p50 and p99, and the sum of lost queries over all rounds.
# qps_per_core = 1e6 / cpu_us_per_query: what one core of the server would
# answer at 100 % busy (on a 2-core machine the loader saturates first).
BEGIN { FS = "\t"; nmix = 0; nsrv = 0 }

function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }

function median(list,    n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	if (n == 0) return 0
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function commas(s) { s = substr(s, 2); gsub(/ /, ", ", s); return s }

function ratio(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "null" }

{
	k = $1 SUBSEP $2
	if (!($1 in seen_mix)) { seen_mix[$1] = 1; mixes[++nmix] = $1 }
	if (!($2 in seen_srv)) { seen_srv[$2] = 1; srvs[++nsrv] = $2 }
	have[k] = 1
	qps[k] = qps[k] " " $4; cpu[k] = cpu[k] " " $8
	p50[k] = p50[k] " " $9; p99[k] = p99[k] " " $10; util[k] = util[k] " " $14; mach[k] = mach[k] " " $15
	ldr[k] = ldr[k] " " $16
	sent[k] += $5; lost[k] += $7; plost[k] += $13; rc[k] = $12
}

END {
	order = "steerdns nsd knot gdnsd"
	n = split(order, ord, " ")
	ns = 0
	for (i = 1; i <= n; i++) if (ord[i] in seen_srv) s_list[++ns] = ord[i]
	for (i = 1; i <= nsrv; i++) if (index(" " order " ", " " srvs[i] " ") == 0) s_list[++ns] = srvs[i]

	printf "\n%-11s %-9s %9s %6s %8s %5s %9s %9s %7s %7s  %s\n", "mix", "server", "qps", "lost", "cpu_us/q", "cpu%", "mach_us/q", "qps/core", "p50_us", "p99_us", "rcodes (last round)"
	for (m = 1; m <= nmix; m++) for (i = 1; i <= ns; i++) {
		k = mixes[m] SUBSEP s_list[i]
		if (!(k in have)) continue
		mq[k] = median(qps[k]); mc[k] = median(cpu[k]); mm[k] = median(mach[k]); ml[k] = median(ldr[k]); mu[k] = median(util[k]); cap[k] = mc[k] > 0 ? 1000000 / mc[k] : 0; m50[k] = median(p50[k]); m99[k] = median(p99[k])
		printf "%-11s %-9s %9.0f %6d %8.3f %5d %9.3f %9.0f %7d %7d  %s\n", mixes[m], s_list[i], mq[k], lost[k], mc[k], mu[k], mm[k], cap[k], m50[k], m99[k], rc[k]
	}

	nr = 0
	for (m = 1; m <= nmix; m++) {
		st = mixes[m] SUBSEP "steerdns"
		if (!(st in have)) continue
		best = ""; bestcpu = ""; bestmach = ""
		for (i = 1; i <= ns; i++) {
			if (s_list[i] ~ /^steerdns/) continue # steerdns-uring (lib.sh) is not a peer
			k = mixes[m] SUBSEP s_list[i]
			if (!(k in have)) continue
			rows[++nr] = mixes[m] "\t" s_list[i] "\t" ratio(mq[st], mq[k]) "\t" ratio(mc[st], mc[k]) "\t" ratio(m99[st], m99[k]) "\t" ratio(mm[st], mm[k])
			if (best == "" || mq[k] > mq[best]) best = k
			if (bestcpu == "" || mc[k] < mc[bestcpu]) bestcpu = k
			if (bestmach == "" || mm[k] < mm[bestmach]) bestmach = k
		}
		if (best != "") {
			split(best, b, SUBSEP); split(bestcpu, c, SUBSEP); split(bestmach, d, SUBSEP)
			rows[++nr] = mixes[m] "\tbest(" b[2] "/" c[2] "/" d[2] ")\t" ratio(mq[st], mq[best]) "\t" ratio(mc[st], mc[bestcpu]) "\t" ratio(m99[st], m99[best]) "\t" ratio(mm[st], mm[bestmach])
		}
	}
	if (nr) {
		printf "\nsteerdns / peer   (qps: higher is better; cpu/query, p99 and machine cpu/query: lower is better)\n"
		printf "%-11s %-28s %7s %9s %7s %10s\n", "mix", "peer", "qps", "cpu/q", "p99", "mach/q"
		for (i = 1; i <= nr; i++) { split(rows[i], r, "\t"); printf "%-11s %-28s %7s %9s %7s %10s\n", r[1], r[2], r[3], r[4], r[5], r[6] }
	}
	while ((getline line < notes) > 0) { nnotes++; note[nnotes] = line; print "note: " line }

	printf "{\n  \"generated\": %s,\n", jstr(date) > out
	printf "  \"machine\": { \"cpus\": %d, \"cpu_model\": %s, \"kernel\": %s },\n", cpus, jstr(cpu_model), jstr(kernel) > out
	printf "  \"versions\": %s,\n", jstr(versions) > out
	printf "  \"settings\": { \"rounds\": %d, \"seconds\": %d, \"clients\": %d, \"outstanding\": %d, \"zone_records\": %d, \"steerdns_workers\": %d, \"probe_rate\": %d, \"server_cpu\": %d, \"loader_cpu\": %d },\n", rounds, seconds, clients, outstanding, records, workers, probe_rate, server_cpu, loader_cpu > out
	printf "  \"results\": [" > out
	sep = ""
	for (m = 1; m <= nmix; m++) for (i = 1; i <= ns; i++) {
		k = mixes[m] SUBSEP s_list[i]
		if (!(k in have)) continue
		printf "%s\n    { \"mix\": %s, \"server\": %s, \"qps\": %.0f, \"lost\": %d, \"sent\": %d, \"cpu_us_per_query\": %.3f, \"machine_us_per_query\": %.3f, \"loader_us_per_query\": %.3f, \"server_cpu_pct\": %d, \"qps_per_core\": %.0f, \"p50_us\": %d, \"p99_us\": %d, \"probe_lost\": %d, \"rcodes\": %s, \"qps_rounds\": [%s] }", sep, jstr(mixes[m]), jstr(s_list[i]), mq[k], lost[k], sent[k], mc[k], mm[k], ml[k], mu[k], cap[k], m50[k], m99[k], plost[k], jstr(rc[k]), commas(qps[k]) > out
		sep = ","
	}
	printf "\n  ],\n  \"ratios\": [" > out
	for (i = 1; i <= nr; i++) {
		split(rows[i], r, "\t")
		printf "%s\n    { \"mix\": %s, \"peer\": %s, \"qps\": %s, \"cpu_per_query\": %s, \"p99\": %s, \"machine_cpu_per_query\": %s }", (i > 1 ? "," : ""), jstr(r[1]), jstr(r[2]), r[3], r[4], r[5], r[6] > out
	}
	printf "\n  ],\n" > out
	while ((getline line < extra) > 0) print "  " line > out
	printf "  \"notes\": [" > out
	for (i = 1; i <= nnotes; i++) printf "%s\n    %s", (i > 1 ? "," : ""), jstr(note[i]) > out
	printf "\n  ],\n  \"elapsed_s\": %d\n}\n", elapsed > out

}
