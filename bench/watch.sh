#!/usr/bin/env bash
# Benchmark: what a steady `gaia watch` costs the host, on the simulated
# stack (healthchecks every 30 s, as in the real stack).
#
#   bash bench/watch.sh [SECONDS] [ROUNDS]     (default 30 s, 3 rounds)
#
# 1. Host CPU per tick: the busy CPU time of every process on the host
#    (/proc/stat) while `gaia watch --interval 1s` runs for SECONDS, minus
#    the same window without it (the stack's own idle cost, measured right
#    before), divided by the runs it made; the median of ROUNDS. With
#    --deep-every 1 (every run execs inside the containers, as a one-shot
#    doctor does), with no look inside after the first run (a steady run),
#    and with the default --deep-every (both, amortized).
# 2. Memory: gaia watch's RSS over 1,000 runs at --interval 100ms, sampled
#    every 100 runs.
#
# Builds gaia in release mode (or uses $GAIA_BENCH_BIN), brings the
# simulated stack up in $GAIA_BENCH_ROOT (default /tmp/gaia-bench) and
# leaves it running.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
rounds=${2:-3}
root=${GAIA_BENCH_ROOT:-/tmp/gaia-bench}
gaia=${GAIA_BENCH_BIN:-target/release/gaia}
[ -n "${GAIA_BENCH_BIN:-}" ] || cargo build --release -q
port=19464
hz=$(getconf CLK_TCK)
"$gaia" --root "$root" sim up --ha --health-interval 30s -q >/dev/null

busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
runs() { curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^gaia_runs_total/ {print $2}'; }
start_watch() { # extra args…
  "$gaia" --root "$root" -q watch --listen "127.0.0.1:$port" "$@" >/dev/null 2>&1 &
  watch_pid=$!
  for _ in $(seq 100); do runs >/dev/null 2>&1 && return; sleep 0.1; done
  echo "gaia watch did not start" >&2; exit 1
}
stop_watch() { kill -TERM "$watch_pid"; wait "$watch_pid" || true; }

per_tick() { # label, extra args…
  local label=$1; shift
  local costs=()
  for _ in $(seq "$rounds"); do
    local a b idle
    a=$(busy); sleep "$seconds"; b=$(busy); idle=$((b - a))
    start_watch --interval 1s "$@"
    sleep 3 # past the first runs, which look at everything
    local r0 r1 busy_ticks
    r0=$(runs); a=$(busy); sleep "$seconds"; b=$(busy); r1=$(runs)
    stop_watch
    busy_ticks=$((b - a))
    costs+=("$(awk -v w="$busy_ticks" -v i="$idle" -v n="$((r1 - r0))" -v hz="$hz" \
      'BEGIN {printf "%.3f", (w - i) / hz / n}')")
  done
  local median
  median=$(printf '%s\n' "${costs[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label: ${median} CPU-seconds per run (rounds: ${costs[*]})"
}

echo "== host CPU per steady run, gaia watch --interval 1s, ${seconds}s windows, $rounds rounds"
per_tick "every run looks inside (--deep-every 1)" --deep-every 1
per_tick "steady runs (none looks inside after the first)" --deep-every 1000000
per_tick "the default --deep-every, looks inside included" 

echo "== RSS over 1000 runs at --interval 100ms"
start_watch --interval 100ms
samples=()
for target in $(seq 100 100 1000); do
  while [ "$(runs)" -lt "$target" ]; do sleep 0.2; done
  samples+=("$(awk '/^VmRSS/ {print $2}' "/proc/$watch_pid/status")")
done
stop_watch
printf '%s\n' "${samples[@]}" | awk '
  NR == 1 {first = $1; min = $1; max = $1}
  {if ($1 < min) min = $1; if ($1 > max) max = $1; all = all " " int($1 / 1024)}
  END {printf "RSS at runs 100..1000 (MiB):%s\nspread %.1f MiB (max - min), run 1000 vs run 100: %+.1f MiB\n",
       all, (max - min) / 1024, ($NF - first) / 1024}'
