//! Human output: miette diagnostics with the source snippet, grouped by database.

use std::fmt::Write;
use std::path::Path;

use cnpg_dr_core::fs::Sources;
use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};

use super::relative;
use crate::finding::{Finding, Severity};

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct FindingDiagnostic {
    message: String,
    code: String,
    severity: miette::Severity,
    source_code: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
    label: String,
    help: Option<String>,
}

impl miette::Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source_code
            .as_ref()
            .map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.label.clone()), span),
        )))
    }
}

fn diagnostic(f: &Finding, sources: &Sources, base: &Path) -> FindingDiagnostic {
    let location = match f.path() {
        Some(p) => format!("{}:{}:{}: ", relative(p, base), f.line(), f.column()),
        None => String::new(),
    };
    let mut d = FindingDiagnostic {
        message: format!("{location}{}", f.message),
        code: format!("{}({})", f.rule, f.name),
        severity: match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        source_code: None,
        span: None,
        label: match (&f.overlay, f.dormant) {
            (Some(o), true) => format!("in the dormant {o} overlay"),
            (Some(o), false) => format!("in the active {o} overlay"),
            (None, _) => "here".to_string(),
        },
        help: f.help.clone(),
    };
    if let Some(span) = &f.span {
        if let Some(text) = sources.text(&span.file) {
            // The snippet header names file:line:col; the message need not.
            d.message = f.message.clone();
            let start = span.start.min(text.len());
            let end = span.end.max(start + 1).min(text.len().max(start));
            d.span = Some(SourceSpan::new(start.into(), end.saturating_sub(start)));
            d.source_code = Some(NamedSource::new(
                relative(&span.file, base),
                text.to_string(),
            ));
        }
    }
    d
}

/// Renders findings grouped by database, then a summary line. Snippets come
/// from `sources`, the text the lint read (never the disk again).
pub fn render(
    findings: &[Finding],
    sources: &Sources,
    base: &Path,
    color: bool,
    databases: usize,
) -> String {
    render_with_suppressed(findings, sources, base, color, databases, 0)
}

/// [`render`], with the number of findings inline suppressions silenced in the
/// summary line (when there were any).
pub fn render_with_suppressed(
    findings: &[Finding],
    sources: &Sources,
    base: &Path,
    color: bool,
    databases: usize,
    suppressed: usize,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let mut groups: Vec<(Option<&Path>, Vec<&Finding>)> = Vec::new();
    for f in findings {
        let db = f.database.as_deref();
        match groups.iter_mut().find(|(d, _)| *d == db) {
            Some((_, list)) => list.push(f),
            None => groups.push((db, vec![f])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for (db, list) in groups {
        let title = db
            .map(|d| relative(d, base))
            .unwrap_or_else(|| "repository".to_string());
        let _ = writeln!(out, "── {title} ──");
        for f in list {
            let _ = handler.render_report(&mut out, &diagnostic(f, sources, base));
            out.push('\n');
        }
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let _ = write!(
        out,
        "{} error(s), {} warning(s), {} info(s) in {} database(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        databases
    );
    if suppressed > 0 {
        let _ = write!(out, ", {suppressed} suppressed");
    }
    out.push('\n');
    out
}
