//! `cnpg-dr lint`, run as a real process on the demo repository and on
//! temporary repositories: exit codes and the output formats (configuration
//! and suppressions: cli_config.rs; `rules` and `explain`: cli_rules.rs).
//!
//! The rule set grows while these tests stand still: they only rely on CDR101,
//! CDR401, the suppression meta-rules, and the demo's deliberate mistakes for
//! those two (vaultwarden reads and writes the same lineage, and its
//! ScheduledBackup has a 5-field cron).

use serde_json::Value;

mod common;
use common::lint::*;
use common::{cnpg_dr_in, copy_dir, json, stderr, stdout, workspace, TempRepo};

// ── exit codes and human output ──────────────────────────────────────────────

#[test]
fn demo_fails_with_the_vaultwarden_mistakes_in_human_output() {
    let out = cnpg_dr(&["lint", "testdata/demo"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("── {VAULTWARDEN} ──")), "{text}");
    assert!(text.contains("CDR401(schedule-five-fields)"), "{text}");
    assert!(
        text.contains("CDR101(lineage-write-equals-source)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{VAULTWARDEN}/{SCHEDULE}:7:13")),
        "{text}"
    );
    assert!(text.contains("in 4 database(s)"), "{text}");
    assert!(!text.contains('\u{1b}'), "NO_COLOR output has no escapes");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn color_follows_the_flag_over_no_color() {
    let always = cnpg_dr(&["lint", "--color", "always", VAULTWARDEN]);
    assert!(stdout(&always).contains("\u{1b}["), "{}", stdout(&always));
    let never = cnpg_dr(&["lint", "--color", "never", VAULTWARDEN]);
    assert!(!stdout(&never).contains('\u{1b}'));
    assert!(stdout(&never).contains("CDR401(schedule-five-fields)"));
}

#[test]
fn a_clean_repository_exits_0() {
    let repo = TempRepo::new();
    repo.write("README.md", "nothing to lint\n");
    let out = repo.lint(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "0 error(s), 0 warning(s), 0 info(s) in 0 database(s)\n"
    );
}

#[test]
fn fail_on_sets_the_threshold() {
    let never = cnpg_dr(&["lint", "--fail-on", "never", VAULTWARDEN]);
    assert_eq!(never.status.code(), Some(0));
    assert!(
        stdout(&never).contains("CDR401"),
        "findings are still printed"
    );
    for level in ["error", "warning", "info"] {
        let out = cnpg_dr(&["lint", "--fail-on", level, VAULTWARDEN]);
        assert_eq!(out.status.code(), Some(1), "--fail-on {level}");
    }
}

#[test]
fn usage_and_path_errors_exit_2_with_nothing_on_stdout() {
    let missing = cnpg_dr(&["lint", "testdata/no-such-dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty());
    assert!(
        stderr(&missing).contains("testdata/no-such-dir: no such file or directory"),
        "{}",
        stderr(&missing)
    );
    let format = cnpg_dr(&["lint", "--format", "xml", VAULTWARDEN]);
    assert_eq!(format.status.code(), Some(2));
    assert!(stderr(&format).contains("xml"));
    let fail_on = cnpg_dr(&["lint", "--fail-on", "sometimes", VAULTWARDEN]);
    assert_eq!(fail_on.status.code(), Some(2));
    let config = cnpg_dr(&["lint", "--config", "no-such.yaml", VAULTWARDEN]);
    assert_eq!(config.status.code(), Some(2));
    assert!(stderr(&config).contains("no-such.yaml"));
}

#[test]
fn a_root_that_does_not_render_is_reported_on_stderr_only() {
    let repo = TempRepo::vaultwarden();
    repo.write("broken/kustomization.yaml", "resources:\n- missing.yaml\n");
    let out = repo.lint(&["--format", "json"]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["databases"], 1);
    let err = stderr(&out);
    assert!(err.contains("broken was not linted"), "{err}");
    assert!(err.contains("missing.yaml"), "{err}");
}

#[test]
fn a_single_file_is_linted_as_loose_resources() {
    let repo = TempRepo::vaultwarden();
    repo.edit_line(&vw(SCHEDULE), "schedule:", &|l| {
        format!("{l} # cnpg-dr: ignore[CDR101]")
    });
    let out = repo.lint(&["--format", "json", &vw(SCHEDULE)]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["summary"]["databases"], 0);
    // The file's comments are read; "unused" needs the kustomize context a
    // single file lacks, so it is not reported.
    assert_eq!(located(&doc, "CDR001"), [(vw(SCHEDULE), 7, 25)]);
    assert!(located(&doc, "CDR002").is_empty());

    repo.write("broken.yaml", "kind: Cluster\nspec: [\n");
    let out = repo.lint(&["broken.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.yaml:3:1"), "{}", stderr(&out));
}

// ── JSON ─────────────────────────────────────────────────────────────────────

#[test]
fn json_has_the_documented_fields_and_paths_relative_to_the_cwd() {
    let out = cnpg_dr(&["lint", "--format", "json", "testdata/demo"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    let documented = [
        "rule", "name", "severity", "file", "line", "column", "message", "database", "overlay",
        "dormant",
    ];
    for f in findings(&doc) {
        let obj = f.as_object().unwrap();
        for key in documented {
            assert!(obj.contains_key(key), "{key} missing in {f}");
        }
        for key in obj.keys() {
            assert!(
                documented.contains(&key.as_str()) || key == "help",
                "undocumented field {key}"
            );
        }
        assert!(f["file"].as_str().unwrap().starts_with("testdata/demo/"));
    }
    let cron = findings(&doc)
        .iter()
        .find(|f| f["rule"] == "CDR401" && f["database"] == VAULTWARDEN)
        .expect("the vaultwarden cron finding");
    assert_eq!(cron["name"], "schedule-five-fields");
    assert_eq!(cron["severity"], "error");
    assert_eq!(cron["file"], format!("{VAULTWARDEN}/{SCHEDULE}"));
    assert_eq!(
        (cron["line"].as_u64(), cron["column"].as_u64()),
        (Some(7), Some(13))
    );
    assert_eq!(cron["overlay"], "recovery");
    assert_eq!(cron["dormant"], false);
    assert!(cron["message"].as_str().unwrap().contains("5 fields"));
    assert!(located(&doc, "CDR101")
        .iter()
        .any(|(file, line, _)| *file == format!("{VAULTWARDEN}/{RECOVERY_PATCH}") && *line == 18));
    let summary = &doc["summary"];
    let count = |s: &str| findings(&doc).iter().filter(|f| f["severity"] == s).count() as u64;
    assert_eq!(summary["databases"], 4);
    assert_eq!(summary["errors"].as_u64(), Some(count("error")));
    assert_eq!(summary["warnings"].as_u64(), Some(count("warning")));
    assert_eq!(summary["infos"].as_u64(), Some(count("info")));
    assert_eq!(summary["suppressed"], 0);
}

#[test]
fn json_paths_follow_the_cwd_inside_and_beside_the_linted_path() {
    let inside = json(&cnpg_dr_in(
        &workspace().join(VAULTWARDEN),
        &["lint", "--format", "json"],
    ));
    assert!(located(&inside, "CDR401").contains(&(SCHEDULE.to_string(), 7, 13)));
    assert_eq!(
        findings(&inside)
            .iter()
            .find(|f| f["rule"] == "CDR401")
            .map(|f| f["database"].clone()),
        Some(Value::from("."))
    );
    let beside = json(&cnpg_dr_in(
        &workspace().join("testdata/rules"),
        &["lint", "--format", "json", "../demo"],
    ));
    let expected = format!(
        "../demo/{}/{SCHEDULE}",
        &VAULTWARDEN["testdata/demo/".len()..]
    );
    assert!(
        located(&beside, "CDR401").contains(&(expected.clone(), 7, 13)),
        "{expected} in {:?}",
        located(&beside, "CDR401")
    );
}

// ── GitHub ───────────────────────────────────────────────────────────────────

#[test]
fn github_prints_one_escaped_workflow_command_per_finding() {
    let out = cnpg_dr(&["lint", "--format", "github", VAULTWARDEN]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for line in text.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
    let cron = text
        .lines()
        .find(|l| l.contains("title=CDR401 schedule-five-fields::"))
        .expect("a CDR401 line");
    assert!(
        cron.starts_with(&format!(
            "::error file={VAULTWARDEN}/{SCHEDULE},line=7,col=13,title=CDR401 schedule-five-fields::schedule \"0 3 * * *\" has 5 fields"
        )),
        "{cron}"
    );
    assert!(cron.contains("%0Ahelp: add the seconds field"), "{cron}");
    assert!(text.contains("title=CDR101 lineage-write-equals-source::"));
}

#[test]
fn github_escapes_commas_and_colons_in_file_names() {
    let repo = TempRepo::new();
    copy_dir(&workspace().join(VAULTWARDEN), &repo.path("db,1:a"));
    let text = stdout(&repo.lint(&["--format", "github"]));
    assert!(
        text.contains(&format!(
            "::error file=db%2C1%3Aa/{SCHEDULE},line=7,col=13,title=CDR401 schedule-five-fields::"
        )),
        "{text}"
    );
}

// ── SARIF ────────────────────────────────────────────────────────────────────

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("testdata/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[test]
fn sarif_of_the_demo_is_schema_valid_and_complete() {
    let out = cnpg_dr(&["lint", "--format", "sarif", "testdata/demo"]);
    assert_eq!(out.status.code(), Some(1));
    let log = json(&out);
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    // The validator is live: a level SARIF does not know is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!sarif_validator().is_valid(&broken));

    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "cnpg-dr");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in ["CDR001", "CDR002", "CDR101", "CDR401"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let cdr401 = rules.iter().find(|r| r["id"] == "CDR401").unwrap();
    assert_eq!(cdr401["name"], "schedule-five-fields");
    assert_eq!(cdr401["defaultConfiguration"]["level"], "error");
    assert!(cdr401["shortDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("5 fields"));
    let help = cdr401["help"]["markdown"].as_str().unwrap();
    assert!(help.contains("## What it checks") && help.contains("## Fix"));
    assert_eq!(cdr401["help"]["text"], cdr401["help"]["markdown"]);
    let cdr002 = rules.iter().find(|r| r["id"] == "CDR002").unwrap();
    assert_eq!(cdr002["defaultConfiguration"]["level"], "warning");

    let results = run["results"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
        assert!(r["partialFingerprints"]
            .as_object()
            .is_some_and(|p| !p.is_empty()));
    }
    let cron = results
        .iter()
        .find(|r| r["ruleId"] == "CDR401" && r["properties"]["database"] == VAULTWARDEN)
        .expect("the vaultwarden cron result");
    assert_eq!(cron["level"], "error");
    let location = &cron["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        format!("{VAULTWARDEN}/{SCHEDULE}")
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 7);
    assert_eq!(location["region"]["startColumn"], 13);
    assert_eq!(cron["properties"]["overlay"], "recovery");
    assert_eq!(cron["properties"]["dormant"], false);
    assert!(cron["message"]["text"]
        .as_str()
        .unwrap()
        .contains("5 fields"));

    // The fingerprints do not depend on the run or on the current directory.
    let again = json(&cnpg_dr_in(
        &workspace().join("testdata"),
        &["lint", "--format", "sarif", "demo"],
    ));
    let prints = |log: &Value| -> Vec<Value> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(prints(&log), prints(&again));
}

#[test]
fn sarif_with_suppression_findings_is_schema_valid() {
    let repo = TempRepo::vaultwarden();
    repo.edit_line(&vw(SCHEDULE), "schedule:", &|l| {
        format!("{l} # cnpg-dr: ignore[CDR401, CDR101]")
    });
    let log = json(&repo.lint(&["--format", "sarif"]));
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let meta: Vec<(&str, &str)> = results
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("CDR00"))
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(meta, [("CDR001", "warning"), ("CDR002", "warning")]);
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert!(uri.as_str().unwrap().starts_with("vaultwarden/"), "{uri}");
}
