use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{at, head, key_span};
use crate::rules::rule::{Rule, VariantContext};

/// A recovery source entry that points at no backup.
pub struct SourceNoBackup;

pub static META: RuleMeta = RuleMeta {
    id: "CDR206",
    name: "recovery-source-no-backup",
    severity: Severity::Error,
    summary: "The recovery's externalClusters entry has no plugin, barmanObjectStore or connectionParameters",
    doc: r#"## What it checks
The `externalClusters` entry named by `bootstrap.recovery.source` must say where the data comes
from: a Barman Cloud `plugin`, an in-tree `barmanObjectStore`, or `connectionParameters`. A
warning is also given when an entry sets both `plugin` and `barmanObjectStore`: CNPG recovers
through the plugin and ignores the in-tree block.

## Why it matters during a recovery
An entry with neither is rejected at admission: "External cluster <name> cannot be used for
recovery: missing connection parameters, Barman, or CNPG-i configuration". With both set, the
`barmanObjectStore` block (its destinationPath, serverName, credentials) looks like the source
in review but is never read: the restore reads whatever the plugin entry names.

## Example
```yaml
spec:
  bootstrap:
    recovery: {source: origin}
  externalClusters:
    - name: origin             # nothing to restore from
```

## Fix
Give the entry exactly one source: the plugin block
(`plugin: {name: barman-cloud.cloudnative-pg.io, parameters: {barmanObjectName, serverName}}`)
or, for in-tree backups, `barmanObjectStore`. Remove the other one.

## References
- CNPG admission webhook: "cannot be used for recovery: missing connection parameters, Barman,
  or CNPG-i configuration".
- CNPG `GetRecoverySourcePlugin`: the plugin is used first.
"#,
};

impl Rule for SourceNoBackup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(source) = cluster.recovery().and_then(|r| r.source()) else {
                continue;
            };
            let Some(ext) = cluster.external_cluster(source) else {
                continue;
            };
            let name_span = ext
                .node
                .get_path(&["name"])
                .map_or(&ext.node.span, |n| &n.span);
            if !ext.has_backup_source() {
                let example = if cluster.native_store().is_some() {
                    "barmanObjectStore: {destinationPath: ..., serverName: <previous lineage>, ...credentials}"
                } else {
                    "plugin: {name: barman-cloud.cloudnative-pg.io, parameters: {barmanObjectName: <ObjectStore>, serverName: <previous lineage>}}"
                };
                let mut f = ctx.finding(
                    &META,
                    name_span,
                    format!(
                        "externalClusters entry {source:?}, the recovery source of Cluster {}, has no plugin, barmanObjectStore or connectionParameters: CNPG rejects the Cluster with \"External cluster {source} cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration\"",
                        cluster.name()
                    ),
                );
                f.help = Some(format!(
                    "add the store of the lineage to restore: {example}"
                ));
                out.push(f);
                continue;
            }
            if let (Some(store), Some(plugin)) = (ext.barman_object_store(), ext.plugin()) {
                let mut f = ctx.finding(
                    &META,
                    &key_span(Some(ext.node), "barmanObjectStore").unwrap_or_else(|| head(&store.span)),
                    format!(
                        "externalClusters entry {source:?} of Cluster {} sets both plugin and barmanObjectStore: CNPG recovers through the plugin and never reads this barmanObjectStore block, so its destinationPath and serverName are not what gets restored",
                        cluster.name()
                    ),
                );
                f.severity = Severity::Warning;
                f.help = Some(format!(
                    "keep one: the plugin entry (at {}) for plugin backups, or barmanObjectStore for in-tree backups",
                    at(ctx, &head(&plugin.span))
                ));
                out.push(f);
            }
        }
    }
}
