#!/usr/bin/env bash
# Download pinned sdists from PyPI and unpack them under benches/corpus/<name>-<version>/.
# Idempotent: a corpus whose directory already exists is skipped.
#
# To add a corpus, add one "name==version" line to CORPORA (or pass pins as arguments:
#   benches/fetch-corpus.sh requests==2.32.3).
set -euo pipefail

CORPORA=(
    "django==5.2.19"
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
corpus_dir="$here/corpus"
downloads="$corpus_dir/downloads"
python="${PYTHON:-python3}"

if [ "$#" -gt 0 ]; then
    CORPORA=("$@")
fi

mkdir -p "$downloads"

for pin in "${CORPORA[@]}"; do
    case "$pin" in
        *==*) ;;
        *) echo "fetch-corpus: '$pin' is not a name==version pin" >&2; exit 2 ;;
    esac
    name="${pin%%==*}"
    version="${pin##*==}"
    # Directory name: lower-case name as written in the pin, e.g. django-5.2.19.
    dest="$corpus_dir/$(echo "$name" | tr 'A-Z' 'a-z')-$version"
    if [ -d "$dest" ]; then
        echo "fetch-corpus: $dest already present, skipping"
        continue
    fi

    # sdist file names normalise the project name (PEP 625): lower case, '-' and '.' -> '_'.
    norm="$(echo "$name" | tr 'A-Z' 'a-z' | tr -- '-.' '__')"
    find_archive() {
        find "$downloads" -maxdepth 1 -type f \
            \( -iname "${norm}-${version}.tar.gz" -o -iname "${name}-${version}.tar.gz" \
               -o -iname "${norm}-${version}.zip" -o -iname "${name}-${version}.zip" \) | head -n 1
    }
    archive="$(find_archive)"
    if [ -z "$archive" ]; then
        echo "fetch-corpus: downloading $pin (sdist)"
        "$python" -m pip download --quiet --no-deps --no-binary :all: "$pin" -d "$downloads"
        archive="$(find_archive)"
    fi
    if [ -z "$archive" ]; then
        echo "fetch-corpus: no sdist for $pin found in $downloads after download" >&2
        exit 1
    fi

    echo "fetch-corpus: unpacking $(basename "$archive") -> $dest"
    tmp="$(mktemp -d "$corpus_dir/.unpack.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    "$python" - "$archive" "$tmp" <<'PY'
import shutil, sys
archive, target = sys.argv[1], sys.argv[2]
if archive.endswith(".tar.gz"):
    import tarfile
    with tarfile.open(archive) as tf:
        tf.extractall(target, filter="data")
else:
    shutil.unpack_archive(archive, target)
PY
    # An sdist holds a single top-level directory; move it into place atomically.
    top=("$tmp"/*)
    if [ "${#top[@]}" -eq 1 ] && [ -d "${top[0]}" ]; then
        mv "${top[0]}" "$dest"
        rm -rf "$tmp"
    else
        mv "$tmp" "$dest"
    fi
    trap - EXIT
    echo "fetch-corpus: $dest ready ($(find "$dest" -name '*.py' | wc -l) .py files)"
done
