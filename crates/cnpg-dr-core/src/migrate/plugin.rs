//! `barmanObjectStore` → ObjectStore + the Barman Cloud plugin, in steps:
//! check that every overlay shares the one store block, write the
//! ObjectStore (the block's text, comments kept), point the Cluster at the
//! plugin, convert the recovery sources, then the ScheduledBackups.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{list_in_kustomization, new_file_path, targets, BackupTarget};
use crate::change::{db_name, one_cluster, ChangeError};
use crate::cnpg::{Cluster, ObjectStore, ScheduledBackup, BARMAN_PLUGIN};
use crate::discover::Database;
use crate::edit::{
    newline_of, same_tree, ChangeSet, LocatedEdits, NewNode, NodePath, Position, Shape, YamlFile,
};
use crate::fs::FileSystem;
use crate::yaml::{to_json, Node, NodeKind, Schema};

/// The outcome of [`plan`].
#[derive(Debug)]
pub enum PluginMigration {
    /// The Cluster already uses the Barman Cloud plugin.
    AlreadyPlugin {
        cluster: String,
    },
    Plan(PluginPlan),
}

/// A migration to the plugin, ready to be shown, checked and written.
#[derive(Debug)]
pub struct PluginPlan {
    pub changes: ChangeSet,
    pub cluster: String,
    /// The ObjectStore created, and its file.
    pub object_store: String,
    pub object_store_file: PathBuf,
    /// The lineage the Cluster writes, unchanged.
    pub write: String,
    pub notes: Vec<String>,
    /// Each overlay's backup and recovery targets before, which must not change.
    before: BTreeMap<Option<String>, (Option<BackupTarget>, Option<BackupTarget>)>,
}

impl PluginPlan {
    /// What the edited database fails to show of the intended result.
    pub fn unmet(&self, edited: &Database) -> Vec<String> {
        let mut p = Vec::new();
        for v in &edited.variants {
            let overlay = v.overlay_name().map(str::to_string);
            let label = overlay.clone().unwrap_or_else(|| "root".into());
            if v.clusters()
                .any(|c| c.name() == self.cluster && c.native_store().is_some())
            {
                p.push(format!("the {label} overlay still has a barmanObjectStore"));
            }
            let now = targets(v, &self.cluster);
            if let Some(was) = self.before.get(&overlay) {
                if &now != was {
                    p.push(format!(
                        "the {label} overlay's backup target changed: was {was:?}, now {now:?}"
                    ));
                }
            }
        }
        p
    }
}

/// Every scalar under `node` was written in `file`.
fn all_from(node: &Node, file: &Path) -> bool {
    match &node.kind {
        NodeKind::Scalar(_) => &*node.span.file == file,
        NodeKind::Seq(items) => items.iter().all(|n| all_from(n, file)),
        NodeKind::Map(m) => m.entries.iter().all(|(_, v)| all_from(v, file)),
    }
}

fn json_of(node: Option<&Node>) -> Option<serde_json::Value> {
    node.and_then(|n| to_json(n, Schema::Kyaml).ok())
}

/// True when two barmanObjectStore blocks point at the same bucket with the
/// same credentials (WAL and data settings do not matter for reading).
fn same_bucket(a: &Node, b: &Node) -> bool {
    [
        "destinationPath",
        "endpointURL",
        "endpointCA",
        "s3Credentials",
        "azureCredentials",
        "googleCredentials",
    ]
    .iter()
    .all(|k| json_of(a.get_path(&[k])) == json_of(b.get_path(&[k])))
}

/// What an ObjectStore file is made of.
struct StoreSource<'a> {
    source: &'a YamlFile,
    /// The mapping that holds the `barmanObjectStore` key.
    parent: &'a NodePath,
    namespace: Option<&'a str>,
    retention: Option<&'a Node>,
}

/// Builds an ObjectStore file whose `spec.configuration` is the text of the
/// barmanObjectStore block (comments kept, moved to the new indentation)
/// without its serverName.
fn object_store_file(
    path: &Path,
    name: &str,
    from: &StoreSource<'_>,
) -> Result<YamlFile, ChangeError> {
    let key = "barmanObjectStore";
    let (source, parent) = (from.source, from.parent);
    let nl = newline_of(source.text());
    let store = source
        .node(&parent.key(key))
        .ok_or_else(|| ChangeError::AtFile {
            file: source.path().to_path_buf(),
            line: None,
            message: format!("{parent}.{key} not found"),
        })?;
    let mut metadata = vec![("name", NewNode::str(name))];
    if let Some(ns) = from.namespace {
        metadata.push(("namespace", NewNode::str(ns)));
    }
    let mut spec = Vec::new();
    if let Some(r) = from.retention {
        spec.push(("retentionPolicy", NewNode::from_node(r)));
    }
    let text = match source.block_text(parent, key) {
        Some(block) => {
            let head = NewNode::map([
                ("apiVersion", NewNode::str("barmancloud.cnpg.io/v1")),
                ("kind", NewNode::str("ObjectStore")),
                ("metadata", NewNode::map(metadata.clone())),
                ("spec", NewNode::map(spec.clone())),
            ]);
            let mut text = head.to_document(nl);
            if spec.is_empty() {
                // `spec: {}` would be a flow mapping: open a block instead.
                text = text.replace(&format!("spec: {{}}{nl}"), &format!("spec:{nl}"));
            }
            text.push_str(&format!("  configuration:{nl}"));
            for line in block.split_inclusive('\n') {
                if line.trim().is_empty() {
                    text.push_str(line.trim_start_matches([' ', '\t']));
                } else {
                    text.push_str("    ");
                    text.push_str(line);
                }
            }
            text
        }
        None => {
            spec.push(("configuration", NewNode::from_node(store)));
            NewNode::map([
                ("apiVersion", NewNode::str("barmancloud.cnpg.io/v1")),
                ("kind", NewNode::str("ObjectStore")),
                ("metadata", NewNode::map(metadata)),
                ("spec", NewNode::map(spec)),
            ])
            .to_document(nl)
        }
    };
    let mut file = YamlFile::new_file(path, text)?;
    let config = NodePath::root(0).keys(&["spec", "configuration"]);
    if file.node(&config.key("serverName")).is_some() {
        file.remove_key(&config, "serverName")?;
    }
    // The copy must hold exactly the store's settings, serverName aside.
    let mut expected = store.clone();
    if let Some(m) = expected.as_map_mut() {
        m.remove("serverName");
    }
    let copied = file.node(&config);
    let same = copied
        .is_some_and(|c| same_tree(c, &expected) || json_of(Some(c)) == json_of(Some(&expected)));
    if !same {
        return Err(ChangeError::AtFile {
            file: path.to_path_buf(),
            line: None,
            message:
                "the copied configuration differs from the barmanObjectStore block; migrate by hand"
                    .to_string(),
        });
    }
    Ok(file)
}

/// An overlay patch that sets only the store's `serverName` (the recovery
/// overlay `cnpg-dr new --backup native` writes: the next write lineage).
struct ServerNamePatch<'a> {
    /// The `serverName` node, in the overlay's patch file.
    node: &'a Node,
    value: String,
}

/// The store without its serverName, for comparing two variants' blocks.
fn without_server_name(store: &Node) -> Node {
    let mut n = store.clone();
    if let Some(m) = n.as_map_mut() {
        m.remove("serverName");
    }
    n
}

/// Every variant must use the same block from the same file, except that an
/// overlay may set its own `serverName` (the write lineage after a
/// recovery): those patches are returned, to become plugin patches. An
/// overlay that patches anything else in the store is migrated by hand.
fn one_store_everywhere<'a>(
    db: &'a Database,
    cluster: &str,
    store: &Node,
) -> Result<Vec<ServerNamePatch<'a>>, ChangeError> {
    let source_file = store.span.file.to_path_buf();
    let base = without_server_name(store);
    let mut patches: Vec<ServerNamePatch<'a>> = Vec::new();
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == cluster) {
            let by_hand = || {
                ChangeError::refused(format!(
                    "the {} overlay changes spec.backup.barmanObjectStore beyond its serverName: migrate the overlays by hand",
                    v.overlay_name().unwrap_or("root")
                ))
            };
            match c.native_store() {
                Some(s) if s.span == store.span && all_from(s, &source_file) => {}
                Some(s) => {
                    let name = s.get_path(&["serverName"]).filter(|n| n.as_str().is_some());
                    let rest = without_server_name(s);
                    let same_rest = all_from(&rest, &source_file)
                        && (same_tree(&rest, &base) || json_of(Some(&rest)) == json_of(Some(&base)));
                    match name {
                        Some(n) if same_rest && *n.span.file != *source_file => {
                            if !patches.iter().any(|p| p.node.span == n.span) {
                                patches.push(ServerNamePatch {
                                    node: n,
                                    value: n.as_str().unwrap_or_default().to_string(),
                                });
                            }
                        }
                        _ => return Err(by_hand()),
                    }
                }
                None => {
                    return Err(ChangeError::refused(format!(
                        "the {} overlay has no barmanObjectStore while the active one has: migrate by hand",
                        v.overlay_name().unwrap_or("root")
                    )))
                }
            }
        }
    }
    Ok(patches)
}

/// An overlay patch's `spec.backup.barmanObjectStore.serverName: X` becomes
/// `spec.plugins: [{the plugin entry, serverName: X}]` (a list in a CRD
/// patch replaces the base's, so the entry is written whole).
fn server_name_patch_to_plugin(
    files: &mut LocatedEdits<'_>,
    patch: &ServerNamePatch<'_>,
    object_store: &str,
) -> Result<(), ChangeError> {
    let (file, path) = files.locate(&patch.node.span, Shape::Scalar)?;
    let hand = || ChangeError::AtFile {
        file: file.clone(),
        line: Some(patch.node.span.line),
        message:
            "this patch sets more than serverName under spec.backup: migrate the overlays by hand"
                .to_string(),
    };
    let store_path = path.parent().ok_or_else(hand)?;
    let backup_path = store_path.parent().ok_or_else(hand)?;
    let spec_path = backup_path.parent().ok_or_else(hand)?;
    let f = files.edit(&file)?;
    let only = |p: &NodePath, key: &str| {
        f.node(p)
            .and_then(Node::as_map)
            .is_some_and(|m| m.iter_str().map(|(k, _)| k).eq([key]))
    };
    if !only(&store_path, "serverName") || !only(&backup_path, "barmanObjectStore") {
        return Err(hand());
    }
    if f.node(&spec_path.key("plugins")).is_some() {
        return Err(hand());
    }
    let entry = NewNode::map([
        ("name", NewNode::str(BARMAN_PLUGIN)),
        ("isWALArchiver", NewNode::Plain("true".into())),
        (
            "parameters",
            NewNode::map([
                ("barmanObjectName", NewNode::str(object_store)),
                ("serverName", NewNode::str(&patch.value)),
            ]),
        ),
    ]);
    f.insert_key(
        &spec_path,
        "plugins",
        &NewNode::Seq(vec![entry]),
        Position::After("backup".into()),
    )?;
    f.remove_key(&spec_path, "backup")?;
    Ok(())
}

/// The Cluster: a plugin entry in place of the in-tree store, and
/// `spec.backup` emptied of what moved to the ObjectStore.
fn cluster_to_plugin(
    files: &mut LocatedEdits<'_>,
    file: &Path,
    backup_path: &NodePath,
    object_store: &str,
    write: &str,
) -> Result<(), ChangeError> {
    let spec_path = backup_path.parent().ok_or("backup is not under spec")?;
    let entry = NewNode::map([
        ("name", NewNode::str(BARMAN_PLUGIN)),
        ("isWALArchiver", NewNode::Plain("true".into())),
        (
            "parameters",
            NewNode::map([
                ("barmanObjectName", NewNode::str(object_store)),
                ("serverName", NewNode::str(write)),
            ]),
        ),
    ]);
    let f = files.edit(file)?;
    let has_plugins = f
        .node(&spec_path.key("plugins"))
        .is_some_and(|n| n.as_seq().is_some_and(|s| !s.is_empty()));
    if has_plugins {
        f.append_item(&spec_path.key("plugins"), &entry)?;
    } else {
        f.insert_key(
            &spec_path,
            "plugins",
            &NewNode::Seq(vec![entry]),
            Position::After("backup".into()),
        )?;
    }
    let backup_keys: Vec<String> = f
        .node(backup_path)
        .and_then(Node::as_map)
        .map(|m| m.iter_str().map(|(k, _)| k.to_string()).collect())
        .unwrap_or_default();
    let moved = ["barmanObjectStore", "retentionPolicy"];
    if backup_keys.iter().all(|k| moved.contains(&k.as_str())) {
        f.remove_key(&spec_path, "backup")?;
    } else {
        for k in moved.iter().filter(|k| backup_keys.iter().any(|b| b == *k)) {
            f.remove_key(backup_path, k)?;
        }
    }
    Ok(())
}

/// Recovery sources: externalClusters[].barmanObjectStore -> plugin, with
/// the serverName the in-tree default gave (the entry's name). A source in
/// another bucket gets its own ObjectStore beside the overlay patch.
fn recovery_sources_to_plugin(
    files: &mut LocatedEdits<'_>,
    db: &Database,
    cluster: &str,
    store: &Node,
    object_store: &str,
    namespace: Option<&str>,
) -> Result<Vec<String>, ChangeError> {
    let mut done: BTreeSet<(PathBuf, u32, u32)> = BTreeSet::new();
    let mut notes = Vec::new();
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == cluster) {
            for ext in c.external_clusters() {
                let Some(ext_store) = ext.barman_object_store() else {
                    continue;
                };
                let span = &ext.node.span;
                if !done.insert((span.file.to_path_buf(), span.line, span.column)) {
                    continue;
                }
                let ext_name = ext.name().unwrap_or("origin").to_string();
                let server = ext_store
                    .get_path(&["serverName"])
                    .and_then(Node::as_str)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(&ext_name)
                    .to_string();
                let (ext_file, ext_path) = files.locate(span, Shape::Map)?;
                let target_store = if same_bucket(ext_store, store) {
                    object_store.to_string()
                } else {
                    let other = format!("{}-{}-objectstore", db_name(db), ext_name);
                    let ext_dir = ext_file
                        .parent()
                        .ok_or("the recovery patch has no directory")?
                        .to_path_buf();
                    let file_name = format!("objectstore-{ext_name}.yaml");
                    let path = new_file_path(files.fs(), &ext_dir, &file_name)?;
                    let src = files.edit(&ext_file)?.clone();
                    let from = StoreSource {
                        source: &src,
                        parent: &ext_path,
                        namespace,
                        retention: None,
                    };
                    let f = object_store_file(&path, &other, &from)?;
                    files.create(f);
                    list_in_kustomization(files, &ext_dir, &file_name)?;
                    notes.push(format!(
                        "the recovery source {ext_name} reads another bucket: it gets its own ObjectStore {other}"
                    ));
                    other
                };
                let plugin = NewNode::map([
                    ("name", NewNode::str(BARMAN_PLUGIN)),
                    (
                        "parameters",
                        NewNode::map([
                            ("barmanObjectName", NewNode::str(&target_store)),
                            ("serverName", NewNode::str(&server)),
                        ]),
                    ),
                ]);
                let f = files.edit(&ext_file)?;
                f.insert_key(
                    &ext_path,
                    "plugin",
                    &plugin,
                    Position::After("barmanObjectStore".into()),
                )?;
                f.remove_key(&ext_path, "barmanObjectStore")?;
            }
        }
    }
    Ok(notes)
}

/// ScheduledBackups of the Cluster: method plugin + pluginConfiguration.
fn scheduled_backups_to_plugin(
    files: &mut LocatedEdits<'_>,
    db: &Database,
    cluster: &str,
) -> Result<(), ChangeError> {
    let mut done: BTreeSet<(PathBuf, u32, u32)> = BTreeSet::new();
    for v in &db.variants {
        for sb in v.resources().iter().filter_map(ScheduledBackup::from) {
            if sb.cluster_name() != Some(cluster) || sb.method() != "barmanObjectStore" {
                continue;
            }
            let root = &sb.resource.node;
            if !done.insert((
                root.span.file.to_path_buf(),
                root.span.line,
                root.span.column,
            )) {
                continue;
            }
            let spec = sb
                .field(&[])
                .filter(|n| n.as_map().is_some_and(|m| !m.is_empty()))
                .ok_or("a ScheduledBackup has no spec")?;
            match sb.field(&["method"]) {
                Some(m) => files.set_at(&m.span, "plugin")?,
                None => files.insert_at(&spec.span, "method", &NewNode::str("plugin"))?,
            }
            if sb.field(&["pluginConfiguration"]).is_none() {
                files.insert_at(
                    &spec.span,
                    "pluginConfiguration",
                    &NewNode::map([("name", NewNode::str(BARMAN_PLUGIN))]),
                )?;
            }
        }
    }
    Ok(())
}

/// Removes the suppressions of the deprecation finding the migration just
/// fixed (`# cnpg-dr: ignore[barman-object-store-deprecated] ...`, as
/// `cnpg-dr new --backup native` writes them) that no longer sit above a
/// `barmanObjectStore:` key: left behind, each would be an unused
/// suppression. A comment that also names another rule stays.
fn drop_stale_deprecation_suppressions(text: &str) -> String {
    const IDS: [&str; 2] = ["barman-object-store-deprecated", "CDR701"];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let only_ours = t
            .strip_prefix("# cnpg-dr: ignore[")
            .and_then(|r| r.split_once(']'))
            .is_some_and(|(ids, _)| ids.split(',').all(|id| IDS.contains(&id.trim())));
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim_start())
            .find(|l| !l.starts_with('#') && !l.trim().is_empty());
        let above_store = next.is_some_and(|l| l.starts_with("barmanObjectStore:"));
        if only_ours && !above_store {
            continue;
        }
        out.push_str(line);
    }
    out
}

/// The migration of `db` to the Barman Cloud plugin, read through `fs`.
pub fn plan(fs: &dyn FileSystem, db: &Database) -> Result<PluginMigration, ChangeError> {
    let active: Cluster<'_> = one_cluster(db.active(), "active overlay")?;
    let Some(store) = active.native_store() else {
        if !active.barman_plugins().is_empty() {
            return Ok(PluginMigration::AlreadyPlugin {
                cluster: active.name().to_string(),
            });
        }
        return Err(ChangeError::refused(format!(
            "Cluster {} has no spec.backup.barmanObjectStore to migrate",
            active.name()
        )));
    };
    let cluster = active.name().to_string();
    let server_name_patches = one_store_everywhere(db, &cluster, store)?;
    let before = db
        .variants
        .iter()
        .map(|v| (v.overlay_name().map(str::to_string), targets(v, &cluster)))
        .collect();
    let name = format!("{}-objectstore", db_name(db));
    if db
        .variants
        .iter()
        .flat_map(|v| v.resources().iter().filter_map(ObjectStore::from))
        .any(|s| s.resource.name() == name)
    {
        return Err(ChangeError::refused(format!(
            "an ObjectStore named {name} already exists"
        )));
    }
    let write = active
        .write_lineage()
        .map(|l| l.name)
        .unwrap_or_else(|| cluster.clone());

    let mut files = LocatedEdits::new(fs);
    let (file, store_path) = files.locate(&store.span, Shape::Map)?;
    let backup_path = store_path
        .parent()
        .ok_or("barmanObjectStore is not under spec.backup")?;
    let dir = file
        .parent()
        .ok_or("the Cluster file has no directory")?
        .to_path_buf();
    let os_path = new_file_path(fs, &dir, "objectstore.yaml")?;
    let source = files.edit(&file)?.clone();
    let namespace = source
        .node(&NodePath::root(backup_path.doc).keys(&["metadata", "namespace"]))
        .and_then(Node::as_str)
        .map(str::to_string);
    let retention = source.node(&backup_path.key("retentionPolicy")).cloned();
    let from = StoreSource {
        source: &source,
        parent: &backup_path,
        namespace: namespace.as_deref(),
        retention: retention.as_ref(),
    };
    files.create(object_store_file(&os_path, &name, &from)?);
    list_in_kustomization(&mut files, &dir, "objectstore.yaml")?;
    cluster_to_plugin(&mut files, &file, &backup_path, &name, &write)?;
    for patch in &server_name_patches {
        server_name_patch_to_plugin(&mut files, patch, &name)?;
    }
    let notes =
        recovery_sources_to_plugin(&mut files, db, &cluster, store, &name, namespace.as_deref())?;
    scheduled_backups_to_plugin(&mut files, db, &cluster)?;

    let mut changes = ChangeSet::new();
    files.changes(&mut changes);
    let edited: Vec<(PathBuf, Option<String>, String)> = changes
        .iter()
        .map(|c| (c.path.clone(), c.before.clone(), c.after.clone()))
        .collect();
    for (path, before, after) in edited {
        let cleaned = drop_stale_deprecation_suppressions(&after);
        if cleaned != after {
            changes.set(&path, before, cleaned);
        }
    }
    Ok(PluginMigration::Plan(PluginPlan {
        changes,
        cluster,
        object_store: name,
        object_store_file: os_path,
        write,
        notes,
        before,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_suppressions_of_the_fixed_deprecation_go() {
        let text = "spec:\n  # cnpg-dr: ignore[barman-object-store-deprecated] native chosen\n  plugin:\n    name: x\n  # cnpg-dr: ignore[CDR701, CDR101] both\n  other: 1\n  # cnpg-dr: ignore[CDR701] still native\n  barmanObjectStore: {}\n";
        assert_eq!(
            drop_stale_deprecation_suppressions(text),
            "spec:\n  plugin:\n    name: x\n  # cnpg-dr: ignore[CDR701, CDR101] both\n  other: 1\n  # cnpg-dr: ignore[CDR701] still native\n  barmanObjectStore: {}\n"
        );
    }
}
