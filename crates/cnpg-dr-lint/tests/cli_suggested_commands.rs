//! Every command a finding suggests must work when pasted into the shell the
//! user ran `cnpg-dr lint` in: the test lints the fixture repositories from
//! two directories, takes every `cnpg-dr ...` command out of the messages and
//! help texts, runs it from the same directory, and checks that it does what
//! the text says (a `render` of a broken root reproduces the failure, a
//! `migrate` prints the change it would make).
#![allow(clippy::disallowed_methods)] // tests read and build real files

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{code, stderr, stdout, workspace};

const SUBCOMMANDS: [&str; 9] = [
    "render", "migrate", "plan", "lint", "status", "lineages", "new", "explain", "rules",
];

/// The fixture repositories in the shapes `cnpg-dr new` and real
/// repositories use, and the fixtures of the rules that suggest commands.
/// (Fixtures of other rules are deliberately broken in ways a suggested
/// `migrate` cannot handle, e.g. an active overlay with no Cluster.)
fn fixtures() -> Vec<PathBuf> {
    let mut out = vec![
        PathBuf::from("testdata/demo"),
        PathBuf::from("testdata/real-layouts"),
        PathBuf::from("testdata/real-layouts-dormant-defect"),
    ];
    for rule in SUGGESTING_RULES {
        out.push(PathBuf::from("testdata/rules").join(rule).join("bad"));
    }
    out
}

/// The rules whose findings suggest a `cnpg-dr` command.
const SUGGESTING_RULES: [&str; 5] = ["CDR108", "CDR305", "CDR701", "CDR703", "CDR704"];

/// Splits a command line the way a POSIX shell splits the simple commands
/// cnpg-dr suggests: blanks, and single quotes.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !quoted => {
                if let Some(next) = chars.next() {
                    cur.push(next);
                }
            }
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

struct Suggestion {
    rule: String,
    command: String,
}

/// The backticked `cnpg-dr` commands of a text; panics on a suggestion that
/// is not in backticks, since it could not be checked (or copied) exactly.
fn suggestions(rule: &str, text: &str, out: &mut Vec<Suggestion>) {
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            if let Some(rest) = part.strip_prefix("cnpg-dr ") {
                out.push(Suggestion {
                    rule: rule.to_string(),
                    command: rest.to_string(),
                });
            }
        } else {
            for sub in SUBCOMMANDS {
                assert!(
                    !part.contains(&format!("cnpg-dr {sub} ")),
                    "{rule}: a suggested command outside backticks: {text}"
                );
            }
        }
    }
}

fn lint_from(cwd: &Path, target: &str) -> Vec<Suggestion> {
    let out = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(["lint", target, "--format", "json", "--no-progress"])
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(code(&out) <= 1, "lint {target}: {}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = Vec::new();
    for f in doc["findings"].as_array().unwrap() {
        let rule = f["rule"].as_str().unwrap();
        for key in ["message", "help"] {
            if let Some(text) = f[key].as_str() {
                suggestions(rule, text, &mut found);
            }
        }
    }
    found
}

/// Runs one suggestion; says what is wrong with it.
fn run(cwd: &Path, s: &Suggestion) -> Result<(), String> {
    let args = words(&s.command);
    let out = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(&args)
        .current_dir(cwd)
        .output()
        .unwrap();
    let what = format!("{}: `cnpg-dr {}`", s.rule, s.command);
    let fail = |why: &str| Err(format!("{what} {why}: {}{}", stdout(&out), stderr(&out)));
    if code(&out) == 2 {
        return fail("is not a valid command");
    }
    let (status, out_text) = (code(&out), stdout(&out));
    let broken = match args[0].as_str() {
        // CDR305 suggests the render that reproduces the failure.
        "render" if s.rule == "CDR305" => {
            (status != 1 || stderr(&out).is_empty()).then_some("does not reproduce the failure")
        }
        "render" => (status != 0 || !out_text.contains("kind:")).then_some("does not render"),
        // migrate without --write prints the diff it would apply, and the
        // check of the edited tree passes.
        "migrate" => (status != 0 || !out_text.contains("+++ ") || out_text.contains("FAILED"))
            .then_some("does not make the change"),
        // plan without --write prints the change it would make, checked.
        "plan" => (status != 0 || !out_text.contains("+++ ") || out_text.contains("FAILED"))
            .then_some("does not plan the change"),
        _ => None,
    };
    if let Some(why) = broken {
        return fail(why);
    }
    Ok(())
}

fn check(cwd: &Path, s: &Suggestion) {
    if let Err(e) = run(cwd, s) {
        panic!("{e}");
    }
}

/// Runs every suggestion in parallel (each is a process) and lists all failures.
fn check_all(cwd: &Path, found: &[Suggestion]) {
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = found
            .chunks(found.len().div_ceil(4).max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|s| run(cwd, s).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_suggested_command_runs_from_the_directory_lint_ran_in() {
    let ws = workspace();
    let mut found = Vec::new();
    for fixture in fixtures() {
        found.extend(lint_from(&ws, &fixture.to_string_lossy()));
    }
    // The same command suggested by several findings runs once.
    found.sort_by(|a, b| (&a.rule, &a.command).cmp(&(&b.rule, &b.command)));
    found.dedup_by(|a, b| a.rule == b.rule && a.command == b.command);
    let rules: std::collections::BTreeSet<_> = found.iter().map(|s| s.rule.clone()).collect();
    let checked = found.len();
    check_all(&ws, &found);
    // The test would pass vacuously if the fixtures stopped suggesting.
    for rule in SUGGESTING_RULES {
        assert!(
            rules.contains(rule),
            "no suggestion from {rule} was checked"
        );
    }
    assert!(checked >= 8, "only {checked} suggested commands checked");
}

#[test]
fn suggested_commands_follow_the_directory_lint_ran_in() {
    // Run from inside the demo: the suggestions must climb out with `..`.
    let cwd = workspace().join("testdata/demo/argocd");
    let found = lint_from(&cwd, "..");
    assert!(!found.is_empty());
    check_all(&cwd, &found);
    assert!(
        found
            .iter()
            .any(|s| s.command.contains("../infrastructure/")),
        "{:?}",
        found.iter().map(|s| &s.command).collect::<Vec<_>>()
    );
}

#[test]
fn a_dormant_overlay_failure_is_reproduced_with_the_switch_set() {
    let ws = workspace();
    let found = lint_from(&ws, "testdata/rules/CDR305/bad");
    let dormant: Vec<_> = found
        .iter()
        .filter(|s| s.command.contains("--overlay"))
        .collect();
    assert_eq!(
        dormant.len(),
        1,
        "{:?}",
        found.iter().map(|s| &s.command).collect::<Vec<_>>()
    );
    assert_eq!(
        dormant[0].command,
        "render testdata/rules/CDR305/bad/gitea --overlay overlays/initdb"
    );
    check(&ws, dormant[0]);
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(words("render a b"), ["render", "a", "b"]);
    assert_eq!(words("render 'my dir/x'"), ["render", "my dir/x"]);
    assert_eq!(words("render 'it'\\''s'"), ["render", "it's"]);
}
