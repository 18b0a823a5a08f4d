//! `cnpg-dr man`: roff manual pages generated from the clap definition.
//! Without `--out-dir` the top-level page goes to stdout (`cnpg-dr man |
//! man -l -`); with it every page is written, all or nothing, through the
//! same commit as `plan --write` (temporary files beside the pages, then
//! renames), and a page that differs from the generated one is replaced only
//! with `--force`: it may be a packager's edited copy.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::CommandFactory;
use cnpg_dr_core::edit::ChangeSet;

use crate::cli::{Cli, ManArgs};
use crate::diagnostic::display_path;
use crate::term::write_stdout;

/// One manual page: its file name (`cnpg-dr-lint.1`) and its roff text.
struct Page {
    file: String,
    text: String,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

pub fn run(args: &ManArgs) -> ExitCode {
    let pages = match pages() {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot generate the man pages: {e}")),
    };
    let Some(dir) = &args.out_dir else {
        // The top-level page comes first.
        let top = pages.first().map(|p| p.text.as_bytes()).unwrap_or_default();
        return match write_stdout(top) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("cannot write the man page: {e}")),
        };
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return fail(format!("{}: {e}", display_path(dir)));
    }
    let plan = match plan_writes(dir, &pages, args.force) {
        Ok(p) => p,
        Err(message) => return fail(message),
    };
    if let Err(e) = plan.changes.commit() {
        return fail(format!("writing failed, no page was changed: {e}"));
    }
    let text = format!(
        "{} man page(s) written to {}, {} unchanged\n",
        plan.changes.len(),
        display_path(dir),
        plan.unchanged
    );
    match write_stdout(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("cannot write the summary: {e}")),
    }
}

/// The top-level page, then one per subcommand, nested ones included
/// (`cnpg-dr-migrate-plugin.1`). `help` is left out: it is not a command a
/// reader looks up.
fn pages() -> io::Result<Vec<Page>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Building gives every subcommand its full name (`cnpg-dr-lint`).
    cmd.build();
    let mut out = Vec::new();
    collect(&cmd, &mut out)?;
    Ok(out)
}

fn collect(cmd: &clap::Command, out: &mut Vec<Page>) -> io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut text = Vec::new();
    man.render(&mut text)?;
    out.push(Page {
        file: man.get_filename(),
        text: String::from_utf8_lossy(&text).into_owned(),
    });
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out)?;
    }
    Ok(())
}

/// What `--out-dir` will write.
struct Writes {
    changes: ChangeSet,
    /// Pages already on disk with the generated text.
    unchanged: usize,
}

/// Compares each page with the file already in `dir`: identical files are
/// left alone, new ones created, different ones replaced with `force` and
/// otherwise refused (all of them named, nothing written).
fn plan_writes(dir: &Path, pages: &[Page], force: bool) -> Result<Writes, String> {
    let mut writes = Writes {
        changes: ChangeSet::new(),
        unchanged: 0,
    };
    let mut refused: Vec<PathBuf> = Vec::new();
    for page in pages {
        let path = dir.join(&page.file);
        let before = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                writes.changes.set(&path, None, page.text.clone());
                continue;
            }
            Err(e) => return Err(format!("{}: {e}", display_path(&path))),
        };
        if before == page.text.as_bytes() {
            writes.unchanged += 1;
        } else if !force {
            refused.push(path);
        } else {
            match String::from_utf8(before) {
                Ok(before) => writes.changes.set(&path, Some(before), page.text.clone()),
                Err(_) => {
                    return Err(format!(
                        "{}: exists and is not text; remove it and run again",
                        display_path(&path)
                    ))
                }
            }
        }
    }
    if refused.is_empty() {
        return Ok(writes);
    }
    let names: Vec<String> = refused.iter().map(|p| display_path(p)).collect();
    Err(match names.as_slice() {
        [one] => format!(
            "{one} differs from the page this version of cnpg-dr generates; \
             nothing written (--force replaces it)"
        ),
        many => format!(
            "{} pages differ from the ones this version of cnpg-dr generates: {}; \
             nothing written (--force replaces them)",
            many.len(),
            many.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_a_page_for_the_command_and_each_subcommand_but_help() {
        let pages = pages().unwrap();
        let files: Vec<&str> = pages.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files[0], "cnpg-dr.1");
        for f in [
            "cnpg-dr-lint.1",
            "cnpg-dr-man.1",
            "cnpg-dr-migrate.1",
            "cnpg-dr-migrate-plugin.1",
        ] {
            assert!(files.contains(&f), "{f} in {files:?}");
        }
        assert!(!files.iter().any(|f| f.contains("help")), "{files:?}");
        assert!(pages.iter().all(|p| p.text.contains(".TH ")));
    }
}
