//! Loader tests: limits, errors with positions, merge and duplicate keys,
//! and byte-exact spans.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::yaml::{NodeKind, ScalarStyle};

fn file() -> Arc<Path> {
    Arc::from(Path::new("t.yaml"))
}

fn load(text: &str) -> Vec<Node> {
    load_str(text, file(), &LoadLimits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn load_with(text: &str, limits: &LoadLimits) -> Result<Vec<Node>, LoadError> {
    load_str(text, file(), limits)
}

fn one(text: &str) -> Node {
    let mut docs = load(text);
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn get<'a>(n: &'a Node, path: &[&str]) -> &'a Node {
    n.get_path(path).unwrap_or_else(|| panic!("no {path:?}"))
}

/// Asserts the loading fails fast and returns the error.
fn fails_fast(text: &str, limits: &LoadLimits) -> LoadError {
    let t = Instant::now();
    let err = load_with(text, limits).expect_err("must fail");
    assert!(
        // A guard against a runaway (quadratic or unbounded) load, not a
        // benchmark: generous, so a loaded machine does not trip it.
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    err
}

#[test]
fn spans_point_at_values() {
    let docs = load("a: 1\nb:\n  c: hello\n---\nx: [1, 2]\n");
    assert_eq!(docs.len(), 2);
    let c = get(&docs[0], &["b", "c"]);
    assert_eq!(c.as_str(), Some("hello"));
    assert_eq!(
        (c.span.line, c.span.column, c.span.start, c.span.end),
        (3, 6, 13, 18)
    );
}

#[test]
fn syntax_error_has_position() {
    let err = load_with("a: [1, 2\nb: c\n", &LoadLimits::default()).expect_err("unclosed");
    assert_eq!((err.line, err.kind.clone()), (2, LoadErrorKind::Syntax));
    assert!(err.to_string().starts_with("t.yaml:2:"), "{err}");
}

#[test]
fn documents_separators_bom_and_empties() {
    assert!(load("").is_empty(), "empty file: no documents");
    assert!(load("# only a comment\n\n# another\n").is_empty());
    assert!(load("\n\n").is_empty());
    let docs = load("a: 1\n...\n---\nb: 2\n---\n");
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[1].get_path(&["b"]).and_then(Node::as_str), Some("2"));
    assert!(
        docs[2].is_null(),
        "an explicit empty document is a null node"
    );
    // A byte order mark is not part of the first key, and spans still
    // index the original text.
    let text = "\u{feff}apiVersion: v1\nkind: X\n";
    let d = one(text);
    let k = &d.as_map().expect("map").entries[0].0;
    assert_eq!(k.as_str(), Some("apiVersion"));
    assert_eq!((k.span.line, k.span.column, k.span.start), (1, 1, 3));
    assert_eq!(k.source_text(text), "apiVersion");
    assert_eq!(get(&d, &["kind"]).source_text(text), "X");
}

#[test]
fn crlf_input() {
    let text = "apiVersion: v1\r\ndata:\r\n  a: one\r\n  b: |\r\n    line1\r\n    line2\r\n  c: \"x\r\n    y\"\r\n  d: plain\r\n    folded\r\n";
    let d = one(text);
    assert_eq!(get(&d, &["data", "a"]).as_str(), Some("one"));
    assert_eq!(get(&d, &["data", "b"]).as_str(), Some("line1\nline2\n"));
    assert_eq!(get(&d, &["data", "c"]).as_str(), Some("x y"));
    assert_eq!(get(&d, &["data", "d"]).as_str(), Some("plain folded"));
    assert_eq!(
        get(&d, &["data", "b"]).source_text(text),
        "|\r\n    line1\r\n    line2"
    );
    assert_eq!(get(&d, &["data", "c"]).source_text(text), "\"x\r\n    y\"");
    assert_eq!(
        get(&d, &["data", "d"]).source_text(text),
        "plain\r\n    folded"
    );
    assert_eq!(get(&d, &["data", "d"]).span.line, 9);
    assert_eq!(
        get(&d, &["data"]).source_text(text),
        &text[25..text.len() - 2]
    );
}

#[test]
fn case_020_crlf_file() {
    let text = include_str!("../../../../testdata/kustomize-conformance/cases/020-crlf-line-endings/input/resource.yaml");
    let d = one(text);
    let b = get(&d, &["data", "b"]);
    assert_eq!(b.as_str(), Some("line1\nline2\n"));
    assert_eq!(b.source_text(text), "|\r\n    line1\r\n    line2");
    assert_eq!((b.span.line, b.span.column), (7, 6));
}

#[test]
fn file_too_large_fails_before_parsing() {
    let limits = LoadLimits::default();
    let big = "a".repeat(100 * 1024 * 1024);
    let t = Instant::now();
    let err = load_with(&big, &limits).expect_err("too big");
    let err2 = load_bytes(big.as_bytes(), file(), &limits).expect_err("too big");
    assert!(
        // Before parsing: parsing 100 MiB takes far longer than this.
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(err.kind, LoadErrorKind::TooLarge);
    assert_eq!(err2, err);
    assert_eq!(
        err.to_string(),
        "t.yaml:1:1: file is 104857600 bytes, larger than the limit of 16777216 bytes"
    );
}

#[test]
fn invalid_utf8_names_the_byte() {
    let bytes = b"apiVersion: v1\ndata:\n  del: \"x\xffy\"\n";
    let err = load_bytes(bytes, file(), &LoadLimits::default()).expect_err("not utf-8");
    assert_eq!((err.line, err.column, err.offset), (3, 10, 30));
    assert_eq!(err.kind, LoadErrorKind::InvalidUtf8);
    assert!(
        err.to_string()
            .starts_with("t.yaml:3:10: byte 0xFF at line 3, column 10 is not valid UTF-8"),
        "{err}"
    );
    // Columns count characters, not bytes.
    let err = load_bytes(b"\xc3\xa9: \xe9\n", file(), &LoadLimits::default()).expect_err("latin-1");
    assert_eq!((err.line, err.column), (1, 4));
    assert_eq!(
        load_bytes(b"a: b\n", file(), &LoadLimits::default()).map(|d| d.len()),
        Ok(1)
    );
}

#[test]
fn billion_laughs_stops_early() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let err = fails_fast(&text, &LoadLimits::default());
    assert_eq!(err.kind, LoadErrorKind::AliasExpansion);
    assert!(err.message.contains("more than 100000 nodes"), "{err}");
    assert!(err.line >= 5, "{err}");
    // A smaller limit stops sooner, with the alias position.
    let limits = LoadLimits {
        max_alias_nodes: 50,
        ..LoadLimits::default()
    };
    let err = fails_fast(&text, &limits);
    // Five copies of `*a0` (ten nodes each) fit; the sixth does not.
    assert_eq!((err.line, err.column), (2, 35));
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let flow = "[".repeat(100_000);
    let err = fails_fast(&flow, &LoadLimits::default());
    assert!(
        matches!(err.kind, LoadErrorKind::TooDeep | LoadErrorKind::Syntax),
        "{err}"
    );
    assert!(err.message.contains("nested more than"), "{err}");
    let flow_map = "{a: ".repeat(100_000);
    let err = fails_fast(&flow_map, &LoadLimits::default());
    assert!(err.message.contains("nested more than"), "{err}");
    let block = "- ".repeat(100_000) + "x\n";
    let err = fails_fast(&block, &LoadLimits::default());
    assert_eq!(err.kind, LoadErrorKind::TooDeep);
    assert_eq!((err.line, err.column), (1, 513));
    assert_eq!(err.message, "collections nested more than 256 levels deep");
    let limits = LoadLimits {
        max_depth: 3,
        ..LoadLimits::default()
    };
    assert_eq!(
        fails_fast("a: {b: {c: {d: 1}}}\n", &limits).kind,
        LoadErrorKind::TooDeep
    );
    assert!(load_with("a: {b: {c: 1}}\n", &limits).is_ok());
    // Aliases cannot be used to nest deeper than the limit either.
    let err = fails_fast("x: &x {b: {c: 1}}\ny: {z: *x}\n", &limits);
    assert_eq!(
        (err.kind.clone(), err.line, err.column),
        (LoadErrorKind::TooDeep, 2, 8)
    );
}

#[test]
fn tabs_as_indentation_are_named() {
    for (text, line, col) in [
        ("a:\n\tb: c\n", 2, 1),
        ("- a\n\t- b\n", 2, 1),
        ("a:\n  b: 1\n \tc: 2\n", 3, 2),
    ] {
        let err = load_with(text, &LoadLimits::default()).expect_err(text);
        assert_eq!(err.kind, LoadErrorKind::Tab, "{text:?}: {err}");
        assert_eq!((err.line, err.column), (line, col), "{text:?}");
        assert!(
            err.message.contains("tab character") && err.message.contains("indentation"),
            "{err}"
        );
    }
}

#[test]
fn tabs_that_go_yaml_accepts() {
    // kubectl accepts a tab after `:` and inside values; yaml-rust2 needs help.
    let text = "a:\tb\nc: d\te\nf: [1,\t2]\ng: {h:\ti}\nj: |\n  k:\tv\nl:\t\"m\"\n";
    let d = one(text);
    assert_eq!(get(&d, &["a"]).as_str(), Some("b"));
    assert_eq!(get(&d, &["c"]).as_str(), Some("d\te"));
    assert_eq!(get(&d, &["g", "h"]).as_str(), Some("i"));
    assert_eq!(
        get(&d, &["j"]).as_str(),
        Some("k:\tv\n"),
        "a tab inside a block scalar is content"
    );
    assert_eq!(get(&d, &["l"]).source_text(text), "\"m\"");
    assert_eq!(get(&d, &["a"]).source_text(text), "b");
    // Tabs inside quotes, block scalars and comments are left alone.
    let text = "#c:\tx\nq: \"a:\tb\"\ns: 'c:\td'\nm: \"multi\n  x:\ty\"\nb: |\n  e:\tf\n  - g:\th\nk:\tv # z:\tw\n";
    let d = one(text);
    assert_eq!(get(&d, &["q"]).as_str(), Some("a:\tb"));
    assert_eq!(get(&d, &["s"]).as_str(), Some("c:\td"));
    assert_eq!(get(&d, &["m"]).as_str(), Some("multi x:\ty"));
    assert_eq!(get(&d, &["b"]).as_str(), Some("e:\tf\n- g:\th\n"));
    assert_eq!(get(&d, &["k"]).as_str(), Some("v"));
    // Many of them load quickly.
    let many: String = (0..5000).map(|i| format!("k{i}:\tv{i}\n")).collect();
    let t = Instant::now();
    let d = one(&many);
    assert!(
        // A guard against a runaway (quadratic or unbounded) load, not a
        // benchmark: generous, so a loaded machine does not trip it.
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(get(&d, &["k4999"]).as_str(), Some("v4999"));
}

#[test]
fn duplicate_keys_by_rule() {
    let text = "apiVersion: v1\nkind: X\nmetadata:\n  name: x\nspec:\n  a: 1\n  a: 2\n";
    // Default (resources): kept, like kyaml; the first one is what `get` sees.
    let d = one(text);
    let spec = get(&d, &["spec"]).as_map().expect("map");
    assert_eq!(spec.len(), 2);
    assert_eq!(spec.get("a").and_then(Node::as_str), Some("1"));
    // Strict: an error naming both places.
    let strict = LoadLimits {
        duplicate_keys: DuplicateKeys::Error,
        ..LoadLimits::default()
    };
    let err = load_with(text, &strict).expect_err("duplicate");
    assert_eq!((err.line, err.column), (7, 3));
    assert_eq!(
        err.kind,
        LoadErrorKind::DuplicateKey {
            key: "a".to_string(),
            first_line: 6,
            first_column: 3
        }
    );
    assert!(
        err.message
            .contains("mapping key \"a\" already defined at line 6"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("t.yaml:7:3: the key `a` is written twice"),
        "{err}"
    );
    // go-yaml v2 (kustomization files): the last value, in the first place.
    let d = load_with(
        "namePrefix: p1-\nresources: []\nnamePrefix: p2-\n",
        &LoadLimits::yaml11(),
    )
    .expect("loads");
    let m = d[0].as_map().expect("map");
    assert_eq!(m.len(), 2);
    assert_eq!(m.entries[0].0.as_str(), Some("namePrefix"));
    assert_eq!(m.get("namePrefix").and_then(Node::as_str), Some("p2-"));
    // Keys compare as written: `a` and `"a"` are the same, `1` and `01` are not.
    assert!(load_with("a: 1\n\"a\": 2\n", &strict).is_err());
    assert!(load_with("1: a\n01: b\n", &strict).is_ok());
}

const MERGES: &str = "base: &a {k1: a1, k2: a2, k3: a3}
other: &b {k2: b2, k4: b4}
m1:
  k1: explicit
  <<: *a
m2:
  <<: [*a, *b]
m3:
  <<: [*b, *a]
  k4: mine
m4:
  \"<<\": *a
m5:
  <<: {z: 1}
  y: 2
m6: &c
  <<: *b
  k5: c5
m7:
  <<: *c
";

fn pairs(n: &Node) -> Vec<(String, String)> {
    n.as_map()
        .expect("map")
        .entries
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap_or("?").to_string(),
                v.as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

fn sorted_pairs(n: &Node) -> Vec<(String, String)> {
    let mut p = pairs(n);
    p.sort();
    p
}

fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn merge_keys_like_kyaml() {
    // Every expectation is the output of kubectl kustomize for this resource.
    let d = one(MERGES);
    assert_eq!(
        sorted_pairs(get(&d, &["m1"])),
        kv(&[("k1", "explicit"), ("k2", "a2"), ("k3", "a3")])
    );
    assert_eq!(
        sorted_pairs(get(&d, &["m2"])),
        kv(&[("k1", "a1"), ("k2", "a2"), ("k3", "a3"), ("k4", "b4")])
    );
    assert_eq!(
        sorted_pairs(get(&d, &["m3"])),
        kv(&[("k1", "a1"), ("k2", "b2"), ("k3", "a3"), ("k4", "mine")])
    );
    assert_eq!(
        sorted_pairs(get(&d, &["m4"])),
        kv(&[]),
        "a quoted `<<` key is dropped"
    );
    assert_eq!(
        sorted_pairs(get(&d, &["m5"])),
        kv(&[("y", "2"), ("z", "1")])
    );
    assert_eq!(
        sorted_pairs(get(&d, &["m6"])),
        kv(&[("k2", "b2"), ("k4", "b4"), ("k5", "c5")])
    );
    assert_eq!(
        sorted_pairs(get(&d, &["m7"])),
        kv(&[("k2", "b2"), ("k4", "b4"), ("k5", "c5")])
    );
    // Written keys come first, in order, then the merged ones.
    assert_eq!(
        pairs(get(&d, &["m1"]))[0],
        ("k1".to_string(), "explicit".to_string())
    );
    // A merged value keeps the span of its definition.
    assert_eq!(get(&d, &["m1", "k2"]).source_text(MERGES), "a2");
}

#[test]
fn merge_keys_like_go_yaml_v2() {
    // kubectl: a kustomization's commonAnnotations with this map gave
    // a: merged, b: m1, c: after, d: m2 (v2 applies entries in order).
    let text = "a: explicit\n<<: [{a: merged, b: m1, c: m1}, {b: m2, c: m2, d: m2}]\nc: after\n\"<<\": quoted\n";
    let d = load_with(text, &LoadLimits::yaml11()).expect("loads");
    assert_eq!(
        sorted_pairs(&d[0]),
        kv(&[
            ("<<", "quoted"),
            ("a", "merged"),
            ("b", "m1"),
            ("c", "after"),
            ("d", "m2")
        ])
    );
    // The same map read the kyaml way (kubectl, as a resource): written keys
    // win wherever they are, and only the first key spelt `<<` is removed.
    let d = one(text);
    assert_eq!(
        sorted_pairs(&d),
        kv(&[
            ("<<", "quoted"),
            ("a", "explicit"),
            ("b", "m1"),
            ("c", "after"),
            ("d", "m2")
        ])
    );
}

#[test]
fn bad_merges_are_errors() {
    for (text, fragment, line) in [
        (
            "a:\n  <<: 5\n",
            "map merge requires map or sequence of maps as the value",
            2,
        ),
        (
            "a:\n  <<: [{x: 1}, 2]\n",
            "map merge requires map or sequence of maps",
            2,
        ),
        ("a:\n  <<: [[{x: 1}]]\n", "received a nested sequence", 2),
        (
            "s: &s x\na:\n  <<: *s\n",
            "received alias for a non-map value",
            3,
        ),
        ("a:\n  <<: {x: 1}\n  <<: {y: 1}\n", "duplicate merge key", 3),
    ] {
        let err = load_with(text, &LoadLimits::default()).expect_err(text);
        assert_eq!(err.kind, LoadErrorKind::Merge, "{text:?}");
        assert!(err.message.contains(fragment), "{text:?}: {err}");
        assert_eq!(err.line, line, "{text:?}: {err}");
    }
    let err = load_with("a:\n  <<: 5\n", &LoadLimits::yaml11()).expect_err("v2 too");
    assert!(err.message.contains("map merge requires map"), "{err}");
}

#[test]
fn aliases_expand_and_point_at_the_alias() {
    let text = "a: &x {k: v}\nb: *x\nc: [*x, 1]\n";
    let d = one(text);
    let b = get(&d, &["b"]);
    assert_eq!(get(b, &["k"]).as_str(), Some("v"));
    assert_eq!(b.source_text(text), "*x");
    assert_eq!((b.span.line, b.span.column), (2, 4));
    assert_eq!(
        get(b, &["k"]).span.line,
        1,
        "children keep the anchor's spans"
    );
    assert_eq!(get(&d, &["c"]).source_text(text), "[*x, 1]");
    assert_eq!(get(&d, &["a"]).source_text(text), "&x {k: v}");
    let err = load_with("a: *nope\n", &LoadLimits::default()).expect_err("unknown anchor");
    assert_eq!(err.line, 1);
}

/// Every `(path, text)`: the node at `path` has exactly `text` as its source.
fn assert_sources(text: &str, rows: &[(&[&str], &str)]) {
    let d = one(text);
    for (path, want) in rows {
        let n = get(&d, path);
        assert_eq!(n.source_text(text), *want, "{path:?}");
        let (line, col) = {
            let before = &text[..n.span.start];
            let line = before.matches('\n').count() as u32 + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            (line, col)
        };
        assert_eq!((n.span.line, n.span.column), (line, col), "{path:?}");
    }
}

#[test]
fn exact_spans_of_scalars() {
    let text = concat!(
        "plain: hello world   # comment\n",
        "multi: first line\n",
        "  second line\n",
        "\n",
        "  after blank\n",
        "dq: \"esc \\\" quote \\\\ and\n",
        "  folded\"  # c\n",
        "sq: 'it''s # not a comment'\n",
        "lit: |2-\n",
        "   indented\n",
        "  text\n",
        "\n",
        "# less indented comment ends it\n",
        "fold: >+ # header comment\n",
        "  a\n",
        "  b\n",
        "\n",
        "tagged: &t !!str 123\n",
        "empty:\n",
        "emptytag: !!null\n",
        "é: ünïcode value\n",
        "last: |\n",
        "  x\n",
        "    # content, not a comment\n",
    );
    assert_sources(
        text,
        &[
            (&["plain"], "hello world"),
            (&["multi"], "first line\n  second line\n\n  after blank"),
            (&["dq"], "\"esc \\\" quote \\\\ and\n  folded\""),
            (&["sq"], "'it''s # not a comment'"),
            (&["lit"], "|2-\n   indented\n  text"),
            (&["fold"], ">+ # header comment\n  a\n  b"),
            (&["tagged"], "&t !!str 123"),
            (&["empty"], ""),
            (&["emptytag"], "!!null"),
            (&["é"], "ünïcode value"),
            (&["last"], "|\n  x\n    # content, not a comment"),
        ],
    );
    let d = one(text);
    assert_eq!(
        get(&d, &["multi"]).as_str(),
        Some("first line second line\nafter blank")
    );
    assert_eq!(get(&d, &["lit"]).as_str(), Some(" indented\ntext"));
    // One break more than YAML 1.2 gives: what go-yaml, and so `kubectl
    // kustomize`, reads for a folded keep scalar followed by a blank line.
    assert_eq!(get(&d, &["fold"]).as_str(), Some("a b\n\n\n"));
    assert_eq!(
        get(&d, &["fold"]).span.end,
        text.find("  b\n").map_or(0, |i| i + 3)
    );
    let empty = get(&d, &["empty"]);
    assert_eq!(
        empty.span.start,
        text.find("empty:").map_or(0, |i| i + 6),
        "just after the colon"
    );
    assert_eq!(get(&d, &["é"]).span.column, 4, "columns count characters");
}

#[test]
fn exact_spans_of_collections() {
    let text = concat!(
        "flow: [a, \"b, c\", {d: e}, [f]]  # trailing\n",
        "map:\n",
        "  k: v\n",
        "  nested:\n",
        "  - 1\n",
        "  - - 2\n",
        "    - 3   # comment after the last child\n",
        "# a comment after the mapping\n",
        "anchored: &m\n",
        "  x: 1\n",
        "seq: !!seq\n",
        "- a\n",
        "- b: c\n",
        "  d: e\n",
        "fm: {a: 1,\n",
        "  b: 2}\n",
    );
    assert_sources(
        text,
        &[
            (&["flow"], "[a, \"b, c\", {d: e}, [f]]"),
            (&["map"], "k: v\n  nested:\n  - 1\n  - - 2\n    - 3"),
            (&["map", "nested"], "- 1\n  - - 2\n    - 3"),
            (&["anchored"], "&m\n  x: 1"),
            (&["seq"], "!!seq\n- a\n- b: c\n  d: e"),
            (&["fm"], "{a: 1,\n  b: 2}"),
        ],
    );
    let d = one(text);
    let flow = get(&d, &["flow"]).as_seq().expect("seq");
    let texts: Vec<&str> = flow.iter().map(|n| n.source_text(text)).collect();
    assert_eq!(texts, ["a", "\"b, c\"", "{d: e}", "[f]"]);
    let nested = get(&d, &["map", "nested"]).as_seq().expect("seq");
    assert_eq!(nested[1].source_text(text), "- 2\n    - 3");
    let seq = get(&d, &["seq"]).as_seq().expect("seq");
    assert_eq!(seq[1].source_text(text), "b: c\n  d: e");
    assert_eq!(
        d.source_text(text),
        text.trim_end(),
        "the document covers everything"
    );
}

#[test]
fn replacing_a_span_replaces_exactly_the_value() {
    let text = "a: |\n  old\n  text\nb: \"q\"  # keep me\nc: [1, 2]\n";
    let d = one(text);
    for (key, new, want) in [
        ("a", "new", "a: new\nb: \"q\"  # keep me\nc: [1, 2]\n"),
        (
            "b",
            "'z'",
            "a: |\n  old\n  text\nb: 'z'  # keep me\nc: [1, 2]\n",
        ),
        (
            "c",
            "{}",
            "a: |\n  old\n  text\nb: \"q\"  # keep me\nc: {}\n",
        ),
    ] {
        let s = &get(&d, &[key]).span;
        let edited = format!("{}{}{}", &text[..s.start], new, &text[s.end..]);
        assert_eq!(edited, want);
    }
}

/// Checks the span invariants of every node of a loaded file.
fn check_spans(text: &str, n: &Node, name: &str) {
    let s = &n.span;
    assert!(
        s.start <= s.end && s.end <= text.len(),
        "{name}: {s:?} {}..{}",
        s.start,
        s.end
    );
    let src = n.source_text(text);
    // Lines end at `\n`, `\r\n` or a lone `\r`.
    let before = text[..s.start].replace("\r\n", "\n").replace('\r', "\n");
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    assert_eq!(
        (s.line as usize, s.column as usize),
        (line, col),
        "{name}: {src:?}"
    );
    // Properties (and comments after them) come first; then the value.
    let mut value = src;
    while value.starts_with(['&', '!', '#']) {
        let stop: &[char] = if value.starts_with('#') {
            &['\n', '\r']
        } else {
            &[' ', '\t', '\n', '\r', '[', '{']
        };
        if value.starts_with("!<") {
            value = value.split_once('>').map_or("", |(_, rest)| rest);
        }
        value = match value.find(stop) {
            Some(i) => value[i..].trim_start(),
            None => "",
        };
    }
    match &n.kind {
        NodeKind::Scalar(sc) => match sc.style {
            ScalarStyle::Plain if !sc.text.contains('\n') && !value.contains(['\n', '\r']) => {
                // (yaml-rust2 lets a plain scalar run on past a comment line;
                // the span then stops at the comment.)
                let comment_next = text[s.end..].trim_start().starts_with('#');
                assert!(
                    value == sc.text || value.starts_with('*') || comment_next,
                    "{name}: {value:?} vs {:?}",
                    sc.text
                )
            }
            ScalarStyle::Plain => {}
            ScalarStyle::DoubleQuoted => assert!(
                value.starts_with('"') && value.ends_with('"') || value.starts_with('*'),
                "{name}: {value:?}"
            ),
            ScalarStyle::SingleQuoted => assert!(
                value.starts_with('\'') && value.ends_with('\'') || value.starts_with('*'),
                "{name}: {value:?}"
            ),
            ScalarStyle::Literal | ScalarStyle::Folded => {
                assert!(value.starts_with(['|', '>', '*']), "{name}: {value:?}")
            }
        },
        NodeKind::Seq(items) => {
            assert!(value.starts_with(['[', '-', '*']), "{name}: {value:?}");
            for i in items {
                check_spans(text, i, name);
            }
        }
        NodeKind::Map(m) => {
            let flow_key = m
                .entries
                .first()
                .is_some_and(|(k, _)| k.span.start == s.start);
            if value.starts_with('{') && !flow_key {
                assert!(value.ends_with('}'), "{name}: {value:?}");
            }
            // Only a block scalar's content may end in blanks.
            let block = value.contains(['|', '>']);
            assert!(
                block || !value.ends_with([' ', '\n', '\r']),
                "{name}: {value:?}"
            );
            for (k, v) in &m.entries {
                check_spans(text, k, name);
                check_spans(text, v, name);
            }
        }
    }
}

#[test]
fn every_corpus_file_loads_with_consistent_spans() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kustomize-conformance/cases");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 400, "found {} files", files.len());
    let (mut loaded, mut nodes) = (0, 0);
    for p in &files {
        let bytes = std::fs::read(p).expect("read");
        let name = p.display().to_string();
        let Ok(docs) = load_bytes(&bytes, Arc::from(p.as_path()), &LoadLimits::default()) else {
            assert!(name.contains("invalid-yaml"), "{name} should load");
            continue;
        };
        let text = std::str::from_utf8(&bytes).expect("utf-8");
        for d in &docs {
            check_spans(text, d, &name);
            nodes += 1;
        }
        loaded += 1;
    }
    assert!(
        loaded > 400 && nodes > 400,
        "{loaded} files, {nodes} documents"
    );
}

#[test]
fn tricky_inputs_keep_span_invariants() {
    let inputs = [
        "key:\n- [a, b]\n- {c: d}\n- - e\n  - f\n",
        "key:\n- - x\n- y\n",
        "a: &s\n  - 1\n  - 2\nb: *s\nc: !!map\n  d: e\n",
        "? complex key\n: value\n? [flow, key]\n: v2\n",
        "--- |\n  root literal\n--- >-\n  folded root\n...\n--- plain root\n",
        "{a: , b: 1, c: [x, \"y\",\n  z], 'd': {e: f}}\n",
        "- a # c1\n# c2\n- b\n\n# trailing\n",
        "a: 'multi\n  line single'\nb: \"with \\t escape \\u00e9\"\nc: plain # comment\n",
        "é: [ü, {ö: ä}]\nx: |\n  ünïcödé\n  ✓\ny: z\n",
        "a:\n  - b:\n      c: |+\n        keep\n\n  - d\n",
        "a: !custom\n  x: 1\nb: ! plain\nc: !!binary aGk=\n",
        "[1, [2, [3, [4]]]]\n",
        "a:\r\n- x\r\n- 'y'\r\nb: \"z\"\r\n",
    ];
    for text in inputs {
        for d in load(text) {
            check_spans(text, &d, text);
        }
    }
    let text = inputs[0];
    let d = one(text);
    let key = get(&d, &["key"]);
    assert_eq!(key.source_text(text), "- [a, b]\n- {c: d}\n- - e\n  - f");
    let items: Vec<&str> = key
        .as_seq()
        .expect("seq")
        .iter()
        .map(|n| n.source_text(text))
        .collect();
    assert_eq!(items, ["[a, b]", "{c: d}", "- e\n  - f"]);
    let text = inputs[4];
    let roots: Vec<String> = load(text)
        .iter()
        .map(|d| d.source_text(text).to_string())
        .collect();
    assert_eq!(
        roots,
        ["|\n  root literal", ">-\n  folded root", "plain root"]
    );
    let text = inputs[5];
    let d = one(text);
    assert_eq!(
        get(&d, &["a"]).span.start,
        text.find("a:").map_or(0, |i| i + 2)
    );
    assert_eq!(get(&d, &["c"]).source_text(text), "[x, \"y\",\n  z]");
}

#[test]
fn random_inputs_never_panic() {
    // A fixed pseudo-random sequence over the characters YAML cares about.
    let alphabet: Vec<char> = " \n\t:-?[]{},#&*!|>\"'ab1<\ré%@.~=\\".chars().collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let limits = LoadLimits::default();
    let strict = LoadLimits {
        duplicate_keys: DuplicateKeys::Error,
        ..LoadLimits::yaml11()
    };
    let (mut ok, mut nodes, mut strict_nodes) = (0, 0usize, 0usize);
    for _ in 0..FUZZ_ROUNDS {
        let len = (next() % 60) as usize;
        let kind = next() % 3;
        let text: String = match kind {
            0 => (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect(),
            1 => (0..len / 3)
                .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
                .collect(),
            _ => (0..len / 6)
                .map(|_| {
                    let indent = ["", "  ", "    "][(next() % 3) as usize];
                    let line = LINES[(next() % LINES.len() as u64) as usize];
                    format!("{indent}{line}\n")
                })
                .collect(),
        };
        for l in [&limits, &strict] {
            if let Ok(docs) = load_str(&text, file(), l) {
                ok += 1;
                for d in &docs {
                    nodes += count(d);
                    // Line-shaped inputs are realistic enough for the strict
                    // checks; character soup only has to stay in bounds.
                    if kind == 2 {
                        strict_nodes += count(d);
                        check_spans(&text, d, &text);
                    } else {
                        check_spans_loosely(&text, d);
                    }
                    let _ = crate::yaml::to_json(d, crate::yaml::Schema::Kyaml);
                    let _ = crate::yaml::to_json(d, crate::yaml::Schema::Yaml11);
                }
            }
        }
    }
    eprintln!("fuzz: {ok} loads, {nodes} nodes, {strict_nodes} strictly checked");
    assert!(ok > FUZZ_ROUNDS / 10, "{ok} inputs loaded");
}

/// Rounds of the random test (3,000,000 were run once without a failure).
const FUZZ_ROUNDS: usize = 30_000;
const LINES: &[&str] = &[
    "key: value",
    "k2: 1",
    "- item",
    "-",
    "key:",
    "- key: v",
    "k: [a, b]",
    "k: {a: 1, b: }",
    "k: &a v",
    "k: &m",
    "k: *a",
    "k: *m",
    "<<: *m",
    "<<: [*m, *m]",
    "k: |",
    "k: >-",
    "text",
    "k: \"q",
    "r\"",
    "# c",
    "k: !!str 5",
    "? x",
    ": y",
    "---",
    "k: 'it''s'",
    "é: ü",
    "k:\tv",
    "k: .inf",
    "k: 2024-01-02",
];

fn count(n: &Node) -> usize {
    1 + match &n.kind {
        NodeKind::Scalar(_) => 0,
        NodeKind::Seq(items) => items.iter().map(count).sum(),
        NodeKind::Map(m) => m.entries.iter().map(|(k, v)| count(k) + count(v)).sum(),
    }
}
const TOKENS: &[&str] = &[
    "key: ",
    "k2: ",
    "- ",
    "\n",
    "\n  ",
    "\n    ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!int ",
    "|",
    "|-\n",
    ">+\n",
    "\"x\"",
    "'y'",
    "<<: ",
    "# c",
    "\t",
    "é",
    "a",
    "1",
    "? ",
    ": ",
    "---\n",
    "...\n",
    "\r\n",
    "\"a\\\"b",
    "2024-01-02",
    ".inf",
    "~",
];

fn check_spans_loosely(text: &str, n: &Node) {
    assert!(
        n.span.start <= n.span.end && n.span.end <= text.len(),
        "{text:?}: {:?}",
        n.span
    );
    assert!(
        text.is_char_boundary(n.span.start) && text.is_char_boundary(n.span.end),
        "{text:?}"
    );
    match &n.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter().for_each(|i| check_spans_loosely(text, i)),
        NodeKind::Map(m) => m.entries.iter().for_each(|(k, v)| {
            check_spans_loosely(text, k);
            check_spans_loosely(text, v);
        }),
    }
}
