//! What a well-behaved command does, run as a real process: `--version`,
//! colors (`--color`, NO_COLOR, CLICOLOR_FORCE) on every stream, a reader
//! that closes the pipe early, the documented exit codes, and nothing but
//! the output on stderr when it is not a terminal.
#![allow(clippy::disallowed_methods)] // tests read and build real files

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{code, stderr, stdout, workspace};

const DEMO_DB: &str = "testdata/demo/infrastructure/database/cloudnative-pg/paperless";

/// The binary with a neutral environment: none of the color or CI variables
/// of the shell that runs the tests.
fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cnpg-dr"));
    cmd.args(args).current_dir(workspace());
    for var in [
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "FORCE_COLOR",
        "CI",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(args);
    cmd.envs(env.iter().copied());
    cmd.output().expect("the binary runs")
}

/// A kustomization root whose resource is not valid YAML.
struct Broken(PathBuf);

impl Broken {
    fn new(name: &str) -> Broken {
        let dir =
            std::env::temp_dir().join(format!("cnpg-dr-conventions-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("kustomization.yaml"),
            "resources:\n- cluster.yaml\n",
        )
        .unwrap();
        std::fs::write(dir.join("cluster.yaml"), "kind: Cluster\nspec: [1\n").unwrap();
        Broken(dir)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Broken {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ESC: char = '\u{1b}';

#[test]
fn version_prints_the_name_and_the_version() {
    for flag in ["--version", "-V"] {
        let out = run(&[flag], &[]);
        assert_eq!(code(&out), 0);
        assert_eq!(
            stdout(&out),
            format!("cnpg-dr {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn render_errors_follow_color_flag_and_environment() {
    let broken = Broken::new("color");
    let render = |flags: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["render", broken.path()];
        args.extend_from_slice(flags);
        let out = run(&args, env);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("cluster.yaml:3:1"),
            "{}",
            stderr(&out)
        );
        stderr(&out).contains(ESC)
    };
    assert!(!render(&[], &[]), "a pipe is not a terminal");
    assert!(render(&["--color", "always"], &[]));
    assert!(
        render(&["--color", "always"], &[("NO_COLOR", "1")]),
        "the flag wins"
    );
    assert!(render(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!render(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!render(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
    // --color is global: it goes before the subcommand too.
    let out = run(&["--color", "always", "render", broken.path()], &[]);
    assert!(stderr(&out).contains(ESC));
}

#[test]
fn usage_errors_follow_the_color_flag_too() {
    let usage = |args: &[&str], env: &[(&str, &str)]| {
        let out = run(args, env);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains("xml"), "{}", stderr(&out));
        stderr(&out).contains(ESC)
    };
    assert!(!usage(&["lint", "--format", "xml"], &[]));
    assert!(usage(
        &["--color", "always", "lint", "--format", "xml"],
        &[]
    ));
    assert!(usage(&["lint", "--format", "xml", "--color=always"], &[]));
    assert!(usage(
        &["lint", "--format", "xml"],
        &[("CLICOLOR_FORCE", "1")]
    ));
    assert!(!usage(
        &["lint", "--format", "xml", "--color", "never"],
        &[("CLICOLOR_FORCE", "1")]
    ));
}

#[test]
fn lint_findings_and_reports_follow_the_environment() {
    let vaultwarden = "testdata/demo/infrastructure/database/cloudnative-pg/vaultwarden";
    let forced = run(&["lint", vaultwarden], &[("CLICOLOR_FORCE", "1")]);
    assert!(stdout(&forced).contains(ESC));
    let no_color = run(
        &["lint", vaultwarden],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "x")],
    );
    assert!(!stdout(&no_color).contains(ESC));
    assert!(stdout(&no_color).contains("CDR401(schedule-five-fields)"));
    let broken = Broken::new("lint");
    let warned = run(
        &[
            "lint",
            "--color",
            "always",
            "--fail-on",
            "never",
            broken.path(),
        ],
        &[],
    );
    assert!(
        stderr(&warned).contains("does not render"),
        "{}",
        stderr(&warned)
    );
    assert!(
        stderr(&warned).contains(ESC),
        "the render report follows --color"
    );
}

/// Runs `cnpg-dr ARGS | true` in bash, the reader gone before the command
/// writes: its stderr and its own exit status.
fn into_closed_pipe(args: &[&str]) -> Option<(String, i32)> {
    let script = r#"{ sleep 0.3; exec "$0" "$@"; } | true; echo "status=${PIPESTATUS[0]}" >&2"#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_cnpg-dr"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .ok()?;
    let err = stderr(&out);
    let (before, status) = err.rsplit_once("status=")?;
    Some((before.to_string(), status.trim().parse().ok()?))
}

#[test]
fn a_reader_closing_the_pipe_early_ends_the_command_quietly() {
    let cases: &[(&[&str], i32)] = &[
        (&["rules"], 0),
        (&["explain", "CDR101"], 0),
        (&["render", DEMO_DB], 0),
        (&["render", "--all", DEMO_DB, DEMO_DB], 0),
        (&["status", "testdata/demo"], 0),
        (&["completions", "bash"], 0),
        (&["man"], 0),
        // The findings still decide the exit code.
        (&["lint", "testdata/demo"], 1),
        (&["lint", "--format", "json", "testdata/demo"], 1),
    ];
    for (args, expected) in cases {
        let Some((err, status)) = into_closed_pipe(args) else {
            eprintln!("SKIPPED: bash not found");
            return;
        };
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}: nothing on stderr");
        assert_eq!(status, *expected, "{args:?}");
    }
}

#[test]
fn exit_codes_are_the_documented_ones() {
    // 0: nothing at or above --fail-on.
    assert_eq!(
        code(&run(&["lint", "testdata/clean/plugin-initdb"], &[])),
        0
    );
    assert_eq!(
        code(&run(&["lint", "--fail-on", "never", "testdata/demo"], &[])),
        0
    );
    // 1: findings at or above --fail-on; a root that does not render.
    assert_eq!(code(&run(&["lint", "testdata/demo"], &[])), 1);
    let broken = Broken::new("exit");
    assert_eq!(code(&run(&["render", broken.path()], &[])), 1);
    // 2: usage and input errors.
    for args in [
        &["lint", "--format", "xml"][..],
        &["no-such-command"],
        &["lint", "no/such/dir"],
        &["explain", "CDR000"],
        &["status", "no/such/dir"],
    ] {
        let out = run(args, &[]);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn a_clean_lint_writes_nothing_at_all_on_a_stderr_that_is_not_a_terminal() {
    // No progress bar, no escape sequence, no summary: stderr is for problems.
    for args in [
        &["lint", "testdata/clean/plugin-initdb"][..],
        &["lint", "--color", "always", "testdata/clean/plugin-initdb"],
        &["lint", "--format", "json", "testdata/clean/plugin-initdb"],
        &["status", "testdata/clean/plugin-initdb"],
    ] {
        let out = run(args, &[]);
        assert_eq!(code(&out), 0, "{args:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// Runs `command` in `script`, on a pseudo-terminal: what the terminal
/// shows. None when util-linux `script` is not there.
fn on_a_terminal(command: &str) -> Option<String> {
    let out = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    assert!(out.status.success(), "{command}: {}", stderr(&out));
    Some(stdout(&out))
}

#[test]
fn on_a_terminal_a_long_lint_draws_a_progress_bar_then_erases_it() {
    // Enough databases for the lint of a debug build to outlast the bar's
    // delay (300 ms) several times over.
    let repo = common::TempRepo::with(&[]);
    let paperless = workspace()
        .join(common::DEMO)
        .join(common::DBS)
        .join("paperless");
    for i in 0..400 {
        common::copy_dir(&paperless, &repo.root.join(format!("dbs/db{i:03}")));
    }
    let lint = format!(
        "'{}' lint --fail-on never '{}' > /dev/null",
        env!("CARGO_BIN_EXE_cnpg-dr"),
        repo.root.join("dbs").display()
    );
    let Some(screen) = on_a_terminal(&lint) else {
        eprintln!("SKIPPED: util-linux script not found");
        return;
    };
    assert!(screen.contains("rendering ["), "{screen:?}");
    assert!(screen.contains("/400 "), "{screen:?}");
    assert!(
        screen.ends_with("\r\u{1b}[2K"),
        "the bar is erased: {screen:?}"
    );
    let quiet = on_a_terminal(&lint.replace(" lint ", " lint --no-progress ")).unwrap();
    assert_eq!(quiet, "");
}
