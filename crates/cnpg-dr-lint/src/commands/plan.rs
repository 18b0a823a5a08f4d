//! `cnpg-dr plan`: the disaster-recovery wizard. The core's recovery engine
//! ([`cnpg_dr_core::recover`]) computes the edits of a recovery (or, with
//! `--finish`, of the return to steady state); this command prints them as a
//! unified diff and the runbook for after the merge, and with `--write`
//! applies them — only after the edited tree, held in memory, renders and
//! lints without new errors and shows the intended result.

use std::process::ExitCode;

use cnpg_dr_core::change::db_name;
use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::recover::{
    history_lineages, plan_finish, plan_recovery, RecoveryRequest, RecoveryTarget,
};

use crate::change::{
    check, conclude, database, diff, fail, lint, print, refusal, resolve, shown, Fail,
};
use crate::cli::PlanArgs;

pub fn run(args: &PlanArgs) -> ExitCode {
    match plan(args) {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

/// The recovery target the arguments ask for, validated before anything is read.
fn requested_target(args: &PlanArgs) -> Result<RecoveryTarget, Fail> {
    match (&args.target_time, &args.backup_id) {
        (Some(t), _) => RecoveryTarget::time(t),
        (None, Some(id)) => RecoveryTarget::backup_id(id),
        (None, None) => Ok(RecoveryTarget::Latest),
    }
}

fn plan(args: &PlanArgs) -> Result<ExitCode, Fail> {
    let target = requested_target(args)?;
    let t = resolve(&args.db)?;
    let before = lint(&RealFs, &t)?;
    let db = database(&before, &t)?;
    let repo = &before.repository;
    let db_arg = db_name(db);
    if args.finish {
        return finish(args, &t, &before);
    }
    let request = RecoveryRequest {
        from: args.from.clone(),
        target,
        history: history_lineages(db),
    };
    let p = plan_recovery(&RealFs, repo, db, &request).map_err(|e| refusal(e, &t.cwd))?;

    let n = &p.names;
    let mut out = format!(
        "Recovery plan for {} (Cluster {}/{}, {} backups)\n",
        shown(&db.dir, &t.cwd),
        n.namespace,
        n.cluster,
        p.shape
    );
    out.push_str(&format!(
        "  restore from:  {}   ({})\n",
        p.from,
        p.from_reason.words()
    ));
    let (max_seen, seen_in) = p.highest;
    let seen = if max_seen == 0 {
        format!("no versioned lineage yet: the Cluster writes {}", p.current)
    } else {
        format!(
            "the next unused lineage; {}-v{max_seen} seen {}",
            p.write.prefix,
            seen_in.words()
        )
    };
    out.push_str(&format!("  write to:      {}   ({seen})\n", p.write));
    out.push_str(&format!("  target:        {}\n", p.target.label()));
    out.push_str(&format!(
        "  DR flag:       {}\n",
        if p.flipped {
            format!("{} -> {}", p.switch_from, p.switch_to)
        } else {
            format!("{} (already active)", p.switch_to)
        }
    ));
    for note in &p.notes {
        out.push_str(&format!("  note:          {note}\n"));
    }
    if p.from_unseen {
        out.push_str(&format!(
            "  warning:       {} is not mentioned in the working tree: check that the object store has backups under it\n",
            p.from
        ));
    }
    out.push_str(&format!(
        "  before merging: check that the object store has no {}/ directory yet (a lineage is never reused)\n",
        p.write
    ));
    out.push('\n');
    out.push_str(&diff(&p.changes, &t.cwd));

    let mut checked = check(&t, &before, &p.changes, &|edited| p.unmet(edited))?;
    if !args.allow_errors {
        // The restore deploys the recovery overlay: an error this plan does
        // not fix (a missing database, a zone-less target time) is the
        // restore's error. Refuse, unless the SRE has decided otherwise.
        for e in std::mem::take(&mut checked.remaining_in_recovery) {
            checked.problems.push(format!(
                "lint error {e} (in the recovery overlay, which the restore deploys; \
                 this plan does not fix it: fix it, or pass --allow-errors to plan anyway)"
            ));
        }
    }
    let code = conclude(
        &mut out,
        &p.changes,
        &checked,
        args.write,
        "commit, open a pull request, review the diff, merge, and follow the runbook below.",
    );
    if code == ExitCode::SUCCESS {
        print(&format!("\n{}", p.runbook(&db_arg)));
    }
    Ok(code)
}

fn finish(
    args: &PlanArgs,
    t: &crate::change::Target,
    before: &cnpg_dr_lint::runner::Report,
) -> Result<ExitCode, Fail> {
    let db = database(before, t)?;
    let history = history_lineages(db);
    let Some(p) =
        plan_finish(&RealFs, &before.repository, db, &history).map_err(|e| refusal(e, &t.cwd))?
    else {
        let entry = db
            .flag
            .active()
            .map(|l| l.entry.as_str())
            .next()
            .unwrap_or("initdb");
        print(&format!(
            "{} is already in steady state ({entry} active): nothing to do.\n",
            shown(&db.dir, &t.cwd)
        ));
        return Ok(ExitCode::SUCCESS);
    };
    let target_note = match &p.target_removed {
        Some(what) => format!(
            "  recovery target: removed ({what}): it belonged to the restore that is now done; the next `cnpg-dr plan` sets one if asked\n"
        ),
        None => String::new(),
    };
    let target_note = match &p.readied {
        Some((reads, writes)) => format!(
            "{target_note}  recovery overlay: readied for the next recovery: reads {reads}, writes {writes} (it sets its own write lineage)\n"
        ),
        None => target_note,
    };
    let mut out = format!(
        "Steady-state plan for {} (Cluster {}/{})\n  DR flag:       {} -> {}\n  lineage:       {} (kept: the recovered Cluster goes on writing to it)\n{target_note}\n",
        shown(&db.dir, &t.cwd),
        p.names.namespace,
        p.names.cluster,
        p.switch_from,
        p.switch_to,
        p.lineage,
    );
    out.push_str(&diff(&p.changes, &t.cwd));
    let checked = check(t, before, &p.changes, &|edited| p.unmet(edited))?;
    let code = conclude(
        &mut out,
        &p.changes,
        &checked,
        args.write,
        "commit, open a pull request, merge, and follow the runbook below.",
    );
    if code == ExitCode::SUCCESS {
        print(&format!("\n{}", p.runbook()));
    }
    Ok(code)
}
