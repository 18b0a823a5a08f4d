//! `cnpg-dr render`: kustomize output, byte for byte.

use std::process::ExitCode;

use cnpg_dr_core::fs::{CachedFs, RealFs};
use cnpg_dr_core::kustomize::{render, RenderOptions};
use rayon::prelude::*;

use crate::cli::RenderArgs;
use crate::diagnostic::from_render_error;
use crate::term::write_stdout;

pub fn run(args: &RenderArgs) -> ExitCode {
    if args.dirs.len() > 1 && !args.all {
        eprintln!("error: several directories given; pass --all to render each of them");
        return ExitCode::from(2);
    }
    let options = RenderOptions::default();
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
