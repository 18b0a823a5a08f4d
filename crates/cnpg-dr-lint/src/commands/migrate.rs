//! `cnpg-dr migrate`: the core's lossless conversions
//! ([`cnpg_dr_core::migrate`]) printed as a diff and written (`--write`) only
//! after the edited tree renders and lints clean in memory and shows the
//! intended result.

use std::process::ExitCode;

use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::migrate::plugin::PluginMigration;
use cnpg_dr_core::migrate::{plugin, pod_monitor};

use crate::change::{
    check, conclude, database, diff, fail, lint, print, refusal, resolve, shown, Fail,
};
use crate::cli::{MigrateArgs, MigrateCommand, MigrateTarget};

pub fn run(args: &MigrateArgs) -> ExitCode {
    let result = match &args.what {
        MigrateCommand::Plugin(t) => to_plugin(t),
        MigrateCommand::PodMonitor(t) => off_pod_monitor(t),
    };
    match result {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

fn to_plugin(args: &MigrateTarget) -> Result<ExitCode, Fail> {
    let t = resolve(&args.db)?;
    let before = lint(&RealFs, &t)?;
    let db = database(&before, &t)?;
    let p = match plugin::plan(&RealFs, db).map_err(|e| refusal(e, &t.cwd))? {
        PluginMigration::AlreadyPlugin { cluster } => {
            print(&format!(
                "{}: Cluster {cluster} already uses the Barman Cloud plugin: nothing to migrate.\n",
                shown(&db.dir, &t.cwd),
            ));
            return Ok(ExitCode::SUCCESS);
        }
        PluginMigration::Plan(p) => p,
    };
    let mut out = format!(
        "Migration of {} (Cluster {}) to the Barman Cloud plugin\n  ObjectStore:   {} ({})\n  writes:        {} (unchanged)\n",
        shown(&db.dir, &t.cwd),
        p.cluster,
        p.object_store,
        shown(&p.object_store_file, &t.cwd),
        p.write,
    );
    for note in &p.notes {
        out.push_str(&format!("  note:          {note}\n"));
    }
    out.push_str(
        "  before merging: install the Barman Cloud plugin in the cluster (it must run before the Cluster changes)\n\n",
    );
    out.push_str(&diff(&p.changes, &t.cwd));
    let checked = check(&t, &before, &p.changes, &|edited| p.unmet(edited))?;
    Ok(conclude(
        &mut out,
        &p.changes,
        &checked,
        args.write,
        "commit, open a pull request, merge once the plugin runs in the cluster.",
    ))
}

fn off_pod_monitor(args: &MigrateTarget) -> Result<ExitCode, Fail> {
    let t = resolve(&args.db)?;
    let before = lint(&RealFs, &t)?;
    let db = database(&before, &t)?;
    let Some(p) = pod_monitor::plan(&RealFs, db).map_err(|e| refusal(e, &t.cwd))? else {
        let cluster = db
            .active()
            .clusters()
            .next()
            .map(|c| c.name().to_string())
            .unwrap_or_default();
        print(&format!(
            "{}: Cluster {cluster} does not set monitoring.enablePodMonitor: nothing to migrate.\n",
            shown(&db.dir, &t.cwd)
        ));
        return Ok(ExitCode::SUCCESS);
    };
    let cn = &p.cluster;
    let mut out = format!(
        "Migration of {} (Cluster {cn}) off monitoring.enablePodMonitor\n",
        shown(&db.dir, &t.cwd)
    );
    match &p.pod_monitor_file {
        Some(f) => out.push_str(&format!(
            "  PodMonitor:    {cn} ({}), selecting cnpg.io/cluster: {cn}, port metrics\n",
            shown(f, &t.cwd)
        )),
        None => out.push_str(
            "  enablePodMonitor was false: the key is removed (false is the default), no PodMonitor is added\n",
        ),
    }
    out.push('\n');
    out.push_str(&diff(&p.changes, &t.cwd));
    let checked = check(&t, &before, &p.changes, &|edited| p.unmet(edited))?;
    Ok(conclude(
        &mut out,
        &p.changes,
        &checked,
        args.write,
        "commit, open a pull request and merge; the Prometheus Operator's CRDs must be installed.",
    ))
}
