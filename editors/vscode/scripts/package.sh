#!/usr/bin/env bash
# Builds the extension into a .vsix.
#
#   scripts/package.sh                      # no server inside: users install ripple themselves
#   scripts/package.sh --with-server [BIN]  # ship BIN (default: target/release/ripple) in server/
#   options: --target TARGET (a vsce platform, e.g. linux-x64; set from this machine with
#            --with-server, since the binary only runs on one platform), --out FILE
#
# Prints the path of the .vsix on its last line. Expects `npm ci` to have run.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"

with_server=""
target=""
out=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --with-server)
            with_server="$repo/target/release/ripple"
            if [[ $# -gt 1 && "$2" != --* ]]; then
                with_server="$2"
                shift
            fi
            ;;
        --target) target=${2:?--target needs a value}; shift ;;
        --out) out=${2:?--out needs a value}; shift ;;
        -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

shipped="$here/server/ripple"
if [[ -n "$with_server" ]]; then
    if [[ ! -x "$with_server" ]]; then
        echo "package.sh: no executable at $with_server (build it with: cargo build --release)" >&2
        exit 1
    fi
    if [[ -z "$target" ]]; then
        case "$(uname -s)-$(uname -m)" in
            Linux-x86_64) target=linux-x64 ;;
            Linux-aarch64) target=linux-arm64 ;;
            Darwin-arm64) target=darwin-arm64 ;;
            Darwin-x86_64) target=darwin-x64 ;;
            *) echo "package.sh: pass --target for $(uname -sm)" >&2; exit 2 ;;
        esac
    fi
    cp "$with_server" "$shipped"
    chmod 755 "$shipped"
    # The copy exists only for this package; a stale one would shadow PATH in development.
    trap 'rm -f "$shipped"' EXIT
    echo "package.sh: shipping $with_server ($("$shipped" --version)) for $target"
fi

version=$(node -p 'require("./package.json").version')
if [[ -z "$out" ]]; then
    out="$here/ripple-${target:+$target-}$version.vsix"
fi

# No LICENSE file and no public repository yet: without these flags vsce stops to ask.
# The bundle (npm run bundle) holds every dependency, hence --no-dependencies.
args=(package --no-dependencies --skip-license --allow-missing-repository --out "$out")
if [[ -n "$target" ]]; then
    args+=(--target "$target")
fi
npx --no-install vsce "${args[@]}" </dev/null
echo "$out"
