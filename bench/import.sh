#!/usr/bin/env bash
# Measures an HTTP import of a 200,000-entry Bilibili XML file (23 MB):
# the server's peak RSS, the import's time, and what /readyz answers while
# it runs. Give one binary, or several to compare them in the same run:
#
#   go build -o /tmp/danmaku-new . && bench/import.sh /tmp/danmaku-new [/tmp/danmaku-old]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/import.sh DANMAKU_BINARY..." >&2; exit 2; }
out=${OUT:-/tmp/danmaku-bench/import}
mkdir -p "$out"
file=$out/200k.xml
if [ ! -s "$file" ]; then
  awk 'BEGIN {
    print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"; print "<i>"; print "<chatid>1</chatid>"
    for (i = 0; i < 200000; i++)
      printf "<d p=\"%.3f,1,25,16777215,1600000000,0,%d,%d\">弹幕弹幕弹幕弹幕弹幕弹幕弹幕弹幕弹幕弹幕</d>\n", i / 1000, i % 1387, i
    print "</i>"
  }' >"$file"
fi
port=19311
for bin in "$@"; do
  port=$((port + 1))
  dir=$(mktemp -d "$out/run.XXXX")
  "$bin" -addr 127.0.0.1:$port -db "$dir/danmaku.db" -seed-demo=false -log-level warn >"$dir/log" 2>&1 &
  pid=$!
  until curl -sf 127.0.0.1:$port/healthz >/dev/null; do kill -0 $pid; sleep 0.1; done
  tok=$("$bin" token -db "$dir/danmaku.db" -user bench -role moderator 2>/dev/null)
  curl -sf -H "Authorization: Bearer $tok" -d '{"id":"r","title":"r","kind":"vod","video_url":"https://example.com/a.mp4"}' \
    127.0.0.1:$port/api/rooms >/dev/null
  rss_before=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  start=$(date +%s.%N)
  curl -s -o "$dir/report.json" -w '%{http_code}' -H "Authorization: Bearer $tok" --data-binary @"$file" \
    127.0.0.1:$port/api/rooms/r/import >"$dir/status" &
  upload=$!
  : >"$dir/readyz"
  while kill -0 $upload 2>/dev/null; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' 127.0.0.1:$port/readyz >>"$dir/readyz"
  done
  wait $upload
  took=$(echo "$(date +%s.%N) - $start" | bc)
  peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  printf '%s: import %s in %.1f s; RSS %d MB before, peak %d MB; /readyz during it: %s\n' \
    "$bin" "$(cat "$dir/status")" "$took" $((rss_before / 1024)) $((peak / 1024)) \
    "$(awk '{n[$1]++; if ($2 > max) max = $2} END {for (c in n) printf "%s×%d ", c, n[c]; printf "(slowest %.3f s)", max}' "$dir/readyz")"
done
