use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use super::sources::{base64_wrapped, env_pairs, literal};
use super::*;
use crate::fs::{MemFs, RealFs};
use crate::kustomize::error::RenderErrorKind;
use crate::kustomize::kustomization::{Kustomization, Located};
use crate::yaml::{load_str, to_json, LoadLimits, Schema};

const KFILE: &str = "/repo/app/kustomization.yaml";

fn span(line: u32) -> Span {
    Span {
        file: Arc::from(Path::new(KFILE)),
        line,
        column: 5,
        start: 0,
        end: 0,
    }
}

fn located(value: &str) -> Located {
    Located {
        value: value.to_string(),
        span: span(7),
    }
}

fn parse(text: &str) -> Kustomization {
    let docs = load_str(text, Arc::from(Path::new(KFILE)), &LoadLimits::default()).unwrap();
    Kustomization::parse(&docs[0], Path::new(KFILE)).unwrap()
}

fn fs_with(files: &[(&str, &[u8])]) -> MemFs {
    let mut fs = MemFs::new();
    fs.insert(KFILE, "");
    for (path, content) in files {
        fs.insert(Path::new("/repo/app").join(path), content.to_vec());
    }
    fs
}

/// Generates the first ConfigMap (or else Secret) entry of a kustomization.
fn gen(text: &str, fs: &MemFs) -> Result<Node> {
    let k = parse(text);
    let (kind, entry) = match k.config_map_generator.first() {
        Some(e) => (GeneratorKind::ConfigMap, e.clone()),
        None => (GeneratorKind::Secret, k.secret_generator[0].clone()),
    };
    generate(
        kind,
        &entry,
        k.generator_options.as_ref(),
        Path::new("/repo/app"),
        fs,
        LoadRestrictor::RootOnly,
    )
}

fn json_of(node: &Node) -> Value {
    to_json(node, Schema::Kyaml).unwrap()
}

fn err_of(r: Result<Node>) -> RenderError {
    match r {
        Ok(n) => panic!("expected an error, got {:?}", json_of(&n)),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- literals

#[test]
fn literal_value_is_everything_after_the_first_equals() {
    let cases = [
        ("LOG_LEVEL=info", "LOG_LEVEL", "info"),
        ("EMPTY=", "EMPTY", ""),
        ("WITH_EQUALS=a=b", "WITH_EQUALS", "a=b"),
        ("QUOTED=\"double quoted\"", "QUOTED", "double quoted"),
        ("SINGLE='sq'", "SINGLE", "sq"),
        ("SPACES=  padded", "SPACES", "  padded"),
        ("LEAD= \"x\"", "LEAD", " \"x\""),
        ("MIXED=\"x'", "MIXED", "\"x'"),
        ("ONE=\"", "ONE", "\""),
        ("TWO=\"\"", "TWO", ""),
        ("INNER=\"a\"b\"", "INNER", "a\"b"),
        ("x y=2", "x y", "2"),
    ];
    for (source, key, value) in cases {
        let p = literal(&located(source)).unwrap();
        assert_eq!(p.key, key, "{source}");
        assert_eq!(String::from_utf8(p.value).unwrap(), value, "{source}");
        assert_eq!(p.value_span.line, 7);
    }
}

#[test]
fn literal_without_equals_or_key_is_rejected() {
    for source in ["NOEQUALS", "=x"] {
        let e = literal(&located(source)).unwrap_err();
        assert_eq!(
            e.message,
            format!("invalid literal source {source}, expected key=value")
        );
        assert_eq!(e.span.as_ref().map(|s| s.line), Some(7));
    }
}

#[test]
fn literal_errors_name_every_literal_like_kustomize() {
    let e = err_of(gen(
        "configMapGenerator:\n- name: c\n  literals:\n  - A=1\n  - NOPE\n  - ALSO\n",
        &fs_with(&[]),
    ));
    assert_eq!(
        e.message,
        "loading KV pairs: literal sources [A=1 NOPE ALSO]: invalid literal source NOPE, expected key=value"
    );
    assert_eq!(e.kind, RenderErrorKind::Generator);
    assert_eq!(e.span.map(|s| s.line), Some(5));
}

// ---------------------------------------------------------------- env files

#[test]
fn env_lines_follow_kustomize() {
    let content = b"\xef\xbb\xbfBOM=1\r\n  LEAD=2\r\n\t# indented comment\n# comment\nNOVAL\nSP ACE=3\n=empty\nEQ=a=b\nQ=\"x\"\nS='c d'\nexport X=1\nTRAILING=x   \n   \nLAST=z";
    let pairs = env_pairs(content, Arc::from(Path::new("/repo/app/a.env")), &span(3)).unwrap();
    let got: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p.key.clone(), String::from_utf8(p.value.clone()).unwrap()))
        .collect();
    let want = [
        ("BOM", "1"),
        ("LEAD", "2"),
        ("NOVAL", ""),
        ("SP ACE", "3"),
        ("EQ", "a=b"),
        ("Q", "\"x\""),
        ("S", "'c d'"),
        ("export X", "1"),
        ("TRAILING", "x   "),
        ("LAST", "z"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want);
    // Spans point at the env file's lines (after leading white space).
    let lead = &pairs[1];
    assert_eq!(&*lead.value_span.file, Path::new("/repo/app/a.env"));
    assert_eq!((lead.value_span.line, lead.value_span.column), (2, 3));
    assert_eq!(
        &content[lead.value_span.start..lead.value_span.end],
        b"LEAD=2"
    );
    assert_eq!(pairs[9].value_span.line, 14);
}

#[test]
fn env_line_with_invalid_utf8_is_rejected_with_its_bytes() {
    let e = env_pairs(
        b"A=1\nB=\xff\xfe\n",
        Arc::from(Path::new("/repo/app/a.env")),
        &span(3),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "line [66 61 255 254] has invalid utf8 bytes : B=\u{fffd}\u{fffd}"
    );
}

#[test]
fn env_sources_come_first_and_repeats_are_rejected() {
    let fs = fs_with(&[("a.env", b"A=1\n")]);
    let e = err_of(gen(
        "configMapGenerator:\n- name: c\n  envs:\n  - a.env\n  literals:\n  - A=2\n",
        &fs,
    ));
    assert_eq!(e.message, "configmap c illegally repeats the key `A`");
    assert_eq!(e.span.map(|s| s.line), Some(6));
    let e = err_of(gen(
        "secretGenerator:\n- name: s\n  literals:\n  - A=1\n  - A=2\n",
        &fs,
    ));
    // kustomize says "configmap" for Secrets too.
    assert_eq!(e.message, "configmap s illegally repeats the key `A`");
}

#[test]
fn env_error_comes_before_literal_and_file_errors() {
    let e = err_of(gen(
        "configMapGenerator:\n- name: c\n  envs: [nope.env]\n  literals: [BAD]\n  files: [nope.txt]\n",
        &fs_with(&[]),
    ));
    assert_eq!(
        e.message,
        "loading KV pairs: env source files: [nope.env]: evalsymlink failure on '/repo/app/nope.env' : lstat /repo/app/nope.env: no such file or directory"
    );
    assert_eq!(e.kind, RenderErrorKind::Io);
}

// ---------------------------------------------------------------- files

#[test]
fn file_sources_use_the_base_name_or_the_given_key() {
    let fs = fs_with(&[
        ("sub/a.txt", b"hello\n"),
        ("sub/b.txt", b"B"),
        ("bin.dat", b"\xff\xfe\x00abc"),
    ]);
    let node = gen(
        "configMapGenerator:\n- name: c\n  files:\n  - sub/a.txt\n  - k=sub/b.txt\n  - bin.dat\n",
        &fs,
    )
    .unwrap();
    assert_eq!(
        json_of(&node),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"a.txt": "hello\n", "k": "B"},
            "binaryData": {"bin.dat": "//4AYWJj"}
        })
    );
    let a = node.get_path(&["data", "a.txt"]).unwrap();
    assert_eq!(&*a.span.file, Path::new("/repo/app/sub/a.txt"));
    assert_eq!((a.span.line, a.span.start, a.span.end), (1, 0, 6));
    let key = &node.get_path(&["data"]).unwrap().as_map().unwrap().entries[0].0;
    assert_eq!(key.span.line, 4, "the key comes from the files: entry");
    assert_eq!(hash_of(&node), "m4hdbkhm45");
}

#[test]
fn malformed_file_sources_are_rejected_like_kustomize() {
    let fs = fs_with(&[("a.txt", b"x"), ("sub/b.txt", b"y")]);
    let cases = [
        (
            "=a.txt",
            "missing key name for file path \"a.txt\" in source \"=a.txt\"",
        ),
        (
            "k=",
            "missing file path for key name \"k\" in source \"k=\"",
        ),
        (
            "k=a=b",
            "source \"k=a=b\" key name or file path contains '='",
        ),
        ("sub", "'/repo/app/sub' must resolve to a file"),
        (
            "/etc/hostname",
            "evalsymlink failure on '/etc/hostname' : lstat /etc: no such file or directory",
        ),
    ];
    for (source, cause) in cases {
        let e = err_of(gen(
            &format!("configMapGenerator:\n- name: c\n  files:\n  - {source}\n"),
            &fs,
        ));
        assert_eq!(
            e.message,
            format!("loading KV pairs: file sources: [{source}]: {cause}")
        );
        assert_eq!(e.span.map(|s| s.line), Some(4), "{source}");
    }
}

#[test]
fn files_outside_the_kustomization_directory_are_refused() {
    let mut fs = fs_with(&[]);
    fs.insert("/repo/outside.txt", "hi");
    fs.insert("/etc/hostname", "h");
    for (source, shown) in [
        ("../outside.txt", "/repo/outside.txt"),
        ("/etc/hostname", "/etc/hostname"),
    ] {
        let e = err_of(gen(
            &format!("configMapGenerator:\n- name: c\n  envs:\n  - {source}\n"),
            &fs,
        ));
        assert_eq!(e.kind, RenderErrorKind::OutsideRoot);
        assert_eq!(
            e.message,
            format!("loading KV pairs: env source files: [{source}]: security; file '{shown}' is not in or below '/repo/app'")
        );
    }
}

#[test]
fn remote_files_are_refused() {
    let e = err_of(gen(
        "configMapGenerator:\n- name: c\n  files:\n  - https://example.invalid/x.txt\n",
        &fs_with(&[]),
    ));
    assert_eq!(e.kind, RenderErrorKind::Refused);
    assert!(
        e.message.contains("never touches the network"),
        "{}",
        e.message
    );
}

// ---------------------------------------------------------------- objects

#[test]
fn configmap_from_all_sources_with_spans() {
    let fs = fs_with(&[
        ("app.env", b"# c\nPGHOST=pg-rw\nPGPORT=5432\n"),
        ("conf.txt", b"x=1\n"),
    ]);
    let text = "configMapGenerator:\n- name: app\n  namespace: db\n  envs:\n  - app.env\n  literals:\n  - B=2\n  - A=1\n  files:\n  - conf.txt\n";
    let node = gen(text, &fs).unwrap();
    assert_eq!(
        json_of(&node),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "db"},
            "data": {"A": "1", "B": "2", "PGHOST": "pg-rw", "PGPORT": "5432", "conf.txt": "x=1\n"}
        })
    );
    let keys: Vec<&str> = node
        .get_path(&["data"])
        .unwrap()
        .as_map()
        .unwrap()
        .iter_str()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        ["A", "B", "PGHOST", "PGPORT", "conf.txt"],
        "keys sorted"
    );
    assert_eq!(node.get_path(&["data", "A"]).unwrap().span.line, 8);
    let port = node.get_path(&["data", "PGPORT"]).unwrap();
    assert_eq!(
        (&*port.span.file, port.span.line),
        (Path::new("/repo/app/app.env"), 3)
    );
    // Values are strings whatever they look like.
    assert!(!port.as_scalar().unwrap().style.is_plain());
}

#[test]
fn empty_configmap_has_no_data_and_empty_secret_has_empty_data() {
    let cm = gen("configMapGenerator:\n- name: c\n", &fs_with(&[])).unwrap();
    assert_eq!(
        json_of(&cm),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
    );
    assert_eq!(hash_of(&cm), "6ct58987ht");
    let s = gen("secretGenerator:\n- name: s\n", &fs_with(&[])).unwrap();
    assert_eq!(
        json_of(&s),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {}, "type": "Opaque"})
    );
    assert_eq!(hash_of(&s), "46f8b28mk5");
}

#[test]
fn generator_without_name_is_rejected() {
    for text in [
        "configMapGenerator:\n- literals: [A=1]\n",
        "secretGenerator:\n- literals: [A=1]\n",
    ] {
        let e = err_of(gen(text, &fs_with(&[])));
        assert_eq!(e.message, "a configmap must have a name");
        assert_eq!(e.span.map(|s| s.line), Some(2));
    }
}

#[test]
fn secret_values_are_base64_and_type_defaults_to_opaque() {
    let fs = fs_with(&[
        ("bin.dat", b"\xff\xfe\x00abc"),
        ("t.txt", b"line1\nline2\n"),
    ]);
    let node = gen(
        "secretGenerator:\n- name: s\n  type: kubernetes.io/tls\n  files:\n  - bin.dat\n  - t.txt\n",
        &fs,
    )
    .unwrap();
    assert_eq!(
        json_of(&node),
        json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "type": "kubernetes.io/tls",
            "data": {"bin.dat": "//4AYWJj", "t.txt": "bGluZTEKbGluZTIK"}
        })
    );
    assert_eq!(hash_of(&node), "f7d296hhbt");
    let plain = gen(
        "secretGenerator:\n- name: app-secret\n  literals:\n  - password=s3cr3t\n",
        &fs,
    )
    .unwrap();
    assert_eq!(plain.get_path(&["type"]).unwrap().as_str(), Some("Opaque"));
    assert_eq!(
        plain.get_path(&["data", "password"]).unwrap().as_str(),
        Some("czNjcjN0")
    );
    assert_eq!(hash_of(&plain), "25k92892fb");
}

#[test]
fn base64_wraps_at_70_characters_once_it_reaches_them() {
    assert_eq!(base64_wrapped(b""), "");
    assert_eq!(base64_wrapped(b"v"), "dg==");
    assert_eq!(base64_wrapped(b"s3cr3t"), "czNjcjN0");
    let len51 = base64_wrapped(&[b'a'; 51]);
    assert_eq!(len51.len(), 68);
    assert!(!len51.contains('\n'));
    assert_eq!(
        base64_wrapped(&[b'b'; 52]),
        "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYg\n==\n"
    );
    assert_eq!(
        base64_wrapped(&[b'c'; 105]),
        "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2\nNjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj\n"
    );
    let len106 = base64_wrapped(&[b'd'; 106]);
    assert_eq!(
        len106.lines().map(str::len).collect::<Vec<_>>(),
        [70, 70, 4]
    );
    assert!(len106.ends_with("ZA==\n"));
}

#[test]
fn options_merge_entry_over_global_and_flags_or() {
    let text = "generatorOptions:\n  disableNameSuffixHash: true\n  immutable: true\n  labels: {a: global, g: g}\n  annotations: {an: global}\nconfigMapGenerator:\n- name: c\n  options:\n    disableNameSuffixHash: false\n    immutable: false\n    labels: {a: local, l: l}\n    annotations: {an: local}\n  literals: [A=1]\n";
    let k = parse(text);
    let node = gen(text, &fs_with(&[])).unwrap();
    assert_eq!(
        json_of(&node),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap", "immutable": true,
            "metadata": {"name": "c", "labels": {"a": "local", "g": "g", "l": "l"}, "annotations": {"an": "local"}},
            "data": {"A": "1"}
        })
    );
    // kubectl: a global disableNameSuffixHash: true is not undone per generator.
    assert!(!wants_hash(
        &k.config_map_generator[0],
        k.generator_options.as_ref()
    ));
    let k = parse("generatorOptions:\n  disableNameSuffixHash: false\nconfigMapGenerator:\n- name: c\n  options:\n    disableNameSuffixHash: true\n- name: d\n");
    assert!(!wants_hash(
        &k.config_map_generator[0],
        k.generator_options.as_ref()
    ));
    assert!(wants_hash(
        &k.config_map_generator[1],
        k.generator_options.as_ref()
    ));
    assert!(wants_hash(&k.config_map_generator[1], None));
    // Label values are strings.
    let node = gen(
        "configMapGenerator:\n- name: c\n  options:\n    labels: {a: \"1\"}\n    immutable: true\n",
        &fs_with(&[]),
    )
    .unwrap();
    assert_eq!(json_of(&node)["metadata"]["labels"], json!({"a": "1"}));
    assert_eq!(
        hash_of(&node),
        "6ct58987ht",
        "labels and immutable do not change the hash"
    );
}

// ---------------------------------------------------------------- hash

fn hash_of(node: &Node) -> String {
    name_hash(node).unwrap()
}

fn yaml_node(text: &str) -> Node {
    load_str(text, Arc::from(Path::new("t.yaml")), &LoadLimits::default())
        .unwrap()
        .remove(0)
}

#[test]
fn hash_input_is_go_json_with_an_empty_name() {
    let cm = yaml_node(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: html\ndata:\n  expr: a<b && c>d\n  url: https://example.com/?a=1&b=2\n",
    );
    assert_eq!(
        hash::hash_input(&cm).unwrap(),
        r#"{"data":{"expr":"a\u003cb \u0026\u0026 c\u003ed","url":"https://example.com/?a=1\u0026b=2"},"kind":"ConfigMap","name":""}"#
    );
    assert_eq!(hash_of(&cm), "ff674dg674");
    let s = yaml_node("kind: Secret\nmetadata: {name: s}\ndata: {k: dg==}\nstringData: {x: y}\n");
    assert_eq!(
        hash::hash_input(&s).unwrap(),
        r#"{"data":{"k":"dg=="},"kind":"Secret","name":"","stringData":{"x":"y"},"type":""}"#
    );
}

#[test]
fn hash_types_patched_data_values_and_reads_scalars_as_text() {
    // A strategic-merge patch can put typed values into data (kubectl: c-9m7td5kt56).
    let cm = yaml_node(
        "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  A: \"1\"\n  F: 1.50\n  N: 5\n  T: true\n",
    );
    assert_eq!(
        hash::hash_input(&cm).unwrap(),
        r#"{"data":{"A":"1","F":1.5,"N":5,"T":true},"kind":"ConfigMap","name":""}"#
    );
    assert_eq!(hash_of(&cm), "9m7td5kt56");
    // A Secret whose data was emptied by a merge has no data at all (s-8226t8dd99).
    let s = yaml_node("kind: Secret\nmetadata: {name: s}\ntype: Opaque\n");
    assert_eq!(hash_of(&s), "8226t8dd99");
    // Scalars hash as their text, lists as null.
    let odd = yaml_node("kind: ConfigMap\ndata: ~\nbinaryData: [a]\n");
    assert_eq!(
        hash::hash_input(&odd).unwrap(),
        r#"{"binaryData":null,"data":"~","kind":"ConfigMap","name":""}"#
    );
}

fn corpus_cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kustomize-conformance/cases")
}

/// Every `NAME-<10 chars>` ConfigMap/Secret in the corpus outputs, rehashed
/// (the port of hash_reference.py: a name that looks hashed but does not
/// reproduce is accepted only when the object has no data).
#[test]
fn hash_reproduces_every_hashed_name_in_the_corpus() {
    let suffix = regex::Regex::new(r"-([a-z0-9]{10})$").unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_cases())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let mut checked = Vec::new();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("expected.yaml")).unwrap_or_default();
        let docs = load_str(&text, Arc::from(dir.as_path()), &LoadLimits::default()).unwrap();
        for doc in docs {
            let kind = doc.get_path(&["kind"]).and_then(Node::as_str).unwrap_or("");
            if kind != "ConfigMap" && kind != "Secret" {
                continue;
            }
            let name = doc
                .get_path(&["metadata", "name"])
                .and_then(Node::as_str)
                .unwrap_or("");
            let Some(want) = suffix.captures(name).map(|c| c[1].to_string()) else {
                continue;
            };
            let got = hash_of(&doc);
            let has_data =
                doc.get_path(&["data"]).is_some() || doc.get_path(&["binaryData"]).is_some();
            if got == want {
                checked.push(name.to_string());
            } else {
                assert!(!has_data, "{}: {name}: computed {got}", dir.display());
            }
        }
    }
    // hash_reference.py reproduces 17 in the published cases (23 with the
    // cases kept aside); every data-bearing look-alike above is a mismatch.
    assert!(checked.len() >= 17, "{checked:?}");
}

/// The generated objects of the corpus cases whose generators sit in the root
/// kustomization: same data and same hash as kubectl.
#[test]
fn generated_objects_match_the_corpus() {
    let cases = [
        "157-configmap-generator-literals",
        "159-configmap-generator-envs",
        "161-generator-disable-hash-global",
        "162-generator-disable-hash-per-generator",
        "171-generator-hash-html-chars",
        "172-generator-hash-unicode-and-newlines",
        "176-generator-immutable-and-labels-order",
        "177-generator-secret-with-namespace-field",
        "179-secret-generator-base64-line-wrapping",
        "197-cnpg-secret-generator-credentials",
    ];
    for case in cases {
        let dir = corpus_cases().join(case);
        let input = dir.join("input");
        let kfile = input.join("kustomization.yaml");
        let text = std::fs::read_to_string(&kfile).unwrap();
        let docs = load_str(&text, Arc::from(kfile.as_path()), &LoadLimits::default()).unwrap();
        let k = Kustomization::parse(&docs[0], &kfile).unwrap();
        let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
        let expected: Vec<Node> =
            load_str(&expected, Arc::from(dir.as_path()), &LoadLimits::default()).unwrap();
        let entries = k
            .config_map_generator
            .iter()
            .map(|e| (GeneratorKind::ConfigMap, e))
            .chain(
                k.secret_generator
                    .iter()
                    .map(|e| (GeneratorKind::Secret, e)),
            );
        for (kind, entry) in entries {
            let node = generate(
                kind,
                entry,
                k.generator_options.as_ref(),
                &input,
                &RealFs,
                LoadRestrictor::RootOnly,
            )
            .unwrap();
            let want = expected
                .iter()
                .find(|d| {
                    let name = d
                        .get_path(&["metadata", "name"])
                        .and_then(Node::as_str)
                        .unwrap_or("");
                    name == entry.name
                        || name
                            .strip_prefix(&format!("{}-", entry.name))
                            .is_some_and(|s| s.len() == 10)
                })
                .unwrap_or_else(|| panic!("{case}: no {}", entry.name));
            let want_name = want
                .get_path(&["metadata", "name"])
                .and_then(Node::as_str)
                .unwrap();
            let got_name = if wants_hash(entry, k.generator_options.as_ref()) {
                format!("{}-{}", entry.name, hash_of(&node))
            } else {
                entry.name.clone()
            };
            assert_eq!(got_name, want_name, "{case}");
            let mut got = json_of(&node);
            let mut want = json_of(want);
            for v in [&mut got, &mut want] {
                // Labels and namespaces from other transformers are not the generator's.
                v["metadata"] = json!(null);
            }
            assert_eq!(got, want, "{case}");
        }
    }
}

// ---------------------------------------------------------------- merge

#[test]
fn merge_keeps_old_identity_and_merges_maps_new_wins() {
    // kubectl: base namePrefix p-, labels {l1: a, both: base}, annotation a1,
    // data A=1 B=2, a patched extra field; overlay merge with labels
    // {l2: b, both: over}, immutable, data B=3 C=4.
    let mut existing = yaml_node(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-c\n  labels: {l1: a, both: base}\n  annotations: {a1: x}\ndata:\n  A: \"1\"\n  B: \"2\"\n  N: 5\n  M: {x: 1}\n  Q: ~\nextra: field\n",
    );
    let generated = gen(
        "configMapGenerator:\n- name: c\n  behavior: merge\n  options:\n    labels: {l2: b, both: over}\n    immutable: true\n  literals: [B=3, C=4]\n",
        &fs_with(&[]),
    )
    .unwrap();
    merge_into(&mut existing, &generated).unwrap();
    assert_eq!(
        json_of(&existing),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap", "immutable": true,
            "metadata": {"name": "p-c", "labels": {"l1": "a", "both": "over", "l2": "b"}, "annotations": {"a1": "x"}},
            "data": {"A": "1", "B": "3", "C": "4", "M": "", "N": "5", "Q": ""}
        })
    );
    let keys: Vec<&str> = existing
        .get_path(&["data"])
        .unwrap()
        .as_map()
        .unwrap()
        .iter_str()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["A", "B", "C", "M", "N", "Q"]);
    // Provenance: kept values keep their spans, new ones point at the literal.
    assert_eq!(existing.get_path(&["data", "A"]).unwrap().span.line, 8);
    assert_eq!(existing.get_path(&["data", "C"]).unwrap().span.line, 7);
    assert_eq!(
        existing.get_path(&["metadata", "name"]).unwrap().span.line,
        4
    );
}

#[test]
fn merge_of_two_empty_secrets_drops_data_and_takes_the_new_type() {
    let mut existing = gen("secretGenerator:\n- name: s\n", &fs_with(&[])).unwrap();
    let generated = gen(
        "secretGenerator:\n- name: s\n  behavior: merge\n  type: kubernetes.io/tls\n",
        &fs_with(&[]),
    )
    .unwrap();
    merge_into(&mut existing, &generated).unwrap();
    assert_eq!(
        json_of(&existing),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls"})
    );
    let mut with_ns =
        yaml_node("kind: ConfigMap\nmetadata: {name: c, namespace: bns}\ndata: {A: \"1\"}\n");
    let generated = gen(
        "configMapGenerator:\n- name: c\n  behavior: merge\n  files: [b.dat]\n",
        &fs_with(&[("b.dat", b"\xff\x00")]),
    )
    .unwrap();
    merge_into(&mut with_ns, &generated).unwrap();
    assert_eq!(
        json_of(&with_ns),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "bns"},
            "data": {"A": "1"}, "binaryData": {"b.dat": "/wA="}
        })
    );
    assert_eq!(hash_of(&with_ns), "4tdkb7mch9");
}
