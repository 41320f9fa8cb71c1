#!/usr/bin/env bash
# One-time install of code-server (a real VS Code, served to a browser) for the end-to-end test.
#
#   scripts/setup-code-server.sh DIR
#
# Installs code-server into DIR/code-server and writes DIR/code-server/.ready when it works;
# a second run with .ready present does nothing. Only the npm registry is used: the install
# scripts of code-server's dependencies try to download a ripgrep build and native-module
# prebuilds from elsewhere, so ripgrep comes from Debian and the native modules are compiled.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3 # the last release that runs on Node 20 (VS Code 1.100)

cache=${1:?usage: setup-code-server.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
prefix="$cache/code-server"
bin="$prefix/node_modules/.bin/code-server"

if [[ -f "$prefix/.ready" && -x "$bin" ]]; then
    echo "code-server $CODE_SERVER_VERSION: already set up in $prefix"
    exit 0
fi

if [[ $(node -p 'process.versions.node.split(".")[0]') != 20 ]]; then
    echo "code-server $CODE_SERVER_VERSION needs Node 20, this is $(node --version)" >&2
    exit 1
fi

rm -rf "$prefix"
mkdir -p "$prefix"
# Its own package.json, or npm would walk up and install into the extension's node_modules.
echo '{"name": "code-server-for-tests", "private": true}' >"$prefix/package.json"
echo "code-server $CODE_SERVER_VERSION: installing into $prefix (takes a minute or two)"

# Phase 1: the packages alone, without running any install script, so that the ripgrep version
# code-server pins can be read before its download step runs.
(cd "$prefix" && npm install --no-audit --no-fund --no-save --ignore-scripts \
    "code-server@$CODE_SERVER_VERSION")

# Phase 2: put Debian's rg where @vscode/ripgrep's postinstall looks for a cached download.
vscode_dir="$prefix/node_modules/code-server/lib/vscode"
rg_package_version=$(node -e '
    const lock = require(process.argv[1]);
    console.log(lock.packages["node_modules/@vscode/ripgrep"].version);
' "$vscode_dir/npm-shrinkwrap.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@vscode/ripgrep@$rg_package_version" >/dev/null && tar xzf ./*.tgz)
postinstall="$work/package/lib/postinstall.js"
rg_release=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$postinstall")
case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) echo "no ripgrep target known for $(uname -m)" >&2; exit 1 ;;
esac
grep -q "'$rg_target'" "$postinstall" || {
    echo "@vscode/ripgrep@$rg_package_version no longer names the target $rg_target" >&2
    exit 1
}
[[ -n "$rg_release" ]] || { echo "cannot read the ripgrep release from $postinstall" >&2; exit 1; }
# The postinstall reads the cache from os.tmpdir(), so the build below runs with this TMPDIR.
build_tmp="$cache/tmp"
rg_cache="$build_tmp/vscode-ripgrep-cache-$rg_package_version"
mkdir -p "$rg_cache" "$work/rg"
cp "$(command -v rg)" "$work/rg/rg"
tar czf "$rg_cache/ripgrep-$rg_release-$rg_target.tar.gz" -C "$work/rg" rg
echo "ripgrep: Debian's rg cached as ripgrep-$rg_release-$rg_target.tar.gz for @vscode/ripgrep@$rg_package_version"

# Phase 3: run the install scripts. code-server's postinstall runs `npm install` in lib/vscode;
# kerberos, argon2 and node-pty fall back to compiling (node-pty through `npx node-gyp`, hence
# npm_config_yes). --unsafe-perm because we are root and the scripts must write as root.
(cd "$prefix" && TMPDIR="$build_tmp" npm_config_yes=true \
    npm rebuild --unsafe-perm --foreground-scripts)

# Even --version writes a default config file and log folders: keep them inside the cache.
XDG_CONFIG_HOME="$build_tmp/xdg" XDG_DATA_HOME="$build_tmp/xdg" \
    "$bin" --config "$build_tmp/config.yaml" --version
touch "$prefix/.ready"
echo "code-server $CODE_SERVER_VERSION: ready"
