#!/usr/bin/env python3
"""The store of results, measured beside ruff's cache on the same workspace, in one run.

    benches/fetch-corpus.sh --all && python3 benches/make-workspace.py --copies 4
    benches/setup-tools.sh && cargo build --release
    python3 benches/cache.py --workspace benches/workspaces/corpus-x1 --rounds 5

For ripple and for `ruff check --select F` (each with its cache in a fresh temporary directory):

- cold: no cache at all (`--no-cache`);
- cold, writing the cache: an empty cache directory, filled by the run;
- warm: nothing changed since the last run;
- one change: one widely imported module gets a comment line appended (a body edit: its exports
  do not change, but its bytes do, so ripple checks its importers again), then the run.

Runs are interleaved (ripple, ruff, ripple, ...) and the median of `--rounds` is reported, with
the peak RSS of the median run. Before a timed run after a change, the harness waits 3.5 s:
ripple trusts a file's recorded stat only once the file is older than 3 s at the time of the
previous run's index (git's racily-clean rule), and the benchmark measures the fast path, as a
user's next run is.

Then the language server: initialize -> every file with findings published, cold (empty cache)
and warm, diagnostics for the whole workspace, with the resident memory at that moment (VmRSS),
once the server has settled (it builds its dependency graph after publishing: answered
`ripple/stats`, then VmRSS steady within 1 % over half a second) and at its peak (VmHWM).

The module edited is a copy (the corpus workspaces are hard links into benches/corpus): it is
copied first and put back afterwards. Output: markdown on stdout and in
benches/results/cache-<workspace>.md.
"""

from __future__ import annotations

import argparse
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
TOOLS_BIN = REPO / ".venv-tools" / "bin"
SETTLE = 3.5

# A module most of the corpus's django imports, for the one-change run.
EDITED = "django-5.2.19/django/utils/functional.py"


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def median_run(runs: list[tuple[float, float]]) -> tuple[float, float]:
    ordered = sorted(runs)
    return ordered[len(ordered) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--ripple", default=str(REPO / "target/release/ripple"))
    ap.add_argument("--ruff", default=str(TOOLS_BIN / "ruff"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--skip-server", action="store_true")
    args = ap.parse_args()
    workspace = Path(args.workspace).resolve()
    edited = next(workspace.glob(f"*/{EDITED}"), None) or workspace / EDITED
    if not edited.is_file():
        print(f"cache.py: {edited} is not in the workspace", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="ripple-cache-bench-"))
    original = edited.read_bytes()
    edited.unlink()
    edited.write_bytes(original)  # a file of its own, not a hard link into the corpus
    ripple_cache = scratch / "ripple"
    ruff_cache = scratch / "ruff"

    def ripple(*extra: str) -> list[str]:
        return [args.ripple, "check", "--format", "json", *extra, str(workspace)]

    def ruff(*extra: str) -> list[str]:
        return [args.ruff, "check", "--isolated", "--select", "F", "--output-format", "json",
                *extra, str(workspace)]

    results: dict[str, dict[str, list]] = {}

    def record(name: str, tool: str, run: tuple[float, float]) -> None:
        results.setdefault(name, {}).setdefault(tool, []).append(run)

    try:
        for round_ in range(args.rounds):
            record("cold", "ripple", timed(ripple("--no-cache")))
            record("cold", "ruff", timed(ruff("--no-cache")))
            shutil.rmtree(ripple_cache, ignore_errors=True)
            shutil.rmtree(ruff_cache, ignore_errors=True)
            record("cold, writing the cache", "ripple", timed(ripple("--cache-dir", str(ripple_cache))))
            record("cold, writing the cache", "ruff", timed(ruff("--cache-dir", str(ruff_cache))))
            time.sleep(SETTLE)
            # One untimed warm run each: ripple keeps its walk and findings of a settled tree.
            timed(ripple("--cache-dir", str(ripple_cache)))
            time.sleep(SETTLE)
            record("warm (nothing changed)", "ripple", timed(ripple("--cache-dir", str(ripple_cache))))
            record("warm (nothing changed)", "ruff", timed(ruff("--cache-dir", str(ruff_cache))))
            with edited.open("ab") as out:
                out.write(f"# ripple cache benchmark {round_}\n".encode())
            time.sleep(SETTLE)
            record("one change", "ripple", timed(ripple("--cache-dir", str(ripple_cache))))
            record("one change", "ruff", timed(ruff("--cache-dir", str(ruff_cache))))
        sizes = {
            "ripple": sum(p.stat().st_size for p in ripple_cache.rglob("*") if p.is_file()),
            "ruff": sum(p.stat().st_size for p in ruff_cache.rglob("*") if p.is_file()),
        }
        server = None if args.skip_server else measure_server(args.ripple, workspace, scratch)
    finally:
        edited.write_bytes(original)
        shutil.rmtree(scratch, ignore_errors=True)

    files = sum(1 for _ in workspace.rglob("*.py"))
    lines = [f"## `{workspace.name}` ({files} files), median of {args.rounds} interleaved rounds", "",
             "| run | ripple | ruff --select F | ripple / ruff | RSS ripple / ruff MiB |",
             "|---|--:|--:|--:|--:|"]
    for name, tools in results.items():
        (rt, rm), (ut, um) = median_run(tools["ripple"]), median_run(tools["ruff"])
        lines.append(f"| {name} | {rt:.2f} s | {ut:.2f} s | {rt / ut:.2f}x | {rm:.0f} / {um:.0f} |")
    lines += ["", f"Cache on disk: ripple {sizes['ripple'] / 2**20:.1f} MiB, "
              f"ruff {sizes['ruff'] / 2**20:.1f} MiB."]
    if server:
        lines += ["", "| `ripple lsp`, workspace diagnostics | initialize -> all findings published "
                  "| VmRSS then | VmRSS settled | peak (VmHWM) |",
                  "|---|--:|--:|--:|--:|"]
        for name, (seconds, at_publish, settled, peak) in server.items():
            lines.append(f"| {name} | {seconds:.2f} s | {at_publish:.0f} MiB | {settled:.0f} MiB "
                         f"| {peak:.0f} MiB |")
    text = "\n".join(lines) + "\n"
    print(text)
    out = REPO / "benches" / "results" / f"cache-{workspace.name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


def measure_server(binary: str, workspace: Path, scratch: Path) -> dict[str, tuple]:
    """initialize -> every file with findings published, cold and warm."""
    report = subprocess.run([binary, "check", "--format", "json", "--no-cache", str(workspace)],
                            capture_output=True, text=True)
    with_findings = len({d["path"] for d in json.loads(report.stdout)["diagnostics"]})
    cache = scratch / "server-cache"
    shutil.rmtree(cache, ignore_errors=True)
    measured = {}
    for name in ["cold (empty cache)", "warm"]:
        measured[name] = serve_once(binary, workspace, cache, with_findings)
        time.sleep(SETTLE)
    return measured


def serve_once(binary: str, workspace: Path, cache: Path,
               expected: int) -> tuple[float, float, float, float]:
    env = dict(os.environ, RIPPLE_CACHE_DIR=str(cache))
    server = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env)

    def send(message: dict) -> None:
        body = json.dumps(message).encode()
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()

    def receive() -> dict | None:
        length = None
        while True:
            line = server.stdout.readline()
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(server.stdout.read(length or 0))

    uri = workspace.as_uri()
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": uri, "workspaceFolders": [{"uri": uri, "name": "bench"}],
        "capabilities": {"window": {"workDoneProgress": True}},
        "initializationOptions": {"diagnosticMode": "workspace"}}})
    published: set[str] = set()
    started = None
    deadline = time.time() + 600
    while time.time() < deadline:
        message = receive()
        if message is None:
            break
        if message.get("id") == 1 and "result" in message:
            send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            started = time.perf_counter()
        elif "method" in message and "id" in message:
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif message.get("method") == "textDocument/publishDiagnostics":
            if message["params"]["diagnostics"]:
                published.add(message["params"]["uri"])
            if len(published) >= expected:
                break
    seconds = time.perf_counter() - (started or time.perf_counter())
    at_publish = memory(server.pid, "VmRSS")
    # Then settled: the server goes on after its last publish (it builds the dependency graph
    # and writes the store), so the memory it keeps is read once it stops growing.
    send({"jsonrpc": "2.0", "id": 3, "method": "ripple/stats"})
    while (message := receive()) is not None and message.get("id") != 3:
        pass
    settled = memory(server.pid, "VmRSS")
    for _ in range(40):
        time.sleep(0.5)
        now = memory(server.pid, "VmRSS")
        if abs(now - settled) < settled / 100:
            break
        settled = now
    peak = memory(server.pid, "VmHWM")
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    time.sleep(0.5)
    send({"jsonrpc": "2.0", "method": "exit"})
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
    return seconds, at_publish, settled, peak


def memory(pid: int, field: str) -> float:
    """A /proc/PID/status memory field (VmRSS, VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(field)) / 1024


if __name__ == "__main__":
    sys.exit(main())
