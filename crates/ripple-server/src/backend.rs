//! The LSP handlers. They never touch the database: notifications are forwarded, in arrival
//! order, to the engine loop; requests that need results wait for the loop's answer. No handler
//! awaits a request to the client.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ripple_core::{Languages, PositionEncoding};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, UriExt};

use crate::events::{ClientSettings, EditorEvent, Message, PullResult, Request, Session};

pub struct Backend {
    client: Client,
    languages: Languages,
    messages: mpsc::UnboundedSender<Message>,
    session: std::sync::Mutex<Option<Session>>,
    watch_dynamically: AtomicBool,
    shut_down: Arc<AtomicBool>,
}

impl Backend {
    pub fn new(
        client: Client,
        languages: Languages,
        messages: mpsc::UnboundedSender<Message>,
        shut_down: Arc<AtomicBool>,
    ) -> Self {
        Self {
            client,
            languages,
            messages,
            session: std::sync::Mutex::new(None),
            watch_dynamically: AtomicBool::new(false),
            shut_down,
        }
    }

    fn send(&self, message: Message) {
        if self.messages.send(message).is_err() {
            tracing::error!("the engine loop has stopped; the message is lost");
        }
    }

    fn notify(&self, event: EditorEvent) {
        self.send(Message::Editor(event));
    }

    /// `ripple/stats`: query and timing statistics.
    pub async fn stats(&self) -> Result<Value> {
        let (reply, answer) = oneshot::channel();
        self.send(Message::Request(Request::Stats(reply)));
        answer.await.map_err(|_| Error::internal_error())
    }

    /// `ripple/explain`: what `ripple explain` says of a document (`task` for a task's result),
    /// as the same JSON.
    pub async fn explain(&self, params: ExplainParams) -> Result<Value> {
        let (reply, answer) = oneshot::channel();
        self.send(Message::Request(Request::Explain {
            uri: params.text_document.uri,
            task: params.task,
            reply,
        }));
        answer
            .await
            .map_err(|_| Error::internal_error())?
            .map_err(Error::invalid_params)
    }
}

/// The parameters of `ripple/explain`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplainParams {
    pub text_document: TextDocumentIdentifier,
    #[serde(default)]
    pub task: Option<String>,
}

fn negotiate_encoding(capabilities: &ClientCapabilities) -> PositionEncoding {
    let offers_utf8 = capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    if offers_utf8 {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    }
}

fn workspace_root(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| folder.uri.clone());
    #[allow(deprecated)]
    let uri = folder.or_else(|| params.root_uri.clone())?;
    uri.to_file_path().map(|path| path.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let capabilities = &params.capabilities;
        let encoding = negotiate_encoding(capabilities);
        let pull_diagnostics = capabilities
            .text_document
            .as_ref()
            .is_some_and(|text| text.diagnostic.is_some());
        let refresh_pulled = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.diagnostic.as_ref())
            .and_then(|diagnostic| diagnostic.refresh_support)
            .unwrap_or(false);
        let progress = capabilities
            .window
            .as_ref()
            .and_then(|window| window.work_done_progress)
            .unwrap_or(false);
        let watch = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        self.watch_dynamically.store(watch, Ordering::Relaxed);
        let session = Session {
            root: workspace_root(&params),
            client_settings: ClientSettings::from_json(params.initialization_options.as_ref()),
            encoding,
            pull_diagnostics,
            refresh_pulled,
            progress,
            client_watches: watch,
        };
        if let Ok(mut slot) = self.session.lock() {
            *slot = Some(session);
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "ripple".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(match encoding {
                    PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
                    PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                diagnostic_provider: pull_diagnostics.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("ripple".into()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: true,
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                    })
                }),
                ..ServerCapabilities::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let session = self.session.lock().ok().and_then(|slot| slot.clone());
        if let Some(session) = session {
            self.notify(EditorEvent::Initialized(session));
        }
        if self.watch_dynamically.load(Ordering::Relaxed) {
            // Registering is a request to the client: send it from a task, not this handler.
            let client = self.client.clone();
            let globs = ripple_workspace::watch_globs(&self.languages);
            tokio::spawn(async move {
                let watchers = globs
                    .into_iter()
                    .map(|glob| FileSystemWatcher {
                        glob_pattern: GlobPattern::String(glob),
                        kind: None,
                    })
                    .collect();
                let registration = Registration {
                    id: "ripple-watched-files".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(
                        DidChangeWatchedFilesRegistrationOptions { watchers },
                    )
                    .ok(),
                };
                if let Err(error) = client.register_capability(vec![registration]).await {
                    tracing::warn!("the client refused to watch files for ripple: {error}");
                }
            });
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Clients nest settings under the server's name (VS Code's `ripple.*`) or send them bare.
        let settings = params.settings.get("ripple").unwrap_or(&params.settings);
        self.notify(EditorEvent::Configuration(ClientSettings::from_json(Some(
            settings,
        ))));
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.notify(EditorEvent::Open {
            uri: params.text_document.uri,
            language_id: params.text_document.language_id,
            text: params.text_document.text,
            version: params.text_document.version,
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.notify(EditorEvent::Change {
            uri: params.text_document.uri,
            version: params.text_document.version,
            changes: params.content_changes,
        });
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.notify(EditorEvent::Save {
            uri: params.text_document.uri,
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.notify(EditorEvent::Close {
            uri: params.text_document.uri,
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.notify(EditorEvent::WatchedFiles(params.changes));
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let (reply, answer) = oneshot::channel();
        self.send(Message::Request(Request::PullDocument {
            uri: params.text_document.uri,
            previous_result_id: params.previous_result_id,
            reply,
        }));
        let answer = answer.await.map_err(|_| Error::internal_error())?;
        let report = match answer {
            None => DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default()),
            Some(PullResult::Unchanged(id)) => {
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                })
            }
            Some(PullResult::Full(id, items)) => {
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(id),
                        items,
                    },
                })
            }
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let (reply, answer) = oneshot::channel();
        let previous = params
            .previous_result_ids
            .into_iter()
            .map(|previous| (previous.uri, previous.value))
            .collect();
        self.send(Message::Request(Request::PullWorkspace { previous, reply }));
        let items = answer.await.map_err(|_| Error::internal_error())?;
        let items = items
            .into_iter()
            .map(|(uri, result)| match result {
                PullResult::Unchanged(id) => WorkspaceDocumentDiagnosticReport::Unchanged(
                    WorkspaceUnchangedDocumentDiagnosticReport {
                        uri,
                        version: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: id,
                        },
                    },
                ),
                PullResult::Full(id, items) => {
                    WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(id),
                            items,
                        },
                    })
                }
            })
            .collect();
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }
}
