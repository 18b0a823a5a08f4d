use super::{difference, lineage_span, same_place, Place};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::at;
use crate::rules::rule::{Rule, VariantContext};

/// A recovery that reads from another store than the one the Cluster writes to.
pub struct StoreMismatch;

pub static META: RuleMeta = RuleMeta {
    id: "CDR105",
    name: "lineage-store-mismatch",
    severity: Severity::Warning,
    summary: "The recovery source and the backup target are in different object stores",
    doc: r#"## What it checks
In recovery mode, the store the recovery reads (the `barmanObjectStore` of the source
`externalClusters` entry, or the ObjectStore its plugin entry names) and the store the Cluster
writes to (`spec.backup.barmanObjectStore`, or the archiving plugin's ObjectStore) should be the
same place: same `destinationPath` and `endpointURL`. Plugin ObjectStores are resolved in the
Cluster's namespace, so two ObjectStores pointing at the same bucket path count as one store. An
ObjectStore that is not in the rendered manifests is compared by name.

## Why it matters during a recovery
The usual DR loop reads the lineage the previous cluster wrote, in the same bucket. A source in
another bucket is sometimes right (a migration, an off-site copy, a restore from another
cluster) and often a copy-paste leftover: the restore then reads a path that may not hold the
lineage at all ("no target backup found"), or, worse, an old copy of it.

## Example
```yaml
spec:
  backup:
    barmanObjectStore: {destinationPath: s3://backups/app, serverName: app-database-v3}
  externalClusters:
    - name: origin
      barmanObjectStore: {destinationPath: s3://backups-old/app, serverName: app-database-v2}
```

## Fix
If the difference is deliberate, confirm that the source path holds the lineage (list its
backups, as the finding shows) and keep it. Otherwise point the recovery source at the store the
previous cluster wrote to.

## References
- CNPG docs, "Recovery" and "Object stores".
- Barman Cloud plugin: `ObjectStore.status.serverRecoveryWindow`.
"#,
};

impl Rule for StoreMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let (Some(write), Some(read)) = (cluster.write_lineage(), cluster.read_lineage())
            else {
                continue;
            };
            let wp = Place::of(ctx.variant, &cluster, &write.store);
            let rp = Place::of(ctx.variant, &cluster, &read.store);
            let what = match same_place(&wp, &rp) {
                Some(true) => continue,
                Some(false) => difference(&wp, &rp),
                None => format!(
                    "reads {}, writes {}; cnpg-dr cannot resolve them from the manifests",
                    rp.describe(),
                    wp.describe()
                ),
            };
            let anchor = read
                .anchor
                .get_path(&["destinationPath"])
                .or_else(|| read.anchor.get_path(&["parameters", "barmanObjectName"]))
                .unwrap_or(read.anchor);
            let mut f = ctx.finding(
                &META,
                &anchor.span,
                format!(
                    "Cluster {} restores lineage {} from another store than the one it writes its backups to ({what}): right when you restore from another store on purpose (a migration, an off-site copy), otherwise the restore may not find the lineage there, or find an old copy of it",
                    cluster.name(),
                    read.name,
                ),
            );
            f.help = Some(format!(
                "confirm the source holds the backups you expect: `{}`; and that {} is where new backups should go (backup target at {})",
                rp.how_to_list(&read.name),
                wp.describe(),
                at(ctx, &lineage_span(&write))
            ));
            out.push(f);
        }
    }
}
