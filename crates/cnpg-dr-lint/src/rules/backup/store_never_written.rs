use cnpg_dr_core::cnpg::{is_false, ScheduledBackup, BARMAN_PLUGIN};
use cnpg_dr_core::yaml::Node;

use super::target_cluster;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::lineage::{lineage_span, same_place, Place};
use crate::rules::rule::{Rule, VariantContext};

/// A store a recovery reads that nothing writes, or backups split across two stores.
pub struct StoreNeverWritten;

pub static META: RuleMeta = RuleMeta {
    id: "CDR410",
    name: "recovery-store-never-written",
    severity: Severity::Warning,
    summary: "A recovery reads a store no Cluster writes to, or base backups and WAL go to different stores",
    doc: r#"## What it checks
Two ways a recovery can find half of what it needs, or nothing recent:

- the store a recovery reads (the `barmanObjectStore` of its source `externalClusters` entry, or
  the ObjectStore its plugin entry names) is a store no Cluster of the repository, in any
  database or overlay, archives to: an "offsite" ObjectStore referenced only by
  `externalClusters`. Stores are compared by `destinationPath` and `endpointURL`; when one
  cannot be resolved from the manifests the rule says nothing;
- a plugin `ScheduledBackup` sends its base backups to another ObjectStore
  (`pluginConfiguration.parameters.barmanObjectName`) than the one the Cluster archives its WAL
  to.

## Why it matters during a recovery
A restore needs a base backup and every WAL segment after it, in the same store and lineage. An
offsite store that no Cluster writes is only as fresh as whatever copies into it outside Git (a
bucket replication, an rclone job): if that stopped, the recovery restores old data or finds
"no target backup found", and nothing in the repository shows it. Base backups in one store and
WAL in another leave neither store recoverable on its own: one has no WAL to replay, the other
no base backup to start from.

## Example
```yaml
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters:
          barmanObjectName: offsite-store   # no Cluster archives to offsite-store
          serverName: app-database-v2
```

## Fix
Restore from the store the previous Cluster wrote to; or, when the offsite copy is deliberate,
make sure something keeps it current and check it before relying on it (list its backups), and
suppress the finding with the reason. Send scheduled base backups to the ObjectStore the Cluster
archives WAL to (drop the `barmanObjectName` override of the ScheduledBackup).

## References
- CNPG docs, "Recovery": a recovery needs a base backup and the WAL after it.
- Barman Cloud plugin: Backup parameters override the Cluster's plugin parameters.
"#,
};

impl Rule for StoreNeverWritten {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        self.check_offsite(ctx, out);
        self.check_split(ctx, out);
    }
}

impl StoreNeverWritten {
    /// A recovery source in a store no Cluster of the repository writes.
    fn check_offsite(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let mut written: Vec<Place> = Vec::new();
        for database in &ctx.repo.databases {
            for variant in &database.variants {
                for c in variant.clusters() {
                    if let Some(w) = c.write_lineage() {
                        written.push(Place::of(variant, &c, &w.store));
                    }
                }
            }
        }
        for cluster in ctx.variant.clusters() {
            let Some(read) = cluster.read_lineage() else {
                continue;
            };
            let rp = Place::of(ctx.variant, &cluster, &read.store);
            if rp.destination_path.is_none() {
                // Unresolved (CDR406 reports a missing ObjectStore): no claim.
                continue;
            }
            let verdicts: Vec<Option<bool>> =
                written.iter().map(|wp| same_place(&rp, wp)).collect();
            if verdicts.iter().any(|v| *v != Some(false)) {
                continue;
            }
            let anchor = read
                .anchor
                .get_path(&["destinationPath"])
                .or_else(|| read.anchor.get_path(&["parameters", "barmanObjectName"]))
                .map_or_else(|| lineage_span(&read), |n| n.span.clone());
            let mut f = ctx.finding(
                &META,
                &anchor,
                format!(
                    "Cluster {} restores lineage {} from {}, a store no Cluster in this repository archives to: its backups are only as fresh as whatever copies them there outside Git, and if that stopped the restore brings back old data or finds no backup at all",
                    cluster.name(),
                    read.name,
                    rp.describe()
                ),
            );
            f.help = Some(format!(
                "check what the store holds before relying on it: `{}`; restore from the store the previous Cluster wrote to, or keep the offsite copy current and suppress this with the reason",
                rp.how_to_list(&read.name)
            ));
            out.push(f);
        }
    }

    /// Scheduled base backups sent to another ObjectStore than the WAL.
    fn check_split(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for sb in ctx
            .variant
            .resources()
            .iter()
            .filter_map(ScheduledBackup::from)
        {
            if sb.method() != "plugin"
                || sb
                    .field(&["pluginConfiguration", "name"])
                    .and_then(Node::as_str)
                    != Some(BARMAN_PLUGIN)
            {
                continue;
            }
            let Some(node) = sb.field(&["pluginConfiguration", "parameters", "barmanObjectName"])
            else {
                continue;
            };
            let Some(base) = node.as_str().filter(|s| !s.is_empty()) else {
                continue;
            };
            let Some(cluster) = target_cluster(ctx, &sb) else {
                continue;
            };
            let wal = cluster
                .barman_plugins()
                .into_iter()
                .filter(|p| !is_false(p.get_path(&["enabled"])))
                .find_map(|p| {
                    p.get_path(&["parameters", "barmanObjectName"])
                        .and_then(Node::as_str)
                });
            let Some(wal) = wal.filter(|w| *w != base) else {
                continue;
            };
            let mut f = ctx.finding(
                &META,
                &node.span,
                format!(
                    "ScheduledBackup {} sends the base backups of Cluster {} to ObjectStore {base}, while the Cluster archives its WAL to ObjectStore {wal}: neither store can be restored from on its own (one has no WAL to replay, the other no base backup to start from)",
                    sb.resource.name(),
                    cluster.name()
                ),
            );
            f.help = Some(format!(
                "remove pluginConfiguration.parameters.barmanObjectName (the backup then goes to {wal}, with the WAL), or archive the WAL to {base} as well"
            ));
            out.push(f);
        }
    }
}
