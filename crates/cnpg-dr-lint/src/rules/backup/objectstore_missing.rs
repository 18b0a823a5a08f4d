use cnpg_dr_core::cnpg::{is_false, BARMAN_PLUGIN};
use cnpg_dr_core::yaml::Node;

use super::{namespace_words, object_stores, same_namespace};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// A plugin `barmanObjectName` that names no ObjectStore.
pub struct ObjectStoreMissing;

pub static META: RuleMeta = RuleMeta {
    id: "CDR406",
    name: "objectstore-missing",
    severity: Severity::Error,
    summary: "barmanObjectName names no ObjectStore in the Cluster's namespace",
    doc: r#"## What it checks
Every `barmanObjectName` parameter of the Barman Cloud plugin must name a
`barmancloud.cnpg.io/v1` `ObjectStore` rendered in the Cluster's namespace (or committed as a
loose manifest there). Both roles are checked: the write side (`spec.plugins[]`, enabled
entries) and the recovery source (`spec.externalClusters[].plugin` with the plugin's name).

## Why it matters during a recovery
The plugin always looks the ObjectStore up in the Cluster's own namespace, and nothing checks the
reference at admission. A Cluster bootstrapping from a missing recovery ObjectStore stalls in
its first phase without a clear error (plugin-barman-cloud issue #337); a missing write
ObjectStore means WAL archiving fails and the Cluster never becomes ready. A typo or an
ObjectStore renamed in the base but not in the recovery overlay shows up only when the overlay
is switched on, in the middle of a recovery.

## Example
```yaml
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters:
          barmanObjectName: gitea-object-store   # the ObjectStore is gitea-objectstore
          serverName: gitea-database-v2
```

## Fix
Use the ObjectStore's `metadata.name`, and render the ObjectStore in the same kustomization (so
it gets the same namespace) as the Cluster.

## References
- Barman Cloud plugin: the ObjectStore is read from the Cluster's namespace (operator config).
- plugin-barman-cloud issue #337: a non-existent ObjectStore stalls Cluster creation.
"#,
};

impl Rule for ObjectStoreMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        let stores = object_stores(ctx);
        for cluster in ctx.variant.clusters() {
            let mut refs: Vec<(&Node, String, &str)> = Vec::new();
            for p in cluster.barman_plugins() {
                if is_false(p.get_path(&["enabled"])) {
                    continue;
                }
                if let Some(n) = p.get_path(&["parameters", "barmanObjectName"]) {
                    refs.push((
                        n,
                        "its WAL archive and backups (spec.plugins)".to_string(),
                        "WAL archiving fails and the Cluster never becomes ready",
                    ));
                }
            }
            for ext in cluster.external_clusters() {
                let Some(plugin) = ext.plugin() else { continue };
                if plugin.get_path(&["name"]).and_then(Node::as_str) != Some(BARMAN_PLUGIN) {
                    continue;
                }
                if let Some(n) = plugin.get_path(&["parameters", "barmanObjectName"]) {
                    refs.push((
                        n,
                        format!(
                            "its recovery source {} (externalClusters)",
                            ext.name().unwrap_or("(unnamed)")
                        ),
                        "a recovery from it cannot read the backups and the Cluster stalls while bootstrapping",
                    ));
                }
            }
            let here: Vec<&str> = stores
                .iter()
                .filter(|s| same_namespace(s.resource, cluster.resource))
                .map(|s| s.resource.name())
                .collect();
            for (node, role, effect) in refs {
                let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
                    continue;
                };
                if here.contains(&name) {
                    continue;
                }
                let elsewhere = stores
                    .iter()
                    .find(|s| s.resource.name() == name)
                    .map(|s| {
                        format!(
                            " (one exists in {}, but the plugin only looks in the Cluster's namespace)",
                            namespace_words(s.resource)
                        )
                    })
                    .unwrap_or_default();
                let mut f = ctx.finding(
                    &META,
                    &node.span,
                    format!(
                        "Cluster {} uses ObjectStore {name} for {role}, but no ObjectStore {name} is rendered in {}{elsewhere}: {effect}",
                        cluster.name(),
                        namespace_words(cluster.resource),
                    ),
                );
                f.help = Some(match here.as_slice() {
                    [] => format!(
                        "add an ObjectStore named {name} to the kustomization that renders Cluster {}",
                        cluster.name()
                    ),
                    [only] => format!("set barmanObjectName to {only}, or add ObjectStore {name}"),
                    many => format!(
                        "set barmanObjectName to one of: {}, or add ObjectStore {name}",
                        many.join(", ")
                    ),
                });
                out.push(f);
            }
        }
    }
}
