use super::recovery_span;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A recovery whose `source` is empty or names no externalClusters entry.
pub struct SourceMissing;

pub static META: RuleMeta = RuleMeta {
    id: "CDR205",
    name: "recovery-source-missing",
    severity: Severity::Error,
    summary: "bootstrap.recovery.source is empty or names no externalClusters entry",
    doc: r#"## What it checks
`spec.bootstrap.recovery.source` must be set (unless the recovery uses `backup` or
`volumeSnapshots`) and must name an entry of `spec.externalClusters`.

## Why it matters during a recovery
A source that names no entry is rejected at admission: `spec.bootstrap.recovery.source:
Invalid value: ...: External cluster <name> not found` (followed by "cannot be used for
recovery"). A recovery with no source at all is admitted, and then the full-recovery job fails
with "recovery source not specified": the Cluster stays in bootstrap. Both happen when the
overlay is flipped in an emergency, typically after the `externalClusters` entry was renamed or
left in another patch.

## Example
```yaml
spec:
  bootstrap:
    recovery:
      source: origin
  externalClusters:
    - name: gitea-backup     # not "origin"
```

## Fix
Make `source` and the `externalClusters` entry's `name` agree.

## References
- CNPG admission webhook: "External cluster %v not found".
- CNPG restore job: "recovery source not specified".
"#,
};

impl Rule for SourceMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(rec) = cluster.recovery() else {
                continue;
            };
            let names: Vec<String> = cluster
                .external_clusters()
                .iter()
                .filter_map(|e| e.name())
                .map(|n| format!("{n:?}"))
                .collect();
            let entries = match names.len() {
                0 => "there are no externalClusters entries".to_string(),
                1 => format!("the only externalClusters entry is {}", names[0]),
                _ => format!("the externalClusters entries are {}", names.join(", ")),
            };
            match rec.source() {
                None => {
                    if rec.field("backup").is_some() || rec.field("volumeSnapshots").is_some() {
                        continue;
                    }
                    let span = rec
                        .field("source")
                        .map_or_else(|| recovery_span(&cluster), |n| n.span.clone());
                    let mut f = ctx.finding(
                        &META,
                        &span,
                        format!(
                            "bootstrap.recovery of Cluster {} has no source ({entries}): CNPG admits the Cluster, then the full-recovery job fails with \"recovery source not specified\" and the Cluster never leaves bootstrap",
                            cluster.name()
                        ),
                    );
                    f.help = Some(if names.is_empty() {
                        "add an externalClusters entry that points at the lineage to restore (plugin or barmanObjectStore) and name it in source".to_string()
                    } else {
                        format!(
                            "set source to the entry that points at the lineage to restore ({})",
                            names.join(" or ")
                        )
                    });
                    out.push(f);
                }
                Some(source) => {
                    if cluster.external_cluster(source).is_some() {
                        continue;
                    }
                    let span = rec
                        .field("source")
                        .map_or_else(|| recovery_span(&cluster), |n| n.span.clone());
                    let mut f = ctx.finding(
                        &META,
                        &span,
                        format!(
                            "bootstrap.recovery.source of Cluster {} is {source:?}, but {entries}: CNPG rejects the Cluster with \"External cluster {source} not found\"",
                            cluster.name()
                        ),
                    );
                    f.help = Some(if names.is_empty() {
                        format!("add an externalClusters entry named {source:?} that points at the lineage to restore")
                    } else {
                        format!(
                            "rename source or the entry so they agree (existing: {})",
                            names.join(", ")
                        )
                    });
                    out.push(f);
                }
            }
        }
    }
}
