//! Output formats of `cnpg-dr lint`.

pub mod human;
pub mod json;

use std::path::Path;

/// A path as shown to the user: relative to `base` when it is inside it.
pub fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
