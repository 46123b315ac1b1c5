#!/usr/bin/env bash
# Measures the bare-melody baseline with the relay and the clients in separate
# processes (a fresh relay per run), writing one JSON report per run.
#
#   bench/baseline.sh [runs] [outdir]        default: 3 runs into /tmp/danmaku-baseline
#
# Scenarios: hot (1 room × 5,000 viewers + 1 sender, 200 comments/s, 20 s),
# many (100 rooms × 50 viewers + 1 sender each, 5 comments/s per room, 20 s),
# idle (5,000 sockets in 1 room, nothing sent, 10 s: memory per connection).
set -euo pipefail
runs=${1:-3}
out=${2:-/tmp/danmaku-baseline}
addr=127.0.0.1:9090
mkdir -p "$out"
go build -o "$out/melodyrelay" ./bench/melodyrelay
go build -o "$out/danmaku" . # the load tool is `danmaku loadtest`

{
	echo "nproc: $(nproc)"
	grep -m1 'model name' /proc/cpuinfo
	grep MemTotal /proc/meminfo
	go version
	echo "open files: $(ulimit -n)"
} >"$out/machine.txt"

scenario() {
	local name=$1
	shift
	for i in $(seq "$runs"); do
		"$out/melodyrelay" -addr "$addr" >"$out/relay-$name-$i.log" 2>&1 &
		local relay=$!
		until grep -qs 'addr=' "$out/relay-$name-$i.log"; do
			kill -0 "$relay" # stop if the relay died
			sleep 0.1
		done
		# The clients' exit status is in the report; keep going to the next run.
		"$out/danmaku" loadtest -mode raw -addr "$addr" -pid "$relay" -sources 4 -json "$@" \
			>"$out/$name-$i.json" 2>"$out/$name-$i.progress" || true
		kill -INT "$relay"
		wait "$relay" || true
	done
}

# summary prints each scenario's medians over its runs (jq).
summary() {
	local name=$1
	jq -s --arg name "$name" '
		def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def m(f): [.[] | f] | median;
		{scenario: $name, runs: length,
		 sent: m(.sent), expected: m(.expected), delivered: m(.delivered), loss_ratio: m(.loss_ratio),
		 duplicates: m(.duplicates), deliveries_per_sec: m(.deliveries_per_sec),
		 latency_ms: {p50: m(.latency_ms.p50), p99: m(.latency_ms.p99), max: m(.latency_ms.max)},
		 server_cpu_us_per_delivery: m(.server.cpu_us_per_delivery),
		 server_rss_per_conn_bytes: m(.server.rss_per_conn_bytes),
		 server_rss_connected_bytes: m(.server.rss_connected_bytes), server_rss_end_bytes: m(.server.rss_end_bytes),
		 client_cpu_us_per_delivery: m(.client.cpu_us_per_delivery),
		 other_cpu_sec: m(.host.other_cpu_sec), window_sec: m(.window_sec)}' "$out/$name"-*.json
}

scenario hot -rooms 1 -viewers 5000 -senders 1 -rate 200 -duration 20s -drain 5s
scenario many -rooms 100 -viewers 5000 -senders 100 -room-rate 5 -duration 20s -drain 5s
scenario idle -rooms 1 -viewers 5000 -senders 0 -rate 0 -duration 10s
for name in hot many idle; do summary "$name"; done | tee "$out/summary.json"
echo "reports in $out"
