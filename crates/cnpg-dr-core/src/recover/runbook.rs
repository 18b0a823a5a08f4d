//! The runbooks `plan` prints for after the merge, with every name filled in:
//! the commands an on-call engineer runs, in order, and what good and bad
//! look like at each step.

use crate::argocd::{
    application_name, argo_objects, deployed_databases, Application, ApplicationSet,
};
use crate::cnpg::Cluster;
use crate::discover::{Database, Repository};
use crate::kustomize::Resource;
use crate::yaml::Node;

/// The names filled into a runbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterNames {
    pub cluster: String,
    pub namespace: String,
    /// The Argo CD Application that deploys the directory, when the repository has one.
    pub app: Option<String>,
    /// The application database (`bootstrap.recovery.database` or initdb's).
    pub database: Option<String>,
    /// In-tree `barmanObjectStore` rather than the Barman Cloud plugin.
    pub native: bool,
    /// The deploying Application's automated sync, when it has one.
    pub auto_sync: Option<AutoSync>,
}

/// `syncPolicy.automated` of the Application that deploys the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoSync {
    pub self_heal: bool,
    pub prune: bool,
    /// The ApplicationSet that generates the Application when it would put
    /// a paused policy back (it owns the Application's spec unless it
    /// ignores `/spec/syncPolicy` or only creates Applications).
    pub reverted_by: Option<String>,
}

fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_str).is_some_and(|v| v == "true")
}

/// The automated sync of an Application or an ApplicationSet's template.
fn auto_sync(r: &Resource) -> Option<AutoSync> {
    let (spec, reverted_by) = if let Some(app) = Application::from(r) {
        (app.spec()?, None)
    } else {
        let set = ApplicationSet::from(r)?;
        let policy = r
            .node
            .get_path(&["spec", "syncPolicy", "applicationsSync"])
            .and_then(Node::as_str);
        let creates_only = matches!(policy, Some("create-only" | "create-delete"));
        let ignores = r
            .node
            .get_path(&["spec", "ignoreApplicationDifferences"])
            .and_then(Node::as_seq)
            .is_some_and(|rules| {
                rules.iter().any(|rule| {
                    rule.get_path(&["jsonPointers"])
                        .and_then(Node::as_seq)
                        .is_some_and(|ps| {
                            ps.iter().filter_map(Node::as_str).any(|p| {
                                p == "/spec/syncPolicy"
                                    || p == "/spec/syncPolicy/automated"
                                    || p == "/spec"
                            })
                        })
                })
            });
        let reverted_by = (!creates_only && !ignores).then(|| set.name().to_string());
        (set.template_spec()?, reverted_by)
    };
    let automated = spec
        .node
        .get_path(&["syncPolicy", "automated"])
        .filter(|a| !a.is_null())?;
    if automated
        .get_path(&["enabled"])
        .and_then(Node::as_str)
        .is_some_and(|v| v == "false")
    {
        return None;
    }
    Some(AutoSync {
        self_heal: is_true(automated.get_path(&["selfHeal"])),
        prune: is_true(automated.get_path(&["prune"])),
        reverted_by,
    })
}

impl ClusterNames {
    pub fn of(repo: &Repository, db: &Database, c: &Cluster<'_>) -> ClusterNames {
        let rel = db
            .dir
            .strip_prefix(&repo.root)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let deployer = argo_objects(repo)
            .into_iter()
            .filter(|r| deployed_databases(r, repo).contains(&db.dir))
            .find_map(|r| application_name(r, &rel).map(|name| (r, name)));
        let auto_sync = deployer.as_ref().and_then(|(r, _)| auto_sync(r));
        let app = deployer.map(|(_, name)| name);
        let database = c
            .recovery()
            .and_then(|r| r.database())
            .or_else(|| {
                c.initdb()
                    .and_then(|n| n.get_path(&["database"]))
                    .and_then(|n| n.as_str())
            })
            .map(str::to_string);
        let namespace = match c.namespace() {
            "" => "default".to_string(),
            ns => ns.to_string(),
        };
        ClusterNames {
            cluster: c.name().to_string(),
            namespace,
            app,
            database,
            native: c.native_store().is_some(),
            auto_sync,
        }
    }

    /// The steps that pause automated sync before the Cluster is deleted,
    /// and those that resume it at the end (empty without auto-sync).
    fn auto_sync_steps(&self) -> (Option<String>, Option<String>) {
        let Some(sync) = &self.auto_sync else {
            return (None, None);
        };
        let app = self.app.as_deref().unwrap_or("<application>");
        let flags = format!(
            "--sync-policy automated{}{}",
            if sync.self_heal { " --self-heal" } else { "" },
            if sync.prune { " --auto-prune" } else { "" }
        );
        let heal = if sync.self_heal { ", selfHeal" } else { "" };
        match &sync.reverted_by {
            None => (
                Some(format!(
                    "Pause auto-sync ({app} has syncPolicy.automated{heal}): otherwise Argo CD re-creates
     the Cluster seconds after it is deleted, and the volume delete that follows can remove
     the new recovery instance's volume.
       argocd app set {app} --sync-policy none"
                )),
                Some(format!(
                    "Resume auto-sync as Git has it:
       argocd app set {app} {flags}"
                )),
            ),
            Some(set) => (
                Some(format!(
                    "Pause auto-sync ({app} has syncPolicy.automated{heal}): otherwise Argo CD re-creates
     the Cluster seconds after it is deleted, and the volume delete that follows can remove
     the new recovery instance's volume. The ApplicationSet {set} would put the policy back
     (it ignores no /spec/syncPolicy difference), so stop its controller for the restore
     (the name of a default install):
       kubectl -n argocd scale deployment argocd-applicationset-controller --replicas 0
       argocd app set {app} --sync-policy none"
                )),
                Some(format!(
                    "Resume auto-sync: start the ApplicationSet controller again; it restores {app}'s
     policy from the ApplicationSet {set}.
       kubectl -n argocd scale deployment argocd-applicationset-controller --replicas 1"
                )),
            ),
        }
    }

    fn app_commands(&self) -> (String, String) {
        match &self.app {
            Some(app) => (
                format!("argocd app get {app} --hard-refresh"),
                format!("argocd app sync {app}"),
            ),
            None => (
                "argocd app get <application> --hard-refresh   # no Argo CD Application in this repository deploys the directory".to_string(),
                "argocd app sync <application>".to_string(),
            ),
        }
    }

    fn backup_command(&self) -> String {
        let (c, ns) = (&self.cluster, &self.namespace);
        if self.native {
            format!("kubectl cnpg backup {c} -n {ns} --method barmanObjectStore")
        } else {
            format!(
                "kubectl cnpg backup {c} -n {ns} --method plugin --plugin-name barman-cloud.cloudnative-pg.io"
            )
        }
    }
}

/// Numbers steps: `  1. ...`.
fn numbered(steps: &[String]) -> String {
    let mut out = String::from("Runbook, after the pull request is merged:\n");
    for (i, step) in steps.iter().enumerate() {
        out.push_str(&format!("  {}. {step}\n", i + 1));
    }
    out
}

/// After a recovery plan is merged: refresh, (pause auto-sync,) delete,
/// sync, watch, verify, first backup, (resume auto-sync,) back to steady state.
pub fn recovery(n: &ClusterNames, from: &str, to: &str, target: &str, db_arg: &str) -> String {
    let (c, ns) = (&n.cluster, &n.namespace);
    let (refresh, sync) = n.app_commands();
    let (pause, resume) = n.auto_sync_steps();
    let psql_db = n
        .database
        .as_deref()
        .map(|d| format!(" -d {d}"))
        .unwrap_or_default();
    let sidecar = if n.native {
        String::new()
    } else {
        format!(
            "\n       kubectl logs -n {ns} job/{c}-1-full-recovery -c plugin-barman-cloud -f   # the plugin's restore side"
        )
    };
    let mut steps = vec![format!(
        "Make Argo CD see the merge (the bootstrap section is ignored on a live Cluster):
       {refresh}"
    )];
    steps.extend(pause);
    steps.push(format!(
        "Delete the running Cluster and its volumes: CNPG bootstraps only a new Cluster.
     Make sure {from} holds the backups you want before this step.
       kubectl delete cluster {c} -n {ns}
       kubectl delete pvc -n {ns} -l cnpg.io/cluster={c}"
    ));
    steps.push(format!(
        "Sync: Argo CD creates {c} from the recovery overlay.
       {sync}"
    ));
    steps.push(format!(
        "Watch the restore (the job {c}-1-full-recovery runs first, then the instances start):
       kubectl get pods -n {ns} -l cnpg.io/cluster={c} -w
       kubectl logs -n {ns} job/{c}-1-full-recovery -f{sidecar}
       kubectl logs -n {ns} -l cnpg.io/cluster={c} -c bootstrap-controller   # if a pod never starts
     Good: the base backup is restored, WAL is replayed up to {target}, \"archive recovery complete\".
     Bad: \"no target backup found\" (nothing under {from}: wrong lineage or object store),
          \"Expected empty archive\" ({to} already has WAL: never reuse a lineage, plan again)."
    ));
    steps.push(format!(
        "Verify:
       kubectl cnpg status {c} -n {ns}      # Ready, continuous archiving working, writing to {to}
       kubectl cnpg psql {c} -n {ns} -- -c 'select pg_is_in_recovery(), pg_last_wal_replay_lsn(), now()'
       kubectl cnpg psql {c} -n {ns} --{psql_db} -c 'select count(*) from <a table you know>'
       kubectl cnpg psql {c} -n {ns} --{psql_db} -c 'select max(<a timestamp column>) from <that table>'
     Compare the counts and the latest row with what you expect at {target}."
    ));
    steps.push(format!(
        "Take a first base backup in the new lineage {to}:
       {}",
        n.backup_command()
    ));
    steps.extend(resume);
    steps.push(format!(
        "Return to steady state (the flag back to initdb, lineage {to} kept):
       cnpg-dr plan {db_arg} --finish"
    ));
    numbered(&steps)
}

/// After a finish plan is merged: sync (nothing restarts), verify, backup.
pub fn finish(n: &ClusterNames, lineage: &str) -> String {
    let (c, ns) = (&n.cluster, &n.namespace);
    let (refresh, sync) = n.app_commands();
    format!(
        "\
Runbook, after the pull request is merged:
  1. Make Argo CD see the merge, then sync. Only spec.bootstrap changes, which CNPG reads
     when it creates a Cluster: the running Cluster is not restarted or re-created.
       {refresh}
       {sync}
  2. Verify the Cluster is healthy and still writes to {lineage}:
       kubectl cnpg status {c} -n {ns}
       kubectl get cluster {c} -n {ns} -o jsonpath='{{.status.phase}}'
  3. If no base backup of {lineage} exists yet, take one:
       {backup}
",
        backup = n.backup_command(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(native: bool, app: Option<&str>) -> ClusterNames {
        ClusterNames {
            cluster: "paperless-database".into(),
            namespace: "paperless".into(),
            app: app.map(str::to_string),
            database: Some("paperless".into()),
            native,
            auto_sync: None,
        }
    }

    #[test]
    fn recovery_runbook_names_every_object() {
        let text = recovery(
            &names(false, Some("paperless-db")),
            "pg-v2",
            "pg-v3",
            "latest",
            "paperless",
        );
        assert!(text.contains("argocd app sync paperless-db"), "{text}");
        assert!(
            text.contains("kubectl delete pvc -n paperless -l cnpg.io/cluster=paperless-database")
        );
        assert!(
            text.contains("-c plugin-barman-cloud"),
            "the plugin's sidecar log"
        );
        assert!(text.contains("-- -d paperless -c 'select count(*)"));
        assert!(text.contains("--method plugin --plugin-name barman-cloud.cloudnative-pg.io"));
        assert!(text.contains("cnpg-dr plan paperless --finish"));
    }

    fn resource(text: &str) -> Resource {
        let docs = crate::yaml::load_str(
            text,
            std::sync::Arc::from(std::path::Path::new("/repo/argocd/app.yaml")),
            &crate::yaml::LoadLimits::default(),
        )
        .unwrap();
        Resource::new(
            docs.into_iter().next().unwrap(),
            "/repo/argocd/app.yaml".into(),
        )
        .unwrap()
    }

    #[test]
    fn auto_sync_is_read_from_the_application_or_the_template() {
        let app = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: db\nspec:\n  syncPolicy:\n    automated:\n      selfHeal: true\n",
        );
        assert_eq!(
            auto_sync(&app),
            Some(AutoSync {
                self_heal: true,
                prune: false,
                reverted_by: None
            })
        );
        let off = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: db\nspec:\n  syncPolicy:\n    automated:\n      enabled: false\n",
        );
        assert_eq!(auto_sync(&off), None);
        let set = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  template:\n    spec:\n      syncPolicy:\n        automated:\n          prune: true\n";
        assert_eq!(
            auto_sync(&resource(set)).and_then(|a| a.reverted_by),
            Some("dbs".to_string())
        );
        let ignoring = format!(
            "{set}  ignoreApplicationDifferences:\n    - jsonPointers:\n        - /spec/syncPolicy\n"
        );
        let a = auto_sync(&resource(&ignoring)).unwrap();
        assert!(a.prune && a.reverted_by.is_none(), "{a:?}");
    }

    #[test]
    fn auto_sync_is_paused_before_the_delete_and_resumed_after_the_backup() {
        let mut n = names(false, Some("db-paperless"));
        n.auto_sync = Some(AutoSync {
            self_heal: true,
            prune: true,
            reverted_by: None,
        });
        let text = recovery(&n, "pg-v2", "pg-v3", "latest", "paperless");
        let pause = text
            .find("argocd app set db-paperless --sync-policy none")
            .unwrap();
        let delete = text.find("kubectl delete cluster").unwrap();
        let backup = text.find("kubectl cnpg backup").unwrap();
        let resume = text
            .find("argocd app set db-paperless --sync-policy automated --self-heal --auto-prune")
            .unwrap();
        assert!(pause < delete && backup < resume, "{text}");
        assert!(text.contains("  9. Return to steady state"), "{text}");

        n.auto_sync = Some(AutoSync {
            self_heal: false,
            prune: false,
            reverted_by: Some("databases".into()),
        });
        let text = recovery(&n, "pg-v2", "pg-v3", "latest", "paperless");
        assert!(text.contains("--replicas 0"), "{text}");
        assert!(text.contains("The ApplicationSet databases would put the policy back"));
        let without = recovery(&names(false, Some("db")), "a-v1", "a-v2", "latest", "x");
        assert!(!without.contains("--sync-policy"), "{without}");
        assert!(without.contains("  7. Return to steady state"), "{without}");
    }

    #[test]
    fn native_shape_and_no_application_are_said() {
        let text = recovery(&names(true, None), "pg-v2", "pg-v3", "latest", "x");
        assert!(!text.contains("plugin-barman-cloud"));
        assert!(text.contains("--method barmanObjectStore"));
        assert!(text.contains("no Argo CD Application in this repository deploys the directory"));
        let text = finish(&names(true, None), "pg-v3");
        assert!(text.contains("still writes to pg-v3"));
    }
}
