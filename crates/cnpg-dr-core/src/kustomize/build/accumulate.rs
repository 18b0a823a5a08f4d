//! Resources, bases and components: recursion, cycles, remote entries.

use super::*;

pub(super) fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.contains("?ref=")
        || entry.contains(".git//")
        || entry.ends_with(".git")
}

impl Builder<'_> {
    pub(super) fn accumulate_resource(
        &mut self,
        dir: &Path,
        entry: &str,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let path = normalize(&dir.join(entry));
        if self.fs.is_file(&path) {
            let ctx = format!("accumulating resources from '{entry}'");
            self.check_inside(dir, &path)
                .map_err(|e| e.context(ctx.clone()))?;
            let docs = self.load_yaml(&path).map_err(|e| {
                RenderError {
                    message: format!("MalformedYAMLError: {} in File: {entry}", e.message),
                    ..e
                }
                .context(ctx.clone())
            })?;
            let resources = resources_from_docs(docs, &path).map_err(|e| e.context(ctx.clone()))?;
            acc.append_all(resources)
                .map_err(|e| e.context(format!("merging resources from '{entry}'")))?;
            return Ok(());
        }
        if self.fs.is_dir(&path) {
            let ctx = format!("accumulating resources from '{entry}'");
            let sub = self
                .build_subtarget(&path, KustomizationKind::Kustomization)
                .map_err(|e| e.context(ctx.clone()))?;
            TransformerConfig::merge_shared(&mut acc.config, &sub.config);
            acc.append_all(sub.resources).map_err(|e| {
                e.context(format!("recursed merging from path '{}'", path.display()))
                    .context(ctx.clone())
            })?;
            return Ok(());
        }
        if is_remote(entry) {
            return Err(RenderError::new(
                RenderErrorKind::Refused,
                format!(
                    "remote resource '{entry}' is not supported: cnpg-dr never touches the network"
                ),
            )
            .help(
                "vendor the remote base into the repository and reference it by a relative path",
            ));
        }
        Err(RenderError::new(
            RenderErrorKind::Io,
            format!(
                "accumulating resources from '{entry}': '{}': no such file or directory",
                path.display()
            ),
        ))
    }

    /// Builds a base directory into its own accumulator.
    pub(super) fn build_subtarget(
        &mut self,
        path: &Path,
        expected: KustomizationKind,
    ) -> Result<Accumulator> {
        let canonical = self.canonical_dir(path);
        if let Some(i) = self.stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = self.stack[i..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.display().to_string())
                .collect();
            return Err(RenderError::new(
                RenderErrorKind::Cycle,
                format!("cycle detected: {}", chain.join(" -> ")),
            ));
        }
        self.check_depth(&canonical)?;
        let kust = self.load_kustomization(path)?;
        if kust.kind != expected {
            return Err(kind_mismatch(path, expected, kust.kind));
        }
        self.stack.push(canonical);
        let mut acc = Accumulator {
            resources: Vec::new(),
            config: Default::default(),
        };
        let result = self.accumulate_target(&kust, &mut acc);
        self.stack.pop();
        result.map(|()| acc)
    }

    pub(super) fn accumulate_component(
        &mut self,
        dir: &Path,
        entry: &str,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let path = normalize(&dir.join(entry));
        if !self.fs.is_dir(&path) {
            if is_remote(entry) {
                return Err(RenderError::new(
                    RenderErrorKind::Refused,
                    format!("remote component '{entry}' is not supported: cnpg-dr never touches the network"),
                ));
            }
            return Err(RenderError::new(
                RenderErrorKind::Io,
                format!(
                    "'{}' must be a directory holding a kind: Component kustomization",
                    path.display()
                ),
            ));
        }
        let canonical = self.canonical_dir(&path);
        if self.stack.contains(&canonical) {
            return Err(RenderError::new(
                RenderErrorKind::Cycle,
                format!(
                    "cycle detected: component '{}' includes itself",
                    path.display()
                ),
            ));
        }
        self.check_depth(&canonical)?;
        let kust = self.load_kustomization(&path)?;
        if kust.kind != KustomizationKind::Component {
            return Err(
                kind_mismatch(&path, KustomizationKind::Component, kust.kind)
                    .context("accumulateDirectory"),
            );
        }
        self.stack.push(canonical);
        let result = self.accumulate_target(&kust, acc);
        self.stack.pop();
        result
    }
}

/// Deepest chain of bases and components one render follows. Each level
/// is a few nested calls, and a chain thousands deep overflowed the stack
/// (an abort, not an error); real repositories nest a handful of levels.
/// The unit test below renders this many levels on a 2 MiB thread (rayon's
/// default) in a debug build.
pub(super) const MAX_DEPTH: usize = 100;

impl Builder<'_> {
    /// Refuses to descend into `next` when the chain is already [`MAX_DEPTH`]
    /// deep, naming both ends of the chain.
    fn check_depth(&self, next: &Path) -> Result<()> {
        if self.stack.len() < MAX_DEPTH {
            return Ok(());
        }
        let first = self.stack.first().map_or(next, |p| p.as_path());
        Err(RenderError::new(
            RenderErrorKind::TooDeep,
            format!(
                "kustomizations nest more than {MAX_DEPTH} levels deep: {} -> ... -> {} -> {}",
                first.display(),
                self.stack[self.stack.len() - 1].display(),
                next.display()
            ),
        )
        .help("a chain of bases this deep is almost certainly generated by mistake; flatten it"))
    }
}

pub(super) fn kind_mismatch(
    path: &Path,
    expected: KustomizationKind,
    got: KustomizationKind,
) -> RenderError {
    let name = |k: KustomizationKind| match k {
        KustomizationKind::Kustomization => "Kustomization",
        KustomizationKind::Component => "Component",
    };
    let message = match expected {
        KustomizationKind::Component => format!(
            "\"expected kind '{}' for path '{}' but got '{}'\"",
            name(expected),
            path.display(),
            name(got)
        ),
        KustomizationKind::Kustomization => format!(
            "expected kind != 'Component' for path '{}': a Component belongs under components:, not resources:",
            path.display()
        ),
    };
    RenderError::new(RenderErrorKind::InvalidKustomization, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    /// `/c/l0` includes `../l1`, ... `l{levels}` holds one ConfigMap.
    fn chain(levels: usize) -> MemFs {
        let mut fs = MemFs::new();
        let kust = |entry: &str| format!("kind: Kustomization\nresources:\n  - {entry}\n");
        for i in 0..levels {
            fs.insert(
                format!("/c/l{i}/kustomization.yaml"),
                kust(&format!("../l{}", i + 1)),
            );
        }
        fs.insert(format!("/c/l{levels}/kustomization.yaml"), kust("cm.yaml"));
        fs.insert(
            format!("/c/l{levels}/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n",
        );
        fs
    }

    /// Renders on a thread with rayon's default stack (2 MiB), where the
    /// linter renders.
    fn render_on_small_stack(levels: usize) -> Result<Rendered> {
        let fs = chain(levels);
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || render(&fs, Path::new("/c/l0"), &RenderOptions::default()))
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn the_deepest_allowed_chain_renders_on_a_small_stack() {
        let r = render_on_small_stack(MAX_DEPTH).unwrap();
        assert_eq!(r.resources.len(), 1);
        assert_eq!(r.resources[0].name(), "deep");
    }

    #[test]
    fn a_deeper_chain_is_an_error_naming_its_ends() {
        let err = render_on_small_stack(MAX_DEPTH + 1).unwrap_err();
        assert_eq!(err.kind, RenderErrorKind::TooDeep);
        let want = format!(
            "kustomizations nest more than {MAX_DEPTH} levels deep: /c/l1 -> ... -> /c/l{MAX_DEPTH} -> /c/l{}",
            MAX_DEPTH + 1
        );
        assert!(err.message.contains(&want), "{}", err.message);
        // A chain thousands deep (which overflowed the stack) fails the same way.
        let err = render_on_small_stack(5000).unwrap_err();
        assert_eq!(err.kind, RenderErrorKind::TooDeep);
    }
}
