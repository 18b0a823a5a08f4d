use cnpg_dr_core::cnpg::ScheduledBackup;

use super::{namespace_words, same_namespace};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A ScheduledBackup whose `spec.cluster.name` names no Cluster of the render.
pub struct ScheduledBackupUnknownCluster;

pub static META: RuleMeta = RuleMeta {
    id: "CDR402",
    name: "scheduled-backup-unknown-cluster",
    severity: Severity::Error,
    summary: "ScheduledBackup targets a Cluster that is not in the render: no backup is ever taken",
    doc: r#"## What it checks
`spec.cluster.name` of every `ScheduledBackup` must name a CNPG `Cluster` rendered next to it, in
the same namespace. Every variant is checked: the active overlay and each dormant one.

## Why it matters during a recovery
CNPG accepts a ScheduledBackup for a Cluster that does not exist; each scheduled run creates a
`Backup` that fails because its Cluster cannot be found. Nothing alerts on a ScheduledBackup, so the mistake
(a renamed Cluster, a copy-pasted manifest) is found the day a recovery needs a recent base
backup and the newest one is months old, or there is none.

## Example
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
spec:
  schedule: "0 30 2 * * *"
  cluster:
    name: gitea-db        # the Cluster is called gitea-database
```

## Fix
Set `spec.cluster.name` to the Cluster's `metadata.name`, and keep both in the same
kustomization so the namespace matches. `spec.cluster` is immutable since CNPG 1.30: after
fixing the name, delete the old ScheduledBackup (Argo CD replaces it).

## References
- CNPG API: `ScheduledBackupSpec.cluster` (required; immutable since 1.30.0).
- CNPG docs, "Backup": scheduled backups.
"#,
};

impl Rule for ScheduledBackupUnknownCluster {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for sb in ctx
            .variant
            .resources()
            .iter()
            .filter_map(ScheduledBackup::from)
        {
            let here: Vec<&str> = ctx
                .variant
                .clusters()
                .filter(|c| same_namespace(c.resource, sb.resource))
                .map(|c| c.name())
                .collect();
            let Some(node) = sb.field(&["cluster", "name"]) else {
                let mut f = ctx.finding(
                    &META,
                    &sb.resource.node.span,
                    format!(
                        "ScheduledBackup {} has no spec.cluster.name: the API server rejects it and nothing is backed up",
                        sb.resource.name()
                    ),
                );
                if let [only] = here.as_slice() {
                    f.help = Some(format!("add spec.cluster.name: {only}"));
                }
                out.push(f);
                continue;
            };
            let Some(name) = sb.cluster_name() else {
                continue;
            };
            if here.contains(&name) {
                continue;
            }
            let elsewhere = ctx
                .variant
                .clusters()
                .find(|c| c.name() == name)
                .map(|c| {
                    format!(
                        " (a Cluster {name} exists, but in {})",
                        namespace_words(c.resource)
                    )
                })
                .unwrap_or_default();
            let mut f = ctx.finding(
                &META,
                &node.span,
                format!(
                    "ScheduledBackup {} targets Cluster {name}, but no Cluster of that name is rendered in {}{elsewhere}: every scheduled Backup fails and no base backup is taken",
                    sb.resource.name(),
                    namespace_words(sb.resource),
                ),
            );
            f.help = Some(match here.as_slice() {
                [] => "render the Cluster in the same kustomization and namespace as its ScheduledBackup".to_string(),
                [only] => format!("set spec.cluster.name to {only}"),
                many => format!("set spec.cluster.name to one of: {}", many.join(", ")),
            });
            out.push(f);
        }
    }
}
