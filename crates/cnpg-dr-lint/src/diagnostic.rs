//! Turning core errors into miette diagnostics that show the source line.

use std::path::Path;

use cnpg_dr_core::kustomize::RenderError;
use cnpg_dr_lint::config::ConfigError;
use miette::{NamedSource, SourceSpan};

/// A render error with the text of the file it points into.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct SourceDiagnostic {
    message: String,
    #[source_code]
    source_code: Option<NamedSource<String>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

/// Builds a diagnostic, reading the file the error points at (if any).
pub fn from_render_error(err: &RenderError) -> SourceDiagnostic {
    let mut diag = SourceDiagnostic {
        message: err.to_string(),
        source_code: None,
        span: None,
        label: "here".to_string(),
        help: err.help.clone(),
    };
    if let Some(span) = &err.span {
        diag.message = format!(
            "{}:{}:{}: {}",
            display_path(&span.file),
            span.line,
            span.column,
            diag.message
        );
        if let Ok(text) = std::fs::read_to_string(&span.file) {
            let start = span.start.min(text.len());
            let len = span
                .end
                .saturating_sub(span.start)
                .max(1)
                .min(text.len().saturating_sub(start));
            diag.source_code = Some(NamedSource::new(display_path(&span.file), text));
            diag.span = Some(SourceSpan::new(start.into(), len));
        }
    }
    diag
}

/// Paths relative to the current directory when possible.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}

/// A configuration mistake, shown with its line.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
struct ConfigDiagnostic {
    message: String,
    #[source_code]
    source_code: Option<NamedSource<String>>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
}

fn config_diagnostic(e: &ConfigError) -> ConfigDiagnostic {
    let name = display_path(&e.file);
    let mut d = ConfigDiagnostic {
        message: format!("{name}:{}:{}: {}", e.line, e.column, e.message),
        source_code: None,
        span: None,
        help: e.help.clone(),
    };
    if let Ok(text) = std::fs::read_to_string(&e.file) {
        let start = e.start.min(text.len());
        let len = e.end.saturating_sub(start).max(1).min(text.len() - start);
        d.span = Some(SourceSpan::new(start.into(), len));
        d.source_code = Some(NamedSource::new(name, text));
    }
    d
}

/// How every command shows a configuration mistake: the file's line with a
/// label, and the help (one renderer, so every command says it the same way).
pub fn config_error(e: &ConfigError) -> String {
    format!("{:?}\n", miette::Report::new(config_diagnostic(e)))
}
