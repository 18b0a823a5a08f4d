use crate::finding::{RuleMeta, Severity};
use crate::rules::rule::Rule;

/// CDR001: a suppression that does not say why.
pub struct SuppressionWithoutReason;

pub static META: RuleMeta = RuleMeta {
    id: "CDR001",
    name: "suppression-without-reason",
    severity: Severity::Warning,
    summary: "An inline `# cnpg-dr: ignore[...]` comment gives no reason",
    doc: r#"## What it checks
Every `# cnpg-dr: ignore[ID]` or `# cnpg-dr: ignore-file[ID]` comment must be followed by a reason:
free text after the closing bracket. A suppression without one still silences the finding, and is
reported itself.

## Why it matters during a recovery
A silenced check is a decision someone made about a recovery they were not yet running. The person
who flips the DR switch at 3 a.m. needs to know whether the rule was wrong for this database or
whether the mistake was accepted "for now" and forgotten. Without a reason, nobody can tell, and the
suppression outlives the situation that justified it.

## Example
```yaml
spec:
  schedule: "0 3 * * *" # cnpg-dr: ignore[CDR401]
```

## Fix
Say why, after the bracket:
```yaml
spec:
  schedule: "0 3 * * *" # cnpg-dr: ignore[CDR401] hourly backups are intended, see runbook
```
or remove the suppression and fix the finding.

## References
- `docs/configuration.md`, "Inline suppressions".
"#,
};

impl Rule for SuppressionWithoutReason {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
