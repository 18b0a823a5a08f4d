//! `cnpg-dr plan`, run as a real process on copies of demo databases in
//! temporary repositories (with the demo's Argo CD ApplicationSet, so the
//! runbook names the application).
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::path::Path;

use cnpg_dr_core::discover::{discover, DiscoverOptions};
use cnpg_dr_core::fs::RealFs;

mod common;

use common::*;

/// (active overlay, write lineage, read lineage of the recovery overlay) after CNPG's defaults.
fn lineages(dir: &Path) -> (String, String, String) {
    let repo = discover(&RealFs, dir, &DiscoverOptions::default());
    assert!(repo.failed_roots.is_empty(), "{:?}", repo.failed_roots);
    let db = &repo.databases[0];
    let active = db.active().overlay_name().unwrap_or("").to_string();
    let write = db
        .active()
        .clusters()
        .next()
        .unwrap()
        .write_lineage()
        .unwrap()
        .name;
    let rec = db
        .variants
        .iter()
        .find(|v| v.overlay_name() == Some("recovery"))
        .unwrap();
    let read = rec.clusters().next().unwrap().read_lineage().unwrap().name;
    for v in &db.variants {
        assert!(v.rendered.is_ok(), "{:?} renders", v.overlay_name());
        let w = v.clusters().next().unwrap().write_lineage().unwrap().name;
        assert_eq!(w, write, "every overlay writes the same lineage");
    }
    (active, write, read)
}

/// Error findings of `cnpg-dr lint --format json` on a directory.
fn lint_errors(repo: &TempRepo, dir: &Path) -> Vec<String> {
    let out = repo.run(&["lint", dir.to_str().unwrap(), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("lint JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{} {}", f["rule"], f["message"]))
        .collect()
}

#[test]
fn plan_paperless_prints_the_diff_and_writes_nothing() {
    let repo = TempRepo::with(&["paperless"]);
    let before = repo.files();
    let out = repo.run(&["plan", "paperless"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    insta::assert_snapshot!("plan_paperless", stdout(&out));
    assert_eq!(repo.files(), before, "a dry run writes nothing");
}

#[test]
fn plan_write_bumps_lineages_flips_the_flag_and_lints_clean() {
    let repo = TempRepo::with(&["paperless"]);
    let dir = repo.db("paperless");
    assert_eq!(
        lineages(&dir),
        (
            "initdb".into(),
            "paperless-database-v2".into(),
            "paperless-database-v1".into()
        )
    );
    let out = repo.run(&["plan", "paperless", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("Wrote 3 file(s)"), "{}", stdout(&out));
    assert_eq!(
        lineages(&dir),
        (
            "recovery".into(),
            "paperless-database-v3".into(),
            "paperless-database-v2".into()
        ),
        "reads the old write lineage, writes the next unused one, flag on recovery"
    );
    assert_eq!(lint_errors(&repo, &dir), Vec::<String>::new());
    let render = repo.run(&["render", dir.to_str().unwrap()]);
    assert_eq!(code(&render), 0, "{}", stderr(&render));
    assert!(stdout(&render).contains("serverName: paperless-database-v3"));

    // Planning again never reuses a lineage: v3 is now the one written.
    let again = repo.run(&["plan", "paperless"]);
    assert!(stdout(&again).contains("write to:      paperless-database-v4"));
}

#[test]
fn planning_again_after_a_failed_restore_keeps_the_source_and_moves_the_write() {
    // The drill: plan, merge, the restore fails ("Expected empty archive"),
    // the runbook says to plan again. Also what a second `plan --write`
    // before committing does.
    let repo = TempRepo::with(&["paperless"]);
    let dir = repo.db("paperless");
    let first = repo.run(&["plan", "paperless", "--write"]);
    assert_eq!(code(&first), 0, "{}{}", stdout(&first), stderr(&first));
    assert_eq!(lineages(&dir).1, "paperless-database-v3");

    let again = repo.run(&["plan", "paperless", "--write"]);
    assert_eq!(code(&again), 0, "{}{}", stdout(&again), stderr(&again));
    let text = stdout(&again);
    assert!(
        text.contains("restore from:  paperless-database-v2   (kept: the recovery overlay is already active and reads it)"),
        "{text}"
    );
    assert!(
        text.contains("write to:      paperless-database-v4"),
        "{text}"
    );
    assert!(
        text.contains("the restore source stays paperless-database-v2, and the write lineage moves past paperless-database-v3"),
        "{text}"
    );
    assert_eq!(
        lineages(&dir),
        (
            "recovery".into(),
            "paperless-database-v4".into(),
            "paperless-database-v2".into()
        ),
        "the source is not repointed at the failed attempt's lineage"
    );
    // Reading v2 while writing v4 skips v3: deliberate here, and said where
    // a reviewer sees it (CDR107 is suppressed with the reason).
    let patch =
        std::fs::read_to_string(dir.join("overlays/recovery/bootstrap-patch.yaml")).unwrap();
    assert!(
        patch.contains("# cnpg-dr: ignore[CDR107] planned again while the recovery was active: paperless-database-v3 may hold WAL of the failed attempt but no base backup of the data, paperless-database-v2 does\n          serverName: paperless-database-v2"),
        "{patch}"
    );
    assert_eq!(lint_errors(&repo, &dir), Vec::<String>::new());

    // --from still wins.
    let pinned = repo.run(&["plan", "paperless", "--from", "v1"]);
    assert_eq!(code(&pinned), 0, "{}{}", stdout(&pinned), stderr(&pinned));
    assert!(stdout(&pinned).contains("restore from:  paperless-database-v1   (pinned with --from)"));
}

#[test]
fn plan_finish_flips_back_and_keeps_the_lineage() {
    let repo = TempRepo::with(&["paperless"]);
    let dir = repo.db("paperless");
    let nothing = repo.run(&["plan", "paperless", "--finish"]);
    assert_eq!(code(&nothing), 0);
    assert!(stdout(&nothing).contains("already in steady state"));

    assert_eq!(code(&repo.run(&["plan", "paperless", "--write"])), 0);
    let dry = repo.run(&["plan", "paperless", "--finish"]);
    assert_eq!(code(&dry), 0, "{}{}", stdout(&dry), stderr(&dry));
    insta::assert_snapshot!("plan_paperless_finish", stdout(&dry));
    let out = repo.run(&["plan", "paperless", "--finish", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        lineages(&dir),
        (
            "initdb".into(),
            "paperless-database-v3".into(),
            "paperless-database-v2".into()
        )
    );
    assert_eq!(lint_errors(&repo, &dir), Vec::<String>::new());
    assert_eq!(code(&repo.run(&["render", dir.to_str().unwrap()])), 0);
}

#[test]
fn plan_sets_pins_and_replaces_recovery_targets() {
    let repo = TempRepo::with(&["paperless"]);
    let dir = repo.db("paperless");
    let patch = dir.join("overlays/recovery/bootstrap-patch.yaml");
    let out = repo.run(&[
        "plan",
        "paperless",
        "--from",
        "v1",
        "--target-time",
        "2025-06-01T03:00:00+02:00",
        "--write",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = std::fs::read_to_string(&patch).unwrap();
    assert!(
        text.contains("      recoveryTarget:\n        targetTime: \"2025-06-01T03:00:00+02:00\"\n"),
        "{text}"
    );
    let (_, write, read) = lineages(&dir);
    assert_eq!(
        (write.as_str(), read.as_str()),
        ("paperless-database-v3", "paperless-database-v1")
    );

    // The next plan asks for a backup ID: the old time target goes.
    let out = repo.run(&[
        "plan",
        "paperless",
        "--backup-id",
        "20250601T030000",
        "--write",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = std::fs::read_to_string(&patch).unwrap();
    assert!(
        text.contains("        backupID: \"20250601T030000\"\n"),
        "{text}"
    );
    assert!(!text.contains("targetTime"));
    // And a plain plan recovers to the end of the archive.
    let out = repo.run(&["plan", "paperless", "--write"]);
    assert!(stdout(&out).contains("removed the recoveryTarget left by an earlier recovery"));
    assert!(!std::fs::read_to_string(&patch)
        .unwrap()
        .contains("recoveryTarget"));
    assert_eq!(lineages(&dir).1, "paperless-database-v5");
}

#[test]
fn plan_refuses_bad_arguments_without_touching_files() {
    let repo = TempRepo::with(&["paperless"]);
    let before = repo.files();
    for args in [
        &[
            "plan",
            "paperless",
            "--target-time",
            "2025-06-01 03:00:00",
            "--write",
        ][..],
        &[
            "plan",
            "paperless",
            "--target-time",
            "2025-06-01T03:00:00",
            "--write",
        ],
        &["plan", "paperless", "--from", "v0", "--write"],
        &["plan", "paperless", "--from", "v3", "--write"],
        &[
            "plan",
            "paperless",
            "--from",
            "other-database-v1",
            "--write",
        ],
        &["plan", "nope", "--write"],
    ] {
        let out = repo.run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}{}", stdout(&out), stderr(&out));
        assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    }
    // v3 would be the new write lineage; an earlier one is fine (dry run).
    let out = repo.run(&["plan", "paperless", "--from", "v1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(repo.files(), before);
}

#[test]
fn plan_native_shape_edits_barman_object_store_server_names() {
    let repo = TempRepo::with(&["immich"]);
    let dir = repo.db("immich");
    let out = repo.run(&["plan", "immich", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        lineages(&dir),
        (
            "recovery".into(),
            "immich-database-v2".into(),
            "immich-database-v1".into()
        )
    );
    // The demo's deliberate CDR101 (the recovery overlay wrote what it read) is gone.
    let errors = lint_errors(&repo, &dir);
    assert!(errors.iter().all(|e| !e.contains("CDR101")), "{errors:?}");
}

#[test]
fn a_failing_write_leaves_every_original_untouched() {
    let repo = TempRepo::with(&["paperless"]);
    // The temporary file of the last file to be written cannot be created:
    // a real I/O failure after the other files' temporaries were written.
    let blocker = repo
        .db("paperless")
        .join("overlays/recovery/.bootstrap-patch.yaml.cnpg-dr-tmp");
    std::fs::create_dir(&blocker).unwrap();
    let before = repo.files();
    let out = repo.run(&["plan", "paperless", "--write"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("no file was changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        repo.files(),
        before,
        "originals untouched, no temporary file left"
    );
    std::fs::remove_dir(&blocker).unwrap();
    assert_eq!(code(&repo.run(&["plan", "paperless", "--write"])), 0);
}

/// A lineage written earlier in Git history but no longer in the working tree
/// is never proposed again: plan reads the history in-process.
#[test]
fn plan_skips_lineages_written_earlier_in_history() {
    let mut repo = git::GitRepo::new();
    copy_dir(
        &workspace().join(DEMO).join(DBS).join("paperless"),
        &repo.root.join("paperless"),
    );
    const CLUSTER: &str = "paperless/base/cluster.yaml";
    repo.commit("v2");
    repo.replace(CLUSTER, "paperless-database-v2", "paperless-database-v5");
    repo.commit("v5 by mistake");
    repo.replace(CLUSTER, "paperless-database-v5", "paperless-database-v2");
    repo.commit("back to v2");
    let out = repo.cnpg_dr(&["plan", "paperless"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("write to:      paperless-database-v6"),
        "{text}"
    );
    assert!(
        text.contains("+        serverName: paperless-database-v6"),
        "{text}"
    );
}

/// `cnpg-dr new` prepares the recovery overlay to write v2 and says so; the
/// first plan keeps that promise (the prepared lineage was never written).
#[test]
fn first_plan_on_a_scaffold_writes_the_prepared_lineage() {
    let repo = TempRepo::with(&[]);
    let new = repo.run(&[
        "new",
        "wiki",
        "--destination-path",
        "s3://backups/{name}",
        "--secret-store",
        "vault",
    ]);
    assert_eq!(code(&new), 0, "{}", stderr(&new));
    assert!(stdout(&new).contains("reads wiki-database-v1, writes wiki-database-v2"));
    let out = repo.run(&["plan", "wiki", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("write to:      wiki-database-v2"),
        "{}",
        stdout(&out)
    );
    let cluster = std::fs::read_to_string(repo.root.join("wiki/base/cluster.yaml")).unwrap();
    assert!(
        cluster.contains("serverName: wiki-database-v2"),
        "{cluster}"
    );
    let again = repo.run(&["plan", "wiki"]);
    assert!(stdout(&again).contains("write to:      wiki-database-v3"));
}

/// The oddly formatted switches of real repositories: lint sees the dormant
/// overlay (no false CDR305), and `plan --write` writes the switch a human
/// would have, aligned with the list and keeping every comment.
#[test]
fn plan_write_flips_real_world_switch_formatting() {
    let head = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n";
    let cases = [
        (
            " # - overlays/recovery        # <- ACTIVE: restore from Barman\n  - overlays/initdb  # steady state\n",
            "  - overlays/recovery        # <- ACTIVE: restore from Barman\n  # - overlays/initdb  # steady state\n",
        ),
        (
            "  - \"overlays/initdb\"\r\n  #- 'overlays/recovery'\r\n",
            "  # - \"overlays/initdb\"\r\n  - 'overlays/recovery'\r\n",
        ),
        (
            "- overlays/initdb\n#     - overlays/recovery\nnamespace: paperless\n",
            "# - overlays/initdb\n- overlays/recovery\nnamespace: paperless\n",
        ),
        // Uncommented as written, the recovery line would start a second,
        // less indented list after extra.yaml: YAML that does not parse.
        (
            "  - extra.yaml\n # - overlays/recovery   # <- restore from Barman\n  - overlays/initdb\n",
            "  - extra.yaml\n  - overlays/recovery   # <- restore from Barman\n  # - overlays/initdb\n",
        ),
    ];
    for (switch, flipped) in cases {
        let repo = TempRepo::with(&["paperless"]);
        let dir = repo.db("paperless");
        let root = dir.join("kustomization.yaml");
        let head = if switch.contains('\r') {
            head.replace('\n', "\r\n")
        } else {
            head.to_string()
        };
        std::fs::write(&root, format!("{head}{switch}")).unwrap();
        std::fs::write(
            dir.join("extra.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
        )
        .unwrap();
        assert_eq!(lint_errors(&repo, &dir), Vec::<String>::new(), "{switch:?}");
        let (_, _, read) = lineages(&dir);
        assert_eq!(
            read, "paperless-database-v1",
            "the dormant overlay was rendered"
        );

        let out = repo.run(&["plan", "paperless", "--write"]);
        assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
        assert_eq!(
            std::fs::read_to_string(&root).unwrap(),
            format!("{head}{flipped}")
        );
        assert_eq!(lineages(&dir).0, "recovery");
        assert_eq!(
            lint_errors(&repo, &dir),
            Vec::<String>::new(),
            "{flipped:?}"
        );
    }
}

#[test]
fn plan_refuses_a_flow_style_switch_clearly() {
    let repo = TempRepo::with(&["paperless"]);
    let root = repo.db("paperless").join("kustomization.yaml");
    std::fs::write(&root, "resources: [overlays/initdb]\n").unwrap();
    let out = repo.run(&["plan", "paperless", "--write"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("kustomization.yaml:1: the resources list is flow-style"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&root).unwrap(),
        "resources: [overlays/initdb]\n"
    );
}

/// The comments `new` writes state no lineage, so a plan cycle (recovery,
/// then back to initdb) leaves none of them false.
#[test]
fn scaffold_comments_stay_true_through_a_plan_cycle() {
    let repo = TempRepo::with(&[]);
    let new = repo.run(&[
        "new",
        "wiki",
        "--destination-path",
        "s3://backups/{name}",
        "--secret-store",
        "vault",
    ]);
    assert_eq!(code(&new), 0, "{}", stderr(&new));
    let comments = |rel: &str| -> Vec<String> {
        std::fs::read_to_string(repo.root.join("wiki").join(rel))
            .unwrap()
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .filter(|l| !l.trim_start().starts_with("# - overlays/"))
            .map(str::to_string)
            .collect()
    };
    let files = [
        "kustomization.yaml",
        "base/cluster.yaml",
        "base/objectstore.yaml",
        "overlays/recovery/bootstrap-patch.yaml",
        "overlays/initdb/bootstrap-patch.yaml",
    ];
    let before: Vec<Vec<String>> = files.iter().map(|f| comments(f)).collect();
    for (file, lines) in files.iter().zip(&before) {
        for line in lines {
            assert!(
                !line.contains("wiki-database-v"),
                "{file}: a generated comment names a lineage: {line}"
            );
        }
    }
    assert!(before[0]
        .iter()
        .any(|l| l.contains("run `cnpg-dr plan wiki`")));
    for args in [
        &["plan", "wiki", "--write"][..],
        &["plan", "wiki", "--finish", "--write"][..],
    ] {
        let out = repo.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}{}", stdout(&out), stderr(&out));
    }
    let after: Vec<Vec<String>> = files.iter().map(|f| comments(f)).collect();
    assert_eq!(after, before, "plan keeps the generated comments");
    // The overlay that sets its own write lineage is ready for the next
    // recovery again, as `new` left it: reads the live v2, writes v3.
    let patch = std::fs::read_to_string(
        repo.root
            .join("wiki/overlays/recovery/bootstrap-patch.yaml"),
    )
    .unwrap();
    let names: Vec<&str> = patch
        .lines()
        .filter_map(|l| l.trim().strip_prefix("serverName: "))
        .collect();
    assert_eq!(names, ["wiki-database-v3", "wiki-database-v2"], "{patch}");
    let lint = repo.run(&["lint", "wiki"]);
    assert_eq!(code(&lint), 0, "{}", stdout(&lint));
}

#[test]
fn plan_suggests_the_database_meant_and_takes_its_kustomization_file() {
    let repo = TempRepo::with(&["paperless", "gitea"]);
    let typo = repo.run(&["plan", "paperles"]);
    assert_eq!(code(&typo), 2);
    assert!(
        stderr(&typo).contains("did you mean paperless?"),
        "{}",
        stderr(&typo)
    );
    let unknown = repo.run(&["plan", "zzzzzzzz"]);
    assert_eq!(code(&unknown), 2);
    assert!(
        stderr(&unknown).contains("the databases there are: gitea, paperless"),
        "{}",
        stderr(&unknown)
    );
    let file = format!("{DBS}/paperless/kustomization.yaml");
    let by_file = repo.run(&["plan", &file]);
    assert_eq!(code(&by_file), 0, "{}", stderr(&by_file));
    assert!(
        stdout(&by_file).contains("Recovery plan for"),
        "{}",
        stdout(&by_file)
    );
    assert_eq!(stdout(&by_file), stdout(&repo.run(&["plan", "paperless"])));
}

#[test]
fn plan_finish_removes_the_recovery_target_of_the_restore_it_ends() {
    let repo = TempRepo::with(&["paperless"]);
    let dir = repo.db("paperless");
    let patch = dir.join("overlays/recovery/bootstrap-patch.yaml");
    let out = repo.run(&[
        "plan",
        "paperless",
        "--target-time",
        "2025-06-01T03:00:00Z",
        "--write",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(std::fs::read_to_string(&patch)
        .unwrap()
        .contains("targetTime"));
    let out = repo.run(&["plan", "paperless", "--finish", "--write"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("recovery target: removed (targetTime: 2025-06-01T03:00:00Z)"),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&patch).unwrap();
    assert!(!text.contains("recoveryTarget"), "{text}");
    // No warning is left behind for it.
    let lint = repo.run(&["lint", "--format", "json", dir.to_str().unwrap()]);
    let doc = json(&lint);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(!rules.contains(&"CDR207"), "{rules:?}");
}

#[test]
fn plan_refuses_to_leave_an_error_in_the_recovery_overlay_unless_allowed() {
    let repo = TempRepo::with(&["paperless"]);
    let patch = repo
        .db("paperless")
        .join("overlays/recovery/bootstrap-patch.yaml");
    let text = std::fs::read_to_string(&patch).unwrap();
    // Without `database`, CNPG restores into `app`: an error plan cannot fix.
    std::fs::write(&patch, text.replace("      database: paperless\n", "")).unwrap();
    let before = repo.files();

    let out = repo.run(&["plan", "paperless", "--write"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Check FAILED"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("which the restore deploys"))
        .unwrap_or_else(|| panic!("no refusal line: {text}"));
    assert!(
        line.contains("overlays/recovery/bootstrap-patch.yaml:") && line.contains("--allow-errors"),
        "{line}"
    );
    assert_eq!(repo.files(), before, "nothing written");

    let out = repo.run(&["plan", "paperless", "--write", "--allow-errors"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("error(s) in this database were there before"),
        "{}",
        stdout(&out)
    );
    assert_eq!(lineages(&repo.db("paperless")).0, "recovery");
}
