#!/usr/bin/env bash
# Download pinned sdists (or, for "name==version:wheel", a CPython 3.11 manylinux wheel) from
# PyPI and unpack them under benches/corpus/<name>-<version>/.
# Idempotent: a corpus whose directory already exists is skipped.
#
#   benches/fetch-corpus.sh            # django only (the quick benchmark)
#   benches/fetch-corpus.sh --all      # the whole scale corpus of issue 4 (~27,000 files)
#   benches/fetch-corpus.sh requests==2.32.3
#
# To add a corpus, add one pin to CORPORA or SCALE_CORPORA.
set -euo pipefail

CORPORA=(
    "django==5.2.19"
)
# The newest releases when the list was made (2026-11-21); pandas 3 ships no CPython 3.11 wheel.
SCALE_CORPORA=(
    "django==5.2.19"
    "sympy==1.14.0"
    "sqlalchemy==2.1.9"
    "transformers==5.23.0"
    "ansible==12.3.0"
    "pandas==2.3.2:wheel"
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
corpus_dir="$here/corpus"
downloads="$corpus_dir/downloads"
python="${PYTHON:-python3}"

if [ "${1:-}" = "--all" ]; then
    CORPORA=("${SCALE_CORPORA[@]}")
elif [ "$#" -gt 0 ]; then
    CORPORA=("$@")
fi

mkdir -p "$downloads"

for pin in "${CORPORA[@]}"; do
    kind=sdist
    case "$pin" in
        *:wheel) kind=wheel; pin="${pin%:wheel}" ;;
    esac
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
        if [ "$kind" = wheel ]; then
            find "$downloads" -maxdepth 1 -type f -iname "${norm}-${version}-*.whl" | head -n 1
            return
        fi
        find "$downloads" -maxdepth 1 -type f \
            \( -iname "${norm}-${version}.tar.gz" -o -iname "${name}-${version}.tar.gz" \
               -o -iname "${norm}-${version}.zip" -o -iname "${name}-${version}.zip" \) | head -n 1
    }
    archive="$(find_archive)"
    if [ -z "$archive" ]; then
        echo "fetch-corpus: downloading $pin ($kind)"
        if [ "$kind" = wheel ]; then
            "$python" -m pip download --quiet --no-deps --only-binary :all: \
                --python-version 3.11 --platform manylinux2014_x86_64 "$pin" -d "$downloads"
        else
            "$python" -m pip download --quiet --no-deps --no-binary :all: "$pin" -d "$downloads"
        fi
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
if archive.endswith(".whl"):
    shutil.unpack_archive(archive, target, format="zip")
elif archive.endswith(".tar.gz"):
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
