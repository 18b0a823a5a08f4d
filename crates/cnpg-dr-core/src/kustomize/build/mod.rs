//! The build: accumulate resources through bases and components, run generators
//! and transformers in kustomize's order, then hash, fix references and sort.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::error::{RenderError, RenderErrorKind, Result};
use super::fieldspec::TransformerConfig;
use super::generate::{self, GeneratorKind};
use super::json6902;
use super::kustomization::{
    GeneratorBehavior, Kustomization, KustomizationKind, PatchEntry, KUSTOMIZATION_FILE_NAMES,
};
use super::order;
use super::replacement::{self, Replacement, ReplacementEntry};
use super::resource::{ResId, Resource};
use super::select::CompiledSelector;
use super::smp::{self, Outcome};
use super::transform::{self, LabelScope};
use crate::fs::{normalize, FileSystem};
use crate::yaml::{self, load_str, LoadLimits, Node, NodeKind, ScalarStyle, Schema};

/// Knobs of a render.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    pub limits: LoadLimits,
    /// Which files a kustomization may read (`--load-restrictor`).
    pub load_restrictor: LoadRestrictor,
}

/// kustomize's load restrictor: whether a kustomization may read files
/// outside its own directory. Bases and components are directories with
/// their own kustomization and may live anywhere under either setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LoadRestrictor {
    /// `LoadRestrictionsRootOnly`, kustomize's default: resource, patch,
    /// configuration, replacement and generator files must be in or below
    /// the directory of the kustomization that names them.
    #[default]
    RootOnly,
    /// `LoadRestrictionsNone`: any file may be read (what Flux always builds
    /// with, and Argo CD with `--load-restrictor LoadRestrictionsNone` in its
    /// `kustomize.buildOptions`).
    None,
}

impl LoadRestrictor {
    /// The flag value as kustomize spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadRestrictor::RootOnly => "LoadRestrictionsRootOnly",
            LoadRestrictor::None => "LoadRestrictionsNone",
        }
    }

    /// Parses kustomize's spelling of the flag value.
    pub fn parse(text: &str) -> Option<LoadRestrictor> {
        match text {
            "LoadRestrictionsRootOnly" => Some(LoadRestrictor::RootOnly),
            "LoadRestrictionsNone" => Some(LoadRestrictor::None),
            _ => None,
        }
    }
}

/// The result of a successful build.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Resources in output order; every node carries its provenance.
    pub resources: Vec<Resource>,
    /// Warnings kustomize prints on stderr (deprecated fields), in its wording.
    pub warnings: Vec<String>,
    /// Every file the build read, in reading order.
    pub files: Vec<PathBuf>,
}

impl Rendered {
    /// The resources as JSON values, typed the way kustomize types them.
    pub fn to_json(&self) -> Result<Vec<Value>> {
        self.resources.iter().map(resource_json).collect()
    }

    /// The output of `kubectl kustomize`, byte for byte.
    pub fn to_yaml(&self) -> Result<String> {
        let docs = self.to_json()?;
        yaml::emit_documents(&docs)
            .map_err(|e| RenderError::new(RenderErrorKind::Output, e.to_string()))
    }
}

/// Converts one resource, with kustomize's special cases for annotations.
pub fn resource_json(r: &Resource) -> Result<Value> {
    let mut node = r.node.clone();
    if let Some(meta) = node.get_path_mut(&["metadata"]).and_then(Node::as_map_mut) {
        // A null annotations map is dropped; annotation values are strings as written.
        if meta.get("annotations").is_some_and(Node::is_null) {
            meta.remove("annotations");
        }
        if let Some(ann) = meta.get_mut("annotations").and_then(Node::as_map_mut) {
            for (_, v) in ann.entries.iter_mut() {
                if let NodeKind::Scalar(s) = &mut v.kind {
                    if s.style == ScalarStyle::Plain && v.tag.is_none() {
                        s.style = ScalarStyle::DoubleQuoted;
                    }
                }
            }
        }
    }
    yaml::to_json(&node, Schema::Kyaml)
        .map_err(|e| RenderError::new(RenderErrorKind::Output, e.to_string()).at(&e.span))
}

/// Renders the kustomization root `dir`, as `kubectl kustomize dir` does.
pub fn render(fs: &dyn FileSystem, dir: &Path, options: &RenderOptions) -> Result<Rendered> {
    render_with(fs, dir, options, None)
}

/// Parsed files kept between renders of the same tree (one database's active
/// and dormant overlays share the base): a file is parsed again only when its
/// text or the rules it is read with differ. Not shared between threads.
#[derive(Default)]
pub struct ParseCache {
    parsed: std::cell::RefCell<std::collections::HashMap<PathBuf, Vec<ParsedFile>>>,
}

struct ParsedFile {
    limits: LoadLimits,
    text: String,
    docs: Vec<Node>,
}

impl ParseCache {
    pub fn new() -> Self {
        ParseCache::default()
    }

    fn get(&self, path: &Path, limits: &LoadLimits, text: &str) -> Option<Vec<Node>> {
        self.parsed
            .borrow()
            .get(path)?
            .iter()
            .find(|p| p.limits == *limits && p.text == text)
            .map(|p| p.docs.clone())
    }

    fn put(&self, path: &Path, limits: &LoadLimits, text: String, docs: &[Node]) {
        self.parsed
            .borrow_mut()
            .entry(path.to_path_buf())
            .or_default()
            .push(ParsedFile {
                limits: limits.clone(),
                text,
                docs: docs.to_vec(),
            });
    }
}

/// [`render`], reusing (and filling) `cache` for the files it parses.
pub fn render_cached(
    fs: &dyn FileSystem,
    dir: &Path,
    options: &RenderOptions,
    cache: &ParseCache,
) -> Result<Rendered> {
    render_with(fs, dir, options, Some(cache))
}

fn render_with(
    fs: &dyn FileSystem,
    dir: &Path,
    options: &RenderOptions,
    cache: Option<&ParseCache>,
) -> Result<Rendered> {
    let mut b = Builder {
        fs,
        options,
        cache,
        warnings: Vec::new(),
        files: Vec::new(),
        stack: Vec::new(),
    };
    match b.build(dir) {
        Ok(resources) => Ok(Rendered {
            resources,
            warnings: b.warnings,
            files: b.files,
        }),
        Err(mut e) => {
            e.warnings = std::mem::take(&mut b.warnings);
            Err(e)
        }
    }
}

impl Builder<'_> {
    fn build(&mut self, dir: &Path) -> Result<Vec<Resource>> {
        let kust = self.load_kustomization(dir)?;
        let mut acc = Accumulator {
            resources: Vec::new(),
            config: TransformerConfig::builtin(),
        };
        self.accumulate_target(&kust, &mut acc)?;
        let mut resources = acc.resources;
        for r in resources.iter_mut().filter(|r| r.needs_hash) {
            let hash = generate::name_hash(&r.node)?;
            let name = format!("{}-{hash}", r.name());
            let span = r.node.span.clone();
            r.remember_id();
            transform::set_string(&mut r.node, &["metadata", "name"], &name, &span);
        }
        transform::fix_name_references(&mut resources, &acc.config);
        order::sort(&mut resources, kust.sort_options.as_ref());
        Ok(resources)
    }
}

struct Accumulator {
    resources: Vec<Resource>,
    config: std::sync::Arc<TransformerConfig>,
}

impl Accumulator {
    /// Adds resources (a file's documents, a base's output), refusing one
    /// whose id is already here. The ids present are indexed once per batch:
    /// comparing each new resource with every earlier one made a file of
    /// 10,000 documents take minutes.
    fn append_all(&mut self, batch: Vec<Resource>) -> Result<()> {
        /// What `ResId::matches` compares: GVK, name, effective namespace.
        fn key(id: &ResId) -> (crate::kustomize::Gvk, String, String) {
            (
                id.gvk.clone(),
                id.name.clone(),
                id.effective_namespace().to_string(),
            )
        }
        let mut present: std::collections::HashSet<(crate::kustomize::Gvk, String, String)> =
            self.resources.iter().map(|r| key(&r.id())).collect();
        for r in batch {
            let id = r.id();
            if !present.insert(key(&id)) {
                return Err(RenderError::new(
                    RenderErrorKind::DuplicateId,
                    format!("may not add resource with an already registered id: {id}"),
                )
                .at(&r.node.span)
                .help("two files (or two bases) define the same object; a diamond of bases must be resolved with different name prefixes or a single shared base"));
            }
            self.resources.push(r);
        }
        Ok(())
    }
}

struct Builder<'a> {
    fs: &'a dyn FileSystem,
    options: &'a RenderOptions,
    cache: Option<&'a ParseCache>,
    warnings: Vec<String>,
    files: Vec<PathBuf>,
    /// Canonical directories of the kustomizations being built (cycle detection).
    stack: Vec<PathBuf>,
}

mod accumulate;
mod files;
mod patches;

use files::resources_from_docs;
use patches::apply_smp_by_id;

impl Builder<'_> {
    fn accumulate_target(&mut self, kust: &Kustomization, acc: &mut Accumulator) -> Result<()> {
        let dir = kust.dir().to_path_buf();
        for entry in &kust.resources {
            self.accumulate_resource(&dir, entry.value.as_str(), acc)
                .map_err(|e| e.at(&entry.span).context("accumulating resources"))?;
        }
        for c in &kust.configurations {
            let path = normalize(&dir.join(&c.value));
            self.check_inside(&dir, &path).map_err(|e| e.at(&c.span))?;
            for doc in self.load_yaml(&path).map_err(|e| e.at(&c.span))? {
                std::sync::Arc::make_mut(&mut acc.config).merge(&TransformerConfig::parse(&doc)?);
            }
        }
        self.run_generators(kust, &dir, acc)?;
        for comp in &kust.components {
            self.accumulate_component(&dir, comp.value.as_str(), acc)
                .map_err(|e| e.at(&comp.span).context("accumulating components"))?;
        }
        self.run_transformers(kust, &dir, acc)
    }

    fn run_generators(
        &mut self,
        kust: &Kustomization,
        dir: &Path,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let defaults = kust.generator_options.as_ref();
        let entries = kust
            .config_map_generator
            .iter()
            .map(|e| (GeneratorKind::ConfigMap, e))
            .chain(
                kust.secret_generator
                    .iter()
                    .map(|e| (GeneratorKind::Secret, e)),
            );
        for (kind, entry) in entries {
            let node = generate::generate(
                kind,
                entry,
                defaults,
                dir,
                self.fs,
                self.options.load_restrictor,
            )?;
            let mut r = Resource::new(node, kust.file.clone())?;
            r.generated = true;
            r.needs_hash = generate::wants_hash(entry, defaults);
            let id = r.id();
            let existing = acc
                .resources
                .iter()
                .position(|o| o.id().matches(&id) || o.original_id().matches(&id));
            match (entry.behavior, existing) {
                (GeneratorBehavior::Create, None) => acc.resources.push(r),
                (GeneratorBehavior::Create, Some(_)) => {
                    return Err(RenderError::new(
                        RenderErrorKind::Generator,
                        format!("id {} exists; behavior must be merge or replace", id),
                    )
                    .at(&entry.span)
                    .help("add `behavior: merge` (or `replace`) to change a ConfigMap/Secret generated by a base"))
                }
                (_, None) => {
                    return Err(RenderError::new(
                        RenderErrorKind::Generator,
                        format!("id {} does not exist; cannot merge or replace", go_resid(&id)),
                    )
                    .at(&entry.span)
                    .context(format!("merging from generator {}", entry.name)))
                }
                (GeneratorBehavior::Merge, Some(i)) => {
                    let target = &mut acc.resources[i];
                    generate::merge_into(&mut target.node, &r.node)?;
                    target.needs_hash = target.needs_hash || r.needs_hash;
                }
                (GeneratorBehavior::Replace, Some(i)) => {
                    // kustomize keeps the old name and namespace and merges labels
                    // and annotations; the data is the generator's alone.
                    let target = &mut acc.resources[i];
                    if let Some(m) = target.node.as_map_mut() {
                        m.remove("data");
                        m.remove("binaryData");
                    }
                    generate::merge_into(&mut target.node, &r.node)?;
                    target.needs_hash = target.needs_hash || r.needs_hash;
                }
            }
        }
        Ok(())
    }

    fn run_transformers(
        &mut self,
        kust: &Kustomization,
        dir: &Path,
        acc: &mut Accumulator,
    ) -> Result<()> {
        for entry in &kust.patches_strategic_merge {
            let patches = self.strategic_merge_documents(dir, &entry.value, &entry.span)?;
            for p in patches {
                apply_smp_by_id(&mut acc.resources, &p)?;
            }
        }
        for entry in &kust.patches {
            self.apply_patch_entry(dir, entry, acc, false)?;
        }
        if let Some(ns) = kust.namespace.as_ref().filter(|n| !n.value.is_empty()) {
            transform::namespace(&mut acc.resources, &ns.value, &ns.span);
        }
        if let Some(p) = kust.name_prefix.as_ref().filter(|n| !n.value.is_empty()) {
            transform::prefix_suffix(&mut acc.resources, &p.value, "", &p.span);
        }
        if let Some(s) = kust.name_suffix.as_ref().filter(|n| !n.value.is_empty()) {
            transform::prefix_suffix(&mut acc.resources, "", &s.value, &s.span);
        }
        for l in &kust.labels {
            let scope = LabelScope {
                selectors: l.include_selectors,
                templates: l.include_templates,
            };
            transform::labels(&mut acc.resources, &l.pairs, scope, &acc.config);
        }
        if !kust.common_labels.is_empty() {
            let scope = LabelScope {
                selectors: true,
                templates: true,
            };
            transform::labels(&mut acc.resources, &kust.common_labels, scope, &acc.config);
        }
        if !kust.common_annotations.is_empty() {
            transform::annotations(&mut acc.resources, &kust.common_annotations, &acc.config);
        }
        for entry in &kust.patches_json6902 {
            self.apply_patch_entry(dir, entry, acc, true)?;
        }
        transform::replicas(&mut acc.resources, &kust.replicas)?;
        if !kust.images.is_empty() {
            transform::images(&mut acc.resources, &kust.images);
        }
        if !kust.replacements.is_empty() {
            let replacements = self.replacements(kust, dir)?;
            replacement::apply(&mut acc.resources, &replacements)?;
        }
        Ok(())
    }
}

impl Builder<'_> {
    /// The kustomization's replacements, with `path:` files read (inside the root).
    fn replacements(&mut self, kust: &Kustomization, dir: &Path) -> Result<Vec<Replacement>> {
        let mut out = Vec::new();
        for entry in &kust.replacements {
            match entry {
                ReplacementEntry::Inline(r) => out.push(r.clone()),
                ReplacementEntry::Path(p) => {
                    let path = normalize(&dir.join(&p.value));
                    self.check_inside(dir, &path).map_err(|e| e.at(&p.span))?;
                    for doc in self.load_yaml(&path).map_err(|e| e.at(&p.span))? {
                        out.extend(replacement::parse_file(&doc)?);
                    }
                }
            }
        }
        Ok(out)
    }
}

fn go_resid(id: &ResId) -> String {
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:{:?}, Version:{:?}, Kind:{:?}, isClusterScoped:{}}}, Name:{:?}, Namespace:{:?}}}",
        id.gvk.group,
        id.gvk.version,
        id.gvk.kind,
        id.gvk.is_cluster_scoped(),
        id.name,
        id.namespace
    )
}
