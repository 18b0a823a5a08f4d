use std::path::PathBuf;

use serde_json::json;

use super::*;

const RESOURCE: &str = "apiVersion: example.com/v1
kind: Widget
metadata:
  name: pg
  annotations:
    example.com/a~b: tilde
    cnpg.io/hibernation: \"off\"
spec:
  instances: 3
  s: \"3\"
  f: 1.5
  n: null
  m: {a: 1, b: x}
  l: [a, b, c]
  e: {}
";

fn resource() -> Node {
    load_str(
        RESOURCE,
        Arc::from(Path::new("r.yaml")),
        &LoadLimits::default(),
    )
    .unwrap()
    .remove(0)
}

fn ops(text: &str) -> Vec<Op> {
    parse_ops(text, Arc::from(Path::new("ops.yaml"))).unwrap()
}

fn json_of(node: &Node) -> Value {
    to_json(node, Schema::Kyaml).unwrap()
}

/// Applies `ops_text` to the test resource and returns the resulting `spec`.
fn spec_after(ops_text: &str) -> Value {
    let mut r = resource();
    apply(&mut r, &ops(ops_text)).unwrap();
    json_of(&r)["spec"].clone()
}

/// The error of applying `ops_text`; the resource must be left unchanged.
fn error_of(ops_text: &str) -> RenderError {
    let mut r = resource();
    let parsed = ops(ops_text);
    let e = apply(&mut r, &parsed).unwrap_err();
    assert_eq!(r, resource(), "a failed patch leaves the resource alone");
    assert_eq!(e.kind, RenderErrorKind::Patch);
    e
}

fn message_of(ops_text: &str) -> String {
    error_of(ops_text).message
}

fn spec_with(patch: Value) -> Value {
    let mut spec = json_of(&resource())["spec"].clone();
    if let (Some(spec), Some(patch)) = (spec.as_object_mut(), patch.as_object()) {
        for (k, v) in patch {
            spec.insert(k.clone(), v.clone());
        }
    }
    spec
}

// ---------------------------------------------------------------- parse

#[test]
fn parses_yaml_and_json_documents() {
    let yaml = ops("- op: add\n  path: /spec/x\n  value: {a: 1}\n- op: remove\n  path: /spec/y\n");
    assert_eq!(yaml.len(), 2);
    assert_eq!(yaml[0].kind, Field::Str("add".into()));
    assert_eq!(yaml[0].path, Field::Str("/spec/x".into()));
    assert_eq!(yaml[0].from, Field::Missing);
    assert_eq!(yaml[0].span.line, 1);
    assert_eq!(yaml[1].span.line, 4);
    assert!(yaml[1].value.is_none());
    let raw = ops("[{\"op\": \"move\", \"from\": \"/a\", \"path\": 1, \"value\": null}]");
    assert_eq!(raw[0].from, Field::Str("/a".into()));
    assert_eq!(raw[0].path, Field::Wrong("number"));
    assert!(matches!(raw[0].value, Some(Conv::Null(_))));
    // Nothing to do: an empty or null document, an empty list.
    assert!(ops("").is_empty());
    assert!(ops("~\n").is_empty());
    assert!(ops("[]").is_empty());
    // A null item is an op without fields (it fails when applied).
    assert_eq!(ops("- ~\n")[0].kind, Field::Missing);
}

#[test]
fn parse_errors_are_the_decoder_causes() {
    let cases = [
        (
            "op: add\n",
            "decoding {\"op\":\"add\"}: json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        ),
        (
            "- 1\n",
            "decoding [1]: json: cannot unmarshal number into Go value of type jsonpatch.Operation",
        ),
        (
            "- op: add\n  value: \"a<b\"\n- x\n",
            "decoding [{\"op\":\"add\",\"value\":\"a\\u003cb\"},\"x\"]: json: cannot unmarshal string into Go value of type jsonpatch.Operation",
        ),
        (
            "- op: add\n  path: /spec/zz\n  value: {null: c}\n",
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"c\"",
        ),
        (
            "- op: add\n  path: /spec/zz\n  value: .inf\n",
            "json: unsupported value: +Inf",
        ),
    ];
    for (text, cause) in cases {
        let e = parse_ops(text, Arc::from(Path::new("ops.yaml"))).unwrap_err();
        assert_eq!(e.message, cause, "{text}");
        assert_eq!(e.kind, RenderErrorKind::Patch);
        assert!(e.span.is_some());
    }
    let e = parse_ops(
        "- op: add\n  path: [/spec/zz\n",
        Arc::from(Path::new("ops.yaml")),
    )
    .unwrap_err();
    assert!(e.message.starts_with("yaml: line "), "{}", e.message);
    assert_eq!(
        e.span.map(|s| s.file),
        Some(Arc::from(Path::new("ops.yaml")))
    );
    // A text that starts with `[` must be JSON.
    let e = parse_ops("[{op: add}]", Arc::from(Path::new("ops.yaml"))).unwrap_err();
    assert!(
        e.message.starts_with("decoding [{op: add}]: "),
        "{}",
        e.message
    );
}

#[test]
fn values_become_nodes_typed_like_json() {
    let parsed = ops("- op: add\n  path: /x\n  value:\n    s: \"3\"\n    i: 3\n    f: 1.50\n    b: true\n    n: ~\n    l: [a, 1]\n    1.5: k\n    12345678.5: c\n    2: b\n    true: t\n");
    let node = parsed[0].value.as_ref().unwrap().to_node();
    assert_eq!(
        json_of(&node),
        // YAML 1.1: the key `n` is the boolean false, written "false" in JSON.
        json!({"s": "3", "i": 3, "f": 1.5, "b": true, "false": null, "l": ["a", 1],
               "1.5": "k", "1.2345678e+07": "c", "2": "b", "true": "t"})
    );
    let s = node.get_path(&["s"]).unwrap();
    assert!(
        !s.as_scalar().unwrap().style.is_plain(),
        "strings stay strings"
    );
    assert_eq!(node.get_path(&["f"]).unwrap().as_str(), Some("1.5"));
    // Provenance: each value keeps the position of the op value that set it.
    assert_eq!((s.span.line, s.span.column), (4, 8));
    assert_eq!(&*s.span.file, Path::new("ops.yaml"));
}

// ---------------------------------------------------------------- add

#[test]
fn add_appends_inserts_and_replaces() {
    assert_eq!(
        spec_after("- {op: add, path: /spec/l/-, value: d}\n- {op: add, path: /spec/l/0, value: z}\n- {op: add, path: /spec/l/-1, value: y}\n- {op: add, path: /spec/m/c, value: 2}\n- {op: add, path: /spec/instances, value: 1}\n"),
        // YAML 1.1: an unquoted `y` value is the boolean true.
        spec_with(json!({"l": ["z", "a", "b", "c", "d", true], "m": {"a": 1, "b": "x", "c": 2}, "instances": 1}))
    );
    // An index equal to the length appends; a missing value adds null.
    assert_eq!(
        spec_after("- {op: add, path: /spec/l/3, value: d}\n- {op: add, path: /spec/q}\n"),
        spec_with(json!({"l": ["a", "b", "c", "d"], "q": null}))
    );
    // An empty key, and a path without a leading slash (its first segment is ignored).
    let mut r = resource();
    apply(
        &mut r,
        &ops("- {op: add, path: /spec/, value: 1}\n- {op: add, path: spec/q, value: 2}\n"),
    )
    .unwrap();
    assert_eq!(json_of(&r)["spec"][""], json!(1));
    assert_eq!(json_of(&r)["q"], json!(2));
}

#[test]
fn add_errors() {
    assert_eq!(
        message_of("- {op: add, path: /spec/l/5, value: {name: far}}\n"),
        "error in add for path: '/spec/l/5': Unable to access invalid index: 5: invalid index referenced"
    );
    assert_eq!(
        message_of("- {op: add, path: /spec/l/-5, value: x}\n"),
        "error in add for path: '/spec/l/-5': Unable to access invalid index: -5: invalid index referenced"
    );
    assert_eq!(
        message_of("- {op: add, path: /spec/l/x, value: 1}\n"),
        "error in add for path: '/spec/l/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax"
    );
    assert_eq!(
        message_of("- {op: add, path: /spec/l/99999999999999999999, value: 1}\n"),
        "error in add for path: '/spec/l/99999999999999999999': value was not a proper array index: '99999999999999999999': strconv.Atoi: parsing \"99999999999999999999\": value out of range"
    );
    for path in [
        "/spec/zz/q",
        "/spec/n/q",
        "/spec/instances/q",
        "/spec/l/x/y",
        "a/b/q",
        "",
    ] {
        assert_eq!(
            message_of(&format!("- {{op: add, path: \"{path}\", value: 1}}\n")),
            format!("add operation does not apply: doc is missing path: \"{path}\": missing value")
        );
    }
    assert_eq!(
        message_of("- op: add\n  value: 1\n"),
        "add operation failed to decode path: missing value"
    );
    assert_eq!(
        message_of("- {op: add, path: 1, value: 1}\n"),
        "add operation failed to decode path: missing value"
    );
}

// ---------------------------------------------------------------- remove

#[test]
fn remove_deletes_keys_and_elements() {
    assert_eq!(
        spec_after("- {op: remove, path: /spec/l/0}\n- {op: remove, path: /spec/l/-1}\n- {op: remove, path: /spec/m/a}\n- {op: remove, path: /spec/m/b}\n- {op: remove, path: /spec/n}\n"),
        {
            let mut s = spec_with(json!({"l": ["b"], "m": {}}));
            s.as_object_mut().unwrap().remove("n");
            s
        }
    );
}

#[test]
fn remove_errors() {
    assert_eq!(
        message_of("- {op: remove, path: /spec/monitoring}\n"),
        "error in remove for path: '/spec/monitoring': Unable to remove nonexistent key: monitoring: missing value"
    );
    assert_eq!(
        message_of("- {op: remove, path: /}\n"),
        "error in remove for path: '/': Unable to remove nonexistent key: : missing value"
    );
    assert_eq!(
        message_of("- {op: remove, path: /spec/l/3}\n"),
        "error in remove for path: '/spec/l/3': Unable to access invalid index: 3: invalid index referenced"
    );
    assert_eq!(
        message_of("- {op: remove, path: /spec/l/x}\n"),
        "error in remove for path: '/spec/l/x': strconv.Atoi: parsing \"x\": invalid syntax"
    );
    assert_eq!(
        message_of("- {op: remove, path: /spec/zz/q}\n"),
        "remove operation does not apply: doc is missing path: \"/spec/zz/q\": missing value"
    );
    assert_eq!(
        message_of("- {op: remove}\n"),
        "remove operation failed to decode path: missing value"
    );
}

// ---------------------------------------------------------------- replace

#[test]
fn replace_sets_existing_and_missing_keys_of_existing_maps() {
    assert_eq!(
        spec_after("- {op: replace, path: /spec/instances, value: 5}\n- {op: replace, path: /spec/l/-1, value: z}\n- {op: replace, path: /spec/l/+1, value: Q}\n- {op: replace, path: /spec/zzz, value: 1}\n- {op: replace, path: /spec/m, value: [1]}\n"),
        spec_with(json!({"instances": 5, "l": ["a", "Q", "z"], "zzz": 1, "m": [1]}))
    );
}

#[test]
fn replace_of_the_whole_document() {
    let mut r = resource();
    apply(&mut r, &ops("- {op: replace, path: \"\", value: {a: 1}}\n")).unwrap();
    assert_eq!(json_of(&r), json!({"a": 1}));
    let mut r = resource();
    apply(&mut r, &ops("- {op: replace, path: \"\", value: 1}\n")).unwrap();
    assert_eq!(json_of(&r), json_of(&resource()), "a scalar is ignored");
    assert_eq!(
        message_of("- {op: replace, path: \"\", value: [1]}\n"),
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
}

#[test]
fn replace_errors() {
    assert_eq!(
        message_of("- {op: replace, path: /spec/storage/size, value: 20Gi}\n"),
        "replace operation does not apply: doc is missing path: /spec/storage/size: missing value"
    );
    assert_eq!(
        message_of("- {op: replace, path: /spec/l/5, value: 1}\n"),
        "replace operation does not apply: doc is missing key: /spec/l/5: missing value"
    );
    assert_eq!(
        message_of("- {op: replace, path: \"/spec/l/{'a':'b'}\", value: 1}\n"),
        "replace operation does not apply: doc is missing key: /spec/l/{'a':'b'}: missing value"
    );
    assert_eq!(
        message_of("- {op: replace, value: 1}\n"),
        "replace operation failed to decode path: operation missing path field: missing value"
    );
    assert_eq!(
        message_of("- {op: replace, path: 1, value: 1}\n"),
        "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string"
    );
    assert_eq!(
        message_of("- {op: replace, path: [a], value: 1}\n"),
        "replace operation failed to decode path: json: cannot unmarshal array into Go value of type string"
    );
}

// ---------------------------------------------------------------- move, copy

#[test]
fn move_and_copy() {
    assert_eq!(
        spec_after("- {op: copy, from: /spec/m, path: /spec/c}\n- {op: move, from: /spec/l, path: /spec/moved}\n- {op: copy, from: /spec/zz, path: /spec/q}\n- {op: copy, from: /spec/n, path: /spec/l2}\n- {op: move, from: /spec/s, path: /spec/s}\n"),
        {
            let mut s = spec_with(json!({"c": {"a": 1, "b": "x"}, "moved": ["a", "b", "c"], "q": null, "l2": null}));
            s.as_object_mut().unwrap().remove("l");
            s
        }
    );
    // Moving into an array position.
    assert_eq!(
        spec_after("- {op: move, from: /spec/l/2, path: /spec/l/0}\n"),
        spec_with(json!({"l": ["c", "a", "b"]}))
    );
}

#[test]
fn move_and_copy_errors() {
    let cases = [
        ("- {op: move, from: /spec/zz, path: /spec/q}", "error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value"),
        ("- {op: move, from: /spec/zz/y, path: /spec/q}", "move operation does not apply: doc is missing from path: /spec/zz/y: missing value"),
        ("- {op: move, from: /spec/s, path: /spec/zz/q}", "move operation does not apply: doc is missing destination path: /spec/zz/q: missing value"),
        ("- {op: move, from: /spec/m, path: /spec/m/x}", "move operation does not apply: doc is missing destination path: /spec/m/x: missing value"),
        ("- {op: move, path: /spec/q}", "move operation failed to decode from: operation, missing from field: missing value"),
        ("- {op: move, from: /spec/s}", "move operation failed to decode path: operation missing path field: missing value"),
        ("- {op: move, from: /spec/l/7, path: /spec/q}", "error in move for path: '7': Unable to access invalid index: 7: invalid index referenced"),
        ("- {op: copy, from: /spec/zz/y, path: /spec/q}", "copy operation does not apply: doc is missing from path: /spec/zz/y: missing value"),
        ("- {op: copy, from: /spec/s, path: /spec/zz/q}", "copy operation does not apply: doc is missing destination path: /spec/zz/q: missing value"),
        ("- {op: copy, from: /spec/s, path: /spec/l/9}", "error while adding value during copy: Unable to access invalid index: 9: invalid index referenced"),
        ("- {op: copy, from: /spec/l/9, path: /spec/q}", "error in copy for from: '/spec/l/9': Unable to access invalid index: 9: invalid index referenced"),
        ("- {op: copy, path: /spec/q}", "copy operation failed to decode from: operation, missing from field: missing value"),
        ("- {op: copy, from: /spec/s}", "copy operation failed to decode path: missing value"),
    ];
    for (text, want) in cases {
        assert_eq!(message_of(text), want, "{text}");
    }
}

// ---------------------------------------------------------------- test

#[test]
fn test_compares_json_values() {
    for passing in [
        "- {op: test, path: /spec/instances, value: 3}",
        "- {op: test, path: /spec/instances, value: 3.0}",
        "- {op: test, path: /spec/s, value: \"3\"}",
        "- {op: test, path: /spec/m, value: {b: x, a: 1.0}}",
        "- {op: test, path: /spec/l, value: [a, b, c]}",
        "- {op: test, path: /spec/zzz, value: null}",
        "- {op: test, path: /spec/n, value: null}",
        "- {op: test, path: /spec/n}",
        "- {op: test, path: /metadata/annotations/example.com~1a~0b, value: tilde}",
        "[{\"op\":\"test\",\"path\":\"/spec/instances\",\"value\":3}]",
        "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"pg\"}]",
    ] {
        spec_after(passing);
    }
    for (failing, path) in [
        (
            "- {op: test, path: /spec/instances, value: 4}",
            "/spec/instances",
        ),
        (
            "- {op: test, path: /spec/instances, value: \"3\"}",
            "/spec/instances",
        ),
        ("- {op: test, path: /spec/s, value: 3}", "/spec/s"),
        ("- {op: test, path: /spec/instances}", "/spec/instances"),
        ("- {op: test, path: /spec/zzz, value: 1}", "/spec/zzz"),
        ("- {op: test, path: /spec/m, value: {a: 1}}", "/spec/m"),
        (
            "- {op: test, path: /spec/m, value: {a: 1, b: x, c: 2}}",
            "/spec/m",
        ),
        ("- {op: test, path: /spec/l, value: [a, b]}", "/spec/l"),
        // In a JSON text the number is compared as written.
        (
            "[{\"op\":\"test\",\"path\":\"/spec/instances\",\"value\":3.0}]",
            "/spec/instances",
        ),
    ] {
        assert_eq!(
            message_of(failing),
            format!("testing value {path} failed: test failed"),
            "{failing}"
        );
    }
    assert_eq!(
        message_of("- {op: test, path: /spec/l/9, value: 1}"),
        "error in test for path: '/spec/l/9': Unable to access invalid index: 9: invalid index referenced"
    );
    assert_eq!(
        message_of("- {op: test, path: /spec/l/x, value: 1}"),
        "error in test for path: '/spec/l/x': strconv.Atoi: parsing \"x\": invalid syntax"
    );
    assert_eq!(
        message_of("- {op: test, path: /spec/zz/q, value: 1}"),
        "test operation does not apply: is missing path: /spec/zz/q: missing value"
    );
    assert_eq!(
        message_of("- {op: test, value: 1}"),
        "test operation failed to decode path: operation missing path field: missing value"
    );
}

#[test]
fn failed_test_stops_the_patch() {
    let e = error_of("- op: test\n  path: /spec/instances\n  value: 4\n- op: replace\n  path: /spec/instances\n  value: 1\n");
    assert_eq!(
        e.message,
        "testing value /spec/instances failed: test failed"
    );
    let span = e.span.unwrap();
    assert_eq!((&*span.file, span.line), (Path::new("ops.yaml"), 1));
}

// ---------------------------------------------------------------- kinds, spans

#[test]
fn unknown_ops_fail_when_applied_in_order() {
    assert_eq!(
        message_of("- {op: upsert, path: /spec/instances, value: 2}"),
        "Unexpected kind: upsert"
    );
    assert_eq!(
        message_of("- {path: /spec/q, value: 1}"),
        "Unexpected kind: unknown"
    );
    assert_eq!(
        message_of("- {op: 1, path: /spec/q}"),
        "Unexpected kind: unknown"
    );
    assert_eq!(message_of("- ~"), "Unexpected kind: unknown");
    let e = error_of("- {op: add, path: /spec/a, value: 1}\n- {op: replace, path: /spec/nope/x, value: 1}\n- {op: upsert}\n");
    assert_eq!(
        e.message,
        "replace operation does not apply: doc is missing path: /spec/nope/x: missing value"
    );
    assert_eq!(
        e.span.unwrap().line,
        2,
        "the error points at the failing op"
    );
}

#[test]
fn pointer_escapes() {
    let mut r = resource();
    apply(
        &mut r,
        &ops("- {op: replace, path: /metadata/annotations/cnpg.io~1hibernation, value: \"on\"}\n- {op: add, path: /metadata/annotations/example.com~1a~0b, value: changed}\n- {op: add, path: /metadata/annotations/x~01, value: lit}\n"),
    )
    .unwrap();
    assert_eq!(
        json_of(&r)["metadata"]["annotations"],
        json!({"example.com/a~b": "changed", "cnpg.io/hibernation": "on", "x~1": "lit"})
    );
}

#[test]
fn patched_resource_goes_through_json() {
    // kubectl: after a JSON patch, 1.0 → 1, 1000000 → 1e+06 (kept as a
    // float), 0x1F → 31, a 20-digit integer loses precision, `on` stays a string.
    let mut r = load_str(
        "kind: Widget\nmetadata:\n  name: w\n  annotations:\n    a: 1.0\n    c: 1000000\n    d: true\nspec:\n  big: 12345678901234567890\n  m: 1000000\n  f: 1.10\n  o: \"on\"\n  tagged: !!str 12\n",
        Arc::from(Path::new("r.yaml")),
        &LoadLimits::default(),
    )
    .unwrap()
    .remove(0);
    apply(&mut r, &ops("- {op: add, path: /spec/x, value: 1}\n")).unwrap();
    let text = |path: &[&str]| r.get_path(path).unwrap().as_scalar().unwrap().text.clone();
    assert_eq!(text(&["metadata", "annotations", "a"]), "1");
    assert_eq!(text(&["metadata", "annotations", "c"]), "1e+06");
    assert_eq!(text(&["metadata", "annotations", "d"]), "true");
    assert_eq!(text(&["spec", "big"]), "1.2345678901234567e+19");
    assert_eq!(text(&["spec", "f"]), "1.1");
    assert_eq!(text(&["spec", "tagged"]), "12");
    let v = json_of(&r);
    assert_eq!(v["spec"]["m"], json!(1000000.0));
    assert_eq!(v["spec"]["o"], json!("on"));
    assert_eq!(v["spec"]["x"], json!(1));
    // Untouched values keep their spans; the inserted one points at the op.
    assert_eq!(r.get_path(&["spec", "f"]).unwrap().span.line, 11);
    let x = r.get_path(&["spec", "x"]).unwrap();
    assert_eq!((&*x.span.file, x.span.line), (Path::new("ops.yaml"), 1));
}

#[test]
fn copied_and_moved_values_keep_their_origin() {
    let mut r = resource();
    apply(&mut r, &ops("- {op: copy, from: /spec/m, path: /spec/c}\n- {op: move, from: /spec/l, path: /spec/k}\n")).unwrap();
    assert_eq!(r.get_path(&["spec", "c", "b"]).unwrap().span.line, 13);
    assert_eq!(r.get_path(&["spec", "k"]).unwrap().span.line, 14);
    assert_eq!(
        &*r.get_path(&["spec", "k"]).unwrap().span.file,
        Path::new("r.yaml")
    );
}

// ---------------------------------------------------------------- corpus

/// The JSON 6902 cases of the corpus, through the whole renderer: same
/// objects (compared as typed JSON) or the same error as kubectl. 140 needs
/// the full YAML 1.1 typing of op values and is checked once that lands.
#[test]
fn corpus_json6902_cases() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kustomize-conformance/cases");
    let root = std::fs::canonicalize(root).unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.contains("json6902") && !name.starts_with("140-") && !name.starts_with("187-")
        })
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 20);
    for case in dirs {
        let rendered =
            crate::kustomize::render(&crate::fs::RealFs, &case.join("input"), &Default::default());
        let expected = std::fs::read_to_string(case.join("expected.yaml")).unwrap();
        match rendered {
            Ok(r) => {
                let got = r.to_json().unwrap();
                let docs = load_str(
                    &expected,
                    Arc::from(Path::new("expected.yaml")),
                    &LoadLimits::default(),
                )
                .unwrap();
                let want: Vec<Value> = docs.iter().map(json_of).collect();
                assert_eq!(got, want, "{}", case.display());
            }
            Err(e) => {
                let err = std::fs::read_to_string(case.join("expected.err")).unwrap_or_default();
                let got = format!("error: {e}\n").replace(&*case.to_string_lossy(), "@CASEDIR@");
                assert!(err.ends_with(&got), "{}: got {got}", case.display());
                let span = e.span.unwrap();
                assert!(span.file.ends_with("kustomization.yaml"), "{span:?}");
            }
        }
    }
}
