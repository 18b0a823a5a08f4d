//! Fuzz harness bodies, shared by the `cargo fuzz` targets in `fuzz/` and by
//! the regression tests in `tests/fuzz_regressions.rs`, so that an input the
//! fuzzer once found is re-checked by `cargo test` without cargo-fuzz.
//!
//! Each function takes arbitrary bytes, must never panic or hang on them, and
//! panics only when an invariant stated in its documentation is broken.
//! Not part of the library's API.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::discover::{discover, DiscoverOptions};
use crate::edit::{NewNode, NodePath, Position, YamlFile};
use crate::fs::MemFs;
use crate::kustomize::{render, RenderOptions};
use crate::layout::DrFlag;
use crate::lineage::Lineage;
use crate::yaml::{
    emit_document, load_bytes, load_str, to_json, LoadLimits, Node, NodeKind, Schema,
};

/// Loads `data` with both loader configurations (resources and
/// kustomization files), exports every document to JSON and prints it the
/// way `kubectl kustomize` does. Invariant: whatever the emitter prints loads
/// again as exactly one document whose JSON equals the printed value, except
/// where kustomize's own output does not read back either (see
/// [`reads_back_differently`]).
pub fn yaml_load(data: &[u8]) {
    let file: Arc<Path> = Arc::from(Path::new("fuzz.yaml"));
    for limits in [LoadLimits::kyaml(), LoadLimits::yaml11()] {
        let Ok(docs) = load_bytes(data, file.clone(), &limits) else {
            continue;
        };
        for doc in &docs {
            let Ok(json) = to_json(doc, limits.schema) else {
                continue;
            };
            let Ok(printed) = emit_document(&json) else {
                continue;
            };
            if !reads_back_differently(&json) {
                check_reloads(&printed, &json);
            }
        }
    }
}

/// The emitter's output must read back (as kustomize's next step would, with
/// the resource rules) to the same JSON value.
fn check_reloads(printed: &str, json: &Value) {
    let file: Arc<Path> = Arc::from(Path::new("emitted.yaml"));
    let again = load_str(printed, file, &LoadLimits::kyaml())
        .unwrap_or_else(|e| panic!("emitted YAML does not load: {e}\n{printed}"));
    assert_eq!(
        again.len(),
        1,
        "emitted YAML is not one document:\n{printed}"
    );
    let back = to_json(&again[0], Schema::Kyaml)
        .unwrap_or_else(|e| panic!("emitted YAML does not export: {e}\n{printed}"));
    assert!(
        same_json(json, &back),
        "emitted YAML reads back differently:\n{printed}\nwas {json}\nnow {back}"
    );
}

/// Values that `kubectl kustomize` itself prints in a form that does not
/// read back as the same value, so the emitter (a port) must not either:
/// a string holding a NEL (U+0085), which go-yaml v2 folds like a line break
/// on the way through JSON, and a mapping key `<<`, which v2 prints plain
/// (conformance case 007) and every YAML reader then takes for a merge key.
fn reads_back_differently(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\u{85}'),
        Value::Array(items) => items.iter().any(reads_back_differently),
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k == "<<" || k.contains('\u{85}') || reads_back_differently(v)),
        _ => false,
    }
}

/// JSON equality where numbers compare by value (`1.0` prints as `1`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || (x.as_f64().is_some() && x.as_f64() == y.as_f64())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Most files one render input may hold.
const MAX_FILES: usize = 12;
/// The line that starts a new file in a render input: `%%% <path>`.
const FILE_MARKER: &str = "%%% ";
/// Where the fuzzed tree lives in the in-memory filesystem.
const ROOT: &str = "/repo";

/// Splits a render input into files. Text before the first `%%% <path>`
/// line is the root `kustomization.yaml`; each marker line starts a file at
/// `<path>` relative to the root (later files replace earlier ones).
pub fn memfs_from(data: &[u8]) -> MemFs {
    let mut fs = MemFs::new();
    let mut path = PathBuf::from("kustomization.yaml");
    let mut body: Vec<u8> = Vec::new();
    let mut files = 0;
    for line in data.split_inclusive(|b| *b == b'\n') {
        let Some(name) = line.strip_prefix(FILE_MARKER.as_bytes()) else {
            body.extend_from_slice(line);
            continue;
        };
        fs.insert(Path::new(ROOT).join(&path), std::mem::take(&mut body));
        files += 1;
        if files == MAX_FILES {
            return fs;
        }
        let name = String::from_utf8_lossy(name);
        path = PathBuf::from(name.trim_end_matches(['\n', '\r']).trim_start_matches('/'));
    }
    fs.insert(Path::new(ROOT).join(&path), body);
    fs
}

/// Renders the in-memory tree that [`memfs_from`] makes of `data`, prints
/// the result, and runs discovery over it (every root, every overlay).
/// Invariant: no panic, no hang (cycles and generator output are bounded).
pub fn render_memfs(data: &[u8]) {
    let fs = memfs_from(data);
    let root = Path::new(ROOT);
    if let Ok(rendered) = render(&fs, root, &RenderOptions::default()) {
        let _ = rendered.to_yaml();
    }
    let repo = discover(&fs, root, &DiscoverOptions::default());
    for db in &repo.databases {
        for v in &db.variants {
            if let Ok(r) = &v.rendered {
                let _ = r.to_yaml();
            }
        }
    }
}

/// Most nodes one input is edited at (each edit re-parses the file).
const MAX_EDITED: usize = 24;

/// Values set into scalars: plain-safe, quoting-needing, multi-line, empty.
const VALUES: [&str; 10] = [
    "pg-main-v2",
    "yes",
    "a: b # c",
    "",
    "it's",
    "two\nlines",
    "ü\u{85}",
    " lead",
    "- x",
    "123",
];

/// Applies the editor's operations (set a scalar, bump a lineage, insert
/// and remove a key, append an item, flip the DR switch) to every node of
/// the YAML text `data`, each on a fresh copy. Invariants, for each edit
/// that succeeds: the bytes outside the edited lines are unchanged, the
/// result parses, and the edited node holds the new value.
pub fn lossless_edit(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_flag_flips(text);
    let Ok(file) = YamlFile::parse(Path::new("edit.yaml"), text.to_string()) else {
        return;
    };
    let mut paths = Vec::new();
    for (doc, root) in file.docs().iter().enumerate() {
        collect_paths(root, NodePath::root(doc), &mut paths);
    }
    for (i, path) in paths.iter().take(MAX_EDITED).enumerate() {
        let Some(node) = file.node(path) else {
            continue;
        };
        match &node.kind {
            NodeKind::Scalar(s) => {
                let value = match Lineage::parse(&s.text) {
                    Some(l) => l.next().to_string(),
                    None => VALUES[i % VALUES.len()].to_string(),
                };
                check_set_scalar(&file, path, node, &value);
            }
            NodeKind::Map(m) => {
                check_insert_key(&file, path, i);
                if let Some(key) = m.entries.last().and_then(|(k, _)| k.as_str()) {
                    check_remove_key(&file, path, key);
                }
            }
            NodeKind::Seq(_) => check_append_item(&file, path, i),
        }
    }
}

/// Every node reachable by string keys and indexes, parents first.
fn collect_paths(node: &Node, path: NodePath, out: &mut Vec<NodePath>) {
    if out.len() >= MAX_EDITED {
        return;
    }
    out.push(path.clone());
    match &node.kind {
        NodeKind::Map(m) => {
            for (k, v) in &m.entries {
                if let Some(k) = k.as_str() {
                    collect_paths(v, path.key(k), out);
                }
            }
        }
        NodeKind::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_paths(v, path.index(i), out);
            }
        }
        NodeKind::Scalar(_) => {}
    }
}

fn reparse(f: &YamlFile) -> Vec<Node> {
    load_str(f.text(), Arc::from(f.path()), &LoadLimits::default())
        .unwrap_or_else(|e| panic!("edited text does not parse: {e}\n{}", f.text()))
}

/// The byte ranges of `old` and `new` that differ, after the longest common
/// prefix and (not overlapping it) the longest common suffix.
fn changed_ranges(old: &str, new: &str) -> ((usize, usize), (usize, usize)) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    ((prefix, a.len() - suffix), (prefix, b.len() - suffix))
}

fn check_set_scalar(file: &YamlFile, path: &NodePath, node: &Node, value: &str) {
    let mut f = file.clone();
    if !matches!(f.set_scalar(path, value), Ok(true)) {
        return;
    }
    let old = file.text();
    let ((from, to), _) = changed_ranges(old, f.text());
    let first_line = old[..node.span.start.min(old.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = node.span.end.clamp(node.span.start, old.len());
    let last_line = old[end..].find('\n').map_or(old.len(), |i| end + i + 1);
    assert!(
        first_line <= from && to <= last_line,
        "setting {path} changed bytes {from}..{to} outside its lines {first_line}..{last_line}:\n{}",
        f.text()
    );
    let docs = reparse(&f);
    let got = f.node(path).and_then(Node::as_str);
    assert_eq!(got, Some(value), "{path} does not read back:\n{}", f.text());
    assert_eq!(docs.len(), file.docs().len());
}

/// An insertion leaves every old byte in place around one inserted run.
fn assert_only_inserted(old: &str, new: &str, what: &str) {
    let ((from, to), _) = changed_ranges(old, new);
    assert!(
        from == to && new.len() > old.len(),
        "{what} changed existing bytes {from}..{to}:\n{new}"
    );
}

fn check_insert_key(file: &YamlFile, path: &NodePath, i: usize) {
    let mut f = file.clone();
    let value = match i % 3 {
        0 => NewNode::str(VALUES[i % VALUES.len()]),
        1 => NewNode::map([("k", NewNode::str("v")), ("list", NewNode::Seq(vec![]))]),
        _ => NewNode::Seq(vec![
            NewNode::str("a"),
            NewNode::map([("b", NewNode::str("c"))]),
        ]),
    };
    if f.insert_key(path, "fuzzInserted", &value, Position::End)
        .is_err()
    {
        return;
    }
    assert_only_inserted(file.text(), f.text(), &format!("inserting into {path}"));
    reparse(&f);
    assert!(f.node(&path.key("fuzzInserted")).is_some());
}

fn check_append_item(file: &YamlFile, path: &NodePath, i: usize) {
    let mut f = file.clone();
    let value = match i % 2 {
        0 => NewNode::str(VALUES[i % VALUES.len()]),
        _ => NewNode::map([("name", NewNode::str("x")), ("v", NewNode::str("1"))]),
    };
    if f.append_item(path, &value).is_err() {
        return;
    }
    assert_only_inserted(file.text(), f.text(), &format!("appending to {path}"));
    reparse(&f);
}

fn check_remove_key(file: &YamlFile, path: &NodePath, key: &str) {
    let mut f = file.clone();
    if f.remove_key(path, key).is_err() {
        return;
    }
    let ((_, _), (from, to)) = changed_ranges(file.text(), f.text());
    assert!(
        from == to && f.text().len() < file.text().len(),
        "removing {key} from {path} changed other bytes:\n{}",
        f.text()
    );
    reparse(&f);
    // A key written twice loses one of its entries, not both.
    let count = |f: &YamlFile| {
        f.node(path)
            .and_then(Node::as_map)
            .map_or(0, |m| m.iter_str().filter(|(k, _)| *k == key).count())
    };
    assert_eq!(
        count(&f) + 1,
        count(file),
        "{key} was not removed from {path}"
    );
}

/// Flipping the DR switch changes only the switch lines, and each of them
/// only by its comment marker; a dormant variant changes only switch lines.
fn check_flag_flips(text: &str) {
    let flag = DrFlag::parse(Path::new("kustomization.yaml"), text);
    for line in &flag.lines {
        let Some(variant) = flag.variant_text(text, &line.entry) else {
            panic!("{} is a flag line but has no variant", line.entry);
        };
        let before: Vec<&str> = text.split_inclusive('\n').collect();
        let after: Vec<&str> = variant.split_inclusive('\n').collect();
        assert_eq!(
            before.len(),
            after.len(),
            "a variant changed the line count"
        );
        for (n, (b, a)) in before.iter().zip(&after).enumerate() {
            let is_flag = flag.lines.iter().any(|l| l.line as usize == n + 1);
            assert!(
                b == a || is_flag,
                "the variant for {} changed line {}: {b:?} -> {a:?}",
                line.entry,
                n + 1
            );
        }
    }
    for line in &flag.lines {
        let Some(flipped) = flag.flip_to(text, &line.entry) else {
            panic!("{} is a flag line but cannot be flipped to", line.entry);
        };
        let before: Vec<&str> = text.split_inclusive('\n').collect();
        let after: Vec<&str> = flipped.split_inclusive('\n').collect();
        assert_eq!(before.len(), after.len(), "flipping changed the line count");
        for (n, (b, a)) in before.iter().zip(&after).enumerate() {
            let is_flag = flag.lines.iter().any(|l| l.line as usize == n + 1);
            // Only comment markers and the indentation around them change.
            let strip = |s: &str| s.replace(['#', ' ', '\t'], "");
            assert!(
                b == a || (is_flag && strip(b) == strip(a)),
                "flipping to {} changed line {}: {b:?} -> {a:?}",
                line.entry,
                n + 1
            );
        }
    }
}
