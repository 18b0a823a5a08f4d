//! `monitoring.enablePodMonitor` (deprecated) → a PodMonitor committed
//! beside the Cluster (`cnpg.io/cluster: <name>`, port `metrics`), with the
//! relabelings the Cluster carried.

use std::path::PathBuf;

use super::{list_in_kustomization, new_file_path};
use crate::change::{one_cluster, ChangeError};
use crate::cnpg::is_true;
use crate::discover::Database;
use crate::edit::{newline_of, ChangeSet, LocatedEdits, NewNode, NodePath, Shape, YamlFile};
use crate::fs::FileSystem;
use crate::yaml::Node;

/// A migration off `enablePodMonitor`, ready to be shown, checked and written.
#[derive(Debug)]
pub struct PodMonitorPlan {
    pub changes: ChangeSet,
    pub cluster: String,
    /// The PodMonitor file created; None when the flag was false (the key is
    /// only removed, false being the default).
    pub pod_monitor_file: Option<PathBuf>,
}

impl PodMonitorPlan {
    /// What the edited database fails to show of the intended result.
    pub fn unmet(&self, edited: &Database) -> Vec<String> {
        let cn = self.cluster.as_str();
        let mut p = Vec::new();
        for v in &edited.variants {
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
                        == Some(cn)
            });
            if self.pod_monitor_file.is_some() && !selects {
                p.push(format!(
                    "the {label} overlay renders no PodMonitor for {cn}"
                ));
            }
        }
        p
    }
}

const RELABEL: [(&str, &str); 2] = [
    ("podMonitorMetricRelabelings", "metricRelabelings"),
    ("podMonitorRelabelings", "relabelings"),
];

fn pod_monitor_document(
    cluster: &str,
    namespace: Option<&str>,
    endpoint: Vec<(String, NewNode)>,
) -> NewNode {
    let mut metadata = vec![("name", NewNode::str(cluster))];
    if let Some(ns) = namespace {
        metadata.push(("namespace", NewNode::str(ns)));
    }
    NewNode::map([
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
                        NewNode::map([("cnpg.io/cluster", NewNode::str(cluster))]),
                    )]),
                ),
                (
                    "podMetricsEndpoints",
                    NewNode::Seq(vec![NewNode::Map(endpoint)]),
                ),
            ]),
        ),
    ])
}

/// The migration of `db` off `enablePodMonitor`; None when the Cluster does
/// not set it.
pub fn plan(fs: &dyn FileSystem, db: &Database) -> Result<Option<PodMonitorPlan>, ChangeError> {
    let active = one_cluster(db.active(), "active overlay")?;
    let cluster = active.name().to_string();
    let Some(flag) = active.spec(&["monitoring", "enablePodMonitor"]) else {
        return Ok(None);
    };
    let enabled = is_true(Some(flag));
    let monitoring = active
        .spec(&["monitoring"])
        .ok_or("spec.monitoring not found")?;
    for v in &db.variants {
        for c in v.clusters().filter(|c| c.name() == cluster) {
            if let Some(other) = c.spec(&["monitoring", "enablePodMonitor"]) {
                if other.span != flag.span {
                    return Err(ChangeError::refused(format!(
                        "the {} overlay sets monitoring.enablePodMonitor too: migrate the overlays by hand",
                        v.overlay_name().unwrap_or("root")
                    )));
                }
            }
        }
    }
    let mut files = LocatedEdits::new(fs);
    let (file, mon_path) = files.locate(&monitoring.span, Shape::Map)?;
    let (flag_file, _) = files.locate(&flag.span, Shape::Scalar)?;
    if flag_file != file {
        return Err("monitoring.enablePodMonitor is set in a patch: migrate by hand".into());
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
    let mut pod_monitor_file = None;
    if enabled {
        let path = new_file_path(fs, &dir, "podmonitor.yaml")?;
        let namespace = source
            .node(&NodePath::root(mon_path.doc).keys(&["metadata", "namespace"]))
            .and_then(Node::as_str);
        let mut endpoint = vec![("port".to_string(), NewNode::str("metrics"))];
        for (from, to) in RELABEL {
            if let Some(n) = mon.get(from).filter(|n| !n.is_null()) {
                endpoint.push((to.to_string(), NewNode::from_node(n)));
            }
        }
        let doc = pod_monitor_document(&cluster, namespace, endpoint);
        let text = doc.to_document(newline_of(source.text()));
        files.create(YamlFile::new_file(&path, text)?);
        list_in_kustomization(&mut files, &dir, "podmonitor.yaml")?;
        pod_monitor_file = Some(path);
    }
    {
        let f = files.edit(&file)?;
        let moved: Vec<&str> = ["enablePodMonitor"]
            .into_iter()
            .chain(RELABEL.iter().map(|(k, _)| *k))
            .collect();
        let keys: Vec<String> = mon.iter_str().map(|(k, _)| k.to_string()).collect();
        if keys.iter().all(|k| moved.contains(&k.as_str())) {
            f.remove_key(&spec_path, "monitoring")?;
        } else {
            for k in keys.iter().filter(|k| moved.contains(&k.as_str())) {
                f.remove_key(&mon_path, k)?;
            }
        }
    }
    let mut changes = ChangeSet::new();
    files.changes(&mut changes);
    Ok(Some(PodMonitorPlan {
        changes,
        cluster,
        pod_monitor_file,
    }))
}
