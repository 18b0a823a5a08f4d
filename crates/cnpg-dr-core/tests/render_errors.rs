//! Bad input gives a clear, located error and never a panic.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::Path;

use cnpg_dr_core::fs::{MemFs, RealFs};
use cnpg_dr_core::kustomize::{render, RenderError, RenderErrorKind, RenderOptions};

fn render_mem(files: &[(&str, &str)]) -> Result<String, RenderError> {
    let mut fs = MemFs::new();
    for (path, text) in files {
        fs.insert(Path::new("/repo").join(path), text.as_bytes().to_vec());
    }
    render(&fs, Path::new("/repo"), &RenderOptions::default()).and_then(|r| r.to_yaml())
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n";

#[test]
fn malformed_yaml_names_file_and_line() {
    let err = render_mem(&[
        ("kustomization.yaml", "resources:\n- cm.yaml\n"),
        (
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\ndata: {}\n",
        ),
    ])
    .unwrap_err();
    assert_eq!(err.kind, RenderErrorKind::Yaml);
    let span = err.span.clone().expect("a position");
    assert_eq!(span.file.as_ref(), Path::new("/repo/cm.yaml"));
    assert!(span.line >= 4, "line {}", span.line);
    assert!(err.to_string().contains("MalformedYAMLError"), "{err}");
}

#[test]
fn yaml_bomb_is_refused() {
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = 'a';
    for c in 'b'..='j' {
        bomb.push_str(&format!("  {c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = c;
    }
    let err = render_mem(&[
        ("kustomization.yaml", "resources:\n- bomb.yaml\n"),
        ("bomb.yaml", &bomb),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("alias"), "{err}");
    assert_eq!(
        err.span.as_ref().unwrap().file.as_ref(),
        Path::new("/repo/bomb.yaml")
    );
}

#[test]
fn resource_cycle_is_reported() {
    let err = render_mem(&[
        ("kustomization.yaml", "resources:\n- a\n"),
        ("a/kustomization.yaml", "resources:\n- ../b\n"),
        ("b/kustomization.yaml", "resources:\n- ../a\n"),
    ])
    .unwrap_err();
    assert_eq!(err.kind, RenderErrorKind::Cycle);
    let text = err.to_string();
    assert!(
        text.contains("cycle detected: /repo/a -> /repo/b -> /repo/a"),
        "{text}"
    );
}

#[test]
fn remote_base_is_refused_without_network() {
    for remote in [
        "https://github.com/cloudnative-pg/cloudnative-pg//config/default?ref=v1.24.1",
        "github.com/acme/gitops/databases/base?ref=main",
        "git@github.com:acme/gitops.git",
    ] {
        let err = render_mem(&[("kustomization.yaml", &format!("resources:\n- {remote}\n"))])
            .unwrap_err();
        assert_eq!(err.kind, RenderErrorKind::Refused, "{remote}");
        assert!(
            err.to_string().contains("never touches the network"),
            "{err}"
        );
        assert_eq!(err.span.as_ref().unwrap().line, 2);
    }
}

#[test]
fn helm_charts_and_plugins_are_refused_by_name() {
    let err = render_mem(&[(
        "kustomization.yaml",
        "helmCharts:\n- name: cloudnative-pg\n  repo: https://cloudnative-pg.github.io/charts\n",
    )])
    .unwrap_err();
    assert_eq!(err.kind, RenderErrorKind::Refused);
    assert!(err.to_string().contains("'helmCharts'"), "{err}");
    let err =
        render_mem(&[("kustomization.yaml", "transformers:\n- sops-plugin.yaml\n")]).unwrap_err();
    assert!(err.to_string().contains("'transformers'"), "{err}");
}

#[test]
fn file_outside_the_root_is_refused() {
    let mut fs = MemFs::new();
    fs.insert(
        "/repo/db/kustomization.yaml",
        "resources:\n- ../outside.yaml\n",
    )
    .insert("/repo/outside.yaml", CM);
    let err = render(&fs, Path::new("/repo/db"), &RenderOptions::default()).unwrap_err();
    assert_eq!(err.kind, RenderErrorKind::OutsideRoot);
    assert!(
        err.to_string()
            .contains("security; file '/repo/outside.yaml' is not in or below '/repo/db'"),
        "{err}"
    );
}

#[test]
fn huge_file_is_refused_before_reading() {
    let dir = std::env::temp_dir().join(format!("cnpg-dr-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "resources:\n- huge.yaml\n").unwrap();
    let huge = std::fs::File::create(dir.join("huge.yaml")).unwrap();
    huge.set_len(100 * 1024 * 1024).unwrap(); // sparse: nothing is written
    let err = render(&RealFs, &dir, &RenderOptions::default()).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        err.to_string()
            .contains("104857600 bytes, larger than the limit"),
        "{err}"
    );
}

#[test]
fn missing_resource_names_the_entry() {
    let err = render_mem(&[
        ("kustomization.yaml", "resources:\n- cm.yaml\n- gone.yaml\n"),
        ("cm.yaml", CM),
    ])
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("'gone.yaml'") && text.contains("no such file or directory"),
        "{text}"
    );
    assert_eq!(err.span.as_ref().unwrap().line, 3);
}

#[test]
fn invalid_utf8_is_located() {
    let mut fs = MemFs::new();
    fs.insert("/repo/kustomization.yaml", "resources:\n- cm.yaml\n")
        .insert(
            "/repo/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \xff\n".to_vec(),
        );
    let err = render(&fs, Path::new("/repo"), &RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("cm.yaml:4:9: invalid UTF-8"),
        "{err}"
    );
}
