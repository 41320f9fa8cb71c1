#!/usr/bin/env python3
"""Benchmark editor latency of ripple's language server against ty's, on a real corpus.

For each server (`ripple lsp`, `ty server`), started as a subprocess speaking LSP over stdio with
the whole corpus as its workspace, the harness measures

- index time: from sending `initialized` to the last `$/progress` `end` after which nothing more
  happens on any progress token for a settle window (2 s), with a 300 s timeout;
- open: from `didOpen` of one file (django/db/models/base.py) to its first diagnostics;
- edit latency: 200 single-character incremental `didChange`s that alternately insert an `x` at a
  fixed position and delete it again, each timed from sending the change to receiving the
  `textDocument/publishDiagnostics` for that document whose `version` is the sent version (or, if
  the server omits `version`, the first publish after the change). A server that only offers pull
  diagnostics (no publish after didOpen, `diagnosticProvider` in its capabilities) is measured by
  sending `textDocument/diagnostic` right after each didChange instead, and the table says so.

Servers run interleaved (ripple, ty, ripple, ty, ... `--rounds` times). The client advertises
`window.workDoneProgress` and `publishDiagnostics`, and no pull-diagnostics capability, so that
both servers push. It answers every server->client request (`window/workDoneProgress/create`,
`client/registerCapability`, `workspace/configuration`, ...) with a null result (a list of nulls
for `workspace/configuration`), and records whatever looks like a protocol problem.

Python 3.11+, standard library only. See benches/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import queue
import shlex
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check import machine, version_of  # noqa: E402  (same machine info as check.py)

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".venv-tools" / "bin"
DEFAULT_FILE = "django/db/models/base.py"

# Where the edits go. Each is found by the exact text of its line (the first line that is equal to
# it, ignoring surrounding whitespace); the `x` goes at the end of that line.
#   comment: a comment inside a function body; the file stays valid and its diagnostics do not
#            change (positions on other lines do not move), so a server that only publishes
#            changed diagnostics publishes nothing.
#   name:    the end of `return res` in ModelStateFieldsCacheDescriptor.__get__: `return resx`
#            is an undefined name (and leaves `res` unused), so the diagnostics change on every
#            edit and every server has something new to publish.
EDIT_SITES = {
    "comment": "# Only call contribute_to_class() if it's bound.",
    "name": "return res",
}


def now() -> float:
    return time.perf_counter()


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def norm_uri(uri: str) -> str:
    """URIs compare after percent-decoding (servers may encode `:` or not)."""
    return urllib.parse.unquote(uri).rstrip("/")


# ---------------------------------------------------------------------------- LSP client


class Client:
    """A minimal LSP client over a subprocess's stdio.

    A reader thread parses Content-Length framed messages from the server's stdout and puts
    (receive time, message) on `inbox`. Server->client requests are answered by a responder
    thread (never by the reader, so the reader keeps draining stdout even while the main thread
    is blocked writing a large didOpen). All writes hold `write_lock`.
    """

    def __init__(self, name: str, argv: list[str], cwd: Path, stderr_path: Path,
                 trace_path: Path | None, workspace_folders: list[dict], configuration=None):
        self.name = name
        self.argv = argv
        self.workspace_folders = workspace_folders
        # item -> the answer for that item of a `workspace/configuration` request; None: null.
        self.configuration = configuration
        # Every registration of `client/registerCapability`, as sent.
        self.registrations: list[dict] = []
        self.stderr_file = open(stderr_path, "wb")
        self.trace = open(trace_path, "w") if trace_path else None
        self.trace_lock = threading.Lock()
        self.t0 = now()
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, bufsize=0)
        self.write_lock = threading.Lock()
        self.inbox: queue.Queue[tuple[float, dict | None]] = queue.Queue()
        self.replies: queue.Queue[dict | None] = queue.Queue()
        self.next_id = 0
        self.problems: list[str] = []
        self.server_requests: dict[str, int] = {}
        self.rusage = None
        self.returncode: int | None = None
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._respond, daemon=True).start()

    # -- low level

    def _log(self, direction: str, t: float, msg: dict | None) -> None:
        if self.trace:
            with self.trace_lock:
                self.trace.write(json.dumps({"t": round(t - self.t0, 6), "dir": direction,
                                             "msg": msg}) + "\n")

    def _write(self, msg: dict) -> float:
        body = json.dumps(msg, separators=(",", ":")).encode()
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self.write_lock:
            t = now()
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                self.problems.append(f"write of {msg.get('method', 'a response')} failed: {e}")
        self._log(">", t, msg)
        return t

    def _read(self) -> None:
        # Buffered: `readline` on the raw pipe reads one byte per system call, which costs the
        # client ~30 µs a message, ~30 ms for a burst of 1,000 publishes, and was measured as
        # the server's latency.
        out = io.BufferedReader(self.proc.stdout, buffer_size=1 << 16)
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        raise EOFError
                    line = line.strip()
                    if not line:
                        break
                    key, _, value = line.decode("ascii", "replace").partition(":")
                    if key.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    self.problems.append("a message without Content-Length")
                    continue
                body = b""
                while len(body) < length:
                    chunk = out.read(length - len(body))
                    if not chunk:
                        raise EOFError
                    body += chunk
                t = now()
                msg = json.loads(body)
                self._log("<", t, msg)
                if "method" in msg and "id" in msg:
                    self.replies.put(msg)
                self.inbox.put((t, msg))
        except EOFError:
            pass
        except Exception as e:  # noqa: BLE001 - report, do not hide
            self.problems.append(f"reader failed: {e!r}")
        self.inbox.put((now(), None))
        self.replies.put(None)

    def _respond(self) -> None:
        while (msg := self.replies.get()) is not None:
            method = msg["method"]
            self.server_requests[method] = self.server_requests.get(method, 0) + 1
            params = msg.get("params") or {}
            if method == "workspace/configuration":
                items = params.get("items", [])
                result = [self.configuration(item) if self.configuration else None
                          for item in items]
            elif method == "workspace/workspaceFolders":
                result = self.workspace_folders
            elif method == "client/registerCapability":
                self.registrations += params.get("registrations") or []
                result = None
            elif method in ("window/workDoneProgress/create",
                            "client/unregisterCapability", "window/showMessageRequest",
                            "workspace/diagnostic/refresh", "workspace/semanticTokens/refresh",
                            "workspace/inlayHint/refresh", "workspace/codeLens/refresh",
                            "workspace/inlineValue/refresh"):
                result = None
            else:
                result = None
                self.problems.append(f"unexpected server request {method} (answered null)")
            self._write({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    # -- messages

    def request(self, method: str, params) -> tuple[int, float]:
        self.next_id += 1
        t = self._write({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id, t

    def notify(self, method: str, params) -> float:
        return self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def get(self, deadline: float) -> tuple[float, dict | None] | None:
        """The next message, or None at the deadline. A (t, None) message means EOF."""
        timeout = deadline - now()
        if timeout <= 0:
            try:
                return self.inbox.get_nowait()
            except queue.Empty:
                return None
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def finish(self, timeout: float) -> None:
        """Waits for the process to exit (killing it after `timeout`) and records its rusage."""
        deadline = now() + timeout
        while now() < deadline:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self._reaped(status, rusage)
                return
            time.sleep(0.02)
        self.problems.append(f"did not exit within {timeout:.0f} s of `exit`; killed")
        self.proc.kill()
        _, status, rusage = os.wait4(self.proc.pid, 0)
        self._reaped(status, rusage)

    def _reaped(self, status: int, rusage) -> None:
        self.returncode = os.waitstatus_to_exitcode(status)
        self.proc.returncode = self.returncode  # reaped here, not by Popen
        self.rusage = rusage
        self.stderr_file.close()
        if self.trace:
            with self.trace_lock:
                self.trace.close()
                self.trace = None


# ---------------------------------------------------------------------------- one session


@dataclass
class Session:
    server: str
    round: int
    version: str = "?"
    mode: str = "push"
    init_ms: float | None = None  # initialize request -> response
    index_ms: float | None = None  # initialized -> last progress end
    index_note: str = ""
    open_ms: float | None = None
    latencies: list[float] = field(default_factory=list)  # ms, answered edits only
    timeouts: int = 0
    edits_sent: int = 0
    aborted: str = ""
    stale: int = 0  # publishes for the document with an older version than the one awaited
    rss_kib: int | None = None
    problems: list[str] = field(default_factory=list)
    server_requests: dict[str, int] = field(default_factory=dict)
    notifications: dict[str, int] = field(default_factory=dict)


def run_session(name: str, argv: list[str], round_no: int, corpus: Path, doc: Path,
                args, logs: Path) -> Session:
    s = Session(name, round_no)
    folder = {"uri": corpus.as_uri(), "name": corpus.name}
    trace = logs / f"lsp-{name}-round{round_no}.jsonl" if args.trace else None
    c = Client(name, argv, corpus, logs / f"lsp-{name}-round{round_no}.stderr.log", trace,
               [folder])
    doc_uri = doc.as_uri()
    doc_key = norm_uri(doc_uri)
    text = doc.read_text(encoding="utf-8")

    responses: dict[int, tuple[float, dict]] = {}
    progress_events: list[tuple[float, str, str]] = []  # (t, token, kind)
    active_tokens: set[str] = set()
    publishes: list[tuple[float, int | None, int]] = []  # for the document: (t, version, count)
    dead = False

    def handle(t: float, msg: dict | None) -> None:
        nonlocal dead
        if msg is None:
            dead = True
            return
        if "method" not in msg:
            if "id" in msg:
                responses[msg["id"]] = (t, msg)
            return
        method = msg["method"]
        if "id" in msg:
            return  # a server request; the responder thread answers it
        s.notifications[method] = s.notifications.get(method, 0) + 1
        params = msg.get("params") or {}
        if method == "$/progress":
            token = str(params.get("token"))
            kind = (params.get("value") or {}).get("kind", "?")
            progress_events.append((t, token, kind))
            if kind == "begin":
                active_tokens.add(token)
            elif kind == "end":
                active_tokens.discard(token)
        elif method == "textDocument/publishDiagnostics":
            if norm_uri(params.get("uri", "")) == doc_key:
                publishes.append((t, params.get("version"), len(params.get("diagnostics", []))))
        elif method == "window/showMessage" and (params.get("type") or 9) <= 2:
            s.problems.append(f"showMessage: {params.get('message', '')[:200]}")
        elif method == "window/logMessage" and params.get("type") == 1:
            s.problems.append(f"logMessage error: {params.get('message', '')[:200]}")

    def pump(until, deadline: float) -> bool:
        """Handles messages until `until()` holds (True) or the deadline passes (False)."""
        while not until():
            if dead:
                return False
            item = c.get(deadline)
            if item is None:
                return until()
            handle(*item)
        return True

    def wait_response(req_id: int, timeout: float) -> tuple[float, dict] | None:
        pump(lambda: req_id in responses, now() + timeout)
        return responses.get(req_id)

    try:
        # -- initialize
        capabilities = {
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": True},
            "workspace": {
                "configuration": True,
                "workspaceFolders": True,
                "didChangeWatchedFiles": {"dynamicRegistration": True},
            },
            "textDocument": {
                "synchronization": {"dynamicRegistration": False, "didSave": True},
                "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                                       "codeDescriptionSupport": True, "dataSupport": True,
                                       "tagSupport": {"valueSet": [1, 2]}},
                # Deliberately no "diagnostic": servers should push.
            },
        }
        req, t_req = c.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": {"name": "ripple-benches-lsp_latency"},
            "rootUri": corpus.as_uri(),
            "rootPath": str(corpus),
            "workspaceFolders": [folder],
            "capabilities": capabilities,
        })
        got = wait_response(req, args.init_timeout)
        if got is None:
            raise Abort(f"no initialize response within {args.init_timeout:.0f} s")
        t_resp, resp = got
        s.init_ms = (t_resp - t_req) * 1000
        if "error" in resp:
            raise Abort(f"initialize failed: {resp['error']}")
        result = resp.get("result") or {}
        caps = result.get("capabilities") or {}
        info = result.get("serverInfo") or {}
        s.version = " ".join(x for x in (info.get("name"), info.get("version")) if x) or "?"
        sync = caps.get("textDocumentSync")
        change_kind = sync.get("change") if isinstance(sync, dict) else sync
        if change_kind != 2:
            s.problems.append(f"textDocumentSync.change is {change_kind!r}, not incremental (2); "
                              "edits are still sent as incremental changes")
        pull_capable = "diagnosticProvider" in caps

        # -- initialized -> indexing done
        t_init = c.notify("initialized", {})
        deadline = t_init + args.index_timeout

        def settled() -> bool:
            t = now()
            last = progress_events[-1][0] if progress_events else t_init
            if active_tokens:
                return False
            return t - last >= args.settle

        while not settled():
            if dead or now() >= deadline:
                break
            # Wake up at the end of the settle window if nothing arrives.
            last = progress_events[-1][0] if progress_events else t_init
            item = c.get(min(deadline, max(last + args.settle, now() + 0.01)))
            if item is not None:
                handle(*item)
        ends = [t for t, _, kind in progress_events if kind == "end"]
        if dead:
            raise Abort("the server exited during indexing")
        if active_tokens:
            s.index_note = (f"progress still open after {args.index_timeout:.0f} s "
                            f"(tokens {sorted(active_tokens)})")
        elif ends:
            s.index_ms = (ends[-1] - t_init) * 1000
            tokens = sorted({tok for _, tok, _ in progress_events})
            s.index_note = f"{len(tokens)} progress token(s)"
        elif progress_events:
            s.index_note = "progress without any `end`"
        else:
            s.index_note = f"no $/progress within {args.settle:.0f} s of initialized"

        # -- didOpen, first diagnostics
        version = 1
        publishes.clear()
        t_open = c.notify("textDocument/didOpen", {"textDocument": {
            "uri": doc_uri, "languageId": "python", "version": version, "text": text}})
        pump(lambda: bool(publishes), t_open + args.open_timeout)
        if publishes:
            s.open_ms = (publishes[0][0] - t_open) * 1000
            if publishes[0][1] not in (None, version):
                s.problems.append(f"first publish after didOpen has version {publishes[0][1]}, "
                                  f"sent {version}")
        elif pull_capable:
            s.mode = "pull"
            s.problems.append(f"no publishDiagnostics within {args.open_timeout:.0f} s of didOpen; "
                              "diagnosticProvider advertised, so measuring with "
                              "textDocument/diagnostic")
            req, t_req = c.request("textDocument/diagnostic", {"textDocument": {"uri": doc_uri}})
            got = wait_response(req, args.open_timeout)
            if got is None:
                raise Abort("no textDocument/diagnostic response after didOpen")
            s.open_ms = (got[0] - t_open) * 1000
        else:
            raise Abort(f"no publishDiagnostics within {args.open_timeout:.0f} s of didOpen and "
                        "no diagnosticProvider")

        # -- edits
        lines = text.split("\n")
        site = EDIT_SITES[args.edit]
        line_no = next((i for i, line in enumerate(lines) if line.strip() == site), None)
        if line_no is None:
            raise Abort(f"no line `{site}` in {doc}")
        char = utf16_len(lines[line_no].rstrip("\r"))
        at = {"line": line_no, "character": char}
        after = {"line": line_no, "character": char + 1}
        consecutive = 0
        for i in range(args.edits):
            version += 1
            insert = i % 2 == 0
            change = ({"range": {"start": at, "end": at}, "text": "x"} if insert
                      else {"range": {"start": at, "end": after}, "text": ""})
            publishes.clear()
            t_send = c.notify("textDocument/didChange", {
                "textDocument": {"uri": doc_uri, "version": version},
                "contentChanges": [change]})
            s.edits_sent += 1
            edit_deadline = t_send + args.edit_timeout
            t_done = None
            if s.mode == "pull":
                req, _ = c.request("textDocument/diagnostic", {"textDocument": {"uri": doc_uri}})
                got = wait_response(req, args.edit_timeout)
                if got is not None:
                    t_done = got[0]
                    if "error" in got[1]:
                        s.problems.append(f"textDocument/diagnostic error at version {version}: "
                                          f"{got[1]['error']}")
            else:
                v = version

                def matched() -> bool:
                    return any(pv is None or pv == v for _, pv, _ in publishes)

                if pump(matched, edit_deadline):
                    t_done = next(t for t, pv, _ in publishes if pv is None or pv == v)
                s.stale += sum(1 for _, pv, _ in publishes if pv is not None and pv < v)
            if dead:
                raise Abort(f"the server exited during edit {i + 1}")
            if t_done is None:
                s.timeouts += 1
                consecutive += 1
                seen = ", ".join(f"v{pv}" for _, pv, _ in publishes) or "nothing for the document"
                print(f"  {name}: edit {i + 1} (version {version}, "
                      f"{'insert' if insert else 'delete'} at {line_no}:{char}) timed out after "
                      f"{args.edit_timeout:.0f} s; saw {seen}", file=sys.stderr)
                if args.max_consecutive_timeouts and consecutive >= args.max_consecutive_timeouts:
                    s.aborted = (f"edits stopped after {consecutive} consecutive timeouts "
                                 f"({s.edits_sent} of {args.edits} sent)")
                    break
            else:
                consecutive = 0
                s.latencies.append((t_done - t_send) * 1000)

        # -- shutdown
        req, _ = c.request("shutdown", None)
        if wait_response(req, 10) is None:
            s.problems.append("no shutdown response within 10 s")
        c.notify("exit", None)
        c.finish(10)
    except Abort as e:
        s.problems.append(f"ABORTED: {e}")
        try:
            c.proc.kill()
        except OSError:
            pass
        c.finish(5)
    if c.returncode not in (0, None):
        s.problems.append(f"exit status {c.returncode}")
    if c.rusage is not None:
        s.rss_kib = c.rusage.ru_maxrss
    s.problems[:0] = c.problems
    s.server_requests = dict(c.server_requests)
    return s


class Abort(Exception):
    pass


# ---------------------------------------------------------------------------- report


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def server_commands(ripple: str, ty: str, names: str,
                    prog: str) -> tuple[dict[str, list[str]], list[str]]:
    """The command line of each server, and the servers named in `names` (comma-separated),
    each checked to exist; exits with a hint otherwise."""
    commands = {
        "ripple": [str(Path(ripple).resolve()), "lsp"],
        "ty": [str(Path(ty).absolute()), "server"],
    }
    servers = [s.strip() for s in names.split(",") if s.strip()]
    for s in servers:
        if s not in commands:
            sys.exit(f"{prog}: unknown server {s!r} (ripple, ty)")
        if not Path(commands[s][0]).exists():
            hint = ("run `cargo build --release` or pass --ripple PATH" if s == "ripple"
                    else "run benches/setup-tools.sh")
            sys.exit(f"{prog}: {commands[s][0]} not found; {hint}")
    return commands, servers


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ripple", default=str(REPO / "target/release/ripple"),
                    help="ripple binary (default: target/release/ripple)")
    ap.add_argument("--ty", default=str(TOOLS_BIN / "ty"), help="ty binary (default: .venv-tools/bin/ty)")
    ap.add_argument("--servers", default="ripple,ty", help="comma-separated (default: ripple,ty)")
    ap.add_argument("--corpus", default=str(REPO / "benches/corpus/django-5.2.19"),
                    help="workspace folder (default: benches/corpus/django-5.2.19)")
    ap.add_argument("--file", default=DEFAULT_FILE, help=f"document to edit (default: {DEFAULT_FILE})")
    ap.add_argument("--edit", choices=sorted(EDIT_SITES), default="comment",
                    help="where the x goes: end of a comment line (diagnostics unchanged) or "
                         "`return res` -> `return resx` (diagnostics change); default comment")
    ap.add_argument("--rounds", type=int, default=2, help="sessions per server, interleaved (default 2)")
    ap.add_argument("--edits", type=int, default=200, help="didChanges per session (default 200)")
    ap.add_argument("--edit-timeout", type=float, default=10.0, help="seconds per edit (default 10)")
    ap.add_argument("--max-consecutive-timeouts", type=int, default=10,
                    help="stop a session's edits after this many timeouts in a row, and say so "
                         "(default 10; 0 = never)")
    ap.add_argument("--index-timeout", type=float, default=300.0, help="seconds (default 300)")
    ap.add_argument("--settle", type=float, default=2.0,
                    help="indexing is done when no progress arrived for this long (default 2 s)")
    ap.add_argument("--init-timeout", type=float, default=60.0)
    ap.add_argument("--open-timeout", type=float, default=60.0,
                    help="seconds from didOpen to the first diagnostics (default 60)")
    ap.add_argument("--out", help="markdown to write (default: benches/results/lsp-latency.md, "
                                  "or lsp-latency-name.md with --edit name); server logs go "
                                  "beside it")
    ap.add_argument("--trace", action="store_true",
                    help="log every message to lsp-<server>-round<N>.jsonl beside --out")
    args = ap.parse_args()

    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        sys.exit(f"lsp_latency.py: corpus {corpus} is not a directory; run benches/fetch-corpus.sh")
    doc = corpus / args.file
    if not doc.is_file():
        sys.exit(f"lsp_latency.py: {doc} not found")
    commands, servers = server_commands(args.ripple, args.ty, args.servers, "lsp_latency.py")
    if args.rounds < 1 or args.edits < 1:
        sys.exit("lsp_latency.py: --rounds and --edits must be at least 1")
    out = Path(args.out or REPO / "benches/results" / (
        "lsp-latency.md" if args.edit == "comment" else f"lsp-latency-{args.edit}.md"))
    logs = out.parent
    logs.mkdir(parents=True, exist_ok=True)

    # Warm the page cache so that the first server does not pay for cold reads.
    nfiles = sum(1 for p in corpus.rglob("*.py") if p.read_bytes() is not None)

    sessions: list[Session] = []
    for r in range(1, args.rounds + 1):
        for name in servers:
            print(f"round {r}/{args.rounds} {name}: {shlex.join(commands[name])}", file=sys.stderr)
            s = run_session(name, commands[name], r, corpus, doc, args, logs)
            sessions.append(s)
            lat = s.latencies
            print(f"round {r}/{args.rounds} {name:6} mode {s.mode} index {ms(s.index_ms)} ms "
                  f"open {ms(s.open_ms)} ms edits {len(lat)}/{s.edits_sent} answered"
                  + (f", p50 {ms(percentile(lat, 50))} ms max {ms(max(lat))} ms" if lat else "")
                  + f", timeouts {s.timeouts}" + (f"; {s.aborted}" if s.aborted else ""),
                  file=sys.stderr)
            for p in s.problems:
                print(f"  {name}: {p}", file=sys.stderr)

    m = machine()
    lines_in_doc = doc.read_text(encoding="utf-8").count("\n")
    md: list[str] = []
    md.append(f"## LSP editor latency: {corpus.name}")
    md.append("")
    md.append(f"- workspace: `{os.path.relpath(corpus, REPO)}` ({nfiles} .py files), edited document "
              f"`{args.file}` ({lines_in_doc} lines)")
    md.append(f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}, "
              f"Python {m['python']}")
    md.append(f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    cli = {"ripple": lambda: version_of([commands["ripple"][0], "--version"]),
           "ty": lambda: version_of([commands["ty"][0], "--version"])}
    md.append("- versions: " + "; ".join(f"{n}: `{cli[n]()}`" for n in servers))
    md.append("- commands (cwd = workspace): " + "; ".join(
        f"{n}: `{shlex.join(commands[n])}`" for n in servers))
    md.append(f"- {args.rounds} round(s), interleaved ({', '.join(servers)}, ...); page cache warmed "
              "first; client capabilities: window.workDoneProgress, publishDiagnostics "
              "(versionSupport), no pull diagnostics")
    md.append(f"- edits: {args.edits} incremental didChanges per session, alternately inserting "
              f"and deleting `x` at the end of the line `{EDIT_SITES[args.edit]}` (`--edit "
              f"{args.edit}`); each timed from sending didChange to the publishDiagnostics for the "
              f"document with that version (push) or to the textDocument/diagnostic response "
              f"(pull), {args.edit_timeout:.0f} s timeout")
    md.append(f"- index: `initialized` sent -> last `$/progress` end, settled when no progress for "
              f"{args.settle:.0f} s ({args.index_timeout:.0f} s timeout); open: didOpen -> first "
              "diagnostics; latencies in ms over all rounds; RSS = peak of the server process")
    md.append("")
    md.append("| server | version | mode | index | open | p50 | p90 | p99 | max | mean "
              "| timeouts | peak RSS |")
    md.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    notes: list[str] = []
    for name in servers:
        ss = [s for s in sessions if s.server == name]
        lat = [v for s in ss for v in s.latencies]
        idx = [s.index_ms for s in ss if s.index_ms is not None]
        opens = [s.open_ms for s in ss if s.open_ms is not None]
        rss = [s.rss_kib for s in ss if s.rss_kib is not None]
        index = (" / ".join(ms(v) for v in idx) if idx else "n/a")
        sent = sum(s.edits_sent for s in ss)
        timeouts = sum(s.timeouts for s in ss)
        stats = ([ms(percentile(lat, p)) for p in (50, 90, 99)] + [ms(max(lat)),
                 ms(statistics.fmean(lat))]) if lat else ["n/a"] * 5
        md.append(f"| {name} | {ss[0].version} | {'/'.join(sorted({s.mode for s in ss}))} "
                  f"| {index} | {' / '.join(ms(v) for v in opens) or 'n/a'} | {' | '.join(stats)} "
                  f"| {timeouts} of {sent} | "
                  f"{(' / '.join(f'{v / 1024:.0f} MiB' for v in rss)) or 'n/a'} |")
        for s in ss:
            prefix = f"{name} round {s.round}"
            if s.index_ms is None or s.index_note.startswith("progress"):
                notes.append(f"{prefix}: index {s.index_note}")
            if s.aborted:
                notes.append(f"{prefix}: {s.aborted}")
            if s.stale:
                notes.append(f"{prefix}: {s.stale} publish(es) with an older version than awaited")
            for p in s.problems:
                notes.append(f"{prefix}: {p}")
            reqs = ", ".join(f"{k} x{v}" for k, v in sorted(s.server_requests.items()))
            notes.append(f"{prefix}: server requests answered: {reqs or 'none'}")
    md.append("")
    md.append("Index and open are per round (ms); p50..mean are over every answered edit of every "
              "round.")
    if notes:
        md.append("")
        md += [f"- {n}" for n in notes]

    text = "\n".join(md) + "\n"
    print(text)
    out.write_text(text)
    print(f"lsp_latency.py: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
