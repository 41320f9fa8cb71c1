//! A guard in front of the protocol codec. tower-lsp-server's reader ends the whole session at
//! the first message whose body is not JSON (the framed stream stops after a decode error);
//! this layer reads the `Content-Length` frames itself, logs and drops any frame whose body is
//! not a JSON object, and passes the rest through unchanged. Written by hand because the codec
//! offers no hook for this.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

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
                Ok(serde_json::Value::Object(_)) => {
                    let header = format!("Content-Length: {length}\r\n\r\n");
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
