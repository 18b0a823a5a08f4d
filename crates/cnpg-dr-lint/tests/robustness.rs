//! Hostile repositories, run through the real `cnpg-dr` binary: symlink
//! loops, unreadable files, non-UTF-8 names, huge and deep inputs, shared
//! bases, CRLF line breaks, empty files and repositories without databases.
//! Each test asserts what the user sees (exit code, message naming the file),
//! not merely that nothing panicked.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::*;

/// Longest any single command may take here; far above what each needs, so
/// that only a hang (a symlink or base loop followed forever) trips it.
const HANG: Duration = Duration::from_secs(120);

/// Runs the binary in `dir`, failing the test (instead of hanging it) when the
/// process does not finish within [`HANG`].
fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_within(dir, args, HANG)
}

fn run_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let pid = child.id();
    // Output is collected on another thread (a full pipe would block the
    // child), and this one waits for it with a deadline.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("cnpg-dr {args:?} did not finish within {limit:?}");
        }
    }
}

/// `(rule, file, line, column)` of every finding, in output order.
fn findings(doc: &Value) -> Vec<(String, String, u64, u64)> {
    doc["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// An empty repository (with `.git`) in a temporary directory.
fn empty_repo() -> TempRepo {
    let repo = TempRepo::with(&[]);
    std::fs::remove_dir_all(repo.root.join("argocd")).unwrap();
    repo
}

const KUST: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

fn kustomization(resources: &[&str]) -> String {
    let mut k = format!("{KUST}resources:\n");
    for r in resources {
        k.push_str(&format!("  - {r}\n"));
    }
    k
}

const CLUSTER: &str = "apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: pg
spec:
  instances: 1
  storage:
    size: 1Gi
";

fn configmap(i: usize) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: v{i}\n")
}

/// A database directory `dbs/<name>` whose root includes `cluster.yaml`.
fn database(repo: &TempRepo, name: &str) -> PathBuf {
    let dir = repo.root.join("dbs").join(name);
    write(
        &dir.join("kustomization.yaml"),
        &kustomization(&["cluster.yaml"]),
    );
    write(&dir.join("cluster.yaml"), CLUSTER);
    dir
}

/// CDR404 (no backups) is what the minimal Cluster above always gets.
fn cdr404_at(doc: &Value) -> Vec<String> {
    findings(doc)
        .into_iter()
        .filter(|f| f.0 == "CDR404")
        .map(|f| format!("{}:{}:{}", f.1, f.2, f.3))
        .collect()
}

/// The messages of the render-failed findings (one line each, unlike the
/// wrapped diagnostics on stderr).
fn render_failures(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "CDR305")
        .map(|f| {
            format!(
                "{}:{}: {}",
                f["file"].as_str().unwrap(),
                f["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_to_an_ancestor_is_walked_once() {
    let repo = empty_repo();
    let db = database(&repo, "db");
    std::os::unix::fs::symlink("..", db.join("loop")).unwrap();
    std::os::unix::fs::symlink(".", db.join("self")).unwrap();
    let out = run_in(&repo.root, &["lint", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["summary"]["databases"], 1);
    assert_eq!(cdr404_at(&doc), ["dbs/db/cluster.yaml:4:9"]);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_included_as_a_base_is_a_cycle_error() {
    let repo = empty_repo();
    let db = database(&repo, "db");
    // db includes base, base includes `up`, a symlink back to db.
    std::fs::rename(db.join("cluster.yaml"), db.join("c.yaml")).unwrap();
    write(&db.join("kustomization.yaml"), &kustomization(&["base"]));
    std::fs::create_dir(db.join("base")).unwrap();
    std::fs::rename(db.join("c.yaml"), db.join("base/cluster.yaml")).unwrap();
    write(
        &db.join("base/kustomization.yaml"),
        &kustomization(&["cluster.yaml", "up"]),
    );
    std::os::unix::fs::symlink("..", db.join("base/up")).unwrap();
    let render = run_in(&repo.root, &["render", "dbs/db"]);
    assert_eq!(code(&render), 1);
    assert!(
        stderr(&render).contains("cycle detected"),
        "{}",
        stderr(&render)
    );
    let lint = run_in(&repo.root, &["lint", "--format", "json"]);
    assert_eq!(code(&lint), 1);
    let failed = render_failures(&json(&lint));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with(
            "dbs/db/base/up/kustomization.yaml:4: the kustomization in dbs/db does not render"
        ),
        "{failed:?}"
    );
    assert!(failed[0].ends_with(" -> dbs/db/base"), "{failed:?}");
    assert!(
        failed[0].contains("cycle detected: dbs/db/base -> dbs/db -> "),
        "{failed:?}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_resource_is_reported_with_its_path() {
    use std::os::unix::fs::PermissionsExt;
    let repo = empty_repo();
    let db = database(&repo, "db");
    let cluster = db.join("cluster.yaml");
    std::fs::set_permissions(&cluster, std::fs::Permissions::from_mode(0o000)).unwrap();
    let expected = if std::fs::read(&cluster).is_err() {
        // An ordinary user: the read itself fails.
        "dbs/db/cluster.yaml': Permission denied"
    } else {
        // root reads anything: provoke a read error another way, with a
        // directory where the resource file should be.
        std::fs::remove_file(&cluster).unwrap();
        std::fs::create_dir(&cluster).unwrap();
        "in directory 'dbs/db/cluster.yaml'"
    };
    let out = run_in(&repo.root, &["lint", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("warning: dbs/db was not linted: it does not render"),
        "{}",
        stderr(&out)
    );
    let failed = render_failures(&json(&out));
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("dbs/db/kustomization.yaml:4: the kustomization in dbs/db does not render, so nothing under it can be deployed: accumulating resources: accumulating resources from 'cluster.yaml': "),
        "{failed:?}"
    );
    assert!(failed[0].contains(expected), "{failed:?}");
    if let Ok(meta) = std::fs::metadata(&cluster) {
        if meta.is_file() {
            std::fs::set_permissions(&cluster, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_as_a_resource_names_the_file() {
    let repo = empty_repo();
    let db = database(&repo, "db");
    std::fs::remove_file(db.join("cluster.yaml")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", db.join("cluster.yaml")).unwrap();
    let out = run_in(&repo.root, &["render", "dbs/db"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("dbs/db/kustomization.yaml:4:5"),
        "{}",
        stderr(&out)
    );
    let lint = run_in(&repo.root, &["lint", "--format", "json"]);
    assert_eq!(
        render_failures(&json(&lint)),
        ["dbs/db/kustomization.yaml:4: the kustomization in dbs/db does not render, so nothing under it can be deployed: accumulating resources: accumulating resources from 'cluster.yaml': 'dbs/db/cluster.yaml': no such file or directory"]
    );
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_names_are_shown_lossily_and_never_panic() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let repo = empty_repo();
    // A database directory with a Latin-1 name, and a loose file in it.
    let db = repo.root.join("dbs").join(OsStr::from_bytes(b"caf\xe9-db"));
    write(
        &db.join("kustomization.yaml"),
        &kustomization(&["cluster.yaml"]),
    );
    write(&db.join("cluster.yaml"), CLUSTER);
    write(
        &db.join(OsStr::from_bytes(b"loose-\xff.yaml")),
        &configmap(1),
    );
    // A resource whose name is not UTF-8 cannot be named in (UTF-8) YAML:
    // the kustomization holding that name is refused with its position.
    let other = repo.root.join("dbs/other");
    let mut k = kustomization(&[]).into_bytes();
    k.extend_from_slice(b"  - extra-\xfe.yaml\n");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("kustomization.yaml"), k).unwrap();
    std::fs::write(other.join(OsStr::from_bytes(b"extra-\xfe.yaml")), CLUSTER).unwrap();

    let out = run_in(&repo.root, &["lint", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(cdr404_at(&doc), ["dbs/caf\u{FFFD}-db/cluster.yaml:4:9"]);
    let err = stderr(&out);
    assert!(err.contains("warning: dbs/other was not linted"), "{err}");
    assert!(
        err.contains("dbs/other/kustomization.yaml:4:11: invalid UTF-8"),
        "{err}"
    );
    let render = run_in(&db, &["render", "."]);
    assert_eq!(code(&render), 0, "{}", stderr(&render));
    assert!(stdout(&render).contains("kind: Cluster"));
}

/// A resource file of 10,000 documents renders whole, in order (under a
/// second in a debug build since duplicate ids are looked up in an index;
/// it took minutes when each resource was compared with every earlier one).
#[test]
fn ten_thousand_documents_in_one_resource_all_render() {
    many_documents_render(10_000);
}

fn many_documents_render(n: usize) {
    let repo = empty_repo();
    let db = database(&repo, "db");
    write(
        &db.join("kustomization.yaml"),
        &kustomization(&["cluster.yaml", "many.yaml"]),
    );
    let many: Vec<String> = (0..n).map(configmap).collect();
    write(&db.join("many.yaml"), &many.join("---\n"));
    let started = Instant::now();
    let out = run_within(&repo.root, &["render", "dbs/db"], 10 * HANG);
    eprintln!("rendering {n} documents took {:?}", started.elapsed());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("\n---\n").count(), n, "n + 1 documents");
    assert_eq!(text.matches("kind: ConfigMap\n").count(), n);
    assert!(text.starts_with("apiVersion: v1\ndata:\n  k: v0\nkind: ConfigMap\n"));
    assert!(text.contains(&format!("  name: cm-{}\n", n - 1)));
    assert_eq!(text.matches("kind: Cluster\n").count(), 1);
}

/// `chain/l0` includes `../l1`, ... and `l{levels}` holds the database's Cluster.
fn chain(repo: &TempRepo, levels: usize) {
    let dir = repo.root.join("chain");
    for i in 0..levels {
        let next = format!("../l{}", i + 1);
        write(
            &dir.join(format!("l{i}/kustomization.yaml")),
            &kustomization(&[&next]),
        );
    }
    let last = dir.join(format!("l{levels}"));
    write(
        &last.join("kustomization.yaml"),
        &kustomization(&["cluster.yaml"]),
    );
    write(&last.join("cluster.yaml"), CLUSTER);
}

#[test]
fn a_chain_of_a_hundred_bases_renders() {
    let repo = empty_repo();
    chain(&repo, 100);
    let out = run_in(&repo.root, &["render", "chain/l0"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\n"));
    let lint = run_in(&repo.root, &["lint", "--format", "json"]);
    let doc = json(&lint);
    assert_eq!(doc["summary"]["databases"], 1, "{}", stderr(&lint));
    assert_eq!(cdr404_at(&doc), ["chain/l100/cluster.yaml:4:9"]);
}

#[test]
fn a_chain_too_deep_to_follow_is_an_error_not_a_stack_overflow() {
    let repo = empty_repo();
    chain(&repo, 3000);
    let out = run_in(&repo.root, &["render", "chain/l0"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("overflow"), "{err}");
    assert!(
        err.contains("kustomizations nest more than 100 levels deep: "),
        "{err}"
    );
    assert!(err.contains("chain/l1 -> ... -> "), "{err}");
    let lint = run_in(&repo.root, &["lint"]);
    assert_eq!(code(&lint), 1, "{}", stderr(&lint));
    assert!(stderr(&lint).contains("levels deep"), "{}", stderr(&lint));
}

#[test]
fn two_roots_sharing_a_base_are_two_databases() {
    let repo = empty_repo();
    let shared = repo.root.join("dbs/shared");
    write(
        &shared.join("kustomization.yaml"),
        &kustomization(&["cluster.yaml"]),
    );
    write(&shared.join("cluster.yaml"), CLUSTER);
    for (root, ns) in [("east", "east"), ("west", "west")] {
        write(
            &repo.root.join("dbs").join(root).join("kustomization.yaml"),
            &format!("{}namespace: {ns}\n", kustomization(&["../shared"])),
        );
    }
    for root in ["dbs/east", "dbs/west"] {
        let out = run_in(&repo.root, &["render", root]);
        assert_eq!(code(&out), 0, "{root}: {}", stderr(&out));
        let ns = root.trim_start_matches("dbs/");
        assert!(stdout(&out).contains(&format!("  namespace: {ns}\n")));
    }
    let out = run_in(&repo.root, &["lint", "--format", "json"]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["databases"], 2);
    // Each root deploys its own Cluster from the shared file. Findings are
    // merged by rule and position (runner::sort_and_merge), so the shared
    // line is reported once, attributed to the first database.
    let cdr404: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "CDR404")
        .map(|f| (f["file"].as_str().unwrap(), f["database"].as_str().unwrap()))
        .collect();
    assert_eq!(cdr404, [("dbs/shared/cluster.yaml", "dbs/east")]);
    // Linted alone, the other root reports the same line as its own.
    let west = json(&run_in(
        &repo.root,
        &["lint", "dbs/west", "--format", "json"],
    ));
    assert_eq!(west["findings"][0]["file"], "dbs/shared/cluster.yaml");
    assert_eq!(west["findings"][0]["database"], "dbs/west");
}

/// Every file of a directory tree with LF turned into CRLF.
fn to_crlf(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            to_crlf(&path);
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        }
    }
}

#[test]
fn crlf_files_lint_like_lf_and_plan_keeps_crlf() {
    let lf = TempRepo::with(&["paperless", "vaultwarden"]);
    let crlf = TempRepo::with(&["paperless", "vaultwarden"]);
    to_crlf(&crlf.root.join(DBS));
    let lint = |r: &TempRepo| {
        let out = run_in(&r.root, &["lint", "--format", "json"]);
        (code(&out), findings(&json(&out)))
    };
    let (lf_code, lf_findings) = lint(&lf);
    assert!(!lf_findings.is_empty());
    assert_eq!(lint(&crlf), (lf_code, lf_findings));

    let out = run_in(&crlf.root, &["plan", "paperless", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let changed: Vec<(String, Vec<u8>)> = crlf
        .files()
        .into_iter()
        .filter(|(name, bytes)| name.starts_with(DBS) && !bytes.is_empty())
        .collect();
    for (name, bytes) in &changed {
        let text = String::from_utf8_lossy(bytes);
        let bare_lf = text.replace("\r\n", "").matches('\n').count();
        assert_eq!(bare_lf, 0, "{name} has LF-only line breaks:\n{text}");
    }
    assert!(stdout(&out).contains("Wrote 3 file(s)"), "{}", stdout(&out));
}

#[test]
fn a_repository_without_databases_says_so() {
    let repo = empty_repo();
    write(&repo.root.join("README.md"), "nothing here\n");
    write(&repo.root.join("apps/cm.yaml"), &configmap(1));
    let out = run_in(&repo.root, &["lint"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "0 error(s), 0 warning(s), 0 info(s) in 0 database(s)\n"
    );
    assert_eq!(
        stderr(&out),
        "note: no CloudNativePG database directory found under .\n"
    );
    let out = run_in(&repo.root, &["lint", "apps", "--format", "json"]);
    assert_eq!(code(&out), 0);
    assert_eq!(json(&out)["summary"]["databases"], 0);
    assert!(
        stderr(&out).contains("found under apps\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_and_comment_only_files() {
    let repo = empty_repo();
    // An empty resource file contributes nothing.
    let db = database(&repo, "db");
    write(
        &db.join("kustomization.yaml"),
        &kustomization(&["cluster.yaml", "empty.yaml"]),
    );
    write(&db.join("empty.yaml"), "");
    // A kustomization that is empty, or only comments, renders nothing.
    write(&repo.root.join("apps/empty/kustomization.yaml"), "");
    write(
        &repo.root.join("apps/comments/kustomization.yaml"),
        "# nothing yet\n# - overlays/recovery\n",
    );
    for dir in ["apps/empty", "apps/comments"] {
        let out = run_in(&repo.root, &["render", dir]);
        assert_eq!(code(&out), 0, "{dir}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{dir}");
    }
    let out = run_in(&repo.root, &["render", "dbs/db"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("kind: ").count(), 1);
    let lint = run_in(&repo.root, &["lint", "--format", "json"]);
    let doc = json(&lint);
    assert_eq!(doc["summary"]["databases"], 1, "{}", stderr(&lint));
    assert_eq!(cdr404_at(&doc), ["dbs/db/cluster.yaml:4:9"]);
}
