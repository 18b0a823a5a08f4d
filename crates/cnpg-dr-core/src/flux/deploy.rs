//! From Flux Kustomizations in Git to the directories they deploy and what
//! Flux does to their render.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fs::{clean_slash_path, normalize, FileSystem};
use crate::kustomize::{set_namespace, LoadRestrictor, RenderOptions, Resource};
use crate::yaml::{load_str, LoadLimits, Node, NodeKind, Span};

use super::substitute::substitute_text;
use super::views::FluxKustomization;
use super::SUBSTITUTE_ANNOTATION;

/// A variable's value as Git holds it, and where it was set.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub value: String,
    /// The `postBuild.substitute` entry, or the ConfigMap / Secret key.
    pub span: Span,
}

/// One Flux Kustomization: the directory it deploys and what Flux changes.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// `Kustomization/NAME`, as the status table names a deployer.
    pub name: String,
    /// The file the Flux Kustomization is written in.
    pub file: PathBuf,
    /// `spec.path` resolved against the repository root.
    pub dir: PathBuf,
    /// `spec.targetNamespace`, with where it was set.
    pub target_namespace: Option<(String, Span)>,
    /// The variables known from Git: `substituteFrom` objects found in the
    /// repository, overridden by `substitute`.
    pub variables: BTreeMap<String, Variable>,
    /// `spec.components`, as written (relative to `dir`): Flux adds them to
    /// the kustomization's own components.
    pub components: Vec<String>,
    pub suspended: bool,
}

const FLUX_MARKER: &str = "kustomize.toolkit.fluxcd.io";

fn documents(fs: &dyn FileSystem, file: &Path, must_hold: &str) -> Vec<Resource> {
    let Ok(bytes) = fs.read(file) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    if !text.contains(must_hold) {
        return Vec::new();
    }
    let Ok(docs) = load_str(&text, Arc::from(file), &LoadLimits::default()) else {
        return Vec::new();
    };
    docs.into_iter()
        .filter(|d| d.get_path(&["kind"]).is_some())
        .filter_map(|d| Resource::new(d, file.to_path_buf()).ok())
        .collect()
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Every Flux Kustomization in `files` (the repository's files, sorted)
/// whose `spec.path` is a directory of the repository, ordered by file. The
/// `substituteFrom` ConfigMaps and Secrets are looked for in the same files
/// (by name, the Kustomization's namespace preferred).
pub fn deployments(fs: &dyn FileSystem, root: &Path, files: &[PathBuf]) -> Vec<Deployment> {
    let yaml: Vec<&PathBuf> = files.iter().filter(|f| is_yaml(f)).collect();
    let raw: Vec<Resource> = yaml
        .iter()
        .flat_map(|f| documents(fs, f, FLUX_MARKER))
        .filter(|r| FluxKustomization::from(r).is_some())
        .collect();
    let objects = as_built(fs, raw);
    let wanted: Vec<String> = objects
        .iter()
        .filter_map(FluxKustomization::from)
        .flat_map(|k| k.substitute_from())
        .map(|s| s.name)
        .collect();
    let sources: Vec<Resource> = if wanted.is_empty() {
        Vec::new()
    } else {
        yaml.iter()
            .flat_map(|f| documents(fs, f, "kind: "))
            .filter(|r| matches!(r.kind(), "ConfigMap" | "Secret") && r.gvk().group.is_empty())
            .filter(|r| wanted.iter().any(|w| w == r.name()))
            .collect()
    };
    let mut out = Vec::new();
    for k in objects.iter().filter_map(FluxKustomization::from) {
        let rel = k.path().and_then(Node::as_str).unwrap_or("./");
        let dir = normalize(&root.join(clean_slash_path(rel)));
        if !dir.starts_with(root) || !fs.is_dir(&dir) {
            continue;
        }
        let namespace = match k.resource.namespace() {
            "" => "flux-system",
            ns => ns,
        };
        let mut variables = BTreeMap::new();
        // Later sources override earlier ones; substitute overrides them all.
        for from in k.substitute_from() {
            let found = sources
                .iter()
                .filter(|r| r.kind() == from.kind && r.name() == from.name)
                .min_by_key(|r| r.namespace() != namespace);
            if let Some(object) = found {
                variables.extend(object_variables(object));
            }
        }
        for (name, node) in k.substitute() {
            if let Some(value) = node.as_scalar() {
                variables.insert(
                    name.to_string(),
                    Variable {
                        value: value.text.clone(),
                        span: node.span.clone(),
                    },
                );
            }
        }
        out.push(Deployment {
            name: format!("Kustomization/{}", k.name()),
            file: k.resource.origin.clone(),
            dir,
            target_namespace: k
                .target_namespace()
                .and_then(|n| Some((n.as_str()?.to_string(), n.span.clone()))),
            variables,
            components: k.components().into_iter().map(str::to_string).collect(),
            suspended: k.suspended(),
        });
    }
    out
}

/// The Flux Kustomizations as the kustomization of their directory builds
/// them, when it does: kustomize may set fields on them (a `replacements:`
/// copying the Namespace into every `spec.targetNamespace` is common). A
/// file whose directory does not build keeps its objects as written.
fn as_built(fs: &dyn FileSystem, raw: Vec<Resource>) -> Vec<Resource> {
    let mut dirs: Vec<PathBuf> = raw
        .iter()
        .filter_map(|r| r.origin.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    let options = RenderOptions {
        load_restrictor: LoadRestrictor::None,
        ..RenderOptions::default()
    };
    let mut built: BTreeMap<PathBuf, Vec<Resource>> = BTreeMap::new();
    for dir in dirs {
        if crate::layout::kustomization_file(fs, &dir).is_none() {
            continue;
        }
        if let Ok(r) = crate::kustomize::render(fs, &dir, &options) {
            built.insert(dir, r.resources);
        }
    }
    raw.into_iter()
        .map(|r| {
            let dir = r.origin.parent().map(Path::to_path_buf).unwrap_or_default();
            built
                .get(&dir)
                .and_then(|objects| {
                    objects.iter().find(|b| {
                        FluxKustomization::from(b).is_some()
                            && b.origin == r.origin
                            && b.original_id().name == r.name()
                    })
                })
                .cloned()
                .unwrap_or(r)
        })
        .collect()
}

/// The variables a ConfigMap (`data`) or Secret (`stringData`, `data`
/// decoded) holds. A SOPS-encrypted Secret holds none that can be known.
fn object_variables(object: &Resource) -> Vec<(String, Variable)> {
    if object.node.get_path(&["sops"]).is_some() {
        return Vec::new();
    }
    let secret = object.kind() == "Secret";
    let entries = |field: &str| {
        object
            .node
            .get_path(&[field])
            .and_then(Node::as_map)
            .map(|m| m.entries.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let data = entries("data").into_iter().map(|e| (e, secret));
    let string_data = entries("stringData").into_iter().map(|e| (e, false));
    for ((key, value), encoded) in data.chain(string_data) {
        let (Some(key), Some(text)) = (key.as_str(), value.as_str()) else {
            continue;
        };
        let text = if encoded {
            match crate::yaml::decode_base64(text).and_then(|b| String::from_utf8(b).ok()) {
                Some(t) => t,
                None => continue,
            }
        } else {
            text.to_string()
        };
        if text.starts_with("ENC[") {
            continue;
        }
        out.push((
            key.to_string(),
            Variable {
                value: text,
                span: value.span.clone(),
            },
        ));
    }
    out
}

impl Deployment {
    /// How Flux renders the directory: as `base` asks, without the load restrictor.
    pub fn render_options(&self, base: &RenderOptions) -> RenderOptions {
        RenderOptions {
            load_restrictor: LoadRestrictor::None,
            ..base.clone()
        }
    }

    /// The text of the kustomization file at `dir` as Flux builds it: with
    /// `spec.components` added to its `components:` (None when there are
    /// none to add, or the list is written in a form this does not edit).
    pub fn kustomization_text(&self, text: &str) -> Option<String> {
        if self.components.is_empty() {
            return None;
        }
        let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let items: String = self
            .components
            .iter()
            .map(|c| format!("  - {}{nl}", quoted(c)))
            .collect();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let Some(at) = lines.iter().position(|l| l.starts_with("components:")) else {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(nl);
            }
            out.push_str(&format!("components:{nl}{items}"));
            return Some(out);
        };
        if !lines[at].trim_end().ends_with(':') {
            return None; // a flow list: components: [a, b]
        }
        // Block items: add ours after the last item of the list.
        let mut end = at + 1;
        while end < lines.len() {
            let l = lines[end];
            let t = l.trim_start();
            if t.is_empty() || t.starts_with('#') || l.starts_with(' ') || l.starts_with('-') {
                end += 1;
            } else {
                break;
            }
        }
        let mut out: String = lines[..end].concat();
        if !out.ends_with('\n') {
            out.push_str(nl);
        }
        out.push_str(&items);
        out.push_str(&lines[end..].concat());
        Some(out)
    }

    /// What Flux does to the render before applying it: the target
    /// namespace, then substitution in every string value of every object
    /// that does not opt out.
    pub fn apply(&self, resources: &mut [Resource]) {
        if let Some((ns, span)) = &self.target_namespace {
            set_namespace(resources, ns, span);
        }
        if self.variables.is_empty() && !resources.iter().any(|r| holds_expression(&r.node)) {
            return;
        }
        for r in resources.iter_mut().filter(|r| !opted_out(r)) {
            self.substitute_node(&mut r.node);
        }
    }

    fn substitute_node(&self, node: &mut Node) {
        match &mut node.kind {
            NodeKind::Scalar(s) => {
                if !s.text.contains("${") {
                    return;
                }
                let lookup = |name: &str| self.variables.get(name).map(|v| v.value.clone());
                let done = substitute_text(&s.text, &lookup);
                if done.text == s.text {
                    return;
                }
                s.text = done.text;
                // Fully resolved from Git: the value was set where its
                // (first) variable was, which is what a finding should show.
                if !done.unresolved {
                    if let Some(v) = done.used.first().and_then(|n| self.variables.get(n)) {
                        node.span = v.span.clone();
                    }
                }
            }
            NodeKind::Seq(items) => items.iter_mut().for_each(|n| self.substitute_node(n)),
            NodeKind::Map(m) => m
                .entries
                .iter_mut()
                .for_each(|(_, v)| self.substitute_node(v)),
        }
    }
}

/// A path as a YAML plain scalar, or double-quoted when it would not read back.
fn quoted(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "./_-".contains(c));
    if plain {
        path.to_string()
    } else {
        format!("{path:?}")
    }
}

fn holds_expression(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar(s) => s.text.contains("${"),
        NodeKind::Seq(items) => items.iter().any(holds_expression),
        NodeKind::Map(m) => m.entries.iter().any(|(_, v)| holds_expression(v)),
    }
}

/// `kustomize.toolkit.fluxcd.io/substitute: disabled` on an annotation or label.
fn opted_out(r: &Resource) -> bool {
    ["annotations", "labels"].iter().any(|field| {
        r.node
            .get_path(&["metadata", field, SUBSTITUTE_ANNOTATION])
            .and_then(Node::as_str)
            .is_some_and(|v| v == "disabled")
    })
}
