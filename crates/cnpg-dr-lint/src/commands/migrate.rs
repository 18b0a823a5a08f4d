//! `cnpg-dr migrate`: lossless conversions of a database directory to the
//! shapes current CNPG expects, printed as a diff and written (`--write`)
//! only after the edited tree renders and lints clean in memory.
//!
//! - `plugin`: the in-tree `barmanObjectStore` (deprecated since CNPG 1.26,
//!   removed in 1.31) becomes an ObjectStore and the Barman Cloud plugin, in
//!   the Cluster, the recovery source and the ScheduledBackups. Lineages
//!   (serverName) are written explicitly, because the defaults differ: the
//!   in-tree recovery source defaults to the externalClusters entry's name,
//!   the plugin's to the new Cluster's name.
//! - `pod-monitor`: `monitoring.enablePodMonitor` (deprecated) becomes a
//!   PodMonitor committed beside the Cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cnpg_dr_core::cnpg::{is_true, ObjectStore, ScheduledBackup, Store, BARMAN_PLUGIN};
use cnpg_dr_core::discover::{Database, Variant};
use cnpg_dr_core::edit::{
    newline_of, same_tree, ChangeSet, NewNode, NodePath, Position, Shape, YamlFile,
};
use cnpg_dr_core::fs::{FileSystem, RealFs};
use cnpg_dr_core::layout::kustomization_file;
use cnpg_dr_core::yaml::{to_json, Node, Schema};

use super::plan::{
    check, conclude, database, diff, fail, insert_at, lint, one_cluster, print, resolve, set_at,
    shown, Fail, Files,
};
use crate::cli::{MigrateArgs, MigrateCommand, MigrateTarget};

pub fn run(args: &MigrateArgs) -> ExitCode {
    let result = match &args.what {
        MigrateCommand::Plugin(t) => plugin(t),
        MigrateCommand::PodMonitor(t) => pod_monitor(t),
    };
    match result {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

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
    let resolve = |l: cnpg_dr_core::cnpg::LineageRef<'_>| {
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

fn db_name(db: &Database) -> String {
    db.dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".to_string())
}

/// Every scalar under `node` was written in `file`.
fn all_from(node: &Node, file: &Path) -> bool {
    match &node.kind {
        cnpg_dr_core::yaml::NodeKind::Scalar(_) => &*node.span.file == file,
        cnpg_dr_core::yaml::NodeKind::Seq(items) => items.iter().all(|n| all_from(n, file)),
        cnpg_dr_core::yaml::NodeKind::Map(m) => m.entries.iter().all(|(_, v)| all_from(v, file)),
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

/// Adds `file` (a name in the kustomization's directory) to the
/// kustomization's resources.
fn list_in_kustomization(files: &mut Files, dir: &Path, file: &str) -> Result<(), Fail> {
    let kust = kustomization_file(&RealFs, dir)
        .ok_or_else(|| format!("{}: no kustomization file to list {file} in", dir.display()))?;
    let f = files.edit(&kust)?;
    let root = NodePath::root(0);
    let has_resources = f
        .node(&root.key("resources"))
        .is_some_and(|n| n.as_seq().is_some_and(|s| !s.is_empty()));
    if has_resources {
        f.append_item(&root.key("resources"), &NewNode::str(file))
    } else {
        f.insert_key(
            &root,
            "resources",
            &NewNode::Seq(vec![NewNode::str(file)]),
            Position::End,
        )
    }
    .map_err(|e| e.to_string())
}

/// The path of a file the command creates; refused when it exists.
fn new_file_path(dir: &Path, name: &str, cwd: &Path) -> Result<PathBuf, Fail> {
    let path = dir.join(name);
    if RealFs.is_file(&path) || path.exists() {
        return Err(format!(
            "{} already exists: move it away or finish the migration by hand",
            shown(&path, cwd)
        ));
    }
    Ok(path)
}

/// Builds an ObjectStore file whose `spec.configuration` is the text of the
/// barmanObjectStore block at `store_path` of `source` (comments kept, moved
/// to the new indentation) without its serverName.
#[allow(clippy::too_many_arguments)]
fn object_store_file(
    path: &Path,
    name: &str,
    namespace: Option<&str>,
    source: &YamlFile,
    parent: &NodePath,
    key: &str,
    retention: Option<&Node>,
) -> Result<YamlFile, Fail> {
    let nl = newline_of(source.text());
    let store = source
        .node(&parent.key(key))
        .ok_or_else(|| format!("{}: {parent}.{key} not found", source.path().display()))?;
    let mut metadata = vec![("name", NewNode::str(name))];
    if let Some(ns) = namespace {
        metadata.push(("namespace", NewNode::str(ns)));
    }
    let mut spec = Vec::new();
    if let Some(r) = retention {
        spec.push(("retentionPolicy", NewNode::from_node(r)));
    }
    let head = NewNode::map([
        ("apiVersion", NewNode::str("barmancloud.cnpg.io/v1")),
        ("kind", NewNode::str("ObjectStore")),
        ("metadata", NewNode::map(metadata.clone())),
        ("spec", NewNode::map(spec.clone())),
    ]);
    let text = match source.block_text(parent, key) {
        Some(block) => {
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
    let mut file = YamlFile::new_file(path, text).map_err(|e| e.to_string())?;
    let config = NodePath::root(0).keys(&["spec", "configuration"]);
    if file.node(&config.key("serverName")).is_some() {
        file.remove_key(&config, "serverName")
            .map_err(|e| e.to_string())?;
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
        return Err(format!(
            "{}: the copied configuration differs from the barmanObjectStore block; migrate by hand",
            path.display()
        ));
    }
    Ok(file)
}

fn plugin(args: &MigrateTarget) -> Result<ExitCode, Fail> {
    let t = resolve(&args.db)?;
    let before = lint(&RealFs, &t)?;
    let db = database(&before, &t)?;
    let active = one_cluster(db.active(), "active overlay")?;
    let Some(store) = active.native_store() else {
        if !active.barman_plugins().is_empty() {
            print(&format!(
                "{}: Cluster {} already uses the Barman Cloud plugin: nothing to migrate.\n",
                shown(&db.dir, &t.cwd),
                active.name()
            ));
            return Ok(ExitCode::SUCCESS);
        }
        return Err(format!(
            "Cluster {} has no spec.backup.barmanObjectStore to migrate",
            active.name()
        ));
    };
    let cluster_name = active.name().to_string();
    let source_file = store.span.file.to_path_buf();
    // Every variant must use the same block from the same file: overlays
    // that patch the store are not migrated automatically.
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == cluster_name) {
            match c.native_store() {
                Some(s) if s.span == store.span && all_from(s, &source_file) => {}
                Some(_) => {
                    return Err(format!(
                        "the {} overlay changes spec.backup.barmanObjectStore: migrate the overlays by hand",
                        v.overlay_name().unwrap_or("root")
                    ))
                }
                None => {
                    return Err(format!(
                        "the {} overlay has no barmanObjectStore while the active one has: migrate by hand",
                        v.overlay_name().unwrap_or("root")
                    ))
                }
            }
        }
    }
    let before_targets: BTreeMap<Option<String>, (Option<BackupTarget>, Option<BackupTarget>)> = db
        .variants
        .iter()
        .map(|v| {
            (
                v.overlay_name().map(str::to_string),
                targets(v, &cluster_name),
            )
        })
        .collect();

    let name = format!("{}-objectstore", db_name(db));
    if db
        .variants
        .iter()
        .flat_map(|v| v.resources().iter().filter_map(ObjectStore::from))
        .any(|s| s.resource.name() == name)
    {
        return Err(format!("an ObjectStore named {name} already exists"));
    }
    let write = active
        .write_lineage()
        .map(|l| l.name)
        .unwrap_or_else(|| cluster_name.clone());

    let mut files = Files::default();
    let (file, store_path) = files.locate(&store.span, Shape::Map)?;
    let backup_path = store_path
        .parent()
        .ok_or("barmanObjectStore is not under spec.backup")?;
    let spec_path = backup_path.parent().ok_or("backup is not under spec")?;
    let dir = file
        .parent()
        .ok_or("the Cluster file has no directory")?
        .to_path_buf();
    let os_path = new_file_path(&dir, "objectstore.yaml", &t.cwd)?;
    let source = files.edit(&file)?.clone();
    let namespace = source
        .node(&NodePath::root(backup_path.doc).keys(&["metadata", "namespace"]))
        .and_then(Node::as_str)
        .map(str::to_string);
    let retention = source.node(&backup_path.key("retentionPolicy")).cloned();
    let os_file = object_store_file(
        &os_path,
        &name,
        namespace.as_deref(),
        &source,
        &backup_path,
        "barmanObjectStore",
        retention.as_ref(),
    )?;
    files.create(os_file);
    list_in_kustomization(&mut files, &dir, "objectstore.yaml")?;

    // The Cluster: a plugin entry in place of the in-tree store.
    let entry = NewNode::map([
        ("name", NewNode::str(BARMAN_PLUGIN)),
        ("isWALArchiver", NewNode::Plain("true".into())),
        (
            "parameters",
            NewNode::map([
                ("barmanObjectName", NewNode::str(&name)),
                ("serverName", NewNode::str(&write)),
            ]),
        ),
    ]);
    {
        let f = files.edit(&file)?;
        let has_plugins = f
            .node(&spec_path.key("plugins"))
            .is_some_and(|n| n.as_seq().is_some_and(|s| !s.is_empty()));
        if has_plugins {
            f.append_item(&spec_path.key("plugins"), &entry)
        } else {
            f.insert_key(
                &spec_path,
                "plugins",
                &NewNode::Seq(vec![entry]),
                Position::After("backup".into()),
            )
        }
        .map_err(|e| e.to_string())?;
        let backup_keys: Vec<String> = f
            .node(&backup_path)
            .and_then(Node::as_map)
            .map(|m| m.iter_str().map(|(k, _)| k.to_string()).collect())
            .unwrap_or_default();
        let moved = ["barmanObjectStore", "retentionPolicy"];
        if backup_keys.iter().all(|k| moved.contains(&k.as_str())) {
            f.remove_key(&spec_path, "backup")
        } else {
            moved
                .iter()
                .filter(|k| backup_keys.iter().any(|b| b == *k))
                .try_for_each(|k| f.remove_key(&backup_path, k))
        }
        .map_err(|e| e.to_string())?;
    }

    // Recovery sources: externalClusters[].barmanObjectStore -> plugin, with
    // the serverName the in-tree default gave (the entry's name).
    let mut done: BTreeSet<(PathBuf, u32, u32)> = BTreeSet::new();
    let mut notes = Vec::new();
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == cluster_name) {
            for ext in c.external_clusters() {
                let Some(ext_store) = ext.barman_object_store() else {
                    continue;
                };
                let key = (
                    ext.node.span.file.to_path_buf(),
                    ext.node.span.line,
                    ext.node.span.column,
                );
                if !done.insert(key) {
                    continue;
                }
                let ext_name = ext.name().unwrap_or("origin").to_string();
                let server = ext_store
                    .get_path(&["serverName"])
                    .and_then(Node::as_str)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(&ext_name)
                    .to_string();
                let (ext_file, ext_path) = files.locate(&ext.node.span, Shape::Map)?;
                let object_store = if same_bucket(ext_store, store) {
                    name.clone()
                } else {
                    // Another bucket: its own ObjectStore beside the overlay patch.
                    let other = format!("{}-{}-objectstore", db_name(db), ext_name);
                    let ext_dir = ext_file
                        .parent()
                        .ok_or("the recovery patch has no directory")?
                        .to_path_buf();
                    let file_name = format!("objectstore-{ext_name}.yaml");
                    let path = new_file_path(&ext_dir, &file_name, &t.cwd)?;
                    let src = files.edit(&ext_file)?.clone();
                    let f = object_store_file(
                        &path,
                        &other,
                        namespace.as_deref(),
                        &src,
                        &ext_path,
                        "barmanObjectStore",
                        None,
                    )?;
                    files.create(f);
                    list_in_kustomization(&mut files, &ext_dir, &file_name)?;
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
                            ("barmanObjectName", NewNode::str(&object_store)),
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
                )
                .and_then(|()| f.remove_key(&ext_path, "barmanObjectStore"))
                .map_err(|e| e.to_string())?;
            }
        }
    }

    // ScheduledBackups of the Cluster: method plugin + pluginConfiguration.
    let mut done: BTreeSet<(PathBuf, u32, u32)> = BTreeSet::new();
    for v in &db.variants {
        for sb in v.resources().iter().filter_map(ScheduledBackup::from) {
            if sb.cluster_name() != Some(cluster_name.as_str())
                || sb.method() != "barmanObjectStore"
            {
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
                Some(m) => set_at(&mut files, &m.span, "plugin")?,
                None => insert_at(&mut files, &spec.span, "method", &NewNode::str("plugin"))?,
            }
            if sb.field(&["pluginConfiguration"]).is_none() {
                insert_at(
                    &mut files,
                    &spec.span,
                    "pluginConfiguration",
                    &NewNode::map([("name", NewNode::str(BARMAN_PLUGIN))]),
                )?;
            }
        }
    }

    let mut cs = ChangeSet::new();
    files.changes(&mut cs);
    let mut out = format!(
        "Migration of {} (Cluster {}) to the Barman Cloud plugin\n  ObjectStore:   {name} ({})\n  writes:        {write} (unchanged)\n",
        shown(&db.dir, &t.cwd),
        cluster_name,
        shown(&os_path, &t.cwd),
    );
    for note in &notes {
        out.push_str(&format!("  note:          {note}\n"));
    }
    out.push_str(
        "  before merging: install the Barman Cloud plugin in the cluster (it must run before the Cluster changes)\n\n",
    );
    out.push_str(&diff(&cs, &t.cwd));
    let cn = cluster_name.clone();
    let checked = check(&t, &before, &cs, &|db: &Database| {
        let mut p = Vec::new();
        for v in &db.variants {
            let overlay = v.overlay_name().map(str::to_string);
            let label = overlay.clone().unwrap_or_else(|| "root".into());
            if v.clusters()
                .any(|c| c.name() == cn && c.native_store().is_some())
            {
                p.push(format!("the {label} overlay still has a barmanObjectStore"));
            }
            let now = targets(v, &cn);
            if let Some(was) = before_targets.get(&overlay) {
                if &now != was {
                    p.push(format!(
                        "the {label} overlay's backup target changed: was {was:?}, now {now:?}"
                    ));
                }
            }
        }
        p
    })?;
    Ok(conclude(
        &mut out,
        &cs,
        &checked,
        args.write,
        "commit, open a pull request, merge once the plugin runs in the cluster.",
    ))
}

fn pod_monitor(args: &MigrateTarget) -> Result<ExitCode, Fail> {
    let t = resolve(&args.db)?;
    let before = lint(&RealFs, &t)?;
    let db = database(&before, &t)?;
    let active = one_cluster(db.active(), "active overlay")?;
    let cluster_name = active.name().to_string();
    let Some(flag) = active.spec(&["monitoring", "enablePodMonitor"]) else {
        print(&format!(
            "{}: Cluster {cluster_name} does not set monitoring.enablePodMonitor: nothing to migrate.\n",
            shown(&db.dir, &t.cwd)
        ));
        return Ok(ExitCode::SUCCESS);
    };
    let enabled = is_true(Some(flag));
    let monitoring = active
        .spec(&["monitoring"])
        .ok_or("spec.monitoring not found")?;
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == cluster_name) {
            if let Some(other) = c.spec(&["monitoring", "enablePodMonitor"]) {
                if other.span != flag.span {
                    return Err(format!(
                        "the {} overlay sets monitoring.enablePodMonitor too: migrate the overlays by hand",
                        v.overlay_name().unwrap_or("root")
                    ));
                }
            }
        }
    }
    let mut files = Files::default();
    let (file, mon_path) = files.locate(&monitoring.span, Shape::Map)?;
    let (flag_file, _) = files.locate(&flag.span, Shape::Scalar)?;
    if flag_file != file {
        return Err("monitoring.enablePodMonitor is set in a patch: migrate by hand".to_string());
    }
    let spec_path = mon_path.parent().ok_or("monitoring is not under spec")?;
    let dir = file
        .parent()
        .ok_or("the Cluster file has no directory")?
        .to_path_buf();
    let source = files.edit(&file)?.clone();
    let mon = source
        .node(&mon_path)
        .and_then(Node::as_map)
        .ok_or("spec.monitoring is not a mapping")?
        .clone();
    let relabel = [
        ("podMonitorMetricRelabelings", "metricRelabelings"),
        ("podMonitorRelabelings", "relabelings"),
    ];
    let mut endpoint = vec![("port".to_string(), NewNode::str("metrics"))];
    for (from, to) in relabel {
        if let Some(n) = mon.get(from).filter(|n| !n.is_null()) {
            endpoint.push((to.to_string(), NewNode::from_node(n)));
        }
    }
    let mut pm_path = None;
    if enabled {
        let path = new_file_path(&dir, "podmonitor.yaml", &t.cwd)?;
        let namespace = source
            .node(&NodePath::root(mon_path.doc).keys(&["metadata", "namespace"]))
            .and_then(Node::as_str)
            .map(str::to_string);
        let mut metadata = vec![("name", NewNode::str(&cluster_name))];
        if let Some(ns) = &namespace {
            metadata.push(("namespace", NewNode::str(ns)));
        }
        let doc = NewNode::map([
            ("apiVersion", NewNode::str("monitoring.coreos.com/v1")),
            ("kind", NewNode::str("PodMonitor")),
            ("metadata", NewNode::map(metadata)),
            (
                "spec",
                NewNode::map([
                    (
                        "selector",
                        NewNode::map([(
                            "matchLabels",
                            NewNode::map([("cnpg.io/cluster", NewNode::str(&cluster_name))]),
                        )]),
                    ),
                    (
                        "podMetricsEndpoints",
                        NewNode::Seq(vec![NewNode::Map(endpoint)]),
                    ),
                ]),
            ),
        ]);
        let text = doc.to_document(newline_of(source.text()));
        files.create(YamlFile::new_file(&path, text).map_err(|e| e.to_string())?);
        list_in_kustomization(&mut files, &dir, "podmonitor.yaml")?;
        pm_path = Some(path);
    }
    {
        let f = files.edit(&file)?;
        let moved: Vec<&str> = ["enablePodMonitor"]
            .into_iter()
            .chain(relabel.iter().map(|(k, _)| *k))
            .collect();
        let keys: Vec<String> = mon.iter_str().map(|(k, _)| k.to_string()).collect();
        if keys.iter().all(|k| moved.contains(&k.as_str())) {
            f.remove_key(&spec_path, "monitoring")
        } else {
            keys.iter()
                .filter(|k| moved.contains(&k.as_str()))
                .try_for_each(|k| f.remove_key(&mon_path, k))
        }
        .map_err(|e| e.to_string())?;
    }
    let mut cs = ChangeSet::new();
    files.changes(&mut cs);
    let mut out = format!(
        "Migration of {} (Cluster {cluster_name}) off monitoring.enablePodMonitor\n",
        shown(&db.dir, &t.cwd)
    );
    match &pm_path {
        Some(p) => out.push_str(&format!(
            "  PodMonitor:    {cluster_name} ({}), selecting cnpg.io/cluster: {cluster_name}, port metrics\n",
            shown(p, &t.cwd)
        )),
        None => out.push_str(
            "  enablePodMonitor was false: the key is removed (false is the default), no PodMonitor is added\n",
        ),
    }
    out.push('\n');
    out.push_str(&diff(&cs, &t.cwd));
    let cn = cluster_name.clone();
    let checked = check(&t, &before, &cs, &|db: &Database| {
        let mut p = Vec::new();
        for v in &db.variants {
            let label = v.overlay_name().unwrap_or("root");
            if v.clusters()
                .any(|c| c.name() == cn && c.spec(&["monitoring", "enablePodMonitor"]).is_some())
            {
                p.push(format!("the {label} overlay still sets enablePodMonitor"));
            }
            let selects = v.resources().iter().any(|r| {
                r.kind() == "PodMonitor"
                    && r.node
                        .get_path(&["spec", "selector", "matchLabels", "cnpg.io/cluster"])
                        .and_then(Node::as_str)
                        == Some(cn.as_str())
            });
            if enabled && !selects {
                p.push(format!(
                    "the {label} overlay renders no PodMonitor for {cn}"
                ));
            }
        }
        p
    })?;
    Ok(conclude(
        &mut out,
        &cs,
        &checked,
        args.write,
        "commit, open a pull request and merge; the Prometheus Operator's CRDs must be installed.",
    ))
}
