//! What several rule groups share: where a finding points (spans and
//! `file:line:col`), which overlay a file or render belongs to, and how a
//! suggested command spells a path.

use std::path::Path;
use std::sync::Arc;

use cnpg_dr_core::discover::{Database, Variant};
use cnpg_dr_core::fs::normalize;
use cnpg_dr_core::layout::{FlagLine, Overlay};
use cnpg_dr_core::yaml::{Node, Span};

use crate::rules::rule::VariantContext;

/// The span of `key` itself in the mapping `parent` (the `recovery:` of
/// `bootstrap:`), for findings about a whole block.
pub fn key_span(parent: Option<&Node>, key: &str) -> Option<Span> {
    parent?
        .as_map()?
        .entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, _)| k.span.clone())
}

/// A span reduced to its first character: maps and lists span their whole
/// block, which is noise in a snippet.
pub fn head(span: &Span) -> Span {
    Span {
        end: span.start,
        ..span.clone()
    }
}

/// `file:line:col` of a span for messages: relative to the database directory,
/// else to the repository root (a base shared by several databases).
pub fn at(ctx: &VariantContext<'_>, span: &Span) -> String {
    let file = span
        .file
        .strip_prefix(&ctx.database.dir)
        .or_else(|_| span.file.strip_prefix(&ctx.repo.root))
        .unwrap_or(&span.file);
    format!("{}:{}:{}", file.display(), span.line, span.column)
}

/// The overlay of `database` whose directory holds `file`, if any.
pub fn overlay_of<'a>(database: &'a Database, file: &Path) -> Option<&'a Overlay> {
    database
        .overlays
        .iter()
        .filter(|o| file.starts_with(&o.dir))
        .max_by_key(|o| o.dir.components().count())
}

/// The flag lines of the root kustomization that form the DR switch (core
/// discovery keeps only those: other included directories are not part of it).
pub fn overlay_lines(database: &Database) -> Vec<&FlagLine> {
    database.flag.lines.iter().collect()
}

/// The DR overlay a variant renders: a dormant variant's own, or for the active
/// render the overlay of the active switch line (the first active directory
/// line of the root may be another directory, `monitoring` or `argocd`).
pub fn dr_overlay<'a>(database: &'a Database, variant: &'a Variant) -> Option<&'a Overlay> {
    if variant.dormant {
        return variant.overlay.as_ref();
    }
    overlay_lines(database)
        .into_iter()
        .find(|l| l.active)
        .and_then(|line| {
            let dir = normalize(&database.dir.join(&line.entry));
            database.overlays.iter().find(|o| o.dir == dir)
        })
        .or(variant.overlay.as_ref())
}

/// The name of [`dr_overlay`].
pub fn dr_overlay_name<'a>(database: &'a Database, variant: &'a Variant) -> Option<&'a str> {
    dr_overlay(database, variant).map(|o| o.name.as_str())
}

/// A span on a flag line's entry, in the root kustomization file.
pub fn flag_span(database: &Database, line: &FlagLine) -> Span {
    let file: Arc<Path> = Arc::from(database.kustomization.as_path());
    let text = std::fs::read_to_string(&database.kustomization).unwrap_or_default();
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let start = (line_start + line.column.saturating_sub(1) as usize).min(text.len());
    let end = (start + line.entry.len()).min(text.len());
    Span {
        file,
        line: line.line,
        column: line.column,
        start,
        end,
    }
}

/// A path as a command suggested in a finding must spell it: as discovery
/// reached it, which is relative to the directory cnpg-dr was run in (or
/// absolute when the user gave an absolute path), so the command works when
/// pasted into the same shell. Quoted for a POSIX shell when it needs it.
pub fn command_path(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd.as_deref().and_then(|c| relative_to(path, c));
    let shown = rel
        .as_deref()
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let shown = shown.trim_start_matches("./");
    let shown = if shown.is_empty() { "." } else { shown };
    let plain = shown
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&c));
    if plain {
        shown.to_string()
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    }
}

/// `path` relative to `dir` (with `..` steps), when both are absolute and
/// share more than the filesystem root; None otherwise.
fn relative_to(path: &std::path::Path, dir: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::path::Component;
    if !path.is_absolute() || !dir.is_absolute() {
        return None;
    }
    let p: Vec<Component> = path.components().collect();
    let d: Vec<Component> = dir.components().collect();
    let common = p.iter().zip(&d).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return None;
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod command_path_tests {
    use super::command_path;
    use std::path::Path;

    #[test]
    fn paths_are_shown_as_typed_and_quoted_when_needed() {
        assert_eq!(command_path(Path::new("demo/app")), "demo/app");
        assert_eq!(command_path(Path::new("./app")), "app");
        assert_eq!(command_path(Path::new("")), ".");
        assert_eq!(command_path(Path::new("/srv/repo/app")), "/srv/repo/app");
        assert_eq!(command_path(Path::new("my dbs/it's")), "'my dbs/it'\\''s'");
    }

    #[test]
    fn absolute_paths_are_made_relative_to_the_directory_run_in() {
        use super::relative_to;
        let rel = |p: &str, d: &str| relative_to(Path::new(p), Path::new(d));
        assert_eq!(rel("/srv/repo/a/b", "/srv/repo"), Some("a/b".into()));
        assert_eq!(rel("/srv/repo/a", "/srv/repo/c/d"), Some("../../a".into()));
        assert_eq!(rel("/srv/repo", "/srv/repo"), Some("".into()));
        assert_eq!(rel("/srv/repo", "/home/me"), None);
        assert_eq!(rel("repo", "/home/me"), None);
    }
}
