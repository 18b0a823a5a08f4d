//! `replacements`: copy one field of one resource into fields of others, as
//! kustomize's replacement filter does (api/filters/replacement in v5.5.0).

use regex::Regex;
use serde_json::Value;

use super::error::{RenderError, RenderErrorKind, Result};
use super::kustomization::{
    boolean, located, map_entries, mistyped, selector, seq, string, typed, Located, Selector,
};
use super::resource::{Gvk, ResId, Resource};
use super::select::LabelSelector;
use crate::yaml::{scalar_value, Node, NodeKind, ScalarStyle, Schema, Span};

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
pub fn parse_field(node: &Node) -> Result<Vec<ReplacementEntry>> {
    let mut out = Vec::new();
    for item in seq(
        node,
        "Kustomization.replacements",
        "[]types.ReplacementField",
    )? {
        let mut path = None;
        let mut inline = false;
        for (k, v) in map_entries(
            item,
            "ReplacementField",
            &["path", "source", "targets"],
            "types.ReplacementField",
        )? {
            if k == "path" {
                path = located(v, "ReplacementField.path")?.filter(|p| !p.value.is_empty());
            } else if !(v.is_null() || k == "targets" && v.as_seq().is_some_and(Vec::is_empty)) {
                inline = true;
            }
        }
        match path {
            Some(_) if inline => {
                return Err(RenderError::new(
                    RenderErrorKind::Transformer,
                    "cannot specify both path and inline replacement",
                )
                .at(&item.span))
            }
            Some(p) => out.push(ReplacementEntry::Path(p)),
            None => out.push(ReplacementEntry::Inline(parse_replacement(item, true)?)),
        }
    }
    Ok(out)
}

/// Parses the content of a `path:` file: one replacement or a list of them.
/// kustomize reads these files leniently (unknown fields are ignored).
pub fn parse_file(doc: &Node) -> Result<Vec<Replacement>> {
    match &doc.kind {
        NodeKind::Seq(items) => items.iter().map(|i| parse_replacement(i, false)).collect(),
        NodeKind::Map(_) => Ok(vec![parse_replacement(doc, false)?]),
        NodeKind::Scalar(_) => Err(RenderError::new(
            RenderErrorKind::Transformer,
            format!(
                "unsupported replacement type encountered within replacement path: {}",
                if doc.is_null() { "invalid" } else { "string" }
            ),
        )
        .at(&doc.span)),
    }
}

fn known<'a>(strict: bool, fields: &'a [&'a str]) -> &'a [&'a str] {
    if strict {
        fields
    } else {
        &[]
    }
}

fn parse_replacement(node: &Node, strict: bool) -> Result<Replacement> {
    let mut r = Replacement {
        source: None,
        targets: Vec::new(),
        span: node.span.clone(),
    };
    let fields = ["path", "source", "targets"];
    for (k, v) in map_entries(
        node,
        "Replacement",
        known(strict, &fields),
        "types.Replacement",
    )? {
        match k {
            "source" if !v.is_null() => r.source = Some(parse_source(v, strict)?),
            "targets" => {
                for t in seq(v, "Replacement.targets", "[]*types.TargetSelector")? {
                    r.targets.push(parse_target(t, strict)?);
                }
            }
            _ => {}
        }
    }
    Ok(r)
}

fn parse_source(node: &Node, strict: bool) -> Result<Source> {
    let mut s = Source {
        id: IdSelector::default(),
        field_path: String::new(),
        options: FieldOptions::default(),
    };
    let fields = [
        "group",
        "version",
        "kind",
        "name",
        "namespace",
        "fieldPath",
        "options",
    ];
    for (k, v) in map_entries(
        node,
        "SourceSelector",
        known(strict, &fields),
        "types.SourceSelector",
    )? {
        let f = format!("SourceSelector.{k}");
        match k {
            "group" => s.id.gvk.group = string(v, &f)?.unwrap_or_default(),
            "version" => s.id.gvk.version = string(v, &f)?.unwrap_or_default(),
            "kind" => s.id.gvk.kind = string(v, &f)?.unwrap_or_default(),
            "name" => s.id.name = string(v, &f)?.unwrap_or_default(),
            "namespace" => s.id.namespace = string(v, &f)?.unwrap_or_default(),
            "fieldPath" => s.field_path = string(v, &f)?.unwrap_or_default(),
            "options" if !v.is_null() => s.options = parse_options(v, strict)?,
            _ => {}
        }
    }
    Ok(s)
}

fn parse_target(node: &Node, strict: bool) -> Result<Target> {
    let mut t = Target {
        select: None,
        reject: Vec::new(),
        field_paths: Vec::new(),
        options: FieldOptions::default(),
    };
    let fields = ["select", "reject", "fieldPaths", "options"];
    for (k, v) in map_entries(
        node,
        "TargetSelector",
        known(strict, &fields),
        "types.TargetSelector",
    )? {
        match k {
            "select" if !v.is_null() => t.select = Some(selector(v, "TargetSelector.select")?),
            "reject" => {
                for r in seq(v, "TargetSelector.reject", "[]*types.Selector")? {
                    t.reject.push(selector(r, "TargetSelector.reject")?);
                }
            }
            "fieldPaths" => {
                for p in seq(v, "TargetSelector.fieldPaths", "[]string")? {
                    t.field_paths
                        .push(string(p, "TargetSelector.fieldPaths")?.unwrap_or_default());
                }
            }
            "options" if !v.is_null() => t.options = parse_options(v, strict)?,
            _ => {}
        }
    }
    Ok(t)
}

fn parse_options(node: &Node, strict: bool) -> Result<FieldOptions> {
    let mut o = FieldOptions::default();
    let fields = ["delimiter", "index", "encoding", "create"];
    for (k, v) in map_entries(
        node,
        "FieldOptions",
        known(strict, &fields),
        "types.FieldOptions",
    )? {
        let f = format!("FieldOptions.{k}");
        match k {
            "delimiter" => o.delimiter = string(v, &f)?.unwrap_or_default(),
            "create" => o.create = boolean(v, &f)?,
            "index" => {
                o.index = match typed(v)? {
                    Value::Null => 0,
                    Value::Number(n) if n.is_i64() => n.as_i64().unwrap_or(0),
                    other => return Err(mistyped(&other, &f, "int", &v.span)),
                }
            }
            _ => {}
        }
    }
    Ok(o)
}

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
pub fn split_path(path: &str) -> Vec<String> {
    let split: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < split.len() {
        let elem = split[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut bracketed = vec![elem];
            while i < split.len() - 1 {
                i += 1;
                bracketed.push(split[i]);
                if split[i].ends_with(']') {
                    break;
                }
            }
            let joined = bracketed.join(".");
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            out.push(elem.to_string());
        }
        i += 1;
    }
    out
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

fn index_number(p: &str) -> Option<usize> {
    p.parse::<i64>()
        .ok()
        .filter(|i| *i >= 0)
        .map(|i| i as usize)
}

fn split_index(p: &str) -> Result<(String, String), String> {
    let inner = p.strip_prefix('[').unwrap_or(p);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    match inner.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => {
            Err("list path element must contain fieldName=fieldValue for element to match".into())
        }
    }
}

fn yaml_kind(node: &Node) -> &'static str {
    match node.kind {
        NodeKind::Scalar(_) => "ScalarNode",
        NodeKind::Map(_) => "MappingNode",
        NodeKind::Seq(_) => "SequenceNode",
    }
}

fn wrong_kind(expected: &str, node: &Node) -> String {
    wrong_kind_of(expected, yaml_kind(node))
}

fn wrong_kind_of(expected: &str, got: &str) -> String {
    format!("wrong node kind: expected {expected} but got {got}")
}

fn scalar_text(n: &Node) -> Option<&str> {
    n.as_scalar().map(|s| s.text.as_str())
}

/// kyaml's `PathGetter` (no creation): the source lookup.
fn lookup<'a>(node: &'a Node, parts: &[String]) -> Result<Option<&'a Node>, String> {
    let Some((part, rest)) = parts.split_first() else {
        return Ok(Some(node));
    };
    let next = if let Ok(idx) = part.parse::<i64>() {
        if idx < 0 {
            return Err(format!("array index {idx} cannot be negative"));
        }
        match &node.kind {
            NodeKind::Seq(items) => items.get(idx as usize),
            _ if node.is_null() => None,
            _ => return Err(wrong_kind("SequenceNode", node)),
        }
    } else if part == "-" {
        match &node.kind {
            NodeKind::Seq(items) => items.last(),
            _ if node.is_null() => None,
            _ => return Err(wrong_kind("SequenceNode", node)),
        }
    } else if part == "*" {
        return Err("wildcard is not supported in PathGetter".into());
    } else if is_list_index(part) {
        let (key, value) = split_index(part)?;
        match &node.kind {
            NodeKind::Seq(items) if key.is_empty() => items
                .iter()
                .find(|i| scalar_text(i) == Some(value.as_str())),
            NodeKind::Seq(items) => items.iter().find(|i| {
                i.as_map().and_then(|m| m.get(&key)).and_then(scalar_text) == Some(value.as_str())
            }),
            _ if node.is_null() => None,
            _ => return Err(wrong_kind("SequenceNode", node)),
        }
    } else {
        match &node.kind {
            NodeKind::Map(m) => m.get(part),
            _ if node.is_null() => None,
            _ => return Err(wrong_kind("MappingNode", node)),
        }
    };
    match next {
        Some(n) => lookup(n, rest),
        None => Ok(None),
    }
}

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

fn field_error(path: &str, create: bool) -> String {
    if create {
        format!("unable to find or create field {path:?} in replacement target")
    } else {
        format!("unable to find field {path:?} in replacement target")
    }
}

/// What a missing leaf is created as: the kind of the value written there.
#[derive(Clone, Copy, PartialEq)]
enum Create {
    No,
    Scalar,
    Map,
    Seq,
}

fn copy_to_target(
    target: &mut Node,
    value: &Node,
    t: &Target,
    paths: &[String],
    span: &Span,
) -> Result<()> {
    let create = if !t.options.create {
        Create::No
    } else {
        match value.kind {
            NodeKind::Scalar(_) => Create::Scalar,
            NodeKind::Map(_) => Create::Map,
            NodeKind::Seq(_) => Create::Seq,
        }
    };
    for fp in paths {
        let parts = split_path(fp);
        let mut fields: Vec<&mut Node> = Vec::new();
        let mut matcher = Matcher {
            create,
            span: value.span.clone(),
        };
        matcher.walk(target, &parts, &mut fields).map_err(|e| {
            transformer_error(
                format!("{}: {e}", field_error(fp, create != Create::No)),
                span,
            )
        })?;
        if fields.is_empty() {
            return Err(transformer_error(
                field_error(fp, create != Create::No),
                span,
            ));
        }
        for f in fields {
            set_field_value(&t.options, f, value, span)?;
        }
    }
    Ok(())
}

fn set_field_value(
    options: &FieldOptions,
    field: &mut Node,
    value: &Node,
    span: &Span,
) -> Result<()> {
    let mut value = value.clone();
    if !options.delimiter.is_empty() {
        let Some(current) = scalar_text(field).map(str::to_string) else {
            return Err(transformer_error(
                "delimiter option can only be used with scalar nodes",
                span,
            ));
        };
        let mut pieces: Vec<String> = current
            .split(options.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = scalar_text(&value).unwrap_or("").to_string();
        if options.index < 0 {
            pieces.insert(0, v);
        } else if options.index as usize >= pieces.len() {
            pieces.push(v);
        } else {
            pieces[options.index as usize] = v;
        }
        let joined = pieces.join(&options.delimiter);
        match &mut value.kind {
            NodeKind::Scalar(_) => set_text_keeping_type(&mut value, &joined),
            _ => value = Node::plain(joined, value.span.clone()),
        }
    }
    if matches!(field.kind, NodeKind::Scalar(_)) {
        // kyaml copies only the text: the target keeps its type.
        let text = scalar_text(&value).unwrap_or("").to_string();
        set_text_keeping_type(field, &text);
        field.span = value.span.clone();
    } else {
        *field = value;
    }
    Ok(())
}

/// kyaml's `PathMatcher`: every node a target field path selects, creating
/// missing parts when asked.
struct Matcher {
    create: Create,
    span: Span,
}

impl Matcher {
    fn new_node(&self, next: Option<&String>) -> Node {
        let kind = match next {
            Some(p) if is_list_index(p) || index_number(p).is_some() => Create::Seq,
            Some(_) => Create::Map,
            None => self.create,
        };
        match kind {
            Create::Seq => Node::seq(Vec::new(), self.span.clone()),
            Create::Map => Node::map(self.span.clone()),
            _ => Node::plain("", self.span.clone()),
        }
    }

    fn walk<'a>(
        &mut self,
        node: &'a mut Node,
        parts: &[String],
        out: &mut Vec<&'a mut Node>,
    ) -> Result<(), String> {
        let Some((part, rest)) = parts.split_first() else {
            out.push(node);
            return Ok(());
        };
        let creating = self.create != Create::No;
        let got = yaml_kind(node);
        if let Some(idx) = index_number(part) {
            let NodeKind::Seq(items) = &mut node.kind else {
                return Err(wrong_kind_of("SequenceNode", got));
            };
            if items.len() == idx && creating {
                items.push(self.new_node(rest.first()));
            }
            let len = items.len();
            let Some(elem) = items.get_mut(idx) else {
                return Err(format!(
                    "index {idx} specified but only {len} elements found"
                ));
            };
            return self.walk(elem, rest, out);
        }
        if is_list_index(part) {
            let (key, pattern) = split_index(part)?;
            let re = Regex::new(&pattern).map_err(|e| e.to_string())?;
            let NodeKind::Seq(items) = &mut node.kind else {
                return Err(wrong_kind_of("SequenceNode", got));
            };
            let matches = |i: &Node| -> bool {
                if key.is_empty() {
                    scalar_text(i).is_some_and(|t| re.is_match(t.trim()))
                } else {
                    i.as_map()
                        .and_then(|m| m.get(&key))
                        .and_then(scalar_text)
                        .is_some_and(|t| re.is_match(t.trim()))
                }
            };
            if creating && !items.iter().any(matches) {
                let v = Node::plain(pattern.clone(), self.span.clone());
                let elem = if key.is_empty() {
                    v
                } else {
                    let mut m = Node::map(self.span.clone());
                    if let Some(map) = m.as_map_mut() {
                        map.insert(Node::plain(key.clone(), self.span.clone()), v);
                    }
                    m
                };
                items.push(elem);
            }
            for elem in items.iter_mut().filter(|i| matches(i)) {
                self.walk(elem, rest, out)?;
            }
            return Ok(());
        }
        if part == "*" {
            let NodeKind::Seq(items) = &mut node.kind else {
                return Err(wrong_kind_of("SequenceNode", got));
            };
            for elem in items.iter_mut() {
                self.walk(elem, rest, out)?;
            }
            return Ok(());
        }
        if node.is_null() && creating {
            *node = Node::map(self.span.clone());
        }
        let null = node.is_null();
        let NodeKind::Map(m) = &mut node.kind else {
            if null {
                return Ok(());
            }
            return Err(wrong_kind_of("MappingNode", got));
        };
        if m.get(part).is_none() {
            if !creating {
                return Ok(());
            }
            let created = self.new_node(rest.first());
            m.insert(Node::plain(part.clone(), self.span.clone()), created);
        }
        match m.get_mut(part) {
            Some(child) => self.walk(child, rest, out),
            None => Ok(()),
        }
    }
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
