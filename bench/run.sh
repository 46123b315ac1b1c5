#!/usr/bin/env bash
# Reproduces every number in docs/BENCHMARKS.md: the load scenarios against
# Danmaku and the bare-melody baseline in the same run (each run starts a
# fresh server in its own process, the load tool in another), then ingest,
# replay, fan-out/encoding and plugin-chain benchmarks. Medians over RUNS.
#
#   bench/run.sh                      everything, 3 runs, into /tmp/danmaku-bench
#   RUNS=5 OUT=/tmp/b bench/run.sh
#   SERVERS=relay PARTS=load bench/run.sh     the baseline only
#
# Knobs (environment): RUNS, OUT, SERVERS ("relay danmaku"), SCENARIOS
# ("hot many idle"), PARTS ("load ingest replay gobench"), SOURCES (loopback
# source addresses for the clients, default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
out=${OUT:-/tmp/danmaku-bench}
servers=${SERVERS:-relay danmaku}
scenarios=${SCENARIOS:-hot many idle}
parts=${PARTS:-load ingest replay gobench}
sources=${SOURCES:-4}
relay_addr=127.0.0.1:9090
danmaku_addr=127.0.0.1:9191

# How the Danmaku server is set up for load, in one place: an explicit
# empty moderation chain (the default one's per-user rate limit would reject
# the load tool's senders) and no per-socket, per-address or REST-write
# limits (the tool sends from 4 loopback addresses, faster than people type).
mkdir -p "$out"
echo 'plugins: []' >"$out/no-plugins.yaml"
server_flags=(-seed-demo=false -log-level warn -plugins "$out/no-plugins.yaml"
	-max-conns-per-ip -1 -max-tcp-per-ip -1 -frame-rate -1 -rest-writes -1)

go build -o "$out/melodyrelay" ./bench/melodyrelay
go build -o "$out/danmaku" . # the load tool is `danmaku loadtest`
go build -o "$out/replay" ./bench/replay

{
	echo "date: $(date -u +%FT%TZ)"
	echo "nproc: $(nproc)"
	grep -m1 'model name' /proc/cpuinfo
	grep MemTotal /proc/meminfo
	go version
	echo "open files: $(ulimit -n)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "busiest other processes at start:"
	ps -eo pcpu,comm --sort=-pcpu | head -6
} >"$out/machine.txt"

# start_server NAME LOG: starts the server in the background, sets $server_pid.
start_server() {
	local name=$1 log=$2
	case $name in
	relay)
		"$out/melodyrelay" -addr "$relay_addr" >"$log" 2>&1 &
		server_pid=$!
		until grep -qs 'addr=' "$log"; do kill -0 "$server_pid"; sleep 0.1; done
		;;
	danmaku)
		rm -rf "$out/db"
		"$out/danmaku" -addr "$danmaku_addr" -db "$out/db/danmaku.db" "${server_flags[@]}" >"$log" 2>&1 &
		server_pid=$!
		until grep -qs 'listening on' "$log"; do kill -0 "$server_pid"; sleep 0.1; done
		;;
	esac
}

stop_server() {
	kill -INT "$server_pid"
	wait "$server_pid" || true
}

# create_rooms N: rooms lt0…lt(N-1), which a json-mode run needs. Making
# rooms takes a moderator: the token is signed with the server's secret.key.
create_rooms() {
	local tok
	tok=$("$out/danmaku" token -db "$out/db/danmaku.db" -user bench -name bench -role moderator -ttl 1h)
	for ((r = 0; r < $1; r++)); do
		curl -sf -o /dev/null -X POST "http://$danmaku_addr/api/rooms" -H 'Content-Type: application/json' \
			-H "Authorization: Bearer $tok" -d "{\"id\":\"lt$r\",\"title\":\"load $r\",\"kind\":\"live\"}"
	done
}

# scenario_args NAME: the load tool's flags for a scenario.
scenario_args() {
	case $1 in
	hot) echo "-rooms 1 -viewers 5000 -senders 20 -rate 200 -duration 20s -drain 10s" ;;
	many) echo "-rooms 100 -viewers 5000 -senders 100 -room-rate 5 -duration 20s -drain 10s" ;;
	idle) echo "-rooms 1 -viewers 5000 -senders 0 -rate 0 -duration 10s" ;;
	esac
}

load() {
	# Runs alternate between the servers so both see the same machine.
	for i in $(seq "$runs"); do
		for name in $scenarios; do
			for server in $servers; do
				local tag="$server-$name-$i" mode=json addr=$danmaku_addr rooms
				start_server "$server" "$out/$tag.server.log"
				if [ "$server" = relay ]; then
					mode=raw addr=$relay_addr
				else
					rooms=$(scenario_args "$name" | awk '{print $2}')
					create_rooms "$rooms"
				fi
				# The run's own status is in its report; go on to the next run.
				# shellcheck disable=SC2046
				"$out/danmaku" loadtest -mode "$mode" -addr "$addr" -pid "$server_pid" -sources "$sources" -json \
					$(scenario_args "$name") >"$out/$tag.json" 2>"$out/$tag.progress" || true
				stop_server
			done
		done
	done
	for server in $servers; do
		for name in $scenarios; do summary "$server" "$name"; done
	done | tee "$out/load-summary.json"
}

# summary SERVER SCENARIO prints the medians over the scenario's runs.
summary() {
	jq -s --arg server "$1" --arg scenario "$2" '
		def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def m(f): [.[] | f] | median;
		{server: $server, scenario: $scenario, runs: length,
		 sent: m(.sent), acked: m(.acked), expected: m(.expected), delivered: m(.delivered),
		 lost: m(.lost), loss_ratio: m(.loss_ratio), duplicates: m(.duplicates), dropped: m(.dropped),
		 deliveries_per_sec: m(.deliveries_per_sec),
		 latency_ms: {p50: m(.latency_ms.p50), p99: m(.latency_ms.p99), max: m(.latency_ms.max)},
		 server_cpu_us_per_delivery: m(.server.cpu_us_per_delivery),
		 server_rss_per_conn_kib: m(.server.rss_per_conn_bytes / 1024),
		 client_cpu_us_per_delivery: m(.client.cpu_us_per_delivery),
		 other_cpu_sec: m(.host.other_cpu_sec), window_sec: m(.window_sec),
		 each_run: [.[] | {lost, p99: .latency_ms.p99, cpu_us: .server.cpu_us_per_delivery,
		   rss_kib: (.server.rss_per_conn_bytes / 1024), other_cpu_sec: .host.other_cpu_sec}]}' \
		"$out/$1-$2"-*.json
}

# ingest: acked comments/s into a database file with group commit, through
# the writer (a Go benchmark: the path every comment takes after decoding),
# then end to end over sockets (each sender alone in its room, no viewers).
ingest() {
	# The sweep that sized -writer-batch and -writer-linger, then sync=full at the chosen size.
	go test -run XXX -bench 'BenchmarkWriter/sync=normal' -benchtime 100000x -count "$runs" \
		./app/store/sqlite/ | tee "$out/writer-sweep.txt"
	go test -run XXX -bench 'BenchmarkWriter/sync=full/batch=512/linger=0s' -benchtime 100000x -count "$runs" \
		./app/store/sqlite/ | tee "$out/ingest-writer-full.txt"
	for i in $(seq "$runs"); do
		start_server danmaku "$out/ingest-$i.server.log"
		create_rooms 400
		"$out/danmaku" loadtest -addr "$danmaku_addr" -pid "$server_pid" -sources "$sources" -json \
			-rooms 400 -viewers 0 -senders 400 -room-rate 50 -duration 15s -drain 10s \
			>"$out/ingest-$i.json" 2>"$out/ingest-$i.progress" || true
		stop_server
	done
	jq -s '{offered_per_sec: (.[0].offered_rate), acked_per_sec: [.[] | .acked / .window_sec] | sort,
		lost: [.[] | .lost], server_cpu_us_per_comment: [.[] | .server.cpu_sec * 1e6 / .acked] | sort}' \
		"$out"/ingest-[0-9]*.json | tee "$out/ingest-sockets.json"
}

# replay: 60-s windows on a room of 1,000,000 comments (built once).
replay() {
	for limit in 1000 2000; do
		for i in $(seq "$runs"); do
			"$out/replay" -db "$out/replay.db" -comments 1000000 -window 60s -limit "$limit" -queries 2000 \
				>"$out/replay-$limit-$i.json"
		done
	done
	for limit in 1000 2000; do
		jq -s '{limit: .[0].limit, rows_avg: .[0].rows_avg, p50_ms: [.[].p50_ms] | sort, p99_ms: [.[].p99_ms] | sort,
			db_bytes: .[0].db_bytes}' "$out"/replay-"$limit"-*.json
	done | tee "$out/replay-summary.json"
}

gobench() {
	go test -run XXX -bench . -benchmem ./app/protocol/ ./app/hub/ | tee "$out/gobench.txt"
	go test -run XXX -bench BenchmarkDefaultChain -benchmem -count=5 ./plugins/all/ | tee "$out/chain.txt"
}

# wire: the hot room in wire v1 and v2, alternately, on the same build
# (issue 17): server CPU per delivery, bytes, loss, latency. Not in the
# default parts; PARTS=wire bench/run.sh (WIRE_LOAD: the load tool's flags).
wire() {
	local args=${WIRE_LOAD:-"-rooms 1 -viewers 2000 -senders 20 -rate 200 -duration 15s -drain 10s"}
	for i in $(seq "$runs"); do
		for v in 1 2; do
			start_server danmaku "$out/wire-v$v-$i.server.log"
			create_rooms 1
			# shellcheck disable=SC2086
			"$out/danmaku" loadtest -wire "$v" -addr "$danmaku_addr" -pid "$server_pid" -sources "$sources" -json \
				$args >"$out/wire-v$v-$i.json" 2>"$out/wire-v$v-$i.progress" || true
			stop_server
		done
	done
	for v in 1 2; do
		jq -s --arg v "$v" '{wire: $v, runs: length, lost: [.[].lost], p50_ms: [.[].latency_ms.p50] | sort,
			p99_ms: [.[].latency_ms.p99] | sort, server_cpu_us_per_delivery: [.[].server.cpu_us_per_delivery] | sort,
			client_cpu_us_per_delivery: [.[].client.cpu_us_per_delivery] | sort}' "$out"/wire-v"$v"-*.json
	done | tee "$out/wire-summary.json"
}

for part in $parts; do "$part"; done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
echo "reports in $out"
