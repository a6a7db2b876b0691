#!/usr/bin/env bash
# Benchmark: wall time of `gaia doctor` on the simulated stack, at the
# built-in registry (15 services, 9 running with the HA standbys) and at a
# scaled stack of 100 services, with a per-check timing breakdown.
#
#   bash bench/doctor.sh [RUNS]        (default 10 runs per size)
#
# Healthchecks run every 30 s, as in the real stack (the rehearsal default
# of 2 s would keep the engine busy and slow every probe).
# Needs Docker and compose. Builds gaia in release mode, brings the
# simulated stack up in $GAIA_BENCH_ROOT (default /tmp/gaia-bench), and
# leaves it running; `gaia --root /tmp/gaia-bench sim down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
root=${GAIA_BENCH_ROOT:-/tmp/gaia-bench}
cargo build --release -q
gaia=target/release/gaia

measure() { # label, extra doctor args…
  local label=$1; shift
  local out; out=$(mktemp -d)
  "$gaia" --root "$root" "$@" doctor --format json >/dev/null || true # warm-up
  for i in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$gaia" --root "$root" "$@" doctor --format json >"$out/$i.json" || true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 )) >>"$out/wall"
  done
  python3 - "$label" "$out" "$runs" <<'PY'
import json, statistics, sys, collections
label, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
wall = sorted(int(l) for l in open(f"{out}/wall"))
reports = [json.load(open(f"{out}/{i}.json")) for i in range(1, runs + 1)]
median = statistics.median(wall)
r = reports[0]
print(f"\n== {label}: {r['summary']['total']} checks "
      f"({r['summary']['passed']} passed, {r['summary']['warnings']} warnings, "
      f"{r['summary']['failures']} failures, {r['summary']['skipped']} skipped)")
print(f"wall time over {runs} runs: median {median:.0f} ms, min {wall[0]} ms, max {wall[-1]} ms")
per_category = collections.defaultdict(list)
for rep in reports:
    sums = collections.defaultdict(int)
    for c in rep["checks"]:
        sums[c["category"]] = max(sums[c["category"]], c["duration_ms"])
    for k, v in sums.items():
        per_category[k].append(v)
print("slowest check per category (median ms):")
for k, v in sorted(per_category.items(), key=lambda kv: -statistics.median(kv[1])):
    print(f"  {k:<13} {statistics.median(v):>6.0f}")
per_check = collections.defaultdict(list)
for rep in reports:
    for c in rep["checks"]:
        per_check[c["id"]].append(c["duration_ms"])
print("slowest checks (median ms):")
for k, v in sorted(per_check.items(), key=lambda kv: -statistics.median(kv[1]))[:8]:
    print(f"  {statistics.median(v):>6.0f}  {k}")
PY
}

"$gaia" --root "$root" sim up --ha --health-interval 30s -q >/dev/null
measure "built-in registry, HA stack"
"$gaia" --root "$root" sim up --ha --health-interval 30s --scale 85 -q >/dev/null
measure "scaled stack, 100 services" --config "$root/services.scaled.toml"
