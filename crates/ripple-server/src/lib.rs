//! The ripple language server: LSP over stdio on tower-lsp-server and tokio.
//!
//! Architecture invariant: handlers (`backend.rs`) never touch the database. They forward every
//! notification, in arrival order, to the engine loop (`engine.rs`), the only owner of the
//! database, which also answers requests for results after the edits queued before them.
//! Messages to the editor leave through the `outbox`, in the order the loop produced them.

mod backend;
mod check_thread;
pub mod document;
mod engine;
mod events;
mod framing;
mod outbox;
mod publish;
mod stats;
mod tasks;
mod touched;
mod watcher;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ripple_core::Languages;
use ripple_workspace::LoadOptions;
use tower_lsp_server::{LspService, Server};

use crate::events::Message;

/// Serves LSP on stdin/stdout, for the files of `languages`, loading workspaces with
/// `options` (the store of results), until the client sends `exit` or closes the stream. Returns the process exit code the specification asks for: 0 after
/// `shutdown`, 1 otherwise.
pub fn run_stdio(languages: Languages, options: LoadOptions) -> anyhow::Result<i32> {
    // The engine thread may still hold a check in progress; the process is ending anyway.
    serve(
        tokio::io::stdin(),
        tokio::io::stdout(),
        EngineAtExit::Abandon,
        languages,
        options,
    )
}

/// How long an ending session waits for the engine to save the cache.
const SAVE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// What `serve` does with the engine thread when the session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineAtExit {
    /// Let it finish saving the cache, for at most `SAVE_PATIENCE`, then leave it: the process
    /// is about to end.
    Abandon,
    /// Stop it after the events already queued and wait for it (a host serving many sessions
    /// in one process, such as the fuzz target, must not accumulate engine threads).
    Join,
}

/// Serves LSP on `input`/`output` until `exit` or the end of the input; see [`run_stdio`].
pub fn serve(
    input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    output: impl tokio::io::AsyncWrite + Unpin + Send + 'static,
    at_exit: EngineAtExit,
    languages: Languages,
    options: LoadOptions,
) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let shut_down = Arc::new(AtomicBool::new(false));
    let handle = runtime.handle().clone();
    let flag = shut_down.clone();
    let (messages, receiver) = tokio::sync::mpsc::unbounded_channel();
    let stop = messages.clone();
    let mut engine_thread = None;
    // Every message leaves as a whole frame through one queue and one writer (see `framing`).
    let (frames, frame_queue) = tokio::sync::mpsc::unbounded_channel();
    let (server_output, server_frames) = tokio::io::duplex(1024 * 1024);
    runtime.block_on(async {
        let writer = tokio::spawn(framing::write_frames(frame_queue, output));
        let forwarder = tokio::spawn(framing::forward_frames(server_frames, frames.clone()));
        let mut receiver = Some(receiver);
        let (service, socket) = LspService::build(|client| {
            let outbox = outbox::Outbox::new(client.clone(), handle.clone(), frames.clone());
            if let Some(receiver) = receiver.take() {
                let own_messages = messages.clone();
                let engine_languages = languages.clone();
                let engine_options = options.clone();
                let spawned = std::thread::Builder::new()
                    .name("ripple-engine".into())
                    .stack_size(64 * 1024 * 1024)
                    .spawn(move || {
                        engine::Engine::new(outbox, own_messages, engine_languages, engine_options)
                            .run(receiver)
                    });
                match spawned {
                    Ok(thread) => engine_thread = Some(thread),
                    Err(error) => tracing::error!("cannot start the engine thread: {error}"),
                }
            }
            backend::Backend::new(client, languages.clone(), messages.clone(), flag.clone())
        })
        .custom_method("ripple/stats", backend::Backend::stats)
        .custom_method("ripple/explain", backend::Backend::explain)
        .finish();
        Server::new(framing::guarded(input), server_output, socket)
            .serve(service)
            .await;
        // The server's last words (the answer to `shutdown`) are queued once its end of the
        // stream is read to the end; then the writer finishes what is queued and stops.
        let _ = forwarder.await;
        let _ = frames.send(None);
        match writer.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!("the output closed: {error}"),
            Err(error) => tracing::error!("the output writer failed: {error}"),
        }
    });
    if at_exit == EngineAtExit::Join {
        let _ = stop.send(Message::Stop);
        if let Some(thread) = engine_thread
            && thread.join().is_err()
        {
            tracing::error!("the engine thread panicked");
        }
        runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    } else {
        // The engine saves what it learned when it stops; a check still running is not waited
        // for, and neither is a save that takes longer than the patience.
        let (done, finished) = std::sync::mpsc::channel();
        let _ = stop.send(Message::Stop);
        if let Some(thread) = engine_thread {
            let _ = std::thread::Builder::new()
                .name("ripple-exit".into())
                .spawn(move || {
                    let _ = thread.join();
                    let _ = done.send(());
                });
            let _ = finished.recv_timeout(SAVE_PATIENCE);
        }
        runtime.shutdown_background();
    }
    Ok(if shut_down.load(Ordering::SeqCst) {
        0
    } else {
        1
    })
}
