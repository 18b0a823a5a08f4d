use super::{database_arg, key_node, version_words};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// In-tree Barman Cloud (`barmanObjectStore`), deprecated since CNPG 1.26.
pub struct BarmanObjectStoreDeprecated;

use cnpg_dr_core::cnpg::versions::{
    BARMAN_OBJECT_STORE_DEPRECATED as DEPRECATED, BARMAN_OBJECT_STORE_REMOVED as REMOVED,
};

pub static META: RuleMeta = RuleMeta {
    id: "CDR701",
    name: "barman-object-store-deprecated",
    severity: Severity::Warning,
    summary:
        "In-tree barmanObjectStore is deprecated since CNPG 1.26 and scheduled for removal in 1.31",
    doc: r#"## What it checks
`spec.backup.barmanObjectStore` and `spec.externalClusters[].barmanObjectStore` (the in-tree
Barman Cloud support), judged against the target CNPG version (`cnpg_version` in the settings):
- before 1.26: nothing;
- 1.26 to 1.30: a warning (deprecated, removal scheduled for 1.31);
- 1.31 and later: an error (removed).

## Why it matters during a recovery
CNPG's webhook warns on every apply that native Barman Cloud support "is deprecated and will be
completely removed in CloudNativePG 1.31.0". After the removal the fields are gone from the
Cluster CRD: the API server drops unknown fields, so a Cluster that still uses them has no WAL
archive and no backups, and a recovery overlay whose source is an in-tree `externalClusters`
entry has nothing to read. An operator upgrade must not be the moment the DR path breaks:
migrate while both shapes still work, and take a fresh base backup through the plugin.

## Example
```yaml
spec:
  backup:
    barmanObjectStore:
      destinationPath: s3://backups/immich
      serverName: immich-database-v1
```

## Fix
Move to the Barman Cloud plugin: an `ObjectStore` with the same `destinationPath` and
credentials, `spec.plugins[]` with `isWALArchiver: true`, `barmanObjectName` and a NEW
`serverName`, the recovery source as `externalClusters[].plugin`, and ScheduledBackups with
`method: plugin`. `cnpg-dr migrate plugin DB` writes these changes.

## References
- CNPG release notes 1.26.0 (deprecation) and 1.28 to 1.30 (removal moved to 1.31.0).
- CNPG admission webhook warning on `barmanObjectStore` usage.
- Barman Cloud plugin docs: migrating from the in-tree Barman Cloud support.
"#,
};

impl Rule for BarmanObjectStoreDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let version = ctx.settings.cnpg_version;
        if version < DEPRECATED {
            return;
        }
        let removed = version >= REMOVED;
        let db = database_arg(ctx.database);
        for cluster in ctx.variant.clusters() {
            let mut uses = Vec::new();
            if let Some(backup) = cluster.spec(&["backup"]) {
                if let Some(key) = cluster
                    .native_store()
                    .and_then(|_| key_node(backup, "barmanObjectStore"))
                {
                    uses.push((key, "spec.backup.barmanObjectStore".to_string(), true));
                }
            }
            for (i, ext) in cluster.external_clusters().iter().enumerate() {
                if let Some(key) = ext
                    .barman_object_store()
                    .and_then(|_| key_node(ext.node, "barmanObjectStore"))
                {
                    let what = format!(
                        "spec.externalClusters[{i}].barmanObjectStore ({})",
                        ext.name().unwrap_or("unnamed")
                    );
                    uses.push((key, what, false));
                }
            }
            for (node, what, writes) in uses {
                let effect = match (removed, writes) {
                    (false, true) => "its WAL archive and base backups stop working when CNPG 1.31 removes the in-tree support",
                    (false, false) => "a recovery from this source stops working when CNPG 1.31 removes the in-tree support",
                    (true, true) => "the field is gone from the Cluster CRD, so the Cluster has no WAL archive and no backups",
                    (true, false) => "the field is gone from the Cluster CRD, so a recovery from this source has nothing to read",
                };
                let status = if removed {
                    format!(
                        "removed in CNPG 1.31 (target version {})",
                        version_words(version)
                    )
                } else {
                    "deprecated since CNPG 1.26, removal scheduled for 1.31".to_string()
                };
                let mut f = ctx.finding(
                    &META,
                    &node.span,
                    format!(
                        "Cluster {} uses {what}, the in-tree Barman Cloud support, {status}: {effect}",
                        cluster.name()
                    ),
                );
                if removed {
                    f.severity = Severity::Error;
                }
                f.help = Some(format!(
                    "migrate to the Barman Cloud plugin (ObjectStore + spec.plugins, recovery source as externalClusters[].plugin): `cnpg-dr migrate plugin {db}`"
                ));
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::rule::Settings;
    use crate::runner;
    use cnpg_dr_core::discover::{discover, DiscoverOptions};
    use cnpg_dr_core::fs::MemFs;
    use std::path::Path;

    fn lint(version: (u32, u32)) -> Vec<Finding> {
        let mut fs = MemFs::new();
        fs.insert("/r/db/kustomization.yaml", "resources:\n- cluster.yaml\n")
            .insert(
                "/r/db/cluster.yaml",
                "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  backup:\n    barmanObjectStore:\n      destinationPath: s3://b/pg\n",
            );
        let repo = discover(&fs, Path::new("/r"), &DiscoverOptions::default());
        let settings = Settings {
            cnpg_version: version,
            now_unix: 0,
            ..Settings::default()
        };
        runner::run(&repo, &[&BarmanObjectStoreDeprecated], &settings)
    }

    #[test]
    fn severity_follows_the_target_version() {
        assert!(lint((1, 25)).is_empty());
        let warn = lint((1, 30));
        assert_eq!(warn.len(), 1);
        assert_eq!(warn[0].severity, Severity::Warning);
        assert!(warn[0].message.contains("removal scheduled for 1.31"));
        assert!(warn[0]
            .help
            .as_deref()
            .unwrap()
            .ends_with("`cnpg-dr migrate plugin /r/db`"));
        let error = lint((1, 31));
        assert_eq!(error[0].severity, Severity::Error);
        assert!(error[0].message.contains("removed in CNPG 1.31"));
    }
}
