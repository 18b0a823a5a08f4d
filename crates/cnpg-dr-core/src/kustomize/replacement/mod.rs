//! `replacements`: copy one field of one resource into fields of others, as
//! kustomize's replacement filter does (api/filters/replacement in v5.5.0).

mod fieldpath;
mod parse;

use regex::Regex;
use serde_json::Value;

use super::error::{RenderError, RenderErrorKind, Result};
use super::kustomization::{
    boolean, located, map_entries, mistyped, selector, seq, string, typed, Located, Selector,
};
use super::resource::{Gvk, ResId, Resource};
use super::select::LabelSelector;
use crate::yaml::{scalar_value, Node, NodeKind, ScalarStyle, Schema, Span};

pub use fieldpath::split_path;
use fieldpath::*;
pub use parse::{parse_field, parse_file};

const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// One entry of `replacements`: written inline, or a file holding one or a list.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplacementEntry {
    Inline(Replacement),
    Path(Located),
}

/// A source and the targets its value is copied to.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    pub source: Option<Source>,
    pub targets: Vec<Target>,
    pub span: Span,
}

/// kustomize's `ResId` used as a selector: empty fields match anything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdSelector {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

/// Where the value is read.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub id: IdSelector,
    pub field_path: String,
    pub options: FieldOptions,
}

/// Where the value is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    pub options: FieldOptions,
}

/// `options:` of a source or a target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldOptions {
    pub delimiter: String,
    pub index: i64,
    pub create: bool,
}

/// Parses the `replacements` field of a kustomization.
fn transformer_error(message: impl Into<String>, span: &Span) -> RenderError {
    RenderError::new(RenderErrorKind::Transformer, message).at(span)
}

/// Applies the replacements in order to the resources of one kustomization.
pub fn apply(resources: &mut [Resource], replacements: &[Replacement]) -> Result<()> {
    for r in replacements {
        let Some(source) = r.source.as_ref().filter(|_| !r.targets.is_empty()) else {
            return Err(transformer_error(
                "replacements must specify a source and at least one target",
                &r.span,
            ));
        };
        let value = source_value(resources, source, &r.span)?;
        for target in &r.targets {
            apply_target(resources, &value, target, &r.span)?;
        }
    }
    Ok(())
}

/// A resource's current id and the ids it had before renames.
fn ids(r: &Resource) -> Vec<ResId> {
    let mut ids = vec![r.id()];
    ids.extend(r.previous_ids.iter().cloned());
    ids
}

/// `ResId.IsSelectedBy`: exact comparisons, empty selector fields match anything.
fn selected_by(id: &ResId, sel: &IdSelector) -> bool {
    let sel_id = ResId {
        gvk: sel.gvk.clone(),
        name: sel.name.clone(),
        namespace: sel.namespace.clone(),
    };
    (sel.name.is_empty() || sel.name == id.name)
        && (sel.namespace.is_empty() || sel_id.effective_namespace() == id.effective_namespace())
        && (sel.gvk.group.is_empty() || sel.gvk.group == id.gvk.group)
        && (sel.gvk.version.is_empty() || sel.gvk.version == id.gvk.version)
        && (sel.gvk.kind.is_empty() || sel.gvk.kind == id.gvk.kind)
}

fn id_selector(s: &Selector) -> IdSelector {
    IdSelector {
        gvk: Gvk {
            group: s.group.clone().unwrap_or_default(),
            version: s.version.clone().unwrap_or_default(),
            kind: s.kind.clone().unwrap_or_default(),
        },
        name: s.name.clone().unwrap_or_default(),
        namespace: s.namespace.clone().unwrap_or_default(),
    }
}

fn id_is_empty(s: &IdSelector) -> bool {
    *s == IdSelector::default()
}

/// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
fn id_string(s: &IdSelector) -> String {
    let or = |v: &str, none: &str| {
        if v.is_empty() {
            none.to_string()
        } else {
            v.to_string()
        }
    };
    format!(
        "{}.{}.{}/{}.{}",
        or(&s.gvk.kind, "[noKind]"),
        or(&s.gvk.version, "[noVer]"),
        or(&s.gvk.group, "[noGrp]"),
        or(&s.name, "[noName]"),
        or(&s.namespace, "[noNs]")
    )
}

/// kustomize's `SourceSelector.String()`.
fn source_string(s: &Source) -> String {
    let mut out = id_string(&s.id);
    if !s.field_path.is_empty() {
        out.push(':');
        out.push_str(&s.field_path);
    }
    let o = &s.options;
    if !o.delimiter.is_empty() || o.create {
        out.push_str(&format!(
            ":{}({}), create={}",
            o.delimiter, o.index, o.create
        ));
    }
    out
}

fn source_value(resources: &[Resource], source: &Source, span: &Span) -> Result<Node> {
    let mut found: Option<&Resource> = None;
    for r in resources {
        if ids(r).iter().any(|id| selected_by(id, &source.id)) {
            if found.is_some() {
                return Err(transformer_error(
                    format!("multiple matches for selector {}", source_string(source)),
                    span,
                ));
            }
            found = Some(r);
        }
    }
    let Some(r) = found else {
        return Err(transformer_error(
            format!("nothing selected by {}", source_string(source)),
            span,
        ));
    };
    let field_path = if source.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        &source.field_path
    };
    let parts: Vec<String> = split_path(field_path)
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let node = lookup(&r.node, &parts)
        .map_err(|e| transformer_error(format!("error looking up replacement source: {e}"), span))?
        .filter(|n| !is_nil_or_empty(n));
    let Some(node) = node else {
        return Err(transformer_error(
            format!(
                "fieldPath `{field_path}` is missing for replacement source {}",
                id_string(&source.id)
            ),
            span,
        ));
    };
    refine(&source.options, node.clone(), span)
}

fn is_nil_or_empty(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Scalar(_) => n.is_null(),
        NodeKind::Map(m) => m.is_empty(),
        NodeKind::Seq(s) => s.is_empty(),
    }
}

/// The source's `delimiter`/`index`: keep one piece of the value.
fn refine(options: &FieldOptions, mut node: Node, span: &Span) -> Result<Node> {
    if options.delimiter.is_empty() {
        return Ok(node);
    }
    let Some(text) = node.as_scalar().map(|s| s.text.clone()) else {
        return Err(transformer_error(
            "delimiter option can only be used with scalar nodes",
            span,
        ));
    };
    let pieces: Vec<&str> = text.split(options.delimiter.as_str()).collect();
    if options.index < 0 || options.index as usize >= pieces.len() {
        return Err(transformer_error(
            format!(
                "options.index {} is out of bounds for value {text}",
                options.index
            ),
            span,
        ));
    }
    set_text_keeping_type(&mut node, pieces[options.index as usize]);
    Ok(node)
}

/// Replaces a scalar's text the way kyaml does: the node keeps the type it
/// was parsed with (a string stays a string even when the new text looks like
/// a number).
fn set_text_keeping_type(node: &mut Node, text: &str) {
    let was_string = matches!(scalar_value(node, Schema::Kyaml), Ok(Value::String(_)));
    if let NodeKind::Scalar(s) = &mut node.kind {
        s.text = text.to_string();
        if was_string && s.style == ScalarStyle::Plain && node.tag.is_none() {
            s.style = ScalarStyle::DoubleQuoted;
        }
    }
}

/// kustomize's `SmarterPathSplitter(path, ".")`.
fn apply_target(resources: &mut [Resource], value: &Node, t: &Target, span: &Span) -> Result<()> {
    let Some(select) = &t.select else {
        return Err(transformer_error(
            "target must specify resources to select",
            span,
        ));
    };
    let default_paths = [DEFAULT_FIELD_PATH.to_string()];
    let paths: &[String] = if t.field_paths.is_empty() {
        &default_paths
    } else {
        &t.field_paths
    };
    let select_id = id_selector(select);
    for r in resources.iter_mut() {
        if !selected_by_labels(r, t)? {
            continue;
        }
        let ids = ids(r);
        let rejected = t.reject.iter().any(|rej| {
            let rid = id_selector(rej);
            !id_is_empty(&rid) && ids.iter().any(|id| selected_by(id, &rid))
        });
        if !rejected && ids.iter().any(|id| selected_by(id, &select_id)) {
            copy_to_target(&mut r.node, value, t, paths, span)?;
        }
    }
    Ok(())
}

fn label_match(r: &Resource, s: &Selector) -> Result<bool> {
    let check = |sel: &Option<String>, pairs: Vec<(String, String)>| -> Result<bool> {
        match sel.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(true),
            Some(text) => Ok(LabelSelector::parse(text)?.matches(&pairs)),
        }
    };
    Ok(check(&s.annotation_selector, r.annotations())? && check(&s.label_selector, r.labels())?)
}

fn selected_by_labels(r: &Resource, t: &Target) -> Result<bool> {
    let Some(select) = &t.select else {
        return Ok(false);
    };
    if !label_match(r, select)? {
        return Ok(false);
    }
    for rej in &t.reject {
        let has_labels = rej.label_selector.as_deref().is_some_and(|s| !s.is_empty())
            || rej
                .annotation_selector
                .as_deref()
                .is_some_and(|s| !s.is_empty());
        if has_labels && label_match(r, rej)? {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_like_kustomize() {
        assert_eq!(
            split_path("spec.template.spec.containers.[name=app.v1].image"),
            [
                "spec",
                "template",
                "spec",
                "containers",
                "[name=app.v1]",
                "image"
            ]
        );
        assert_eq!(
            split_path("metadata.annotations.[example.com/key]"),
            ["metadata", "annotations", "example.com/key"]
        );
    }

    #[test]
    fn source_selector_prints_as_kustomize_does() {
        let s = Source {
            id: IdSelector {
                gvk: Gvk {
                    group: String::new(),
                    version: String::new(),
                    kind: "ConfigMap".into(),
                },
                name: "missing".into(),
                namespace: String::new(),
            },
            field_path: "data.key".into(),
            options: FieldOptions::default(),
        };
        assert_eq!(
            source_string(&s),
            "ConfigMap.[noVer].[noGrp]/missing.[noNs]:data.key"
        );
    }
}
