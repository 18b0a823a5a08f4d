//! The kustomization file: parsed strictly, the way kustomize's Go struct rejects
//! unknown fields and mistyped values, but keeping the position of every entry.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod fields;

use super::error::{RenderError, RenderErrorKind, Result};
use super::replacement::{self, ReplacementEntry};
use crate::yaml::{scalar_value, Node, NodeKind, Schema, Span};

use fields::*;
pub(super) use fields::{
    boolean, invalid, located, map_entries, mistyped, selector, seq, string, typed,
};

/// The three file names kustomize accepts, in its order of preference.
pub const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A string value together with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub value: String,
    pub span: Span,
}

/// `kind: Kustomization` or `kind: Component`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KustomizationKind {
    Kustomization,
    Component,
}

/// A resource selector (`target:` of a patch).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

/// One entry of `patches`, `patchesJson6902` or `patchesStrategicMerge`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchEntry {
    pub path: Option<Located>,
    pub patch: Option<Located>,
    pub target: Option<Selector>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
    /// The entry as written, for error messages that quote it.
    pub node: Node,
}

/// One entry of `labels`.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelEntry {
    pub pairs: Vec<(String, String, Span)>,
    pub include_selectors: bool,
    pub include_templates: bool,
}

/// One entry of `images`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageEntry {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
    pub span: Span,
}

/// One entry of `replicas`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaEntry {
    pub name: String,
    pub count: i64,
    pub span: Span,
}

/// Options shared by generators (`generatorOptions`, or per generator `options`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeneratorOptions {
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub disable_name_suffix_hash: Option<bool>,
    pub immutable: Option<bool>,
}

/// `merge`, `replace` or `create` (the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GeneratorBehavior {
    #[default]
    Create,
    Merge,
    Replace,
}

/// One `configMapGenerator` or `secretGenerator` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorEntry {
    pub name: String,
    pub namespace: Option<String>,
    pub behavior: GeneratorBehavior,
    pub literals: Vec<Located>,
    pub files: Vec<Located>,
    pub envs: Vec<Located>,
    pub secret_type: Option<String>,
    pub options: Option<GeneratorOptions>,
    pub span: Span,
}

/// `sortOptions`.
#[derive(Clone, Debug, PartialEq)]
pub enum SortOrder {
    Legacy {
        order_first: Option<Vec<String>>,
        order_last: Option<Vec<String>>,
    },
    Fifo,
}

/// A parsed kustomization file.
#[derive(Clone, Debug, PartialEq)]
pub struct Kustomization {
    /// The kustomization file itself.
    pub file: PathBuf,
    pub kind: KustomizationKind,
    pub resources: Vec<Located>,
    pub components: Vec<Located>,
    pub namespace: Option<Located>,
    pub name_prefix: Option<Located>,
    pub name_suffix: Option<Located>,
    pub common_labels: Vec<(String, String, Span)>,
    pub labels: Vec<LabelEntry>,
    pub common_annotations: Vec<(String, String, Span)>,
    pub images: Vec<ImageEntry>,
    pub replicas: Vec<ReplicaEntry>,
    pub patches: Vec<PatchEntry>,
    pub patches_strategic_merge: Vec<Located>,
    pub patches_json6902: Vec<PatchEntry>,
    pub config_map_generator: Vec<GeneratorEntry>,
    pub secret_generator: Vec<GeneratorEntry>,
    pub generator_options: Option<GeneratorOptions>,
    pub configurations: Vec<Located>,
    pub sort_options: Option<SortOrder>,
    /// `replacements`, inline or as `path:` files, in order.
    pub replacements: Vec<ReplacementEntry>,
    /// Deprecated fields in use, as (field, replacement).
    pub deprecations: Vec<(&'static str, &'static str)>,
}

const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

impl Kustomization {
    /// Parses a kustomization document. `doc` is the loaded file's only document
    /// (or a null node for an empty file).
    pub fn parse(doc: &Node, file: &Path) -> Result<Kustomization> {
        let mut k = Kustomization {
            file: file.to_path_buf(),
            kind: KustomizationKind::Kustomization,
            resources: Vec::new(),
            components: Vec::new(),
            namespace: None,
            name_prefix: None,
            name_suffix: None,
            common_labels: Vec::new(),
            labels: Vec::new(),
            common_annotations: Vec::new(),
            images: Vec::new(),
            replicas: Vec::new(),
            patches: Vec::new(),
            patches_strategic_merge: Vec::new(),
            patches_json6902: Vec::new(),
            config_map_generator: Vec::new(),
            secret_generator: Vec::new(),
            generator_options: None,
            configurations: Vec::new(),
            sort_options: None,
            replacements: Vec::new(),
            deprecations: Vec::new(),
        };
        if doc.is_null() {
            return Ok(k);
        }
        if doc.as_map().is_none() {
            return Err(invalid(
                "json: cannot unmarshal array into Go value of type types.Kustomization",
                &doc.span,
            ));
        }
        for (key, v) in map_entries(doc, "Kustomization", KNOWN_FIELDS, "types.Kustomization")? {
            let f = format!("Kustomization.{key}");
            match key {
                "apiVersion" | "metadata" | "openapi" | "buildMetadata" | "crds" => {}
                "kind" => {
                    k.kind = match string(v, &f)?.as_deref() {
                        None | Some("") | Some("Kustomization") => KustomizationKind::Kustomization,
                        Some("Component") => KustomizationKind::Component,
                        Some(other) => {
                            return Err(invalid(
                                format!("kind should be Kustomization or Component, not {other:?}"),
                                &v.span,
                            ))
                        }
                    }
                }
                "resources" => k.resources.extend(strings(v, &f)?),
                "bases" => {
                    k.resources.extend(strings(v, &f)?);
                    k.deprecations.push(("bases", "resources"));
                }
                "components" => k.components = strings(v, &f)?,
                "namespace" => k.namespace = located(v, &f)?,
                "namePrefix" => k.name_prefix = located(v, &f)?,
                "nameSuffix" => k.name_suffix = located(v, &f)?,
                "commonLabels" => {
                    k.common_labels = string_map(v, &f)?;
                    k.deprecations.push(("commonLabels", "labels"));
                }
                "commonAnnotations" => k.common_annotations = string_map(v, &f)?,
                "labels" => {
                    for item in seq(v, &f, "[]types.Label")? {
                        let mut l = LabelEntry {
                            pairs: Vec::new(),
                            include_selectors: false,
                            include_templates: false,
                        };
                        let known = ["pairs", "includeSelectors", "includeTemplates", "fields"];
                        for (lk, lv) in map_entries(item, "Label", &known, "types.Label")? {
                            match lk {
                                "pairs" => l.pairs = string_map(lv, "Label.pairs")?,
                                "includeSelectors" => {
                                    l.include_selectors = boolean(lv, "Label.includeSelectors")?
                                }
                                "includeTemplates" => {
                                    l.include_templates = boolean(lv, "Label.includeTemplates")?
                                }
                                _ => {
                                    return Err(RenderError::new(
                                        RenderErrorKind::Refused,
                                        "labels[].fields (custom label field specs) is not supported yet",
                                    )
                                    .at(&lv.span))
                                }
                            }
                        }
                        k.labels.push(l);
                    }
                }
                "images" => {
                    for item in seq(v, &f, "[]types.Image")? {
                        let known = ["name", "newName", "newTag", "digest", "tagSuffix"];
                        let mut img = ImageEntry {
                            name: String::new(),
                            new_name: None,
                            new_tag: None,
                            digest: None,
                            span: item.span.clone(),
                        };
                        for (ik, iv) in map_entries(item, "Image", &known, "types.Image")? {
                            let val = string(iv, &format!("Image.{ik}"))?;
                            match ik {
                                "name" => img.name = val.unwrap_or_default(),
                                "newName" => img.new_name = val,
                                "newTag" => img.new_tag = val,
                                "digest" => img.digest = val,
                                _ => {}
                            }
                        }
                        k.images.push(img);
                    }
                }
                "replicas" => {
                    for item in seq(v, &f, "[]types.Replica")? {
                        let mut r = ReplicaEntry {
                            name: String::new(),
                            count: 0,
                            span: item.span.clone(),
                        };
                        for (rk, rv) in
                            map_entries(item, "Replica", &["name", "count"], "types.Replica")?
                        {
                            if rk == "name" {
                                r.name = string(rv, "Replica.name")?.unwrap_or_default();
                            } else {
                                r.count = match typed(rv)? {
                                    Value::Number(n) if n.is_i64() => n.as_i64().unwrap_or(0),
                                    other => {
                                        return Err(mistyped(
                                            &other,
                                            "Replica.count",
                                            "int64",
                                            &rv.span,
                                        ))
                                    }
                                };
                            }
                        }
                        k.replicas.push(r);
                    }
                }
                "patches" => {
                    for item in seq(v, &f, "[]types.Patch")? {
                        k.patches.push(patch_entry(item, "Patch")?);
                    }
                }
                "patchesJson6902" => {
                    for item in seq(v, &f, "[]types.Patch")? {
                        k.patches_json6902.push(patch_entry(item, "Patch")?);
                    }
                    k.deprecations.push(("patchesJson6902", "patches"));
                }
                "patchesStrategicMerge" => {
                    k.patches_strategic_merge = strings(v, &f)?;
                    k.deprecations.push(("patchesStrategicMerge", "patches"));
                }
                "configMapGenerator" => {
                    for item in seq(v, &f, "[]types.ConfigMapArgs")? {
                        k.config_map_generator
                            .push(generator(item, "ConfigMapArgs", false)?);
                    }
                }
                "secretGenerator" => {
                    for item in seq(v, &f, "[]types.SecretArgs")? {
                        k.secret_generator
                            .push(generator(item, "SecretArgs", true)?);
                    }
                }
                "generatorOptions" if !v.is_null() => {
                    k.generator_options = Some(generator_options(v, &f)?)
                }
                "configurations" => k.configurations = strings(v, &f)?,
                "sortOptions" if !v.is_null() => k.sort_options = Some(sort_options(v)?),
                "helmCharts" | "helmGlobals" | "helmChartInflationGenerator" if !is_empty(v) => {
                    return Err(refused(
                        key,
                        "Helm charts are not rendered: cnpg-dr never downloads charts or runs helm",
                        &v.span,
                    ));
                }
                "generators" | "transformers" | "validators" if !is_empty(v) => {
                    return Err(refused(
                        key,
                        "generator, transformer and validator plugins are not supported: cnpg-dr never runs programs",
                        &v.span,
                    ));
                }
                "replacements" => k.replacements = replacement::parse_field(v)?,
                "vars" | "imageTags" if !is_empty(v) => {
                    return Err(refused(
                        key,
                        "this kustomize feature is not supported by cnpg-dr yet",
                        &v.span,
                    ));
                }
                _ => {}
            }
        }
        Ok(k)
    }

    /// The directory that holds the kustomization file.
    pub fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new(""))
    }
}
