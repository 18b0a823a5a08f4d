//! `--like OTHER_DB`: the conventions of an existing database directory, read
//! from its active render and turned into patterns (its name becomes `{name}`).

use crate::cnpg::{Cluster, ObjectStore, ScheduledBackup};
use crate::discover::Database;
use crate::kustomize::Resource;
use crate::lineage::Lineage;
use crate::yaml::Node;

use super::pattern::templatize;
use super::{BackupShape, Choices, SecretStoreRef};

/// Why a database's conventions cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LikeError {
    #[error("{dir} does not render: {message}")]
    Render { dir: String, message: String },
    #[error("{dir} renders no CloudNativePG Cluster")]
    NoCluster { dir: String },
    #[error(
        "{dir} renders {count} Clusters ({names}); copy the conventions of a directory with one"
    )]
    SeveralClusters {
        dir: String,
        count: usize,
        names: String,
    },
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The conventions of `db` (its active variant), as choices for a new
/// database. The directory's name is the word replaced by `{name}`; values
/// that do not depend on the name (image, endpoint, secret store, storage
/// class, schedule, instances, backup shape) are copied as they are.
pub fn conventions(db: &Database) -> Result<Choices, LikeError> {
    let dir = db.dir.display().to_string();
    let variant = db.active();
    if let Err(e) = &variant.rendered {
        return Err(LikeError::Render {
            dir,
            message: e.to_string(),
        });
    }
    let clusters: Vec<Cluster<'_>> = variant.clusters().collect();
    let cluster = match clusters.as_slice() {
        [] => return Err(LikeError::NoCluster { dir }),
        [one] => *one,
        many => {
            return Err(LikeError::SeveralClusters {
                dir,
                count: many.len(),
                names: many.iter().map(|c| c.name()).collect::<Vec<_>>().join(", "),
            })
        }
    };
    let other = db
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pattern = |s: &str| templatize(s, &other);
    let resources = variant.resources();
    let namespace = cluster.namespace();
    let in_namespace = |r: &&Resource| r.namespace() == namespace;

    let mut c = Choices {
        namespace: (!namespace.is_empty()).then(|| pattern(namespace)),
        cluster: Some(pattern(cluster.name())),
        image: text(cluster.spec(&["imageName"])),
        instances: text(cluster.spec(&["instances"])).and_then(|s| s.parse().ok()),
        storage_class: text(cluster.spec(&["storage", "storageClass"])),
        ..Choices::default()
    };
    let labels: Vec<(String, String)> = cluster
        .resource
        .labels()
        .into_iter()
        .map(|(k, v)| (k, pattern(&v)))
        .collect();
    c.labels = Some(labels);
    if let Some(write) = cluster.write_lineage() {
        if let Some(l) = Lineage::parse(&write.name) {
            c.lineage = Some(format!("{}-v{{n}}", pattern(&l.prefix)));
        }
    }
    // Where backups go: the in-tree store, or the archiving plugin's ObjectStore.
    let store_config: Option<&Node> = if let Some(native) = cluster.native_store() {
        c.backup = Some(BackupShape::Native);
        c.retention_policy = text(cluster.spec(&["backup", "retentionPolicy"]));
        Some(native)
    } else if let Some(plugin) = cluster
        .wal_archiver_plugins()
        .into_iter()
        .next()
        .or_else(|| cluster.barman_plugins().into_iter().next())
    {
        c.backup = Some(BackupShape::Plugin);
        let store_name = text(plugin.get_path(&["parameters", "barmanObjectName"]));
        let store = resources
            .iter()
            .filter(in_namespace)
            .filter_map(ObjectStore::from)
            .find(|s| Some(s.resource.name()) == store_name.as_deref());
        c.retention_policy =
            store.and_then(|s| text(s.resource.node.get_path(&["spec", "retentionPolicy"])));
        store.and_then(|s| s.configuration())
    } else {
        None
    };
    if let Some(config) = store_config {
        c.destination_path = text(config.get_path(&["destinationPath"])).map(|p| pattern(&p));
        c.endpoint_url = text(config.get_path(&["endpointURL"]));
        c.s3_credentials =
            text(config.get_path(&["s3Credentials", "accessKeyId", "name"])).map(|s| pattern(&s));
    }

    c.schedule = resources
        .iter()
        .filter(in_namespace)
        .filter_map(ScheduledBackup::from)
        .find(|sb| sb.cluster_name() == Some(cluster.name()))
        .and_then(|sb| text(sb.schedule()));

    // The ExternalSecrets that produce the application and bucket credentials.
    let app_secret = cluster
        .initdb()
        .or(cluster.recovery().map(|r| r.node))
        .and_then(|b| text(b.get_path(&["secret", "name"])));
    let external = |secret: Option<&str>| {
        resources
            .iter()
            .filter(in_namespace)
            .filter(|r| r.gvk().group == "external-secrets.io" && r.kind() == "ExternalSecret")
            .find(|r| {
                let target = text(r.node.get_path(&["spec", "target", "name"]));
                secret.is_some_and(|s| target.as_deref().unwrap_or(r.name()) == s)
            })
    };
    let remote_key = |r: &Resource| {
        r.node
            .get_path(&["spec", "data"])
            .and_then(Node::as_seq)
            .and_then(|items| items.first())
            .and_then(|d| text(d.get_path(&["remoteRef", "key"])))
            .map(|k| pattern(&k))
    };
    let app_es = external(app_secret.as_deref());
    let s3_es = external(
        store_config
            .and_then(|s| s.get_path(&["s3Credentials", "accessKeyId", "name"]))
            .and_then(Node::as_str),
    );
    c.app_credentials_key = app_es.and_then(remote_key);
    c.s3_credentials_key = s3_es.and_then(remote_key);
    c.secret_store = app_es.or(s3_es).and_then(|r| {
        let kind = text(r.node.get_path(&["spec", "secretStoreRef", "kind"]))
            .unwrap_or_else(|| "SecretStore".to_string());
        let name = text(r.node.get_path(&["spec", "secretStoreRef", "name"]))?;
        Some(SecretStoreRef { kind, name })
    });
    Ok(c)
}
