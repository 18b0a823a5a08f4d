//! Typed, read-only views of Argo CD `Application` and `ApplicationSet`
//! objects: their sources, sync options, `ignoreDifferences` and Git
//! directory generators.

use crate::kustomize::Resource;
use crate::yaml::Node;

use super::path_match::path_match;
use super::ARGO_GROUP;

fn str_of(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.is_empty())
}

fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).map_or(&[], Vec::as_slice)
}

fn is_kind(r: &Resource, kind: &str) -> bool {
    let gvk = r.gvk();
    gvk.group == ARGO_GROUP && gvk.kind == kind
}

/// One `ignoreDifferences[]` entry of an Application (or of an ApplicationSet template).
#[derive(Clone, Copy, Debug)]
pub struct IgnoreDifference<'a> {
    pub node: &'a Node,
}

impl<'a> IgnoreDifference<'a> {
    /// `group` (empty: the core group).
    pub fn group(&self) -> &'a str {
        self.node
            .get_path(&["group"])
            .and_then(Node::as_str)
            .unwrap_or("")
    }
    /// `kind`, when set.
    pub fn kind(&self) -> Option<&'a str> {
        str_of(self.node.get_path(&["kind"]))
    }
    pub fn name(&self) -> Option<&'a str> {
        str_of(self.node.get_path(&["name"]))
    }
    pub fn json_pointers(&self) -> &'a [Node] {
        items(self.node.get_path(&["jsonPointers"]))
    }
    pub fn jq_path_expressions(&self) -> &'a [Node] {
        items(self.node.get_path(&["jqPathExpressions"]))
    }
    pub fn managed_fields_managers(&self) -> &'a [Node] {
        items(self.node.get_path(&["managedFieldsManagers"]))
    }
    /// True when the entry applies to objects of this group and kind
    /// (`*` matches anything; an omitted kind matches every kind of the group).
    pub fn applies_to(&self, group: &str, kind: &str) -> bool {
        let g = self.group();
        (g == "*" || g == group) && self.kind().is_none_or(|k| k == "*" || k == kind)
    }
}

/// The part an Application's `spec` and an ApplicationSet's `spec.template.spec` share.
#[derive(Clone, Copy, Debug)]
pub struct AppSpec<'a> {
    pub node: &'a Node,
}

impl<'a> AppSpec<'a> {
    pub fn ignore_differences(&self) -> Vec<IgnoreDifference<'a>> {
        items(self.node.get_path(&["ignoreDifferences"]))
            .iter()
            .map(|node| IgnoreDifference { node })
            .collect()
    }

    /// `syncPolicy.syncOptions[]`.
    pub fn sync_options(&self) -> &'a [Node] {
        items(self.node.get_path(&["syncPolicy", "syncOptions"]))
    }

    /// The last `Key=value` sync option with this key (Argo CD reads the last one), with its node.
    pub fn sync_option(&self, key: &str) -> Option<(&'a Node, &'a str)> {
        self.sync_options().iter().rev().find_map(|n| {
            let text = n.as_str()?;
            let (k, v) = text.split_once('=')?;
            (k.trim() == key).then_some((n, v.trim()))
        })
    }

    /// The `path` of `spec.source` and of every `spec.sources[]` entry that has one.
    pub fn source_paths(&self) -> Vec<&'a Node> {
        let single = self.node.get_path(&["source", "path"]);
        let multi = items(self.node.get_path(&["sources"]))
            .iter()
            .filter_map(|s| s.get_path(&["path"]));
        single
            .into_iter()
            .chain(multi)
            .filter(|n| n.as_str().is_some() && !n.is_null())
            .collect()
    }

    /// True when some source has `directory.recurse: true` (a plain directory app
    /// that also deploys every directory below its path).
    pub fn recurses(&self) -> bool {
        let single = self.node.get_path(&["source"]);
        let multi = items(self.node.get_path(&["sources"])).iter();
        single.into_iter().chain(multi).any(|s| {
            s.get_path(&["directory", "recurse"])
                .and_then(Node::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        })
    }
}

/// An `argoproj.io` Application.
#[derive(Clone, Copy, Debug)]
pub struct Application<'a> {
    pub resource: &'a Resource,
}

impl<'a> Application<'a> {
    pub fn from(r: &'a Resource) -> Option<Application<'a>> {
        is_kind(r, "Application").then_some(Application { resource: r })
    }
    pub fn name(&self) -> &'a str {
        self.resource.name()
    }
    pub fn spec(&self) -> Option<AppSpec<'a>> {
        self.resource
            .node
            .get_path(&["spec"])
            .map(|node| AppSpec { node })
    }
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.resource
            .node
            .get_path(&["metadata", "annotations", key])
    }
}

/// One `directories[]` entry of a Git directory generator.
#[derive(Clone, Debug)]
pub struct DirectoryPattern<'a> {
    pub path: &'a str,
    pub exclude: bool,
    pub node: &'a Node,
}

/// A Git directory generator (`generators[].git` with `directories`).
#[derive(Clone, Debug)]
pub struct GitDirectories<'a> {
    pub node: &'a Node,
    pub path_param_prefix: Option<&'a str>,
    pub patterns: Vec<DirectoryPattern<'a>>,
}

impl GitDirectories<'_> {
    /// The directories of `sorted` (sorted, relative, `/`-separated) that an
    /// include pattern may match: those starting with its literal prefix (up
    /// to the first `*`, `?`, `[` or `\`). A binary search per pattern instead
    /// of a match per directory: a repository of 10,000 databases has 40,000
    /// directories, and one ApplicationSet per team.
    pub fn candidates<'s>(&self, sorted: &'s [String]) -> impl Iterator<Item = &'s String> {
        let mut picked: Vec<&'s String> = Vec::new();
        for p in self.patterns.iter().filter(|p| !p.exclude) {
            let prefix = p
                .path
                .find(['*', '?', '[', '\\'])
                .map_or(p.path, |i| &p.path[..i]);
            let start = sorted.partition_point(|d| d.as_str() < prefix);
            picked.extend(sorted[start..].iter().take_while(|d| d.starts_with(prefix)));
        }
        picked.sort();
        picked.dedup();
        picked.into_iter()
    }

    /// True when the controller generates an Application for `dir` (relative,
    /// `/`-separated): some include pattern matches and no exclude pattern does.
    pub fn generates(&self, dir: &str) -> bool {
        let mut include = false;
        for p in &self.patterns {
            if path_match(p.path, dir) == Some(true) {
                if p.exclude {
                    return false;
                }
                include = true;
            }
        }
        include
    }
}

/// One `ignoreApplicationDifferences[]` entry of an ApplicationSet.
#[derive(Clone, Copy, Debug)]
pub struct IgnoreApplicationDifference<'a> {
    pub node: &'a Node,
}

impl<'a> IgnoreApplicationDifference<'a> {
    pub fn name(&self) -> Option<&'a str> {
        str_of(self.node.get_path(&["name"]))
    }
    pub fn json_pointers(&self) -> &'a [Node] {
        items(self.node.get_path(&["jsonPointers"]))
    }
    pub fn jq_path_expressions(&self) -> &'a [Node] {
        items(self.node.get_path(&["jqPathExpressions"]))
    }
}

/// An `argoproj.io` ApplicationSet.
#[derive(Clone, Copy, Debug)]
pub struct ApplicationSet<'a> {
    pub resource: &'a Resource,
}

impl<'a> ApplicationSet<'a> {
    pub fn from(r: &'a Resource) -> Option<ApplicationSet<'a>> {
        is_kind(r, "ApplicationSet").then_some(ApplicationSet { resource: r })
    }
    pub fn name(&self) -> &'a str {
        self.resource.name()
    }
    fn spec(&self, path: &[&str]) -> Option<&'a Node> {
        let mut full = vec!["spec"];
        full.extend_from_slice(path);
        self.resource.node.get_path(&full).filter(|n| !n.is_null())
    }
    /// `spec.template.spec`.
    pub fn template_spec(&self) -> Option<AppSpec<'a>> {
        self.spec(&["template", "spec"])
            .map(|node| AppSpec { node })
    }
    /// An annotation of `spec.template.metadata`.
    pub fn template_annotation(&self, key: &str) -> Option<&'a Node> {
        self.spec(&["template", "metadata", "annotations", key])
    }
    /// `spec.templatePatch` (a Go template producing a patch; read as text only).
    pub fn template_patch(&self) -> Option<&'a Node> {
        self.spec(&["templatePatch"])
    }
    pub fn ignore_application_differences(&self) -> Vec<IgnoreApplicationDifference<'a>> {
        items(self.spec(&["ignoreApplicationDifferences"]))
            .iter()
            .map(|node| IgnoreApplicationDifference { node })
            .collect()
    }
    /// `spec.preservedFields.annotations[]`: annotation keys the controller keeps on generated apps.
    pub fn preserved_annotations(&self) -> &'a [Node] {
        items(self.spec(&["preservedFields", "annotations"]))
    }
    /// Every Git directory generator, including those nested in matrix and merge generators.
    pub fn git_directories(&self) -> Vec<GitDirectories<'a>> {
        let mut out = Vec::new();
        collect_git_directories(items(self.spec(&["generators"])), 0, &mut out);
        out
    }
    /// True when some generator is not a Git directory generator, so the
    /// template may be fed parameters this module cannot know.
    pub fn has_other_generators(&self) -> bool {
        fn any_other(gens: &[Node], depth: usize) -> bool {
            gens.iter().any(|g| {
                let Some(map) = g.as_map() else { return true };
                map.iter_str().any(|(key, v)| match key {
                    "git" => v.get_path(&["directories"]).is_none(),
                    "matrix" | "merge" if depth < 4 => {
                        any_other(items(v.get_path(&["generators"])), depth + 1)
                    }
                    "selector" | "values" => false,
                    _ => true,
                })
            })
        }
        any_other(items(self.spec(&["generators"])), 0)
    }
}

fn collect_git_directories<'a>(gens: &'a [Node], depth: usize, out: &mut Vec<GitDirectories<'a>>) {
    // Argo CD allows two levels of nesting; a little more costs nothing.
    if depth > 4 {
        return;
    }
    for g in gens {
        if let Some(git) = g.get_path(&["git"]) {
            if let Some(dirs) = git.get_path(&["directories"]).and_then(Node::as_seq) {
                let patterns = dirs
                    .iter()
                    .filter_map(|d| {
                        let node = d.get_path(&["path"])?;
                        Some(DirectoryPattern {
                            path: node.as_str()?,
                            exclude: d
                                .get_path(&["exclude"])
                                .and_then(Node::as_str)
                                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                            node,
                        })
                    })
                    .collect();
                out.push(GitDirectories {
                    node: git,
                    path_param_prefix: str_of(git.get_path(&["pathParamPrefix"])),
                    patterns,
                });
            }
        }
        for nested in ["matrix", "merge"] {
            if let Some(n) = g.get_path(&[nested, "generators"]).and_then(Node::as_seq) {
                collect_git_directories(n, depth + 1, out);
            }
        }
    }
}
