//! Reading `replacements` entries (inline, or `path:` files) as kustomize's
//! types do, with its errors for unknown and mistyped fields.

use super::*;

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

pub(super) fn known<'a>(strict: bool, fields: &'a [&'a str]) -> &'a [&'a str] {
    if strict {
        fields
    } else {
        &[]
    }
}

pub(super) fn parse_replacement(node: &Node, strict: bool) -> Result<Replacement> {
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

pub(super) fn parse_source(node: &Node, strict: bool) -> Result<Source> {
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

pub(super) fn parse_target(node: &Node, strict: bool) -> Result<Target> {
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

pub(super) fn parse_options(node: &Node, strict: bool) -> Result<FieldOptions> {
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
