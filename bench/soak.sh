#!/usr/bin/env bash
# A soak run: a steady, modest load for a long time, with reconnect churn
# and a plugin reload (SIGHUP) every few minutes, sampling the server's
# /metrics and /proc into a CSV so that a leak (memory, goroutines,
# descriptors, heap) shows as a slope. Not a CI test: docs/BENCHMARKS.md
# ("Soak") records a real run.
#
#   bench/soak.sh                                 30 minutes into /tmp/danmaku-soak
#   DURATION=2m EVERY=5 OUT=/tmp/s bench/soak.sh  a short try
#
# Knobs (environment): DURATION (30m), EVERY (sample interval, s; 10),
# RELOAD_EVERY (s; 300), VIEWERS (1000), SENDERS (10), RATE (comments/s over
# all rooms; 50), ROOMS (1), CHURN (sockets/s joining and leaving; 5),
# CHURN_HOLD (how long each stays; 5s), SOURCES (loopback source addresses;
# 4), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-30m}
every=${EVERY:-10}
reload_every=${RELOAD_EVERY:-300}
viewers=${VIEWERS:-1000}
senders=${SENDERS:-10}
rate=${RATE:-50}
rooms=${ROOMS:-1}
churn=${CHURN:-5}
churn_hold=${CHURN_HOLD:-5s}
sources=${SOURCES:-4}
out=${OUT:-/tmp/danmaku-soak}
addr=127.0.0.1:9292

mkdir -p "$out"
rm -rf "$out/db"
# The load setup of bench/run.sh: an explicit empty chain, no per-address
# limits. A short -ip-retention makes the privacy job erase addresses
# during the run too (it sweeps every tenth of the retention).
echo 'plugins: []' >"$out/no-plugins.yaml"
go build -o "$out/danmaku" .

{
	echo "date: $(date -u +%FT%TZ)"
	echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)')"
	echo "nproc: $(nproc)"
	grep -m1 'model name' /proc/cpuinfo
	grep MemTotal /proc/meminfo
	go version
	echo "load: -viewers $viewers -senders $senders -rate $rate -rooms $rooms -churn $churn -churn-hold $churn_hold -duration $duration; SIGHUP every ${reload_every}s; samples every ${every}s"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"

"$out/danmaku" -addr "$addr" -db "$out/db/danmaku.db" -seed-demo=false -log-level info \
	-plugins "$out/no-plugins.yaml" -max-conns-per-ip -1 -max-tcp-per-ip -1 -frame-rate -1 -rest-writes -1 \
	-ip-retention 10m >"$out/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
until grep -qs 'listening on' "$out/server.log"; do kill -0 "$server_pid"; sleep 0.1; done

tok=$("$out/danmaku" token -db "$out/db/danmaku.db" -user soak -name soak -role moderator -ttl 2h)
for ((r = 0; r < rooms; r++)); do
	curl -sf -o /dev/null -X POST "http://$addr/api/rooms" -H 'Content-Type: application/json' \
		-H "Authorization: Bearer $tok" -d "{\"id\":\"lt$r\",\"title\":\"soak $r\",\"kind\":\"live\"}"
done

# metric NAME: the sum of a series over its labels, from one scrape in $scrape.
metric() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }' <<<"$scrape"; }

# sample ELAPSED: one CSV row.
sample() {
	local scrape rss threads fds
	scrape=$(curl -sf "http://$addr/metrics" || true)
	rss=$(awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$server_pid/status")
	threads=$(awk '/^Threads:/ {print $2}' "/proc/$server_pid/status")
	fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
	echo "$(date -u +%T),$1,$rss,$fds,$threads,$(metric go_goroutines),$(metric go_memstats_heap_inuse_bytes),$(metric go_memstats_heap_alloc_bytes),$(metric danmaku_sockets_open),$(metric danmaku_comments_accepted_total),$(stat -c %s "$out/db/danmaku.db-wal" 2>/dev/null || echo 0)"
}

csv="$out/soak.csv"
echo "time,elapsed_s,rss_bytes,fds,threads,goroutines,heap_inuse_bytes,heap_alloc_bytes,sockets_open,comments_accepted,wal_bytes" >"$csv"
sample 0 >>"$csv"

"$out/danmaku" loadtest -addr "$addr" -pid "$server_pid" -sources "$sources" \
	-rooms "$rooms" -viewers "$viewers" -senders "$senders" -rate "$rate" -duration "$duration" -drain 15s \
	-churn "$churn" -churn-hold "$churn_hold" -json >"$out/loadtest.json" 2>"$out/loadtest.progress" &
load_pid=$!

start=$(date +%s)
next_reload=$((start + reload_every))
reloads=0
while kill -0 "$load_pid" 2>/dev/null; do
	sleep "$every"
	now=$(date +%s)
	if ((now >= next_reload)); then
		kill -HUP "$server_pid"
		reloads=$((reloads + 1))
		echo "$(date -u +%T) SIGHUP $reloads" >>"$out/reloads.log"
		next_reload=$((next_reload + reload_every))
	fi
	sample $((now - start)) >>"$csv"
done
wait "$load_pid" || echo "the load tool exited with $?" >>"$out/machine.txt"
sleep "$every" # the server after the load: sockets gone, memory settling
sample $(($(date +%s) - start)) >>"$csv"
echo "reloads sent: $reloads; reloads the server logged: $(grep -ci 'reload' "$out/server.log" || true)" >>"$out/machine.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
kill -INT "$server_pid"
wait "$server_pid" || true
trap - EXIT

# The summary: the first, middle and last samples under load (every
# viewer connected), the one after the load, and the spread of each column
# under load.
{
	loaded=$(awk -F, -v v="$viewers" 'NR > 1 && $9 >= v' "$csv")
	n=$(wc -l <<<"$loaded")
	echo "== samples: first, middle and last under load ($n samples), then after the load"
	head -1 "$csv"
	sed -n "1p;$(((n + 1) / 2))p;${n}p" <<<"$loaded"
	tail -1 "$csv"
	echo "== under load: min / max per column"
	awk -F, '
		NR == 1 { for (i = 3; i <= NF; i++) { min[i] = $i; max[i] = $i } }
		{ for (i = 3; i <= NF; i++) { if ($i < min[i]) min[i] = $i; if ($i > max[i]) max[i] = $i } }
		END { split("rss_bytes fds threads goroutines heap_inuse heap_alloc sockets_open comments_accepted wal_bytes", n, " ");
		      for (i = 3; i <= 11; i++) printf "%-18s %14.0f %14.0f\n", n[i - 2], min[i], max[i] }' <<<"$loaded"
	echo "== the load tool"
	jq '{sent, acked, rejected, expected, delivered, lost, duplicates, dropped, churn_opened, churn_retried, churn_failed,
	     latency_ms: {p50: .latency_ms.p50, p99: .latency_ms.p99, max: .latency_ms.max},
	     server: {cpu_sec: .server.cpu_sec, rss_start: .server.rss_start_bytes, rss_peak: .server.rss_peak_bytes, rss_end: .server.rss_end_bytes},
	     other_cpu_sec: .host.other_cpu_sec}' "$out/loadtest.json"
} | tee "$out/summary.txt"
echo "files in $out"
