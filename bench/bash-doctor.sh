#!/usr/bin/env bash
# The doctor as GAIA's operators wrote it before gaia: the same probes as
# `gaia doctor` on the built-in registry, one `docker`/`curl` process after
# another. Only for bench/doctor-vs-bash.sh to time against; prints one
# line per probe and exits 1 when any failed.
#
#   bash bench/bash-doctor.sh GAIA_ROOT
set -uo pipefail
root=${1:?usage: bench/bash-doctor.sh GAIA_ROOT}
failed=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }
probe() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

# name host_port port health user gpu(0/1) role
services=(
  "gaia-orchestrator 6410 6410 /health - 0 live"
  "gaia-prime 7777 7777 /health - 1 live"
  "gaia-core 6415 6415 /health 1000 0 live"
  "gaia-web 6414 6414 /health - 0 live"
  "gaia-mcp 8765 8765 /health 1000 0 live"
  "gaia-study 8766 8766 /health 1000 1 live"
  "gaia-audio 8080 8080 /health - 1 live"
  "gaia-wiki - 8080 / - 0 live"
  "gaia-core-candidate 6416 6415 /health 1000 0 candidate"
  "gaia-mcp-candidate 8767 8765 /health 1000 0 candidate"
  "gaia-web-candidate 6417 6414 /health - 0 candidate"
  "gaia-study-candidate 8768 8766 /health - 1 candidate"
  "gaia-orchestrator-candidate 6411 6410 /health - 0 candidate"
  "gaia-prime-candidate 7778 7777 /health - 1 candidate"
  "gaia-audio-candidate 8081 8080 /health - 1 candidate"
)

# Pre-flight
probe "docker engine" docker info
probe "compose" docker compose version
probe "network gaia-network" docker network inspect gaia-network
probe "compose files" test -f "$root/docker-compose.yml"

running=()
for line in "${services[@]}"; do
  read -r name host_port port health user gpu role <<<"$line"
  state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}} {{.RestartCount}}' "$name" 2>/dev/null)
  case $state in
    "running healthy"*|"running  "*) ok "container $name: $state"; running+=("$line") ;;
    "") echo "skip container $name: not present" ;;
    *) bad "container $name: $state" ;;
  esac
done

for line in "${running[@]}"; do
  read -r name host_port port health user gpu role <<<"$line"
  if [ "$host_port" != - ]; then
    probe "http $name" curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$host_port$health"
  else
    probe "http $name (inside)" docker exec "$name" curl -fsS -m 5 -o /dev/null "http://localhost:$port$health"
  fi
  # GPU placement, and nvidia-smi inside those that hold one
  docker inspect -f '{{json .HostConfig.DeviceRequests}}' "$name" >/dev/null
  if [ "$gpu" = 1 ]; then probe "gpu visible in $name" docker exec "$name" nvidia-smi -L; fi
  # The main process's user, as the image's /etc/passwd names it
  if [ "$user" != - ]; then probe "user of $name" docker exec "$name" stat -c %U /proc/1; fi
  # Fallback wiring
  docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$name" | grep -q FALLBACK && ok "fallback env of $name"
done

# HA
probe "maintenance flag off" bash -c '! docker exec gaia-core test -e /shared/ha_maintenance'
probe "orchestrator ha status" curl -fsS -m 5 -o /dev/null http://127.0.0.1:6410/status

# Connectivity, from inside the caller
for route in "gaia-web http://gaia-core:6415/health" "gaia-core http://gaia-mcp:8765/health" \
  "gaia-core http://gaia-prime:7777/health" "gaia-core http://gaia-study:8766/health" \
  "gaia-web http://gaia-wiki:8080/"; do
  read -r from url <<<"$route"
  probe "$from -> $url" docker exec "$from" curl -fsS -m 5 -o /dev/null "$url"
done

# Volumes, mounts, shared directories, sessions
for v in gaia-shared gaia-sandbox gaia-candidate-shared gaia-candidate-sandbox; do
  probe "volume $v" docker volume inspect "$v"
done
for p in /knowledge /vector_store /shared /models /logs; do
  probe "gaia-core sees $p" docker exec gaia-core stat -c %u "$p"
done
for d in council lite_journal temporal_states timeline; do
  probe "shared dir $d" docker exec gaia-core-candidate stat -c %u "/shared/$d"
done
probe "sessions.json live" docker exec gaia-core stat -c %Y /shared/sessions.json
probe "sessions.json candidate" docker exec gaia-core-candidate stat -c %Y /shared/sessions.json

# Shared library sync
for f in utils/service_client.py utils/resilience.py utils/tools_registry.py \
  protocols/cognition_packet.py constants/gaia_constants.json; do
  probe "library $f" cmp -s "$root/gaia-common/gaia_common/$f" "$root/candidates/gaia-common/gaia_common/$f"
done

# Resources, model, images
probe "disk" df "$root"
probe "docker images" docker images -q
probe "model served" curl -fsS -m 5 -o /dev/null http://127.0.0.1:7777/v1/models
for line in "${services[@]}"; do
  read -r name host_port port health user gpu role <<<"$line"
  [ "$role" = candidate ] || continue
  live=${name%-candidate}
  docker image inspect -f '{{.Created}}' "$(docker inspect -f '{{.Config.Image}}' "$name" 2>/dev/null || echo "localhost:5000/$name:local")" >/dev/null 2>&1
  docker image inspect -f '{{.Created}}' "localhost:5000/$live:local" >/dev/null 2>&1
  ok "image age $name"
done
probe "gaia-web imports gaia_common" docker exec gaia-web python -c "import gaia_common"

# Registry and compose, labels
probe "compose config" docker compose --project-directory "$root" -f "$root/docker-compose.yml" config --services
probe "network labels" docker network inspect -f '{{json .Labels}}' gaia-network
for v in gaia-shared gaia-sandbox gaia-candidate-shared gaia-candidate-sandbox; do
  probe "volume labels $v" docker volume inspect -f '{{json .Labels}}' "$v"
done

# Logs
probe "prime log clean" bash -c '! docker logs gaia-prime 2>&1 | grep -qE "CUDA out of memory|EngineDeadError"'
probe "core log clean" bash -c '! docker logs gaia-core 2>&1 | grep -qE "CUDA out of memory|EngineDeadError"'

exit $failed
