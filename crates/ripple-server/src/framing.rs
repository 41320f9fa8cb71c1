//! LSP framing around tower-lsp-server's codec, on both sides of the stream. Written by hand
//! because the codec offers no hook for either.
//!
//! - In: tower-lsp-server's reader ends the whole session at the first message whose body is
//!   not JSON (the framed stream stops after a decode error); `guarded` reads the
//!   `Content-Length` frames itself, logs and drops any frame whose body is not a JSON object,
//!   and passes the rest through unchanged.
//! - Out: every message leaves through one queue of whole frames (`Frames`), written by one
//!   task that flushes once per burst. The engine puts its notifications there directly, already
//!   encoded; the server's own messages (responses, requests to the client) are cut into frames
//!   by `forward_frames`. Sending 1,000 publishes through tower-lsp's client, one hop and one
//!   flush each, took about 20 ms and half the server's CPU in task switches.

use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
    DuplexStream,
};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// Whole frames (header and body) on their way out; `None` asks the writer to finish.
pub type Frames = UnboundedSender<Option<Vec<u8>>>;

/// The header in front of a body of `length` bytes.
fn header(length: usize) -> String {
    format!("Content-Length: {length}\r\n\r\n")
}

/// Frames one message body: the header, then the body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let header = header(body.len());
    let mut frame = Vec::with_capacity(header.len() + body.len());
    frame.extend_from_slice(header.as_bytes());
    frame.extend_from_slice(body);
    frame
}

/// Cuts what the server writes into frames and queues them, until the server's end closes.
pub async fn forward_frames(output: DuplexStream, frames: Frames) {
    let mut output = BufReader::new(output);
    loop {
        let length = match read_headers(&mut output).await {
            Ok(Some(length)) => length,
            Ok(None) => break,
            Err(problem) => {
                // The server's own codec wrote this: not expected to happen, and not recoverable.
                tracing::error!("the server wrote a malformed frame: {problem}");
                break;
            }
        };
        // Read the body straight into its frame, behind the header.
        let header = header(length);
        let mut frame = Vec::with_capacity(header.len() + length);
        frame.extend_from_slice(header.as_bytes());
        frame.resize(header.len() + length, 0);
        if output.read_exact(&mut frame[header.len()..]).await.is_err() {
            break;
        }
        if frames.send(Some(frame)).is_err() {
            break;
        }
    }
}

/// Writes queued frames to `output` in order, flushing when the queue runs dry (a burst of
/// publishes is one write), until asked to finish (after writing what came before) or the
/// output fails (the client is gone).
pub async fn write_frames(
    mut queue: UnboundedReceiver<Option<Vec<u8>>>,
    output: impl AsyncWrite + Unpin,
) -> std::io::Result<()> {
    let mut output = BufWriter::with_capacity(64 * 1024, output);
    while let Some(Some(frame)) = queue.recv().await {
        output.write_all(&frame).await?;
        loop {
            match queue.try_recv() {
                Ok(Some(frame)) => output.write_all(&frame).await?,
                Ok(None) => return output.flush().await,
                Err(_) => break,
            }
        }
        output.flush().await?;
    }
    output.flush().await
}

/// Requests that take no params. Several clients send `{}` (or `[]`) for "no params", which
/// tower-lsp-server's router refuses for such a method ("Unexpected params"); the guard drops
/// an empty `params` of these, so absent, `null` and empty params all work.
const PARAMLESS_METHODS: &[&str] = &["ripple/stats", "shutdown"];

/// Removes an empty `params` from a message whose method takes none; whether it did.
fn without_empty_params(message: &mut serde_json::Map<String, serde_json::Value>) -> bool {
    let paramless = message
        .get("method")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|method| PARAMLESS_METHODS.contains(&method));
    let empty = match message.get("params") {
        Some(serde_json::Value::Object(params)) => params.is_empty(),
        Some(serde_json::Value::Array(params)) => params.is_empty(),
        _ => false,
    };
    if paramless && empty {
        message.remove("params");
    }
    paramless && empty
}

/// Frames larger than this are refused (and the session ends): no editor sends such a message.
const MAX_FRAME_BYTES: usize = 256 * 1024 * 1024;

/// Spawns the guard on `input`; the returned stream carries only well-formed frames.
pub fn guarded(input: impl AsyncRead + Unpin + Send + 'static) -> DuplexStream {
    let (reader, mut writer) = tokio::io::duplex(1024 * 1024);
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        loop {
            let length = match read_headers(&mut input).await {
                Ok(Some(length)) => length,
                Ok(None) => break,
                Err(problem) => {
                    tracing::error!("malformed LSP header: {problem}; the message is skipped");
                    continue;
                }
            };
            if length > MAX_FRAME_BYTES {
                tracing::error!("an LSP message of {length} bytes is too large; closing");
                break;
            }
            // Read what arrives rather than allocate what the header claims: a header alone
            // must not cost hundreds of megabytes.
            let mut body = Vec::with_capacity(length.min(1024 * 1024));
            match (&mut input)
                .take(length as u64)
                .read_to_end(&mut body)
                .await
            {
                Ok(read) if read == length => {}
                _ => break,
            }
            match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(serde_json::Value::Object(mut message)) => {
                    if without_empty_params(&mut message)
                        && let Ok(rewritten) = serde_json::to_vec(&message)
                    {
                        body = rewritten;
                    }
                    let length = body.len();
                    let header = header(length);
                    if writer.write_all(header.as_bytes()).await.is_err()
                        || writer.write_all(&body).await.is_err()
                    {
                        break;
                    }
                }
                Ok(_) => tracing::error!("an LSP message that is not a JSON object was skipped"),
                Err(error) => {
                    tracing::error!("an LSP message with invalid JSON was skipped: {error}")
                }
            }
        }
        let _ = writer.shutdown().await;
    });
    reader
}

/// Reads header lines up to the blank line; `Ok(None)` at the end of the input.
async fn read_headers(input: &mut (impl AsyncBufReadExt + Unpin)) -> Result<Option<usize>, String> {
    let mut length = None;
    let mut saw_any = false;
    loop {
        let mut line = String::new();
        match input.read_line(&mut line).await {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(error) => return Err(error.to_string()),
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if !saw_any {
                continue;
            }
            return length
                .map(Some)
                .ok_or_else(|| "no Content-Length header".to_string());
        }
        saw_any = true;
        if let Some((name, value)) = trimmed.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length `{}`", value.trim()))?,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{}` and `[]` as the params of a request that takes none are dropped; other messages
    /// pass unchanged.
    #[tokio::test]
    async fn empty_params_of_a_paramless_request_are_dropped() {
        let (mut client, input) = tokio::io::duplex(1024);
        let mut output = guarded(input);
        let sent = [
            r#"{"jsonrpc":"2.0","id":1,"method":"ripple/stats","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"shutdown","params":[]}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"ripple/stats","params":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ];
        for body in sent {
            client
                .write_all(&frame(body.as_bytes()))
                .await
                .unwrap_or_else(|error| panic!("{error}"));
        }
        drop(client);
        let mut bodies = Vec::new();
        let mut output = BufReader::new(&mut output);
        while let Ok(Some(length)) = read_headers(&mut output).await {
            let mut body = vec![0; length];
            output
                .read_exact(&mut body)
                .await
                .unwrap_or_else(|error| panic!("{error}"));
            bodies.push(
                serde_json::from_slice::<serde_json::Value>(&body)
                    .unwrap_or_else(|error| panic!("{error}")),
            );
        }
        let expected: Vec<serde_json::Value> = [
            r#"{"jsonrpc":"2.0","id":1,"method":"ripple/stats"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
            sent[2],
            sent[3],
        ]
        .iter()
        .map(|body| serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}")))
        .collect();
        assert_eq!(bodies, expected);
    }

    /// The server's output arrives in arbitrary pieces; the writer must put out whole frames,
    /// the server's and the engine's, in the order they were queued, and everything queued
    /// before it is asked to finish.
    #[tokio::test]
    async fn frames_leave_whole_and_in_order() {
        let (frames, queue) = tokio::sync::mpsc::unbounded_channel();
        let (mut server_side, server_frames) = tokio::io::duplex(64);
        let (output, mut written) = tokio::io::duplex(1024 * 1024);
        let writer = tokio::spawn(write_frames(queue, output));
        let forwarder = tokio::spawn(forward_frames(server_frames, frames.clone()));

        let first = frame(br#"{"id":1,"result":null}"#);
        let second = frame(br#"{"id":2,"result":"a longer answer, cut into many pieces"}"#);
        for piece in first.chunks(5).chain(second.chunks(7)) {
            server_side
                .write_all(piece)
                .await
                .unwrap_or_else(|error| panic!("{error}"));
        }
        drop(server_side);
        forwarder.await.unwrap_or_else(|error| panic!("{error}"));
        let engine = frame(br#"{"method":"textDocument/publishDiagnostics"}"#);
        let _ = frames.send(Some(engine.clone()));
        let _ = frames.send(None);
        let _ = frames.send(Some(frame(b"{}")));
        let result = writer.await.unwrap_or_else(|error| panic!("{error}"));
        assert!(result.is_ok(), "{result:?}");

        let mut out = Vec::new();
        written
            .read_to_end(&mut out)
            .await
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(out, [first, second, engine].concat());
    }
}
