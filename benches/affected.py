#!/usr/bin/env python3
"""How fast is `ripple affected --since HEAD~1` on a large workspace, beside `git diff` alone and
beside the script people write by hand today (standard library `ast`)?

    cargo build --release -p ripple && cp target/release/ripple /tmp/ripple-bench
    python3 benches/affected.py --ripple /tmp/ripple-bench            # corpus-x4, 108k files

1. The workspace (default benches/workspaces/corpus-x4, which is not a git repository) is
   copied with hard links (`cp -al`) to SCRATCH/repo (default /tmp/ripple-affected-bench, on the
   same filesystem), `git init`, and everything committed as commit 1 (branch `base`); minutes
   at 108k files, done once: a later run reuses the repository when its `base` commit exists.
   Files the scenarios change are always written as new files (write, then rename), so the
   hard-linked originals never change; the script checks their hashes at the end.
2. Scenarios, each a branch with one commit on top of `base`:
   - `body`: a body edit of one module with importers (default
     copy1/django-5.2.19/django/utils/text.py, see BODY): a `pass` line with a comment inserted
     as the first statement of its first top-level function (after a docstring).
   - `fileset`: a file-set change: a new module added (NEW) and a module with importers deleted
     (DELETED); their importers' findings change (unresolved imports).
3. Per scenario: `git checkout` of the branch, 3.5 s of quiet (ripple trusts a recorded stat
   only once the file is older than 3 s: git's racily-clean rule), one `ripple check --format
   json --cache-dir DIR` with a fresh DIR (the store is then warm for commit 2), then `--rounds`
   rounds, each running in turn (the order rotating each round):
   - ripple: `ripple affected --since HEAD~1 --format json --cache-dir DIR`
   - git diff: `git diff --name-only HEAD~1`
   - ast script: `python3 benches/affected.py importers --since HEAD~1` (below)
   all from the repository's root, output to a temporary file. Wall time is perf_counter around
   fork/exec/wait4, CPU and peak RSS from wait4's rusage. Then, untimed: one ripple run under
   `/usr/bin/time -v` (its peak RSS), one with RIPPLE_LOG=debug (its phase timings, kept in
   SCRATCH/<scenario>-debug.log) and one with an empty cache directory (cold store).
4. The affected sets: ripple's `affected` against the script's; whether ripple's contains the
   script's, and the files only one of them lists.

The ast script (`importers`, standard library only, one process) does what users write by
hand: it lists every `.py`/`.pyi` file under the root (skipping dot-folders), reads the changed
files from `git diff --name-only REV` (plus untracked files from `git ls-files --others
--exclude-standard`), parses every file with `ast.parse` and walks the whole tree (`ast.walk`)
for `Import` and `ImportFrom` nodes, wherever they are (functions, `try`, `if TYPE_CHECKING`).
It resolves each import to workspace files:

- search roots of a file, in order: the folder Python or pytest would put first on sys.path for
  it (its own folder, or the first folder above it without `__init__.py`); its project folder
  (the first two levels under the root, such as `copy1/django-5.2.19`) and that folder's `src/`
  and `lib/` when they are not packages; the workspace root.
- `import a.b.c`: in the first root where `a.b.c` exists (a module `a/b/c.py`/`.pyi`, a
  package `a/b/c/__init__.py`, or a folder), an edge to that module's file(s), not to the
  parent packages' `__init__.py` (Python runs them too, but an edge to them from every module
  makes nearly every module of a project depend on everything its `__init__.py` imports, even
  inside functions). `from a.b import x`: the same for `a.b`, plus `a/b/x` when that is a
  submodule. If no root has the whole name, the longest prefix, in the first root that has
  one.
- relative imports (`from . import x`, `from ..m import y`) resolve from the file's package,
  `level - 1` folders up, with the same rules and no search roots.
- deleted files count as existing for resolution, so that their importers are found.

It then takes the transitive importers (the reverse graph's closure) of the changed files and
prints them, with the changed files still present, one a line. Syntax errors skip the file.

Output: markdown on stdout and in benches/results/affected-<workspace>.md, the raw runs in
affected-<workspace>.json. Python 3.11+, standard library only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benches" / "results"
SETTLE = 3.5
SUFFIXES = (".py", ".pyi")

# The scenarios' files, relative to the workspace (corpus-x4's layout).
BODY = "copy1/django-5.2.19/django/utils/text.py"
NEW = "copy1/sqlalchemy-2.1.9/lib/sqlalchemy/util/_bench_added.py"
DELETED = "copy1/django-5.2.19/django/utils/termcolors.py"
NEW_TEXT = '"""A module the benchmark adds."""\n\n\ndef added(value):\n    return value\n'


# ----- the ast script ----------------------------------------------------------------------------

def workspace_files(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        relative = os.path.relpath(folder, root)
        for name in files:
            if name.endswith(SUFFIXES):
                found.append(name if relative == "." else f"{relative}/{name}")
    return found


def git_lines(root: Path, *arguments: str) -> list[str]:
    out = subprocess.run(["git", *arguments, "-z"], cwd=root, check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return [line for line in out.split("\0") if line]


class Resolver:
    def __init__(self, files: set[str]):
        self.files = files
        self.dirs: set[str] = set()
        for path in files:
            parts = path.split("/")[:-1]
            for end in range(1, len(parts) + 1):
                self.dirs.add("/".join(parts[:end]))

    @staticmethod
    def join(folder: str, name: str) -> str:
        return name if folder in ("", ".") else f"{folder}/{name}"

    def init_of(self, folder: str) -> list[str]:
        return [p for p in (self.join(folder, "__init__.py"), self.join(folder, "__init__.pyi"))
                if p in self.files]

    def step(self, folder: str, name: str) -> tuple[list[str], str | None, bool]:
        """`name` in `folder`: its files, the folder to search its submodules in, found."""
        here = self.join(folder, name)
        modules = [p for p in (here + ".py", here + ".pyi") if p in self.files]
        if here in self.dirs:
            return self.init_of(here) + modules, here, True
        return modules, None, bool(modules)

    def walk(self, folder: str, parts: list[str]) -> tuple[list[str], int]:
        """The files of the module `parts` names from `folder` (of the longest prefix found),
        and how many parts were found."""
        edges: list[str] = []
        for index, part in enumerate(parts):
            files, inner, found = self.step(folder, part)
            if not found:
                return edges, index
            edges = files
            if inner is None:  # a module: nothing below it
                return edges, index + 1
            folder = inner
        return edges, len(parts)

    def absolute(self, roots: list[str], dotted: str) -> tuple[list[str], str | None]:
        """The files `dotted` runs, and the folder of the package it names (if one)."""
        parts = dotted.split(".")
        best: tuple[int, list[str], str] | None = None
        for root in roots:
            edges, found = self.walk(root, parts)
            if found == len(parts):
                folder = self.join(root, "/".join(parts))
                return edges, folder if folder in self.dirs else None
            if found and best is None:
                best = (found, edges, root)
        return (best[1] if best else []), None

    def relative(self, base: str, module: str | None) -> tuple[list[str], str | None]:
        if not module:
            return self.init_of(base), base
        parts = module.split(".")
        edges, found = self.walk(base, parts)
        folder = self.join(base, "/".join(parts))
        return edges, folder if found == len(parts) and folder in self.dirs else None


def search_roots(resolver: Resolver, path: str, projects: bool = True) -> list[str]:
    parts = path.split("/")
    folder = "/".join(parts[:-1])
    while folder and resolver.init_of(folder):
        folder = folder.rpartition("/")[0]
    roots = [folder]
    if projects and len(parts) > 2:
        project = "/".join(parts[:2])
        for layout in ("src", "lib"):
            candidate = f"{project}/{layout}"
            if candidate in resolver.dirs and not resolver.init_of(candidate):
                roots.append(candidate)
        roots.append(project)
    roots.append("")
    unique = []
    for root in roots:
        if root not in unique:
            unique.append(root)
    return unique


def imports_of(resolver: Resolver, root: Path, path: str, relative: bool = True,
               projects: bool = True) -> set[str] | None:
    try:
        tree = ast.parse((root / path).read_bytes(), path)
    except (SyntaxError, ValueError):
        return None
    roots = search_roots(resolver, path, projects)
    package = path.rpartition("/")[0]
    edges: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                edges.update(resolver.absolute(roots, alias.name)[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level and not relative:
                continue
            if node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition("/")[0]
                files, folder = resolver.relative(base, node.module)
            else:
                files, folder = resolver.absolute(roots, node.module or "")
            edges.update(files)
            if folder is not None:
                for alias in node.names:
                    if alias.name != "*":
                        edges.update(resolver.step(folder, alias.name)[0])
    edges.discard(path)
    return edges


def importers_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="affected.py importers",
                                 description="the ast script: transitive importers of a change")
    ap.add_argument("--since", required=True)
    ap.add_argument("--root", default=".")
    ap.add_argument("--stats", action="store_true", help="counts on stderr")
    ap.add_argument("--skip-relative", action="store_true",
                    help="leave relative imports out (to explain a difference with ripple)")
    ap.add_argument("--no-project-roots", action="store_true",
                    help="search roots: the file's script folder and the workspace root only "
                         "(to explain a difference with ripple)")
    args = ap.parse_args(argv)
    root = Path(args.root).resolve()
    changed = set(git_lines(root, "diff", "--name-only", args.since))
    changed |= set(git_lines(root, "ls-files", "--others", "--exclude-standard"))
    changed = {path for path in changed if path.endswith(SUFFIXES)}
    present = workspace_files(root)
    files = set(present)
    deleted = {path for path in changed if path not in files}
    resolver = Resolver(files | deleted)
    importers: dict[str, list[str]] = {}
    errors = 0
    for path in present:
        edges = imports_of(resolver, root, path, relative=not args.skip_relative,
                           projects=not args.no_project_roots)
        if edges is None:
            errors += 1
            continue
        for target in edges:
            importers.setdefault(target, []).append(path)
    reached = set(changed)
    todo = list(changed)
    while todo:
        for importer in importers.get(todo.pop(), ()):
            if importer not in reached:
                reached.add(importer)
                todo.append(importer)
    out = sorted(reached & files)
    sys.stdout.write("".join(f"{path}\n" for path in out))
    if args.stats:
        edges = sum(len(v) for v in importers.values())
        print(f"files {len(files)}, edges {edges}, syntax errors {errors}, changed "
              f"{len(changed)}, affected {len(out)}", file=sys.stderr)
    return 0


# ----- measuring ---------------------------------------------------------------------------------

def timed(command: list[str], cwd: Path, out: Path, env: dict | None = None,
          ok: tuple[int, ...] = (0,)) -> dict:
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{shlex.join(command)} exited {code}: "
                         f"{out.with_suffix('.err').read_text()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024}


def run(command: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, check=True, **kwargs)


def git(repo: Path, *arguments: str) -> str:
    return run(["git", *arguments], repo, stdout=subprocess.PIPE).stdout.decode()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(workspace: Path, repo: Path) -> float:
    """The git repository of a hard-linked copy, with commit 1 on branch `base`."""
    if (repo / ".git").is_dir():
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "base"], cwd=repo,
                              stdout=subprocess.PIPE)
        if done.returncode == 0:
            say(f"affected: reusing {repo}")
            git(repo, "checkout", "-q", "-f", "base")
            git(repo, "clean", "-qfd")
            return 0.0
        shutil.rmtree(repo)
    started = time.perf_counter()
    repo.parent.mkdir(parents=True, exist_ok=True)
    say(f"affected: cp -al {workspace} {repo}")
    run(["cp", "-al", str(workspace), str(repo)], REPO)
    git(repo, "init", "-q", "-b", "base")
    for key, value in (("user.email", "bench@example.invalid"), ("user.name", "bench"),
                       ("commit.gpgsign", "false"), ("gc.auto", "0")):
        git(repo, "config", key, value)
    say("affected: git add -A && git commit (commit 1; this takes a while)")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "commit 1: the workspace")
    return time.perf_counter() - started


def write_new(path: Path, data: bytes) -> None:
    """Writes a new file and renames it over `path`: a hard link's other names keep theirs."""
    temporary = path.with_name(path.name + ".bench-tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def body_edit(data: bytes) -> bytes:
    tree = ast.parse(data)
    function = next(node for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    body = function.body
    first = body[1] if (len(body) > 1 and isinstance(body[0], ast.Expr)
                        and isinstance(body[0].value, ast.Constant)) else body[0]
    lines = data.splitlines(keepends=True)
    indent = b" " * first.col_offset
    lines.insert(first.lineno - 1, indent + b"pass  # edited by benches/affected.py\n")
    return b"".join(lines)


def make_scenario(repo: Path, name: str, body: str, new: str, deleted: str) -> str:
    git(repo, "checkout", "-q", "-f", "-B", name, "base")
    if name == "body":
        path = repo / body
        write_new(path, body_edit(path.read_bytes()))
        what = f"body edit of `{body}`"
    else:
        (repo / new).write_text(NEW_TEXT)
        (repo / deleted).unlink()
        what = f"added `{new}`, deleted `{deleted}`"
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"commit 2: {what}")
    return what


def phases(log: str) -> list[str]:
    """The lines of a RIPPLE_LOG=debug run that carry a duration."""
    pattern = re.compile(r"\d+(\.\d+)?\s*(ms|s|µs|us)\b")
    return [line.strip() for line in log.splitlines() if pattern.search(line)][:40]


def bench_scenario(args, repo: Path, scratch: Path, name: str) -> dict:
    what = make_scenario(repo, name, args.body, args.new, args.deleted)
    say(f"affected: scenario {name}: {what}")
    time.sleep(SETTLE)
    cache = scratch / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    out = scratch / "out"
    out.mkdir(exist_ok=True)
    warm = timed([args.ripple, "check", "--format", "json", "--cache-dir", str(cache)], repo,
                 out / "check.json", ok=(0, 1))
    say(f"  warm-up ripple check: {warm['wall']:.2f} s")
    commands = {
        "ripple affected": [args.ripple, "affected", "--since", "HEAD~1", "--format", "json",
                            "--cache-dir", str(cache)],
        "git diff": ["git", "diff", "--name-only", "HEAD~1"],
        "ast script": [sys.executable, str(Path(__file__).resolve()), "importers", "--since",
                       "HEAD~1"],
    }
    runs: dict[str, list[dict]] = {tool: [] for tool in commands}
    outputs: dict[str, bytes] = {}
    tools = list(commands)
    for round_ in range(args.rounds):
        order = tools[round_ % len(tools):] + tools[:round_ % len(tools)]
        for tool in order:
            target = out / f"{tool.replace(' ', '-')}.txt"
            measured = timed(commands[tool], repo, target)
            runs[tool].append(measured)
            data = target.read_bytes()
            if tool in outputs and outputs[tool] != data:
                raise SystemExit(f"{tool} printed something else in round {round_ + 1}")
            outputs[tool] = data
        say(f"  round {round_ + 1}: " + ", ".join(f"{tool} {runs[tool][-1]['wall']:.3f} s"
                                                 for tool in tools))
    ripple_answer = json.loads(outputs["ripple affected"])
    script = set(outputs["ast script"].decode().split())
    ripple_set = set(ripple_answer["affected"])

    # Untimed: peak RSS under /usr/bin/time -v, phase timings, and a cold store.
    verbose = subprocess.run(["/usr/bin/time", "-v", *commands["ripple affected"]], cwd=repo,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", verbose.stderr)
    time_v_rss = int(match.group(1)) / 1024 if match else float("nan")
    debug = subprocess.run(commands["ripple affected"], cwd=repo, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True,
                           env=dict(os.environ, RIPPLE_LOG="debug"))
    (scratch / f"{name}-debug.log").write_text(debug.stderr)
    cold_cache = scratch / f"cache-{name}-cold"
    shutil.rmtree(cold_cache, ignore_errors=True)
    cold_command = [*commands["ripple affected"][:-1], str(cold_cache)]
    cold = timed(cold_command, repo, out / "cold.json")
    shutil.rmtree(cold_cache, ignore_errors=True)
    cold_set = set(json.loads((out / "cold.json").read_bytes())["affected"])
    # Untimed: the script with ripple's resolution rules, to explain the difference: no
    # relative imports (ripple leaves them unresolved in packages whose folder is not
    # importable from the workspace root, such as `django-5.2.19/`), and only the file's
    # script folder and the workspace root as search roots.
    narrow = subprocess.run([*commands["ast script"], "--skip-relative", "--no-project-roots"],
                            cwd=repo, check=True, stdout=subprocess.PIPE).stdout.decode().split()

    return {
        "scenario": name, "what": what, "warm_up_check": warm, "runs": runs,
        "commands": {tool: shlex.join(command) for tool, command in commands.items()},
        "changed": ripple_answer["changed"], "everything": ripple_answer.get("everything"),
        "git_diff": outputs["git diff"].decode().split(),
        "ripple_affected": len(ripple_set), "script_affected": len(script),
        "both": len(ripple_set & script), "only_script": sorted(script - ripple_set),
        "only_ripple_count": len(ripple_set - script),
        "only_ripple_sample": sorted(ripple_set - script)[:20],
        "ripple_contains_script": script <= ripple_set,
        "script_narrow": len(narrow),
        "ripple_contains_narrow": set(narrow) <= ripple_set,
        "only_narrow": sorted(set(narrow) - ripple_set)[:20],
        "only_ripple_vs_narrow": len(ripple_set - set(narrow)),
        "time_v_rss_mib": time_v_rss, "cold_store": cold, "cold_same_set": cold_set == ripple_set,
        "debug_phases": phases(debug.stderr),
    }


def median(values: list[float]) -> float:
    return statistics.median(values)


def render(results: list[dict], args, header: dict) -> str:
    lines = [
        f"### `ripple affected --since HEAD~1` on {header['workspace']}, beside `git diff` and "
        "an `ast` script",
        "",
        f"`{header['command']}`",
        "",
        f"{header['files']} files ({header['workspace']}, a hard-linked git copy); "
        f"{header['ripple']}; git {header['git']}; Python {platform.python_version()}; "
        f"{header['machine']}. Medians of {args.rounds} interleaved rounds (min-max).",
        "",
        "| scenario | command | wall s | CPU s | peak RSS MiB | affected files |",
        "|---|---|--:|--:|--:|--:|",
    ]
    for r in results:
        sizes = {"ripple affected": r["ripple_affected"], "git diff": len(r["git_diff"]),
                 "ast script": r["script_affected"]}
        for tool, runs in r["runs"].items():
            walls = [x["wall"] for x in runs]
            lines.append(
                f"| {r['scenario']} | `{tool}` | {median(walls):.3f} ({min(walls):.3f}-"
                f"{max(walls):.3f}) | {median(x['cpu'] for x in runs):.2f} | "
                f"{median(x['rss_mib'] for x in runs):.0f} | {sizes[tool]} |")
    lines += ["", "| scenario | ripple / git diff | script / ripple | ripple under 1 s "
              "| script / ripple >= 10 | ripple's set contains the script's | only script "
              "| only ripple | RSS (`time -v`) MiB | cold store s |",
              "|---|--:|--:|---|---|---|--:|--:|--:|--:|"]
    for r in results:
        m = {tool: median([x["wall"] for x in runs]) for tool, runs in r["runs"].items()}
        ratio_git = m["ripple affected"] / m["git diff"]
        ratio_script = m["ast script"] / m["ripple affected"]
        lines.append(
            f"| {r['scenario']} | {ratio_git:.1f}x | {ratio_script:.0f}x | "
            f"{'yes' if m['ripple affected'] < 1 else 'NO'} | "
            f"{'yes' if ratio_script >= 10 else 'NO'} | "
            f"{'yes' if r['ripple_contains_script'] else 'NO'} | {len(r['only_script'])} | "
            f"{r['only_ripple_count']} | {r['time_v_rss_mib']:.0f} | "
            f"{r['cold_store']['wall']:.2f}{'' if r['cold_same_set'] else ' (other set!)'} |")
    lines.append("")
    for r in results:
        lines.append(f"- {r['scenario']}: {r['what']}; changed {r['changed']}; warm-up "
                     f"`ripple check` {r['warm_up_check']['wall']:.1f} s"
                     + (f"; everything: {r['everything']}" if r["everything"] else ""))
        if r["only_script"]:
            lines.append(f"  - only the script ({len(r['only_script'])}, first 5): "
                         f"{r['only_script'][:5]}")
        lines.append(f"  - the script with ripple's resolution rules (`--skip-relative "
                     f"--no-project-roots`): {r['script_narrow']} files; ripple's set contains "
                     f"them: {'yes' if r['ripple_contains_narrow'] else 'NO'}"
                     + (f" (missing {r['only_narrow'][:5]})" if r["only_narrow"] else "")
                     + f"; only ripple: {r['only_ripple_vs_narrow']}")
        if r["only_ripple_sample"]:
            lines.append(f"  - only ripple (first of {r['only_ripple_count']}): "
                         f"{r['only_ripple_sample'][:5]}")
    lines += ["", "Commands (from the repository's root):", ""]
    for tool, command in results[0]["commands"].items():
        lines.append(f"- {tool}: `{command}`")
    lines += ["", "<details><summary>RIPPLE_LOG=debug lines with durations</summary>", ""]
    for r in results:
        lines.append(f"{r['scenario']}:")
        lines += ["```", *r["debug_phases"], "```"]
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{len(os.sched_getaffinity(0))} CPUs ({cpu}), {platform.system()} {platform.release()}"


def bench_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", default=str(REPO / "benches/workspaces/corpus-x4"))
    ap.add_argument("--ripple", default=str(REPO / "target/release/ripple"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scratch", default="/tmp/ripple-affected-bench")
    ap.add_argument("--scenarios", default="body,fileset")
    ap.add_argument("--body", default=BODY, help=f"the module edited (default {BODY})")
    ap.add_argument("--new", default=NEW, help=f"the module added (default {NEW})")
    ap.add_argument("--deleted", default=DELETED, help=f"the module deleted (default {DELETED})")
    ap.add_argument("--out", default=None)
    ap.add_argument("--prepare-only", action="store_true",
                    help="make the git repository (step 1) and stop")
    args = ap.parse_args(argv)
    workspace = Path(args.workspace).resolve()
    args.ripple = str(Path(args.ripple).resolve())
    scratch = Path(args.scratch).resolve()
    repo = scratch / "repo"
    originals = {path: digest(workspace / path) for path in (args.body, args.deleted)}
    setup_seconds = prepare(workspace, repo)
    if setup_seconds:
        say(f"affected: repository made in {setup_seconds:.0f} s")
    if args.prepare_only:
        return 0
    version = subprocess.run([args.ripple, "--version"], capture_output=True,
                             text=True).stdout.strip()
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(Path(args.ripple).stat().st_mtime))
    header = {
        "workspace": workspace.name,
        "command": shlex.join(["python3", "benches/affected.py", *argv]),
        "files": len(workspace_files(repo)),
        "ripple": f"{version} (`{args.ripple}`, built {built})",
        "git": git(repo, "--version").split()[-1],
        "machine": machine(),
    }
    # Every file read once, so that nobody pays for a cold page cache.
    for path in workspace_files(repo):
        (repo / path).read_bytes()
    results = []
    try:
        for name in args.scenarios.split(","):
            results.append(bench_scenario(args, repo, scratch, name))
    finally:
        git(repo, "checkout", "-q", "-f", "base")
        for path, before in originals.items():
            if digest(workspace / path) != before:
                say(f"affected: WARNING: {workspace / path} changed")
    text = render(results, args, header)
    print(text)
    out = Path(args.out) if args.out else RESULTS / f"affected-{workspace.name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(
        {"header": header, "setup_seconds": setup_seconds, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "importers":
        sys.exit(importers_main(sys.argv[2:]))
    sys.exit(bench_main(sys.argv[1:]))
