//! Reading one field of a kustomization the way kustomize's Go types do:
//! the value's type checked, mistakes located, unknown keys refused.

use super::*;

pub(in crate::kustomize) fn invalid(message: impl Into<String>, span: &Span) -> RenderError {
    RenderError::new(
        RenderErrorKind::InvalidKustomization,
        format!("invalid Kustomization: {}", message.into()),
    )
    .at(span)
}

/// Go's encoding/json name for the JSON type of a value.
pub(in crate::kustomize) fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(in crate::kustomize) fn typed(node: &Node) -> Result<Value> {
    scalar_value(node, Schema::Yaml11).map_err(|e| invalid(e.to_string(), &node.span))
}

/// Field context, e.g. `Kustomization.commonLabels`, for Go-style type errors.
pub(in crate::kustomize) fn mistyped(
    found: &Value,
    field: &str,
    want: &str,
    span: &Span,
) -> RenderError {
    invalid(
        format!(
            "json: cannot unmarshal {} into Go struct field {field} of type {want}",
            json_type_name(found)
        ),
        span,
    )
}

/// A string field; null counts as absent.
pub(in crate::kustomize) fn string(node: &Node, field: &str) -> Result<Option<String>> {
    match &node.kind {
        NodeKind::Scalar(_) => match typed(node)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            other => Err(mistyped(&other, field, "string", &node.span)),
        },
        NodeKind::Seq(_) => Err(mistyped(&Value::Array(vec![]), field, "string", &node.span)),
        NodeKind::Map(_) => Err(mistyped(
            &Value::Object(Default::default()),
            field,
            "string",
            &node.span,
        )),
    }
}

pub(in crate::kustomize) fn located(node: &Node, field: &str) -> Result<Option<Located>> {
    Ok(string(node, field)?.map(|value| Located {
        value,
        span: node.span.clone(),
    }))
}

pub(in crate::kustomize) fn boolean(node: &Node, field: &str) -> Result<bool> {
    match typed(node)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        other => Err(mistyped(&other, field, "bool", &node.span)),
    }
}

pub(in crate::kustomize) fn seq<'a>(
    node: &'a Node,
    field: &str,
    item_type: &str,
) -> Result<&'a [Node]> {
    match &node.kind {
        NodeKind::Seq(items) => Ok(items),
        NodeKind::Scalar(_) if node.is_null() => Ok(&[]),
        NodeKind::Map(_) => Err(mistyped(
            &Value::Object(Default::default()),
            field,
            item_type,
            &node.span,
        )),
        NodeKind::Scalar(_) => Err(mistyped(&typed(node)?, field, item_type, &node.span)),
    }
}

pub(in crate::kustomize) fn strings(node: &Node, field: &str) -> Result<Vec<Located>> {
    let mut out = Vec::new();
    for item in seq(node, field, "[]string")? {
        if let Some(l) = located(item, field)? {
            out.push(l);
        }
    }
    Ok(out)
}

pub(in crate::kustomize) fn map_entries<'a>(
    node: &'a Node,
    field: &str,
    known: &[&str],
    go_type: &str,
) -> Result<Vec<(&'a str, &'a Node)>> {
    let map = match &node.kind {
        NodeKind::Map(m) => m,
        NodeKind::Scalar(_) if node.is_null() => return Ok(Vec::new()),
        NodeKind::Seq(_) => {
            return Err(mistyped(&Value::Array(vec![]), field, go_type, &node.span))
        }
        NodeKind::Scalar(_) => return Err(mistyped(&typed(node)?, field, go_type, &node.span)),
    };
    let mut out = Vec::new();
    for (k, v) in &map.entries {
        let key = k.as_scalar().map(|s| s.text.as_str()).unwrap_or("");
        if !known.is_empty() && !known.contains(&key) {
            return Err(invalid(format!("json: unknown field \"{key}\""), &k.span));
        }
        out.push((key, v));
    }
    Ok(out)
}

/// A `map[string]string` field (labels, annotations).
pub(in crate::kustomize) fn string_map(
    node: &Node,
    field: &str,
) -> Result<Vec<(String, String, Span)>> {
    let mut out = Vec::new();
    for (k, v) in map_entries(node, field, &[], "map[string]string")? {
        let value = string(v, field)?.unwrap_or_default();
        out.push((k.to_string(), value, v.span.clone()));
    }
    Ok(out)
}

pub(in crate::kustomize) fn selector(node: &Node, field: &str) -> Result<Selector> {
    let mut s = Selector::default();
    let known = [
        "group",
        "version",
        "kind",
        "name",
        "namespace",
        "labelSelector",
        "annotationSelector",
    ];
    for (k, v) in map_entries(node, field, &known, "types.Selector")? {
        let value = string(v, &format!("{field}.{k}"))?;
        match k {
            "group" => s.group = value,
            "version" => s.version = value,
            "kind" => s.kind = value,
            "name" => s.name = value,
            "namespace" => s.namespace = value,
            "labelSelector" => s.label_selector = value,
            _ => s.annotation_selector = value,
        }
    }
    Ok(s)
}

pub(in crate::kustomize) fn patch_entry(node: &Node, field: &str) -> Result<PatchEntry> {
    let mut entry = PatchEntry {
        path: None,
        patch: None,
        target: None,
        allow_name_change: false,
        allow_kind_change: false,
        node: node.clone(),
    };
    let known = ["path", "patch", "target", "options"];
    for (k, v) in map_entries(node, field, &known, "types.Patch")? {
        match k {
            "path" => entry.path = located(v, &format!("{field}.path"))?,
            "patch" => entry.patch = located(v, &format!("{field}.patch"))?,
            "target" => {
                if !v.is_null() {
                    entry.target = Some(selector(v, &format!("{field}.target"))?)
                }
            }
            _ => {
                for (ok, ov) in map_entries(v, "options", &[], "map[string]bool")? {
                    match ok {
                        "allowNameChange" => {
                            entry.allow_name_change = boolean(ov, "Patch.options")?
                        }
                        "allowKindChange" => {
                            entry.allow_kind_change = boolean(ov, "Patch.options")?
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(entry)
}

pub(in crate::kustomize) fn generator_options(
    node: &Node,
    field: &str,
) -> Result<GeneratorOptions> {
    let mut o = GeneratorOptions::default();
    let known = [
        "labels",
        "annotations",
        "disableNameSuffixHash",
        "immutable",
    ];
    for (k, v) in map_entries(node, field, &known, "types.GeneratorOptions")? {
        match k {
            "labels" => {
                o.labels = string_map(v, &format!("{field}.labels"))?
                    .into_iter()
                    .map(|(k, v, _)| (k, v))
                    .collect()
            }
            "annotations" => {
                o.annotations = string_map(v, &format!("{field}.annotations"))?
                    .into_iter()
                    .map(|(k, v, _)| (k, v))
                    .collect()
            }
            "disableNameSuffixHash" => o.disable_name_suffix_hash = Some(boolean(v, field)?),
            _ => o.immutable = Some(boolean(v, field)?),
        }
    }
    Ok(o)
}

pub(in crate::kustomize) fn generator(
    node: &Node,
    field: &str,
    secret: bool,
) -> Result<GeneratorEntry> {
    let mut g = GeneratorEntry {
        name: String::new(),
        namespace: None,
        behavior: GeneratorBehavior::Create,
        literals: Vec::new(),
        files: Vec::new(),
        envs: Vec::new(),
        secret_type: None,
        options: None,
        span: node.span.clone(),
    };
    let mut known = vec![
        "name",
        "namespace",
        "behavior",
        "literals",
        "files",
        "envs",
        "env",
        "options",
        "kvSources",
    ];
    if secret {
        known.push("type");
    }
    for (k, v) in map_entries(node, field, &known, "types.GeneratorArgs")? {
        let f = format!("{field}.{k}");
        match k {
            "name" => g.name = string(v, &f)?.unwrap_or_default(),
            "namespace" => g.namespace = string(v, &f)?,
            "behavior" => {
                g.behavior = match string(v, &f)?.as_deref() {
                    None | Some("") | Some("create") => GeneratorBehavior::Create,
                    Some("merge") => GeneratorBehavior::Merge,
                    Some("replace") => GeneratorBehavior::Replace,
                    Some(other) => {
                        return Err(invalid(
                            format!(
                            "unknown generator behavior {other:?}; use create, merge or replace"
                        ),
                            &v.span,
                        ))
                    }
                }
            }
            "literals" => g.literals = strings(v, &f)?,
            "files" => g.files = strings(v, &f)?,
            "envs" => g.envs.extend(strings(v, &f)?),
            "env" => g.envs.extend(located(v, &f)?),
            "type" => g.secret_type = string(v, &f)?,
            "options" => g.options = Some(generator_options(v, &f)?),
            _ => {
                return Err(RenderError::new(
                    RenderErrorKind::Refused,
                    "kvSources (generator plugins) are not supported: cnpg-dr never runs programs",
                )
                .at(&v.span))
            }
        }
    }
    Ok(g)
}

pub(in crate::kustomize) fn is_empty(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar(_) => node.is_null(),
        NodeKind::Seq(s) => s.is_empty(),
        NodeKind::Map(m) => m.is_empty(),
    }
}

pub(in crate::kustomize) fn refused(field: &str, why: &str, span: &Span) -> RenderError {
    RenderError::new(
        RenderErrorKind::Refused,
        format!("'{field}' is not supported: {why}"),
    )
    .at(span)
}

pub(in crate::kustomize) fn sort_options(node: &Node) -> Result<SortOrder> {
    let mut order = None;
    let mut first = None;
    let mut last = None;
    for (k, v) in map_entries(
        node,
        "SortOptions",
        &["order", "legacySortOptions"],
        "types.SortOptions",
    )? {
        if k == "order" {
            order = string(v, "SortOptions.order")?;
        } else {
            for (lk, lv) in map_entries(
                v,
                "LegacySortOptions",
                &["orderFirst", "orderLast"],
                "types.LegacySortOptions",
            )? {
                let list = strings(lv, "LegacySortOptions")?
                    .into_iter()
                    .map(|l| l.value)
                    .collect();
                if lk == "orderFirst" {
                    first = Some(list);
                } else {
                    last = Some(list);
                }
            }
        }
    }
    match order.as_deref() {
        Some("fifo") => Ok(SortOrder::Fifo),
        Some("legacy") | None => Ok(SortOrder::Legacy {
            order_first: first,
            order_last: last,
        }),
        Some(_) => Err(RenderError::new(
            RenderErrorKind::InvalidKustomization,
            "the field 'sortOptions.order' must be one of [fifo, legacy]",
        )
        .at(&node.span)),
    }
}
