use cnpg_dr_core::cnpg::ObjectStore;
use cnpg_dr_core::yaml::Node;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{repository_finding, RepositoryContext, Rule, VariantContext};

/// `serverName` inside an ObjectStore's configuration.
pub struct ObjectStoreServerName;

pub static META: RuleMeta = RuleMeta {
    id: "CDR408",
    name: "objectstore-server-name",
    severity: Severity::Error,
    summary:
        "ObjectStore spec.configuration.serverName is forbidden: the lineage belongs in the Cluster",
    doc: r#"## What it checks
A Barman Cloud plugin `ObjectStore` must not set `spec.configuration.serverName`. Rendered
ObjectStores and loose manifests are checked.

## Why it matters during a recovery
The ObjectStore CRD rejects the field with a CEL rule: "use the 'serverName' plugin parameter in
the Cluster resource". The ObjectStore is not created (or not updated), so the Cluster that
points at it cannot archive WAL, and a recovery overlay that reads through it cannot start. The
field is a leftover of copying an in-tree `barmanObjectStore` block, where `serverName` was
allowed. The lineage is a property of each Cluster: the plugin takes it from
`spec.plugins[].parameters.serverName` (write) and `externalClusters[].plugin.parameters.serverName`
(read), which is what lets a recovery read one lineage and write the next one from the same
ObjectStore.

## Example
```yaml
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
spec:
  configuration:
    destinationPath: s3://backups/gitea
    serverName: gitea-database-v2
```

## Fix
Delete `serverName` from the ObjectStore and set it as a plugin parameter on the Cluster:
`spec.plugins[].parameters.serverName` (and `externalClusters[].plugin.parameters.serverName`
for the recovery source).

## References
- plugin-barman-cloud `api/v1/objectstore_types.go`: CEL `!has(self.serverName)`.
- Barman Cloud plugin docs, "Parameters": `barmanObjectName`, `serverName`.
"#,
};

fn check<'a>(store: &ObjectStore<'a>) -> Option<(&'a Node, String, String)> {
    let node = store
        .configuration()?
        .get_path(&["serverName"])
        .filter(|n| !n.is_null())?;
    let value = node.as_str().unwrap_or("");
    Some((
        node,
        format!(
            "ObjectStore {} sets configuration.serverName ({value}): the ObjectStore CRD rejects it (\"use the 'serverName' plugin parameter in the Cluster resource\"), so the ObjectStore is not created (or not updated) and the Clusters using it can neither archive nor restore",
            store.resource.name()
        ),
        format!(
            "remove serverName from the ObjectStore and set serverName: {value} in the Cluster's spec.plugins[].parameters (and externalClusters[].plugin.parameters for a recovery source)"
        ),
    ))
}

impl Rule for ObjectStoreServerName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for store in ctx.variant.resources().iter().filter_map(ObjectStore::from) {
            if let Some((node, msg, help)) = check(&store) {
                let mut f = ctx.finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }

    fn check_repository(&self, ctx: &RepositoryContext<'_>, out: &mut Vec<Finding>) {
        for store in ctx.repo.loose.iter().filter_map(ObjectStore::from) {
            if let Some((node, msg, help)) = check(&store) {
                let mut f = repository_finding(&META, &node.span, msg);
                f.help = Some(help);
                out.push(f);
            }
        }
    }
}
