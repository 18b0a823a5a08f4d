//! Patches: strategic merge (by id or by target) and JSON 6902 entries.

use super::*;

impl Builder<'_> {
    /// `patchesStrategicMerge` entries: a file path, or inline YAML.
    pub(super) fn strategic_merge_documents(
        &mut self,
        dir: &Path,
        value: &str,
        span: &yaml::Span,
    ) -> Result<Vec<Node>> {
        let path = normalize(&dir.join(value));
        if !value.contains('\n') && self.fs.is_file(&path) {
            self.check_inside(dir, &path).map_err(|e| e.at(span))?;
            return self.load_yaml(&path);
        }
        load_str(value, span.file.clone(), &self.options.limits)
            .map(|docs| docs.into_iter().filter(|d| !d.is_null()).collect())
            .map_err(|e| {
                RenderError::new(
                    RenderErrorKind::Patch,
                    format!("inline patch: {}", e.message),
                )
                .at(span)
            })
    }

    pub(super) fn apply_patch_entry(
        &mut self,
        dir: &Path,
        entry: &PatchEntry,
        acc: &mut Accumulator,
        json_only: bool,
    ) -> Result<()> {
        let plugin = if json_only {
            "PatchJson6902Transformer"
        } else {
            "PatchTransformer"
        };
        let quoted = || quote_entry(&entry.node);
        let trouble = |reason: String| {
            RenderError::new(
                RenderErrorKind::Patch,
                format!(
                    "trouble configuring builtin {plugin} with config: `\n{}`: {reason}",
                    quoted()
                ),
            )
            .at(&entry.node.span)
        };
        let non_empty = |l: &Option<super::super::kustomization::Located>| {
            l.clone().filter(|l| !l.value.is_empty())
        };
        let (text, file, span) = match (&non_empty(&entry.path), &non_empty(&entry.patch)) {
            (None, None) => {
                return Err(trouble(format!(
                    "must specify one of patch and path in\n{}",
                    quoted()
                )))
            }
            (Some(_), Some(_)) => {
                return Err(trouble(format!(
                    "patch and path can't be set at the same time\n{}",
                    quoted()
                )))
            }
            (Some(p), None) => {
                let path = normalize(&dir.join(&p.value));
                self.check_inside(dir, &path).map_err(|e| e.at(&p.span))?;
                let text = self.read_text(&path).map_err(|e| e.at(&p.span))?;
                (text, Arc::from(path.as_path()), p.span.clone())
            }
            (None, Some(p)) => (p.value.clone(), p.span.file.clone(), p.span.clone()),
        };
        if json_only
            && entry
                .target
                .as_ref()
                .and_then(|t| t.name.as_deref())
                .unwrap_or("")
                .is_empty()
        {
            return Err(trouble("must specify the target name".to_string()));
        }
        let trimmed = content_start(&text);
        let looks_json_ops =
            trimmed.starts_with('[') || trimmed.starts_with("- ") || trimmed.starts_with("-\n");
        if json_only || looks_json_ops {
            if trimmed.trim_end() == "[]" && !json_only {
                return Err(trouble(
                    "illegally qualifies as both an SM and JSON patch".to_string(),
                ));
            }
            let ops = json6902::parse_ops(&text, file).map_err(|e| {
                let cause = match (json_only, &entry.path) {
                    (true, _) => e.message.clone(),
                    (false, Some(p)) => {
                        format!(
                            "unable to parse SM or JSON patch from [path: {:?}]",
                            p.value
                        )
                    }
                    (false, None) => {
                        format!("unable to parse SM or JSON patch from [patch: {text:?}]")
                    }
                };
                RenderError {
                    span: e.span.clone().or_else(|| Some(span.clone())),
                    ..trouble(cause)
                }
            })?;
            let Some(target) = &entry.target else {
                return Err(trouble("a JSON 6902 patch needs a target".to_string()));
            };
            let selector = CompiledSelector::new(target)?;
            for r in acc.resources.iter_mut().filter(|r| selector.matches(r)) {
                json6902::apply(&mut r.node, &ops)?;
            }
            return Ok(());
        }
        let docs = load_str(&text, file, &self.options.limits).map_err(|e| {
            RenderError::new(
                RenderErrorKind::Patch,
                format!("yaml: line {}: {}", e.line, e.message),
            )
            .at(&span)
        })?;
        let docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
        match &entry.target {
            None => {
                for p in &docs {
                    apply_smp_by_id(&mut acc.resources, p)?;
                }
            }
            Some(target) => {
                let selector = CompiledSelector::new(target)?;
                for p in &docs {
                    if p.get_path(&["kind"]).and_then(Node::as_str).is_none()
                        && p.as_map().is_none_or(|m| m.get("$patch").is_none())
                    {
                        return Err(trouble(format!(
                            "unable to parse SM or JSON patch from [patch: {:?}]",
                            text
                        )));
                    }
                    let mut i = 0;
                    while i < acc.resources.len() {
                        if !selector.matches(&acc.resources[i]) {
                            i += 1;
                            continue;
                        }
                        let r = &mut acc.resources[i];
                        let mut patch = p.clone();
                        retarget(&mut patch, entry.allow_name_change, entry.allow_kind_change);
                        let group = r.gvk().group;
                        match smp::apply(&mut r.node, &patch, &group)? {
                            Outcome::Merged => i += 1,
                            Outcome::Deleted => {
                                acc.resources.remove(i);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A patch applies to its target under the target's own identity: unless a
/// change is allowed, the patch's name, namespace, kind and apiVersion are
/// dropped before the merge, so the target keeps its values (and their spans).
pub(super) fn retarget(patch: &mut Node, allow_name: bool, allow_kind: bool) {
    if let Some(root) = patch.as_map_mut() {
        if !allow_kind {
            root.remove("kind");
            root.remove("apiVersion");
        }
        if !allow_name {
            if let Some(meta) = root.get_mut("metadata").and_then(Node::as_map_mut) {
                meta.remove("name");
                meta.remove("namespace");
            }
        }
    }
}

/// A strategic-merge patch without `target:` goes to the resource with its id.
pub(super) fn apply_smp_by_id(resources: &mut Vec<Resource>, patch: &Node) -> Result<()> {
    let s = |p: &[&str]| {
        patch
            .get_path(p)
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string()
    };
    let id = ResId {
        gvk: super::super::resource::Gvk::from_api_version(&s(&["apiVersion"]), &s(&["kind"])),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    };
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.matches_any_id(&id))
        .map(|(i, _)| i)
        .collect();
    let i = match matches.as_slice() {
        [one] => *one,
        [] => {
            return Err(RenderError::new(
                RenderErrorKind::Patch,
                format!(
                    "no resource matches strategic merge patch \"{id}\": no matches for Id {id}; failed to find unique target for patch {id}"
                ),
            )
            .at(&patch.span)
            .help("a patch without `target:` must name a resource of the build by apiVersion, kind, metadata.name (and namespace, as it was before this kustomization's namespace: applies)"))
        }
        _ => {
            return Err(RenderError::new(
                RenderErrorKind::Patch,
                format!("multiple matches for Id {id}; failed to find unique target for patch {id}"),
            )
            .at(&patch.span))
        }
    };
    let group = resources[i].gvk().group;
    // The merge must not rename the target: a patch may name it by an earlier name.
    let mut patch = patch.clone();
    retarget(&mut patch, false, false);
    if smp::apply(&mut resources[i].node, &patch, &group)? == Outcome::Deleted {
        resources.remove(i);
    }
    Ok(())
}

/// The patch entry printed as YAML, the way kustomize quotes it in errors.
pub(super) fn quote_entry(node: &Node) -> String {
    match yaml::to_json(node, Schema::Yaml11) {
        Ok(v) => yaml::emit_documents(&[v]).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The text from its first content: kustomize reads a patch as YAML, so
/// comments and a `---` before the first document do not decide its kind.
fn content_start(text: &str) -> &str {
    let mut rest = text.trim_start();
    loop {
        let is_doc_start =
            rest.starts_with("---") && rest[3..].chars().next().is_none_or(char::is_whitespace);
        if rest.starts_with('#') || is_doc_start {
            rest = rest
                .split_once('\n')
                .map_or("", |(_, after)| after)
                .trim_start();
        } else {
            return rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::content_start;

    #[test]
    fn comments_and_a_document_start_are_skipped() {
        assert_eq!(content_start("# op\n[{}]"), "[{}]");
        assert_eq!(content_start("  # a\n---\n# b\n- op: add\n"), "- op: add\n");
        assert_eq!(content_start("---x: 1"), "---x: 1");
        assert_eq!(content_start("# only a comment"), "");
    }
}
