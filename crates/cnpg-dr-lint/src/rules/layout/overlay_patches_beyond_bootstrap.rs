use cnpg_dr_core::cnpg::Cluster;
use cnpg_dr_core::yaml::{Node, NodeKind};

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::helpers::{dr_overlay, dr_overlay_name, head, overlay_of};
use crate::rules::rule::{DatabaseContext, Rule, VariantContext};

/// An overlay that changes the Cluster beyond spec.bootstrap and spec.externalClusters.
pub struct OverlayPatchesBeyondBootstrap;

pub static META: RuleMeta = RuleMeta {
    id: "CDR303",
    name: "overlay-patches-beyond-bootstrap",
    severity: Severity::Warning,
    summary: "An overlay changes the Cluster beyond spec.bootstrap and spec.externalClusters",
    doc: r#"## What it checks
The Cluster rendered by each overlay of a database directory is compared, field by field, with
the Cluster the other overlays render, ignoring `spec.bootstrap`, `spec.externalClusters` and
the write lineage (`serverName` of the plugin entries or of `spec.backup.barmanObjectStore`):
a recovery overlay that bumps the write lineage itself makes the DR switch self-contained, which
is a supported layout (`cnpg-dr new` writes it that way).
A value that differs and was set by the overlay itself (its source line is in the overlay's
directory) is reported at that line.

## Why it matters during a recovery
Flipping the DR switch is supposed to change one thing: how the Cluster would be created. Every
other difference is applied to the live Cluster the moment the switch flips (a rolling
restart, a resize, an image change, or a change CNPG refuses on a running cluster such as
shrinking storage), and makes the restored cluster differ from the one that was backed up (a
restored Cluster that silently lost `isWALArchiver` because the overlay restated the `plugins`
list is the classic).

## Example
```yaml
# overlays/recovery/bootstrap-patch.yaml
spec:
  instances: 1          # the base says 3
  bootstrap:
    recovery: {source: origin}
```

## Fix
Move the value into the base (shared by every overlay), or, if the difference is deliberate for
the restore window, remove it again as soon as the restore is done.

## References
- cnpg-dr layout conventions: overlays differ only in `spec.bootstrap` / `spec.externalClusters`.
"#,
};

/// Paths an overlay may change; `*` matches any list index.
const IGNORED: [&[&str]; 4] = [
    &["spec", "bootstrap"],
    &["spec", "externalClusters"],
    &["spec", "plugins", "*", "parameters", "serverName"],
    &["spec", "backup", "barmanObjectStore", "serverName"],
];

/// Deep equality of two values, ignoring where they were written and map order.
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar(x), NodeKind::Scalar(y)) => {
            x.text == y.text || (a.is_null() && b.is_null())
        }
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter_str()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

/// The node at a path of map keys and sequence indexes.
fn at<'a>(node: &'a Node, path: &[Key]) -> Option<&'a Node> {
    let mut n = node;
    for k in path {
        n = match (k, &n.kind) {
            (Key::Field(f), NodeKind::Map(m)) => m.get(f)?,
            (Key::Index(i), NodeKind::Seq(s)) => s.get(*i)?,
            _ => return None,
        };
    }
    Some(n)
}

#[derive(Clone, Debug)]
enum Key {
    Field(String),
    Index(usize),
}

fn display(path: &[Key]) -> String {
    let mut out = String::new();
    for k in path {
        match k {
            Key::Field(f) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(f);
            }
            Key::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn short(node: Option<&Node>) -> String {
    match node {
        None => "unset".to_string(),
        Some(n) => match &n.kind {
            NodeKind::Scalar(s) if s.style.is_plain() => s.text.clone(),
            NodeKind::Scalar(s) => format!("{:?}", s.text),
            NodeKind::Seq(items) => format!("a list of {}", items.len()),
            NodeKind::Map(m) => format!(
                "{{{}}}",
                m.iter_str().map(|(k, _)| k).collect::<Vec<_>>().join(", ")
            ),
        },
    }
}

fn ignored(path: &[Key]) -> bool {
    IGNORED.iter().any(|ig| {
        path.len() >= ig.len()
            && ig.iter().zip(path).all(|(a, b)| match b {
                Key::Field(f) => f == a,
                Key::Index(_) => *a == "*",
            })
    })
}

struct Walk<'a, 'b> {
    ctx: &'b VariantContext<'a>,
    cluster: &'b Cluster<'a>,
    /// The same Cluster in the other variants, with their overlay names.
    others: Vec<(String, &'a Node)>,
    out: &'b mut Vec<Finding>,
    /// The directory of this variant's DR overlay.
    own_dir: Option<std::path::PathBuf>,
    /// Whether the last file seen belongs to that overlay (nodes come in runs
    /// from the same file; the answer costs path comparisons).
    last: Option<(std::sync::Arc<std::path::Path>, bool)>,
}

impl Walk<'_, '_> {
    fn in_own_overlay(&mut self, file: &std::sync::Arc<std::path::Path>) -> bool {
        if let Some((f, own)) = &self.last {
            if std::sync::Arc::ptr_eq(f, file) {
                return *own;
            }
        }
        let own = self.own_dir.as_ref().is_some_and(|mine| {
            overlay_of(self.ctx.database, file).is_some_and(|o| o.dir == *mine)
        });
        self.last = Some((file.clone(), own));
        own
    }

    fn visit(&mut self, node: &Node, path: &mut Vec<Key>) {
        if ignored(path) {
            return;
        }
        let own = self.in_own_overlay(&node.span.file);
        if own {
            // Report where the difference is plain; descend into maps and into
            // lists of the same length to find the field that differs.
            let differs = self.others.iter().find_map(|(name, other)| {
                let theirs = at(other, path);
                let plain = match (&node.kind, theirs.map(|t| &t.kind)) {
                    (_, None) => true,
                    (NodeKind::Map(_), Some(NodeKind::Map(_))) => false,
                    (NodeKind::Seq(a), Some(NodeKind::Seq(b))) => a.len() != b.len(),
                    _ => !theirs.is_some_and(|t| same_value(node, t)),
                };
                plain.then_some((name.clone(), theirs))
            });
            if let Some((name, theirs)) = differs {
                self.report(node, path, &name, theirs);
                return;
            }
        }
        match &node.kind {
            NodeKind::Map(m) => {
                for (k, v) in m.iter_str() {
                    path.push(Key::Field(k.to_string()));
                    self.visit(v, path);
                    path.pop();
                }
            }
            NodeKind::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Key::Index(i));
                    self.visit(v, path);
                    path.pop();
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }

    fn report(&mut self, node: &Node, path: &[Key], other_name: &str, other: Option<&Node>) {
        let mine = dr_overlay_name(self.ctx.database, self.ctx.variant).unwrap_or("active");
        let field = display(path);
        let span = match node.kind {
            NodeKind::Scalar(_) => node.span.clone(),
            _ => head(&node.span),
        };
        let mut f = self.ctx.finding(
            &META,
            &span,
            format!(
                "the {mine} overlay changes {field} of Cluster {} ({}; the {other_name} overlay renders {}): overlays should differ only in spec.bootstrap and spec.externalClusters, anything else is applied to the live Cluster when the DR switch flips",
                self.cluster.name(),
                short(Some(node)),
                short(other),
            ),
        );
        f.help = Some(format!(
            "move {field} into the base so every overlay shares it, or remove it from the {mine} overlay once the restore is done"
        ));
        self.out.push(f);
    }
}

impl Rule for OverlayPatchesBeyondBootstrap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_database(&self, ctx: &DatabaseContext<'_>, out: &mut Vec<Finding>) {
        let variants = &ctx.database.variants;
        for (i, variant) in variants.iter().enumerate() {
            let Some(own) = dr_overlay(ctx.database, variant) else {
                continue;
            };
            let vctx = VariantContext {
                repo: ctx.repo,
                settings: ctx.settings,
                database: ctx.database,
                variant,
            };
            for cluster in variant.clusters() {
                let others: Vec<(String, &Node)> = variants
                    .iter()
                    .enumerate()
                    .filter(|(j, v)| *j != i && v.rendered.is_ok())
                    .filter_map(|(_, v)| {
                        let c = v.clusters().find(|c| c.name() == cluster.name())?;
                        let name = dr_overlay_name(ctx.database, v)
                            .unwrap_or("other")
                            .to_string();
                        (name != own.name).then_some((name, c.node()))
                    })
                    .collect();
                if others.is_empty() {
                    continue;
                }
                let mut walk = Walk {
                    ctx: &vctx,
                    cluster: &cluster,
                    others,
                    out,
                    own_dir: Some(own.dir.clone()),
                    last: None,
                };
                walk.visit(cluster.node(), &mut Vec::new());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_bootstrap_and_external_clusters_only() {
        let k = |s: &str| Key::Field(s.to_string());
        assert!(ignored(&[k("spec"), k("bootstrap")]));
        assert!(ignored(&[k("spec"), k("externalClusters"), Key::Index(0)]));
        assert!(!ignored(&[k("spec"), k("instances")]));
        assert!(!ignored(&[k("spec")]));
        assert_eq!(
            display(&[k("spec"), k("plugins"), Key::Index(0), k("name")]),
            "spec.plugins[0].name"
        );
    }
}
