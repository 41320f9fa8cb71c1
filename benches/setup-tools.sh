#!/usr/bin/env bash
# Create .venv-tools (repo root, git-ignored) with the pinned comparison tools.
# Idempotent: re-running only installs what is missing or at the wrong version.
#
# Pins were the newest releases on PyPI when the harness was written
# (`pip index versions ruff`, `pip index versions pyflakes`; ty, for benches/lsp_latency.py, was
# added later at the then newest `pip index versions ty`; matplotlib, for the plots of
# benches/run, and pyright, `npm view pyright version`, later still; mypy, for the tasks
# benchmark, at the version the tasks' tests pin; pytest, pytest-testmon and coverage (testmon's
# tracer), for benches/testselect.py, with pretend and tomli_w, which packaging's test suite
# imports, at the then newest `pip index versions NAME`). Change them here, deliberately.
set -euo pipefail

TOOLS=(
    "ruff==0.17.5"
    "pyflakes==4.1.0"
    "ty==0.0.104"
    "matplotlib==3.11.2"
    "mypy==1.20.2"
    "pytest==9.2.0"
    "pytest-testmon==2.2.0"
    "coverage==7.18.0"
    "pretend==1.0.9"
    "tomli_w==1.2.0"
)
# pyright comes from npm (its PyPI wrapper would download Node at run time).
PYRIGHT="pyright@1.1.414"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-tools"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup-tools: creating $venv"
    "$python" -m venv "$venv"
fi

missing=()
for pin in "${TOOLS[@]}"; do
    name="${pin%%==*}"
    want="${pin##*==}"
    have="$("$venv/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)"
    if [ "$have" != "$want" ]; then
        missing+=("$pin")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup-tools: installing ${missing[*]}"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
else
    echo "setup-tools: ${TOOLS[*]} already installed"
fi

pyright_dir="$venv/node"
have_pyright="$(cd "$pyright_dir" 2>/dev/null && npm ls --depth=0 --parseable pyright 2>/dev/null | head -n 1 || true)"
if [ -z "$have_pyright" ] || ! "$pyright_dir/node_modules/.bin/pyright" --version 2>/dev/null | grep -q "${PYRIGHT##*@}"; then
    echo "setup-tools: installing $PYRIGHT (npm, into $pyright_dir)"
    mkdir -p "$pyright_dir"
    npm install --silent --no-audit --no-fund --prefix "$pyright_dir" "$PYRIGHT"
fi

"$venv/bin/ruff" --version
"$venv/bin/pyflakes" --version
"$venv/bin/ty" --version
"$pyright_dir/node_modules/.bin/pyright" --version
