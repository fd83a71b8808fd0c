#!/bin/sh
# Builds every model/<name>/model.onnx that is missing or older than its build.py (they are git-ignored: built,
# not committed), from PyPI's onnx + numpy in the project's .venv. Idempotent: a no-op when every model is up to
# date. `--force` rebuilds all. The builds are deterministic (fixed seeds), so a rebuild gives the same bytes.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
force=${1:-}

missing=""
for script in "$root"/model/*/build.py; do
  dir=$(dirname "$script")
  if [ "$force" = "--force" ] || [ ! -s "$dir/model.onnx" ] || [ "$script" -nt "$dir/model.onnx" ]; then
    missing="$missing $dir"
  fi
done
[ -z "$missing" ] && { echo "models: all built"; exit 0; }

if ! "$venv/bin/python" -c 'import onnx, numpy' 2>/dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements.txt"
fi
for dir in $missing; do
  # Write beside and rename, so that an interrupted build never leaves a half-written model.onnx behind.
  "$venv/bin/python" "$dir/build.py" "$dir/model.onnx.tmp" >/dev/null
  mv "$dir/model.onnx.tmp" "$dir/model.onnx"
  echo "models: built $(basename "$dir")"
done
