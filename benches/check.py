#!/usr/bin/env python3
"""Benchmark `ripple check` against ruff and pyflakes on a real corpus (django by default).

Each run executes the tools interleaved (ripple, ruff, pyflakes, ripple, ruff, pyflakes, ...) so
that drift on the machine (thermal, other load) hits every tool alike. For every execution it
records wall time (time.perf_counter around spawn and reap), CPU time (user + sys of the child) and
peak RSS of the child (ru_maxrss from os.wait4, KiB on Linux). It reports median, min and max per
tool, the ratios ripple/ruff and ripple/pyflakes, and how far ripple's findings agree with ruff's
(and pyflakes') on the pyflakes-class rules, keyed on (path, 1-based line, rule).

The timed ruff and ripple commands honour `# noqa` comments, as both tools do by default. Agreement
is reported twice: "noqa respected", from the timed runs, and "noqa ignored", from one extra untimed
run of each with --ignore-noqa (the stronger comparison, and the one pyflakes, which has no noqa
support, is compared in).

Python 3.11+, standard library only. See benches/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".venv-tools" / "bin"

# ruff code -> ripple code, for the rules that both tools (and pyflakes) implement.
RUFF_TO_RIPPLE = {
    "F401": "unused-import",
    "F811": "redefined-while-unused",
    "F821": "undefined-name",
    "F822": "undefined-export",
    "F823": "undefined-local",
    "F841": "unused-variable",
}
RIPPLE_TO_RUFF = {v: k for k, v in RUFF_TO_RIPPLE.items()}
CODES = list(RUFF_TO_RIPPLE)

# pyflakes prints "path:line:col: message"; the message text identifies the rule.
# Order matters: "undefined name 'x' in __all__" must match F822 before F821.
PYFLAKES_MESSAGES = [
    ("F401", re.compile(r" imported but unused$")),
    ("F811", re.compile(r"^redefinition of unused .* from line \d+$")),
    ("F822", re.compile(r"^undefined name .* in __all__$")),
    ("F821", re.compile(r"^undefined name ")),
    ("F823", re.compile(r"^local variable .* referenced before assignment$")),
    ("F841", re.compile(r"^local variable .* is assigned to but never used$")),
]
PYFLAKES_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?:(?P<col>\d+):?)? (?P<msg>.*)$")

# Runs pyflakes file by file in one process, surviving a crash (e.g. RecursionError) on any file.
PYFLAKES_DRIVER = r"""
import sys
from pyflakes import api, reporter
rep = reporter._makeDefaultReporter()
warnings = 0
crashed = 0
for path in api.iterSourceCode(sys.argv[1:]):
    try:
        warnings += api.checkPath(path, rep)
    except Exception as e:  # RecursionError is a RuntimeError
        crashed += 1
        sys.stderr.write(f"{path}: pyflakes crashed: {type(e).__name__}\n")
sys.stderr.write(f"pyflakes-driver: {crashed} file(s) crashed\n")
sys.exit(1 if warnings or crashed else 0)
"""

Key = tuple[str, int, str]  # (path relative to the corpus root, 1-based line, ruff code)


@dataclass
class Execution:
    tool: str
    wall: float
    cpu: float
    rss_kib: int
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Tool:
    name: str
    argv: list[str]
    ok_codes: tuple[int, ...]
    note: str = ""
    findings: int = 0
    runs: list[Execution] = field(default_factory=list)


def execute(name: str, argv: list[str], cwd: Path) -> Execution:
    """Spawn argv, reap it with os.wait4 and return its wall/CPU time, peak RSS and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from reaping again
        out.seek(0)
        err.seek(0)
        return Execution(
            tool=name,
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            rss_kib=usage.ru_maxrss,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def version_of(argv: list[str]) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except OSError as e:
        return f"unavailable ({e})"
    text = (r.stdout or r.stderr).strip().splitlines()
    return text[0] if text else f"unknown (exit {r.returncode})"


def machine() -> dict[str, str]:
    info = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": "unknown",
        "memory": "unknown",
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return info


def workspace_root(path: Path) -> Path:
    """The root ripple reports paths against: nearest ancestor with ripple.toml/pyproject.toml/.git."""
    for d in [path, *path.parents]:
        if any((d / marker).exists() for marker in ("ripple.toml", "pyproject.toml", ".git")):
            return d
    return path


def rel(path: Path, corpus: Path) -> str:
    return os.path.relpath(path, corpus).replace(os.sep, "/")


# ---------------------------------------------------------------------------- parsing findings


def ripple_keys(ex: Execution, corpus: Path) -> tuple[set[Key], int]:
    data = json.loads(ex.stdout)
    ripple_keys.files_checked = data.get("summary", {}).get("files")
    root = workspace_root(corpus)
    keys: set[Key] = set()
    diags = data.get("diagnostics", [])
    for d in diags:
        code = RIPPLE_TO_RUFF.get(d.get("code"))
        if code is None:
            continue
        line = d["range"]["start"]["line"] + 1
        keys.add((rel(root / d["path"], corpus), line, code))
    return keys, len(diags)


def ruff_keys(ex: Execution, corpus: Path) -> tuple[set[Key], int]:
    data = json.loads(ex.stdout)
    keys: set[Key] = set()
    for d in data:
        if d.get("code") in RUFF_TO_RIPPLE:
            keys.add((rel(Path(d["filename"]), corpus), d["location"]["row"], d["code"]))
    return keys, len(data)


def pyflakes_keys(ex: Execution, corpus: Path, cwd: Path) -> tuple[set[Key], int]:
    keys: set[Key] = set()
    total = 0
    for line in ex.stdout.splitlines():
        m = PYFLAKES_LINE.match(line)
        if not m:
            continue
        total += 1
        msg = m["msg"]
        for code, pattern in PYFLAKES_MESSAGES:
            if pattern.search(msg):
                keys.add((rel(cwd / m["path"], corpus), int(m["line"]), code))
                break
    return keys, total


# ---------------------------------------------------------------------------- reporting


def fmt_s(x: float) -> str:
    return f"{x:.3f}"


def fmt_mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def timing_table(tools: list[Tool]) -> list[str]:
    rows = [
        "| tool | wall s median | wall min | wall max | CPU s median | CPU min | CPU max "
        "| peak RSS MiB median | RSS min | RSS max | findings |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in tools:
        w = [e.wall for e in t.runs]
        c = [e.cpu for e in t.runs]
        r = [e.rss_kib for e in t.runs]
        rows.append(
            f"| {t.name} | {fmt_s(statistics.median(w))} | {fmt_s(min(w))} | {fmt_s(max(w))} "
            f"| {fmt_s(statistics.median(c))} | {fmt_s(min(c))} | {fmt_s(max(c))} "
            f"| {fmt_mib(statistics.median(r))} | {fmt_mib(min(r))} | {fmt_mib(max(r))} "
            f"| {t.findings} |"
        )
    return rows


def ratio_table(tools: dict[str, Tool]) -> list[str]:
    if "ripple" not in tools:
        return []
    rip = tools["ripple"]
    rows = [
        "| ratio (medians) | wall | CPU | peak RSS |",
        "|---|--:|--:|--:|",
    ]
    for other in ("ruff", "pyflakes"):
        if other not in tools:
            continue
        o = tools[other]

        def r(get) -> str:
            a = statistics.median(get(e) for e in rip.runs)
            b = statistics.median(get(e) for e in o.runs)
            return f"{a / b:.2f}x" if b else "n/a"

        rows.append(
            f"| ripple / {other} | {r(lambda e: e.wall)} | {r(lambda e: e.cpu)} "
            f"| {r(lambda e: e.rss_kib)} |"
        )
    return rows


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "n/a"


def agreement_table(ref: str, refs: set[Key], other: str, others: set[Key]) -> list[str]:
    """Per-code and overall agreement between a reference tool's findings and another's."""
    label = {"ripple": lambda c: f"{c} ({RUFF_TO_RIPPLE[c]})"}.get(other, lambda c: c)
    rows = [
        f"| code | {ref} | {other} | both | only-{ref} | only-{other} "
        f"| both/{ref} | both/{other} |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for code in [*CODES, None]:
        a = {k for k in refs if code is None or k[2] == code}
        b = {k for k in others if code is None or k[2] == code}
        both = a & b
        name = "**all**" if code is None else label(code)
        rows.append(
            f"| {name} | {len(a)} | {len(b)} | {len(both)} | {len(a - both)} | {len(b - both)} "
            f"| {pct(len(both), len(a))} | {pct(len(both), len(b))} |"
        )
    return rows


def diff_lines(ref: str, refs: set[Key], other: str, others: set[Key]) -> list[str]:
    out = [(k, f"only-{ref} {k[0]}:{k[1]} {k[2]}") for k in refs - others]
    out += [(k, f"only-{other} {k[0]}:{k[1]} {k[2]}") for k in others - refs]
    return [line for _, line in sorted(out)]


# ---------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ripple", default=str(REPO / "target/release/ripple"),
                    help="ripple binary (default: target/release/ripple)")
    ap.add_argument("--corpus", default=str(REPO / "benches/corpus/django-5.2.19"),
                    help="directory to check (default: benches/corpus/django-5.2.19)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool (default: 5)")
    ap.add_argument("--out", default=str(REPO / "benches/results/check-django.md"),
                    help="markdown fragment to write (default: benches/results/check-django.md)")
    ap.add_argument("--diff", metavar="FILE",
                    help="write every ripple/ruff difference with noqa ignored (the --ignore-noqa "
                         "runs) as 'only-ruff path:line code' / 'only-ripple path:line code' "
                         "(pyflakes/ruff with --skip-ripple)")
    ap.add_argument("--agreement-only", action="store_true",
                    help="run each command once, untimed, and report agreement only")
    ap.add_argument("--skip-ripple", action="store_true", help="do not run ripple")
    ap.add_argument("--skip-pyflakes", action="store_true",
                    help="do not run pyflakes (it is single-threaded and slow)")
    ap.add_argument("--pyflakes-per-file", action="store_true",
                    help="always run pyflakes through the per-file driver")
    args = ap.parse_args()

    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        sys.exit(f"check.py: corpus {corpus} is not a directory; run benches/fetch-corpus.sh first")
    ruff_bin, pyflakes_bin, tools_python = TOOLS_BIN / "ruff", TOOLS_BIN / "pyflakes", TOOLS_BIN / "python"
    for b in (ruff_bin, pyflakes_bin):
        if not b.exists():
            sys.exit(f"check.py: {b} not found; run benches/setup-tools.sh first")
    ripple_bin = Path(args.ripple).resolve()
    if not args.skip_ripple and not ripple_bin.exists():
        sys.exit(f"check.py: ripple binary {ripple_bin} not found; "
                 "run `cargo build --release`, pass --ripple PATH, or use --skip-ripple")
    if args.runs < 1:
        sys.exit("check.py: --runs must be at least 1")
    cwd = REPO

    pyflakes_whole = [str(pyflakes_bin), str(corpus)]
    pyflakes_driver = [str(tools_python), "-c", PYFLAKES_DRIVER, str(corpus)]
    tools: dict[str, Tool] = {}
    if not args.skip_ripple:
        tools["ripple"] = Tool("ripple", [str(ripple_bin), "check", "--format", "json", str(corpus)],
                               (0, 1))
    ruff_argv = [str(ruff_bin), "check", "--isolated", "--select", "F", "--no-cache",
                 "--output-format", "json"]
    tools["ruff"] = Tool("ruff", [*ruff_argv, str(corpus)], (0, 1))
    if not args.skip_pyflakes:
        tools["pyflakes"] = Tool("pyflakes",
                                 pyflakes_driver if args.pyflakes_per_file else pyflakes_whole, (0, 1))
        if args.pyflakes_per_file:
            tools["pyflakes"].note = "run per file through pyflakes.api.checkPath (--pyflakes-per-file)"

    # Warm the page cache so the first tool of the first run does not pay for cold reads.
    nfiles = 0
    for p in corpus.rglob("*.py"):
        nfiles += 1
        p.read_bytes()

    runs = 1 if args.agreement_only else args.runs
    for i in range(runs):
        for t in tools.values():
            ex = execute(t.name, t.argv, cwd)
            if t.name == "pyflakes" and t.argv is pyflakes_whole and (
                "RecursionError" in ex.stderr or "Traceback (most recent call last)" in ex.stderr
            ):
                # pyflakes aborted on some file: switch to the per-file driver for all runs.
                crash = [l for l in ex.stderr.splitlines() if "Error" in l][-1:]
                t.note = ("`pyflakes <corpus>` aborted (" + (crash[0].strip() if crash else "crash")
                          + "); pyflakes was run per file through pyflakes.api.checkPath in one "
                          "process instead, skipping files that crash")
                print(f"check.py: {t.note}", file=sys.stderr)
                t.argv = pyflakes_driver
                t.runs.clear()
                ex = execute(t.name, t.argv, cwd)
            if ex.returncode not in t.ok_codes:
                sys.stderr.write(ex.stderr[-4000:])
                sys.exit(f"check.py: {t.name} exited with {ex.returncode}: {shlex.join(t.argv)}")
            t.runs.append(ex)
            print(f"run {i + 1}/{runs} {t.name:8} wall {ex.wall:7.3f}s cpu {ex.cpu:7.3f}s "
                  f"rss {ex.rss_kib / 1024:7.1f} MiB exit {ex.returncode}", file=sys.stderr)

    # One extra, untimed run of ruff and ripple with --ignore-noqa, for the "noqa ignored" agreement.
    untimed: dict[str, Tool] = {}
    if not args.skip_ripple:
        untimed["ripple"] = Tool("ripple", [str(ripple_bin), "check", "--format", "json",
                                            "--ignore-noqa", str(corpus)], (0, 1))
    untimed["ruff"] = Tool("ruff", [*ruff_argv, "--ignore-noqa", str(corpus)], (0, 1))
    for t in untimed.values():
        ex = execute(t.name, t.argv, cwd)
        if ex.returncode not in t.ok_codes:
            sys.stderr.write(ex.stderr[-4000:])
            sys.exit(f"check.py: {t.name} exited with {ex.returncode}: {shlex.join(t.argv)}")
        t.runs.append(ex)
        print(f"untimed  {t.name:8} --ignore-noqa exit {ex.returncode}", file=sys.stderr)

    # Findings, from the last run of each tool. `respected`: the timed runs (ruff and ripple honour
    # `# noqa`); `ignored`: the --ignore-noqa runs, plus pyflakes (which has no noqa support).
    respected: dict[str, set[Key]] = {}
    ignored: dict[str, set[Key]] = {}
    for t in [*tools.values(), *untimed.values()]:
        extra = any(t is u for u in untimed.values())
        into = ignored if (extra or t.name == "pyflakes") else respected
        last = t.runs[-1]
        if t.name == "ripple":
            into[t.name], t.findings = ripple_keys(last, corpus)
        elif t.name == "ruff":
            into[t.name], t.findings = ruff_keys(last, corpus)
        else:
            into[t.name], t.findings = pyflakes_keys(last, corpus, cwd)
        if t.name == "pyflakes" and t.argv is pyflakes_driver:
            crashed = [l.split(": pyflakes crashed: ") for l in last.stderr.splitlines()
                       if ": pyflakes crashed: " in l]
            if crashed:
                t.note += f"; {len(crashed)} file(s) crashed and are not counted: " + ", ".join(
                    f"{rel(cwd / path, corpus)} ({err})" for path, err in crashed[:5])

    m = machine()
    md: list[str] = []
    title = "agreement" if args.agreement_only else "benchmark"
    md.append(f"## `ripple check` {title}: {corpus.name}")
    md.append("")
    md.append(f"- corpus: `{rel(corpus, REPO) if corpus.is_relative_to(REPO) else corpus}`, "
              f"{nfiles} .py files")
    md.append(f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}, "
              f"Python {m['python']}")
    md.append(f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    versions = {
        "ripple": lambda: version_of([str(ripple_bin), "--version"]),
        "ruff": lambda: version_of([str(ruff_bin), "--version"]),
        "pyflakes": lambda: version_of([str(pyflakes_bin), "--version"]),
    }
    md.append("- versions: " + "; ".join(f"{n}: `{versions[n]()}`" for n in tools))
    if not args.agreement_only:
        md.append(f"- runs: {runs} per tool, interleaved ({', '.join(tools)}, ...); page cache "
                  "warmed first; wall = perf_counter around spawn..wait4, CPU = user+sys and "
                  "peak RSS = ru_maxrss of the child from os.wait4")
    checked = getattr(ripple_keys, "files_checked", None)
    if "ripple" in tools and checked is not None:
        md.append(f"- ripple checked {checked} files (summary.files)")
        if checked < 0.9 * nfiles:
            md.append(f"- WARNING: ripple checked {checked} files but the corpus holds {nfiles} .py "
                      "files; is it skipping files (e.g. a parent .gitignore: benches/corpus/ is "
                      "git-ignored in this repo)?")
    md.append("- commands (cwd = repo root)" + (":" if args.agreement_only else ", timed:"))
    for t in tools.values():
        shown = t.argv if t.argv is not pyflakes_driver else [
            str(tools_python), "-c", "<per-file pyflakes driver, see benches/check.py>", str(corpus)]
        md.append(f"  - {t.name}: `{shlex.join(shown)}`")
    md.append("- untimed, once, for the \"noqa ignored\" agreement:")
    for t in untimed.values():
        md.append(f"  - {t.name}: `{shlex.join(t.argv)}`")
    for t in tools.values():
        if t.note:
            md.append(f"- note: {t.name} {t.note}")
    md.append("")
    if not args.agreement_only:
        md += timing_table(list(tools.values()))
        md.append("")
        ratios = ratio_table(tools)
        if ratios:
            md += ratios
            md.append("")

    md.append("Findings keyed on (path relative to corpus, 1-based line, rule), from the last run. "
              "both/X = share of X's findings that the other tool also reports.")
    md.append("")
    suppressed = [f"{n} {len(ignored[n] - respected[n])}" for n in ("ruff", "ripple")
                  if n in respected and n in ignored]
    md.append("Keys silenced by `# noqa` (present with --ignore-noqa, absent without): "
              + ", ".join(suppressed) + ".")
    md.append("")

    def comparisons(keys: dict[str, set[Key]]) -> list[tuple[str, str]]:
        pairs = []
        if "ripple" in keys:
            pairs.append(("ruff", "ripple"))
            if "pyflakes" in keys:
                pairs.append(("pyflakes", "ripple"))
        if "pyflakes" in keys:
            pairs.append(("ruff", "pyflakes"))
        return pairs

    sections = [
        ("noqa respected", "the timed runs; ruff and ripple both honour `# noqa`", respected),
        ("noqa ignored", "the untimed --ignore-noqa runs; pyflakes has no noqa support", ignored),
    ]
    for title, what, keys in sections:
        md.append(f"### Agreement, {title} ({what})")
        md.append("")
        pairs = comparisons(keys)
        for ref, other in pairs:
            caption = (" (baseline: how far the two reference tools agree)"
                       if other == "pyflakes" else "")
            md.append(f"#### {other} vs {ref}, {title}{caption}")
            md.append("")
            md += agreement_table(ref, keys[ref], other, keys[other])
            md.append("")
        if not pairs:
            md.append(f"#### ruff findings per code, {title}")
            md.append("")
            md.append("| code | ruff |")
            md.append("|---|--:|")
            for code in CODES:
                md.append(f"| {code} | {sum(1 for k in keys['ruff'] if k[2] == code)} |")
            md.append("")

    text = "\n".join(md)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"check.py: wrote {out}", file=sys.stderr)

    if args.diff:
        ref, other = ("ruff", "ripple") if "ripple" in ignored else ("ruff", "pyflakes")
        if other not in ignored:
            print("check.py: --diff needs ripple or pyflakes to compare with ruff", file=sys.stderr)
        else:
            lines = diff_lines(ref, ignored[ref], other, ignored[other])
            Path(args.diff).write_text("".join(l + "\n" for l in lines))
            print(f"check.py: wrote {len(lines)} differences ({other} vs {ref}, noqa ignored) "
                  f"to {args.diff}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
