#!/usr/bin/env bash
# Same-run comparison of two Danmaku server binaries under the load
# scenarios of bench/run.sh: runs alternate between the baseline and the
# candidate, each with a fresh server and database, so both see the same
# machine. The load tool is the candidate's `danmaku loadtest`.
#
#   bench/ab.sh /tmp/danmaku-main /tmp/danmaku-new
#   RUNS=5 SCENARIOS="hot idle" PIN=1 bench/ab.sh BASE NEW
#
# Knobs: RUNS (3), OUT (/tmp/danmaku-ab), SCENARIOS ("hot idle"), PIN (1:
# the server on CPU 0 and the load tool on CPU 1, with taskset), VIEWERS
# (5000: the hot room's and the idle scenario's viewers), RATE (200),
# CAND_FLAGS (extra server flags for the candidate, e.g. "-batch-max 100ms"),
# BASE_LOAD / CAND_LOAD (extra load-tool flags against each, e.g. BASE_LOAD="-wire 1"
# for a baseline that predates wire v2: the tool asks for v2 by default).
# The idle scenario's line also has the server's goroutines (go_goroutines on
# /metrics) before the sockets and at their peak.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1 cand=$2
runs=${RUNS:-3}
out=${OUT:-/tmp/danmaku-ab}
scenarios=${SCENARIOS:-hot idle}
viewers=${VIEWERS:-5000}
rate=${RATE:-200}
addr=127.0.0.1:9191
mkdir -p "$out"
echo 'plugins: []' >"$out/no-plugins.yaml"
# As bench/run.sh's server_flags.
server_flags=(-seed-demo=false -log-level warn -plugins "$out/no-plugins.yaml"
	-max-conns-per-ip -1 -max-tcp-per-ip -1 -frame-rate -1 -rest-writes -1)
server_pin=() tool_pin=()
if [ "${PIN:-0}" = 1 ]; then
	server_pin=(taskset -c 0) tool_pin=(taskset -c 1)
fi

scenario_args() {
	case $1 in
	hot) echo "-rooms 1 -viewers $viewers -senders 20 -rate $rate -duration 20s -drain 10s" ;;
	idle) echo "-rooms 1 -viewers $viewers -senders 0 -rate 0 -duration 10s" ;;
	esac
}

for i in $(seq "$runs"); do
	for name in $scenarios; do
		for which in base cand; do
			bin=$base extra=() load=()
			read -ra load <<<"${BASE_LOAD:-}"
			if [ "$which" = cand ]; then
				bin=$cand
				read -ra extra <<<"${CAND_FLAGS:-}"
				read -ra load <<<"${CAND_LOAD:-}"
			fi
			tag="$which-$name-$i"
			rm -rf "$out/db"
			"${server_pin[@]}" "$bin" -addr "$addr" -db "$out/db/danmaku.db" "${server_flags[@]}" "${extra[@]}" >"$out/$tag.server.log" 2>&1 &
			pid=$!
			until grep -qs 'listening on' "$out/$tag.server.log"; do kill -0 "$pid"; sleep 0.1; done
			tok=$("$bin" token -db "$out/db/danmaku.db" -user bench -name bench -role moderator -ttl 1h 2>/dev/null)
			curl -sf -o /dev/null -X POST "http://$addr/api/rooms" -H 'Content-Type: application/json' \
				-H "Authorization: Bearer $tok" -d '{"id":"lt0","title":"load","kind":"live"}'
			# The idle scenario also samples the server's goroutines (go_goroutines
			# on /metrics) before the sockets and, once a second, their peak.
			sampler=
			if [ "$name" = idle ]; then
				metric() { curl -sf "http://$addr/metrics" | awk '/^go_goroutines /{print $2}'; }
				metric >"$out/$tag.goroutines"
				(while sleep 1; do metric; done >>"$out/$tag.goroutines") &
				sampler=$!
			fi
			# shellcheck disable=SC2046
			"${tool_pin[@]}" "$cand" loadtest -mode json -addr "$addr" -pid "$pid" -sources 4 -json "${load[@]}" \
				$(scenario_args "$name") >"$out/$tag.json" 2>"$out/$tag.progress" || true
			if [ -n "$sampler" ]; then kill "$sampler"; wait "$sampler" || true; fi
			kill -INT "$pid"
			wait "$pid" || true
			g0=null gmax=null
			if [ -s "$out/$tag.goroutines" ]; then
				g0=$(head -1 "$out/$tag.goroutines") gmax=$(sort -g "$out/$tag.goroutines" | tail -1)
			fi
			jq -c --arg tag "$tag" '{tag: $tag, lost, sent, p50: .latency_ms.p50, p99: .latency_ms.p99,
				cpu_us: .server.cpu_us_per_delivery, rss_kib: (.server.rss_per_conn_bytes / 1024),
				other_cpu_sec: .host.other_cpu_sec, goroutines_before: '"$g0"', goroutines_peak: '"$gmax"', load: "'"$(cut -d' ' -f1-3 /proc/loadavg)"'"}' "$out/$tag.json" | tee -a "$out/summary.jsonl"
		done
	done
done
