//! Lossless conversions of a database directory to the shapes current CNPG
//! expects, behind `cnpg-dr migrate`. Each returns a [`ChangeSet`] and the
//! intended result the edited tree must show (`unmet`); nothing is written.
//!
//! - [`plugin`]: the in-tree `barmanObjectStore` (deprecated since CNPG 1.26,
//!   removed in 1.31) becomes an ObjectStore and the Barman Cloud plugin, in
//!   the Cluster, the recovery source and the ScheduledBackups. Lineages
//!   (serverName) are written explicitly, because the defaults differ: the
//!   in-tree recovery source defaults to the externalClusters entry's name,
//!   the plugin's to the new Cluster's name.
//! - [`pod_monitor`]: `monitoring.enablePodMonitor` (deprecated) becomes a
//!   PodMonitor committed beside the Cluster.

pub mod plugin;
pub mod pod_monitor;

use std::path::{Path, PathBuf};

use crate::change::ChangeError;
use crate::cnpg::{ObjectStore, Store};
use crate::discover::Variant;
use crate::edit::{LocatedEdits, NewNode, NodePath, Position};
use crate::fs::FileSystem;
use crate::layout::kustomization_file;

/// Where a Cluster's backups go or a recovery reads: the lineage and the
/// bucket, resolved through the ObjectStore for the plugin shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupTarget {
    pub server_name: String,
    pub destination_path: Option<String>,
    pub endpoint_url: Option<String>,
}

/// The write and read targets of the Cluster `name` in a rendered variant.
pub fn targets(v: &Variant, name: &str) -> (Option<BackupTarget>, Option<BackupTarget>) {
    let resolve = |l: crate::cnpg::LineageRef<'_>| {
        let (destination_path, endpoint_url) = match &l.store {
            Store::Native {
                destination_path,
                endpoint_url,
            } => (destination_path.clone(), endpoint_url.clone()),
            Store::Plugin { object_store } => v
                .resources()
                .iter()
                .filter_map(ObjectStore::from)
                .find(|s| Some(s.resource.name()) == object_store.as_deref())
                .map(|s| {
                    (
                        s.destination_path().map(str::to_string),
                        s.endpoint_url().map(str::to_string),
                    )
                })
                .unwrap_or((None, None)),
        };
        BackupTarget {
            server_name: l.name,
            destination_path,
            endpoint_url,
        }
    };
    let Some(c) = v.clusters().find(|c| c.name() == name) else {
        return (None, None);
    };
    let write = c.write_lineage().map(resolve);
    let read = if c.recovery().is_some() {
        c.read_lineage().map(resolve)
    } else {
        None
    };
    (write, read)
}

/// Adds `file` (a name in the kustomization's directory) to the
/// kustomization's resources.
fn list_in_kustomization(
    files: &mut LocatedEdits<'_>,
    dir: &Path,
    file: &str,
) -> Result<(), ChangeError> {
    let kust = kustomization_file(files.fs(), dir).ok_or_else(|| ChangeError::AtFile {
        file: dir.to_path_buf(),
        line: None,
        message: format!("no kustomization file to list {file} in"),
    })?;
    let f = files.edit(&kust)?;
    let root = NodePath::root(0);
    let has_resources = f
        .node(&root.key("resources"))
        .is_some_and(|n| n.as_seq().is_some_and(|s| !s.is_empty()));
    if has_resources {
        f.append_item(&root.key("resources"), &NewNode::str(file))?;
    } else {
        f.insert_key(
            &root,
            "resources",
            &NewNode::Seq(vec![NewNode::str(file)]),
            Position::End,
        )?;
    }
    Ok(())
}

/// The path of a file the migration creates; refused when it exists.
fn new_file_path(fs: &dyn FileSystem, dir: &Path, name: &str) -> Result<PathBuf, ChangeError> {
    let path = dir.join(name);
    if fs.is_file(&path) || fs.is_dir(&path) {
        return Err(ChangeError::AtFile {
            file: path,
            line: None,
            message: "already exists: move it away or finish the migration by hand".to_string(),
        });
    }
    Ok(path)
}
