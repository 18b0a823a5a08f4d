use cnpg_dr_core::cnpg::{is_false, ScheduledBackup, BARMAN_PLUGIN};
use cnpg_dr_core::yaml::Node;

use super::target_cluster;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A ScheduledBackup whose method does not fit the Cluster's backup shape.
pub struct BackupMethodMismatch;

pub static META: RuleMeta = RuleMeta {
    id: "CDR403",
    name: "backup-method-mismatch",
    severity: Severity::Error,
    summary:
        "ScheduledBackup method or pluginConfiguration does not match how the Cluster backs up",
    doc: r#"## What it checks
For every `ScheduledBackup` whose Cluster is in the same render:
- `method: barmanObjectStore` (also the default when `method` is unset) needs
  `spec.backup.barmanObjectStore` on the Cluster;
- `method: plugin` needs `pluginConfiguration.name`, and the Cluster must load that plugin in
  `spec.plugins` (enabled).

## Why it matters during a recovery
The mismatch is accepted when the ScheduledBackup is applied and fails at every run: CNPG marks
each Backup failed with "cannot proceed with the backup as the cluster has no backup section",
"no barmanObjectStore section defined on the target cluster" or "cannot proceed with the backup
as the cluster has no plugin configured", and the Backup webhook rejects a plugin Backup with
an empty `pluginConfiguration`. WAL archiving keeps working, so the bucket looks alive, but
there is no recent base backup: a recovery replays weeks of WAL, or finds no base backup at all.
The typical cause is a migration to the Barman Cloud plugin that left the ScheduledBackup on
the default method.

## Example
```yaml
# The Cluster backs up through the barman-cloud plugin only.
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
spec:
  schedule: "0 30 2 * * *"
  cluster:
    name: gitea-database
  # method defaults to barmanObjectStore
```

## Fix
On plugin Clusters:
```yaml
  method: plugin
  pluginConfiguration:
    name: barman-cloud.cloudnative-pg.io
```
On Clusters with `spec.backup.barmanObjectStore`, use `method: barmanObjectStore` (or leave it
unset).

## References
- CNPG API: `ScheduledBackupSpec.method` (default `barmanObjectStore`) and `pluginConfiguration`.
- CNPG backup controller and Backup webhook (messages quoted above).
- Barman Cloud plugin docs, "Usage": scheduled backups with `method: plugin`.
"#,
};

/// The names of the Cluster's enabled `spec.plugins[]` entries.
fn enabled_plugins(plugins: Option<&Node>) -> Vec<&str> {
    plugins
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .filter(|p| !is_false(p.get_path(&["enabled"])))
                .filter_map(|p| p.get_path(&["name"]).and_then(Node::as_str))
                .collect()
        })
        .unwrap_or_default()
}

impl Rule for BackupMethodMismatch {
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
            let Some(cluster) = target_cluster(ctx, &sb) else {
                continue;
            };
            let Some(anchor) = sb
                .field(&["method"])
                .or_else(|| sb.field(&["cluster", "name"]))
            else {
                continue;
            };
            let plugins = enabled_plugins(cluster.spec(&["plugins"]));
            let name = sb.resource.name();
            let cname = cluster.name();
            match sb.method() {
                "barmanObjectStore" => {
                    if cluster.native_store().is_some() {
                        continue;
                    }
                    let how = if sb.field(&["method"]).is_some() {
                        "uses method: barmanObjectStore"
                    } else {
                        "sets no method, so CNPG uses the default barmanObjectStore"
                    };
                    let shape = if plugins.contains(&BARMAN_PLUGIN) {
                        " (it backs up through the Barman Cloud plugin)"
                    } else {
                        ""
                    };
                    let why = if cluster.spec(&["backup"]).is_none() {
                        "cannot proceed with the backup as the cluster has no backup section"
                    } else {
                        "no barmanObjectStore section defined on the target cluster"
                    };
                    let mut f = ctx.finding(
                        &META,
                        &anchor.span,
                        format!(
                            "ScheduledBackup {name} {how}, but Cluster {cname} has no spec.backup.barmanObjectStore{shape}: every scheduled Backup fails with \"{why}\" and no base backup is taken"
                        ),
                    );
                    f.help = Some(if plugins.contains(&BARMAN_PLUGIN) {
                        format!("set method: plugin and pluginConfiguration.name: {BARMAN_PLUGIN}")
                    } else {
                        format!("configure backups on Cluster {cname} (the Barman Cloud plugin in spec.plugins), then use method: plugin")
                    });
                    out.push(f);
                }
                "plugin" => {
                    let Some(wanted) = sb
                        .field(&["pluginConfiguration", "name"])
                        .and_then(|n| n.as_str().map(|s| (n, s)))
                        .filter(|(_, s)| !s.is_empty())
                    else {
                        let mut f = ctx.finding(
                            &META,
                            &anchor.span,
                            format!(
                                "ScheduledBackup {name} uses method: plugin without pluginConfiguration.name: the Backup webhook rejects every scheduled Backup (\"cannot be empty when the backup method is plugin\") and no base backup is taken"
                            ),
                        );
                        f.help = Some(format!(
                            "add pluginConfiguration: {{name: {}}}",
                            plugins
                                .iter()
                                .find(|p| **p == BARMAN_PLUGIN)
                                .or(plugins.first())
                                .copied()
                                .unwrap_or(BARMAN_PLUGIN)
                        ));
                        out.push(f);
                        continue;
                    };
                    let (node, wanted) = wanted;
                    if plugins.is_empty() {
                        let mut f = ctx.finding(
                            &META,
                            &anchor.span,
                            format!(
                                "ScheduledBackup {name} uses method: plugin, but Cluster {cname} loads no plugin: every scheduled Backup fails with \"cannot proceed with the backup as the cluster has no plugin configured\""
                            ),
                        );
                        f.help = Some(if cluster.native_store().is_some() {
                            "the Cluster backs up with spec.backup.barmanObjectStore: use method: barmanObjectStore (or migrate the Cluster to the plugin)".to_string()
                        } else {
                            format!("add the {wanted} plugin to the Cluster's spec.plugins")
                        });
                        out.push(f);
                    } else if !plugins.contains(&wanted) {
                        let mut f = ctx.finding(
                            &META,
                            &node.span,
                            format!(
                                "ScheduledBackup {name} asks plugin {wanted} for backups, but Cluster {cname} does not load it (enabled plugins: {}): every scheduled Backup fails",
                                plugins.join(", ")
                            ),
                        );
                        f.help = Some(format!(
                            "set pluginConfiguration.name to {}",
                            plugins
                                .iter()
                                .find(|p| **p == BARMAN_PLUGIN)
                                .or(plugins.first())
                                .copied()
                                .unwrap_or(BARMAN_PLUGIN)
                        ));
                        out.push(f);
                    }
                }
                _ => {}
            }
        }
    }
}
