#!/usr/bin/env python3
"""Build a large workspace from the fetched corpora, or a synthetic one, for benchmarks at scale.

    python3 benches/make-workspace.py --copies 4     # ~108,000 files: benches/workspaces/corpus-x4/
    python3 benches/make-workspace.py --synthetic 100000   # benches/workspaces/synthetic-100000/

Each copy is a top-level folder (`copy0/`, `copy1/`, ...) holding every corpus of
`benches/corpus/` (run `benches/fetch-corpus.sh --all` first), so module names never collide
across copies. Files are hard links where the file system allows (instant, no extra disk), else
copies. Only Python sources and the files that shape a walk (`.gitignore`, `pyproject.toml`,
`setup.cfg`) are taken. An existing workspace of the same name is left alone unless `--force`.

`--synthetic N` instead writes exactly N generated Python files (no corpus needed) with a known
import graph, deterministic for a given N and `--seed`: `core/{__init__,api,models,util,config}.py`
and packages `pkgNNN/subNN/modNNN.py` (20 subpackages of 50 modules per package, with their
`__init__.py` files), plus a root `pyproject.toml` and a manifest `synthetic.json`. Each module
(80-280 lines) has a docstring, 3-6 public functions of one signature, dataclasses, and imports:
core names (`from core.models import Record`: ~35% of modules, `core.util.chunked` ~40%,
`core.config.get_setting` ~15%, `core.api.ApiClient` ~8%), 0-3 earlier modules of its own
subpackage (relative or absolute) and now and then a module of another package; every imported
name is used. Exactly min(1000, N // 2) modules do `from core.api import shared_helper` and call
it, so renaming `shared_helper` in `core/api.py` has a known reach. About 8% of modules carry an
unused `import re` and 3% an unused local variable, so that there are diagnostics to publish.
The manifest lists the importers of each core name, a line for single-character edits inside a
function body, and the files of a 1000-file disk change; `write_synthetic` documents its keys.
`benches/lsp_scale.py` reads it.

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
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


# ---------------------------------------------------------------------------- synthetic workspace
#
# Layout (N = --synthetic, every count below is exact and recorded in synthetic.json):
#
#   pyproject.toml                 the root marker
#   synthetic.json                 the manifest (see `write_synthetic`)
#   core/__init__.py, core/api.py, core/models.py, core/util.py, core/config.py
#   pkgNNN/__init__.py
#   pkgNNN/subNN/__init__.py
#   pkgNNN/subNN/modNNN.py         SUBS_PER_PKG subpackages of MODS_PER_SUB modules each
#
# Packages are filled in order until the workspace holds exactly N `.py` files.

SYNTHETIC_SEED = 20240611
CORE_FILES = ["core/__init__.py", "core/api.py", "core/models.py", "core/util.py",
              "core/config.py"]
SUBS_PER_PKG = 20
MODS_PER_SUB = 50
DISK_MARKER = "import os  # lsp_scale disk change"

# Fraction of modules importing each core name other than `shared_helper` (whose importers are
# an exact count); membership is drawn per module, the resulting lists are in the manifest.
CORE_SHARES = {
    "core.models.Record": 0.35,
    "core.util.chunked": 0.40,
    "core.config.get_setting": 0.15,
    "core.api.ApiClient": 0.08,
}
UNUSED_IMPORT_SHARE = 0.08  # modules with an unused `import re` (unused-import / F401)
UNUSED_VARIABLE_SHARE = 0.03  # modules with an unused local (unused-variable / F841)

VERBS = ["load", "merge", "split", "parse", "render", "scale", "count", "filter", "collect",
         "measure", "resolve", "normalise", "combine", "rank", "score", "index", "flatten",
         "group", "sample", "trim", "validate", "summarise", "weigh", "shift", "pack"]
NOUNS = ["records", "batches", "items", "rows", "entries", "values", "samples", "tokens",
         "events", "metrics", "orders", "accounts", "pages", "chunks", "segments", "points",
         "weights", "totals", "offsets", "ranges", "windows", "buckets", "frames", "keys"]
ROLES = ["Loader", "Processor", "Builder", "Tracker", "Registry", "Collector", "Planner",
         "Index", "Buffer", "Window", "Cursor", "Filter"]
TOPICS = ["billing", "inventory", "routing", "telemetry", "scheduling", "search", "caching",
          "auditing", "shipping", "pricing", "reporting", "ingestion", "matching", "alerts"]
SENTENCES = [
    "The helpers here are small on purpose: each does one step of the pipeline.",
    "Values are plain integers so that callers can combine the results freely.",
    "Nothing in this module touches the network or the file system.",
    "Callers are expected to validate their input before handing it over.",
    "The functions are pure apart from logging, which makes them easy to test.",
    "Results are deterministic for a given input; no randomness is involved.",
    "Large inputs are processed in batches to keep memory use flat.",
]


@dataclass
class SynthModule:
    index: int  # position in `modules`
    path: str  # relative, e.g. pkg000/sub00/mod000.py
    dotted: str  # pkg000.sub00.mod000
    functions: list[str]
    core: list[str] = field(default_factory=list)  # keys of CORE_SHARES plus shared_helper
    siblings: list[tuple[int, str, bool]] = field(default_factory=list)  # (module, fn, relative)
    unused_import: bool = False
    unused_variable: bool = False
    imported_by: int = 0


def synthetic_layout(n: int) -> tuple[list[str], list[str]]:
    """All `.py` paths in writing order (exactly n of them), and the module paths among them."""
    paths = list(CORE_FILES)
    modules: list[str] = []
    pkg = 0
    while len(paths) < n:
        paths.append(f"pkg{pkg:03d}/__init__.py")
        for sub in range(SUBS_PER_PKG):
            if len(paths) >= n:
                break
            paths.append(f"pkg{pkg:03d}/sub{sub:02d}/__init__.py")
            for mod in range(MODS_PER_SUB):
                if len(paths) >= n:
                    break
                path = f"pkg{pkg:03d}/sub{sub:02d}/mod{mod:03d}.py"
                paths.append(path)
                modules.append(path)
        pkg += 1
    return paths[:n], modules


def plan_synthetic(n: int, seed: int) -> tuple[list[str], list[SynthModule], dict]:
    """Decides every module's names and imports, and the manifest's sets."""
    rng = random.Random(seed)
    paths, module_paths = synthetic_layout(n)
    modules: list[SynthModule] = []
    for i, path in enumerate(module_paths):
        count = rng.randint(3, 6)
        names: list[str] = []
        while len(names) < count:
            name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
            if name not in names:
                names.append(name)
        modules.append(SynthModule(i, path, path[:-3].replace("/", "."), names))

    shared_count = min(1000, n // 2, len(modules))
    shared = sorted(rng.sample(range(len(modules)), shared_count))
    for i in shared:
        modules[i].core.append("core.api.shared_helper")
    for key, share in CORE_SHARES.items():
        for m in modules:
            if rng.random() < share:
                m.core.append(key)

    # Siblings: earlier modules of the same subpackage (relative or absolute), now and then an
    # earlier module of another package: the graph is acyclic.
    by_sub: dict[str, list[int]] = {}
    for m in modules:
        by_sub.setdefault(m.path.rsplit("/", 1)[0], []).append(m.index)
    for m in modules:
        earlier = [j for j in by_sub[m.path.rsplit("/", 1)[0]] if j < m.index]
        wanted = min(len(earlier), rng.choice([0, 0, 1, 1, 2, 3]))
        taken = set(m.functions)  # an imported name must not clash with a local or another import

        def pick(j: int) -> str | None:
            free = [fn for fn in modules[j].functions if fn not in taken]
            if not free:
                return None
            taken.add(fn := rng.choice(free))
            return fn

        for j in sorted(rng.sample(earlier, wanted)):
            relative = rng.random() < 0.5
            if (fn := pick(j)) is not None:
                m.siblings.append((j, fn, relative))
        if m.index > 200 and rng.random() < 0.05:
            j = rng.randrange(0, m.index - 100)
            if all(j != s for s, _, _ in m.siblings) and (fn := pick(j)) is not None:
                m.siblings.append((j, fn, False))
        for j, _, _ in m.siblings:
            modules[j].imported_by += 1
        m.unused_import = rng.random() < UNUSED_IMPORT_SHARE
        m.unused_variable = rng.random() < UNUSED_VARIABLE_SHARE

    # The body-edit target: a module outside the other scenarios' sets.
    shared_set = set(shared)
    candidates = [m.index for m in modules if m.index not in shared_set]
    body = rng.choice(candidates) if candidates else 0

    # The disk-change set: modules nobody imports and that do not import shared_helper first,
    # then modules nobody imports, then any (never the body-edit target).
    disk_count = min(1000, len(modules) // 2)
    tiers = [
        [m.index for m in modules if m.imported_by == 0 and m.index not in shared_set],
        [m.index for m in modules if m.imported_by == 0 and m.index in shared_set],
        [m.index for m in modules if m.imported_by > 0],
    ]
    disk: list[int] = []
    for tier in tiers:
        tier = [i for i in tier if i != body]
        need = disk_count - len(disk)
        if need <= 0:
            break
        disk += rng.sample(tier, min(need, len(tier)))
    disk.sort()
    plan = {"shared": shared, "body": body, "disk": disk}
    return paths, modules, plan


def _words(rng: random.Random, k: int) -> str:
    return " ".join(rng.choice(NOUNS + VERBS + TOPICS) for _ in range(k))


def _function(rng: random.Random, name: str, calls: list[str], unused: bool) -> list[str]:
    """A function of uniform signature `(items: list[int], scale: int = 1) -> int`, ending in
    `    return total`; `calls` are statements (indented by 8) that add to `total`."""
    out = [f"def {name}(items: list[int], scale: int = 1) -> int:",
           f'    """{name.replace("_", " ").capitalize()} of the given {rng.choice(NOUNS)}.',
           "",
           f"    {rng.choice(SENTENCES)}",
           '    """',
           "    total = 0"]
    if unused:
        out.append("    unused_value = len(items) * scale")
    shape = rng.randrange(4)
    if shape == 0:
        out += ["    for index, item in enumerate(items):",
                f"        if item % {rng.randint(2, 9)} == 0:",
                "            total += item * scale",
                f"        elif index > {rng.randint(10, 90)}:",
                "            break",
                "        else:",
                "            total -= 1"]
    elif shape == 1:
        out += [f"    # Keep only the {rng.choice(NOUNS)} above the threshold.",
                f"    kept = [item for item in items if item > {rng.randint(0, 50)}]",
                "    if not kept:",
                "        return 0",
                "    total += sum(kept) // max(1, len(kept)) * scale"]
    elif shape == 2:
        out += ["    seen: set[int] = set()",
                "    for item in items:",
                "        if item in seen:",
                "            continue",
                "        seen.add(item)",
                f"        total += item if item < {rng.randint(20, 200)} else scale"]
    else:
        out += ["    counts: dict[int, int] = {}",
                "    for item in items:",
                f"        key = item % {rng.randint(3, 17)}",
                "        counts[key] = counts.get(key, 0) + 1",
                "    for key, value in sorted(counts.items()):",
                "        total += key * value * scale"]
    if calls:
        out.append(f"    # Fold in the {rng.choice(TOPICS)} adjustments.")
        out += ["    if total > 0:"] + calls + ["    else:", "        total += scale"]
    out.append(f'    logger.debug("{name}: %d", total)')
    out.append("    return total")
    return out


def _class(rng: random.Random, name: str, uses_record: bool) -> list[str]:
    out = ["@dataclass",
           f"class {name}:",
           f'    """Keeps track of {rng.choice(NOUNS)} for the {rng.choice(TOPICS)} pipeline."""',
           "",
           "    name: str",
           f"    limit: int = {rng.randint(5, 50)}",
           "    seen: list[int] = field(default_factory=list)",
           "",
           "    def process(self, items: list[int]) -> int:",
           f'        """Records the {rng.choice(NOUNS)} above the limit; returns how many."""',
           "        count = 0",
           "        for item in items:",
           "            if item > self.limit:",
           "                self.seen.append(item)",
           "                count += 1",
           "        return count",
           "",
           "    def reset(self) -> None:",
           '        """Forgets everything seen so far."""',
           "        self.seen.clear()"]
    if uses_record:
        out += ["",
                "    def to_record(self) -> Record:",
                '        """The summary as a core record."""',
                "        return Record(name=self.name, value=len(self.seen))"]
    return out


def render_module(m: SynthModule, modules: list[SynthModule], seed: int) -> str:
    rng = random.Random(seed * 1_000_003 + m.index)
    target = rng.randint(50, 250)
    topic = rng.choice(TOPICS)
    lines = [f'"""{topic.capitalize()} helpers: {_words(rng, 4)}.',
             "",
             rng.choice(SENTENCES),
             rng.choice(SENTENCES),
             '"""',
             "",
             "import logging"]
    if m.unused_import:
        lines.append("import re")
    lines.append("from dataclasses import dataclass, field")
    lines.append("")
    by_module: dict[str, list[str]] = {}
    for key in m.core:
        mod, name = key.rsplit(".", 1)
        by_module.setdefault(mod, []).append(name)
    for mod in sorted(by_module):
        lines.append(f"from {mod} import {', '.join(sorted(by_module[mod]))}")
    for j, fn, relative in m.siblings:
        other = modules[j]
        same_sub = other.path.rsplit("/", 1)[0] == m.path.rsplit("/", 1)[0]
        if relative and same_sub:
            lines.append(f"from .{other.dotted.rsplit('.', 1)[1]} import {fn}")
        else:
            lines.append(f"from {other.dotted} import {fn}")
    lines += ["", "logger = logging.getLogger(__name__)", "",
              f"DEFAULT_LIMIT = {rng.randint(10, 500)}",
              f'DEFAULT_NAME = "{topic}"', "", ""]

    # Statements using every imported name, spread over the functions.
    uses: list[str] = []
    for key in m.core:
        if key == "core.api.shared_helper":
            uses.append("        total += shared_helper(total, factor=scale)")
        elif key == "core.models.Record":
            uses.append('        total += Record(name=DEFAULT_NAME, value=total).value')
        elif key == "core.util.chunked":
            uses.append("        total += sum(len(batch) for batch in chunked(items, 8))")
        elif key == "core.config.get_setting":
            uses.append('        total += get_setting("limit", DEFAULT_LIMIT)')
        elif key == "core.api.ApiClient":
            uses.append('        total += ApiClient("https://example.invalid").fetch("count")')
    for _, fn, _ in m.siblings:
        uses.append(f"        total += {fn}(items, scale)")
    rng.shuffle(uses)

    functions = list(m.functions)
    per_function = [[] for _ in functions]
    for k, use in enumerate(uses):
        per_function[k % len(functions)].append(use)
    unused_at = rng.randrange(len(functions)) if m.unused_variable else -1
    uses_record = "core.models.Record" in m.core
    for k, name in enumerate(functions):
        lines += _function(rng, name, per_function[k], k == unused_at)
        lines += ["", ""]
        if k == 0 or len(lines) < target:
            class_name = f"{rng.choice(NOUNS).capitalize()}{rng.choice(ROLES)}{k}"
            lines += _class(rng, class_name, uses_record) + ["", ""]
    while len(lines) < target:
        extra = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{len(lines)}"
        lines += _function(rng, extra, [], False) + ["", ""]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


CORE_SOURCES = {
    "core/__init__.py": '''"""Core services shared by every package of the synthetic workspace."""

VERSION = "1.0"
''',
    "core/api.py": '''"""The public API helpers every package calls.

`shared_helper` is imported by an exact, known set of modules (see synthetic.json): renaming it
breaks exactly those imports.
"""

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

DEFAULT_FACTOR = 2


def shared_helper(value: int, *, factor: int = DEFAULT_FACTOR) -> int:
    """Scales `value` by `factor`, clamped at zero."""
    if value < 0:
        return 0
    return value * factor


@dataclass
class ApiClient:
    """A client for the (imaginary) upstream service."""

    base_url: str
    timeout: float = 5.0
    calls: list[str] = field(default_factory=list)

    def fetch(self, key: str) -> int:
        """Returns a number for `key`; here, its length."""
        self.calls.append(key)
        logger.debug("fetch %s from %s", key, self.base_url)
        return len(key)

    def reset(self) -> None:
        """Forgets the calls made so far."""
        self.calls.clear()


def ping(client: ApiClient) -> bool:
    """Whether the client answers."""
    return client.fetch("ping") > 0
''',
    "core/models.py": '''"""Plain data records passed between packages."""

from dataclasses import dataclass, field


@dataclass
class Record:
    """One named value."""

    name: str
    value: int = 0
    tags: list[str] = field(default_factory=list)

    def bump(self, by: int = 1) -> int:
        """Adds `by` to the value and returns the new value."""
        self.value += by
        return self.value


@dataclass
class Batch:
    """A list of records with a label."""

    label: str
    records: list[Record] = field(default_factory=list)

    def total(self) -> int:
        """The sum of the records' values."""
        return sum(record.value for record in self.records)
''',
    "core/util.py": '''"""Small utilities."""


def chunked(items: list[int], size: int) -> list[list[int]]:
    """`items` in consecutive slices of at most `size` elements."""
    if size < 1:
        raise ValueError("size must be positive")
    return [items[start:start + size] for start in range(0, len(items), size)]


def clamp(value: int, low: int, high: int) -> int:
    """`value` limited to `[low, high]`."""
    return max(low, min(high, value))
''',
    "core/config.py": '''"""Settings with defaults."""

_SETTINGS: dict[str, int] = {"limit": 100, "retries": 3}


def get_setting(name: str, default: int) -> int:
    """The setting `name`, or `default` if it is not set."""
    return _SETTINGS.get(name, default)


def set_setting(name: str, value: int) -> None:
    """Sets `name` for the rest of the process."""
    _SETTINGS[name] = value
''',
}


def write_synthetic(n: int, force: bool, seed: int) -> int:
    """Writes benches/workspaces/synthetic-N/ and its manifest synthetic.json.

    Manifest keys (all paths relative to the workspace root, `/`-separated; lines and
    characters 0-based, characters in UTF-16 code units, which equal bytes here as the files
    are ASCII):

    - `format` (1), `seed`, `files` (number of `.py` files, = N), `modules` (the `modNNN.py`
      files among them), `layout`.
    - `rename`: `path` (`core/api.py`), `module` (`core.api`), `name` (`shared_helper`), `line`
      and `character` where to insert `x` to rename the definition (the end of the name in
      `def shared_helper(`), `line_text`, and `importers`: every file doing
      `from core.api import shared_helper` (min(1000, N // 2, modules) of them, sorted). No other
      file mentions the name.
    - `core_importers`: for each core name (`core.api.shared_helper`, `core.models.Record`, ...),
      the sorted list of files importing it with `from <module> import <name>`.
    - `body_edit`: `path`, `line`, `character` (end of the line), `line_text`
      (`    return total`, inside the first function of a module outside the other sets),
      `insert` (`x`): inserting it makes `return totalx`, an undefined name.
    - `disk_change`: `files` (min(1000, modules // 2) modules, sorted), `insert_line` (the line
      to put at the top of each, an unused `import os`), `selection` (how they were chosen),
      `imported_by_others` and `shared_helper_importers` (how many of them are).
    - `findings`: `unused_import` / `unused_variable`: how many modules carry a deliberate
      unused `import re` / unused local `unused_value`.
    """
    target = WORKSPACES / f"synthetic-{n}"
    if target.exists():
        if not force:
            print(f"make-workspace: {target} exists (use --force to rebuild)")
            return 0
        shutil.rmtree(target)
    started = time.perf_counter()
    paths, modules, plan = plan_synthetic(n, seed)
    by_path = {m.path: m for m in modules}
    body = modules[plan["body"]] if modules else None
    target.mkdir(parents=True)
    made: set[Path] = set()
    for path in paths:
        file = target / path
        if file.parent not in made:
            file.parent.mkdir(parents=True, exist_ok=True)
            made.add(file.parent)
        if path in CORE_SOURCES:
            text = CORE_SOURCES[path]
        elif path in by_path:
            m = by_path[path]
            text = render_module(m, modules, seed)
        else:
            package = path[:-len("/__init__.py")].replace("/", ".")
            text = f'"""The `{package}` package."""\n'
        file.write_text(text)
    (target / "pyproject.toml").write_text(
        f'[project]\nname = "synthetic-{n}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n')

    api_lines = CORE_SOURCES["core/api.py"].split("\n")
    def_line = next(i for i, line in enumerate(api_lines) if line.startswith("def shared_helper("))
    core_importers = {"core.api.shared_helper": [], **{key: [] for key in CORE_SHARES}}
    for m in modules:
        for key in m.core:
            core_importers[key].append(m.path)
    manifest: dict = {
        "format": 1,
        "seed": seed,
        "files": len(paths),
        "modules": len(modules),
        "layout": f"core/ (5 files); pkgNNN/subNN/modNNN.py, {SUBS_PER_PKG} subpackages of "
                  f"{MODS_PER_SUB} modules per package, with __init__.py files",
        "rename": {
            "path": "core/api.py",
            "module": "core.api",
            "name": "shared_helper",
            "line": def_line,
            "character": len("def shared_helper"),
            "line_text": api_lines[def_line],
            "importers": [modules[i].path for i in plan["shared"]],
        },
        "core_importers": core_importers,
    }
    if body is not None:
        body_lines = (target / body.path).read_text().split("\n")
        line = next(i for i, text in enumerate(body_lines) if text == "    return total")
        manifest["body_edit"] = {"path": body.path, "line": line,
                                 "character": len(body_lines[line]),
                                 "line_text": body_lines[line], "insert": "x"}
    disk = [modules[i] for i in plan["disk"]]
    shared = set(plan["shared"])
    manifest["disk_change"] = {
        "files": [m.path for m in disk],
        "insert_line": DISK_MARKER,
        "selection": "modules no other file imports and that do not import shared_helper "
                     "first, then modules no other file imports, then any (never the body-edit "
                     "file); seeded sample",
        "imported_by_others": sum(1 for m in disk if m.imported_by > 0),
        "shared_helper_importers": sum(1 for m in disk if m.index in shared),
    }
    manifest["findings"] = {
        "unused_import": sum(1 for m in modules if m.unused_import),
        "unused_variable": sum(1 for m in modules if m.unused_variable),
    }
    (target / "synthetic.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"make-workspace: {target} ready ({len(paths)} Python files, {len(modules)} modules, "
          f"{len(manifest['rename']['importers'])} import shared_helper, "
          f"{time.perf_counter() - started:.1f} s)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of the corpus (default 4)")
    parser.add_argument("--synthetic", type=int, metavar="N",
                        help="write N generated files to benches/workspaces/synthetic-N/ instead")
    parser.add_argument("--seed", type=int, default=SYNTHETIC_SEED,
                        help=f"seed of --synthetic (default {SYNTHETIC_SEED})")
    parser.add_argument("--force", action="store_true", help="rebuild an existing workspace")
    args = parser.parse_args()
    if args.synthetic is not None:
        if args.synthetic < 10:
            parser.error("--synthetic needs at least 10 files")
        return write_synthetic(args.synthetic, args.force, args.seed)

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
