//! `cnpg-dr docs`: regenerate docs/rules/ from the rule docs.

use std::process::ExitCode;

use cnpg_dr_lint::{docs, runner};

use crate::cli::DocsArgs;

pub fn run(args: &DocsArgs) -> ExitCode {
    let dir = args.root.join("docs/rules");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for (path, content) in docs::all_pages(&runner::catalogue()) {
        let target = args.root.join(&path);
        let tmp = target.with_extension("md.tmp");
        if let Err(e) = std::fs::write(&tmp, content).and_then(|()| std::fs::rename(&tmp, &target))
        {
            eprintln!("error: {}: {e}", target.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
