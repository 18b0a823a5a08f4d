//! Byte-for-byte tests of the lossless editor on `testdata/edit/`: every
//! expected text is the original with exactly the intended bytes replaced.

use std::path::{Path, PathBuf};

use super::write::{temp_path, Step};
use super::*;
use crate::fs::{MemFs, RealFs};

fn fixture(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/edit")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    (path, text)
}

fn open(name: &str) -> (YamlFile, String) {
    let (path, text) = fixture(name);
    (YamlFile::parse(&path, text.clone()).unwrap(), text)
}

/// `text` with exactly one occurrence of `from` replaced by `to`.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

fn p(doc: usize, keys: &[&str]) -> NodePath {
    NodePath::root(doc).keys(keys)
}

#[test]
fn plain_scalar_keeps_its_comment_and_style() {
    let (mut f, orig) = open("comments.yaml");
    let path = p(0, &["spec", "backup", "barmanObjectStore", "serverName"]);
    assert!(f.set_scalar(&path, "pg-main-v3").unwrap());
    assert_eq!(
        f.text(),
        replaced(
            &orig,
            "serverName: pg-main-v2 # bump",
            "serverName: pg-main-v3 # bump"
        )
    );
    // Setting the same value again changes nothing.
    assert!(!f.set_scalar(&path, "pg-main-v3").unwrap());
}

#[test]
fn quoted_scalars_stay_quoted_with_escaping() {
    let (mut f, orig) = open("comments.yaml");
    f.set_scalar(&p(0, &["metadata", "name"]), "pg-x").unwrap();
    f.set_scalar(&p(0, &["metadata", "annotations", "note"]), "a'b")
        .unwrap();
    let want = replaced(&orig, "\"pg-main\"", "\"pg-x\"");
    let want = replaced(&want, "'it''s: fine'", "'a''b'");
    assert_eq!(f.text(), want);
}

#[test]
fn plain_turns_quoted_only_when_the_value_needs_it() {
    let (mut f, orig) = open("comments.yaml");
    f.set_scalar(&p(1, &["metadata", "name"]), "yes").unwrap();
    f.set_scalar(&p(1, &["data", "key"]), "a: b # c").unwrap();
    let want = replaced(&orig, "name: tail", "name: \"yes\"");
    let want = replaced(&want, "key: value   #", "key: \"a: b # c\"   #");
    assert_eq!(f.text(), want);
    assert_eq!(
        f.node(&p(1, &["data", "key"])).unwrap().as_str(),
        Some("a: b # c")
    );
}

#[test]
fn scalar_inside_a_flow_mapping() {
    let (mut f, orig) = open("comments.yaml");
    let ext = NodePath::root(0)
        .keys(&["spec", "externalClusters"])
        .index(0)
        .keys(&["plugin", "parameters", "serverName"]);
    f.set_scalar(&ext, "pg-main-v9").unwrap();
    assert_eq!(
        f.text(),
        replaced(
            &orig,
            "serverName: pg-main-v1}}",
            "serverName: pg-main-v9}}"
        )
    );
    // A value with a comma would end the flow scalar: it is quoted.
    f.set_scalar(&ext, "a,b").unwrap();
    assert!(f.text().contains("{serverName: \"a,b\"}}"));
}

#[test]
fn insert_key_at_the_end_of_a_nested_mapping() {
    let (mut f, orig) = open("comments.yaml");
    f.insert_key(
        &p(0, &["spec", "backup", "barmanObjectStore"]),
        "endpointURL",
        &NewNode::str("https://s3.example:9000"),
        Position::End,
    )
    .unwrap();
    assert_eq!(
        f.text(),
        replaced(
            &orig,
            "        compression: gzip\n",
            "        compression: gzip\n      endpointURL: https://s3.example:9000\n"
        )
    );
}

#[test]
fn insert_nested_value_after_a_key() {
    let (mut f, orig) = open("comments.yaml");
    f.insert_key(
        &p(0, &["spec", "backup"]),
        "target",
        &NewNode::map([
            ("kind", NewNode::str("prefer-standby")),
            (
                "list",
                NewNode::Seq(vec![NewNode::str("a"), NewNode::Plain("1".into())]),
            ),
        ]),
        Position::After("retentionPolicy".into()),
    )
    .unwrap();
    // The file's sequences put dashes at the key's column (`plugins:` / `- name`).
    assert_eq!(
        f.text(),
        replaced(
            &orig,
            "    retentionPolicy: 30d\n",
            "    retentionPolicy: 30d\n    target:\n      kind: prefer-standby\n      list:\n      - a\n      - 1\n"
        )
    );
}

#[test]
fn insert_at_the_end_of_a_file_without_final_newline() {
    let (mut f, orig) = open("comments.yaml");
    assert!(!orig.ends_with('\n'));
    f.insert_key(&p(1, &["data"]), "other", &NewNode::str("v"), Position::End)
        .unwrap();
    assert_eq!(f.text(), format!("{orig}\n  other: v\n"));
}

#[test]
fn remove_key_with_its_block_keeps_surrounding_comments() {
    let (mut f, orig) = open("comments.yaml");
    f.remove_key(&p(0, &["spec", "backup"]), "barmanObjectStore")
        .unwrap();
    let block = "    barmanObjectStore:\n      destinationPath: s3://bucket/pg   # bucket\n      # comment inside the store\n      serverName: pg-main-v2 # bump on every recovery\n      wal:\n        compression: gzip\n";
    assert_eq!(f.text(), replaced(&orig, block, ""));
    assert!(f
        .text()
        .contains("\n\n    # trailing comment of backup, indented\n"));
}

#[test]
fn refused_edits_leave_the_text_alone() {
    let (mut f, orig) = open("comments.yaml");
    let only = f.remove_key(
        &p(0, &["spec", "backup", "barmanObjectStore", "wal"]),
        "compression",
    );
    assert!(only.unwrap_err().message.contains("only key"));
    let plugin0 = NodePath::root(0).keys(&["spec", "plugins"]).index(0);
    let dash = f.remove_key(&plugin0, "name");
    assert!(dash.unwrap_err().message.contains("shares its line"));
    let flow = NodePath::root(0)
        .keys(&["spec", "externalClusters"])
        .index(0)
        .key("plugin");
    assert!(f
        .insert_key(&flow, "x", &NewNode::str("y"), Position::End)
        .is_err());
    assert!(f
        .insert_key(
            &p(0, &["spec"]),
            "instances",
            &NewNode::str("1"),
            Position::End
        )
        .unwrap_err()
        .message
        .contains("already has"));
    assert_eq!(f.text(), orig);
    assert!(!f.changed());
}

#[test]
fn append_items_with_the_files_dash_column() {
    let (mut f, orig) = open("kustomization.yaml");
    f.append_item(&p(0, &["resources"]), &NewNode::str("objectstore.yaml"))
        .unwrap();
    assert_eq!(
        f.text(),
        replaced(
            &orig,
            "- scheduled-backup.yaml\n",
            "- scheduled-backup.yaml\n- objectstore.yaml\n"
        )
    );
    let (mut f, orig) = open("comments.yaml");
    f.append_item(
        &p(0, &["spec", "plugins"]),
        &NewNode::map([
            ("name", NewNode::str("barman-cloud.cloudnative-pg.io")),
            ("isWALArchiver", NewNode::Plain("true".into())),
            (
                "parameters",
                NewNode::map([("serverName", NewNode::str("pg-main-v2"))]),
            ),
        ]),
    )
    .unwrap();
    assert_eq!(
        f.text(),
        replaced(
            &orig,
            "    enabled: false\n",
            "    enabled: false\n  - name: barman-cloud.cloudnative-pg.io\n    isWALArchiver: true\n    parameters:\n      serverName: pg-main-v2\n"
        )
    );
}

#[test]
fn crlf_files_keep_crlf() {
    let (mut f, orig) = open("crlf.yaml");
    assert!(orig.contains("\r\n"));
    let params = NodePath::root(0)
        .keys(&["spec", "plugins"])
        .index(0)
        .key("parameters");
    f.set_scalar(&params.key("serverName"), "crlf-v8").unwrap();
    f.insert_key(&params, "extra", &NewNode::str("x"), Position::End)
        .unwrap();
    f.remove_key(&p(0, &["spec", "monitoring"]), "enablePodMonitor")
        .unwrap();
    f.insert_key(
        &p(0, &["spec", "bootstrap", "recovery"]),
        "recoveryTarget",
        &NewNode::map([("targetTime", NewNode::str("2025-06-01T03:00:00Z"))]),
        Position::End,
    )
    .unwrap();
    let want = replaced(
        &orig,
        "\"crlf-v7\"\r\n",
        "\"crlf-v8\"\r\n        extra: x\r\n",
    );
    let want = replaced(&want, "    enablePodMonitor: true\r\n", "");
    let want = replaced(
        &want,
        "source: origin   # restore\r\n",
        "source: origin   # restore\r\n      recoveryTarget:\r\n        targetTime: \"2025-06-01T03:00:00Z\"\r\n",
    );
    assert_eq!(f.text(), want);
    assert!(!f.text().replace("\r\n", "").contains('\n'));
}

#[test]
fn unicode_and_odd_quoting() {
    let (mut f, orig) = open("quoting.yaml");
    f.set_scalar(&p(0, &["metadata", "name"]), "l'été").unwrap();
    f.set_scalar(&p(0, &["metadata", "labels", "tier"]), "data")
        .unwrap();
    f.set_scalar(&p(0, &["spec", "double"]), "new \"one\"")
        .unwrap();
    f.set_scalar(&p(0, &["spec", "single"]), "line\nbreak")
        .unwrap();
    f.set_scalar(&p(0, &["spec", "plain"]), "other value")
        .unwrap();
    f.set_scalar(&p(0, &["spec", "number"]), "6432").unwrap();
    f.set_scalar(&p(0, &["spec", "url"]), "https://other:1/y")
        .unwrap();
    f.set_scalar(&p(0, &["spec", "multi"]), "one line").unwrap();
    let want = replaced(&orig, "'naïve — déjà vu'", "'l''été'");
    let want = replaced(&want, "tier: db}", "tier: data}");
    let want = replaced(
        &want,
        "\"double \\\"quoted\\\" \\t tab\"",
        "\"new \\\"one\\\"\"",
    );
    let want = replaced(&want, "'single ''quoted'''", "\"line\\nbreak\"");
    let want = replaced(&want, "plain value with spaces", "other value");
    let want = replaced(&want, "\"5432\"", "\"6432\"");
    let want = replaced(
        &want,
        "https://example.com:9000/x  #",
        "https://other:1/y  #",
    );
    let want = replaced(&want, "\"line one\n    line two\"", "\"one line\"");
    assert_eq!(f.text(), want);
    // Block scalars and aliases are refused, and nothing changes.
    let before = f.text().to_string();
    assert!(f.set_scalar(&p(0, &["spec", "block"]), "x").is_err());
    assert!(f.set_scalar(&p(0, &["spec", "alias"]), "x").is_err());
    assert_eq!(f.text(), before);
}

#[test]
fn block_text_is_dedented_with_its_comments() {
    let (f, _) = open("comments.yaml");
    let text = f
        .block_text(&p(0, &["spec", "backup"]), "barmanObjectStore")
        .unwrap();
    assert_eq!(
        text,
        "destinationPath: s3://bucket/pg   # bucket\n# comment inside the store\nserverName: pg-main-v2 # bump on every recovery\nwal:\n  compression: gzip\n"
    );
    assert_eq!(f.block_text(&p(0, &["spec"]), "instances"), None);
}

#[test]
fn locate_finds_a_node_by_its_position() {
    let (f, _) = open("crlf.yaml");
    let path = NodePath::root(0)
        .keys(&["spec", "plugins"])
        .index(0)
        .keys(&["parameters", "serverName"]);
    let node = f.node(&path).unwrap();
    assert_eq!(f.locate(&node.span, Shape::Scalar), Some(path));
    let map = p(0, &["spec", "bootstrap"]);
    let node = f.node(&map).unwrap();
    assert_eq!(f.locate(&node.span, Shape::Map), Some(map));
}

// ---- multi-file changes ----

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!(
        "cnpg-dr-edit-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("a/one.yaml"), "k: 1\n").unwrap();
    std::fs::write(dir.join("b/two.yaml"), "k: 2\r\n").unwrap();
    dir
}

fn three_changes(dir: &Path) -> ChangeSet {
    let mut cs = ChangeSet::new();
    cs.set(
        &dir.join("a/one.yaml"),
        Some("k: 1\n".into()),
        "k: 10\n".into(),
    );
    cs.set(
        &dir.join("b/two.yaml"),
        Some("k: 2\r\n".into()),
        "k: 20\r\n".into(),
    );
    cs.set(&dir.join("b/new.yaml"), None, "k: 3\n".into());
    cs
}

fn listing(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sub in ["a", "b"] {
        let mut names: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for n in names {
            let content = std::fs::read_to_string(&n).unwrap_or_else(|_| "<dir>".into());
            out.push((n.strip_prefix(dir).unwrap().display().to_string(), content));
        }
    }
    out
}

#[test]
fn commit_writes_every_file() {
    let dir = scratch("ok");
    three_changes(&dir).commit().unwrap();
    assert_eq!(
        listing(&dir),
        [
            ("a/one.yaml".to_string(), "k: 10\n".to_string()),
            ("b/new.yaml".into(), "k: 3\n".into()),
            ("b/two.yaml".into(), "k: 20\r\n".into()),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failing_second_temp_write_changes_nothing() {
    let dir = scratch("temp");
    let before = listing(&dir);
    let mut n = 0;
    let err = three_changes(&dir)
        .commit_with(&mut |_, step| {
            if step == Step::WriteTemp {
                n += 1;
                if n == 2 {
                    return Err(std::io::Error::other("disk full"));
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(
        listing(&dir),
        before,
        "originals untouched, no temporary files left"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failing_rename_restores_the_files_already_replaced() {
    let dir = scratch("rename");
    let before = listing(&dir);
    let mut n = 0;
    let err = three_changes(&dir)
        .commit_with(&mut |_, step| {
            if step == Step::Rename {
                n += 1;
                if n == 3 {
                    return Err(std::io::Error::other("interrupted"));
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, WriteError::Io { .. }), "{err}");
    assert_eq!(listing(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_real_failure_in_the_second_directory_changes_nothing() {
    // The temporary file of the second file cannot be created (a directory
    // has its name): a real I/O failure, no hook, even when running as root.
    let dir = scratch("real");
    std::fs::create_dir(temp_path(&dir.join("b/two.yaml"))).unwrap();
    let before = listing(&dir);
    let err = three_changes(&dir).commit().unwrap_err();
    assert!(err.to_string().contains("two.yaml"), "{err}");
    assert_eq!(listing(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_changed_since_reading_are_not_overwritten() {
    let dir = scratch("conflict");
    std::fs::write(dir.join("b/two.yaml"), "k: someone else\n").unwrap();
    let err = three_changes(&dir).commit().unwrap_err();
    assert!(matches!(err, WriteError::Conflict(_)));
    assert_eq!(
        std::fs::read_to_string(dir.join("a/one.yaml")).unwrap(),
        "k: 1\n"
    );
    std::fs::write(dir.join("b/two.yaml"), "k: 2\r\n").unwrap();
    std::fs::write(dir.join("b/new.yaml"), "x").unwrap();
    assert!(matches!(
        three_changes(&dir).commit().unwrap_err(),
        WriteError::Exists(_)
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn edited_view_renders_new_and_changed_files() {
    let mut fs = MemFs::new();
    fs.insert("/r/kustomization.yaml", "resources:\n- a.yaml\n")
        .insert(
            "/r/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        );
    let mut cs = ChangeSet::new();
    cs.set(
        Path::new("/r/kustomization.yaml"),
        Some("resources:\n- a.yaml\n".into()),
        "resources:\n- a.yaml\n- b.yaml\n".into(),
    );
    cs.set(
        Path::new("/r/b.yaml"),
        None,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n".into(),
    );
    let view = cs.view(&fs);
    assert!(view.is_file(Path::new("/r/b.yaml")));
    assert!(view
        .read_dir(Path::new("/r"))
        .unwrap()
        .contains(&PathBuf::from("/r/b.yaml")));
    let out = crate::kustomize::render(&view, Path::new("/r"), &Default::default()).unwrap();
    let names: Vec<&str> = out.resources.iter().map(|r| r.name()).collect();
    assert_eq!(names, ["a", "b"]);
    // The real filesystem is untouched by a view.
    let _ = RealFs;
}

#[test]
fn new_documents_read_back_as_written() {
    let doc = NewNode::map([
        ("apiVersion", NewNode::str("monitoring.coreos.com/v1")),
        (
            "spec",
            NewNode::map([
                (
                    "selector",
                    NewNode::map([(
                        "matchLabels",
                        NewNode::map([("cnpg.io/cluster", NewNode::str("pg"))]),
                    )]),
                ),
                (
                    "podMetricsEndpoints",
                    NewNode::Seq(vec![NewNode::map([("port", NewNode::str("metrics"))])]),
                ),
                ("empty", NewNode::Map(vec![])),
            ]),
        ),
    ]);
    let text = doc.to_document("\r\n");
    assert_eq!(
        text,
        "apiVersion: monitoring.coreos.com/v1\r\nspec:\r\n  selector:\r\n    matchLabels:\r\n      cnpg.io/cluster: pg\r\n  podMetricsEndpoints:\r\n    - port: metrics\r\n  empty: {}\r\n"
    );
    let f = YamlFile::new_file(Path::new("new.yaml"), text).unwrap();
    assert!(same_tree(&f.docs()[0], &expected_node(&doc)));
    assert_eq!(f.original(), None);
    assert!(f.changed());
    let copied = NewNode::from_node(&f.docs()[0]);
    assert_eq!(
        copied.to_document("\r\n"),
        f.text(),
        "plain scalars copy as plain"
    );
}
