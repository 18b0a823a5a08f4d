//! configMapGenerator and secretGenerator, with kustomize's content hash
//! (api/internal/generators, api/kv, api/hasher of kustomize v5.5.0).
//!
//! Every data value carries the span of what set it: the literal, the env-file
//! line, or the file it was read from.

mod gojson;
mod hash;
mod sources;
#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests build real directories
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use super::error::{RenderError, RenderErrorKind, Result};
use super::kustomization::{GeneratorEntry, GeneratorOptions};
use super::LoadRestrictor;
use crate::fs::FileSystem;
use crate::yaml::{Node, NodeKind, Span};

pub(crate) use gojson::{
    format_g, marshal as go_json, quote as go_quote, string as go_json_string, Numbers,
};

/// A JSON number as `encoding/json` writes a value go-yaml decoded.
pub(crate) fn go_json_number_exact(n: &serde_json::Number) -> String {
    gojson::number(n, Numbers::Exact)
}

/// Which generator produced an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorKind {
    ConfigMap,
    Secret,
}

fn gen_error(message: impl Into<String>, span: &Span) -> RenderError {
    RenderError::new(RenderErrorKind::Generator, message).at(span)
}

/// Builds the object one generator entry describes. `dir` is the kustomization
/// directory (files are read relative to it and, under `restrictor`'s
/// default, must stay inside it).
pub fn generate(
    kind: GeneratorKind,
    entry: &GeneratorEntry,
    defaults: Option<&GeneratorOptions>,
    dir: &Path,
    fs: &dyn FileSystem,
    restrictor: LoadRestrictor,
) -> Result<Node> {
    let span = &entry.span;
    if entry.name.is_empty() {
        // kustomize says "configmap" for Secrets too.
        return Err(gen_error("a configmap must have a name", span));
    }
    let mut root = Node::map(span.clone());
    set(&mut root, "apiVersion", Node::string("v1", span.clone()));
    let kind_name = match kind {
        GeneratorKind::ConfigMap => "ConfigMap",
        GeneratorKind::Secret => "Secret",
    };
    set(&mut root, "kind", Node::string(kind_name, span.clone()));
    let mut metadata = Node::map(span.clone());
    set(
        &mut metadata,
        "name",
        Node::string(&entry.name, span.clone()),
    );
    if let Some(ns) = entry.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        set(&mut metadata, "namespace", Node::string(ns, span.clone()));
    }
    set(&mut root, "metadata", metadata);
    if kind == GeneratorKind::Secret {
        let t = entry
            .secret_type
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or("Opaque");
        set(&mut root, "type", Node::string(t, span.clone()));
    }

    let pairs = sources::load(entry, dir, fs, restrictor)?;
    let mut by_key: BTreeMap<&str, &sources::Pair> = BTreeMap::new();
    for p in &pairs {
        if by_key.insert(p.key.as_str(), p).is_some() {
            return Err(gen_error(
                format!(
                    "configmap {} illegally repeats the key `{}`",
                    entry.name, p.key
                ),
                &p.key_span,
            ));
        }
    }
    let mut data = Node::map(span.clone());
    let mut binary = Node::map(span.clone());
    for (key, p) in by_key {
        let key_node = Node::string(key, p.key_span.clone());
        match (kind, std::str::from_utf8(&p.value)) {
            (GeneratorKind::ConfigMap, Ok(text)) => push(
                &mut data,
                key_node,
                Node::string(text, p.value_span.clone()),
            ),
            (GeneratorKind::ConfigMap, Err(_)) => push(
                &mut binary,
                key_node,
                Node::string(sources::base64_wrapped(&p.value), p.value_span.clone()),
            ),
            (GeneratorKind::Secret, _) => push(
                &mut data,
                key_node,
                Node::string(sources::base64_wrapped(&p.value), p.value_span.clone()),
            ),
        }
    }
    // A Secret always has `data` (kyaml creates it before filling it).
    if kind == GeneratorKind::Secret || !is_empty_map(&data) {
        set(&mut root, "data", data);
    }
    if !is_empty_map(&binary) {
        set(&mut root, "binaryData", binary);
    }

    let options = merged_options(entry.options.as_ref(), defaults);
    if !options.labels.is_empty() || !options.annotations.is_empty() {
        if let Some(meta) = root.get_path_mut(&["metadata"]) {
            for (field, values) in [
                ("labels", &options.labels),
                ("annotations", &options.annotations),
            ] {
                if values.is_empty() {
                    continue;
                }
                let mut m = Node::map(span.clone());
                for (k, v) in values {
                    push(
                        &mut m,
                        Node::string(k.as_str(), span.clone()),
                        Node::string(v.as_str(), span.clone()),
                    );
                }
                set(meta, field, m);
            }
        }
    }
    if options.immutable {
        set(&mut root, "immutable", Node::plain("true", span.clone()));
    }
    Ok(root)
}

/// `generatorOptions` and an entry's `options` together: the entry's labels and
/// annotations win over the global ones, and the two flags are on when either
/// turns them on (kubectl: a global `disableNameSuffixHash: true` is not undone
/// by a per-generator `false`).
struct Merged {
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    immutable: bool,
}

fn merged_options(local: Option<&GeneratorOptions>, global: Option<&GeneratorOptions>) -> Merged {
    let mut m = Merged {
        labels: BTreeMap::new(),
        annotations: BTreeMap::new(),
        immutable: false,
    };
    for o in [global, local].into_iter().flatten() {
        m.labels.extend(o.labels.iter().cloned());
        m.annotations.extend(o.annotations.iter().cloned());
        m.immutable |= o.immutable.unwrap_or(false);
    }
    m
}

/// True when the generated object gets a content-hash name suffix: unless
/// `disableNameSuffixHash` is true globally or for the entry.
pub fn wants_hash(entry: &GeneratorEntry, defaults: Option<&GeneratorOptions>) -> bool {
    let per = entry
        .options
        .as_ref()
        .and_then(|o| o.disable_name_suffix_hash);
    let global = defaults.and_then(|o| o.disable_name_suffix_hash);
    !(per.unwrap_or(false) || global.unwrap_or(false))
}

/// The 10-character content hash kustomize appends to generated names.
pub fn name_hash(node: &Node) -> Result<String> {
    let text = hash::hash_input(node).map_err(|e| e.at(&node.span))?;
    Ok(hash::encode(&text))
}

/// Merges a generated object into an existing one (`behavior: merge`), the
/// way kustomize does it: the result is the newly generated object, with the
/// existing object's name and namespace, the labels and annotations of both
/// (the new ones win), and `data` / `binaryData` of both (new keys win, every
/// value becomes a string). Other fields of the existing object are dropped.
pub fn merge_into(existing: &mut Node, generated: &Node) -> Result<()> {
    if existing.as_map().is_none() || generated.as_map().is_none() {
        return Err(gen_error(
            "behavior: merge needs two objects to merge",
            &generated.span,
        ));
    }
    let mut result = generated.clone();
    result.span = existing.span.clone();
    for field in ["labels", "annotations"] {
        let merged = merged_strings(
            existing.get_path(&["metadata", field]),
            generated.get_path(&["metadata", field]),
        );
        if let Some(meta) = result
            .get_path_mut(&["metadata"])
            .and_then(Node::as_map_mut)
        {
            match merged {
                Some(m) => meta.insert(Node::string(field, m.span.clone()), m),
                None => {
                    meta.remove(field);
                }
            }
        }
    }
    for field in ["name", "namespace"] {
        let old = existing
            .get_path(&["metadata", field])
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
            .cloned();
        if let Some(meta) = result
            .get_path_mut(&["metadata"])
            .and_then(Node::as_map_mut)
        {
            match old {
                Some(n) => meta.insert(Node::string(field, n.span.clone()), n),
                None => {
                    meta.remove(field);
                }
            }
        }
    }
    for field in ["data", "binaryData"] {
        let merged = merged_strings(
            existing.as_map().and_then(|m| m.get(field)),
            generated.as_map().and_then(|m| m.get(field)),
        );
        if let Some(map) = result.as_map_mut() {
            match merged {
                Some(mut m) => {
                    if let Some(entries) = m.as_map_mut() {
                        entries
                            .entries
                            .sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
                    }
                    map.insert(Node::string(field, m.span.clone()), m)
                }
                None => {
                    map.remove(field);
                }
            }
        }
    }
    *existing = result;
    Ok(())
}

/// kustomize's `mergeStringMaps(old, new)` over two map nodes: values are read
/// as strings (a null, a list or a map reads as ""), the new ones win, and an
/// empty result is no map at all.
fn merged_strings(old: Option<&Node>, new: Option<&Node>) -> Option<Node> {
    let mut out = Node::map(new.or(old)?.span.clone());
    for side in [old, new].into_iter().flatten() {
        let Some(m) = side.as_map() else { continue };
        for (k, v) in &m.entries {
            let Some(key) = k.as_str() else { continue };
            let text = match &v.kind {
                NodeKind::Scalar(s) if !v.is_null() => s.text.clone(),
                _ => String::new(),
            };
            if let Some(map) = out.as_map_mut() {
                map.insert(
                    Node::string(key, k.span.clone()),
                    Node::string(text, v.span.clone()),
                );
            }
        }
    }
    if is_empty_map(&out) {
        None
    } else {
        Some(out)
    }
}

fn is_empty_map(node: &Node) -> bool {
    node.as_map().is_some_and(|m| m.is_empty())
}

/// Sets `key` on a map node, replacing an existing entry.
fn set(map: &mut Node, key: &str, value: Node) {
    let key = Node::string(key, value.span.clone());
    if let Some(m) = map.as_map_mut() {
        m.insert(key, value);
    }
}

/// Appends an entry to a map node.
fn push(map: &mut Node, key: Node, value: Node) {
    if let Some(m) = map.as_map_mut() {
        m.entries.push((key, value));
    }
}
