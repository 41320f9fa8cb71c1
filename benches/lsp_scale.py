#!/usr/bin/env python3
"""The language servers at scale: indexing, memory and cross-file update latency on a big workspace.

    python3 benches/make-workspace.py --synthetic 100000
    python3 benches/lsp_scale.py --workspace benches/workspaces/synthetic-100000

For each server (`ripple lsp`, `ty server`), in interleaved sessions (ripple, ty, ripple, ty, ...
`--rounds` times), with the whole workspace as the workspace folder and workspace-wide
diagnostics switched on (`initializationOptions` and `workspace/configuration` answers
`{"diagnosticMode": "workspace"}`), the harness measures:

1. index: from sending `initialized` until the client holds the whole workspace's diagnostics:
   the last `$/progress` `end` or diagnostics report, whichever is later, once no progress is
   open and nothing of either kind has arrived for `--settle` seconds. Push (ripple): reports are
   `publishDiagnostics`. Pull (ty, whose workspace diagnostics exist only as
   `workspace/diagnostic`; in push mode it publishes open files only): the client keeps one
   `workspace/diagnostic` request outstanding at all times, with the result ids it holds and a
   partial result token, and sends the next as soon as one is answered (long polling, as VS
   Code's client does); ty streams reports as partial results while it checks and answers when
   something changed (or cancels with `retriggerRequest`, and the client re-polls). Reports are
   those partial results and responses. Then VmRSS and VmHWM of the server from
   /proc/<pid>/status.
2. body_edit (manifest `body_edit`): `--edits` single-character didChanges inside a function body,
   alternately turning `return total` into `return totalx` and back, each timed from didChange to
   the publishDiagnostics of that document with that version (push) or the
   `textDocument/diagnostic` response (pull); the content is checked (`totalx` mentioned iff the
   `x` is in).
3. rename (synthetic only): `core/api.py` is opened and `def shared_helper` becomes
   `def shared_helperx` and back, `--remove-rounds` times each way. Each is timed from the
   didChange until every importer listed in the manifest holds diagnostics that reflect the
   change (a diagnostic mentioning `shared_helper` and "member" after the rename, none after the
   rename back): the first report (publish, or partial result/response of the long poll) for
   each importer with that content. Also the time to the first importer; importers that never got
   the right content are counted (`missing`: nothing arrived for them; `wrong`: something
   arrived, never the expected content).
4. disk_change (synthetic only): the manifest's disk-change files get an unused `import os`
   line at the top, on disk, and lose it again in the next measurement (`--disk-rounds` times
   each way). With `--watch client` (default) the client advertises dynamic registration of
   `workspace/didChangeWatchedFiles` and, if the server registered it, sends one notification
   with every file after the writes; with `--watch server` it does not, and the server's own
   watcher must notice. Timed from the end of the writes until every file holds diagnostics
   with (without) an unused-import finding about `os`. ty does not report unused imports, so
   this is n/a for ty. Files are restored at the end whatever happens (and a file left with the
   marker line by a killed run is repaired at start).
5. peak RSS at exit (`ru_maxrss` of `os.wait4`), after `shutdown`/`exit`.

Non-synthetic workspaces (no `synthetic.json`) run the index scenario only.

The client answers server requests as `lsp_latency.Client` does (null, the workspace
configuration above), records `client/registerCapability`, and advertises
`window.workDoneProgress`, `publishDiagnostics` (versionSupport) and, for pull servers only,
`textDocument.diagnostic` + `workspace.diagnostics.refreshSupport`. ripple is measured in push
mode (its default for a client without pull support), ty in pull mode (in push mode ty publishes
open files only, whatever `diagnosticMode` says).

Output: a markdown report on stdout and in `benches/results/lsp-scale-<workspace>.md`, and
`benches/results/lsp-scale-<workspace>.json`:

    {"format": 1, "workspace": name, "workspace_path": str, "files": int (.py files),
     "synthetic": bool, "date": str, "machine": {...}, "args": {...},
     "sessions": [ {
        "server": "ripple"|"ty", "round": int, "version": str, "command": [str],
        "transport": "push"|"pull", "watch": str (how disk changes reach the server),
        "workspace": name, "files": int,
        "index_s": float|null, "index_progress_end_s": float|null, "index_note": str,
        "published_files": int (files the client got diagnostics for during indexing; ripple
            publishes every file, ty reports only files with diagnostics),
        "files_with_diagnostics": int (of those, with at least one diagnostic),
        "rss_after_index_mib": float|null, "hwm_after_index_mib": float|null,
        "peak_rss_mib": float|null, "problems": [str], "server_requests": {method: count},
        "workspace_diagnostic_requests": int, "server_cancelled_retriggers": int (pull only),
        "idle": {"index"|scenario: {method: count}} (what the server sent during `--idle-check`
            s of client silence after indexing and after each scenario; should be empty),
        "scenarios": {"body_edit"|"rename"|"disk_change": {
            "status": "ok" | "n/a" | "skipped" | "failed" (timeouts or wrong content) | "aborted",
            "note": str, "measurements": int (attempted), "latencies_ms": [float] (completed ones),
            "count", "timeouts", "wrong_content",
            "min_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms" (null when no latency),
            rename and disk_change also: "targets" (files that must update), "first_ms": [float]
            (didChange/writes -> first target updated), "first_p50_ms", "missing", "wrong",
            "per_measurement": [{"kind": "rename"|"restore"|"add"|"remove", "all_ms": float|null,
            "first_ms": float|null, "missing": int, "wrong": int, "other_files": int (files
            outside the targets that got diagnostics meanwhile), "requests": int (pull
            requests sent)}]
        }}
     } ]}

Latencies are in ms, times in s, memory in MiB (2^20 bytes). `timeouts` counts measurements that
did not complete within `--edit-timeout`; `wrong_content` counts measurements where some
diagnostics arrived but not (for every target) the expected ones.

Python 3.11+, standard library only. See benches/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check import machine, version_of  # noqa: E402
from lsp_latency import Client, norm_uri, now, percentile, server_commands  # noqa: E402


REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".venv-tools" / "bin"
RESULTS = REPO / "benches" / "results"

# How each server is driven. `transport`: how the client gets workspace diagnostics.
# `unused_imports`: whether the server reports unused imports (the disk-change scenario's signal).
SERVERS = {
    "ripple": {"transport": "push", "unused_imports": True},
    "ty": {"transport": "pull", "unused_imports": False},
}
SETTINGS = {"diagnosticMode": "workspace"}


class Abort(Exception):
    pass


def mib(kib: float | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (KiB) of a live process."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return out


def stats(values: list[float]) -> dict:
    if not values:
        return {k: None for k in ("min_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms", "mean_ms")}
    return {"min_ms": round(min(values), 2), "p50_ms": round(percentile(values, 50), 2),
            "p90_ms": round(percentile(values, 90), 2), "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(max(values), 2), "mean_ms": round(statistics.fmean(values), 2)}


# ---------------------------------------------------------------------------- content checks


def mentions_missing_member(diagnostics: list[dict], name: str) -> bool:
    """ripple: "module `core.api` has no member `shared_helper`" (missing-module-member);
    ty: "Module `core.api` has no member `shared_helper`" (import-not-found / unresolved-import)."""
    return any(f"`{name}`" in d.get("message", "") and "member" in d.get("message", "")
               for d in diagnostics)


def mentions_unused_os(diagnostics: list[dict]) -> bool:
    """ripple: "`os` imported but unused" (unused-import)."""
    for d in diagnostics:
        message = d.get("message", "")
        code = str(d.get("code", ""))
        if "`os`" in message and ("unused" in message.lower() or code in ("unused-import", "F401")):
            return True
    return False


def mentions(diagnostics: list[dict], word: str) -> bool:
    return any(word in d.get("message", "") for d in diagnostics)


# ---------------------------------------------------------------------------- one connection


class Conn:
    """One server session: the client, the diagnostics the client holds, progress, waits."""

    def __init__(self, name: str, argv: list[str], workspace: Path, transport: str, watch: str,
                 logs: Path, round_no: int, trace: bool):
        self.name = name
        self.transport = transport
        self.workspace = workspace
        stem = f"lsp-scale-{workspace.name}-{name}-round{round_no}"
        folder = {"uri": workspace.as_uri(), "name": workspace.name}
        self.folder = folder
        self.c = Client(name, argv, workspace, logs / f"{stem}.stderr.log",
                        logs / f"{stem}.jsonl" if trace else None, [folder],
                        configuration=lambda item: dict(SETTINGS))
        self.watch = watch
        self.dead = False
        self.responses: dict[int, tuple[float, dict]] = {}
        self.partial_tokens: set[str] = set()
        self.active: set[str] = set()
        self.last_progress: float | None = None
        self.last_end: float | None = None
        self.last_publish: float | None = None
        self.diags: dict[str, list[dict]] = {}  # by normalised URI: what the client holds
        self.result_ids: dict[str, str] = {}  # pull: result id held, by URI (original spelling)
        self.uri_spelling: dict[str, str] = {}
        self.published: set[str] = set()
        self.doc_publishes: list[tuple[float, str, int | None, list[dict]]] = []
        self.doc_watch: str | None = None
        # The current wait: target URI -> expected predicate; hits: URI -> time.
        self.targets: dict[str, object] = {}
        self.hits: dict[str, float] = {}
        self.seen: set[str] = set()  # targets that received something since the wait started
        self.others = 0
        self.watching = False
        self.notifications: dict[str, int] = {}
        self.problems: list[str] = []
        # Pull transport: one `workspace/diagnostic` request is always outstanding (long
        # polling, as VS Code's client does); its partial results and its response update
        # `diags`, and a response is followed at once by the next request.
        self.polling = False
        self.poll_id: int | None = None
        self.polls = 0
        self.poll_errors = 0
        self.poll_retriggers = 0  # ServerCancelled with retriggerRequest: normal, re-polled

    # -- messages

    def handle(self, t: float, msg: dict | None) -> None:
        if msg is None:
            self.dead = True
            return
        if "method" not in msg:
            if "id" in msg and msg["id"] == self.poll_id:
                self.poll_answered(t, msg)
            elif "id" in msg:
                self.responses[msg["id"]] = (t, msg)
            return
        if "id" in msg:
            return  # a server request: the Client's responder answers it
        method = msg["method"]
        self.notifications[method] = self.notifications.get(method, 0) + 1
        params = msg.get("params") or {}
        if method == "$/progress":
            token = str(params.get("token"))
            value = params.get("value") or {}
            if token in self.partial_tokens:
                self.take_reports(t, value.get("items") or [])
                return
            kind = value.get("kind")
            self.last_progress = t
            if kind == "begin":
                self.active.add(token)
            elif kind == "end":
                self.active.discard(token)
                self.last_end = t
        elif method == "textDocument/publishDiagnostics":
            uri = params.get("uri", "")
            key = norm_uri(uri)
            diagnostics = params.get("diagnostics") or []
            self.diags[key] = diagnostics
            self.published.add(key)
            self.last_publish = t
            if key == self.doc_watch:
                self.doc_publishes.append((t, key, params.get("version"), diagnostics))
            self.observe(t, key, diagnostics, True)
        elif method == "window/showMessage" and (params.get("type") or 9) <= 2:
            self.problems.append(f"showMessage: {params.get('message', '')[:200]}")
        elif method == "window/logMessage" and params.get("type") == 1:
            self.problems.append(f"logMessage error: {params.get('message', '')[:200]}")

    def take_reports(self, t: float, items: list[dict]) -> None:
        """Workspace diagnostic reports (full or unchanged), as a pulling client keeps them."""
        for item in items:
            uri = item.get("uri", "")
            key = norm_uri(uri)
            self.uri_spelling[key] = uri
            if item.get("kind") == "full":
                self.diags[key] = item.get("items") or []
                if item.get("resultId"):
                    self.result_ids[key] = item["resultId"]
                else:
                    self.result_ids.pop(key, None)
            elif item.get("kind") == "unchanged":
                self.result_ids[key] = item.get("resultId", "")
            self.published.add(key)
            self.last_publish = t
            self.observe(t, key, self.diags.get(key, []), item.get("kind") == "full")

    def observe(self, t: float, key: str, diagnostics: list[dict], full: bool) -> None:
        if not self.watching:
            return
        check = self.targets.get(key)
        if check is None:
            # A publish or full report (not `unchanged`) for another file than the edited one.
            self.others += full and key != self.doc_watch
            return
        self.seen.add(key)
        if key not in self.hits and check(diagnostics):
            self.hits[key] = t

    def pump(self, until, deadline: float) -> bool:
        while not until():
            if self.dead:
                return False
            item = self.c.get(deadline)
            if item is None:
                return until()
            self.handle(*item)
        return True

    def drain(self, quiet: float, limit: float, after: str) -> bool:
        """Handles messages until none arrived for `quiet` s. A server still sending after
        `limit` s (a re-check loop, say) is a problem, reported with what it kept sending."""
        end = now() + limit
        before = dict(self.notifications)
        while now() < end and not self.dead:
            item = self.c.get(min(end, now() + quiet))
            if item is None:
                return True
            self.handle(*item)
        if self.dead:
            return False
        sent = {k: v - before.get(k, 0) for k, v in self.notifications.items()
                if v - before.get(k, 0)}
        self.problems.append(f"NOT QUIET: still sending {limit:.0f} s after {after}: {sent}")
        print(f"  {self.name}: NOT QUIET {limit:.0f} s after {after}: {sent}", file=sys.stderr)
        return False

    def request(self, method: str, params, timeout: float) -> tuple[float, dict, float] | None:
        """Sends a request; (response time, response, send time), or None at the timeout."""
        req, t_send = self.c.request(method, params)
        self.pump(lambda: req in self.responses, now() + timeout)
        got = self.responses.pop(req, None)
        return None if got is None else (got[0], got[1], t_send)

    def idle_check(self, seconds: float, after: str) -> dict:
        """With nothing sent, a server should go idle: counts what arrives in `seconds` s, and
        reports work (progress, diagnostics) as a problem."""
        before = dict(self.notifications)
        end = now() + seconds
        while now() < end and not self.dead:
            item = self.c.get(end)
            if item is not None:
                self.handle(*item)
        sent = {k: v - before.get(k, 0) for k, v in self.notifications.items()
                if v - before.get(k, 0)}
        if sent:
            self.problems.append(f"BUSY WHILE IDLE: {seconds:g} s after {after} with nothing "
                                 f"sent, the server sent {sent}")
            print(f"  {self.name}: BUSY WHILE IDLE {seconds:g} s after {after}: {sent}",
                  file=sys.stderr)
        return sent

    def poll(self) -> None:
        """Sends `workspace/diagnostic` with the result ids held and a partial result token."""
        token = f"lsp-scale/{len(self.partial_tokens) + 1}"
        self.partial_tokens.add(token)
        previous = [{"uri": self.uri_spelling.get(k, k), "value": v}
                    for k, v in self.result_ids.items()]
        self.poll_id, _ = self.c.request(
            "workspace/diagnostic", {"previousResultIds": previous, "partialResultToken": token})
        self.polls += 1

    def poll_answered(self, t: float, msg: dict) -> None:
        self.poll_id = None
        error = msg.get("error")
        if error and error.get("code") == -32802 and (error.get("data") or {}).get(
                "retriggerRequest", True):
            self.poll_retriggers += 1
        elif error:
            self.poll_errors += 1
            if self.poll_errors <= 5:
                self.problems.append(f"workspace/diagnostic error: {msg['error']}")
            if self.poll_errors >= 20:
                self.polling = False
                self.problems.append("workspace/diagnostic failed 20 times: polling stopped")
        else:
            self.take_reports(t, (msg.get("result") or {}).get("items") or [])
        if self.polling:
            self.poll()

    def start_wait(self, targets: dict[str, object]) -> None:
        self.targets = targets
        self.hits = {}
        self.seen = set()
        self.others = 0
        self.watching = True

    def stop_wait(self) -> None:
        self.watching = False


# ---------------------------------------------------------------------------- scenarios


def new_scenario(status: str = "ok", note: str = "") -> dict:
    return {"status": status, "note": note, "measurements": 0, "latencies_ms": [], "count": 0,
            "timeouts": 0, "wrong_content": 0, **stats([])}


def finish_scenario(sc: dict) -> dict:
    sc.pop("_consecutive", None)
    sc["count"] = len(sc["latencies_ms"])
    sc["latencies_ms"] = [round(v, 2) for v in sc["latencies_ms"]]
    sc.update(stats(sc["latencies_ms"]))
    if "first_ms" in sc:
        sc["first_ms"] = [round(v, 2) for v in sc["first_ms"]]
        sc["first_p50_ms"] = round(percentile(sc["first_ms"], 50), 2) if sc["first_ms"] else None
    if sc["status"] == "ok" and (sc["timeouts"] or sc["wrong_content"]):
        sc["status"] = "failed"
    return sc


def open_document(conn: Conn, path: Path, args) -> tuple[str, str]:
    """didOpen (version 1) and waits for its first diagnostics; returns (uri, text)."""
    uri = path.as_uri()
    key = norm_uri(uri)
    text = path.read_text(encoding="utf-8")
    conn.doc_watch = key
    conn.doc_publishes.clear()
    t_open = conn.c.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})
    if conn.transport == "push":
        if not conn.pump(lambda: any(v in (None, 1) for _, _, v, _ in conn.doc_publishes),
                         t_open + args.edit_timeout):
            raise Abort(f"no publishDiagnostics for {path.name} within {args.edit_timeout:.0f} s "
                        "of didOpen")
    else:
        if conn.request("textDocument/diagnostic", {"textDocument": {"uri": uri}},
                        args.edit_timeout) is None:
            raise Abort(f"no textDocument/diagnostic answer for {path.name}")
    return uri, text


def close_document(conn: Conn, uri: str) -> None:
    conn.c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    conn.doc_watch = None


def scenario_body_edit(conn: Conn, ws: Path, manifest: dict, args) -> dict:
    spec = manifest["body_edit"]
    sc = new_scenario()
    sc["target"] = spec["path"]
    uri, _ = open_document(conn, ws / spec["path"], args)
    key = norm_uri(uri)
    line, char = spec["line"], spec["character"]
    word = spec["line_text"].split()[-1] + spec["insert"]  # totalx
    consecutive = 0
    version = 1
    for i in range(args.edits):
        version += 1
        insert = i % 2 == 0
        at = {"line": line, "character": char}
        change = ({"range": {"start": at, "end": at}, "text": spec["insert"]} if insert else
                  {"range": {"start": at, "end": {"line": line, "character": char + 1}},
                   "text": ""})
        conn.doc_publishes.clear()
        t_send = conn.c.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        sc["measurements"] += 1
        got_diags = None
        t_done = None
        if conn.transport == "push":
            v = version
            if conn.pump(lambda: any(pv in (None, v) for _, _, pv, _ in conn.doc_publishes),
                         t_send + args.edit_timeout):
                t_done, _, _, got_diags = next(p for p in conn.doc_publishes if p[2] in (None, v))
            stale = [pv for _, _, pv, _ in conn.doc_publishes if pv is not None and pv < v]
            if stale:
                conn.problems.append(f"body edit {i + 1}: publish(es) of older version(s) "
                                     f"{stale} while awaiting {v}")
        else:
            got = conn.request("textDocument/diagnostic", {"textDocument": {"uri": uri}},
                               args.edit_timeout)
            if got is not None:
                t_done, resp, _ = got
                report = resp.get("result") or {}
                if report.get("kind") == "full":
                    conn.diags[key] = report.get("items") or []
                got_diags = conn.diags.get(key, [])
        if conn.dead:
            raise Abort(f"the server exited during body edit {i + 1}")
        if t_done is None:
            sc["timeouts"] += 1
            consecutive += 1
            print(f"  {conn.name}: body edit {i + 1} (version {version}) TIMED OUT after "
                  f"{args.edit_timeout:.0f} s", file=sys.stderr)
            if consecutive >= args.max_consecutive_timeouts:
                sc["status"] = "aborted"
                sc["note"] = f"stopped after {consecutive} consecutive timeouts"
                break
            continue
        consecutive = 0
        if mentions(got_diags, word) != insert:
            sc["wrong_content"] += 1
            if sc["wrong_content"] <= 3:
                print(f"  {conn.name}: body edit {i + 1}: WRONG CONTENT, `{word}` "
                      f"{'missing' if insert else 'still reported'}", file=sys.stderr)
        sc["latencies_ms"].append((t_done - t_send) * 1000)
    close_document(conn, uri)
    conn.drain(args.quiet, args.quiet_limit, "the body edits")
    return finish_scenario(sc)


def wait_targets(conn: Conn, t_start: float, args) -> dict:
    """Waits until every target holds the expected diagnostics; one per_measurement record."""
    deadline = t_start + args.edit_timeout
    polls = conn.polls
    conn.pump(lambda: len(conn.hits) == len(conn.targets), deadline)
    hits = sorted(conn.hits.values())
    complete = len(conn.hits) == len(conn.targets)
    record = {
        "all_ms": round((hits[-1] - t_start) * 1000, 2) if complete and hits else None,
        "first_ms": round((hits[0] - t_start) * 1000, 2) if hits else None,
        "missing": sum(1 for k in conn.targets if k not in conn.hits and k not in conn.seen),
        "wrong": sum(1 for k in conn.targets if k not in conn.hits and k in conn.seen),
        "other_files": conn.others,
        "requests": conn.polls - polls,
    }
    conn.stop_wait()
    return record


def record_measurement(conn: Conn, sc: dict, rec: dict, label: str, args) -> bool:
    """Adds a wait_targets record to the scenario; False if the scenario should stop (too many
    failed measurements in a row)."""
    sc["measurements"] += 1
    sc["per_measurement"].append(rec)
    if rec["first_ms"] is not None:
        sc["first_ms"].append(rec["first_ms"])
    if rec["all_ms"] is not None:
        sc["latencies_ms"].append(rec["all_ms"])
        sc["_consecutive"] = 0
        return True
    sc["missing"] += rec["missing"]
    sc["wrong"] += rec["wrong"]
    if rec["wrong"]:
        sc["wrong_content"] += 1
    else:
        sc["timeouts"] += 1
    print(f"  {conn.name}: {label} TIMED OUT after {args.edit_timeout:.0f} s: "
          f"{rec['missing']} target(s) got nothing, {rec['wrong']} never the expected "
          f"diagnostics", file=sys.stderr)
    sc["_consecutive"] = sc.get("_consecutive", 0) + 1
    if sc["_consecutive"] >= args.max_consecutive_timeouts:
        sc["status"] = "aborted"
        sc["note"] = (f"stopped after {sc['_consecutive']} failed measurements in a row "
                      f"({sc['measurements']} done)")
        return False
    return True


def scenario_rename(conn: Conn, ws: Path, manifest: dict, args) -> dict:
    spec = manifest["rename"]
    sc = new_scenario()
    sc.update({"targets": len(spec["importers"]), "first_ms": [], "missing": 0, "wrong": 0,
               "per_measurement": [], "target": f"{spec['path']}: def {spec['name']}"})
    uri, _ = open_document(conn, ws / spec["path"], args)
    conn.drain(args.quiet, args.quiet_limit, f"didOpen of {spec['path']}")
    keys = [norm_uri((ws / p).as_uri()) for p in spec["importers"]]
    name = spec["name"]
    at = {"line": spec["line"], "character": spec["character"]}
    after = {"line": spec["line"], "character": spec["character"] + 1}
    version = 1
    for i in range(2 * args.remove_rounds):
        version += 1
        rename = i % 2 == 0
        check = ((lambda d: mentions_missing_member(d, name)) if rename
                 else (lambda d: not mentions_missing_member(d, name)))
        conn.start_wait({k: check for k in keys})
        change = ({"range": {"start": at, "end": at}, "text": "x"} if rename
                  else {"range": {"start": at, "end": after}, "text": ""})
        t_send = conn.c.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        rec = wait_targets(conn, t_send, args)
        rec["kind"] = "rename" if rename else "restore"
        go_on = record_measurement(conn, sc, rec, f"rename measurement {i + 1} ({rec['kind']})",
                                   args)
        if conn.dead:
            raise Abort(f"the server exited during rename measurement {i + 1}")
        conn.drain(args.quiet, args.quiet_limit, f"rename measurement {i + 1}")
        if not go_on:
            break
    if (version - 1) % 2:  # an odd number of changes leaves the rename in: restore it
        version += 1
        conn.c.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": at, "end": after}, "text": ""}]})
    close_document(conn, uri)
    conn.drain(args.quiet, args.quiet_limit, "the renames")
    return finish_scenario(sc)


def strip_marker(text: str, marker: str) -> str:
    first, _, rest = text.partition("\n")
    return rest if first == marker else text


def repair_disk_files(ws: Path, manifest: dict) -> int:
    """Removes the marker line a killed run may have left; returns how many files it fixed."""
    spec = manifest.get("disk_change") or {}
    fixed = 0
    for rel in spec.get("files", []):
        path = ws / rel
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        clean = strip_marker(text, spec["insert_line"])
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            fixed += 1
    return fixed


def scenario_disk_change(conn: Conn, ws: Path, manifest: dict, args, registered: bool) -> dict:
    spec = manifest["disk_change"]
    sc = new_scenario()
    paths = [ws / p for p in spec["files"]]
    sc.update({"targets": len(paths), "first_ms": [], "missing": 0, "wrong": 0,
               "per_measurement": []})
    originals = {p: p.read_text(encoding="utf-8") for p in paths}
    keys = [norm_uri(p.as_uri()) for p in paths]
    notify = args.watch == "client" and registered
    sc["note"] = ("client sends workspace/didChangeWatchedFiles (the server registered it)"
                  if notify else "server's own file watcher (no notification sent)")
    try:
        for i in range(2 * args.disk_rounds):
            add = i % 2 == 0
            check = mentions_unused_os if add else (lambda d: not mentions_unused_os(d))
            conn.start_wait({k: check for k in keys})
            t_write = now()
            for p in paths:
                p.write_text((spec["insert_line"] + "\n" + originals[p]) if add else originals[p],
                             encoding="utf-8")
            t_start = now()
            if notify:
                conn.c.notify("workspace/didChangeWatchedFiles", {"changes": [
                    {"uri": p.as_uri(), "type": 2} for p in paths]})
            rec = wait_targets(conn, t_start, args)
            rec["kind"] = "add" if add else "remove"
            rec["write_ms"] = round((t_start - t_write) * 1000, 2)
            go_on = record_measurement(conn, sc, rec,
                                       f"disk measurement {i + 1} ({rec['kind']})", args)
            if conn.dead:
                raise Abort(f"the server exited during disk measurement {i + 1}")
            conn.drain(args.quiet, args.quiet_limit, f"disk measurement {i + 1}")
            if not go_on:
                break
    finally:
        for p in paths:
            if p.read_text(encoding="utf-8") != originals[p]:
                p.write_text(originals[p], encoding="utf-8")
    return finish_scenario(sc)


# ---------------------------------------------------------------------------- one session


def run_session(name: str, argv: list[str], round_no: int, ws: Path, manifest: dict | None,
                args, logs: Path) -> dict:
    transport = SERVERS[name]["transport"]
    out: dict = {"server": name, "round": round_no, "version": "?", "command": argv,
                 "transport": transport, "watch": "", "workspace": ws.name,
                 "files": args.nfiles, "index_s": None, "index_progress_end_s": None,
                 "index_note": "", "published_files": 0, "files_with_diagnostics": 0,
                 "rss_after_index_mib": None, "hwm_after_index_mib": None, "peak_rss_mib": None,
                 "problems": [], "server_requests": {}, "workspace_diagnostic_requests": 0,
                 "server_cancelled_retriggers": 0, "idle": {}, "scenarios": {}}
    conn = Conn(name, argv, ws, transport, args.watch, logs, round_no, args.trace)
    c = conn.c
    wanted = ["body_edit", "rename", "disk_change"]
    try:
        text_caps: dict = {
            "synchronization": {"dynamicRegistration": False, "didSave": True},
            "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                                   "codeDescriptionSupport": True, "dataSupport": True,
                                   "tagSupport": {"valueSet": [1, 2]}},
        }
        ws_caps: dict = {"configuration": True, "workspaceFolders": True,
                         "didChangeWatchedFiles": {"dynamicRegistration": args.watch == "client"}}
        if transport == "pull":
            text_caps["diagnostic"] = {"dynamicRegistration": False,
                                       "relatedDocumentSupport": False}
            ws_caps["diagnostics"] = {"refreshSupport": True}
        got = conn.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": {"name": "ripple-benches-lsp_scale"},
            "rootUri": ws.as_uri(),
            "rootPath": str(ws),
            "workspaceFolders": [conn.folder],
            "initializationOptions": dict(SETTINGS),
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "window": {"workDoneProgress": True},
                             "workspace": ws_caps, "textDocument": text_caps},
        }, args.init_timeout)
        if got is None:
            raise Abort(f"no initialize response within {args.init_timeout:.0f} s")
        _, resp, _ = got
        if "error" in resp:
            raise Abort(f"initialize failed: {resp['error']}")
        result = resp.get("result") or {}
        info = result.get("serverInfo") or {}
        out["version"] = " ".join(x for x in (info.get("name"), info.get("version")) if x) or "?"
        caps = result.get("capabilities") or {}
        if transport == "pull" and not (caps.get("diagnosticProvider") or {}).get(
                "workspaceDiagnostics"):
            raise Abort("pull transport, but no workspace diagnostics in diagnosticProvider")

        # -- 1. index
        t_init = c.notify("initialized", {})
        deadline = t_init + args.index_timeout
        if transport == "pull":
            conn.polling = True
            conn.poll()

        def last_activity() -> float:
            return max(x for x in (conn.last_progress, conn.last_publish, t_init)
                       if x is not None)

        while not conn.dead and now() < deadline:
            if not conn.active and now() - last_activity() >= args.settle:
                break
            item = c.get(min(deadline, max(last_activity() + args.settle, now() + 0.01)))
            if item is not None:
                conn.handle(*item)
        if conn.dead:
            raise Abort("the server exited during indexing")
        if conn.active:
            out["index_note"] = (f"TIMED OUT: progress still open after "
                                 f"{args.index_timeout:.0f} s")
        elif conn.last_end is None and conn.last_publish is None:
            out["index_note"] = f"nothing within {args.settle:.0f} s of initialized"
        else:
            out["index_s"] = round(last_activity() - t_init, 3)
            kind = "publish" if transport == "push" else "workspace/diagnostic report"
            out["index_note"] = f"last progress end or {kind}, settled {args.settle:g} s"
        if conn.last_end is not None:
            out["index_progress_end_s"] = round(conn.last_end - t_init, 3)
        status = proc_status(c.proc.pid)
        out["rss_after_index_mib"] = mib(status.get("VmRSS"))
        out["hwm_after_index_mib"] = mib(status.get("VmHWM"))
        out["published_files"] = len(conn.published)
        out["files_with_diagnostics"] = sum(1 for k in conn.published if conn.diags.get(k))
        registered = any(r.get("method") == "workspace/didChangeWatchedFiles"
                         for r in c.registrations)
        if args.watch == "client":
            out["watch"] = ("client: the server registered workspace/didChangeWatchedFiles"
                            if registered else
                            "client offered dynamic registration; the server did not register "
                            "(it watches itself)")
        else:
            out["watch"] = "server: no dynamic registration offered (the server watches itself)"
        print(f"  {name}: index {out['index_s']} s ({out['index_note']}), "
              f"{out['published_files']} files published, "
              f"{out['files_with_diagnostics']} with diagnostics, "
              f"RSS {out['rss_after_index_mib']} MiB", file=sys.stderr)
        if out["index_s"] is None:
            raise Abort(f"indexing did not finish: {out['index_note']}")
        conn.drain(args.quiet, args.quiet_limit, "indexing")
        out["idle"] = {"index": conn.idle_check(args.idle_check, "indexing")}

        # -- 2.-4.
        for scenario in list(wanted):
            if scenario not in args.scenarios:
                out["scenarios"][scenario] = new_scenario("skipped", "not in --scenarios")
                wanted.remove(scenario)
                continue
            if manifest is None or scenario not in manifest:
                out["scenarios"][scenario] = new_scenario(
                    "n/a", "needs a synthetic workspace (synthetic.json)")
                wanted.remove(scenario)
                continue
            started = now()
            if scenario == "body_edit":
                sc = scenario_body_edit(conn, ws, manifest, args)
            elif scenario == "rename":
                sc = scenario_rename(conn, ws, manifest, args)
            elif not SERVERS[name]["unused_imports"]:
                sc = new_scenario("n/a", f"{name} does not report unused imports")
            else:
                sc = scenario_disk_change(conn, ws, manifest, args, registered)
            out["scenarios"][scenario] = sc
            wanted.remove(scenario)
            if sc["measurements"]:
                out["idle"][scenario] = conn.idle_check(args.idle_check, scenario)
            print(f"  {name}: {scenario} {sc['status']}"
                  + (f" ({sc['note']})" if sc["note"] else "")
                  + (f": {sc['count']}/{sc['measurements']} p50 {sc['p50_ms']} ms "
                     f"max {sc['max_ms']} ms, timeouts {sc['timeouts']}, "
                     f"wrong {sc['wrong_content']}" if sc["measurements"] else "")
                  + f" [{now() - started:.0f} s]", file=sys.stderr)

        conn.polling = False
        got = conn.request("shutdown", None, 30)
        if got is None:
            out["problems"].append("no shutdown response within 30 s")
        c.notify("exit", None)
        c.finish(10)
    except Abort as e:
        out["problems"].append(f"ABORTED: {e}")
        print(f"  {name}: ABORTED: {e}", file=sys.stderr)
        for scenario in wanted:
            out["scenarios"].setdefault(scenario, new_scenario("aborted", str(e)))
        try:
            c.proc.kill()
        except OSError:
            pass
        c.finish(5)
    finally:
        if c.returncode is None:  # not reaped yet (an unexpected exception): kill it
            try:
                c.proc.kill()
            except OSError:
                pass
            c.finish(5)
    if c.returncode not in (0, None):
        out["problems"].append(f"exit status {c.returncode}")
    if c.rusage is not None:
        out["peak_rss_mib"] = mib(c.rusage.ru_maxrss)
    out["problems"][:0] = c.problems + conn.problems
    out["server_requests"] = dict(c.server_requests)
    out["workspace_diagnostic_requests"] = conn.polls
    out["server_cancelled_retriggers"] = conn.poll_retriggers
    return out


# ---------------------------------------------------------------------------- report


def fmt(v, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = f"{v:.1f}" if v < 100 else f"{v:.0f}"
    return f"{v}{unit}"


def join(values) -> str:
    return " / ".join(fmt(v) for v in values) or "n/a"


def report(result: dict, servers: list[str], commands: dict, args) -> str:
    m = result["machine"]
    md = [f"## LSP at scale: {result['workspace']}", ""]
    md.append(f"- workspace: `{result['workspace_path']}` ({result['files']} .py files"
              + (", synthetic, manifest synthetic.json" if result["synthetic"] else "") + ")")
    md.append(f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}, "
              f"Python {m['python']}; load average at start {result['loadavg']}")
    md.append(f"- date: {result['date']}")
    md.append("- versions: " + "; ".join(f"{n}: `{result['versions'][n]}`" for n in servers))
    md.append("- commands (cwd = workspace): " + "; ".join(
        f"{n}: `{shlex.join(commands[n])}`" for n in servers))
    md.append(f"- {args.rounds} round(s), interleaved; workspace diagnostics "
              "(`{\"diagnosticMode\": \"workspace\"}` in initializationOptions and "
              "workspace/configuration); transport: "
              + ", ".join(f"{n} {SERVERS[n]['transport']}" for n in servers)
              + f"; disk changes: --watch {args.watch}")
    md.append(f"- timeouts: index {args.index_timeout:.0f} s, each measurement "
              f"{args.edit_timeout:.0f} s; settle {args.settle:g} s")
    md.append("")
    md.append("### Indexing and memory (per round)")
    md.append("")
    md.append("| server | round | index s | progress end s | files published | with diagnostics "
              "| RSS after index MiB | HWM after index MiB | peak RSS MiB |")
    md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for s in result["sessions"]:
        md.append(f"| {s['server']} | {s['round']} | {fmt(s['index_s'])} "
                  f"| {fmt(s['index_progress_end_s'])} | {s['published_files']} "
                  f"| {s['files_with_diagnostics']} | {fmt(s['rss_after_index_mib'])} "
                  f"| {fmt(s['hwm_after_index_mib'])} | {fmt(s['peak_rss_mib'])} |")
    md.append("")
    md.append("### Latency (ms, over all rounds)")
    md.append("")
    md.append("| server | scenario | status | done/tried | min | p50 | p90 | p99 | max "
              "| first p50 | timeouts | wrong content |")
    md.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    notes: list[str] = []
    for name in servers:
        ss = [s for s in result["sessions"] if s["server"] == name]
        for scenario in ("body_edit", "rename", "disk_change"):
            scs = [s["scenarios"].get(scenario) for s in ss if scenario in s["scenarios"]]
            if not scs:
                continue
            statuses = sorted({x["status"] for x in scs})
            lat = [v for x in scs for v in x["latencies_ms"]]
            first = [v for x in scs for v in x.get("first_ms", [])]
            tried = sum(x["measurements"] for x in scs)
            if all(x["status"] in ("n/a", "skipped") for x in scs):
                md.append(f"| {name} | {scenario} | {scs[0]['status']}: {scs[0]['note']} "
                          "| | | | | | | | | |")
                continue
            st = stats(lat)
            md.append(f"| {name} | {scenario} | {'/'.join(statuses)} | {len(lat)}/{tried} "
                      f"| {fmt(st['min_ms'])} | {fmt(st['p50_ms'])} | {fmt(st['p90_ms'])} "
                      f"| {fmt(st['p99_ms'])} | {fmt(st['max_ms'])} "
                      f"| {fmt(percentile(first, 50)) if first else 'n/a'} "
                      f"| {sum(x['timeouts'] for x in scs)} "
                      f"| {sum(x['wrong_content'] for x in scs)} |")
            for s, x in zip(ss, scs):
                if x["status"] not in ("ok",) and x["note"]:
                    notes.append(f"{name} round {s['round']} {scenario}: {x['status']}: "
                                 f"{x['note']}")
                elif x["note"]:
                    notes.append(f"{name} round {s['round']} {scenario}: {x['note']}")
                if x.get("missing") or x.get("wrong"):
                    notes.append(f"{name} round {s['round']} {scenario}: over the timed-out "
                                 f"measurements, {x['missing']} target file(s) received nothing "
                                 f"and {x['wrong']} never the expected diagnostics")
                others = [r["other_files"] for r in x.get("per_measurement", [])]
                if others and max(others):
                    notes.append(f"{name} round {s['round']} {scenario}: diagnostics for files "
                                 f"outside the targets per measurement: {others}")
    for s in result["sessions"]:
        prefix = f"{s['server']} round {s['round']}"
        if s["index_s"] is None:
            notes.append(f"{prefix}: index {s['index_note']}")
        notes.append(f"{prefix}: disk changes: {s['watch']}")
        for p in s["problems"]:
            notes.append(f"{prefix}: {p}")
        reqs = ", ".join(f"{k} x{v}" for k, v in sorted(s["server_requests"].items()))
        notes.append(f"{prefix}: server requests answered: {reqs or 'none'}")
        if s["transport"] == "pull":
            notes.append(f"{prefix}: workspace/diagnostic requests sent: "
                         f"{s['workspace_diagnostic_requests']}, of which the server cancelled "
                         f"{s['server_cancelled_retriggers']} asking for a retrigger")
    md.append("")
    md.append("index: `initialized` -> the client holds every file's diagnostics (push: last "
              "progress end or publish, settled; pull: last progress end or "
              "workspace/diagnostic report, settled). body_edit: didChange -> that version's "
              "diagnostics. rename: didChange "
              "of `def shared_helper` -> every importer's diagnostics reflect it (first p50: to "
              "the first importer). disk_change: end of the writes -> every file's diagnostics "
              "reflect it. Contents are checked, not just arrival.")
    if notes:
        md.append("")
        md += [f"- {n}" for n in notes]
    return "\n".join(md) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", required=True,
                    help="workspace folder, e.g. benches/workspaces/synthetic-100000")
    ap.add_argument("--ripple", default=str(REPO / "target/release/ripple"),
                    help="ripple binary (default: target/release/ripple)")
    ap.add_argument("--ty", default=str(TOOLS_BIN / "ty"),
                    help="ty binary (default: .venv-tools/bin/ty)")
    ap.add_argument("--servers", default="ripple,ty", help="comma-separated (default: ripple,ty)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="sessions per server, interleaved (default 1)")
    ap.add_argument("--scenarios", default="body_edit,rename,disk_change",
                    help="which of body_edit,rename,disk_change to run after indexing (default: "
                         "all)")
    ap.add_argument("--edits", type=int, default=200, help="body edits per session (default 200)")
    ap.add_argument("--remove-rounds", type=int, default=20,
                    help="renames of shared_helper (each followed by the rename back) per "
                         "session (default 20: 40 measurements)")
    ap.add_argument("--disk-rounds", type=int, default=5,
                    help="disk changes (each followed by the revert) per session (default 5: 10 "
                         "measurements)")
    ap.add_argument("--watch", choices=["client", "server"], default="client",
                    help="client: offer dynamic registration of didChangeWatchedFiles and notify "
                         "(default); server: offer none, the server must watch the disk")
    ap.add_argument("--index-timeout", type=float, default=600.0, help="seconds (default 600)")
    ap.add_argument("--edit-timeout", type=float, default=60.0,
                    help="seconds per measurement of body_edit, rename, disk_change (default 60)")
    ap.add_argument("--max-consecutive-timeouts", type=int, default=3,
                    help="stop a scenario after this many timeouts in a row (default 3)")
    ap.add_argument("--settle", type=float, default=2.0,
                    help="push indexing is done when no progress or publish arrived for this "
                         "long (default 2 s)")
    ap.add_argument("--quiet", type=float, default=0.3,
                    help="between measurements, wait until nothing arrived for this long "
                         "(default 0.3 s)")
    ap.add_argument("--quiet-limit", type=float, default=10.0,
                    help="a server still sending this long after a measurement is reported "
                         "(NOT QUIET) and the next measurement starts anyway (default 10 s)")
    ap.add_argument("--idle-check", type=float, default=2.0,
                    help="after indexing and after each scenario, stay silent this long and "
                         "report anything the server still does (default 2 s)")
    ap.add_argument("--init-timeout", type=float, default=60.0)
    ap.add_argument("--out", help="markdown to write (default: benches/results/"
                                  "lsp-scale-<workspace>.md; .json and logs beside it)")
    ap.add_argument("--trace", action="store_true",
                    help="log every message to lsp-scale-<ws>-<server>-round<N>.jsonl")
    args = ap.parse_args()

    ws = Path(args.workspace).resolve()
    if not ws.is_dir():
        sys.exit(f"lsp_scale.py: workspace {ws} is not a directory (benches/make-workspace.py)")
    manifest_path = ws / "synthetic.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else None
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for s in args.scenarios:
        if s not in ("body_edit", "rename", "disk_change"):
            sys.exit(f"lsp_scale.py: unknown scenario {s!r}")
    commands, servers = server_commands(args.ripple, args.ty, args.servers, "lsp_scale.py")
    if args.rounds < 1 or args.edits < 1 or args.remove_rounds < 1 or args.disk_rounds < 1:
        sys.exit("lsp_scale.py: --rounds, --edits, --remove-rounds, --disk-rounds must be >= 1")
    out = Path(args.out) if args.out else RESULTS / f"lsp-scale-{ws.name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)

    if manifest is not None:
        fixed = repair_disk_files(ws, manifest)
        if fixed:
            print(f"lsp_scale.py: removed a leftover disk-change line from {fixed} file(s)",
                  file=sys.stderr)
    # Count the files and warm the page cache, so that the first server does not pay for it.
    args.nfiles = 0
    for directory, dirs, files in os.walk(ws):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            if f.endswith((".py", ".pyi")):
                (Path(directory) / f).read_bytes()
                args.nfiles += 1
    if manifest is not None and manifest.get("files") != args.nfiles:
        print(f"lsp_scale.py: warning: the manifest says {manifest.get('files')} files, the "
              f"workspace has {args.nfiles}", file=sys.stderr)

    result: dict = {
        "format": 1, "workspace": ws.name, "workspace_path": os.path.relpath(ws, REPO),
        "files": args.nfiles, "synthetic": manifest is not None,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(),
        "loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3])
        if Path("/proc/loadavg").exists() else "?",
        "versions": {n: version_of([commands[n][0], "--version"]) for n in servers},
        "args": {k: v for k, v in vars(args).items() if k not in ("nfiles",)},
        "sessions": [],
    }
    try:
        for r in range(1, args.rounds + 1):
            for name in servers:
                print(f"round {r}/{args.rounds} {name}: {shlex.join(commands[name])} "
                      f"({SERVERS[name]['transport']}) on {ws.name}", file=sys.stderr)
                started = now()
                s = run_session(name, commands[name], r, ws, manifest, args, out.parent)
                result["sessions"].append(s)
                print(f"round {r}/{args.rounds} {name}: done in {now() - started:.0f} s, "
                      f"peak RSS {s['peak_rss_mib']} MiB", file=sys.stderr)
                for p in s["problems"]:
                    print(f"  {name}: {p}", file=sys.stderr)
    finally:
        if manifest is not None:
            repair_disk_files(ws, manifest)

    text = report(result, servers, commands, args)
    print(text)
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"lsp_scale.py: wrote {out} and {out.with_suffix('.json')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
