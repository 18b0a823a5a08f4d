//! The built-in transformers: namespace, name prefix/suffix, labels,
//! annotations, images, replicas, and the final fix-up of name references.

use super::error::{RenderError, RenderErrorKind, Result};
use super::fieldspec::{visit_path, FieldSpec, TransformerConfig};
use super::kustomization::{ImageEntry, ReplicaEntry};
use super::resource::{Gvk, Resource};
use crate::yaml::{Mapping, Node, NodeKind, Span};

/// Sets `path` (map keys) to a string value, creating maps on the way.
pub fn set_string(node: &mut Node, path: &[&str], value: &str, span: &Span) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = node;
    for key in parents {
        let Some(map) = cur.as_map_mut() else {
            return;
        };
        if map.get(key).is_none_or(|n| n.as_map().is_none()) {
            map.insert(Node::plain(*key, span.clone()), Node::map(span.clone()));
        }
        match map.get_mut(key) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(map) = cur.as_map_mut() {
        map.insert(
            Node::plain(*last, span.clone()),
            Node::string(value, span.clone()),
        );
    }
}

/// `namespace:` — sets the namespace of every namespaced object.
pub fn namespace(resources: &mut [Resource], ns: &str, span: &Span) {
    // ServiceAccounts in the build, by their namespace before the change.
    let service_accounts: Vec<(String, String)> = resources
        .iter()
        .filter(|r| r.kind() == "ServiceAccount")
        .map(|r| (r.name().to_string(), r.namespace().to_string()))
        .collect();
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        if gvk.kind == "Namespace" && gvk.group.is_empty() {
            r.remember_id();
            set_string(&mut r.node, &["metadata", "name"], ns, span);
            continue;
        }
        if matches!(gvk.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            fix_subjects(r, ns, &service_accounts, span);
        }
        if gvk.is_cluster_scoped() {
            continue;
        }
        r.remember_id();
        set_string(&mut r.node, &["metadata", "namespace"], ns, span);
    }
}

/// An unset namespace means `default`.
fn effective(ns: &str) -> &str {
    if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

fn fix_subjects(r: &mut Resource, ns: &str, service_accounts: &[(String, String)], span: &Span) {
    let Some(subjects) = r
        .node
        .get_path_mut(&["subjects"])
        .and_then(Node::as_seq_mut)
    else {
        return;
    };
    for s in subjects.iter_mut() {
        let name = s
            .get_path(&["name"])
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let kind = s
            .get_path(&["kind"])
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let sub_ns = s
            .get_path(&["namespace"])
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let follows_sa = kind == "ServiceAccount"
            && service_accounts
                .iter()
                .any(|(n, sa_ns)| *n == name && effective(sa_ns) == effective(&sub_ns));
        if name == "default" || follows_sa {
            set_string(s, &["namespace"], ns, span);
        }
    }
}

/// `namePrefix:` / `nameSuffix:` — renames everything but Namespaces and CRDs.
pub fn prefix_suffix(resources: &mut [Resource], prefix: &str, suffix: &str, span: &Span) {
    for r in resources.iter_mut() {
        let kind = r.kind();
        if kind == "Namespace" || kind == "CustomResourceDefinition" {
            continue;
        }
        let name = format!("{prefix}{}{suffix}", r.name());
        r.remember_id();
        set_string(&mut r.node, &["metadata", "name"], &name, span);
    }
}

fn spec(kind: &str, group: Option<&str>, path: &str, create: bool) -> FieldSpec {
    FieldSpec {
        group: group.map(str::to_string),
        version: None,
        kind: Some(kind.to_string()),
        path: path.split('/').map(str::to_string).collect(),
        create,
    }
}

/// Pod-template label fields (`includeTemplates`, and part of commonLabels).
fn template_label_specs() -> Vec<FieldSpec> {
    let mut v = Vec::new();
    for kind in [
        "ReplicationController",
        "Deployment",
        "ReplicaSet",
        "DaemonSet",
    ] {
        v.push(spec(kind, None, "spec/template/metadata/labels", true));
    }
    v.push(spec(
        "StatefulSet",
        Some("apps"),
        "spec/template/metadata/labels",
        true,
    ));
    v.push(spec(
        "Job",
        Some("batch"),
        "spec/template/metadata/labels",
        true,
    ));
    v.push(spec(
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/metadata/labels",
        true,
    ));
    v.push(spec(
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ));
    v
}

/// Selector fields (commonLabels / `includeSelectors`).
fn selector_label_specs() -> Vec<FieldSpec> {
    let mut v = vec![
        spec("Service", None, "spec/selector", true),
        spec("ReplicationController", None, "spec/selector", true),
        spec("Deployment", None, "spec/selector/matchLabels", true),
        spec("ReplicaSet", None, "spec/selector/matchLabels", true),
        spec("DaemonSet", None, "spec/selector/matchLabels", true),
        spec(
            "StatefulSet",
            Some("apps"),
            "spec/selector/matchLabels",
            true,
        ),
        spec(
            "StatefulSet",
            Some("apps"),
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        ),
        spec("Job", Some("batch"), "spec/selector/matchLabels", false),
        spec(
            "CronJob",
            Some("batch"),
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        spec(
            "PodDisruptionBudget",
            Some("policy"),
            "spec/selector/matchLabels",
            false,
        ),
        spec(
            "NetworkPolicy",
            Some("networking.k8s.io"),
            "spec/podSelector/matchLabels",
            false,
        ),
        spec(
            "NetworkPolicy",
            Some("networking.k8s.io"),
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        spec(
            "NetworkPolicy",
            Some("networking.k8s.io"),
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ];
    for kind in ["Deployment", "StatefulSet"] {
        for path in [
            "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
            "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
            "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
            "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
            "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
        ] {
            v.push(spec(kind, Some("apps"), path, false));
        }
    }
    v
}

fn metadata_spec(field: &str) -> FieldSpec {
    FieldSpec {
        group: None,
        version: None,
        kind: None,
        path: vec!["metadata".into(), field.into()],
        create: true,
    }
}

/// Which fields a label entry writes.
pub struct LabelScope {
    pub selectors: bool,
    pub templates: bool,
}

/// Adds labels to the fields chosen by `scope` (commonLabels = selectors + templates).
pub fn labels(
    resources: &mut [Resource],
    pairs: &[(String, String, Span)],
    scope: LabelScope,
    config: &TransformerConfig,
) {
    let mut specs = vec![metadata_spec("labels")];
    if scope.templates || scope.selectors {
        specs.extend(template_label_specs());
    }
    if scope.selectors {
        specs.extend(selector_label_specs());
        specs.extend(config.common_labels.iter().cloned());
    }
    apply_pairs(resources, pairs, &specs);
}

/// `commonAnnotations:` — metadata and pod templates of built-in workloads.
pub fn annotations(
    resources: &mut [Resource],
    pairs: &[(String, String, Span)],
    config: &TransformerConfig,
) {
    let mut specs = vec![metadata_spec("annotations")];
    for kind in [
        "ReplicationController",
        "Deployment",
        "ReplicaSet",
        "DaemonSet",
    ] {
        specs.push(spec(kind, None, "spec/template/metadata/annotations", true));
    }
    specs.push(spec(
        "StatefulSet",
        Some("apps"),
        "spec/template/metadata/annotations",
        true,
    ));
    specs.push(spec(
        "Job",
        Some("batch"),
        "spec/template/metadata/annotations",
        true,
    ));
    specs.push(spec(
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/metadata/annotations",
        true,
    ));
    specs.push(spec(
        "CronJob",
        Some("batch"),
        "spec/jobTemplate/spec/template/metadata/annotations",
        true,
    ));
    specs.extend(config.common_annotations.iter().cloned());
    apply_pairs(resources, pairs, &specs);
}

fn apply_pairs(resources: &mut [Resource], pairs: &[(String, String, Span)], specs: &[FieldSpec]) {
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        for fs in specs.iter().filter(|fs| fs.applies_to(&gvk)) {
            let span = pairs
                .first()
                .map(|p| p.2.clone())
                .unwrap_or_else(|| r.node.span.clone());
            visit_path(&mut r.node, &fs.path, fs.create, &span, &mut |target| {
                if target.is_null() {
                    *target = Node::map(span.clone());
                }
                if let NodeKind::Map(m) = &mut target.kind {
                    for (k, v, s) in pairs {
                        m.insert(
                            Node::plain(k.clone(), s.clone()),
                            Node::string(v.clone(), s.clone()),
                        );
                    }
                }
            });
        }
    }
}

/// Splits an image reference into (name, tag-or-digest including its `:`/`@`).
fn split_image(image: &str) -> (&str, &str) {
    if let Some(at) = image.find('@') {
        return (&image[..at], &image[at..]);
    }
    let slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
    match image[slash..].rfind(':') {
        Some(colon) => (&image[..slash + colon], &image[slash + colon..]),
        None => (image, ""),
    }
}

fn update_image(value: &str, entry: &ImageEntry) -> Option<String> {
    let (name, tag) = split_image(value);
    if name != entry.name {
        return None;
    }
    let name = entry.new_name.as_deref().unwrap_or(name);
    let mut tag = tag.to_string();
    if let Some(t) = &entry.new_tag {
        tag = format!(":{t}");
    }
    if let Some(d) = &entry.digest {
        tag = format!("@{d}");
    }
    Some(format!("{name}{tag}"))
}

fn rewrite_images(node: &mut Node, entries: &[ImageEntry]) {
    match &mut node.kind {
        NodeKind::Map(m) => {
            for (k, v) in m.entries.iter_mut() {
                let key = k.as_scalar().map(|s| s.text.as_str()).unwrap_or("");
                if key == "containers" || key == "initContainers" {
                    if let Some(items) = v.as_seq_mut() {
                        for c in items.iter_mut() {
                            rewrite_container(c, entries);
                        }
                    }
                }
                rewrite_images(v, entries);
            }
        }
        NodeKind::Seq(items) => {
            for i in items {
                rewrite_images(i, entries);
            }
        }
        NodeKind::Scalar(_) => {}
    }
}

fn rewrite_container(container: &mut Node, entries: &[ImageEntry]) {
    let Some(image) = container.get_path_mut(&["image"]) else {
        return;
    };
    let Some(current) = image.as_str().map(str::to_string) else {
        return;
    };
    for e in entries {
        if let Some(new) = update_image(&current, e) {
            *image = Node::string(new, e.span.clone());
            return;
        }
    }
}

/// `images:` — rewrites `image` in every `containers`/`initContainers` list.
pub fn images(resources: &mut [Resource], entries: &[ImageEntry]) {
    for r in resources.iter_mut() {
        rewrite_images(&mut r.node, entries);
    }
}

const REPLICA_KINDS: [&str; 4] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// `replicas:` — sets `spec.replicas` of workloads; anything else is kustomize's error.
pub fn replicas(resources: &mut [Resource], entries: &[ReplicaEntry]) -> Result<()> {
    for e in entries {
        let mut found = false;
        for r in resources.iter_mut() {
            let named = r.name() == e.name || r.previous_ids.iter().any(|p| p.name == e.name);
            if named && REPLICA_KINDS.contains(&r.kind()) {
                found = true;
                let span = e.span.clone();
                let spec = match r.node.get_path_mut(&["spec"]) {
                    Some(s) if s.as_map().is_some() => s,
                    _ => {
                        set_string(&mut r.node, &["spec", "replicas"], "0", &span);
                        match r.node.get_path_mut(&["spec"]) {
                            Some(s) => s,
                            None => continue,
                        }
                    }
                };
                if let Some(m) = spec.as_map_mut() {
                    m.insert(
                        Node::plain("replicas", span.clone()),
                        Node::plain(e.count.to_string(), span),
                    );
                }
            }
        }
        if !found {
            return Err(RenderError::new(
                RenderErrorKind::Transformer,
                format!(
                    "resource with name {} does not match a config with the following GVK [Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] ReplicationController.[noVer].[noGrp]]",
                    e.name
                ),
            )
            .at(&e.span)
            .help("replicas: only scales Deployments, StatefulSets, ReplicaSets and ReplicationControllers; a CNPG Cluster's size is spec.instances, set it with a patch"));
        }
    }
    Ok(())
}

/// Rewrites references to renamed resources (after prefixes, suffixes and hashes).
pub fn fix_name_references(resources: &mut [Resource], config: &TransformerConfig) {
    // (kind, group, namespace, every earlier name, current name)
    let targets: Vec<(Gvk, String, Vec<String>, String)> = resources
        .iter()
        .filter(|r| !r.previous_ids.is_empty())
        .map(|r| {
            let mut names: Vec<String> = r.previous_ids.iter().map(|p| p.name.clone()).collect();
            names.dedup();
            (
                r.gvk(),
                r.namespace().to_string(),
                names,
                r.name().to_string(),
            )
        })
        .filter(|(_, _, names, current)| names.iter().any(|n| n != current))
        .collect();
    if targets.is_empty() {
        return;
    }
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        let referrer_ns = r.namespace().to_string();
        for nr in &config.name_reference {
            let candidates: Vec<&(Gvk, String, Vec<String>, String)> = targets
                .iter()
                .filter(|(tg, _, _, _)| {
                    tg.kind == nr.kind && nr.group.as_deref().is_none_or(|g| g == tg.group)
                })
                .collect();
            if candidates.is_empty() {
                continue;
            }
            for fs in nr.referrers.iter().filter(|fs| fs.applies_to(&gvk)) {
                let span = r.node.span.clone();
                visit_path(&mut r.node, &fs.path, false, &span, &mut |field| {
                    rename_reference(field, &candidates, &referrer_ns);
                });
            }
        }
    }
}

fn pick<'a>(
    candidates: &'a [&(Gvk, String, Vec<String>, String)],
    old: &str,
    ns: &str,
) -> Option<&'a str> {
    let named: Vec<&&(Gvk, String, Vec<String>, String)> = candidates
        .iter()
        .filter(|(_, _, names, _)| names.iter().any(|n| n == old))
        .collect();
    named
        .iter()
        .find(|(g, tns, _, _)| g.is_cluster_scoped() || tns == ns)
        .or_else(|| named.first().filter(|_| named.len() == 1))
        .map(|(_, _, _, cur)| cur.as_str())
}

fn rename_reference(
    field: &mut Node,
    candidates: &[&(Gvk, String, Vec<String>, String)],
    ns: &str,
) {
    match &mut field.kind {
        NodeKind::Scalar(_) => {
            if let Some(old) = field.as_str().map(str::to_string) {
                if let Some(new) = pick(candidates, &old, ns) {
                    if new != old {
                        let span = field.span.clone();
                        *field = Node::string(new, span);
                    }
                }
            }
        }
        NodeKind::Seq(items) => {
            for item in items.iter_mut() {
                rename_reference(item, candidates, ns);
            }
        }
        NodeKind::Map(m) => rename_in_map(m, candidates, ns),
    }
}

/// RBAC subjects and webhook services: maps with `name` (and `namespace`).
fn rename_in_map(m: &mut Mapping, candidates: &[&(Gvk, String, Vec<String>, String)], ns: &str) {
    let sub_ns = m
        .get("namespace")
        .and_then(Node::as_str)
        .unwrap_or(ns)
        .to_string();
    if let Some(kind) = m.get("kind").and_then(Node::as_str) {
        if !candidates.iter().any(|(g, _, _, _)| g.kind == kind) {
            return;
        }
    }
    if let Some(name) = m.get_mut("name") {
        rename_reference(name, candidates, &sub_ns);
    }
}
