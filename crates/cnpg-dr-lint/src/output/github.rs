//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line
//! per finding, which GitHub turns into annotations on the pull request.

use std::fmt::Write;
use std::path::Path;

use super::relative;
use crate::finding::{Finding, Severity};

/// Escapes a command's message the way the Actions toolkit does.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (`file=`, `title=`): also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One line per finding; paths relative to `base` (the workspace root in a
/// GitHub workflow is the current directory).
pub fn render(findings: &[Finding], base: &Path) -> String {
    let mut out = String::new();
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(p) = f.path() {
            props.push(format!("file={}", escape_property(&relative(p, base))));
            props.push(format!("line={}", f.line()));
            props.push(format!("col={}", f.column()));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", f.rule, f.name))
        ));
        let mut message = f.message.clone();
        if let (Some(o), true) = (&f.overlay, f.dormant) {
            let _ = write!(message, " (in the dormant {o} overlay)");
        }
        if let Some(h) = &f.help {
            let _ = write!(message, "\nhelp: {h}");
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        assert_eq!(escape_data("100% a\r\nb: c,d"), "100%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
