//! Strategic-merge patches the way kustomize's kyaml merge2 applies them.
//!
//! The fact that matters most for CNPG: custom resources have no schema, so
//! every list in them (`externalClusters`, `plugins`, ...) is *replaced* by the
//! patch's list, and list directives inside them are copied literally. Only
//! built-in Kubernetes kinds merge lists by key (containers by `name`, ...).

use super::error::{RenderError, RenderErrorKind, Result};
use crate::yaml::{Mapping, Node, NodeKind};

/// What a patch did to its target.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Merged,
    /// A top-level `$patch: delete`: the resource goes away.
    Deleted,
}

/// API groups whose kinds kustomize knows the schema of.
fn is_builtin_group(group: &str) -> bool {
    matches!(
        group,
        "" | "apps"
            | "batch"
            | "policy"
            | "autoscaling"
            | "rbac.authorization.k8s.io"
            | "networking.k8s.io"
            | "storage.k8s.io"
            | "scheduling.k8s.io"
            | "apiextensions.k8s.io"
            | "admissionregistration.k8s.io"
            | "coordination.k8s.io"
            | "discovery.k8s.io"
            | "node.k8s.io"
            | "certificates.k8s.io"
            | "events.k8s.io"
            | "flowcontrol.apiserver.k8s.io"
    )
}

/// The merge key of a list in a built-in kind, from the name of the field holding it.
fn merge_key(field: &str, parent: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "readinessGates" => {
            if field == "readinessGates" {
                "conditionType"
            } else {
                "name"
            }
        }
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            if parent == "spec" {
                "port"
            } else {
                "containerPort"
            }
        }
        _ => return None,
    })
}

/// Applies `patch` to `target` (both whole resources).
pub fn apply(target: &mut Node, patch: &Node, group: &str) -> Result<Outcome> {
    let builtin = is_builtin_group(group);
    match merge_node(target, patch, builtin, "", "")? {
        Some(()) => Ok(Outcome::Merged),
        None => Ok(Outcome::Deleted),
    }
}

fn directive(map: &Mapping) -> Option<&str> {
    map.get("$patch").and_then(Node::as_str)
}

fn wrong_kind(dst: &Node, patch: &Node) -> RenderError {
    RenderError::new(
        RenderErrorKind::Patch,
        format!(
            "wrong node kind: expected {} but got {}: the patch changes the shape of a field (scalar, map or list) that the target already has",
            dst.kind_name(),
            patch.kind_name()
        ),
    )
    .at(&patch.span)
}

/// Merges `patch` into `dst`. Returns None when the node must be deleted.
fn merge_node(
    dst: &mut Node,
    patch: &Node,
    builtin: bool,
    field: &str,
    parent: &str,
) -> Result<Option<()>> {
    match (&mut dst.kind, &patch.kind) {
        (NodeKind::Map(dm), NodeKind::Map(pm)) => {
            match directive(pm) {
                Some("delete") => return Ok(None),
                Some("replace") => {
                    *dst = without_directive(patch);
                    return Ok(Some(()));
                }
                _ => {}
            }
            for (k, v) in &pm.entries {
                let key = k.as_scalar().map(|s| s.text.as_str()).unwrap_or("");
                if key == "$patch" {
                    continue;
                }
                if v.is_null() {
                    if let Some(i) = dm.position(key) {
                        dm.entries.remove(i);
                    }
                    continue;
                }
                match dm.get_mut(key) {
                    Some(existing) if !existing.is_null() => {
                        if merge_node(existing, v, builtin, key, field)?.is_none() {
                            dm.remove(key);
                        }
                    }
                    _ => {
                        if let Some(fresh) = fresh_value(v, builtin, key, field)? {
                            dm.insert(k.clone(), fresh);
                        } else {
                            dm.remove(key);
                        }
                    }
                }
            }
            Ok(Some(()))
        }
        (NodeKind::Seq(ds), NodeKind::Seq(ps)) => {
            let key = if builtin {
                merge_key(field, parent)
            } else {
                None
            };
            match key {
                Some(key) => {
                    let merged = merge_keyed_list(std::mem::take(ds), ps, key, builtin, field)?;
                    *ds = merged;
                }
                None => {
                    // Lists without a merge key (every list of a custom resource) are replaced.
                    *dst = patch.clone();
                }
            }
            Ok(Some(()))
        }
        (NodeKind::Scalar(_), NodeKind::Scalar(_)) => {
            *dst = patch.clone();
            Ok(Some(()))
        }
        _ => Err(wrong_kind(dst, patch)),
    }
}

/// A patch value for a field the target does not have: merged into nothing,
/// so nulls vanish and directives act.
fn fresh_value(patch: &Node, builtin: bool, field: &str, parent: &str) -> Result<Option<Node>> {
    match &patch.kind {
        NodeKind::Map(pm) => {
            if directive(pm) == Some("delete") {
                return Ok(None);
            }
            let mut empty = Node {
                kind: NodeKind::Map(Mapping::default()),
                tag: patch.tag.clone(),
                span: patch.span.clone(),
            };
            Ok(merge_node(&mut empty, patch, builtin, field, parent)?.map(|()| empty))
        }
        NodeKind::Seq(items) if builtin && merge_key(field, parent).is_some() => {
            let key = merge_key(field, parent).unwrap_or("name");
            let merged = merge_keyed_list(Vec::new(), items, key, builtin, field)?;
            Ok(Some(Node::seq(merged, patch.span.clone())))
        }
        _ => Ok(Some(patch.clone())),
    }
}

fn without_directive(node: &Node) -> Node {
    let mut out = node.clone();
    if let Some(m) = out.as_map_mut() {
        m.remove("$patch");
    }
    out
}

fn key_of<'a>(item: &'a Node, key: &str) -> Option<&'a str> {
    item.as_map()?.get(key)?.as_str()
}

/// Merges two lists of maps by `key`: the patch's items first, in patch order,
/// then the original items the patch did not mention (kyaml's order).
fn merge_keyed_list(
    mut original: Vec<Node>,
    patch: &[Node],
    key: &str,
    builtin: bool,
    field: &str,
) -> Result<Vec<Node>> {
    if patch
        .iter()
        .any(|p| p.as_map().and_then(directive) == Some("replace"))
    {
        return Ok(patch
            .iter()
            .filter(|p| p.as_map().and_then(directive) != Some("replace"))
            .cloned()
            .collect());
    }
    if patch.iter().any(|p| p.as_map().is_none()) {
        // Lists of scalars have no merge key: replaced.
        return Ok(patch.to_vec());
    }
    let mut out = Vec::new();
    for p in patch {
        let pk = key_of(p, key).map(str::to_string);
        let pos = pk
            .as_deref()
            .and_then(|pk| original.iter().position(|o| key_of(o, key) == Some(pk)));
        let is_delete = p.as_map().and_then(directive) == Some("delete");
        match pos {
            Some(i) => {
                let mut item = original.remove(i);
                if is_delete {
                    continue;
                }
                if merge_node(&mut item, p, builtin, field, field)?.is_some() {
                    out.push(item);
                }
            }
            None => {
                if is_delete {
                    continue;
                }
                if let Some(fresh) = fresh_value(p, builtin, field, field)? {
                    out.push(fresh);
                }
            }
        }
    }
    out.extend(original);
    Ok(out)
}
