#!/usr/bin/env bash
# Measures only the bare-melody baseline (bench/run.sh measures it together
# with Danmaku, in the same run, for docs/BENCHMARKS.md).
#
#   bench/baseline.sh [runs] [outdir]        default: 3 runs into /tmp/danmaku-baseline
set -euo pipefail
RUNS=${1:-3} OUT=${2:-/tmp/danmaku-baseline} SERVERS=relay PARTS=load exec "$(dirname "$0")/run.sh"
