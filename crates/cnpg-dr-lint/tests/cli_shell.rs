//! `cnpg-dr completions` and `cnpg-dr man`, run as a real process.
#![allow(clippy::disallowed_methods)] // tests read and build real files

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{code, stderr, stdout, workspace};

fn cnpg_dr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// The subcommands `--help` lists (but `help`), so that a new one cannot be
/// forgotten by the completions or the man pages.
fn subcommands() -> Vec<String> {
    let help = stdout(&cnpg_dr(&["--help"]));
    let list = help
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("--help lists the commands");
    let names: Vec<String> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    names
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cnpg-dr-cli-shell-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn bash_completion_offers_every_subcommand_and_lint_flags() {
    let out = cnpg_dr(&["completions", "bash"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let script = stdout(&out);
    for sub in subcommands() {
        assert!(
            script.contains(&format!("cnpg__dr__subcmd__{})", sub.replace('-', "__"))),
            "bash completion lacks {sub}"
        );
    }
    for flag in ["--format", "--fail-on", "--base", "--out-dir"] {
        assert!(script.contains(flag), "bash completion lacks {flag}");
    }
}

/// What bash completes for `words` (the last one being completed), with the
/// script `cnpg-dr completions bash` prints loaded; None without bash.
fn bash_complete(script: &str, words: &[&str]) -> Option<String> {
    let dir = temp_dir("bash");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cnpg-dr.bash");
    std::fs::write(&file, script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    // As bash calls a completion function: command name, current word, previous word.
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\n_cnpg__dr cnpg-dr '{}' '{prev}'\necho \"${{COMPREPLY[*]}}\"\n",
        file.display(),
        quoted.join(" "),
        words[cword],
    );
    let out = Command::new("bash").arg("-c").arg(program).output().ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", stderr(&out));
    Some(stdout(&out).trim().to_string())
}

#[test]
fn bash_completes_subcommands_and_their_options_in_a_real_bash() {
    let script = stdout(&cnpg_dr(&["completions", "bash"]));
    let Some(top) = bash_complete(&script, &["cnpg-dr", "li"]) else {
        eprintln!("SKIPPED: bash not found");
        return;
    };
    assert_eq!(top, "lint lineages");
    let lint = bash_complete(&script, &["cnpg-dr", "lint", "--fo"]).unwrap();
    assert_eq!(lint, "--format", "options of a subcommand complete");
    let format = bash_complete(&script, &["cnpg-dr", "lint", "--format", "s"]).unwrap();
    assert_eq!(format, "sarif");
    let nested = bash_complete(&script, &["cnpg-dr", "migrate", "plugin", "--wr"]).unwrap();
    assert_eq!(nested, "--write");
}

#[test]
fn zsh_fish_elvish_and_powershell_scripts_are_generated() {
    let zsh = cnpg_dr(&["completions", "zsh"]);
    assert_eq!(code(&zsh), 0);
    assert!(
        stdout(&zsh).starts_with("#compdef cnpg-dr\n"),
        "{}",
        stdout(&zsh)
    );
    for shell in ["fish", "elvish", "powershell"] {
        let out = cnpg_dr(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("lint"), "{shell}");
    }
    let unknown = cnpg_dr(&["completions", "tcsh"]);
    assert_eq!(code(&unknown), 2);
    assert!(stdout(&unknown).is_empty());
}

#[test]
fn man_prints_the_top_level_page_naming_every_subcommand() {
    let out = cnpg_dr(&["man"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH cnpg-dr 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in subcommands() {
        let reference = format!("cnpg\\-dr\\-{}(1)", sub.replace('-', "\\-"));
        assert!(page.contains(&reference), "the page lacks {reference}");
    }
}

fn written(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn man_out_dir_writes_one_page_per_command_and_refuses_to_overwrite_an_edited_one() {
    let dir = temp_dir("man");
    let out_dir = dir.join("man1");
    let arg = out_dir.to_string_lossy().into_owned();
    let first = cnpg_dr(&["man", "--out-dir", &arg]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("cnpg-dr-{s}.1"))
        .chain(
            [
                "cnpg-dr.1",
                "cnpg-dr-migrate-plugin.1",
                "cnpg-dr-migrate-pod-monitor.1",
            ]
            .map(String::from),
        )
        .collect();
    expected.sort();
    assert_eq!(written(&out_dir), expected, "no temporary file is left");
    let lint_page = std::fs::read_to_string(out_dir.join("cnpg-dr-lint.1")).unwrap();
    assert!(lint_page.contains(".TH cnpg-dr-lint 1") && lint_page.contains("\\-\\-fail\\-on"));

    // The same pages again: nothing to do.
    let again = cnpg_dr(&["man", "--out-dir", &arg]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(stdout(&again).contains(&format!(
        "0 man page(s) written to {arg}, {} unchanged",
        expected.len()
    )));

    // A page edited by hand is not replaced without --force, and nothing else is written.
    let edited = format!("{lint_page}.\\\" a packager's note\n");
    std::fs::write(out_dir.join("cnpg-dr-lint.1"), &edited).unwrap();
    std::fs::remove_file(out_dir.join("cnpg-dr-man.1")).unwrap();
    let refused = cnpg_dr(&["man", "--out-dir", &arg]);
    assert_eq!(code(&refused), 2);
    assert!(stdout(&refused).is_empty());
    let message = stderr(&refused);
    assert!(
        message.contains("cnpg-dr-lint.1 differs from the page this version of cnpg-dr generates")
            && message.contains("nothing written (--force replaces it)"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("cnpg-dr-lint.1")).unwrap(),
        edited
    );
    assert!(!out_dir.join("cnpg-dr-man.1").exists(), "all or nothing");

    let forced = cnpg_dr(&["man", "--out-dir", &arg, "--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(out_dir.join("cnpg-dr-lint.1")).unwrap(),
        lint_page
    );
    assert_eq!(written(&out_dir), expected);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn man_force_needs_out_dir() {
    let out = cnpg_dr(&["man", "--force"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--out-dir"), "{}", stderr(&out));
}
