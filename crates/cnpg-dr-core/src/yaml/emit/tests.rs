//! Whole-document tests: quoting, block scalars, folding, escapes, layout,
//! numbers and errors, with expected texts recorded from `kubectl kustomize`.

use serde_json::{json, Value};

use super::test_vectors::*;
use super::*;

const HEAD: &str = "apiVersion: x.io/v1\nkind: W\nmetadata:\n  name: w\nspec:\n";

/// Prints a resource with the given `spec` and returns what follows `spec:`.
fn spec_text(spec: Value) -> String {
    let doc =
        json!({"apiVersion": "x.io/v1", "kind": "W", "metadata": {"name": "w"}, "spec": spec});
    let out = emit_document(&doc).unwrap_or_else(|e| panic!("emit failed: {e}"));
    match out.strip_prefix(HEAD) {
        Some(rest) => rest.to_string(),
        None => panic!("unexpected document head in {out:?}"),
    }
}

fn check_values(table: &[(&str, &str)]) {
    for &(value, want) in table {
        assert_eq!(spec_text(json!({ "k": value })), want, "value {value:?}");
    }
}

fn check_keys(table: &[(&str, &str)]) {
    for &(key, want) in table {
        assert_eq!(spec_text(json!({ key: 1 })), want, "key {key:?}");
    }
}

#[test]
fn plain_scalars() {
    check_values(PLAIN);
    check_keys(PLAIN_KEY);
}

#[test]
fn double_quoted_when_yaml_1_1_reads_a_non_string() {
    check_values(DOUBLE);
    check_keys(DOUBLE_KEY);
}

#[test]
fn single_quoted_for_indicators_and_spaces() {
    check_values(SINGLE);
    check_keys(SINGLE_KEY);
}

#[test]
fn escapes_in_double_quotes() {
    check_values(ESCAPES);
    check_keys(ESCAPES_KEY);
}

#[test]
fn literal_blocks_chomping_and_indentation_indicators() {
    check_values(LITERAL);
    check_keys(LITERAL_KEY);
}

#[test]
fn folding_at_80_columns() {
    check_values(FOLDING);
    check_keys(FOLDING_KEY);
}

#[test]
fn folding_uses_the_current_indentation() {
    let spec = json!({"nested": [{"x": {"y": [{"z": "deep value that is long enough to be folded at the eightieth column of the output"}]}}]});
    assert_eq!(
        spec_text(spec),
        "  nested:\n  - x:\n      \"y\":\n      - z: deep value that is long enough to be folded at the eightieth column of\n          the output\n"
    );
}

#[test]
fn layout_of_collections() {
    let spec = json!({
        "nested": [[1, 2], [[3, [4]]], [], {}, {"a": []}, null, true, false, [{"b": 1, "a": [1]}]],
        "emptyMap": {},
        "emptyList": [],
        "nothing": null
    });
    assert_eq!(
        spec_text(spec),
        "  emptyList: []\n  emptyMap: {}\n  nested:\n  - - 1\n    - 2\n  - - - 3\n      - - 4\n  - []\n  - {}\n  - a: []\n  - null\n  - true\n  - false\n  - - a:\n      - 1\n      b: 1\n  nothing: null\n"
    );
}

#[test]
fn keys_in_natural_order() {
    let spec = json!({"b": 1, "B": 2, "a10": 3, "a9": 4, "a_": 5, "a-": 6, "a.": 7, "": 8,
        "10": 9, "9": 10, "010": 11, "é": 12, "z": 13});
    assert_eq!(
        spec_text(spec),
        "  \"\": 8\n  \"9\": 10\n  \"10\": 9\n  \"010\": 11\n  B: 2\n  a-: 6\n  a.: 7\n  a_: 5\n  a9: 4\n  a10: 3\n  b: 1\n  z: 13\n  é: 12\n"
    );
}

#[test]
fn numbers_as_go_yaml_prints_them_after_json() {
    let spec = json!([
        0,
        -1,
        1.5,
        1e20,
        1e21,
        1e-7,
        0.0001,
        100000.5,
        1000000.5,
        18446744073709551615u64,
        -9223372036854775808i64,
        1.0,
        12345678901234567890u64,
        1e15,
        123456789.125
    ]);
    assert_eq!(
        spec_text(spec),
        "- 0\n- -1\n- 1.5\n- 1e+20\n- 1e+21\n- 1e-07\n- 0.0001\n- 100000.5\n- 1.0000005e+06\n- 18446744073709551615\n- -9223372036854775808\n- 1\n- 12345678901234567890\n- 1000000000000000\n- 1.23456789125e+08\n"
    );
}

#[test]
fn documents_are_joined_without_a_leading_marker() {
    assert_eq!(emit_documents(&[]).unwrap(), "");
    let docs = [
        json!({"b": 1, "a": "x"}),
        json!({}),
        json!([]),
        json!("s"),
        json!(null),
    ];
    assert_eq!(
        emit_documents(&docs).unwrap(),
        "a: x\nb: 1\n---\n{}\n---\n[]\n---\ns\n---\nnull\n"
    );
    // A literal block ending in blank lines keeps them at the document end.
    assert_eq!(
        emit_document(&json!({"k": "a\n\n"})).unwrap(),
        "k: |+\n  a\n\n"
    );
}

#[test]
fn long_keys_use_the_explicit_key_form() {
    let key = "k".repeat(128);
    assert_eq!(
        spec_text(json!({ key.clone(): 1 })),
        format!("  {key}: 1\n")
    );
    let key = "k".repeat(129);
    assert_eq!(
        spec_text(json!({ key.clone(): 1 })),
        format!("  ? {key}\n  : 1\n")
    );
    // The limit counts bytes: 65 two-byte characters are 130 bytes.
    let key = "é".repeat(65);
    assert_eq!(
        spec_text(json!({ key.clone(): {"a": 1} })),
        format!("  ? {key}\n  : a: 1\n")
    );
}

#[test]
fn del_is_an_error() {
    let doc = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"del": "x\u{7f}y"}});
    let err = emit_document(&doc).unwrap_err();
    assert_eq!(err.to_string(), "yaml: control characters are not allowed");
    assert_eq!(
        err,
        EmitError::ControlCharacter {
            text: "x\u{7f}y".to_string()
        }
    );
    assert!(emit_documents(&[json!({}), doc]).is_err());
}

/// Every code point, at the start, middle and end of a value and inside a
/// key, is printed without panicking; the refused ones are errors.
#[test]
fn every_character_is_handled() {
    let refused = |c: char| matches!(c, '\u{7F}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}');
    let chars: Vec<char> = (0..=0x10FFFFu32).filter_map(char::from_u32).collect();
    for chunk in chars.chunks(2048) {
        let mut values = Vec::new();
        let mut keys = serde_json::Map::new();
        for &c in chunk {
            if refused(c) {
                let doc = json!({ "k": format!("a{c}") });
                assert!(
                    matches!(emit_document(&doc), Err(EmitError::ControlCharacter { .. })),
                    "{c:?}"
                );
                continue;
            }
            values.push(json!(format!("{c}a {c}")));
            values.push(json!(format!("{c}\n {c}")));
            if c != '\u{85}' {
                keys.insert(format!("k{c}"), json!(1));
            }
        }
        let doc = json!({ "values": values, "keys": keys });
        let out = emit_document(&doc).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.ends_with('\n'));
    }
}
