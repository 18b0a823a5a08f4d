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
            for r in resources_from_docs(docs, &path).map_err(|e| e.context(ctx.clone()))? {
                acc.append(r)
                    .map_err(|e| e.context(format!("merging resources from '{entry}'")))?;
            }
            return Ok(());
        }
        if self.fs.is_dir(&path) {
            let ctx = format!("accumulating resources from '{entry}'");
            let sub = self
                .build_subtarget(&path, KustomizationKind::Kustomization)
                .map_err(|e| e.context(ctx.clone()))?;
            TransformerConfig::merge_shared(&mut acc.config, &sub.config);
            for r in sub.resources {
                acc.append(r).map_err(|e| {
                    e.context(format!("recursed merging from path '{}'", path.display()))
                        .context(ctx.clone())
                })?;
            }
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
