//! Field specs: which fields of which kinds a transformer touches. The built-in
//! tables describe Kubernetes' own kinds; `configurations:` files add entries
//! for custom resources (e.g. a CNPG ScheduledBackup's `spec.cluster.name`).

use super::error::{RenderError, RenderErrorKind, Result};
use super::resource::Gvk;
use crate::yaml::{Mapping, Node, NodeKind, Span};

/// One field of one (set of) kinds.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    /// Path segments; a trailing `[]` on a segment marks a sequence.
    pub path: Vec<String>,
    /// Create missing maps on the way.
    pub create: bool,
}

impl FieldSpec {
    fn new(kind: Option<&str>, group: Option<&str>, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            group: group.map(str::to_string),
            version: None,
            kind: kind.map(str::to_string),
            path: split_path(path),
            create,
        }
    }

    /// True when the spec applies to a resource of this GVK.
    pub fn applies_to(&self, gvk: &Gvk) -> bool {
        self.kind.as_deref().is_none_or(|k| k == gvk.kind)
            && self.group.as_deref().is_none_or(|g| g == gvk.group)
            && self.version.as_deref().is_none_or(|v| v == gvk.version)
    }
}

/// Splits `a/b\/c/d` into `["a", "b/c", "d"]`.
fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

/// A kind whose name other resources refer to, and where they do.
#[derive(Clone, Debug, PartialEq)]
pub struct NameReference {
    pub kind: String,
    pub group: Option<String>,
    pub referrers: Vec<FieldSpec>,
}

/// The field specs every transformer uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransformerConfig {
    pub name_reference: Vec<NameReference>,
    /// Extra label fields from `configurations:` (added to commonLabels / includeSelectors).
    pub common_labels: Vec<FieldSpec>,
    /// Extra annotation fields from `configurations:`.
    pub common_annotations: Vec<FieldSpec>,
    /// Extra image fields from `configurations:`.
    pub images: Vec<FieldSpec>,
}

/// Kinds with a pod template, and where the pod spec sits in each.
const POD_SPEC_PREFIXES: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
];

fn pod_refs(suffixes: &[&str], skip_rc: bool) -> Vec<FieldSpec> {
    let mut out = Vec::new();
    for (kind, prefix) in POD_SPEC_PREFIXES {
        if skip_rc && *kind == "ReplicationController" {
            continue;
        }
        for s in suffixes {
            out.push(FieldSpec::new(
                Some(kind),
                None,
                &format!("{prefix}/{s}"),
                false,
            ));
        }
    }
    out
}

impl TransformerConfig {
    /// kustomize's built-in name references for Kubernetes kinds, built once
    /// and shared: every kustomization of every render starts from it, and
    /// most never change it (see [`TransformerConfig::merge_shared`]).
    pub fn builtin() -> std::sync::Arc<TransformerConfig> {
        static BUILTIN: std::sync::OnceLock<std::sync::Arc<TransformerConfig>> =
            std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| std::sync::Arc::new(TransformerConfig::make_builtin()))
            .clone()
    }

    /// `merge` on a shared configuration: copies it only when `other` adds
    /// something (merging a configuration into itself, or an empty one,
    /// changes nothing, and copying the built-in one costs more than most
    /// renders).
    pub fn merge_shared(
        this: &mut std::sync::Arc<TransformerConfig>,
        other: &std::sync::Arc<TransformerConfig>,
    ) {
        if !std::sync::Arc::ptr_eq(this, other) && !other.is_empty() {
            std::sync::Arc::make_mut(this).merge(other);
        }
    }

    fn is_empty(&self) -> bool {
        self.name_reference.is_empty()
            && self.common_labels.is_empty()
            && self.common_annotations.is_empty()
            && self.images.is_empty()
    }

    fn make_builtin() -> TransformerConfig {
        let mut cm = pod_refs(
            &[
                "volumes/configMap/name",
                "containers/env/valueFrom/configMapKeyRef/name",
                "initContainers/env/valueFrom/configMapKeyRef/name",
                "containers/envFrom/configMapRef/name",
                "initContainers/envFrom/configMapRef/name",
                "volumes/projected/sources/configMap/name",
            ],
            true,
        );
        cm.push(FieldSpec::new(
            Some("Role"),
            None,
            "rules/resourceNames",
            false,
        ));
        cm.push(FieldSpec::new(
            Some("ClusterRole"),
            None,
            "rules/resourceNames",
            false,
        ));
        let mut secret = pod_refs(
            &[
                "volumes/secret/secretName",
                "containers/env/valueFrom/secretKeyRef/name",
                "initContainers/env/valueFrom/secretKeyRef/name",
                "containers/envFrom/secretRef/name",
                "initContainers/envFrom/secretRef/name",
                "imagePullSecrets/name",
                "volumes/projected/sources/secret/name",
            ],
            true,
        );
        for (kind, path) in [
            ("Ingress", "spec/tls/secretName"),
            ("ServiceAccount", "imagePullSecrets/name"),
            ("StorageClass", "parameters/secretName"),
            ("StorageClass", "parameters/adminSecretName"),
            ("StorageClass", "parameters/userSecretName"),
            ("StorageClass", "parameters/secretRef"),
            ("Role", "rules/resourceNames"),
            ("ClusterRole", "rules/resourceNames"),
            ("PersistentVolume", "spec/azureFile/secretName"),
        ] {
            secret.push(FieldSpec::new(Some(kind), None, path, false));
        }
        let service = [
            ("StatefulSet", "spec/serviceName"),
            ("Ingress", "spec/rules/http/paths/backend/serviceName"),
            ("Ingress", "spec/backend/serviceName"),
            ("Ingress", "spec/rules/http/paths/backend/service/name"),
            ("Ingress", "spec/defaultBackend/service/name"),
            ("APIService", "spec/service/name"),
            ("HTTPRoute", "spec/rules/backendRefs/name"),
        ]
        .iter()
        .map(|(k, p)| FieldSpec::new(Some(k), None, p, false))
        .collect();
        let mut service_account = pod_refs(&["serviceAccountName"], false);
        service_account.retain(|f| {
            f.kind.as_deref() != Some("PodTemplate") && f.kind.as_deref() != Some("ReplicaSet")
        });
        service_account.push(FieldSpec::new(Some("RoleBinding"), None, "subjects", false));
        service_account.push(FieldSpec::new(
            Some("ClusterRoleBinding"),
            None,
            "subjects",
            false,
        ));
        let mut pvc = pod_refs(&["volumes/persistentVolumeClaim/claimName"], false);
        pvc.retain(|f| {
            f.kind.as_deref() != Some("PodTemplate") && f.kind.as_deref() != Some("ReplicaSet")
        });
        let mut priority = pod_refs(&["priorityClassName"], false);
        priority.retain(|f| {
            f.kind.as_deref() != Some("PodTemplate") && f.kind.as_deref() != Some("ReplicaSet")
        });
        let rbac = Some("rbac.authorization.k8s.io");
        let name_reference = vec![
            NameReference {
                kind: "ConfigMap".into(),
                group: Some(String::new()),
                referrers: cm,
            },
            NameReference {
                kind: "Secret".into(),
                group: Some(String::new()),
                referrers: secret,
            },
            NameReference {
                kind: "Service".into(),
                group: Some(String::new()),
                referrers: service,
            },
            NameReference {
                kind: "Role".into(),
                group: rbac.map(str::to_string),
                referrers: vec![FieldSpec::new(
                    Some("RoleBinding"),
                    rbac,
                    "roleRef/name",
                    false,
                )],
            },
            NameReference {
                kind: "ClusterRole".into(),
                group: rbac.map(str::to_string),
                referrers: vec![
                    FieldSpec::new(Some("RoleBinding"), rbac, "roleRef/name", false),
                    FieldSpec::new(Some("ClusterRoleBinding"), rbac, "roleRef/name", false),
                ],
            },
            NameReference {
                kind: "ServiceAccount".into(),
                group: Some(String::new()),
                referrers: service_account,
            },
            NameReference {
                kind: "PersistentVolumeClaim".into(),
                group: Some(String::new()),
                referrers: pvc,
            },
            NameReference {
                kind: "PersistentVolume".into(),
                group: Some(String::new()),
                referrers: vec![FieldSpec::new(
                    Some("PersistentVolumeClaim"),
                    None,
                    "spec/volumeName",
                    false,
                )],
            },
            NameReference {
                kind: "StorageClass".into(),
                group: Some("storage.k8s.io".into()),
                referrers: vec![
                    FieldSpec::new(
                        Some("PersistentVolume"),
                        None,
                        "spec/storageClassName",
                        false,
                    ),
                    FieldSpec::new(
                        Some("PersistentVolumeClaim"),
                        None,
                        "spec/storageClassName",
                        false,
                    ),
                    FieldSpec::new(
                        Some("StatefulSet"),
                        None,
                        "spec/volumeClaimTemplates/spec/storageClassName",
                        false,
                    ),
                ],
            },
            NameReference {
                kind: "PriorityClass".into(),
                group: Some("scheduling.k8s.io".into()),
                referrers: priority,
            },
            NameReference {
                kind: "Deployment".into(),
                group: None,
                referrers: vec![FieldSpec::new(
                    Some("HorizontalPodAutoscaler"),
                    None,
                    "spec/scaleTargetRef/name",
                    false,
                )],
            },
            NameReference {
                kind: "StatefulSet".into(),
                group: None,
                referrers: vec![FieldSpec::new(
                    Some("HorizontalPodAutoscaler"),
                    None,
                    "spec/scaleTargetRef/name",
                    false,
                )],
            },
        ];
        TransformerConfig {
            name_reference,
            ..Default::default()
        }
    }

    /// Adds the entries of another config (from a base or a `configurations:` file).
    pub fn merge(&mut self, other: &TransformerConfig) {
        for nr in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|m| m.kind == nr.kind && m.group == nr.group)
            {
                Some(m) => {
                    for r in &nr.referrers {
                        if !m.referrers.contains(r) {
                            m.referrers.push(r.clone());
                        }
                    }
                }
                None => self.name_reference.push(nr.clone()),
            }
        }
        for (mine, theirs) in [
            (&mut self.common_labels, &other.common_labels),
            (&mut self.common_annotations, &other.common_annotations),
            (&mut self.images, &other.images),
        ] {
            for f in theirs {
                if !mine.contains(f) {
                    mine.push(f.clone());
                }
            }
        }
    }

    /// Parses a `configurations:` file (kustomize's transformer config format).
    pub fn parse(doc: &Node) -> Result<TransformerConfig> {
        let mut cfg = TransformerConfig::default();
        let Some(map) = doc.as_map() else {
            return Ok(cfg);
        };
        for (key, value) in map.iter_str() {
            match key {
                "nameReference" => {
                    for item in value.as_seq().map(Vec::as_slice).unwrap_or(&[]) {
                        let m = item.as_map().ok_or_else(|| {
                            bad_config(item, "a nameReference entry must be a map")
                        })?;
                        let kind = m
                            .get("kind")
                            .and_then(Node::as_str)
                            .unwrap_or("")
                            .to_string();
                        let group = m.get("group").and_then(Node::as_str).map(str::to_string);
                        let referrers = field_specs(m.get("fieldSpecs"))?;
                        cfg.name_reference.push(NameReference {
                            kind,
                            group,
                            referrers,
                        });
                    }
                }
                "commonLabels" => cfg.common_labels = field_specs(Some(value))?,
                "commonAnnotations" => cfg.common_annotations = field_specs(Some(value))?,
                "images" => cfg.images = field_specs(Some(value))?,
                "namePrefix" | "nameSuffix" | "namespace" | "varReference" | "replicas"
                | "templateLabels" => {}
                other => {
                    return Err(bad_config(
                        value,
                        &format!("unknown transformer configuration field {other:?}"),
                    ))
                }
            }
        }
        Ok(cfg)
    }
}

fn bad_config(node: &Node, msg: &str) -> RenderError {
    RenderError::new(RenderErrorKind::InvalidKustomization, msg.to_string()).at(&node.span)
}

fn field_specs(node: Option<&Node>) -> Result<Vec<FieldSpec>> {
    let mut out = Vec::new();
    for item in node
        .and_then(Node::as_seq)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let m = item
            .as_map()
            .ok_or_else(|| bad_config(item, "a field spec must be a map"))?;
        let s = |k: &str| m.get(k).and_then(Node::as_str).map(str::to_string);
        out.push(FieldSpec {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            path: split_path(&s("path").unwrap_or_default()),
            create: m.get("create").and_then(Node::as_str) == Some("true"),
        });
    }
    Ok(out)
}

/// Calls `f` on every node the path reaches, descending into sequences
/// transparently, and creating maps on the way when `create` is set.
pub fn visit_path(
    node: &mut Node,
    path: &[String],
    create: bool,
    span: &Span,
    f: &mut dyn FnMut(&mut Node),
) {
    let Some((first, rest)) = path.split_first() else {
        f(node);
        return;
    };
    match &mut node.kind {
        NodeKind::Seq(items) => {
            for item in items {
                visit_path(item, path, create, span, f);
            }
        }
        NodeKind::Map(m) => {
            let key = first.strip_suffix("[]").unwrap_or(first);
            if m.get(key).is_none() || m.get(key).is_some_and(Node::is_null) {
                if !create || first.ends_with("[]") {
                    return;
                }
                m.insert(
                    Node::plain(key, span.clone()),
                    Node {
                        kind: NodeKind::Map(Mapping::default()),
                        tag: None,
                        span: span.clone(),
                    },
                );
            }
            if let Some(child) = m.get_mut(key) {
                visit_path(child, rest, create, span, f);
            }
        }
        NodeKind::Scalar(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_slashes_stay_in_segment() {
        assert_eq!(
            split_path("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"),
            vec![
                "metadata",
                "annotations",
                "nginx.ingress.kubernetes.io/auth-secret"
            ]
        );
    }
}
