//! `<<` merge keys and duplicate keys, applied when a mapping is finished.
//!
//! kustomize reads files with two libraries whose rules differ:
//! * kyaml (resources, strategic-merge patches) expands merges itself
//!   before anything else: the keys written in the mapping always win, an
//!   earlier map in `<<: [*a, *b]` wins over a later one, more than one
//!   merge key is an error, and the first key spelt `<<` is removed even
//!   when quoted (so `"<<": x` disappears).
//! * go-yaml v2 (kustomization files, JSON 6902 ops) applies the entries in
//!   order: a merge sets its keys over whatever was written before it, and
//!   keys written after it override it. A quoted `"<<"` is an ordinary key.
//!
//! Both accept a mapping, an alias to one, or a list of those, and nothing
//! else.

use std::collections::HashMap;

use super::load::{DuplicateKeys, LoadErrorKind, LoadLimits};
use super::node::{Node, NodeKind};
use super::resolve::Schema;

const TAG_MERGE: &str = "tag:yaml.org,2002:merge";

/// A failure: body offset, kind, message.
pub(crate) type MergeError = (usize, LoadErrorKind, String);

type Entries = Vec<(Node, Node)>;

/// A plain, untagged `<<` (or one tagged `!!merge`).
fn is_merge_key(k: &Node) -> bool {
    match &k.kind {
        NodeKind::Scalar(s) if s.text == "<<" => {
            (s.style.is_plain() && k.tag.is_none()) || k.tag.as_deref() == Some(TAG_MERGE)
        }
        _ => false,
    }
}

/// The text of a scalar key, which is what duplicates are compared by.
fn key_text(k: &Node) -> Option<&str> {
    match &k.kind {
        NodeKind::Scalar(s) => Some(&s.text),
        _ => None,
    }
}

/// Applies merge keys and the duplicate-key rule to a finished mapping.
pub(crate) fn finish_mapping(
    entries: Entries,
    limits: &LoadLimits,
    body: &str,
    base: usize,
) -> Result<Entries, MergeError> {
    let has_merge_text = entries.iter().any(|(k, _)| key_text(k) == Some("<<"));
    if !has_merge_text && limits.duplicate_keys == DuplicateKeys::Keep {
        return Ok(entries);
    }
    let ctx = Ctx { body, base };
    match limits.schema {
        Schema::Kyaml => kyaml(entries, limits.duplicate_keys, &ctx),
        Schema::Yaml11 => yaml11(entries, limits.duplicate_keys, &ctx),
    }
}

struct Ctx<'a> {
    body: &'a str,
    base: usize,
}

impl Ctx<'_> {
    fn at(&self, n: &Node) -> usize {
        n.span.start.saturating_sub(self.base)
    }

    /// Whether a node was written as an alias (`*name`).
    fn is_alias(&self, n: &Node) -> bool {
        self.body.as_bytes().get(self.at(n)) == Some(&b'*')
    }

    fn fail(&self, n: &Node, message: &str) -> MergeError {
        self.fail_at(self.at(n), message)
    }

    fn fail_at(&self, at: usize, message: &str) -> MergeError {
        (
            at,
            LoadErrorKind::Merge,
            format!("invalid `<<` merge: {message}"),
        )
    }
}

/// Ordered entries with an index by key text, for "set" semantics.
struct Builder {
    entries: Entries,
    index: HashMap<String, usize>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            entries: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn position(&self, k: &Node) -> Option<usize> {
        key_text(k).and_then(|t| self.index.get(t).copied())
    }

    fn push(&mut self, k: Node, v: Node) {
        if let Some(t) = key_text(&k) {
            self.index
                .entry(t.to_string())
                .or_insert(self.entries.len());
        }
        self.entries.push((k, v));
    }

    /// Replaces the value of an existing key, in its place, or appends.
    fn set(&mut self, k: Node, v: Node) {
        match self.position(&k) {
            Some(i) => self.entries[i] = (k, v),
            None => self.push(k, v),
        }
    }

    /// Adds an explicit (written) entry under the duplicate-key rule. A key
    /// that only a merge brought so far is overridden in place.
    fn explicit(
        &mut self,
        k: Node,
        v: Node,
        rule: DuplicateKeys,
        ctx: &Ctx,
        seen: &mut HashMap<String, (u32, u32)>,
    ) -> Result<(), MergeError> {
        let Some(t) = key_text(&k) else {
            self.push(k, v);
            return Ok(());
        };
        if let Some((line, column)) = seen.get(t) {
            match rule {
                DuplicateKeys::Keep => self.push(k, v),
                DuplicateKeys::LastWins => self.set(k, v),
                DuplicateKeys::Error => {
                    let message = format!(
                        "the key `{t}` is written twice in one mapping (first at line {line}, column {column}; kustomize: mapping key {t:?} already defined at line {line})"
                    );
                    let kind = LoadErrorKind::DuplicateKey {
                        key: t.to_string(),
                        first_line: *line,
                        first_column: *column,
                    };
                    return Err((ctx.at(&k), kind, message));
                }
            }
            return Ok(());
        }
        seen.insert(t.to_string(), (k.span.line, k.span.column));
        self.set(k, v);
        Ok(())
    }
}

/// The mappings a merge value names, in the order they are written.
fn merge_sources(value: Node, ctx: &Ctx, schema: Schema) -> Result<Vec<Entries>, MergeError> {
    const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
    let alias = ctx.is_alias(&value);
    let at = ctx.at(&value);
    match value.kind {
        NodeKind::Map(m) => Ok(vec![m.entries]),
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let item_alias = ctx.is_alias(&item);
                match item.kind {
                    NodeKind::Map(m) => out.push(m.entries),
                    NodeKind::Seq(_) if schema == Schema::Kyaml => {
                        return Err(ctx.fail(&item, "received a nested sequence"))
                    }
                    _ if item_alias && schema == Schema::Kyaml => {
                        return Err(ctx.fail(&item, "received alias for a non-map value"))
                    }
                    _ => return Err(ctx.fail(&item, WANT_MAP)),
                }
            }
            Ok(out)
        }
        NodeKind::Scalar(_) if alias && schema == Schema::Kyaml => {
            Err(ctx.fail_at(at, "received alias for a non-map value"))
        }
        NodeKind::Scalar(_) => Err(ctx.fail_at(at, WANT_MAP)),
    }
}

/// kyaml's `DeAnchor`: written keys win, earlier merged maps beat later ones.
fn kyaml(entries: Entries, rule: DuplicateKeys, ctx: &Ctx) -> Result<Entries, MergeError> {
    let mut sources = Vec::new();
    let mut merge_seen = false;
    let mut removed_text_key = false;
    let mut out = Builder::new();
    let mut seen = HashMap::new();
    for (k, v) in entries {
        if is_merge_key(&k) {
            if merge_seen {
                return Err(ctx.fail(&k, "duplicate merge key"));
            }
            merge_seen = true;
            sources = merge_sources(v, ctx, Schema::Kyaml)?;
            removed_text_key = true;
            continue;
        }
        if key_text(&k) == Some("<<") && !removed_text_key {
            // kyaml clears the first field named `<<`, quoted or not.
            removed_text_key = true;
            continue;
        }
        out.explicit(k, v, rule, ctx, &mut seen)?;
    }
    // Which entries were written in the mapping itself (those always win).
    let mut written: Vec<bool> = vec![true; out.entries.len()];
    for source in sources.into_iter().rev() {
        for (k, v) in source {
            match out.position(&k) {
                Some(i) if written.get(i) == Some(&true) => {}
                Some(i) => out.entries[i].1 = v,
                None => {
                    out.push(k, v);
                    written.push(false);
                }
            }
        }
    }
    Ok(out.entries)
}

/// go-yaml v2: entries apply in order; a merge sets every key it brings.
fn yaml11(entries: Entries, rule: DuplicateKeys, ctx: &Ctx) -> Result<Entries, MergeError> {
    let mut out = Builder::new();
    let mut seen = HashMap::new();
    for (k, v) in entries {
        if is_merge_key(&k) {
            // Later maps first, so that earlier ones take precedence.
            for source in merge_sources(v, ctx, Schema::Yaml11)?.into_iter().rev() {
                for (mk, mv) in source {
                    out.set(mk, mv);
                }
            }
            continue;
        }
        out.explicit(k, v, rule, ctx, &mut seen)?;
    }
    Ok(out.entries)
}
