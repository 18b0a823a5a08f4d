//! The runbooks `plan` prints for after the merge, with every name filled in:
//! the commands an on-call engineer runs, in order, and what good and bad
//! look like at each step.

use crate::argocd::{application_name, argo_objects, deployed_databases};
use crate::cnpg::Cluster;
use crate::discover::{Database, Repository};

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
}

impl ClusterNames {
    pub fn of(repo: &Repository, db: &Database, c: &Cluster<'_>) -> ClusterNames {
        let rel = db
            .dir
            .strip_prefix(&repo.root)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let app = argo_objects(repo)
            .into_iter()
            .filter(|r| deployed_databases(r, repo).contains(&db.dir))
            .find_map(|r| application_name(r, &rel));
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

/// After a recovery plan is merged: refresh, delete, sync, watch, verify,
/// first backup, back to steady state.
pub fn recovery(n: &ClusterNames, from: &str, to: &str, target: &str, db_arg: &str) -> String {
    let (c, ns) = (&n.cluster, &n.namespace);
    let (refresh, sync) = n.app_commands();
    let psql_db = n
        .database
        .as_deref()
        .map(|d| format!(" -d {d}"))
        .unwrap_or_default();
    let sidecar = if n.native {
        String::new()
    } else {
        format!(
            "       kubectl logs -n {ns} job/{c}-1-full-recovery -c plugin-barman-cloud -f   # the plugin's restore side\n"
        )
    };
    format!(
        "\
Runbook, after the pull request is merged:
  1. Make Argo CD see the merge (the bootstrap section is ignored on a live Cluster):
       {refresh}
  2. Delete the running Cluster and its volumes: CNPG bootstraps only a new Cluster.
     Make sure {from} holds the backups you want before this step.
       kubectl delete cluster {c} -n {ns}
       kubectl delete pvc -n {ns} -l cnpg.io/cluster={c}
  3. Sync: Argo CD creates {c} from the recovery overlay.
       {sync}
  4. Watch the restore (the job {c}-1-full-recovery runs first, then the instances start):
       kubectl get pods -n {ns} -l cnpg.io/cluster={c} -w
       kubectl logs -n {ns} job/{c}-1-full-recovery -f
{sidecar}       kubectl logs -n {ns} -l cnpg.io/cluster={c} -c bootstrap-controller   # if a pod never starts
     Good: the base backup is restored, WAL is replayed up to {target}, \"archive recovery complete\".
     Bad: \"no target backup found\" (nothing under {from}: wrong lineage or object store),
          \"Expected empty archive\" ({to} already has WAL: never reuse a lineage, plan again).
  5. Verify:
       kubectl cnpg status {c} -n {ns}      # Ready, continuous archiving working, writing to {to}
       kubectl cnpg psql {c} -n {ns} -- -c 'select pg_is_in_recovery(), pg_last_wal_replay_lsn(), now()'
       kubectl cnpg psql {c} -n {ns} --{psql_db} -c 'select count(*) from <a table you know>'
       kubectl cnpg psql {c} -n {ns} --{psql_db} -c 'select max(<a timestamp column>) from <that table>'
     Compare the counts and the latest row with what you expect at {target}.
  6. Take a first base backup in the new lineage {to}:
       {backup}
  7. Return to steady state (the flag back to initdb, lineage {to} kept):
       cnpg-dr plan {db_arg} --finish
",
        backup = n.backup_command(),
    )
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
