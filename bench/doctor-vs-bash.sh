#!/usr/bin/env bash
# Benchmark: a full one-shot `gaia doctor` against bench/bash-doctor.sh, the
# same probes one docker/curl process after another, on the simulated stack
# (healthchecks every 30 s, as in the real stack). Median wall time of RUNS
# runs each (default 10), and the ratio.
#
#   bash bench/doctor-vs-bash.sh [RUNS]
#
# Builds gaia in release mode, brings the simulated stack up in
# $GAIA_BENCH_ROOT (default /tmp/gaia-bench) and leaves it running.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
root=${GAIA_BENCH_ROOT:-/tmp/gaia-bench}
gaia=${GAIA_BENCH_BIN:-target/release/gaia}
[ -n "${GAIA_BENCH_BIN:-}" ] || cargo build --release -q
"$gaia" --root "$root" sim up --ha --health-interval 30s -q >/dev/null

median_ms() { # command…
  local times=()
  "$@" >/dev/null 2>&1 || true # warm-up
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'
}

gaia_ms=$(median_ms "$gaia" --root "$root" doctor --format json)
bash_ms=$(median_ms bash bench/bash-doctor.sh "$root")
probes=$({ bash bench/bash-doctor.sh "$root" || true; } | wc -l)
echo "gaia doctor:           median ${gaia_ms} ms over $runs runs"
echo "bash doctor ($probes probes): median ${bash_ms} ms over $runs runs"
awk -v g="$gaia_ms" -v b="$bash_ms" 'BEGIN {printf "gaia is %.1fx faster\n", b / g}'
