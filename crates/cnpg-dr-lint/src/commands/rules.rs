//! `cnpg-dr rules`: the catalogue, one rule a line (or as JSON).

use std::fmt::Write as _;
use std::process::ExitCode;

use cnpg_dr_lint::runner::catalogue;
use serde_json::json;

use crate::cli::{RulesArgs, RulesFormat};
use crate::term::write_stdout;

pub fn run(args: &RulesArgs) -> ExitCode {
    let rules = catalogue();
    let text = match args.format {
        RulesFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    let m = r.meta();
                    json!({
                        "id": m.id,
                        "name": m.name,
                        "severity": m.severity.as_str(),
                        "summary": m.summary,
                    })
                })
                .collect();
            let mut t = serde_json::to_string_pretty(&json!({"version": 1, "rules": list}))
                .unwrap_or_default();
            t.push('\n');
            t
        }
        RulesFormat::Human => {
            let width = rules.iter().map(|r| r.meta().name.len()).max().unwrap_or(4);
            let mut t = String::new();
            let _ = writeln!(
                t,
                "{:<6}  {:<width$}  {:<8}  SUMMARY",
                "ID", "NAME", "SEVERITY"
            );
            for r in &rules {
                let m = r.meta();
                let _ = writeln!(
                    t,
                    "{:<6}  {:<width$}  {:<8}  {}",
                    m.id,
                    m.name,
                    m.severity.as_str(),
                    m.summary
                );
            }
            t
        }
    };
    match write_stdout(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the rule list: {e}");
            ExitCode::from(2)
        }
    }
}
