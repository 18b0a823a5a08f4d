//! Output formats of `cnpg-dr lint`.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::path::{Component, Path};

/// A path as shown to the user: relative to `base` (with `..` when it is
/// beside it), or as it is when the two share no root.
pub fn relative(path: &Path, base: &Path) -> String {
    let shown = match path.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => beside(path, base).unwrap_or_else(|| path.to_string_lossy().into_owned()),
    };
    shown.replace('\\', "/")
}

/// `path` relative to `base` through `..`, when both are absolute and share a root.
fn beside(path: &Path, base: &Path) -> Option<String> {
    if !path.is_absolute() || !base.is_absolute() {
        return None;
    }
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Only the root in common (or a different Windows prefix): absolute is clearer.
    if common <= 1 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn paths_are_shown_relative_to_the_base() {
        let base = Path::new("/srv/ci/repo");
        assert_eq!(
            relative(Path::new("/srv/ci/repo/a/b.yaml"), base),
            "a/b.yaml"
        );
        assert_eq!(relative(Path::new("/srv/ci/repo"), base), ".");
        assert_eq!(
            relative(Path::new("/srv/ci/other/c.yaml"), base),
            "../other/c.yaml"
        );
        assert_eq!(relative(Path::new("/etc/c.yaml"), base), "/etc/c.yaml");
    }
}
