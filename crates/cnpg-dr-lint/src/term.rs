//! How the command behaves towards the terminal and pipes: when output is
//! colored, and writing to a stdout whose reader may stop early.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::cli::Color;

/// Whether output to a stream is colored. `--color always|never` wins over
/// the environment (no-color.org: a flag overrides NO_COLOR); with `auto`,
/// a non-empty NO_COLOR or CLICOLOR=0 turns color off, a CLICOLOR_FORCE
/// other than 0 turns it on even in a pipe, and otherwise the stream being
/// a terminal decides. `env` reads a variable (std::env::var_os, or a test's map).
pub fn color_enabled(
    choice: Color,
    is_terminal: bool,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    let is_zero = |name: &str| env(name).is_some_and(|v| v == "0");
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto if set("NO_COLOR") || is_zero("CLICOLOR") => false,
        Color::Auto if set("CLICOLOR_FORCE") && !is_zero("CLICOLOR_FORCE") => true,
        Color::Auto => is_terminal,
    }
}

/// Whether `lint` draws a progress bar on stderr: never with
/// `--no-progress`, never on a stderr that is not a terminal (a pipe, a log
/// file), never when CI is set (CI logs keep every redraw).
pub fn show_progress(
    no_progress: bool,
    stderr_is_terminal: bool,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> bool {
    !no_progress && stderr_is_terminal && env("CI").is_none()
}

/// The process environment, for [`color_enabled`] and [`show_progress`].
pub fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// Makes every miette report (render errors, configuration mistakes) follow
/// the color decision for stderr, instead of miette's own detection, which
/// knows nothing of `--color`. No hyperlinks either when color is off: they
/// are escape sequences too.
pub fn install_report_hook(color: bool) {
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .terminal_links(color)
                .build(),
        )
    }));
}

/// Writes `bytes` to stdout. A reader that stops early (`cnpg-dr rules |
/// head -1`) is not an error: the rest is dropped quietly, as a program
/// killed by SIGPIPE would drop it (Rust ignores SIGPIPE, so without this
/// the write fails with EPIPE and `println!` would panic).
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    quiet_broken_pipe(out.write_all(bytes).and_then(|()| out.flush()))
}

/// A broken pipe is success; any other error stays an error.
pub fn quiet_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn auto_follows_the_terminal_and_the_environment() {
        let auto = |tty, vars| color_enabled(Color::Auto, tty, &env_of(vars));
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        assert!(
            auto(true, &[("NO_COLOR", "")]),
            "an empty NO_COLOR is unset"
        );
        assert!(!auto(true, &[("CLICOLOR", "0")]));
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    }

    #[test]
    fn progress_only_on_a_terminal_outside_ci_unless_turned_off() {
        let none = env_of(&[]);
        let ci = env_of(&[("CI", "true")]);
        assert!(show_progress(false, true, &none));
        assert!(!show_progress(true, true, &none), "--no-progress");
        assert!(!show_progress(false, false, &none), "a pipe");
        assert!(!show_progress(false, true, &ci), "CI");
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        let no_color = env_of(&[("NO_COLOR", "1")]);
        assert!(color_enabled(Color::Always, false, &no_color));
        let force = env_of(&[("CLICOLOR_FORCE", "1")]);
        assert!(!color_enabled(Color::Never, true, &force));
    }

    #[test]
    fn a_broken_pipe_is_not_an_error_but_other_failures_are() {
        let broken = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(quiet_broken_pipe(Err(broken)).is_ok());
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(quiet_broken_pipe(Err(full)).is_err());
    }
}
