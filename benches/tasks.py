#!/usr/bin/env python3
"""A no-change run with tasks, measured beside the same run without them and beside mypy's own
warm run, on one workspace (django by default), in one session.

    benches/fetch-corpus.sh && benches/setup-tools.sh && cargo build --release -p ripple
    python3 benches/tasks.py --rounds 5

The workspace is a hard-linked copy of the corpus with a `ripple.toml` defining one mypy task
over `--files` (default every `.py` file), mypy from .venv-tools, one process (`jobs = 1`). The
files Python 3.11 cannot parse (django holds one on purpose, on which mypy stops with exit 2 and
checks nothing) are left out by ripple's `exclude`, for both runs, and from mypy's own run.
Measured, each the median of `--rounds`, runs interleaved in an order that rotates each round:

- `ripple check` warm, without tasks (its cache filled first);
- `ripple check --tasks` warm: every mypy result replayed from the cache, no process started;
- `mypy` warm: the same files and flags, its `.mypy_cache` filled by a first run.

The cold runs that fill the caches are timed once. Output: markdown on stdout and in
benches/results/tasks-<corpus>.md.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MYPY = REPO / ".venv-tools" / "bin" / "mypy"
MYPY_FLAGS = ["-O", "json", "--follow-imports=silent", "--ignore-missing-imports",
              "--explicit-package-bases", "--no-error-summary"]


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, done.returncode, done.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", default=str(REPO / "benches/corpus/django-5.2.19"))
    ap.add_argument("--files", default="**/*.py", help="the mypy task's `files` glob")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--ripple", default=str(REPO / "target/release/ripple"))
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not MYPY.exists() or not Path(args.ripple).exists() or not corpus.is_dir():
        print("needs benches/setup-tools.sh, benches/fetch-corpus.sh and a release build",
              file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="ripple-tasks-bench-"))
    try:
        workspace = scratch / corpus.name
        shutil.copytree(corpus, workspace, copy_function=os.link)
        unparsable = []
        for path in sorted(workspace.glob(args.files)):
            try:
                ast.parse(path.read_bytes(), str(path))
            except (SyntaxError, ValueError):
                unparsable.append(str(path.relative_to(workspace)))
        (workspace / "ripple.toml").write_text(
            f"exclude = {json.dumps(unparsable)}\n"
            "[tasks.mypy]\n"
            f"command = {json.dumps([str(MYPY), *MYPY_FLAGS, '{files}'])}\n"
            f"files = [{json.dumps(args.files)}]\n"
            "format = \"mypy-json\"\njobs = 1\ntimeout = \"30m\"\n")
        env = dict(os.environ, RIPPLE_TRUST="1", RIPPLE_CACHE_DIR=str(scratch / "cache"),
                   MYPY_CACHE_DIR=str(scratch / "mypy-cache"))
        ripple = [args.ripple, "check", "--format", "json"]
        plain_cold, _, _ = timed(ripple, workspace, env)
        tasks_cold, _, out = timed([*ripple, "--tasks"], workspace, env)
        report = json.loads(out)
        mypy_task = report["summary"]["tasks"]["mypy"]
        findings = sum(1 for d in report["diagnostics"] if d["source"] == "mypy")
        failed = [d["message"][:300] for d in report["diagnostics"] if d["code"] == "task-failed"]
        targets = [str(p.relative_to(workspace)) for p in sorted(workspace.glob(args.files))
                   if p.is_file() and str(p.relative_to(workspace)) not in unparsable]
        (scratch / "targets").write_text("\n".join(targets))
        mypy_command = [str(MYPY), *MYPY_FLAGS, *targets]
        # mypy on its own keeps its own cache: the task's runs filled the other one.
        mypy_env = dict(env, MYPY_CACHE_DIR=str(scratch / "mypy-own-cache"))
        mypy_cold, mypy_code, _ = timed(mypy_command, workspace, mypy_env)
        # Settle the stat fast path (files older than 3 s at the previous run's index).
        time.sleep(3.5)
        timed(ripple, workspace, env)
        rounds: dict[str, list[float]] = {"plain": [], "tasks": [], "mypy": []}
        runs_seen = []
        commands = {
            "plain": (ripple, env),
            "tasks": ([*ripple, "--tasks"], env),
            "mypy": (mypy_command, mypy_env),
        }
        order = ["plain", "tasks", "mypy"]
        for round_index in range(args.rounds):
            # The order rotates each round: whatever runs right after mypy (half a second of
            # CPU, its caches) runs slower, and a fixed order favoured one side of the ratio.
            for name in order[round_index % 3:] + order[:round_index % 3]:
                command, command_env = commands[name]
                seconds, _, out = timed(command, workspace, command_env)
                rounds[name].append(seconds)
                if name == "tasks":
                    runs_seen.append(json.loads(out)["summary"]["tasks"]["mypy"]["runs"])
        median = {name: statistics.median(times) for name, times in rounds.items()}
        lines = [
            f"### A no-change run with a mypy task: {corpus.name}",
            "",
            f"`python3 benches/tasks.py --rounds {args.rounds}` ({len(targets)} mypy targets, "
            f"`{args.files}`, leaving out {len(unparsable)} unparsable; {mypy_task['targets']} ripple targets; mypy exit {mypy_code}, "
            f"{findings} mypy findings; medians of {args.rounds}):",
            "",
            "| run | seconds | ratio |",
            "|---|---:|---:|",
            f"| ripple check, warm, no tasks | {median['plain']:.3f} | 1.00x |",
            f"| ripple check --tasks, warm (mypy replayed; runs per round {runs_seen}) | "
            f"{median['tasks']:.3f} | {median['tasks'] / median['plain']:.2f}x |",
            f"| mypy, warm (.mypy_cache) | {median['mypy']:.3f} | "
            f"{median['mypy'] / median['plain']:.2f}x |",
            "",
            f"Cold, once: ripple check {plain_cold:.2f} s; ripple check --tasks (runs mypy on "
            f"{mypy_task['runs']} targets in {mypy_task['processes']} process) {tasks_cold:.2f} s; "
            f"mypy with an empty cache {mypy_cold:.2f} s.",
        ]
        if failed:
            lines += ["", f"Task failures: {failed}"]
        text = "\n".join(lines) + "\n"
        print(text)
        results = REPO / "benches" / "results"
        results.mkdir(parents=True, exist_ok=True)
        (results / f"tasks-{corpus.name}.md").write_text(text)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
