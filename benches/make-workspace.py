#!/usr/bin/env python3
"""Build a large workspace from the fetched corpora, for benchmarks at scale.

    python3 benches/make-workspace.py --copies 4     # ~108,000 files: benches/workspaces/corpus-x4/

Each copy is a top-level folder (`copy0/`, `copy1/`, ...) holding every corpus of
`benches/corpus/` (run `benches/fetch-corpus.sh --all` first), so module names never collide
across copies. Files are hard links where the file system allows (instant, no extra disk), else
copies. Only Python sources and the files that shape a walk (`.gitignore`, `pyproject.toml`,
`setup.cfg`) are taken. An existing workspace of the same name is left alone unless `--force`.

Standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "benches" / "corpus"
WORKSPACES = REPO / "benches" / "workspaces"
KEEP_SUFFIXES = {".py", ".pyi"}
KEEP_NAMES = {".gitignore", "pyproject.toml", "setup.cfg"}


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of the corpus (default 4)")
    parser.add_argument("--force", action="store_true", help="rebuild an existing workspace")
    args = parser.parse_args()

    corpora = sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name != "downloads")
    if not corpora:
        print("make-workspace: no corpora; run benches/fetch-corpus.sh --all", file=sys.stderr)
        return 1
    target = WORKSPACES / f"corpus-x{args.copies}"
    if target.exists():
        if not args.force:
            print(f"make-workspace: {target} exists (use --force to rebuild)")
            return 0
        shutil.rmtree(target)
    count = 0
    for copy in range(args.copies):
        for corpus in corpora:
            for directory, _, files in os.walk(corpus):
                source_dir = Path(directory)
                relative = source_dir.relative_to(CORPUS)
                destination = target / f"copy{copy}" / relative
                made = False
                for name in files:
                    if Path(name).suffix in KEEP_SUFFIXES or name in KEEP_NAMES:
                        if not made:
                            destination.mkdir(parents=True, exist_ok=True)
                            made = True
                        link_or_copy(source_dir / name, destination / name)
                        count += name.endswith((".py", ".pyi"))
    # The workspace's own root marker, so tools take it as the project root.
    (target / "pyproject.toml").write_text("[project]\nname = \"scale-workspace\"\n")
    print(f"make-workspace: {target} ready ({count} Python files, {args.copies} copies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
