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
    let mut b = Builder {
        fs,
        options,
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
    config: TransformerConfig,
}

impl Accumulator {
    fn append(&mut self, r: Resource) -> Result<()> {
        let id = r.id();
        if self.resources.iter().any(|o| o.id().matches(&id)) {
            return Err(RenderError::new(
                RenderErrorKind::DuplicateId,
                format!("may not add resource with an already registered id: {id}"),
            )
            .at(&r.node.span)
            .help("two files (or two bases) define the same object; a diamond of bases must be resolved with different name prefixes or a single shared base"));
        }
        self.resources.push(r);
        Ok(())
    }
}

struct Builder<'a> {
    fs: &'a dyn FileSystem,
    options: &'a RenderOptions,
    warnings: Vec<String>,
    files: Vec<PathBuf>,
    /// Canonical directories of the kustomizations being built (cycle detection).
    stack: Vec<PathBuf>,
}

const DEPRECATION_ORDER: [&str; 4] = [
    "bases",
    "commonLabels",
    "patchesJson6902",
    "patchesStrategicMerge",
];

fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.contains("?ref=")
        || entry.contains(".git//")
        || entry.ends_with(".git")
}

fn io_error(path: &Path, e: &std::io::Error) -> RenderError {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    RenderError::new(RenderErrorKind::Io, format!("{}: {what}", path.display()))
}

impl Builder<'_> {
    fn read_text(&mut self, path: &Path) -> Result<String> {
        let len = self.fs.file_len(path).map_err(|e| io_error(path, &e))?;
        let max = self.options.limits.max_bytes as u64;
        if len > max {
            return Err(RenderError::new(
                RenderErrorKind::Yaml,
                format!(
                    "{}: file is {len} bytes, larger than the limit of {max} bytes",
                    path.display()
                ),
            ));
        }
        let bytes = self.fs.read(path).map_err(|e| io_error(path, &e))?;
        self.files.push(path.to_path_buf());
        String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let line = text.matches('\n').count() + 1;
            let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            RenderError::new(
                RenderErrorKind::Yaml,
                format!(
                    "{}:{line}:{column}: invalid UTF-8 (byte offset {valid})",
                    path.display()
                ),
            )
        })
    }

    fn load_yaml(&mut self, path: &Path) -> Result<Vec<Node>> {
        let text = self.read_text(path)?;
        load_str(&text, Arc::from(path), &self.options.limits).map_err(|e| {
            RenderError::new(
                RenderErrorKind::Yaml,
                format!("yaml: line {}: {}", e.line, e.message),
            )
            .at(&yaml::Span {
                file: e.file.clone(),
                line: e.line,
                column: e.column,
                start: e.offset,
                end: e.offset,
            })
        })
    }

    /// Finds and parses the kustomization file of `dir`.
    fn load_kustomization(&mut self, dir: &Path) -> Result<Kustomization> {
        let found: Vec<PathBuf> = KUSTOMIZATION_FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| self.fs.is_file(p))
            .collect();
        let file = match found.as_slice() {
            [] => {
                return Err(RenderError::new(
                    RenderErrorKind::Io,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        dir.display()
                    ),
                ))
            }
            [one] => one.clone(),
            _ => {
                return Err(RenderError::new(
                    RenderErrorKind::InvalidKustomization,
                    format!("Found multiple kustomization files under: {}", dir.display()),
                ))
            }
        };
        let docs = self.load_yaml(&file).map_err(|e| RenderError {
            message: format!("invalid Kustomization: {}", e.message),
            kind: RenderErrorKind::InvalidKustomization,
            ..e
        })?;
        let doc =
            match docs.len() {
                0 => Node::null(yaml::Span::file_start(Arc::from(file.as_path()))),
                1 => docs.into_iter().next().unwrap_or_else(|| {
                    Node::null(yaml::Span::file_start(Arc::from(file.as_path())))
                }),
                _ => return Err(RenderError::new(
                    RenderErrorKind::InvalidKustomization,
                    "invalid Kustomization: a kustomization file holds exactly one YAML document",
                )
                .at(&docs[1].span)),
            };
        let kust = Kustomization::parse(&doc, &file)?;
        for field in DEPRECATION_ORDER {
            if let Some((f, new)) = kust.deprecations.iter().find(|(f, _)| *f == field) {
                self.warnings.push(format!(
                    "# Warning: '{f}' is deprecated. Please use '{new}' instead. Run 'kustomize edit fix' to update your Kustomization automatically."
                ));
            }
        }
        Ok(kust)
    }

    fn canonical_dir(&self, dir: &Path) -> PathBuf {
        self.fs
            .canonicalize(dir)
            .unwrap_or_else(|_| crate::fs::normalize(dir))
    }

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
                acc.config.merge(&TransformerConfig::parse(&doc)?);
            }
        }
        self.run_generators(kust, &dir, acc)?;
        for comp in &kust.components {
            self.accumulate_component(&dir, comp.value.as_str(), acc)
                .map_err(|e| e.at(&comp.span).context("accumulating components"))?;
        }
        self.run_transformers(kust, &dir, acc)
    }

    /// The load restrictor: files must be in or below the kustomization directory.
    fn check_inside(&self, dir: &Path, path: &Path) -> Result<()> {
        let root = self.canonical_dir(dir);
        let real = match self.fs.canonicalize(path) {
            Ok(p) => p,
            Err(e) => return Err(io_error(path, &e)),
        };
        if !real.starts_with(&root) {
            return Err(RenderError::new(
                RenderErrorKind::OutsideRoot,
                format!("security; file '{}' is not in or below '{}'", real.display(), root.display()),
            )
            .help("kustomize only reads files inside the kustomization's directory; move the file, or make its directory a base with its own kustomization.yaml"));
        }
        Ok(())
    }

    fn accumulate_resource(
        &mut self,
        dir: &Path,
        entry: &str,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let path = normalize(&dir.join(entry));
        if self.fs.is_file(&path) {
            let ctx = format!("accumulating resources from '{entry}'");
            self.check_inside(dir, &path)
                .map_err(|e| e.context(ctx.clone()))?;
            let docs = self.load_yaml(&path).map_err(|e| {
                RenderError {
                    message: format!("MalformedYAMLError: {} in File: {entry}", e.message),
                    ..e
                }
                .context(ctx.clone())
            })?;
            for r in resources_from_docs(docs, &path).map_err(|e| e.context(ctx.clone()))? {
                acc.append(r)
                    .map_err(|e| e.context(format!("merging resources from '{entry}'")))?;
            }
            return Ok(());
        }
        if self.fs.is_dir(&path) {
            let ctx = format!("accumulating resources from '{entry}'");
            let sub = self
                .build_subtarget(&path, KustomizationKind::Kustomization)
                .map_err(|e| e.context(ctx.clone()))?;
            acc.config.merge(&sub.config);
            for r in sub.resources {
                acc.append(r).map_err(|e| {
                    e.context(format!("recursed merging from path '{}'", path.display()))
                        .context(ctx.clone())
                })?;
            }
            return Ok(());
        }
        if is_remote(entry) {
            return Err(RenderError::new(
                RenderErrorKind::Refused,
                format!(
                    "remote resource '{entry}' is not supported: cnpg-dr never touches the network"
                ),
            )
            .help(
                "vendor the remote base into the repository and reference it by a relative path",
            ));
        }
        Err(RenderError::new(
            RenderErrorKind::Io,
            format!(
                "accumulating resources from '{entry}': '{}': no such file or directory",
                path.display()
            ),
        ))
    }

    /// Builds a base directory into its own accumulator.
    fn build_subtarget(&mut self, path: &Path, expected: KustomizationKind) -> Result<Accumulator> {
        let canonical = self.canonical_dir(path);
        if let Some(i) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self.stack[i..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.display().to_string())
                .collect();
            return Err(RenderError::new(
                RenderErrorKind::Cycle,
                format!("cycle detected: {}", chain.join(" -> ")),
            ));
        }
        let kust = self.load_kustomization(path)?;
        if kust.kind != expected {
            return Err(kind_mismatch(path, expected, kust.kind));
        }
        self.stack.push(canonical);
        let mut acc = Accumulator {
            resources: Vec::new(),
            config: TransformerConfig::default(),
        };
        let result = self.accumulate_target(&kust, &mut acc);
        self.stack.pop();
        result.map(|()| acc)
    }

    fn accumulate_component(
        &mut self,
        dir: &Path,
        entry: &str,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let path = normalize(&dir.join(entry));
        if !self.fs.is_dir(&path) {
            if is_remote(entry) {
                return Err(RenderError::new(
                    RenderErrorKind::Refused,
                    format!("remote component '{entry}' is not supported: cnpg-dr never touches the network"),
                ));
            }
            return Err(RenderError::new(
                RenderErrorKind::Io,
                format!(
                    "'{}' must be a directory holding a kind: Component kustomization",
                    path.display()
                ),
            ));
        }
        let canonical = self.canonical_dir(&path);
        if self.stack.contains(&canonical) {
            return Err(RenderError::new(
                RenderErrorKind::Cycle,
                format!(
                    "cycle detected: component '{}' includes itself",
                    path.display()
                ),
            ));
        }
        let kust = self.load_kustomization(&path)?;
        if kust.kind != KustomizationKind::Component {
            return Err(
                kind_mismatch(&path, KustomizationKind::Component, kust.kind)
                    .context("accumulateDirectory"),
            );
        }
        self.stack.push(canonical);
        let result = self.accumulate_target(&kust, acc);
        self.stack.pop();
        result
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
            let node = generate::generate(kind, entry, defaults, dir, self.fs)?;
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
        Ok(())
    }

    /// `patchesStrategicMerge` entries: a file path, or inline YAML.
    fn strategic_merge_documents(
        &mut self,
        dir: &Path,
        value: &str,
        span: &yaml::Span,
    ) -> Result<Vec<Node>> {
        let path = normalize(&dir.join(value));
        if !value.contains('\n') && self.fs.is_file(&path) {
            self.check_inside(dir, &path).map_err(|e| e.at(span))?;
            return self.load_yaml(&path);
        }
        load_str(value, span.file.clone(), &self.options.limits)
            .map(|docs| docs.into_iter().filter(|d| !d.is_null()).collect())
            .map_err(|e| {
                RenderError::new(
                    RenderErrorKind::Patch,
                    format!("inline patch: {}", e.message),
                )
                .at(span)
            })
    }

    fn apply_patch_entry(
        &mut self,
        dir: &Path,
        entry: &PatchEntry,
        acc: &mut Accumulator,
        json_only: bool,
    ) -> Result<()> {
        let plugin = if json_only {
            "PatchJson6902Transformer"
        } else {
            "PatchTransformer"
        };
        let quoted = || quote_entry(&entry.node);
        let trouble = |reason: String| {
            RenderError::new(
                RenderErrorKind::Patch,
                format!(
                    "trouble configuring builtin {plugin} with config: `\n{}`: {reason}",
                    quoted()
                ),
            )
            .at(&entry.node.span)
        };
        let non_empty =
            |l: &Option<super::kustomization::Located>| l.clone().filter(|l| !l.value.is_empty());
        let (text, file, span) = match (&non_empty(&entry.path), &non_empty(&entry.patch)) {
            (None, None) => {
                return Err(trouble(format!(
                    "must specify one of patch and path in\n{}",
                    quoted()
                )))
            }
            (Some(_), Some(_)) => {
                return Err(trouble(format!(
                    "patch and path can't be set at the same time\n{}",
                    quoted()
                )))
            }
            (Some(p), None) => {
                let path = normalize(&dir.join(&p.value));
                self.check_inside(dir, &path).map_err(|e| e.at(&p.span))?;
                let text = self.read_text(&path).map_err(|e| e.at(&p.span))?;
                (text, Arc::from(path.as_path()), p.span.clone())
            }
            (None, Some(p)) => (p.value.clone(), p.span.file.clone(), p.span.clone()),
        };
        if json_only
            && entry
                .target
                .as_ref()
                .and_then(|t| t.name.as_deref())
                .unwrap_or("")
                .is_empty()
        {
            return Err(trouble("must specify the target name".to_string()));
        }
        let trimmed = text.trim_start();
        let looks_json_ops =
            trimmed.starts_with('[') || trimmed.starts_with("- ") || trimmed.starts_with("-\n");
        if json_only || looks_json_ops {
            if trimmed.trim_end() == "[]" && !json_only {
                return Err(trouble(
                    "illegally qualifies as both an SM and JSON patch".to_string(),
                ));
            }
            let ops = json6902::parse_ops(&text, file).map_err(|e| {
                let cause = match (json_only, &entry.path) {
                    (true, _) => e.message.clone(),
                    (false, Some(p)) => {
                        format!(
                            "unable to parse SM or JSON patch from [path: {:?}]",
                            p.value
                        )
                    }
                    (false, None) => {
                        format!("unable to parse SM or JSON patch from [patch: {text:?}]")
                    }
                };
                RenderError {
                    span: e.span.clone().or_else(|| Some(span.clone())),
                    ..trouble(cause)
                }
            })?;
            let Some(target) = &entry.target else {
                return Err(trouble("a JSON 6902 patch needs a target".to_string()));
            };
            let selector = CompiledSelector::new(target)?;
            for r in acc.resources.iter_mut().filter(|r| selector.matches(r)) {
                json6902::apply(&mut r.node, &ops)?;
            }
            return Ok(());
        }
        let docs = load_str(&text, file, &self.options.limits).map_err(|e| {
            RenderError::new(
                RenderErrorKind::Patch,
                format!("yaml: line {}: {}", e.line, e.message),
            )
            .at(&span)
        })?;
        let docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
        match &entry.target {
            None => {
                for p in &docs {
                    apply_smp_by_id(&mut acc.resources, p)?;
                }
            }
            Some(target) => {
                let selector = CompiledSelector::new(target)?;
                for p in &docs {
                    if p.get_path(&["kind"]).and_then(Node::as_str).is_none()
                        && p.as_map().is_none_or(|m| m.get("$patch").is_none())
                    {
                        return Err(trouble(format!(
                            "unable to parse SM or JSON patch from [patch: {:?}]",
                            text
                        )));
                    }
                    let mut i = 0;
                    while i < acc.resources.len() {
                        if !selector.matches(&acc.resources[i]) {
                            i += 1;
                            continue;
                        }
                        let r = &mut acc.resources[i];
                        let mut patch = p.clone();
                        retarget(&mut patch, entry.allow_name_change, entry.allow_kind_change);
                        let group = r.gvk().group;
                        match smp::apply(&mut r.node, &patch, &group)? {
                            Outcome::Merged => i += 1,
                            Outcome::Deleted => {
                                acc.resources.remove(i);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A patch applies to its target under the target's own identity: unless a
/// change is allowed, the patch's name, namespace, kind and apiVersion are
/// dropped before the merge, so the target keeps its values (and their spans).
fn retarget(patch: &mut Node, allow_name: bool, allow_kind: bool) {
    if let Some(root) = patch.as_map_mut() {
        if !allow_kind {
            root.remove("kind");
            root.remove("apiVersion");
        }
        if !allow_name {
            if let Some(meta) = root.get_mut("metadata").and_then(Node::as_map_mut) {
                meta.remove("name");
                meta.remove("namespace");
            }
        }
    }
}

/// A strategic-merge patch without `target:` goes to the resource with its id.
fn apply_smp_by_id(resources: &mut Vec<Resource>, patch: &Node) -> Result<()> {
    let s = |p: &[&str]| {
        patch
            .get_path(p)
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string()
    };
    let id = ResId {
        gvk: super::resource::Gvk::from_api_version(&s(&["apiVersion"]), &s(&["kind"])),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    };
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.matches_any_id(&id))
        .map(|(i, _)| i)
        .collect();
    let i = match matches.as_slice() {
        [one] => *one,
        [] => {
            return Err(RenderError::new(
                RenderErrorKind::Patch,
                format!(
                    "no resource matches strategic merge patch \"{id}\": no matches for Id {id}; failed to find unique target for patch {id}"
                ),
            )
            .at(&patch.span)
            .help("a patch without `target:` must name a resource of the build by apiVersion, kind, metadata.name (and namespace, as it was before this kustomization's namespace: applies)"))
        }
        _ => {
            return Err(RenderError::new(
                RenderErrorKind::Patch,
                format!("multiple matches for Id {id}; failed to find unique target for patch {id}"),
            )
            .at(&patch.span))
        }
    };
    let group = resources[i].gvk().group;
    // The merge must not rename the target: a patch may name it by an earlier name.
    let mut patch = patch.clone();
    retarget(&mut patch, false, false);
    if smp::apply(&mut resources[i].node, &patch, &group)? == Outcome::Deleted {
        resources.remove(i);
    }
    Ok(())
}

fn kind_mismatch(path: &Path, expected: KustomizationKind, got: KustomizationKind) -> RenderError {
    let name = |k: KustomizationKind| match k {
        KustomizationKind::Kustomization => "Kustomization",
        KustomizationKind::Component => "Component",
    };
    let message = match expected {
        KustomizationKind::Component => format!(
            "\"expected kind '{}' for path '{}' but got '{}'\"",
            name(expected),
            path.display(),
            name(got)
        ),
        KustomizationKind::Kustomization => format!(
            "expected kind != 'Component' for path '{}': a Component belongs under components:, not resources:",
            path.display()
        ),
    };
    RenderError::new(RenderErrorKind::InvalidKustomization, message)
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

/// The patch entry printed as YAML, the way kustomize quotes it in errors.
fn quote_entry(node: &Node) -> String {
    match yaml::to_json(node, Schema::Yaml11) {
        Ok(v) => yaml::emit_documents(&[v]).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Turns loaded documents into resources: skips empty ones, expands `kind: List`.
fn resources_from_docs(docs: Vec<Node>, path: &Path) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        let Some(map) = doc.as_map() else {
            return Err(RenderError::new(
                RenderErrorKind::InvalidResource,
                "a resource must be a YAML mapping",
            )
            .at(&doc.span));
        };
        if map.is_empty() {
            continue;
        }
        let kind = map.get("kind").and_then(Node::as_str).unwrap_or("");
        if map.get("apiVersion").is_none()
            && map.get("kind").is_none()
            && map.get("metadata").is_none()
        {
            return Err(RenderError::new(RenderErrorKind::InvalidResource, "missing Resource metadata")
                .at(&doc.span)
                .help("this file has no apiVersion, kind or metadata; a kustomization file cannot be listed as a resource, list its directory instead"));
        }
        if kind == "List" || (kind.ends_with("List") && map.get("items").is_some()) {
            if let Some(items) = map.get("items").and_then(Node::as_seq) {
                for item in items {
                    out.push(Resource::new(item.clone(), path.to_path_buf())?);
                }
                continue;
            }
        }
        out.push(Resource::new(doc, path.to_path_buf())?);
    }
    Ok(out)
}
