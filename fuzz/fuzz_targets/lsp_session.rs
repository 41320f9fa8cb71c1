//! A whole LSP session in-process: `initialize` on a small workspace, then a fuzzed sequence of
//! framed messages (known methods with fuzzed parameters, unknown methods, requests before and
//! after shutdown, non-JSON bodies, broken headers), through the same framing guard, handlers
//! and engine as `ripple lsp`. The session ends at the end of the input and the engine is
//! joined, so a panic on any of its threads is caught here.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ripple_server::{EngineAtExit, serve};
use serde_json::{Value, json};

#[derive(Debug, Arbitrary)]
enum Message {
    Open {
        file: u8,
        text: String,
        version: i32,
    },
    Change {
        file: u8,
        version: i32,
        edits: Vec<(u32, u32, u32, u32, String)>,
    },
    Replace {
        file: u8,
        version: i32,
        text: String,
    },
    Save {
        file: u8,
    },
    Close {
        file: u8,
    },
    Watched {
        file: u8,
        kind: u8,
    },
    Configuration {
        mode: u8,
    },
    PullDocument {
        file: u8,
        previous: Option<String>,
    },
    PullWorkspace,
    Stats,
    Shutdown,
    Exit,
    Unknown {
        method: String,
        params: Option<String>,
    },
    /// A body that may not be JSON, framed correctly.
    RawBody(Vec<u8>),
    /// Bytes with no framing at all.
    RawBytes(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Session {
    utf8: bool,
    pull: bool,
    watch: bool,
    messages: Vec<Message>,
}

/// A workspace to serve: two modules, one importing the other, and a configuration.
fn workspace() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
        let root = dir.keep();
        for (name, text) in [
            ("ripple.toml", "diagnostic-mode = \"workspace\"\n"),
            ("a.py", "from b import VALUE\n\nprint(VALUE, missing)\n"),
            ("b.py", "VALUE = 1\nimport os\n"),
        ] {
            std::fs::write(root.join(name), text).unwrap_or_else(|error| panic!("{error}"));
        }
        root
    })
}

fn uri(file: u8) -> String {
    let name = ["a.py", "b.py", "c.py", "ripple.toml", "not-python.txt"][file as usize % 5];
    if file >= 250 {
        // Not a file URI at all.
        return format!("untitled:Untitled-{file}");
    }
    format!("file://{}/{name}", workspace().display())
}

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
}

fn notify(out: &mut Vec<u8>, method: &str, params: Value) {
    let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
    frame(out, message.to_string().as_bytes());
}

fn request(out: &mut Vec<u8>, id: &mut i64, method: &str, params: Value) {
    *id += 1;
    let message = json!({"jsonrpc": "2.0", "id": *id, "method": method, "params": params});
    frame(out, message.to_string().as_bytes());
}

fn range((a, b, c, d): (u32, u32, u32, u32)) -> Value {
    json!({"start": {"line": a % 16, "character": b % 64},
           "end": {"line": c % 16, "character": d % 64}})
}

fuzz_target!(|session: Session| {
    let mut input = Vec::new();
    let mut id = 0;
    let root = format!("file://{}", workspace().display());
    // No work-done progress: this client never answers the server's requests, and the server
    // waits two seconds for a progress token before working without one (tested end to end).
    let mut capabilities = json!({"window": {"workDoneProgress": false},
                                  "workspace": {"didChangeWatchedFiles":
                                                {"dynamicRegistration": session.watch}}});
    if session.utf8 {
        capabilities["general"] = json!({"positionEncodings": ["utf-8", "utf-16"]});
    }
    if session.pull {
        capabilities["textDocument"] = json!({"diagnostic": {}});
    }
    request(
        &mut input,
        &mut id,
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": capabilities}),
    );
    notify(&mut input, "initialized", json!({}));
    for message in session.messages.into_iter().take(64) {
        match message {
            Message::Open {
                file,
                text,
                version,
            } => notify(
                &mut input,
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri(file), "languageId": "python",
                                        "version": version, "text": text}}),
            ),
            Message::Change {
                file,
                version,
                edits,
            } => {
                let changes: Vec<Value> = edits
                    .into_iter()
                    .take(8)
                    .map(|(a, b, c, d, text)| json!({"range": range((a, b, c, d)), "text": text}))
                    .collect();
                notify(
                    &mut input,
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri(file), "version": version},
                           "contentChanges": changes}),
                );
            }
            Message::Replace {
                file,
                version,
                text,
            } => notify(
                &mut input,
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri(file), "version": version},
                       "contentChanges": [{"text": text}]}),
            ),
            Message::Save { file } => notify(
                &mut input,
                "textDocument/didSave",
                json!({"textDocument": {"uri": uri(file)}}),
            ),
            Message::Close { file } => notify(
                &mut input,
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri(file)}}),
            ),
            Message::Watched { file, kind } => notify(
                &mut input,
                "workspace/didChangeWatchedFiles",
                json!({"changes": [{"uri": uri(file), "type": kind % 4}]}),
            ),
            Message::Configuration { mode } => {
                let mode = ["open-files", "workspace", "bogus"][mode as usize % 3];
                notify(
                    &mut input,
                    "workspace/didChangeConfiguration",
                    json!({"settings": {"ripple": {"diagnosticMode": mode}}}),
                );
            }
            Message::PullDocument { file, previous } => request(
                &mut input,
                &mut id,
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri(file)}, "previousResultId": previous}),
            ),
            Message::PullWorkspace => request(
                &mut input,
                &mut id,
                "workspace/diagnostic",
                json!({"previousResultIds": [{"uri": uri(0), "value": "x"}]}),
            ),
            Message::Stats => request(&mut input, &mut id, "ripple/stats", Value::Null),
            Message::Shutdown => request(&mut input, &mut id, "shutdown", Value::Null),
            Message::Exit => notify(&mut input, "exit", Value::Null),
            Message::Unknown { method, params } => {
                let params = params.map_or(Value::Null, Value::String);
                request(&mut input, &mut id, &method, params);
            }
            Message::RawBody(body) => frame(&mut input, &body),
            Message::RawBytes(bytes) => input.extend_from_slice(&bytes),
        }
    }
    let reader = std::io::Cursor::new(input);
    let languages = ripple_core::Languages::new(vec![std::sync::Arc::new(ripple_python::Python)]);
    // No store: each input must replay the same session, whatever earlier inputs kept.
    let options = ripple_workspace::LoadOptions::default();
    let _ = serve(reader, tokio::io::sink(), EngineAtExit::Join, languages, options);
});
