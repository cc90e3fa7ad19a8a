#!/usr/bin/env bash
# Runs the shared Starlark conformance suite through the built CLI.
# Override the suite location with STARLARK_CONFORMANCE_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${STARLARK_CONFORMANCE_DIR:-$ROOT/../shared/conformance/starlark}"

names=(
  assign bool builtins bytes control dict float function int json list math misc
  module recursion set string tuple while struct errors resolve
)

if [[ ! -d "$DIR" ]]; then
  echo "conformance: directory not found: $DIR" >&2
  exit 1
fi

files=()
for name in "${names[@]}"; do
  files+=("$DIR/$name.star")
done

exec node "$ROOT/bin/tilt" alpha starlark --conformance "${files[@]}"
