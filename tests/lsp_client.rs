//! A small LSP client for end-to-end tests: starts `ripple lsp`, frames JSON-RPC messages over
//! its stdio, answers the server's own requests, and waits for notifications.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for an answer before failing (a hang, not a slow machine).
const PATIENCE: Duration = Duration::from_secs(60);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests seen so far, in order.
    pub seen: Vec<Value>,
    /// Whether requests from the server are answered (a silent client tests the server's
    /// patience).
    pub answers_requests: bool,
    /// The action chosen when the server asks (`window/showMessageRequest`); none dismisses.
    pub chooses: Option<String>,
}

impl LspClient {
    pub fn start(binary: &Path, cwd: &Path) -> Self {
        Self::start_with_env(binary, cwd, &[])
    }

    /// `start`, with these environment variables set for the server.
    pub fn start_with_env(binary: &Path, cwd: &Path, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(binary);
        command.arg("lsp");
        command.envs(env.iter().copied());
        // To see what the server did in a failing test: RIPPLE_TEST_SERVER_LOG=/tmp/server.log
        // (with RIPPLE_LOG=debug for the engine's decisions).
        if let Some(log) = std::env::var_os("RIPPLE_TEST_SERVER_LOG") {
            command.arg("--log-file").arg(log);
        }
        let mut child = command
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let stdin = child.stdin.take();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            incoming,
            next_id: 1,
            seen: Vec::new(),
            answers_requests: true,
            chooses: None,
        }
    }

    pub fn send_raw(&mut self, body: &str) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("stdin closed"));
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        stdin
            .write_all(framed.as_bytes())
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|error| panic!("cannot write to the server: {error}"));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_raw(&message.to_string());
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(&message.to_string());
        self.wait(|message| {
            message.get("id") == Some(&json!(id)) && message.get("method").is_none()
        })
    }

    /// Collects what the server sends until it has been quiet for `quiet`. A response can
    /// overtake notifications queued before it (the server writes both from different queues),
    /// so after a request that waits for the server's work, this catches the trailing ones.
    pub fn drain(&mut self, quiet: Duration) {
        while let Ok(message) = self.incoming.recv_timeout(quiet) {
            self.seen.push(message);
        }
    }

    /// Waits for a message matching `predicate`; answers server requests on the way.
    pub fn wait(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(position) = self.seen.iter().position(&predicate) {
            return self.seen.remove(position);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) => {
                    if self.answers_requests
                        && message.get("method").is_some()
                        && message.get("id").is_some()
                    {
                        // A request from the server (progress token, registration): accept it;
                        // a question gets the chosen action.
                        let result = match (&message["method"], &self.chooses) {
                            (method, Some(title)) if method == "window/showMessageRequest" => {
                                json!({"title": title})
                            }
                            _ => Value::Null,
                        };
                        let reply =
                            json!({"jsonrpc": "2.0", "id": message["id"], "result": result});
                        self.send_raw(&reply.to_string());
                    }
                    if predicate(&message) {
                        return message;
                    }
                    self.seen.push(message);
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no matching message within {PATIENCE:?}; seen: {:#?}",
                    self.seen
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output; seen: {:#?}", self.seen)
                }
            }
        }
    }

    /// Waits for diagnostics of `uri` that satisfy `accept` (later publishes replace earlier
    /// ones), and returns them.
    pub fn diagnostics(&mut self, uri: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        loop {
            let message = self.wait(|message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
            });
            let items = message["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if accept(&items) {
                return items;
            }
        }
    }

    pub fn initialize(&mut self, root: &Path, capabilities: Value) -> Value {
        let uri = file_uri(root);
        self.initialize_with(json!({
            "processId": null,
            "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": "test"}],
            "capabilities": capabilities,
        }))
    }

    /// `initialize` with the whole params given (no folder, initialization options), then
    /// `initialized`.
    pub fn initialize_with(&mut self, params: Value) -> Value {
        let response = self.request("initialize", params);
        self.notify("initialized", json!({}));
        response
    }

    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.stdin = None;
        self.wait_for_exit()
    }

    pub fn wait_for_exit(&mut self) -> ExitStatus {
        self.stdin = None;
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
