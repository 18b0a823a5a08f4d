use cnpg_dr_core::cnpg::{is_false, BootstrapMethod};
use cnpg_dr_core::discover::Repository;
use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::yaml::Node;

use super::recovery_span;
use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{flag_span, overlay_lines};
use crate::rules::rule::{Rule, VariantContext};

/// The DR switch still points at the recovery overlay.
pub struct LeftActive;

pub static META: RuleMeta = RuleMeta {
    id: "CDR210",
    name: "recovery-left-active",
    severity: Severity::Info,
    summary:
        "The deployed overlay is the recovery one: flip the DR switch back once the restore is done",
    doc: r#"## What it checks
The active render of a database (what the DR switch deploys today) bootstraps its Cluster with
`recovery`. When an Argo CD Application (`spec.source.path`) or ApplicationSet (git directory
generator glob) with `syncPolicy.automated` deploys the database directory, the finding says so.

## Why it matters during a recovery
During a restore this is exactly right. Left in place afterwards, the recovery overlay turns
every re-creation of the Cluster (deleted by mistake, namespace or Kubernetes cluster rebuilt,
an automated sync re-creating what was pruned) into another restore of the *source* lineage,
started without anyone deciding to: it brings back the data as it was in that lineage, older
than what the restored cluster has written since, or it stalls on CNPG's empty-archive check of
the write lineage ("Expected empty archive"), and the fix applied at 3 a.m. is to bump the
lineage and restore stale data. It also leaves the repository describing an incident instead
of the steady state, with the next recovery overlay to be prepared from scratch.

## Example
```yaml
# kustomization.yaml of the database
resources:
  # - overlays/initdb
  - overlays/recovery
```

## Fix
Once the restore has finished and a first backup exists in the new lineage, flip the switch back
to the initdb overlay (and prepare the recovery overlay for the next time: read the lineage just
written, write the next one). CNPG reads `spec.bootstrap` only when it creates a Cluster, so the
flip does not touch the running cluster.

## References
- CNPG docs, "Bootstrap": the bootstrap section is used only when the cluster is created.
- Argo CD: automated sync policy, ApplicationSet git directory generator.
"#,
};

/// Argo CD objects that deploy `dir` (relative to the repository root) with automated sync.
pub fn automated_deployers(repo: &Repository, dir: &str) -> Vec<String> {
    repo.loose
        .iter()
        .filter(|r| r.gvk().group == "argoproj.io")
        .filter_map(|r| {
            let deploys = match r.kind() {
                "Application" => {
                    automated(r.node.get_path(&["spec", "syncPolicy"]))
                        && app_paths(r).iter().any(|p| clean(p) == dir)
                }
                "ApplicationSet" => {
                    automated(r.node.get_path(&["spec", "template", "spec", "syncPolicy"]))
                        && appset_matches(r, dir)
                }
                _ => false,
            };
            deploys.then(|| {
                let file = r
                    .node
                    .span
                    .file
                    .strip_prefix(&repo.root)
                    .unwrap_or(&r.node.span.file)
                    .display()
                    .to_string();
                format!("Argo CD {} {} ({file})", r.kind(), r.name())
            })
        })
        .collect()
}

fn automated(sync_policy: Option<&Node>) -> bool {
    sync_policy
        .and_then(|p| p.get_path(&["automated"]))
        .is_some_and(|a| !a.is_null() && !is_false(a.get_path(&["enabled"])))
}

fn app_paths(r: &Resource) -> Vec<&str> {
    let mut out: Vec<&str> = r
        .node
        .get_path(&["spec", "source", "path"])
        .and_then(Node::as_str)
        .into_iter()
        .collect();
    if let Some(sources) = r.node.get_path(&["spec", "sources"]).and_then(Node::as_seq) {
        out.extend(
            sources
                .iter()
                .filter_map(|s| s.get_path(&["path"]).and_then(Node::as_str)),
        );
    }
    out
}

fn clean(path: &str) -> &str {
    let p = path.trim().trim_end_matches('/');
    p.strip_prefix("./").unwrap_or(p)
}

/// Every git directory generator of an ApplicationSet (including nested matrix/merge ones).
fn git_directories<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    if let Some(map) = node.as_map() {
        for (key, value) in map.iter_str() {
            if key == "git" {
                if let Some(dirs) = value.get_path(&["directories"]).and_then(Node::as_seq) {
                    out.extend(dirs.iter());
                }
            }
            git_directories(value, out);
        }
    } else if let Some(items) = node.as_seq() {
        for item in items {
            git_directories(item, out);
        }
    }
}

fn appset_matches(r: &Resource, dir: &str) -> bool {
    let Some(generators) = r.node.get_path(&["spec", "generators"]) else {
        return false;
    };
    let mut entries = Vec::new();
    git_directories(generators, &mut entries);
    let matching = |exclude: bool| {
        entries.iter().any(|e| {
            let excluded = e
                .get_path(&["exclude"])
                .and_then(Node::as_str)
                .is_some_and(|s| s == "true");
            excluded == exclude
                && e.get_path(&["path"])
                    .and_then(Node::as_str)
                    .is_some_and(|p| glob(clean(p), dir))
        })
    };
    matching(false) && !matching(true)
}

/// Go `path.Match`-style glob on `/`-separated paths: `*` and `?` stay within a
/// segment; a `**` segment matches any number of segments.
pub fn glob(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').collect();
    let segs: Vec<&str> = path.split('/').collect();
    glob_segments(&pat, &segs)
}

fn glob_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| glob_segments(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => {
                glob_segment(p.as_bytes(), s.as_bytes()) && glob_segments(rest, srest)
            }
            None => false,
        },
    }
}

/// One segment: `*` (any run) and `?` (one byte), matched without backtracking
/// blow-up (the classic two-pointer wildcard match).
fn glob_segment(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}

impl Rule for LeftActive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        if ctx.variant.dormant {
            return;
        }
        for cluster in ctx.variant.clusters() {
            if cluster.bootstrap() != Some(BootstrapMethod::Recovery) {
                continue;
            }
            let lines = overlay_lines(ctx.database);
            let active = lines.iter().find(|l| l.active);
            let span = match active {
                Some(line) => flag_span(ctx.database, line),
                None => recovery_span(&cluster),
            };
            let source = cluster
                .read_lineage()
                .map(|r| format!("lineage {}", r.name))
                .unwrap_or_else(|| "its recovery source".to_string());
            let write = cluster.write_lineage().map(|w| w.name);
            let read = cluster.read_lineage().map(|r| r.name);
            let newer = match &write {
                Some(w) if read.as_ref() != Some(w) => {
                    format!(", bringing back data older than what the cluster has written to {w} since,")
                }
                _ => ",".to_string(),
            };
            let first_backup = write
                .as_ref()
                .map(|w| format!(" in {w}"))
                .unwrap_or_default();
            let dir = ctx
                .database
                .dir
                .strip_prefix(&ctx.repo.root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let argo = automated_deployers(ctx.repo, &dir);
            let argo = if argo.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} syncs this directory automatically, so a deleted Cluster is re-created, and the restore re-run, within minutes",
                    argo.join(" and ")
                )
            };
            let mut f = ctx.finding(
                &META,
                &span,
                format!(
                    "{}, so Cluster {} is created by restoring {source}: right during a restore, but if it stays, any re-creation of the Cluster restores {source} again without anyone deciding to{newer} or stalls on \"Expected empty archive\"{argo}",
                    if active.is_some() {
                        "the DR switch deploys the recovery overlay"
                    } else {
                        "this directory deploys bootstrap.recovery"
                    },
                    cluster.name()
                ),
            );
            let back = lines
                .iter()
                .find(|l| !l.active)
                .map(|l| format!(" ({})", l.entry))
                .unwrap_or_default();
            let flip = if active.is_some() {
                format!("flip the switch back to the initdb overlay{back}")
            } else {
                "replace bootstrap.recovery with the initdb bootstrap (better: an initdb and a recovery overlay behind a DR switch)".to_string()
            };
            f.help = Some(format!(
                "once the restore has finished and a first backup exists{first_backup}, {flip}; CNPG reads spec.bootstrap only when it creates a Cluster, so the change does not touch the running one"
            ));
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_like_argo_cd_directories() {
        assert!(glob("infra/db/*", "infra/db/gitea"));
        assert!(!glob("infra/db/*", "infra/db/gitea/overlays"));
        assert!(!glob("infra/db/*", "infra/other/gitea"));
        assert!(glob("infra/**/gitea", "infra/db/cnpg/gitea"));
        assert!(glob("infra/db/gi?ea", "infra/db/gitea"));
        assert!(glob("infra/db/gitea", "infra/db/gitea"));
        assert!(glob("infra/db/*tea", "infra/db/gitea"));
        assert!(!glob("infra/db/*tea?", "infra/db/gitea"));
        assert!(glob("*", "gitea"));
        assert!(!glob(&"*a".repeat(30), &"a".repeat(29)));
    }
}
