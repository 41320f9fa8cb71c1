//! Messages from the engine loop to the editor. The loop runs on its own thread. Notifications
//! (diagnostics, progress) are encoded here and put on the output's queue of frames
//! (`framing::Frames`), so they leave in the order the loop produced them and the loop never
//! waits for the transport. Requests to the client (progress tokens, refreshes) go through
//! tower-lsp-server's client, which matches their answers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::ErrorCode;
use tower_lsp_server::lsp_types::notification::{Notification, Progress, PublishDiagnostics};
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::{
    Diagnostic, NumberOrString, ProgressParams, ProgressParamsValue, PublishDiagnosticsParams, Uri,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
    WorkDoneProgressReport,
};

use crate::framing::{Frames, frame};

/// How long the loop waits for a client to create a progress token.
const PROGRESS_CREATE_PATIENCE: Duration = Duration::from_secs(2);

/// A notification as JSON-RPC puts it on the wire.
#[derive(serde::Serialize)]
struct NotificationMessage<'a, P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: &'a P,
}

/// The frame of a `textDocument/publishDiagnostics` notification, ready for `send_frame`:
/// encoded apart from queueing it, so that a check's many publishes are encoded in parallel.
pub fn publish_frame(
    uri: &Uri,
    diagnostics: &EncodedDiagnostics,
    version: Option<i32>,
) -> Option<Vec<u8>> {
    let uri = match serde_json::to_vec(uri) {
        Ok(uri) => uri,
        Err(error) => {
            tracing::error!("cannot encode a publish: {error}");
            return None;
        }
    };
    // Written around the list's JSON rather than serialized again: the publisher encodes
    // each list once, for its fingerprint and for the frame.
    let mut body = Vec::with_capacity(diagnostics.0.len() + uri.len() + 96);
    body.extend_from_slice(br#"{"jsonrpc":"2.0","method":""#);
    body.extend_from_slice(PublishDiagnostics::METHOD.as_bytes());
    body.extend_from_slice(br#"","params":{"uri":"#);
    body.extend_from_slice(&uri);
    body.extend_from_slice(br#","diagnostics":"#);
    body.extend_from_slice(&diagnostics.0);
    if let Some(version) = version {
        body.extend_from_slice(format!(r#","version":{version}"#).as_bytes());
    }
    body.extend_from_slice(b"}}");
    Some(frame(&body))
}

/// A list of LSP diagnostics encoded as JSON, once.
pub struct EncodedDiagnostics(Vec<u8>);

impl EncodedDiagnostics {
    pub fn new(diagnostics: &[Diagnostic]) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(diagnostics).map(Self)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[derive(Clone)]
pub struct Outbox {
    client: Client,
    runtime: Handle,
    next_token: std::sync::Arc<AtomicUsize>,
    frames: Frames,
}

impl Outbox {
    /// Notifications bypass tower-lsp-server's client, which would hold back any sent before
    /// the client's `initialized`. The specification only forbids them before the answer to
    /// `initialize`, and the engine has nothing to send before then: tower-lsp-server drops
    /// the notifications a client sends earlier, so no event reaches the loop.
    pub fn new(client: Client, runtime: Handle, frames: Frames) -> Self {
        Self {
            client,
            runtime,
            next_token: std::sync::Arc::new(AtomicUsize::new(1)),
            frames,
        }
    }

    fn notify<N: Notification>(&self, params: &N::Params) {
        let message = NotificationMessage {
            jsonrpc: "2.0",
            method: N::METHOD,
            params,
        };
        let body = match serde_json::to_vec(&message) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!("cannot encode a {} notification: {error}", N::METHOD);
                return;
            }
        };
        if self.frames.send(Some(frame(&body))).is_err() {
            tracing::debug!("the transport has stopped; a notification was dropped");
        }
    }

    pub fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        self.notify::<PublishDiagnostics>(&PublishDiagnosticsParams::new(
            uri,
            diagnostics,
            version,
        ));
    }

    /// Queues a frame made by `publish_frame` (on any thread), in the loop's order.
    pub fn send_frame(&self, frame: Vec<u8>) {
        if self.frames.send(Some(frame)).is_err() {
            tracing::debug!("the transport has stopped; a notification was dropped");
        }
    }

    /// Asks a pull-diagnostics client to pull again (`workspace/diagnostic/refresh`): something
    /// other than the document it edited changed, which it cannot know. Sent from a task, as the
    /// answer must not hold up the loop.
    pub fn refresh_diagnostics(&self) {
        let client = self.client.clone();
        self.runtime.spawn(async move {
            if let Err(error) = client.workspace_diagnostic_refresh().await {
                tracing::debug!("the client did not take the diagnostics refresh: {error}");
            }
        });
    }

    /// Creates a progress token with the client and sends `begin`. A client that refuses the
    /// token, or does not answer within `PROGRESS_CREATE_PATIENCE`, gets no progress for this
    /// work: the loop must not wait on an editor that never answers.
    pub fn begin_progress(&self, title: &str, total: usize) -> ProgressReporter {
        self.begin_progress_with(title, format!("0/{total} files"))
    }

    /// Asks the user to choose one of `actions` (`window/showMessageRequest`), from a task:
    /// the loop never waits on the editor. `on_answer` gets the chosen title, or `None` when
    /// the message was dismissed or the client cannot answer.
    pub fn ask(
        &self,
        message: String,
        actions: Vec<String>,
        on_answer: impl FnOnce(Option<String>) + Send + 'static,
    ) {
        let client = self.client.clone();
        self.runtime.spawn(async move {
            let actions = actions
                .into_iter()
                .map(|title| tower_lsp_server::lsp_types::MessageActionItem {
                    title,
                    properties: Default::default(),
                })
                .collect();
            let answer = client
                .show_message_request(
                    tower_lsp_server::lsp_types::MessageType::INFO,
                    message,
                    Some(actions),
                )
                .await;
            match answer {
                Ok(chosen) => on_answer(chosen.map(|item| item.title)),
                Err(error) => {
                    tracing::debug!("the client did not answer a message request: {error}");
                    on_answer(None);
                }
            }
        });
    }

    /// Like `begin_progress`, with the first message given.
    pub fn begin_progress_with(&self, title: &str, first: String) -> ProgressReporter {
        let token = NumberOrString::String(format!(
            "ripple/{}",
            self.next_token.fetch_add(1, Ordering::Relaxed)
        ));
        let client = self.client.clone();
        let create_token = token.clone();
        let created = self.runtime.block_on(async move {
            tokio::time::timeout(
                PROGRESS_CREATE_PATIENCE,
                client.send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: create_token,
                }),
            )
            .await
        });
        let enabled = match created {
            Ok(Ok(())) => true,
            // tower-lsp-server answers for the client, with this code, once the session has
            // ended (`exit` came while the work was starting): nothing to warn about.
            Ok(Err(error)) if error.code == ErrorCode::ServerError(-32002) => {
                tracing::debug!("no progress: the session has ended");
                false
            }
            Ok(Err(error)) => {
                tracing::warn!("the client refused a progress token: {error}");
                false
            }
            Err(_) => {
                tracing::warn!("the client did not answer a progress token request; no progress");
                false
            }
        };
        let reporter = ProgressReporter {
            outbox: self.clone(),
            token,
            started: Instant::now(),
            enabled,
        };
        reporter.send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: title.to_string(),
            cancellable: Some(false),
            message: Some(first),
            percentage: Some(0),
        }));
        reporter
    }
}

pub struct ProgressReporter {
    outbox: Outbox,
    token: NumberOrString,
    started: Instant,
    /// The client created the token; otherwise nothing is sent.
    enabled: bool,
}

impl ProgressReporter {
    fn send(&self, value: WorkDoneProgress) {
        if !self.enabled {
            return;
        }
        self.outbox.notify::<Progress>(&ProgressParams {
            token: self.token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        });
    }

    /// Reports `done/total`, the percentage and an estimate of the time left, every 100 ms
    /// until `done` holds `usize::MAX`; `detail` adds to the message (how many came from the
    /// cache).
    pub fn report_until_done(
        &self,
        done: &AtomicUsize,
        total: usize,
        detail: &(dyn Fn() -> String + Sync),
    ) {
        let mut last = usize::MAX - 1;
        loop {
            let now = done.load(Ordering::Relaxed);
            if now == usize::MAX {
                return;
            }
            if now != last && total > 0 {
                last = now;
                let elapsed = self.started.elapsed().as_secs_f64();
                let eta = if now > 0 {
                    let remaining = elapsed / now as f64 * (total - now.min(total)) as f64;
                    format!(", about {remaining:.0} s left")
                } else {
                    String::new()
                };
                let percentage = (now * 100 / total).min(100) as u32;
                self.send(WorkDoneProgress::Report(WorkDoneProgressReport {
                    cancellable: Some(false),
                    message: Some(format!("{now}/{total} files{}{eta}", detail())),
                    percentage: Some(percentage),
                }));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One report: a message and how far, in percent.
    pub fn report(&self, message: String, percentage: usize) {
        self.send(WorkDoneProgress::Report(WorkDoneProgressReport {
            cancellable: Some(false),
            message: Some(message),
            percentage: Some(u32::try_from(percentage.min(100)).unwrap_or(100)),
        }));
    }

    pub fn end(self, message: String) {
        self.send(WorkDoneProgress::End(WorkDoneProgressEnd {
            message: Some(message),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::lsp_types::{DiagnosticSeverity, Position, Range};

    /// The frame written around the encoded list is the notification LSP's types describe,
    /// with and without a version, and with text that JSON must escape.
    #[test]
    fn a_publish_frame_is_the_notification_lsp_describes() {
        let uri: Uri = "file:///work/a%20b/%C3%A9.py"
            .parse()
            .unwrap_or_else(|error| panic!("{error:?}"));
        let diagnostics = vec![Diagnostic {
            range: Range::new(Position::new(1, 2), Position::new(1, 7)),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String("unused-import".into())),
            source: Some("ripple".into()),
            message: "`os` imported \"here\"\n\tand unused".into(),
            ..Diagnostic::default()
        }];
        let encoded =
            EncodedDiagnostics::new(&diagnostics).unwrap_or_else(|error| panic!("{error}"));
        for version in [None, Some(7)] {
            let frame = publish_frame(&uri, &encoded, version).unwrap_or_else(|| panic!("frame"));
            let text = String::from_utf8(frame).unwrap_or_else(|error| panic!("{error}"));
            let (head, body) = text
                .split_once("\r\n\r\n")
                .unwrap_or_else(|| panic!("no header: {text}"));
            assert_eq!(head, format!("Content-Length: {}", body.len()));
            let message: serde_json::Value =
                serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {body}"));
            assert_eq!(message["jsonrpc"], "2.0");
            assert_eq!(message["method"], "textDocument/publishDiagnostics");
            let params: PublishDiagnosticsParams =
                serde_json::from_value(message["params"].clone())
                    .unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(
                params,
                PublishDiagnosticsParams::new(uri.clone(), diagnostics.clone(), version)
            );
        }
    }
}
