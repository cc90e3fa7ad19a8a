#!/usr/bin/env bash
# Starts what the integration tests talk to: a Docker engine and a registry on 127.0.0.1:5005;
# the browser tests use Debian's chromium. Installs the Debian packages it needs when they are
# missing. Safe to run again: anything
# that already answers is left alone.
set -euo pipefail

REGISTRY_ADDR="127.0.0.1:5005"
REGISTRY_DIR="/tmp/tilt-ci-registry"
REGISTRY_LOG="/tmp/tilt-ci-registry.log"
DOCKERD_LOG="/tmp/tilt-ci-dockerd.log"
PACKAGES=(docker.io docker-registry busybox-static chromium fonts-dejavu-core)

log() {
  echo "ci-services: $*" >&2
}

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    log "needs root (or sudo) to run: $*"
    return 1
  fi
}

# Succeeds when an HTTP GET of $1 answers with a 2xx status.
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$1" >/dev/null 2>&1
  else
    node -e '
      const req = require("http").get(process.argv[1], { timeout: 2000 }, (res) => {
        process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
      });
      req.on("error", () => process.exit(1));
      req.on("timeout", () => process.exit(1));
    ' "$1" >/dev/null 2>&1
  fi
}

docker_answers() {
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second.
wait_for() {
  local seconds="$1" what="$2"
  shift 2
  local tries=$((seconds * 2))
  local i
  for ((i = 0; i < tries; i++)); do
    if "$@"; then
      return 0
    fi
    sleep 0.5
  done
  log "$what did not answer within ${seconds}s"
  return 1
}

install_packages() {
  local missing=() pkg status
  for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  log "installing ${missing[*]}"
  local updated=0
  if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    updated=1
  fi
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends)
  if ! as_root "${install[@]}" "${missing[@]}"; then
    if [[ "$updated" -eq 1 ]]; then
      return 1
    fi
    # The package lists may be stale: refresh them once and try again.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root "${install[@]}" "${missing[@]}"
  fi
}

start_dockerd() {
  if docker_answers; then
    log "docker engine is running"
    return 0
  fi
  log "starting dockerd (log: $DOCKERD_LOG)"
  as_root setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  if ! wait_for 60 "dockerd" docker_answers; then
    tail -n 40 "$DOCKERD_LOG" >&2 || true
    return 1
  fi
  log "docker engine is running"
}

start_registry() {
  local url="http://$REGISTRY_ADDR/v2/"
  if http_ok "$url"; then
    log "registry is running at $REGISTRY_ADDR"
    return 0
  fi
  mkdir -p "$REGISTRY_DIR/data"
  cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  log "starting registry at $REGISTRY_ADDR (log: $REGISTRY_LOG)"
  setsid nohup docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_LOG" 2>&1 </dev/null &
  if ! wait_for 30 "registry at $REGISTRY_ADDR" http_ok "$url"; then
    tail -n 40 "$REGISTRY_LOG" >&2 || true
    return 1
  fi
  log "registry is running at $REGISTRY_ADDR"
}

install_packages
start_dockerd
start_registry
