//! Inline suppressions: `# cnpg-dr: ignore[CDR101] reason` silences a finding
//! on the comment's line (or, for a comment alone on its line, on the next line
//! of YAML), and `# cnpg-dr: ignore-file[CDR101] reason` silences a rule in the
//! whole file. Two meta-rules keep suppressions honest: one without a reason
//! (CDR001) and one that silenced nothing (CDR002) are findings themselves.

use std::path::Path;
use std::sync::Arc;

use cnpg_dr_core::yaml::Span;

use crate::config::did_you_mean;
use crate::finding::{Finding, RuleMeta};
use crate::rules::suppression::unused::META as UNUSED;
use crate::rules::suppression::without_reason::META as WITHOUT_REASON;

/// One rule named in a directive.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// As written in the comment.
    pub written: String,
    /// The rule id it names, when it names a known rule.
    pub rule: Option<&'static str>,
    /// True once it silenced a finding.
    pub used: bool,
}

/// What a `# cnpg-dr:` comment says.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    /// `ignore[...]`: findings on this 1-based line.
    Line(u32),
    /// `ignore-file[...]`: findings anywhere in the file.
    File,
    /// Starts with `cnpg-dr:` but is neither; the text explains what was expected.
    Malformed(String),
}

/// One `# cnpg-dr:` comment.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    /// Where the comment is (its `#`).
    pub span: Span,
    pub scope: Scope,
    pub targets: Vec<Target>,
    /// The text after the closing bracket, if any.
    pub reason: Option<String>,
}

/// Byte offset of the comment on a line, if it has one: a `#` at the start or
/// after whitespace, outside a quoted scalar.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev: Option<char> = None;
    // The last non-space character before the current one: a quote opens a
    // scalar only where a value can start.
    let mut last_token: Option<char> = None;
    let mut escaped = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some('"') => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    quote = None;
                }
            }
            Some(_) => {
                // `''` is an escaped quote inside a single-quoted scalar.
                if c == '\'' && chars.next_if(|(_, n)| *n == '\'').is_none() {
                    quote = None;
                }
            }
            None => {
                if c == '#' && prev.is_none_or(char::is_whitespace) {
                    return Some(i);
                }
                if (c == '"' || c == '\'')
                    && matches!(last_token, None | Some(':' | '-' | '[' | '{' | ',' | '?'))
                {
                    quote = Some(c);
                }
            }
        }
        prev = Some(c);
        if !c.is_whitespace() {
            last_token = Some(c);
        }
    }
    None
}

/// True when a line holds nothing but whitespace and maybe a comment.
fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// What the text of a `# cnpg-dr:` comment says.
enum Comment {
    Ignore {
        whole_file: bool,
        targets: Vec<Target>,
        reason: Option<String>,
    },
    Malformed(String),
}

/// Reads the directive in a comment's text (after the `#`), if it is one.
fn parse_comment(comment: &str, resolve: &dyn Fn(&str) -> Option<&'static str>) -> Option<Comment> {
    let rest = comment.trim_start().strip_prefix("cnpg-dr:")?;
    let rest = rest.trim_start();
    let malformed = |why: &str| Some(Comment::Malformed(why.to_string()));
    let (whole_file, after) = if let Some(a) = rest.strip_prefix("ignore-file") {
        (true, a)
    } else if let Some(a) = rest.strip_prefix("ignore") {
        (false, a)
    } else {
        return malformed(
            "expected `ignore[ID] reason` or `ignore-file[ID] reason` after `cnpg-dr:`",
        );
    };
    let Some(inner) = after.trim_start().strip_prefix('[') else {
        return malformed(
            "expected `[` with the rule ids to suppress, e.g. `ignore[CDR101] reason`",
        );
    };
    let Some((ids, reason)) = inner.split_once(']') else {
        return malformed("the list of rule ids has no closing `]`");
    };
    let targets: Vec<Target> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Target {
            written: s.to_string(),
            rule: resolve(s),
            used: false,
        })
        .collect();
    if targets.is_empty() {
        return malformed("no rule id between the brackets: name the rules to suppress");
    }
    let reason = reason
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | '—' | '–'))
        .trim_end();
    Some(Comment::Ignore {
        whole_file,
        targets,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    })
}

/// Finds the `# cnpg-dr:` directives of one file. `resolve` maps an id or a
/// name to a known rule id.
pub fn scan(
    file: &Path,
    text: &str,
    resolve: &dyn Fn(&str) -> Option<&'static str>,
) -> Vec<Directive> {
    let file: Arc<Path> = Arc::from(file);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut offset = 0;
    let mut out = Vec::new();
    for (index, raw) in lines.iter().enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let Some(comment) = parse_comment(&line[hash + 1..], resolve) else {
            continue;
        };
        let line_no = index as u32 + 1;
        let span = Span {
            file: file.clone(),
            line: line_no,
            column: line[..hash].chars().count() as u32 + 1,
            start: line_start + hash,
            end: line_start + line.len(),
        };
        let directive = match comment {
            Comment::Malformed(why) => Directive {
                span,
                scope: Scope::Malformed(why),
                targets: Vec::new(),
                reason: None,
            },
            Comment::Ignore {
                whole_file,
                targets,
                reason,
            } => {
                let scope = if whole_file {
                    Scope::File
                } else if line[..hash].trim().is_empty() {
                    // Alone on its line: it speaks about the next line of YAML.
                    let next = lines
                        .iter()
                        .enumerate()
                        .skip(index + 1)
                        .find(|(_, l)| !is_blank_or_comment(l))
                        .map_or(line_no, |(i, _)| i as u32 + 1);
                    Scope::Line(next)
                } else {
                    Scope::Line(line_no)
                };
                Directive {
                    span,
                    scope,
                    targets,
                    reason,
                }
            }
        };
        out.push(directive);
    }
    out
}

/// Drops the findings that a directive silences, marking the directives used.
/// Returns the findings kept and how many were silenced. Meta-rule findings are
/// never silenced by a comment.
pub fn apply(findings: Vec<Finding>, directives: &mut [Directive]) -> (Vec<Finding>, usize) {
    let mut kept = Vec::with_capacity(findings.len());
    let mut silenced = 0;
    // The directives of each file, by index (a scan of every directive per
    // finding is quadratic in a large repository).
    let mut by_file: std::collections::HashMap<Arc<Path>, Vec<usize>> = Default::default();
    for (i, d) in directives.iter().enumerate() {
        by_file.entry(d.span.file.clone()).or_default().push(i);
    }
    for f in findings {
        let mut hit = false;
        if let Some(path) = f.path() {
            let indexes = by_file.get(path).map(Vec::as_slice).unwrap_or_default();
            for &i in indexes {
                let d = &mut directives[i];
                let applies = match d.scope {
                    Scope::File => true,
                    Scope::Line(l) => l == f.line(),
                    Scope::Malformed(_) => false,
                };
                if !applies {
                    continue;
                }
                for t in d.targets.iter_mut().filter(|t| t.rule == Some(f.rule)) {
                    t.used = true;
                    hit = true;
                }
            }
        }
        if hit {
            silenced += 1;
        } else {
            kept.push(f);
        }
    }
    (kept, silenced)
}

fn meta_finding(meta: &'static RuleMeta, span: &Span, message: String) -> Finding {
    Finding {
        rule: meta.id,
        name: meta.name,
        severity: meta.severity,
        message,
        span: Some(span.clone()),
        file: None,
        database: None,
        overlay: None,
        dormant: false,
        help: None,
    }
}

/// CDR001 and CDR002 findings for directives after [`apply`]. `report_unused`
/// says whether unused targets are reported for a directive (files outside the
/// linted directories are not); `enabled` whether a rule runs at all (a
/// suppression of a rule that is off is not "unused"). `names` lists the ids and
/// names of every rule, for suggestions.
pub fn meta_findings(
    directives: &[Directive],
    report_unused: &dyn Fn(&Directive) -> bool,
    enabled: &dyn Fn(&str) -> bool,
    names: &[&'static str],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for d in directives {
        let kind = if d.scope == Scope::File {
            "ignore-file"
        } else {
            "ignore"
        };
        if let Scope::Malformed(why) = &d.scope {
            if report_unused(d) {
                let mut f = meta_finding(
                    &UNUSED,
                    &d.span,
                    format!("this `cnpg-dr:` comment suppresses nothing: {why}"),
                );
                f.help = Some("write `# cnpg-dr: ignore[CDR101] why this is safe`".into());
                out.push(f);
            }
            continue;
        }
        if d.reason.is_none() {
            let ids: Vec<&str> = d.targets.iter().map(|t| t.written.as_str()).collect();
            let mut f = meta_finding(
                &WITHOUT_REASON,
                &d.span,
                format!(
                    "`{kind}[{}]` gives no reason for silencing the check",
                    ids.join(",")
                ),
            );
            f.help = Some(format!(
                "say why after the bracket: `# cnpg-dr: {kind}[{}] <why this is safe>`",
                ids.join(",")
            ));
            out.push(f);
        }
        if !report_unused(d) {
            continue;
        }
        for t in d.targets.iter().filter(|t| !t.used) {
            let (message, help) = match t.rule {
                None => (
                    format!(
                        "`{kind}[...]` names {}, which is no cnpg-dr rule",
                        t.written
                    ),
                    Some(match did_you_mean(&t.written, names) {
                        Some(s) => format!("did you mean {s}? `cnpg-dr rules` lists them all"),
                        None => "`cnpg-dr rules` lists the rule ids and names".to_string(),
                    }),
                ),
                Some(id) if id == WITHOUT_REASON.id || id == UNUSED.id => (
                    format!("{id} cannot be silenced by a comment"),
                    Some(format!(
                        "set `{id}: off` under `rules:` in .cnpg-dr.yaml instead"
                    )),
                ),
                Some(id) if !enabled(id) => continue,
                Some(id) => (
                    match d.scope {
                        Scope::File => {
                            format!("`{kind}[...]` silences no {id} finding in this file")
                        }
                        _ => format!(
                            "`{kind}[...]` silences no {id} finding on line {}",
                            match d.scope {
                                Scope::Line(l) => l,
                                _ => d.span.line,
                            }
                        ),
                    },
                    Some("remove the comment, or move it to the line the finding points at".into()),
                ),
            };
            let mut f = meta_finding(&UNUSED, &d.span, message);
            f.help = help;
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn resolve(s: &str) -> Option<&'static str> {
        match s {
            "CDR101" | "lineage-write-equals-source" => Some("CDR101"),
            "CDR401" | "schedule-five-fields" => Some("CDR401"),
            _ => None,
        }
    }

    fn finding(rule: &'static str, file: &Path, line: u32) -> Finding {
        Finding {
            rule,
            name: "x",
            severity: Severity::Error,
            message: "m".into(),
            span: Some(Span {
                file: Arc::from(file),
                line,
                column: 3,
                start: 0,
                end: 0,
            }),
            file: None,
            database: None,
            overlay: None,
            dormant: false,
            help: None,
        }
    }

    #[test]
    fn comments_are_found_outside_quotes_only() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("# c"), Some(0));
        assert_eq!(comment_start("a: \"b # c\""), None);
        assert_eq!(comment_start("a: 'it''s # x' # y"), Some(15));
        assert_eq!(comment_start("a: b#c"), None);
        assert_eq!(comment_start("msg: it's fine # y"), Some(15));
        assert_eq!(comment_start("a: \"q\\\" # x\" # y"), Some(13));
    }

    #[test]
    fn directives_target_their_line_or_the_next_yaml_line() {
        let text = "a: 1 # cnpg-dr: ignore[CDR101] known\n# cnpg-dr: ignore[CDR401, schedule-five-fields]\n\n# other\nb: 2\n  # cnpg-dr: ignore-file[nope] - legacy\n";
        let d = scan(Path::new("f.yaml"), text, &resolve);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].scope, Scope::Line(1));
        assert_eq!(d[0].reason.as_deref(), Some("known"));
        assert_eq!(d[0].span.column, 6);
        assert_eq!(d[1].scope, Scope::Line(5));
        assert_eq!(d[1].reason, None);
        assert_eq!(d[1].targets.len(), 2);
        assert!(d[1].targets.iter().all(|t| t.rule == Some("CDR401")));
        assert_eq!(d[2].scope, Scope::File);
        assert_eq!(d[2].targets[0].rule, None);
        assert_eq!(d[2].reason.as_deref(), Some("legacy"));
        assert_eq!(d[2].span.line, 6);
        assert_eq!(d[2].span.column, 3);
        assert_eq!(&text[d[2].span.start..d[2].span.start + 10], "# cnpg-dr:");
    }

    #[test]
    fn malformed_directives_are_kept_with_a_reason() {
        let d = scan(
            Path::new("f.yaml"),
            "# cnpg-dr: ignor[CDR101] x\n# cnpg-dr: ignore CDR101\n# cnpg-dr: ignore[CDR101 x\n# cnpg-dr: ignore[] x\n",
            &resolve,
        );
        assert_eq!(d.len(), 4);
        assert!(d
            .iter()
            .all(|d| matches!(d.scope, Scope::Malformed(_)) && d.targets.is_empty()));
    }

    #[test]
    fn apply_silences_and_meta_findings_report_the_rest() {
        let file = Path::new("/r/f.yaml");
        let text = "a: 1 # cnpg-dr: ignore[CDR101]\nb: 2 # cnpg-dr: ignore[CDR401,CDR101] both\n# cnpg-dr: ignore-file[CDR4O1] typo\n";
        let mut d = scan(file, text, &resolve);
        let findings = vec![
            finding("CDR101", file, 1),
            finding("CDR401", file, 2),
            finding("CDR401", file, 3),
            finding("CDR101", Path::new("/r/other.yaml"), 1),
        ];
        let (kept, silenced) = apply(findings, &mut d);
        assert_eq!(silenced, 2);
        assert_eq!(kept.len(), 2);
        let names = ["CDR101", "CDR401"];
        let meta = meta_findings(&d, &|_| true, &|_| true, &names);
        let got: Vec<(&str, u32, &str)> = meta
            .iter()
            .map(|f| (f.rule, f.line(), f.message.as_str()))
            .collect();
        assert_eq!(got.len(), 3, "{got:#?}");
        assert_eq!(got[0].0, "CDR001");
        assert_eq!(got[0].1, 1);
        assert_eq!(
            got[1],
            (
                "CDR002",
                2,
                "`ignore[...]` silences no CDR101 finding on line 2"
            )
        );
        assert_eq!(got[2].0, "CDR002");
        assert!(
            got[2].2.contains("CDR4O1, which is no cnpg-dr rule"),
            "{}",
            got[2].2
        );
        assert_eq!(
            meta[2].help.as_deref(),
            Some("did you mean CDR401? `cnpg-dr rules` lists them all")
        );
        // A rule that is off, or a file outside the linted paths: nothing unused.
        assert_eq!(meta_findings(&d, &|_| true, &|_| false, &names).len(), 2);
        assert_eq!(meta_findings(&d, &|_| false, &|_| true, &names).len(), 1);
    }
}
