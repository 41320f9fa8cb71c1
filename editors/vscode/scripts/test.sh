#!/usr/bin/env bash
# Every check of the VS Code extension, from a fresh Debian machine that reaches only the package
# registries: Debian packages it needs, `npm ci`, type-check, lint, unit tests, packaging into a
# .vsix, a one-time code-server install (cached in .e2e-cache/), and the end-to-end test in
# code-server driven by headless Chromium.
#
#   RIPPLE_BIN=/path/to/ripple scripts/test.sh    # default: target/debug/ripple of this repository
#
# Needs Node 20 (code-server 4.100 runs on nothing else) and root, or sudo, for apt-get.
# Screenshots and logs go to test-results/; on an end-to-end failure the extension host's logs
# are printed. Exits non-zero when any step fails.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
ripple_bin=${RIPPLE_BIN:-$repo/target/debug/ripple}
cache="$here/.e2e-cache"
results="$here/test-results"
cd "$here"

step_started=$SECONDS
step() {
    echo
    echo "--- $* (at ${SECONDS} s)"
    step_started=$SECONDS
}

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

step "Debian packages"
# chromium drives the end-to-end test; ripgrep stands in for the rg that code-server's install
# would download; the rest compiles code-server's native modules (kerberos, argon2, node-pty).
packages=(chromium ripgrep build-essential python3 pkg-config libkrb5-dev libsecret-1-dev)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "installing: ${missing[*]}"
    # Another process may hold apt's locks for a while: wait for them rather than fail. The
    # timeout covers dpkg's lock; the package lists' lock gets a few tries.
    for try in 1 2 3 4 5 6 7 8 9 10; do
        if as_root apt-get -o DPkg::Lock::Timeout=900 update -qq; then
            break
        fi
        [[ $try -lt 10 ]] || exit 1
        echo "apt-get update failed (try $try); trying again in 30 s"
        sleep 30
    done
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}"
else
    echo "all there: ${packages[*]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [[ "$node_major" != 20 ]]; then
    echo "Node 20 is needed (code-server 4.100.3 runs on no other); this is $(node --version)" >&2
    exit 1
fi

step "npm ci"
# --ignore-scripts: no dependency needs its install script here (esbuild finds its binary
# package without it), and vsce's optional keytar would try to download a prebuilt binary.
npm ci --no-audit --no-fund --ignore-scripts

step "type-check (tsc --noEmit)"
npm run -s typecheck
echo "ok"

step "lint (eslint)"
npm run -s lint
echo "ok"

step "unit tests"
npm run -s test:unit

step "package (vsce)"
vsix="$here/ripple-$(node -p 'require("./package.json").version').vsix"
scripts/package.sh --out "$vsix"

step "code-server (one-time setup)"
scripts/setup-code-server.sh "$cache"

step "end-to-end test in code-server"
if [[ ! -x "$ripple_bin" ]]; then
    echo "no ripple server at $ripple_bin: build it (cargo build -p ripple) or set RIPPLE_BIN" >&2
    exit 1
fi
echo "server: $ripple_bin ($("$ripple_bin" --version))"
mkdir -p "$results"
status=0
CODE_SERVER="$cache/code-server/node_modules/.bin/code-server" \
    VSIX="$vsix" \
    RIPPLE_BIN="$ripple_bin" \
    RESULTS_DIR="$results" \
    node test/e2e.mjs || status=$?
if [[ $status -ne 0 ]]; then
    echo
    echo "--- the extension host's logs (the ripple channel holds the client's and server's messages)"
    shopt -s nullglob
    for log in "$results"/run/user-data/logs/*/exthost*/output_logging_*/*.log \
        "$results"/run/user-data/logs/*/exthost*/remoteexthost.log; do
        echo "=== $log"
        tail -n 200 "$log"
    done
    echo "=== $results/code-server.log"
    tail -n 50 "$results/code-server.log" 2>/dev/null || true
    exit "$status"
fi

echo
echo "--- all checks passed in ${SECONDS} s; screenshots in $results"
