use cnpg_dr_core::cnpg::is_false;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A Cluster with no object-store backups at all.
pub struct NoBackupConfigured;

pub static META: RuleMeta = RuleMeta {
    id: "CDR404",
    name: "no-backup-configured",
    severity: Severity::Error,
    summary: "Cluster has no spec.backup.barmanObjectStore and no enabled backup plugin",
    doc: r#"## What it checks
Every CNPG `Cluster` must send its WAL and base backups to an object store: either in-tree
(`spec.backup.barmanObjectStore`) or through the Barman Cloud plugin (an enabled
`spec.plugins[]` entry named `barman-cloud.cloudnative-pg.io`). Another enabled CNPG-I plugin
(pgBackRest or any other) counts as a backup too: cnpg-dr cannot see where it writes, so it
does not claim there is none. Volume snapshots alone do not count: they live in the same storage
system as the data and carry no WAL archive.

## Why it matters during a recovery
Without an object store there is nothing to recover from: no base backup, no WAL, no
point-in-time recovery. The recovery overlay of the DR switch has no lineage to read, and losing
the volumes (a cluster rebuild, a storage failure, a deleted namespace) loses the database.

## Example
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: gitea-database
spec:
  instances: 2
  storage:
    size: 10Gi
  # no spec.backup, no spec.plugins
```

## Fix
Add the Barman Cloud plugin with an `ObjectStore` (the in-tree `barmanObjectStore` is
deprecated):
```yaml
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters:
        barmanObjectName: gitea-objectstore
        serverName: gitea-database-v1
```
and a `ScheduledBackup` with `method: plugin`.

## References
- CNPG docs, "Backup" and "WAL archiving".
- Barman Cloud plugin docs, "Usage".
"#,
};

impl Rule for NoBackupConfigured {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            if cluster.native_store().is_some()
                || cluster
                    .barman_plugins()
                    .iter()
                    .any(|p| !is_false(p.get_path(&["enabled"])))
                || !cluster.other_plugins().is_empty()
            {
                continue;
            }
            let anchor = cluster
                .node()
                .get_path(&["metadata", "name"])
                .unwrap_or(cluster.node());
            let disabled = if cluster.barman_plugins().is_empty() {
                ""
            } else {
                " (its barman-cloud plugin entry is disabled)"
            };
            let snapshots = if cluster.spec(&["backup", "volumeSnapshot"]).is_some() {
                "; volume snapshots alone carry no WAL and live on the same storage as the data"
            } else {
                ""
            };
            let mut f = ctx.finding(
                &META,
                &anchor.span,
                format!(
                    "Cluster {} sends no backups to an object store{disabled}: there is no base backup and no WAL archive to recover from{snapshots}",
                    cluster.name()
                ),
            );
            f.help = Some(format!(
                "add a spec.plugins entry for barman-cloud.cloudnative-pg.io (isWALArchiver: true, barmanObjectName and serverName parameters) with an ObjectStore, and a ScheduledBackup for {}",
                cluster.name()
            ));
            out.push(f);
        }
    }
}
