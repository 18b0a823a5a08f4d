//! Field paths (`spec.template.containers.[name=app].image`): splitting,
//! looking up, and copying a value into a target field with kustomize's
//! `options.delimiter/index/create`.

use super::*;

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

pub(super) fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

pub(super) fn index_number(p: &str) -> Option<usize> {
    p.parse::<i64>()
        .ok()
        .filter(|i| *i >= 0)
        .map(|i| i as usize)
}

pub(super) fn split_index(p: &str) -> Result<(String, String), String> {
    let inner = p.strip_prefix('[').unwrap_or(p);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    match inner.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => {
            Err("list path element must contain fieldName=fieldValue for element to match".into())
        }
    }
}

pub(super) fn yaml_kind(node: &Node) -> &'static str {
    match node.kind {
        NodeKind::Scalar(_) => "ScalarNode",
        NodeKind::Map(_) => "MappingNode",
        NodeKind::Seq(_) => "SequenceNode",
    }
}

pub(super) fn wrong_kind(expected: &str, node: &Node) -> String {
    wrong_kind_of(expected, yaml_kind(node))
}

pub(super) fn wrong_kind_of(expected: &str, got: &str) -> String {
    format!("wrong node kind: expected {expected} but got {got}")
}

pub(super) fn scalar_text(n: &Node) -> Option<&str> {
    n.as_scalar().map(|s| s.text.as_str())
}

/// kyaml's `PathGetter` (no creation): the source lookup.
pub(super) fn lookup<'a>(node: &'a Node, parts: &[String]) -> Result<Option<&'a Node>, String> {
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

pub(super) fn field_error(path: &str, create: bool) -> String {
    if create {
        format!("unable to find or create field {path:?} in replacement target")
    } else {
        format!("unable to find field {path:?} in replacement target")
    }
}

/// What a missing leaf is created as: the kind of the value written there.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Create {
    No,
    Scalar,
    Map,
    Seq,
}

pub(super) fn copy_to_target(
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

pub(super) fn set_field_value(
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
pub(super) struct Matcher {
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
