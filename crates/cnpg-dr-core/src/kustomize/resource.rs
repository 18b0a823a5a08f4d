//! Resources as the renderer carries them: the document tree plus the identity
//! history kustomize uses to find a resource again after renames.

use std::fmt;
use std::path::PathBuf;

use super::error::{RenderError, RenderErrorKind, Result};
use crate::yaml::{Node, NodeKind};

/// Group, version and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// Splits an `apiVersion` (`group/version` or `version`) and a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    /// `apiVersion` as written in a manifest.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// True for the built-in kinds kustomize treats as cluster-scoped.
    pub fn is_cluster_scoped(&self) -> bool {
        is_builtin_cluster_scoped(&self.kind)
    }
}

/// Built-in Kubernetes kinds that are not namespaced (kustomize's own list).
pub fn is_builtin_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "APIService"
            | "CSIDriver"
            | "CSINode"
            | "CertificateSigningRequest"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "ComponentStatus"
            | "CustomResourceDefinition"
            | "FlowSchema"
            | "IngressClass"
            | "MutatingWebhookConfiguration"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PodSecurityPolicy"
            | "PriorityClass"
            | "PriorityLevelConfiguration"
            | "RuntimeClass"
            | "SelfSubjectAccessReview"
            | "SelfSubjectRulesReview"
            | "StorageClass"
            | "SubjectAccessReview"
            | "TokenReview"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "ValidatingWebhookConfiguration"
            | "VolumeAttachment"
    )
}

impl fmt::Display for Gvk {
    /// kustomize's form: `Kind.version.group`, with `[noVer]`/`[noGrp]` placeholders.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let version = if self.version.is_empty() {
            "[noVer]"
        } else {
            &self.version
        };
        let group = if self.group.is_empty() {
            "[noGrp]"
        } else {
            &self.group
        };
        write!(f, "{}.{}.{}", self.kind, version, group)
    }
}

/// A resource's identity: GVK, name and namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// The namespace used for comparisons: `default` for an unset one.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// kustomize's equality of ids: same GVK and name, same effective namespace.
    pub fn matches(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        write!(f, "{}/{}.{}", self.gvk, self.name, ns)
    }
}

/// A resource during rendering.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The document; every node keeps the span of the file that set it.
    pub node: Node,
    /// Ids this resource had before renames (original first), for patch lookups.
    pub previous_ids: Vec<ResId>,
    /// Set for generated ConfigMaps/Secrets that get a content-hash suffix at the end.
    pub needs_hash: bool,
    /// Generator behavior for generated resources (merge/replace into an existing one).
    pub generated: bool,
    /// The file the resource was read from.
    pub origin: PathBuf,
}

impl Resource {
    /// Wraps a loaded document, checking it has what kustomize requires.
    pub fn new(node: Node, origin: PathBuf) -> Result<Resource> {
        let r = Resource {
            node,
            previous_ids: Vec::new(),
            needs_hash: false,
            generated: false,
            origin,
        };
        if r.kind().is_empty() {
            return Err(RenderError::new(
                RenderErrorKind::InvalidResource,
                format!("missing kind in object {}", r.go_object_summary()),
            )
            .at(&r.node.span));
        }
        if r.name().is_empty() {
            return Err(RenderError::new(
                RenderErrorKind::InvalidResource,
                format!("missing metadata.name in object {}", r.go_object_summary()),
            )
            .at(&r.node.span));
        }
        Ok(r)
    }

    fn str_at(&self, path: &[&str]) -> &str {
        self.node
            .get_path(path)
            .and_then(|n| n.as_str())
            .unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"])
    }
    pub fn kind(&self) -> &str {
        self.str_at(&["kind"])
    }
    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
    }
    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"])
    }
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The current id.
    pub fn id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// The id the resource had when it was first read.
    pub fn original_id(&self) -> ResId {
        self.previous_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.id())
    }

    /// True when `id` is the current id or any earlier one.
    pub fn matches_any_id(&self, id: &ResId) -> bool {
        self.id().matches(id) || self.previous_ids.iter().any(|p| p.matches(id))
    }

    /// Records the current id before a rename or a namespace change.
    pub fn remember_id(&mut self) {
        let id = self.id();
        if self.previous_ids.last() != Some(&id) {
            self.previous_ids.push(id);
        }
    }

    /// Where the value at a JSON pointer was set: the base file, or the overlay
    /// patch (or kustomization field) that overrode it.
    pub fn provenance(&self, pointer: &str) -> Option<&crate::yaml::Span> {
        self.node.pointer(pointer).map(|n| &n.span)
    }

    /// The labels of the resource as (key, value) strings.
    pub fn labels(&self) -> Vec<(String, String)> {
        string_pairs(self.node.get_path(&["metadata", "labels"]))
    }

    /// The annotations of the resource as (key, value) strings.
    pub fn annotations(&self) -> Vec<(String, String)> {
        string_pairs(self.node.get_path(&["metadata", "annotations"]))
    }

    /// A rough rendition of the Go struct kustomize prints in some errors.
    fn go_object_summary(&self) -> String {
        format!(
            "{{{{{} {}}} {{{{{} {}}}}}}}",
            self.api_version(),
            self.kind(),
            self.name(),
            self.namespace()
        )
    }
}

fn string_pairs(node: Option<&Node>) -> Vec<(String, String)> {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Map(m)) => m
            .entries
            .iter()
            .filter_map(|(k, v)| {
                let key = k.as_scalar()?.text.clone();
                let value = v.as_scalar().map(|s| s.text.clone()).unwrap_or_default();
                Some((key, value))
            })
            .collect(),
        _ => Vec::new(),
    }
}
