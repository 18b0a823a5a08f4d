//! `cnpg-dr render`: kustomize output, byte for byte.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cnpg_dr_core::edit::ChangeSet;
use cnpg_dr_core::fs::{CachedFs, FileSystem, RealFs};
use cnpg_dr_core::kustomize::{render, RenderError, RenderOptions, Rendered};
use cnpg_dr_core::layout::{self, DrFlag};
use rayon::prelude::*;

use crate::cli::RenderArgs;
use crate::diagnostic::from_render_error;
use crate::term::write_stdout;

pub fn run(args: &RenderArgs) -> ExitCode {
    if args.dirs.len() > 1 && !args.all {
        eprintln!("error: several directories given; pass --all to render each of them");
        return ExitCode::from(2);
    }
    if let Some(overlay) = &args.overlay {
        if args.dirs.len() > 1 {
            eprintln!("error: --overlay renders one database directory; several were given");
            return ExitCode::from(2);
        }
        return match flipped_root(&args.dirs[0], overlay) {
            Ok(changes) => print(
                args,
                vec![(&args.dirs[0], {
                    let fs = changes.view(&RealFs);
                    render(&fs, &args.dirs[0], &options(args))
                })],
            ),
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        };
    }
    let options = options(args);
    // One root renders on this thread: starting a thread pool would cost more
    // than the render itself.
    let results: Vec<_> = if args.dirs.len() == 1 {
        args.dirs
            .iter()
            .map(|dir| (dir, render(&RealFs, dir, &options)))
            .collect()
    } else {
        // Roots share bases and parent directories: resolve each path once.
        let fs = CachedFs::new(&RealFs);
        args.dirs
            .par_iter()
            .map(|dir| (dir, render(&fs, dir, &options)))
            .collect()
    };
    print(args, results)
}

fn options(args: &RenderArgs) -> RenderOptions {
    RenderOptions {
        load_restrictor: args.load_restrictor.restrictor(),
        ..RenderOptions::default()
    }
}

/// The root kustomization of `dir` with its DR switch set to `overlay`, as a
/// change over the real files (the same text lint renders a dormant overlay
/// from).
fn flipped_root(dir: &Path, overlay: &str) -> Result<ChangeSet, String> {
    let Some(file) = layout::kustomization_file(&RealFs, dir) else {
        return Err(format!(
            "{} has no kustomization file, so it has no DR switch to set",
            dir.display()
        ));
    };
    let text = RealFs
        .read(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| format!("{} is not UTF-8", file.display()))
        })?;
    let flag = DrFlag::parse(&file, &text);
    let wanted = overlay.trim_end_matches('/');
    let entry = flag
        .lines
        .iter()
        .map(|l| l.entry.as_str())
        .find(|e| {
            let e = e.trim_end_matches('/');
            e == wanted || Path::new(e).file_name().is_some_and(|n| n == wanted)
        })
        .map(str::to_string);
    let Some(entry) = entry else {
        let names: Vec<&str> = flag.lines.iter().map(|l| l.entry.as_str()).collect();
        return Err(if names.is_empty() {
            format!(
                "{} has no DR switch (no overlay line in its resources)",
                file.display()
            )
        } else {
            format!(
                "the DR switch in {} has no overlay {overlay}; its entries are: {}",
                file.display(),
                names.join(", ")
            )
        });
    };
    let Some(flipped) = flag.variant_text(&text, &entry) else {
        return Err(format!(
            "cannot set the DR switch in {} to {entry}",
            file.display()
        ));
    };
    let mut changes = ChangeSet::new();
    changes.set(&file, Some(text), flipped);
    Ok(changes)
}

fn print(args: &RenderArgs, results: Vec<(&PathBuf, Result<Rendered, RenderError>)>) -> ExitCode {
    let mut failed = false;
    for (dir, result) in results {
        let rendered = result.and_then(|r| r.to_yaml().map(|y| (r.warnings, y)));
        match rendered {
            Ok((warnings, yaml)) => {
                for w in warnings {
                    eprintln!("{w}");
                }
                let mut text = String::new();
                if args.all {
                    text = format!("# Source: {}\n", dir.display());
                }
                text.push_str(&yaml);
                if let Err(e) = write_stdout(text.as_bytes()) {
                    eprintln!("error: cannot write the rendered YAML: {e}");
                    return ExitCode::from(2);
                }
            }
            Err(e) => {
                failed = true;
                for w in &e.warnings {
                    eprintln!("{w}");
                }
                eprintln!("{:?}", miette::Report::new(from_render_error(&e)));
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
