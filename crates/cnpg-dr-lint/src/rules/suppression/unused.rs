use crate::finding::{RuleMeta, Severity};
use crate::rules::rule::Rule;

/// CDR002: a suppression that silenced nothing.
pub struct SuppressionUnused;

pub static META: RuleMeta = RuleMeta {
    id: "CDR002",
    name: "suppression-unused",
    severity: Severity::Warning,
    summary: "An inline `# cnpg-dr: ignore[...]` comment suppresses no finding",
    doc: r#"## What it checks
Each rule named in a `# cnpg-dr: ignore[...]` or `# cnpg-dr: ignore-file[...]` comment must silence
at least one finding of that rule: on the comment's line (or, for a comment alone on its line, on
the next line of YAML), or anywhere in the file for `ignore-file`. Unknown rule ids and comments
that start with `cnpg-dr:` but cannot be read are reported too. Rules turned `off` in
`.cnpg-dr.yaml` are not reported, and neither are files outside the linted directories.

## Why it matters during a recovery
A stale suppression is a loaded gun: the problem it was written for is gone (or moved to another
line), and the next real mistake on that line will be silenced without anyone deciding so. A
misspelled id silences nothing while looking as if it did.

## Example
```yaml
spec:
  # cnpg-dr: ignore[CDR401] hourly backups are intended
  schedule: "0 0 3 * * *"
```

## Fix
Remove the comment, or correct the rule id, or move the comment to the line the finding points at
(the `file:line:col` shown for it).

## References
- `docs/configuration.md`, "Inline suppressions".
"#,
};

impl Rule for SuppressionUnused {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
