#!/usr/bin/env bash
# Installs the real tools the tasks' end-to-end tests run, at pinned versions, into ignored
# folders: mypy, pytest and ruff from PyPI into tests/.venv-tasks, typescript from npm into
# tests/.node-tasks. Prints nothing but progress; does nothing when they are there already.
set -euo pipefail
cd "$(dirname "$0")/../.."
MYPY=1.20.2
PYTEST=8.4.2
RUFF=0.17.5
TYPESCRIPT=5.9.3
venv=tests/.venv-tasks
stamp="$venv/.ripple-pins"
pins="mypy==$MYPY pytest==$PYTEST ruff==$RUFF"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$pins" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pins
    echo "$pins" > "$stamp"
fi
node=tests/.node-tasks
if [ ! -x "$node/node_modules/.bin/tsc" ] || ! grep -q "\"version\": \"$TYPESCRIPT\"" "$node/node_modules/typescript/package.json"; then
    rm -rf "$node"
    mkdir -p "$node"
    npm install --silent --no-audit --no-fund --prefix "$node" "typescript@$TYPESCRIPT" >/dev/null
fi
