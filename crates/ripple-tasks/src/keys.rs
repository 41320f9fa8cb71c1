//! A task result's key: every input of the result, digested. Two runs with the same key would
//! give the same diagnostics, so a result found under it is replayed without running the tool.

use ripple_core::Digest;

use crate::closure::content_part;
use crate::definition::TaskDefinition;

/// Raised when what a key covers (or how it is written) changes: old results stop matching.
const KEY_VERSION: &[u8] = b"ripple task key 1";

/// What every result of `task` depends on: the task as written, the tool's identity, the
/// listed environment variables' values, the `inputs`' contents and, when results follow
/// imports, the import environment (search paths, installed libraries' epoch).
pub fn task_base(
    task: &TaskDefinition,
    tool_identity: Digest,
    inputs: &[(String, Option<Digest>)],
    environment: Option<Digest>,
) -> Digest {
    let mut parts: Vec<Vec<u8>> = vec![
        KEY_VERSION.to_vec(),
        task.digest.as_bytes().to_vec(),
        tool_identity.as_bytes().to_vec(),
    ];
    for name in &task.env {
        parts.push(name.as_bytes().to_vec());
        match std::env::var_os(name) {
            Some(value) => {
                parts.push(b"=".to_vec());
                parts.push(value.as_encoded_bytes().to_vec());
            }
            None => parts.push(b"unset".to_vec()),
        }
    }
    parts.push(b"inputs".to_vec());
    for (path, digest) in inputs {
        parts.push(path.as_bytes().to_vec());
        parts.push(content_part(*digest));
    }
    if let Some(environment) = environment {
        parts.push(b"environment".to_vec());
        parts.push(environment.as_bytes().to_vec());
    }
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Digest::of_parts(&parts)
}

/// The key of one target's result: the base and what the target's result depends on (its own
/// contents, its closure's digest, or every target's).
pub fn target_key(base: Digest, relative: &str, depends_on: Digest) -> Digest {
    Digest::of_parts(&[
        base.as_bytes(),
        b"target",
        relative.as_bytes(),
        depends_on.as_bytes(),
    ])
}

/// A digest over every target (sorted by path) and what each depends on: the key part of a
/// task whose results depend on all of its files.
pub fn all_targets(parts: &[(String, Digest)]) -> Digest {
    let mut bytes: Vec<&[u8]> = vec![b"all targets"];
    for (path, digest) in parts {
        bytes.push(path.as_bytes());
        bytes.push(digest.as_bytes());
    }
    Digest::of_parts(&bytes)
}
