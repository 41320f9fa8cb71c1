#!/usr/bin/env python3
"""Is `ripple affected` safe? For each pair of consecutive states of a git history, every file
whose `ripple check --no-cache` output differs between the two must be among the files
`ripple affected --since OLD` reports in the new state. Also reports how much smaller the
affected set is than the workspace.

    # A generated history (what `scripts/test` runs): random edits, new, deleted, renamed and
    # moved modules, imports that come and go, packages losing or gaining `__init__.py`,
    # configuration changes; some states are left uncommitted (staged, unstaged, untracked).
    python3 tests/affected_safety.py --ripple target/debug/ripple --generated 60 --seed 7

    # A real history: the last N first-parent commits of a repository (benches/README.md).
    python3 tests/affected_safety.py --ripple target/release/ripple --repo PATH --commits 200

Exit status 1 when any state is unsafe (the files missed are printed), 2 on a usage error.
The cache directory is kept across the states, and each state is checked with it after it is
judged, as a CI job that keeps `.ripple_cache` does: `affected` then starts from the results of
the state before.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE_SUFFIXES = (".py", ".pyi")


def run(command: list[str], cwd: Path, stdin: bytes | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=600)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} in {cwd} exited {done.returncode}:\n"
                           f"{done.stderr.decode(errors='replace')}")
    return done


def git(cwd: Path, *arguments: str) -> str:
    return run(["git", *arguments], cwd).stdout.decode()


def findings(ripple: str, root: Path) -> dict[str, list]:
    """Each source file's findings as `ripple check --no-cache` reports them."""
    done = run([ripple, "check", "--no-cache", "--format", "json"], root, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ripple check failed in {root}: {done.stderr.decode()}")
    per_file: dict[str, list] = {}
    for diagnostic in json.loads(done.stdout)["diagnostics"]:
        if diagnostic["path"].endswith(SOURCE_SUFFIXES):
            per_file.setdefault(diagnostic["path"], []).append(
                (diagnostic["range"]["start"]["line"], diagnostic["range"]["start"]["character"],
                 diagnostic["code"], diagnostic["message"]))
    return per_file


def source_files(root: Path) -> set[str]:
    listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return {path for path in listed.split("\0")
            if path.endswith(SOURCE_SUFFIXES) and (root / path).is_file()}


class Unsafe(Exception):
    pass


class Tally:
    def __init__(self) -> None:
        self.stop = False
        self.states = 0
        self.unsafe: list[tuple[str, list[str]]] = []
        self.fractions: list[float] = []
        self.changed_outputs = 0
        self.everything: dict[str, int] = {}

    def judge(self, label: str, before: dict, after: dict, now_files: set[str],
              answer: dict) -> None:
        affected = answer["affected"]
        if answer.get("everything"):
            why = answer["everything"]
            self.everything[why] = self.everything.get(why, 0) + 1
        self.states += 1
        differing = sorted(path for path in now_files
                           if before.get(path, []) != after.get(path, []))
        self.changed_outputs += len(differing)
        missed = [path for path in differing if path not in set(affected)]
        if missed:
            self.unsafe.append((label, missed))
            if self.stop:
                raise Unsafe
        if now_files:
            self.fractions.append(len(affected) / len(now_files))

    def report(self) -> str:
        mean = statistics.mean(self.fractions) if self.fractions else 0.0
        median = statistics.median(self.fractions) if self.fractions else 0.0
        lines = [f"{self.states} states; files whose output changed: {self.changed_outputs}; "
                 f"unsafe states: {len(self.unsafe)}; affected / workspace: mean {mean:.1%}, "
                 f"median {median:.1%}"]
        if self.everything:
            lines.append(f"states where every file was affected: {sum(self.everything.values())}")
            for why, count in sorted(self.everything.items(), key=lambda item: -item[1])[:5]:
                lines.append(f"  {count} x {why}")
        for label, missed in self.unsafe[:20]:
            lines.append(f"  UNSAFE {label}: not reported affected: {missed}")
        return "\n".join(lines)


def affected_since(ripple: str, root: Path, revision: str, cache: Path) -> dict:
    done = run([ripple, "affected", "--since", revision, "--format", "json",
                "--cache-dir", str(cache)], root)
    return json.loads(done.stdout)


def keep_results(ripple: str, root: Path, cache: Path) -> None:
    """A check of the state with the cache, as a CI run of each commit does: the next state's
    `affected` finds this state's results (and, after files came or went, their interfaces)."""
    done = run([ripple, "check", "--cache-dir", str(cache)], root, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ripple check failed in {root}: {done.stderr.decode()}")


# ----- generated histories ------------------------------------------------------------------

class Generator:
    """A small Python project, changed at random in the ways that move imports."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.counter = 0

    def name(self) -> str:
        self.counter += 1
        return f"m{self.counter}"

    def modules(self) -> list[Path]:
        return sorted(path for path in self.root.rglob("*.py")
                      if ".git" not in path.parts and path.name not in ("conftest.py",))

    def module_name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def defined(self, path: Path) -> list[str]:
        return [line.split()[1].split("(")[0] for line in path.read_text().splitlines()
                if line.startswith("def ")]

    def write_module(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        functions = [f"f{self.rng.randrange(6)}" for _ in range(self.rng.randrange(1, 4))]
        body = [f"def {name}():\n    return {self.rng.randrange(100)}\n"
                for name in sorted(set(functions))]
        path.write_text("\n".join(self.import_lines(path) + body))

    def import_lines(self, path: Path) -> list[str]:
        others = [other for other in self.modules() if other != path]
        lines = []
        for other in self.rng.sample(others, min(len(others), self.rng.randrange(0, 3))):
            module = self.module_name(other)
            if not module:
                continue
            names = self.defined(other) or ["f0"]
            style = self.rng.randrange(4)
            if style == 0:
                lines.append(f"import {module}\n")
            elif style == 1 or "." not in module:
                lines.append(f"from {module} import {self.rng.choice(names)}\n")
            else:
                package, _, leaf = module.rpartition(".")
                lines.append(f"from {package} import {leaf}\n")
        if self.rng.random() < 0.15:
            lines.append(f"import missing_{self.rng.randrange(3)}\n")
        return lines

    def setup(self) -> None:
        (self.root / "ripple.toml").write_text('select = []\n')
        for package in ("app", "lib", "lib/sub", "tests"):
            (self.root / package).mkdir(parents=True, exist_ok=True)
            if package != "tests":
                (self.root / package / "__init__.py").write_text("")
        (self.root / "tests" / "conftest.py").write_text("import lib\n")
        for _ in range(18):
            folder = self.rng.choice(["app", "lib", "lib/sub", "tests", "."])
            prefix = "test_" if folder == "tests" else ""
            self.write_module(self.root / folder / f"{prefix}{self.name()}.py")

    def mutate(self) -> str:
        modules = self.modules()
        plain = [path for path in modules if path.name != "__init__.py"]
        kind = self.rng.choice(["body", "body", "names", "names", "imports", "add", "delete",
                                "rename", "move", "init", "star", "config", "missing"])
        target = self.rng.choice(plain)
        if kind == "body":
            text = target.read_text().replace("return ", f"return {self.rng.randrange(9)} + ", 1)
            target.write_text(text)
        elif kind == "names":
            self.write_module(target)  # new function names, new imports
        elif kind == "imports":
            target.write_text("".join(self.import_lines(target)) + target.read_text())
        elif kind == "add":
            folder = self.rng.choice(["app", "lib", "lib/sub", "tests", ".", "newpkg"])
            self.write_module(self.root / folder / f"{self.name()}.py")
        elif kind == "delete":
            git(self.root, "rm", "-q", "--cached", "--ignore-unmatch", str(target))
            target.unlink()
        elif kind in ("rename", "move"):
            folder = target.parent if kind == "rename" else self.root / self.rng.choice(
                ["app", "lib", "lib/sub", "."])
            destination = folder / f"{self.name()}.py"
            destination.parent.mkdir(parents=True, exist_ok=True)
            target.rename(destination)
        elif kind == "init":
            init = self.root / self.rng.choice(["app", "lib", "lib/sub", "newpkg"]) / "__init__.py"
            if init.exists():
                init.unlink()
            else:
                init.parent.mkdir(parents=True, exist_ok=True)
                init.write_text(f"from .{self.name()} import f0\n" if self.rng.random() < 0.3
                                else "")
        elif kind == "star":
            other = self.rng.choice(plain)
            if other != target and self.module_name(other):
                target.write_text(f"from {self.module_name(other)} import *\n"
                                  + target.read_text())
        elif kind == "config":
            choice = self.rng.choice(['select = []\n', 'ignore = ["unused-import"]\n'])
            (self.root / "ripple.toml").write_text(choice)
        elif kind == "missing":
            # Create a module some file imports but that does not exist.
            (self.root / f"missing_{self.rng.randrange(3)}.py").write_text("x = 1\n")
        # Git tracks no folder: one emptied here would not exist in a checkout of the commit,
        # and an empty folder is a namespace package to Python (and to ripple).
        for folder in sorted(self.root.rglob("*"), key=lambda path: -len(path.parts)):
            if folder.is_dir() and ".git" not in folder.parts and not any(folder.iterdir()):
                folder.rmdir()
        return f"{kind} {target.relative_to(self.root)}"


def generated(ripple: str, states: int, seed: int, tally: Tally, scratch: Path) -> None:
    root = scratch / "repo"
    root.mkdir()
    git(root, "init", "-q")
    for key, value in (("user.email", "t@example.invalid"), ("user.name", "test"),
                       ("commit.gpgsign", "false")):
        git(root, "config", key, value)
    rng = random.Random(seed)
    generator = Generator(root, rng)
    generator.setup()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    cache = scratch / "cache"
    for step in range(states):
        base = git(root, "rev-parse", "HEAD").strip()
        old = scratch / "old"
        shutil.rmtree(old, ignore_errors=True)
        old.mkdir()
        archive = run(["git", "archive", base], root).stdout
        run(["tar", "-x", "-C", str(old)], old, stdin=archive)
        before = findings(ripple, old)
        what = [generator.mutate() for _ in range(rng.randrange(1, 4))]
        # Committed, staged only, or left in the working tree (untracked files included).
        how = rng.choice(["commit", "commit", "stage", "tree"])
        if how in ("commit", "stage"):
            git(root, "add", "-A")
        if how == "commit":
            git(root, "commit", "-qm", f"step {step}", "--allow-empty")
        after = findings(ripple, root)
        answer = affected_since(ripple, root, base, cache)
        tally.judge(f"step {step} ({how}: {'; '.join(what)})", before, after,
                    source_files(root), answer)
        if how != "commit":
            git(root, "add", "-A")
            git(root, "commit", "-qm", f"step {step}", "--allow-empty")
        keep_results(ripple, root, cache)


# ----- real histories -----------------------------------------------------------------------

def real(ripple: str, repository: Path, commits: int, tally: Tally, scratch: Path) -> None:
    clone = scratch / "clone"
    run(["git", "clone", "-q", "--no-checkout", "--shared", str(repository), str(clone)],
        scratch)
    history = git(clone, "rev-list", "--first-parent", f"--max-count={commits + 1}",
                  "HEAD").split()
    history.reverse()
    old, new = scratch / "old", scratch / "new"
    run(["git", "worktree", "add", "-q", "--detach", str(old), history[0]], clone)
    run(["git", "worktree", "add", "-q", "--detach", str(new), history[0]], clone)
    cache = scratch / "cache"
    for parent, child in zip(history, history[1:]):
        git(old, "checkout", "-q", "--detach", parent)
        git(new, "checkout", "-q", "--detach", child)
        before = findings(ripple, old)
        after = findings(ripple, new)
        answer = affected_since(ripple, new, parent, cache)
        tally.judge(f"{parent[:10]}..{child[:10]}", before, after, source_files(new),
                    answer)
        keep_results(ripple, new, cache)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ripple", required=True)
    parser.add_argument("--generated", type=int, metavar="STATES")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--keep", action="store_true",
                        help="stop at the first unsafe state and keep its repository")
    args = parser.parse_args()
    if (args.generated is None) == (args.repo is None):
        parser.error("give --generated STATES or --repo PATH")
    ripple = str(Path(args.ripple).resolve())
    # Trust the stat index for files written just before it (a test knob of the binary's): the
    # states follow each other within milliseconds, and `affected` should start from the last
    # state's results as it does when commits are minutes apart.
    os.environ["RIPPLE_TEST_RACY_MARGIN_MS"] = "0"
    tally = Tally()
    scratch = Path(tempfile.mkdtemp(prefix="ripple-affected-"))
    tally.stop = args.keep
    try:
        if args.generated is not None:
            generated(ripple, args.generated, args.seed, tally, scratch)
        else:
            real(ripple, args.repo.resolve(), args.commits, tally, scratch)
    except Unsafe:
        print(f"kept: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    print(tally.report())
    return 1 if tally.unsafe else 0


if __name__ == "__main__":
    sys.exit(main())
