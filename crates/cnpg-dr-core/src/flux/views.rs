//! A typed, read-only view of a Flux `Kustomization`.

use crate::kustomize::Resource;
use crate::yaml::Node;

use super::FLUX_KUSTOMIZE_GROUP;

/// A `kustomize.toolkit.fluxcd.io` Kustomization (v1, v1beta2 and older
/// versions share the fields read here).
#[derive(Clone, Copy, Debug)]
pub struct FluxKustomization<'a> {
    pub resource: &'a Resource,
}

/// One `spec.postBuild.substituteFrom[]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubstituteFrom {
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    pub name: String,
    /// `optional: true`: Flux goes on when the object does not exist.
    pub optional: bool,
}

impl<'a> FluxKustomization<'a> {
    /// The view, when `r` is a Flux Kustomization.
    pub fn from(r: &'a Resource) -> Option<Self> {
        let gvk = r.gvk();
        (gvk.group == FLUX_KUSTOMIZE_GROUP && gvk.kind == "Kustomization")
            .then_some(FluxKustomization { resource: r })
    }

    fn spec(&self, path: &[&str]) -> Option<&'a Node> {
        let mut full = vec!["spec"];
        full.extend_from_slice(path);
        self.resource.node.get_path(&full)
    }

    /// `metadata.name`.
    pub fn name(&self) -> &'a str {
        self.resource.name()
    }

    /// `spec.path` (Flux's default is the source root, `./`).
    pub fn path(&self) -> Option<&'a Node> {
        self.spec(&["path"]).filter(|n| n.as_str().is_some())
    }

    /// `spec.targetNamespace`, when set and not empty.
    pub fn target_namespace(&self) -> Option<&'a Node> {
        self.spec(&["targetNamespace"])
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    }

    /// `spec.postBuild.substitute`: (variable, value node), in file order.
    pub fn substitute(&self) -> Vec<(&'a str, &'a Node)> {
        let Some(map) = self
            .spec(&["postBuild", "substitute"])
            .and_then(Node::as_map)
        else {
            return Vec::new();
        };
        map.entries
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
            .filter(|(_, v)| v.as_scalar().is_some())
            .collect()
    }

    /// `spec.postBuild.substituteFrom[]`.
    pub fn substitute_from(&self) -> Vec<SubstituteFrom> {
        let items = self
            .spec(&["postBuild", "substituteFrom"])
            .and_then(Node::as_seq)
            .map_or(&[][..], Vec::as_slice);
        items
            .iter()
            .filter_map(|n| {
                let field = |k: &str| n.get_path(&[k]).and_then(Node::as_str);
                Some(SubstituteFrom {
                    kind: field("kind")?.to_string(),
                    name: field("name")?.to_string(),
                    optional: field("optional").is_some_and(|v| v == "true"),
                })
            })
            .collect()
    }

    /// `spec.components`: component directories relative to `spec.path`.
    pub fn components(&self) -> Vec<&'a str> {
        self.spec(&["components"])
            .and_then(Node::as_seq)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(Node::as_str)
            .collect()
    }

    /// `spec.suspend: true`: Flux does not reconcile it.
    pub fn suspended(&self) -> bool {
        self.spec(&["suspend"])
            .and_then(Node::as_str)
            .is_some_and(|v| v == "true")
    }
}
