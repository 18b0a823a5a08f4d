use cnpg_dr_core::cnpg::policy::valid_retention_policy;
use cnpg_dr_core::cnpg::ObjectStore;
use cnpg_dr_core::yaml::Node;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{repository_finding, RepositoryContext, Rule, VariantContext};

/// A retention policy the CRD pattern rejects.
pub struct RetentionPolicyInvalid;

pub static META: RuleMeta = RuleMeta {
    id: "CDR409",
    name: "retention-policy-invalid",
    severity: Severity::Error,
    summary: "retentionPolicy does not match ^[1-9][0-9]*[dwm]$",
    doc: r#"## What it checks
`spec.retentionPolicy` of a Barman Cloud plugin `ObjectStore` and `spec.backup.retentionPolicy`
of a `Cluster` must match `^[1-9][0-9]*[dwm]$`: a positive number of days, weeks or months,
such as `30d`, `4w` or `6m`.

## Why it matters during a recovery
Both CRDs carry that pattern, so the API server rejects the whole object: an ObjectStore that is
never created leaves the Cluster without a place to archive WAL, and a rejected Cluster is never
updated (or, in a recovery overlay, never created). Values that look reasonable fail: `30 days`,
`30D`, `0d`, `1y`, `720h`.

## Example
```yaml
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
spec:
  retentionPolicy: 30 days
```

## Fix
Write the number and a single unit letter: `30d`. For a year, use `12m`. The policy becomes
`RECOVERY WINDOW OF 30 DAYS`: keep it longer than the oldest point in time the runbook promises
to restore.

## References
- CNPG API `BackupConfiguration.retentionPolicy`: pattern `^[1-9][0-9]*[dwm]$`.
- plugin-barman-cloud `ObjectStoreSpec.retentionPolicy`: the same pattern.
"#,
};

fn suggestion(policy: &str) -> Option<String> {
    let t = policy.trim().to_ascii_lowercase();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let unit = t[digits.len()..].trim();
    let n: u64 = digits.parse().ok().filter(|n| *n > 0)?;
    let s = match unit {
        "d" | "day" | "days" => format!("{n}d"),
        "w" | "week" | "weeks" => format!("{n}w"),
        "m" | "month" | "months" | "mo" => format!("{n}m"),
        "y" | "year" | "years" => format!("{}m", n * 12),
        _ => return None,
    };
    Some(s)
}

fn check(node: &Node, owner: &str) -> Option<(String, String)> {
    let text = node.as_str()?;
    if valid_retention_policy(text) {
        return None;
    }
    let help = match suggestion(text) {
        Some(s) => format!("write retentionPolicy: {s}"),
        None => "write a positive number followed by d, w or m, such as 30d".to_string(),
    };
    Some((
        format!(
            "{owner} has retentionPolicy {text:?}, which is not a positive number followed by d, w or m (the CRD pattern ^[1-9][0-9]*[dwm]$): the API server rejects the whole object"
        ),
        help,
    ))
}

impl Rule for RetentionPolicyInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let mut found: Vec<(&Node, String)> = Vec::new();
        for store in ctx.variant.resources().iter().filter_map(ObjectStore::from) {
            if let Some(n) = store.resource.node.get_path(&["spec", "retentionPolicy"]) {
                found.push((n, format!("ObjectStore {}", store.resource.name())));
            }
        }
        for cluster in ctx.variant.clusters() {
            if let Some(n) = cluster.spec(&["backup", "retentionPolicy"]) {
                found.push((n, format!("Cluster {}", cluster.name())));
            }
        }
        for (node, owner) in found {
            if let Some((msg, help)) = check(node, &owner) {
                let mut f = ctx.finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for store in ctx.repo.loose.iter().filter_map(ObjectStore::from) {
            let Some(node) = store.resource.node.get_path(&["spec", "retentionPolicy"]) else {
                continue;
            };
            if let Some((msg, help)) =
                check(node, &format!("ObjectStore {}", store.resource.name()))
            {
                let mut f = repository_finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_spell_the_pattern() {
        // The pattern itself is core's: cnpg_dr_core::cnpg::policy.
        assert_eq!(suggestion("30 days").as_deref(), Some("30d"));
        assert_eq!(suggestion("1y").as_deref(), Some("12m"));
        assert_eq!(suggestion("30D").as_deref(), Some("30d"));
        assert_eq!(suggestion("0d"), None);
    }
}
