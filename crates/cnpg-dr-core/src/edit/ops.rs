//! The edits of a [`YamlFile`]: replace a scalar, insert or remove a key,
//! append a sequence item, each checked by parsing the result again.

use super::*;

impl YamlFile {
    /// Replaces the string scalar at `path` with `value`, keeping its quoting
    /// style (plain stays plain unless the value needs quotes; single-quoted
    /// turns double-quoted only for characters it cannot hold). Returns false
    /// when the scalar already holds that value (nothing changes).
    pub fn set_scalar(&mut self, path: &NodePath, value: &str) -> Result<bool, EditError> {
        let node = self.need(path)?;
        let Some(scalar) = node.as_scalar() else {
            return Err(self.err(format!("{path} is not a scalar")));
        };
        if node.is_null() {
            return Err(self.err(format!("{path} is empty (null): set it by hand")));
        }
        if scalar.text == value {
            return Ok(false);
        }
        let flow = self.in_flow(path);
        let start = self.offset(node)?;
        let end = text::scalar_extent(&self.text, start, scalar.style, flow, &scalar.text)
            .map_err(|m| self.err(format!("{path}: {m}")))?;
        let (written, style) = text::format_string(value, scalar.style, flow);
        let mut new_text = String::with_capacity(self.text.len() + written.len());
        new_text.push_str(&self.text[..start]);
        new_text.push_str(&written);
        new_text.push_str(&self.text[end..]);
        let expected = self.expected_with(path, |n| {
            n.kind = NodeKind::Scalar(Scalar {
                text: value.to_string(),
                style,
            });
            Some(())
        })?;
        self.commit(new_text, expected, &format!("setting {path}"))?;
        Ok(true)
    }

    /// The mapping at `path` with the column of its keys; refused for flow
    /// and empty mappings.
    fn block_map(&self, path: &NodePath) -> Result<(&Mapping, usize), EditError> {
        let node = self.need(path)?;
        let Some(map) = node.as_map() else {
            return Err(self.err(format!("{path} is not a mapping")));
        };
        let Some((first, _)) = map.entries.first() else {
            return Err(self.err(format!("{path} is an empty mapping: edit it by hand")));
        };
        if self.in_flow(path) {
            return Err(self.err(format!(
                "{path} is a flow mapping ({{...}}): edit it by hand"
            )));
        }
        let off = self.offset(first)?;
        Ok((map, text::column_of(&self.text, off)))
    }

    /// The end (after the line break) of the last line that belongs to the
    /// block node that starts at `offset` and is introduced at `col`: its
    /// own line and every following line indented deeper (or a `- ` line at
    /// the same column when `seq_same_col`), skipping blank and comment
    /// lines, which are not counted as the node's own when they trail it.
    fn block_end(&self, offset: usize, col: usize, seq_same_col: bool) -> usize {
        let text = &self.text;
        let mut pos = text::line_end_incl(text, offset);
        let mut last = pos;
        while pos < text.len() {
            let end = text::line_end_incl(text, pos);
            let line = &text[pos..end];
            if text::is_document_marker(line) {
                break;
            }
            if !text::is_trivia(line) {
                let ind = text::indent_of(line);
                let dash = line.trim_start_matches(' ').starts_with('-');
                if ind > col || (seq_same_col && ind == col && dash) {
                    last = end;
                } else {
                    break;
                }
            }
            pos = end;
        }
        last
    }

    fn entry_end(&self, map: &Mapping, i: usize) -> Result<usize, EditError> {
        let (k, v) = &map.entries[i];
        let off = self.offset(k)?;
        let col = text::column_of(&self.text, off);
        Ok(self.block_end(off, col, matches!(v.kind, NodeKind::Seq(_))))
    }

    fn indent_style(&self) -> (usize, usize) {
        // The first block mapping nested under a key gives the step; the first
        // block sequence under a key tells whether its dashes are indented.
        fn walk(f: &YamlFile, node: &Node, step: &mut Option<usize>, seq: &mut Option<usize>) {
            if step.is_some() && seq.is_some() {
                return;
            }
            let NodeKind::Map(m) = &node.kind else {
                if let NodeKind::Seq(items) = &node.kind {
                    for i in items {
                        walk(f, i, step, seq);
                    }
                }
                return;
            };
            for (k, v) in &m.entries {
                let (Some(ko), Some(vo)) = (f.start_offset(k), f.start_offset(v)) else {
                    continue;
                };
                let kc = text::column_of(&f.text, ko);
                let next_line = text::line_start(&f.text, vo) > ko;
                match &v.kind {
                    NodeKind::Map(_) if step.is_none() && next_line && !f.is_flow(v) => {
                        let vc = text::column_of(&f.text, vo);
                        if vc > kc {
                            *step = Some(vc - kc);
                        }
                    }
                    NodeKind::Seq(items) if seq.is_none() && next_line && !f.is_flow(v) => {
                        if let Some(d) = items.first().and_then(|i| f.dash_offset(i)) {
                            *seq = Some(text::column_of(&f.text, d).saturating_sub(kc));
                        }
                    }
                    _ => {}
                }
                walk(f, v, step, seq);
            }
        }
        let (mut step, mut seq) = (None, None);
        for d in &self.docs {
            walk(self, d, &mut step, &mut seq);
        }
        let step = step.unwrap_or(2).clamp(1, 8);
        (step, seq.map_or(step, |s| s.min(8)))
    }

    fn style(&self) -> Style<'static> {
        let (step, seq_indent) = self.indent_style();
        Style {
            step,
            seq_indent,
            nl: newline_of(&self.text),
        }
    }

    fn splice(&self, at: usize, insert: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + insert.len() + 2);
        out.push_str(&self.text[..at]);
        if at > 0 && !self.text[..at].ends_with('\n') {
            out.push_str(newline_of(&self.text));
        }
        out.push_str(insert);
        out.push_str(&self.text[at..]);
        out
    }

    /// Inserts `key: value` into the block mapping at `path`, at the
    /// mapping's indentation, with nested values indented like the rest of
    /// the file.
    pub fn insert_key(
        &mut self,
        path: &NodePath,
        key: &str,
        value: &NewNode,
        pos: Position,
    ) -> Result<(), EditError> {
        let (map, col) = self.block_map(path)?;
        if map.get(key).is_some() {
            return Err(self.err(format!("{path} already has {key}")));
        }
        let index = match &pos {
            Position::End => map.entries.len() - 1,
            Position::After(k) => map
                .position(k)
                .ok_or_else(|| self.err(format!("{path} has no {k}")))?,
        };
        let at = self.entry_end(map, index)?;
        let mut inserted = String::new();
        self.style().entry(&mut inserted, key, value, col);
        let new_text = self.splice(at, &inserted);
        let expected = self.expected_with(path, |n| {
            let m = n.as_map_mut()?;
            m.entries.insert(
                index + 1,
                (expected_node(&NewNode::str(key)), expected_node(value)),
            );
            Some(())
        })?;
        self.commit(new_text, expected, &format!("inserting {}", path.key(key)))
    }

    /// Removes `key` and its value from the block mapping at `path` (the key's
    /// lines and the value's; comments above the key stay). Refused when it
    /// is the mapping's only key (remove the parent instead) or the first key
    /// of a `- key:` sequence item.
    pub fn remove_key(&mut self, path: &NodePath, key: &str) -> Result<(), EditError> {
        let (map, _) = self.block_map(path)?;
        let index = map
            .position(key)
            .ok_or_else(|| self.err(format!("{path} has no {key}")))?;
        if map.entries.len() == 1 {
            return Err(self.err(format!(
                "{key} is the only key of {path}: remove {path} instead"
            )));
        }
        let off = self.offset(&map.entries[index].0)?;
        let start = text::line_start(&self.text, off);
        if !self.text[start..off].chars().all(|c| c == ' ') {
            return Err(self.err(format!(
                "{} shares its line with other content (`- {key}:`): edit it by hand",
                path.key(key)
            )));
        }
        let end = self.entry_end(map, index)?;
        let mut new_text = String::with_capacity(self.text.len());
        new_text.push_str(&self.text[..start]);
        new_text.push_str(&self.text[end..]);
        let expected = self.expected_with(path, |n| {
            n.as_map_mut()?.entries.remove(index);
            Some(())
        })?;
        self.commit(new_text, expected, &format!("removing {}", path.key(key)))
    }

    /// Appends an item to the block sequence at `path`, with the dash at the
    /// column of the existing items' dashes.
    pub fn append_item(&mut self, path: &NodePath, value: &NewNode) -> Result<(), EditError> {
        let node = self.need(path)?;
        let Some(items) = node.as_seq() else {
            return Err(self.err(format!("{path} is not a sequence")));
        };
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return Err(self.err(format!("{path} is an empty sequence: edit it by hand")));
        };
        if self.in_flow(path) {
            return Err(self.err(format!(
                "{path} is a flow sequence ([...]): edit it by hand"
            )));
        }
        let dash = |item: &Node| -> Result<usize, EditError> {
            self.dash_offset(item).ok_or_else(|| {
                self.err(format!(
                    "{path}: an item does not start on its dash's line: edit it by hand"
                ))
            })
        };
        let col = text::column_of(&self.text, dash(first)?);
        let last_dash = dash(last)?;
        let at = self.block_end(last_dash, col, false);
        let mut inserted = String::new();
        self.style().item(&mut inserted, value, col);
        let new_text = self.splice(at, &inserted);
        let expected = self.expected_with(path, |n| {
            n.as_seq_mut()?.push(expected_node(value));
            Some(())
        })?;
        self.commit(new_text, expected, &format!("appending to {path}"))
    }

    /// The source lines of the block collection under `key` of the mapping
    /// at `path`, moved left so that its keys start at column 0 (comments
    /// and line breaks kept). None when the value is not a block collection
    /// that starts on the line after its key.
    pub fn block_text(&self, path: &NodePath, key: &str) -> Option<String> {
        let map = self.node(path)?.as_map()?;
        let i = map.position(key)?;
        let (k, v) = &map.entries[i];
        if matches!(v.kind, NodeKind::Scalar(_)) || self.in_flow(&path.key(key)) {
            return None;
        }
        let ko = self.offset(k).ok()?;
        let vo = self.offset(v).ok()?;
        let body_start = text::line_end_incl(&self.text, ko);
        if vo < body_start {
            return None;
        }
        // A sequence's dash is its left edge.
        let left = match &v.kind {
            NodeKind::Seq(items) => text::column_of(&self.text, self.dash_offset(items.first()?)?),
            _ => text::column_of(&self.text, vo),
        };
        let end = self.entry_end(map, i).ok()?;
        let mut out = String::new();
        for line in self.text[body_start..end].split_inclusive('\n') {
            let cut = text::indent_of(line).min(left);
            if !text::is_trivia(line) && cut < left {
                return None;
            }
            out.push_str(&line[cut..]);
        }
        Some(out)
    }
}
