//! What reaches the engine loop, by kind: what the editor says (applied in arrival order),
//! requests for results (answered after the edits queued before them), and the loop's own
//! news (a check finished, the session ended).

use std::path::PathBuf;

use ripple_core::PositionEncoding;
use ripple_workspace::DiagnosticMode;
use serde_json::Value;
use tokio::sync::oneshot;
use tower_lsp_server::lsp_types::{self as lsp, FileEvent, TextDocumentContentChangeEvent, Uri};

use crate::check_thread::CheckReply;

/// Settings the editor sends (`initializationOptions`, `workspace/didChangeConfiguration`). An
/// editor setting the user chose wins over the project's configuration file, as it is the more
/// specific choice (this user, this editor); unset ones fall back to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    pub diagnostic_mode: Option<DiagnosticMode>,
    /// `tasks: false` turns the workspace's tasks off (VS Code sends it for a workspace the
    /// user has not trusted).
    pub tasks: Option<bool>,
}

impl ClientSettings {
    /// Reads the settings ripple knows from a JSON object; unknown keys are ignored (clients send
    /// their own), and a bad value is logged and left unset rather than refusing the session.
    pub fn from_json(value: Option<&Value>) -> Self {
        let mut settings = Self::default();
        match value.and_then(|value| value.get("tasks")) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(enabled)) => settings.tasks = Some(*enabled),
            Some(other) => tracing::warn!("ignoring tasks {other}: expected true or false"),
        }
        let Some(mode) = value.and_then(|value| value.get("diagnosticMode")) else {
            return settings;
        };
        settings.diagnostic_mode = match mode.as_str() {
            Some("open-files" | "openFiles") => Some(DiagnosticMode::OpenFiles),
            Some("workspace") => Some(DiagnosticMode::Workspace),
            _ => {
                tracing::warn!(
                    "ignoring diagnosticMode {mode}: expected \"open-files\" or \"workspace\""
                );
                None
            }
        };
        settings
    }
}

/// What the client told us at initialization that the loop needs.
#[derive(Debug, Clone)]
pub struct Session {
    pub root: Option<PathBuf>,
    pub client_settings: ClientSettings,
    pub encoding: PositionEncoding,
    pub pull_diagnostics: bool,
    /// The pulling client takes `workspace/diagnostic/refresh`.
    pub refresh_pulled: bool,
    pub progress: bool,
    /// The client watches files for us; otherwise the server watches the workspace itself.
    pub client_watches: bool,
}

/// What the editor (or, for disk changes, the server's own watcher) says happened.
pub enum EditorEvent {
    Initialized(Session),
    Open {
        uri: Uri,
        /// The editor's language identifier (`python`), for a file whose name does not say.
        language_id: String,
        text: String,
        version: i32,
    },
    Change {
        uri: Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    },
    Save {
        uri: Uri,
    },
    Close {
        uri: Uri,
    },
    WatchedFiles(Vec<FileEvent>),
    Configuration(ClientSettings),
}

/// The answer to `textDocument/diagnostic`.
pub enum PullResult {
    /// Same diagnostics as the result id the client already has.
    Unchanged(String),
    Full(String, Vec<lsp::Diagnostic>),
}

/// A request the loop answers.
pub enum Request {
    /// `ripple/stats`; answered once the running check, if any, is done, so that it describes
    /// the last edit.
    Stats(oneshot::Sender<Value>),
    PullDocument {
        uri: Uri,
        previous_result_id: Option<String>,
        reply: oneshot::Sender<Option<PullResult>>,
    },
    PullWorkspace {
        /// The result ids the client holds, by document.
        previous: Vec<(Uri, String)>,
        reply: oneshot::Sender<Vec<(Uri, PullResult)>>,
    },
    /// `ripple/explain`: the explanation's JSON, or why there is none.
    Explain {
        uri: Uri,
        task: Option<String>,
        reply: oneshot::Sender<Result<Value, String>>,
    },
}

/// Everything that reaches the loop, through one channel, in order.
pub enum Message {
    Editor(EditorEvent),
    Request(Request),
    /// A check the loop started has finished (or was cancelled).
    Checked(CheckReply),
    /// The dependency graph the check thread built after the check of this generation.
    Graph(u64, ripple_workspace::BuiltGraph),
    /// A run of tasks has finished (or was cancelled).
    TasksDone(TasksDone),
    /// The user answered the message asking to trust the workspace's task table (`table`).
    TrustAnswer {
        trusted: bool,
        table: Option<ripple_core::Digest>,
    },
    /// The session is over: the loop ends after the messages queued before this one.
    Stop,
}

/// A finished run of the workspace's tasks, back to the loop.
pub struct TasksDone {
    /// Which run: a result of an older one than the newest started is dropped.
    pub generation: u64,
    pub report: ripple_tasks::TasksReport,
}
