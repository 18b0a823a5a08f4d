//! `cnpg-dr explain ID|NAME`: a rule's documentation, as Markdown.

use std::process::ExitCode;

use cnpg_dr_lint::config::{did_you_mean, lookup, rule_names};
use cnpg_dr_lint::runner::catalogue;

use crate::cli::ExplainArgs;
use crate::term::write_stdout;

pub fn run(args: &ExplainArgs) -> ExitCode {
    let rules = catalogue();
    let Some(rule) = lookup(&rules, args.rule.trim()) else {
        let names = rule_names(&rules);
        match did_you_mean(args.rule.trim(), &names) {
            Some(s) => eprintln!(
                "error: no rule {:?}; did you mean {s}?\n`cnpg-dr rules` lists every rule.",
                args.rule
            ),
            None => eprintln!(
                "error: no rule {:?}.\n`cnpg-dr rules` lists every rule.",
                args.rule
            ),
        }
        return ExitCode::from(2);
    };
    let m = rule.meta();
    let text = format!(
        "# {} {}\n\n{}\n\nDefault severity: {}.\n\n{}\n",
        m.id,
        m.name,
        m.summary,
        m.severity,
        m.doc.trim_end()
    );
    match write_stdout(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the explanation: {e}");
            ExitCode::from(2)
        }
    }
}
