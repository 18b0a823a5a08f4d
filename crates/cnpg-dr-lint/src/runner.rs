//! Runs the catalogue over a discovered repository: parallel across databases,
//! deterministic in output order.

use rayon::prelude::*;

use cnpg_dr_core::discover::Repository;

use crate::finding::Finding;
use crate::rules::{DatabaseContext, RepositoryContext, Rule, Settings, VariantContext};

/// Runs `rules` and returns findings sorted by file, line, column and rule,
/// with duplicates (the same base line seen through several overlays) merged:
/// the active variant's finding is kept.
pub fn run(repo: &Repository, rules: &[&'static dyn Rule], settings: &Settings) -> Vec<Finding> {
    let mut findings: Vec<Finding> = repo
        .databases
        .par_iter()
        .flat_map_iter(|db| {
            let mut out = Vec::new();
            for variant in &db.variants {
                let ctx = VariantContext {
                    repo,
                    settings,
                    database: db,
                    variant,
                };
                for rule in rules {
                    rule.check_variant(&ctx, &mut out);
                }
            }
            let ctx = DatabaseContext {
                repo,
                settings,
                database: db,
            };
            for rule in rules {
                rule.check_database(&ctx, &mut out);
            }
            out
        })
        .collect();
    let ctx = RepositoryContext { repo, settings };
    for rule in rules {
        rule.check_repository(&ctx, &mut findings);
    }
    findings.sort_by(|a, b| {
        (
            a.path(),
            a.line(),
            a.column(),
            a.rule,
            a.dormant,
            &a.message,
        )
            .cmp(&(
                b.path(),
                b.line(),
                b.column(),
                b.rule,
                b.dormant,
                &b.message,
            ))
    });
    findings.dedup_by(|later, earlier| {
        later.rule == earlier.rule
            && later.path() == earlier.path()
            && later.line() == earlier.line()
            && later.column() == earlier.column()
            && later.message == earlier.message
    });
    findings
}
