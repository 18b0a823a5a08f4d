//! `cnpg-dr lineages DB`, the real binary, on testdata/lab-repo: two databases
//! (the plugin shape with initdb active, the native shape with recovery
//! active) whose destinationPath is the lab's bucket. The live cases run
//! against the lab of scripts/lab/lab.sh (see tests/lab/mod.rs); the error
//! cases need no server.
#![allow(clippy::disallowed_methods)] // tests read and build real files

mod common;
mod lab;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::Value;

use common::{code, copy_dir, stderr, stdout, workspace};
use lab::Lab;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A repository (with `.git`) holding a copy of testdata/lab-repo, and a
/// .cnpg-dr.yaml mapping the manifests' in-cluster endpoint to `endpoint`.
struct Repo {
    root: PathBuf,
}

impl Repo {
    fn new(endpoint: Option<&str>) -> Repo {
        let root = std::env::temp_dir().join(format!(
            "cnpg-dr-cli-lineages-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        copy_dir(&workspace().join("testdata/lab-repo"), &root);
        if let Some(e) = endpoint {
            std::fs::write(
                root.join(".cnpg-dr.yaml"),
                format!("s3:\n  endpoints:\n    http://minio.minio.svc:9000: {e}\n"),
            )
            .unwrap();
        }
        Repo { root }
    }

    fn run(&self, args: &[&str], env: &[(&str, String)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"));
        cmd.current_dir(&self.root).arg("lineages").args(args);
        for k in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ] {
            cmd.env_remove(k);
        }
        cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        cmd.output().expect("cnpg-dr runs")
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("schemas/output/lineages.json")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("the lineages schema compiles")
}

/// Parses stdout and checks it against schemas/output/lineages.json.
fn valid_json(out: &Output) -> Value {
    let doc: Value = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)));
    let errors: Vec<String> = validator()
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
    doc
}

fn fake_keys() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "not-a-secret".to_string()),
    ]
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn an_unreachable_store_is_exit_2_with_the_cause_and_a_valid_document() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let repo = Repo::new(Some(&endpoint));
    let out = repo.run(
        &["databases/demo", "--format", "json", "--timeout", "5"],
        &fake_keys(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("connection refused"),
        "{}",
        stderr(&out)
    );
    let doc = valid_json(&out);
    let d = &doc["destinations"][0];
    assert_eq!(d["destination_path"], "s3://backups/cnpg/demo");
    assert_eq!(d["manifest_endpoint"], "http://minio.minio.svc:9000");
    assert_eq!(d["endpoint"], endpoint.as_str(), "mapped by .cnpg-dr.yaml");
    assert!(d["error"].as_str().unwrap().contains("connection refused"));
    assert_eq!(d["lineages"], serde_json::json!([]));
    let mut wrong = doc.clone();
    wrong["destinations"][0]["requests"] = Value::from("five");
    assert!(!validator().is_valid(&wrong), "the schema checks types");
    // The uses are known from the manifests alone.
    let uses: Vec<(String, String, String, bool)> = doc["uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["overlay"].as_str().unwrap().to_string(),
                u["role"].as_str().unwrap().to_string(),
                u["server_name"].as_str().unwrap().to_string(),
                u["dormant"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = [
        ("initdb", "writes", "demo-database-v1", false),
        ("recovery", "writes", "demo-database-v2", true),
        ("recovery", "reads", "demo-database-v1", true),
    ];
    let want: Vec<(String, String, String, bool)> = want
        .iter()
        .map(|(o, r, s, d)| (o.to_string(), r.to_string(), s.to_string(), *d))
        .collect();
    assert_eq!(uses, want);
    assert_eq!(doc["uses"][0]["object_store"], "demo-objectstore");
    assert_eq!(
        doc["uses"][0]["location"],
        "databases/demo/base/cluster.yaml:20:21"
    );

    // The table says the same, and --endpoint-url wins over the mapping.
    let other = format!("http://127.0.0.1:{}", closed_port());
    let out = repo.run(
        &["demo", "--endpoint-url", &other, "--timeout", "5"],
        &fake_keys(),
    );
    assert_eq!(code(&out), 2);
    assert!(
        stdout(&out).starts_with(&format!("s3://backups/cnpg/demo  (endpoint {other})")),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("error: could not reach the object store: connection refused"));
}

#[test]
fn without_credentials_it_stops_and_names_the_variables() {
    let repo = Repo::new(None);
    let out = repo.run(&["databases/demo-native"], &[]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unknown_database_is_an_error_with_a_suggestion() {
    let repo = Repo::new(None);
    let out = repo.run(&["demo-nativ"], &fake_keys());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean demo-native?"),
        "{}",
        stderr(&out)
    );
}

fn lab_env(lab: &Lab) -> Vec<(&'static str, String)> {
    lab.aws_env()
}

fn lineage<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["destinations"][0]["lineages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["server_name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed"))
}

fn users(l: &Value, role: &str) -> Vec<(String, bool)> {
    l[role]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["overlay"].as_str().unwrap().to_string(),
                u["dormant"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn plugin_database_on_the_lab_bucket() {
    let Some(lab) = Lab::get() else { return };
    let repo = Repo::new(Some(lab.endpoint()));
    let before = lab.listing();
    let started = Instant::now();
    let out = repo.run(&["databases/demo", "--format", "json"], &lab_env(&lab));
    let took = started.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = valid_json(&out);
    assert_eq!(doc["database"], "databases/demo");
    let d = &doc["destinations"][0];
    assert_eq!(d["endpoint"], lab.endpoint());
    assert_eq!(d["error"], Value::Null);
    let names: Vec<&str> = d["lineages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["server_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "demo-database-v1",
            "demo-database-v2",
            "demo-mixed",
            "demo-wal-only"
        ]
    );
    // One list page, one GET per backup.info (4) and one for the bzip2 history file.
    assert_eq!(d["objects_read"], 5);
    assert_eq!(d["requests"], 6);
    assert_eq!(
        d["objects_listed"].as_u64().unwrap() as usize,
        before.lines().count()
    );

    let v1 = lineage(&doc, "demo-database-v1");
    assert_eq!(v1["verdict"], "restorable");
    assert_eq!(v1["archive_empty"], false);
    assert_eq!(
        v1["systemids"],
        serde_json::json!([lab.var("LAB_SYSTEMID_A")])
    );
    assert_eq!(v1["window"]["start_backup"], lab.var("LAB_V1_BACKUP_ID"));
    assert_eq!(v1["backups"][0]["name"], "lab-backup-1");
    assert_eq!(v1["backups"][0]["compression"], "gzip");
    assert_eq!(
        v1["timelines"][0]["compressions"],
        serde_json::json!(["bzip2"])
    );
    assert_eq!(users(v1, "written_by"), [("initdb".to_string(), false)]);
    assert_eq!(users(v1, "read_by"), [("recovery".to_string(), true)]);

    let v2 = lineage(&doc, "demo-database-v2");
    assert_eq!(v2["verdict"], "restorable");
    assert_eq!(v2["backups"][0]["timeline"], 2);
    assert_eq!(v2["history"][0]["timeline"], 2);
    assert_eq!(v2["history"][0]["compression"], "bzip2");
    assert_eq!(v2["history"][0]["error"], Value::Null);
    assert_eq!(v2["history"][0]["entries"][0]["parent_timeline"], 1);
    assert!(v2["history"][0]["entries"][0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("before 20"));
    assert_eq!(users(v2, "written_by"), [("recovery".to_string(), true)]);

    let mut wrong = doc.clone();
    wrong["destinations"][0]["lineages"][0]["verdict"] = Value::from("fine");
    assert!(
        !validator().is_valid(&wrong),
        "the schema knows the verdicts"
    );

    let mixed = lineage(&doc, "demo-mixed");
    assert_eq!(mixed["verdict"], "mixed-systemid");
    assert_eq!(mixed["systemids"].as_array().unwrap().len(), 2);
    assert_eq!(lineage(&doc, "demo-wal-only")["verdict"], "wal-only");
    assert_eq!(lineage(&doc, "demo-wal-only")["window"], Value::Null);

    assert_eq!(
        lab.listing(),
        before,
        "the bucket is byte-identical afterwards"
    );
    eprintln!(
        "lineages databases/demo: {took:?}, {} requests",
        d["requests"]
    );
}

#[test]
fn native_database_in_recovery_lists_its_empty_write_lineage_too() {
    let Some(lab) = Lab::get() else { return };
    let repo = Repo::new(Some(lab.endpoint()));
    let before = lab.listing();
    let out = repo.run(&["demo-native", "--format", "json"], &lab_env(&lab));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = valid_json(&out);
    let v3 = lineage(&doc, "demo-database-v3");
    assert_eq!(
        v3["verdict"], "empty",
        "named by the manifests, absent from the bucket"
    );
    assert_eq!(v3["archive_empty"], true);
    assert_eq!(
        users(v3, "written_by"),
        [
            ("recovery".to_string(), false),
            ("initdb".to_string(), true)
        ]
    );
    let v2 = lineage(&doc, "demo-database-v2");
    assert_eq!(users(v2, "read_by"), [("recovery".to_string(), false)]);
    assert_eq!(
        v2["read_by"][0]["location"],
        "databases/demo-native/overlays/recovery/bootstrap-patch.yaml:30:21"
    );
    assert_eq!(doc["uses"][0]["object_store"], Value::Null, "native shape");

    // The table: one line per lineage, with its marks.
    let out = repo.run(&["demo-native"], &lab_env(&lab));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("\ndemo-database-v3  empty  [writes (recovery, active); writes (initdb, dormant)]\n  nothing stored under this serverName\n"),
        "{table}"
    );
    let v2_line = table
        .lines()
        .find(|l| l.starts_with("demo-database-v2  restorable  window "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(v2_line.ends_with("[reads (recovery, active)]"), "{v2_line}");
    assert!(table.contains(&format!(
        "  backup {} lab-backup-2 DONE tl2 ",
        lab.var("LAB_V2_BACKUP_ID")
    )));
    assert!(table.contains("\ndemo-mixed  mixed-systemid"), "{table}");
    assert!(table.contains("\ndemo-wal-only  wal-only\n"), "{table}");
    assert_eq!(lab.listing(), before);
}

#[test]
fn a_wrong_secret_is_a_403_naming_the_key() {
    let Some(lab) = Lab::get() else { return };
    let repo = Repo::new(Some(lab.endpoint()));
    let mut env = lab_env(&lab);
    for (k, v) in &mut env {
        if *k == "AWS_SECRET_ACCESS_KEY" {
            *v = "wrong".to_string();
        }
    }
    let out = repo.run(&["databases/demo"], &env);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("access denied (403) listing or reading `cnpg/demo/`"),
        "{}",
        stderr(&out)
    );
}
