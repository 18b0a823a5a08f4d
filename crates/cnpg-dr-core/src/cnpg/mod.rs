//! Typed, read-only views of rendered CloudNativePG and Barman Cloud plugin
//! objects. Every accessor returns the node it read, so a finding can point at
//! the source line that set the value (the base or the overlay patch).

use crate::kustomize::Resource;
use crate::yaml::{Node, Span};

pub mod policy;
pub mod versions;

/// The CNPG API group.
pub const CNPG_GROUP: &str = "postgresql.cnpg.io";
/// The Barman Cloud plugin's API group (ObjectStore).
pub const BARMAN_GROUP: &str = "barmancloud.cnpg.io";
/// The Barman Cloud plugin's name in `spec.plugins[]` and `externalClusters[].plugin`.
pub const BARMAN_PLUGIN: &str = "barman-cloud.cloudnative-pg.io";

/// True when the resource is `group/*` of that kind.
pub fn is_kind(r: &Resource, group: &str, kind: &str) -> bool {
    let gvk = r.gvk();
    gvk.group == group && gvk.kind == kind
}

fn str_of(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.is_empty())
}

/// How a Cluster is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootstrapMethod {
    Initdb,
    Recovery,
    PgBasebackup,
}

impl BootstrapMethod {
    pub fn key(self) -> &'static str {
        match self {
            BootstrapMethod::Initdb => "initdb",
            BootstrapMethod::Recovery => "recovery",
            BootstrapMethod::PgBasebackup => "pg_basebackup",
        }
    }
}

/// Where a Cluster's backups go (or a recovery reads from).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Store {
    /// In-tree `barmanObjectStore` (deprecated since CNPG 1.26).
    Native {
        destination_path: Option<String>,
        endpoint_url: Option<String>,
    },
    /// The Barman Cloud plugin: an ObjectStore in the Cluster's namespace.
    Plugin { object_store: Option<String> },
}

impl Store {
    /// A short description for messages.
    pub fn describe(&self) -> String {
        match self {
            Store::Native {
                destination_path, ..
            } => format!(
                "barmanObjectStore {}",
                destination_path
                    .as_deref()
                    .unwrap_or("(no destinationPath)")
            ),
            Store::Plugin { object_store } => format!(
                "ObjectStore {}",
                object_store.as_deref().unwrap_or("(no barmanObjectName)")
            ),
        }
    }
}

/// An effective serverName: the lineage a Cluster writes or reads.
#[derive(Clone, Debug)]
pub struct LineageRef<'a> {
    /// The effective name after CNPG's defaults.
    pub name: String,
    /// The node that set it; None when CNPG's default applies.
    pub node: Option<&'a Node>,
    /// Where the default comes from when `node` is None (the node that holds the defaulting object).
    pub anchor: &'a Node,
    /// The store it lives in.
    pub store: Store,
}

impl LineageRef<'_> {
    /// Where to point a finding about this lineage.
    pub fn span(&self) -> &Span {
        &self.node.unwrap_or(self.anchor).span
    }
    /// True when CNPG's default applies (serverName unset).
    pub fn defaulted(&self) -> bool {
        self.node.is_none()
    }
}

/// A `postgresql.cnpg.io/v1` Cluster.
#[derive(Clone, Copy, Debug)]
pub struct Cluster<'a> {
    pub resource: &'a Resource,
}

/// One `spec.externalClusters[]` entry.
#[derive(Clone, Copy, Debug)]
pub struct ExternalCluster<'a> {
    pub node: &'a Node,
}

impl<'a> ExternalCluster<'a> {
    pub fn name(&self) -> Option<&'a str> {
        str_of(self.node.get_path(&["name"]))
    }
    pub fn barman_object_store(&self) -> Option<&'a Node> {
        self.node
            .get_path(&["barmanObjectStore"])
            .filter(|n| !n.is_null())
    }
    pub fn plugin(&self) -> Option<&'a Node> {
        self.node.get_path(&["plugin"]).filter(|n| !n.is_null())
    }
    pub fn connection_parameters(&self) -> Option<&'a Node> {
        self.node
            .get_path(&["connectionParameters"])
            .filter(|n| !n.is_null())
    }
    /// True when the entry can be a recovery source (CNPG's webhook rule).
    pub fn has_backup_source(&self) -> bool {
        self.barman_object_store().is_some()
            || self.plugin().is_some()
            || self.connection_parameters().is_some()
    }
}

/// `spec.bootstrap.recovery`.
#[derive(Clone, Copy, Debug)]
pub struct Recovery<'a> {
    pub node: &'a Node,
}

impl<'a> Recovery<'a> {
    pub fn field(&self, key: &str) -> Option<&'a Node> {
        self.node.get_path(&[key]).filter(|n| !n.is_null())
    }
    pub fn source(&self) -> Option<&'a str> {
        str_of(self.field("source"))
    }
    pub fn database(&self) -> Option<&'a str> {
        str_of(self.field("database"))
    }
    pub fn owner(&self) -> Option<&'a str> {
        str_of(self.field("owner"))
    }
    pub fn secret_name(&self) -> Option<&'a str> {
        str_of(self.node.get_path(&["secret", "name"]))
    }
    pub fn target(&self) -> Option<&'a Node> {
        self.field("recoveryTarget")
    }
    /// One field of `recoveryTarget` (`targetTime`, `backupID`, ...), unless null.
    pub fn target_field(&self, key: &str) -> Option<&'a Node> {
        self.target()?.get_path(&[key]).filter(|n| !n.is_null())
    }
}

impl<'a> Cluster<'a> {
    /// A view when `r` is a CNPG Cluster.
    pub fn from(r: &'a Resource) -> Option<Cluster<'a>> {
        is_kind(r, CNPG_GROUP, "Cluster").then_some(Cluster { resource: r })
    }

    pub fn node(&self) -> &'a Node {
        &self.resource.node
    }
    pub fn name(&self) -> &'a str {
        self.resource.name()
    }
    pub fn namespace(&self) -> &'a str {
        self.resource.namespace()
    }
    pub fn spec(&self, path: &[&str]) -> Option<&'a Node> {
        let mut full = vec!["spec"];
        full.extend_from_slice(path);
        self.node().get_path(&full).filter(|n| !n.is_null())
    }

    /// The annotation value, if set.
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.node().get_path(&["metadata", "annotations", key])
    }

    /// The bootstrap methods present (CNPG allows one).
    pub fn bootstrap_methods(&self) -> Vec<(BootstrapMethod, &'a Node)> {
        [
            BootstrapMethod::Initdb,
            BootstrapMethod::Recovery,
            BootstrapMethod::PgBasebackup,
        ]
        .into_iter()
        .filter_map(|m| self.spec(&["bootstrap", m.key()]).map(|n| (m, n)))
        .collect()
    }

    /// The effective bootstrap method: CNPG defaults a missing one to initdb;
    /// with several, recovery wins, then pg_basebackup (its defaulting order).
    pub fn bootstrap(&self) -> Option<BootstrapMethod> {
        let methods = self.bootstrap_methods();
        [
            BootstrapMethod::Recovery,
            BootstrapMethod::PgBasebackup,
            BootstrapMethod::Initdb,
        ]
        .into_iter()
        .find(|m| methods.iter().any(|(x, _)| x == m))
    }

    pub fn recovery(&self) -> Option<Recovery<'a>> {
        self.spec(&["bootstrap", "recovery"])
            .map(|node| Recovery { node })
    }

    pub fn initdb(&self) -> Option<&'a Node> {
        self.spec(&["bootstrap", "initdb"])
    }

    /// `spec.backup.barmanObjectStore` (deprecated in-tree backups).
    pub fn native_store(&self) -> Option<&'a Node> {
        self.spec(&["backup", "barmanObjectStore"])
    }

    /// `spec.plugins[]` entries of the Barman Cloud plugin.
    pub fn barman_plugins(&self) -> Vec<&'a Node> {
        self.spec(&["plugins"])
            .and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter(|p| str_of(p.get_path(&["name"])) == Some(BARMAN_PLUGIN))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The enabled `spec.plugins[]` entries of CNPG-I plugins other than Barman
    /// Cloud (pgBackRest and others). cnpg-dr does not model their stores or
    /// lineages (a pgBackRest stanza is not a Barman serverName); it only knows
    /// the Cluster backs up through them.
    pub fn other_plugins(&self) -> Vec<&'a Node> {
        self.spec(&["plugins"])
            .and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter(|p| {
                        str_of(p.get_path(&["name"])).is_some_and(|n| n != BARMAN_PLUGIN)
                            && !is_false(p.get_path(&["enabled"]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The plugin entry that archives WAL (`isWALArchiver: true`, not disabled).
    pub fn wal_archiver_plugins(&self) -> Vec<&'a Node> {
        self.spec(&["plugins"])
            .and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter(|p| {
                        is_true(p.get_path(&["isWALArchiver"]))
                            && !is_false(p.get_path(&["enabled"]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The Barman lineage this Cluster writes: the native store's or the Barman
    /// plugin's serverName, defaulting to the Cluster's name. None when WAL goes
    /// nowhere Barman knows: no store, or another plugin archives it.
    pub fn write_lineage(&self) -> Option<LineageRef<'a>> {
        if let Some(store) = self.native_store() {
            return Some(LineageRef {
                name: str_of(store.get_path(&["serverName"]))
                    .unwrap_or(self.name())
                    .to_string(),
                node: store.get_path(&["serverName"]).filter(|n| !n.is_null()),
                anchor: store,
                store: native_store(store),
            });
        }
        let archiver = self.wal_archiver_plugins().into_iter().next();
        if archiver.is_some_and(|p| str_of(p.get_path(&["name"])) != Some(BARMAN_PLUGIN)) {
            return None;
        }
        let plugin = archiver.or_else(|| self.barman_plugins().into_iter().next())?;
        let server = plugin
            .get_path(&["parameters", "serverName"])
            .filter(|n| !n.is_null());
        Some(LineageRef {
            name: str_of(server).unwrap_or(self.name()).to_string(),
            node: server,
            anchor: plugin,
            store: Store::Plugin {
                object_store: str_of(plugin.get_path(&["parameters", "barmanObjectName"]))
                    .map(str::to_string),
            },
        })
    }

    pub fn external_clusters(&self) -> Vec<ExternalCluster<'a>> {
        self.spec(&["externalClusters"])
            .and_then(Node::as_seq)
            .map(|items| items.iter().map(|node| ExternalCluster { node }).collect())
            .unwrap_or_default()
    }

    pub fn external_cluster(&self, name: &str) -> Option<ExternalCluster<'a>> {
        self.external_clusters()
            .into_iter()
            .find(|e| e.name() == Some(name))
    }

    /// The lineage a recovery reads. CNPG's defaults differ by shape: in-tree
    /// recovery defaults serverName to the externalClusters entry's name; the
    /// plugin defaults it to the NEW cluster's own name (its write lineage).
    pub fn read_lineage(&self) -> Option<LineageRef<'a>> {
        let source = self.recovery()?.source()?;
        let ext = self.external_cluster(source)?;
        if let Some(plugin) = ext
            .plugin()
            .filter(|p| str_of(p.get_path(&["name"])) == Some(BARMAN_PLUGIN))
        {
            let server = plugin
                .get_path(&["parameters", "serverName"])
                .filter(|n| !n.is_null());
            return Some(LineageRef {
                name: str_of(server).unwrap_or(self.name()).to_string(),
                node: server,
                anchor: plugin,
                store: Store::Plugin {
                    object_store: str_of(plugin.get_path(&["parameters", "barmanObjectName"]))
                        .map(str::to_string),
                },
            });
        }
        let store = ext.barman_object_store()?;
        let server = store.get_path(&["serverName"]).filter(|n| !n.is_null());
        Some(LineageRef {
            name: str_of(server).unwrap_or(source).to_string(),
            node: server,
            anchor: store,
            store: native_store(store),
        })
    }
}

fn native_store(store: &Node) -> Store {
    Store::Native {
        destination_path: str_of(store.get_path(&["destinationPath"])).map(str::to_string),
        endpoint_url: str_of(store.get_path(&["endpointURL"])).map(str::to_string),
    }
}

/// True for a plain `true` scalar.
pub fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str)
        .is_some_and(|s| s == "true" || s == "True" || s == "TRUE")
}

/// True for a plain `false` scalar.
pub fn is_false(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str)
        .is_some_and(|s| s == "false" || s == "False" || s == "FALSE")
}

/// A `postgresql.cnpg.io/v1` ScheduledBackup.
#[derive(Clone, Copy, Debug)]
pub struct ScheduledBackup<'a> {
    pub resource: &'a Resource,
}

impl<'a> ScheduledBackup<'a> {
    pub fn from(r: &'a Resource) -> Option<ScheduledBackup<'a>> {
        is_kind(r, CNPG_GROUP, "ScheduledBackup").then_some(ScheduledBackup { resource: r })
    }
    pub fn field(&self, path: &[&str]) -> Option<&'a Node> {
        let mut full = vec!["spec"];
        full.extend_from_slice(path);
        self.resource.node.get_path(&full).filter(|n| !n.is_null())
    }
    pub fn cluster_name(&self) -> Option<&'a str> {
        str_of(self.field(&["cluster", "name"]))
    }
    pub fn schedule(&self) -> Option<&'a Node> {
        self.field(&["schedule"])
    }
    /// `spec.method`, defaulting to `barmanObjectStore` as CNPG does.
    pub fn method(&self) -> &'a str {
        str_of(self.field(&["method"])).unwrap_or("barmanObjectStore")
    }
}

/// A `barmancloud.cnpg.io/v1` ObjectStore.
#[derive(Clone, Copy, Debug)]
pub struct ObjectStore<'a> {
    pub resource: &'a Resource,
}

impl<'a> ObjectStore<'a> {
    pub fn from(r: &'a Resource) -> Option<ObjectStore<'a>> {
        is_kind(r, BARMAN_GROUP, "ObjectStore").then_some(ObjectStore { resource: r })
    }
    pub fn configuration(&self) -> Option<&'a Node> {
        self.resource.node.get_path(&["spec", "configuration"])
    }
    pub fn destination_path(&self) -> Option<&'a str> {
        str_of(
            self.resource
                .node
                .get_path(&["spec", "configuration", "destinationPath"]),
        )
    }
    pub fn endpoint_url(&self) -> Option<&'a str> {
        str_of(
            self.resource
                .node
                .get_path(&["spec", "configuration", "endpointURL"]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::kustomize::{render, RenderOptions};
    use std::path::Path;

    fn cluster_yaml(spec: &str) -> Vec<Resource> {
        let mut fs = MemFs::new();
        fs.insert("/r/kustomization.yaml", "resources:\n- c.yaml\n").insert(
            "/r/c.yaml",
            format!("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n{spec}"),
        );
        render(&fs, Path::new("/r"), &RenderOptions::default())
            .unwrap()
            .resources
    }

    #[test]
    fn plugin_recovery_defaults_to_the_new_clusters_own_name() {
        let rs = cluster_yaml(
            "  plugins:\n  - name: barman-cloud.cloudnative-pg.io\n    isWALArchiver: true\n    parameters:\n      barmanObjectName: store\n  bootstrap:\n    recovery:\n      source: origin\n  externalClusters:\n  - name: origin\n    plugin:\n      name: barman-cloud.cloudnative-pg.io\n      parameters:\n        barmanObjectName: store\n",
        );
        let c = Cluster::from(&rs[0]).unwrap();
        let w = c.write_lineage().unwrap();
        let r = c.read_lineage().unwrap();
        assert_eq!((w.name.as_str(), w.defaulted()), ("pg", true));
        assert_eq!((r.name.as_str(), r.defaulted()), ("pg", true));
        assert_eq!(c.bootstrap(), Some(BootstrapMethod::Recovery));
    }

    #[test]
    fn native_recovery_defaults_to_the_external_cluster_name() {
        let rs = cluster_yaml(
            "  backup:\n    barmanObjectStore:\n      destinationPath: s3://b/pg\n      serverName: pg-v2\n  bootstrap:\n    recovery:\n      source: origin\n  externalClusters:\n  - name: origin\n    barmanObjectStore:\n      destinationPath: s3://b/pg\n",
        );
        let c = Cluster::from(&rs[0]).unwrap();
        assert_eq!(c.write_lineage().unwrap().name, "pg-v2");
        let r = c.read_lineage().unwrap();
        assert_eq!(r.name, "origin");
        assert!(r.defaulted());
        assert_eq!(
            r.store,
            Store::Native {
                destination_path: Some("s3://b/pg".into()),
                endpoint_url: None
            }
        );
    }

    #[test]
    fn a_cluster_archiving_through_another_plugin_has_no_barman_lineage() {
        let rs = cluster_yaml(
            "  plugins:\n  - name: pgbackrest.cnpg.opera.com\n    isWALArchiver: true\n    parameters:\n      stanza: pg\n  - name: barman-cloud.cloudnative-pg.io\n    enabled: false\n  bootstrap:\n    recovery:\n      source: origin\n  externalClusters:\n  - name: origin\n    plugin:\n      name: pgbackrest.cnpg.opera.com\n      parameters:\n        stanza: pg\n",
        );
        let c = Cluster::from(&rs[0]).unwrap();
        assert!(c.write_lineage().is_none(), "a stanza is not a serverName");
        assert!(c.read_lineage().is_none());
        let others: Vec<_> = c
            .other_plugins()
            .iter()
            .filter_map(|p| p.get_path(&["name"]).and_then(Node::as_str))
            .collect();
        assert_eq!(others, ["pgbackrest.cnpg.opera.com"]);
    }

    #[test]
    fn a_barman_archiver_still_writes_its_lineage_next_to_other_plugins() {
        let rs = cluster_yaml(
            "  plugins:\n  - name: cnpg-i-hello-world.cloudnative-pg.io\n  - name: barman-cloud.cloudnative-pg.io\n    isWALArchiver: true\n    parameters:\n      barmanObjectName: store\n      serverName: pg-v4\n",
        );
        let c = Cluster::from(&rs[0]).unwrap();
        assert_eq!(c.write_lineage().unwrap().name, "pg-v4");
        assert_eq!(c.other_plugins().len(), 1);
    }
}
