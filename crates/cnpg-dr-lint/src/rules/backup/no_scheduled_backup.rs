use cnpg_dr_core::cnpg::{is_false, is_true, Cluster, ScheduledBackup, BARMAN_PLUGIN};
use cnpg_dr_core::yaml::Node;

use super::same_namespace;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// Backups configured, but nothing schedules a base backup.
pub struct NoScheduledBackup;

pub static META: RuleMeta = RuleMeta {
    id: "CDR405",
    name: "no-scheduled-backup",
    severity: Severity::Warning,
    summary: "Cluster archives to an object store but no ScheduledBackup targets it",
    doc: r#"## What it checks
A `Cluster` with backups configured (`spec.backup.barmanObjectStore`, an enabled Barman Cloud
plugin entry, or another CNPG-I backup plugin such as pgBackRest) should be the target of at least one `ScheduledBackup` (same name in
`spec.cluster.name`, same namespace) that is not suspended, in its render, among the
repository's loose manifests or in another database directory's render. A ScheduledBackup with
no namespace of its own beside the database directory (under its parent) counts as deployed into
the Cluster's namespace, and one whose cluster name is substituted at apply time (`${CLUSTER}`)
may target any Cluster: the rule then says nothing rather than guess.

## Why it matters during a recovery
WAL archiving alone does not make a Cluster recoverable: a restore starts from a base backup
and replays WAL from there. CNPG takes no base backup by itself, so without a schedule the
only base backups are the ones someone took by hand. A recovery then replays every WAL segment
since that backup (hours or days of replay), or fails with "no target backup found" when there
is none in the lineage, for example right after the write lineage was bumped by a previous
recovery.

## Example
```yaml
# base/kustomization.yaml lists cluster.yaml and objectstore.yaml, no scheduled-backup.yaml
```

## Fix
Add a ScheduledBackup (six cron fields, seconds first):
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata:
  name: gitea-database-daily
spec:
  schedule: "0 30 2 * * *"
  backupOwnerReference: self
  immediate: true
  cluster:
    name: gitea-database
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
```
`immediate: true` takes the first base backup of a new lineage right away.

## References
- CNPG docs, "Backup": scheduled backups, `immediate`.
- Barman Cloud: a recovery selects a base backup first (`no target backup found`).
"#,
};

/// The plugin a ScheduledBackup of `cluster` should ask: Barman Cloud when the
/// Cluster loads it, else the plugin that archives its WAL, else the first other one.
fn backup_plugin<'a>(cluster: &Cluster<'a>) -> &'a str {
    let name = |p: &&'a Node| p.get_path(&["name"]).and_then(Node::as_str);
    if cluster
        .barman_plugins()
        .iter()
        .any(|p| !is_false(p.get_path(&["enabled"])))
    {
        return BARMAN_PLUGIN;
    }
    let others = cluster.other_plugins();
    others
        .iter()
        .find(|p| is_true(p.get_path(&["isWALArchiver"])))
        .or(others.first())
        .and_then(name)
        .unwrap_or(BARMAN_PLUGIN)
}

impl Rule for NoScheduledBackup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let here: Vec<ScheduledBackup<'_>> = ctx
            .variant
            .resources()
            .iter()
            .filter_map(ScheduledBackup::from)
            .collect();
        // Outside the render: loose files and the other databases' renders.
        let beside: Vec<ScheduledBackup<'_>> = ctx
            .elsewhere()
            .into_iter()
            .filter_map(ScheduledBackup::from)
            .collect();
        for cluster in ctx.variant.clusters() {
            let configured = cluster.native_store().is_some()
                || cluster
                    .barman_plugins()
                    .iter()
                    .any(|p| !is_false(p.get_path(&["enabled"])))
                || !cluster.other_plugins().is_empty();
            // A file beside the database with no namespace of its own is
            // deployed into the Cluster's namespace by the same application.
            let candidates = || {
                let here = here
                    .iter()
                    .filter(|sb| same_namespace(sb.resource, cluster.resource));
                let beside = beside
                    .iter()
                    .filter(|sb| ctx.deployed_into(sb.resource, cluster.namespace()));
                here.chain(beside)
            };
            // A cluster name set at apply time (`${CLUSTER}`, substituted by
            // Flux) may name this Cluster: it cannot be checked, so no claim.
            if candidates().any(|sb| sb.cluster_name().is_some_and(|n| n.contains("${"))) {
                continue;
            }
            let targeting: Vec<_> = candidates()
                .filter(|sb| sb.cluster_name() == Some(cluster.name()))
                .collect();
            let suspended: Vec<&str> = targeting
                .iter()
                .filter(|sb| is_true(sb.field(&["suspend"])))
                .map(|sb| sb.resource.name())
                .collect();
            if !configured || targeting.len() > suspended.len() {
                continue;
            }
            let why = if suspended.is_empty() {
                "no ScheduledBackup targets it".to_string()
            } else {
                let which = if suspended.len() == 1 {
                    "the only ScheduledBackup"
                } else {
                    "every ScheduledBackup"
                };
                format!(
                    "{which} targeting it ({}) is suspended",
                    suspended.join(", ")
                )
            };
            let anchor = cluster
                .node()
                .get_path(&["metadata", "name"])
                .unwrap_or(cluster.node());
            let mut f = ctx.finding(
                &META,
                &anchor.span,
                format!(
                    "Cluster {} archives WAL to an object store, but {why}: no base backup is taken, so a recovery has nothing recent to start from",
                    cluster.name()
                ),
            );
            f.help = Some(format!(
                "add a ScheduledBackup with spec.cluster.name: {} (method: {}), and immediate: true for the first backup",
                cluster.name(),
                if cluster.native_store().is_some() {
                    "barmanObjectStore".to_string()
                } else {
                    format!("plugin, pluginConfiguration.name: {}", backup_plugin(&cluster))
                }
            ));
            out.push(f);
        }
    }
}
