use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// More than one WAL archiver, or a plugin archiver next to in-tree backups.
pub struct WalArchiverConflict;

pub static META: RuleMeta = RuleMeta {
    id: "CDR407",
    name: "wal-archiver-conflict",
    severity: Severity::Error,
    summary: "More than one enabled isWALArchiver plugin, or one together with spec.backup.barmanObjectStore",
    doc: r#"## What it checks
Among the enabled `spec.plugins[]` entries (`enabled` unset counts as enabled), at most one may set
`isWALArchiver: true`, and none may when `spec.backup.barmanObjectStore` is configured.

## Why it matters during a recovery
CNPG's admission webhook rejects both shapes ("Cannot enable more than one WAL archiver plugin",
"Cannot enable a WAL archiver plugin when barmanObjectStore is configured"). Argo CD keeps
retrying the sync while the live Cluster stays on the previous spec; in a recovery overlay the
Cluster is never created at all. The usual cause is a half-done migration to the plugin: the
plugin entry was added in the base while an overlay still patches in `barmanObjectStore`.

## Example
```yaml
spec:
  backup:
    barmanObjectStore:
      destinationPath: s3://backups/gitea
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
```

## Fix
Keep exactly one archiver: finish the migration by removing `spec.backup.barmanObjectStore`
from the Cluster (the plugin entry already archives; `cnpg-dr migrate plugin` only converts a
Cluster that has no plugin yet), or set `isWALArchiver: false` on all but one plugin entry.

## References
- CNPG admission webhook, `spec.plugins` validation (messages quoted above).
- CNPG API: `PluginConfiguration.isWALArchiver`, `enabled`.
"#,
};

impl Rule for WalArchiverConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let archivers = cluster.wal_archiver_plugins();
            let name_of = |p: &cnpg_dr_core::yaml::Node| {
                p.get_path(&["name"])
                    .and_then(|n| n.as_str())
                    .unwrap_or("(unnamed)")
                    .to_string()
            };
            let span_of = |p: &cnpg_dr_core::yaml::Node| {
                p.get_path(&["isWALArchiver"]).unwrap_or(p).span.clone()
            };
            if let (Some(store), Some(first)) = (cluster.native_store(), archivers.first()) {
                let names: Vec<String> = archivers.iter().map(|p| name_of(p)).collect();
                let mut f = ctx.finding(
                    &META,
                    &span_of(first),
                    format!(
                        "Cluster {} archives WAL with plugin {} and also has spec.backup.barmanObjectStore (set at {}): CNPG rejects the Cluster with \"Cannot enable a WAL archiver plugin when barmanObjectStore is configured\"",
                        cluster.name(),
                        names.join(", "),
                        ctx.at(&store.span)
                    ),
                );
                f.help = Some(
                    "finish the migration to the plugin: remove spec.backup.barmanObjectStore from the Cluster (the plugin entry already archives), or drop isWALArchiver from the plugin entry"
                        .to_string(),
                );
                out.push(f);
                continue;
            }
            if archivers.len() > 1 {
                let names: Vec<String> = archivers.iter().map(|p| name_of(p)).collect();
                for extra in &archivers[1..] {
                    let mut f = ctx.finding(
                        &META,
                        &span_of(extra),
                        format!(
                            "Cluster {} enables {} WAL archiver plugins ({}): CNPG rejects the Cluster with \"Cannot enable more than one WAL archiver plugin\"",
                            cluster.name(),
                            archivers.len(),
                            names.join(", ")
                        ),
                    );
                    f.help = Some(format!(
                        "keep isWALArchiver: true on one entry only (the first is {})",
                        names[0]
                    ));
                    out.push(f);
                }
            }
        }
    }
}
