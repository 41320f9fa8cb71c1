//! Dotted module names and how a file's path maps to one.

use std::path::Path;

use crate::db::{SearchRoot, SearchRootKind};

/// A dotted module name (`a.b.c`), interned so that resolution queries can be keyed by it.
#[salsa::interned(debug)]
pub struct ModuleName<'db> {
    #[returns(ref)]
    pub dotted: String,
}

/// The module name of the file at `path`, and whether it is a package (`__init__`), relative to
/// the most specific workspace root that contains it. `None` when some part of the path is not
/// a valid Python identifier (a script in `my-tools/`), which makes it importable by no name.
pub fn module_name_of_path(path: &Path, roots: &[SearchRoot]) -> Option<(String, bool)> {
    let root = roots
        .iter()
        .filter(|root| {
            matches!(root.kind, SearchRootKind::Workspace | SearchRootKind::Extra)
                && path.starts_with(&root.path)
        })
        .max_by_key(|root| root.path.components().count())?;
    let relative = path.strip_prefix(&root.path).ok()?;
    let mut parts: Vec<&str> = Vec::new();
    for component in relative.components() {
        parts.push(component.as_os_str().to_str()?);
    }
    let file = parts.pop()?;
    let stem = file
        .strip_suffix(".pyi")
        .or_else(|| file.strip_suffix(".py"))?;
    let is_package = stem == "__init__";
    if !is_package {
        parts.push(stem);
    }
    if parts.is_empty() || !parts.iter().all(|part| is_identifier(part)) {
        return None;
    }
    Some((parts.join("."), is_package))
}

pub(crate) fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}
