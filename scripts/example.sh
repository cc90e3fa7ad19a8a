#!/usr/bin/env bash
# The main job in one command: sets Docker up when it is missing (Debian's
# docker.io), makes the examples' local base image, builds tilt, and runs
# `tilt up` on examples/seed. Then open http://localhost:3000/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ci-services.sh
bash scripts/busybox-image.sh tilt-example-busybox:latest
[[ -d node_modules ]] || npm ci
npm run build >/dev/null
exec ./bin/tilt up -f examples/seed/Tiltfile "$@"
