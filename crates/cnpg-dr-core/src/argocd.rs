//! Typed, read-only views of Argo CD `Application` and `ApplicationSet`
//! objects, and the mapping from them to the database directories they deploy.
//!
//! Paths in Argo CD objects are relative to the root of the Git repository;
//! the mapping treats the directory being linted as that root. An
//! ApplicationSet's template path is resolved against its Git directory
//! generators (also when nested in matrix or merge generators) the way the
//! ApplicationSet controller does it: Go's `path.Match` on each directory,
//! `exclude: true` entries winning over includes, then the template's path
//! parameters substituted. Anything else a template may depend on (list or
//! cluster generators, Git file generators, pipelines) is left unresolved
//! rather than guessed.

use std::path::{Path, PathBuf};

use crate::discover::Repository;
use crate::kustomize::Resource;
use crate::yaml::Node;

/// The Argo CD API group.
pub const ARGO_GROUP: &str = "argoproj.io";
/// The annotation that makes Argo CD stop reconciling an Application.
pub const SKIP_RECONCILE: &str = "argocd.argoproj.io/skip-reconcile";
/// The sync option that makes a sync honour `ignoreDifferences`.
pub const RESPECT_IGNORE_DIFFERENCES: &str = "RespectIgnoreDifferences";

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

/// Go's `path.Match`: `*` matches any run of non-`/` characters, `?` one
/// non-`/` character, `[...]` a class (`^` or `!` negates, `a-z` ranges), `\`
/// escapes. The whole name must match. None for a malformed pattern.
pub fn path_match(pattern: &str, name: &str) -> Option<bool> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Option<bool> {
    let (mut pi, mut ni) = (0, 0);
    // Backtracking point for the last `*`: (pattern index after it, name index).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi + 1, ni));
                    pi += 1;
                    continue;
                }
                c if ni < n.len() => {
                    let (ok, width) = match c {
                        '?' => (n[ni] != '/', 1),
                        '[' => {
                            let (ok, width) = match_class(&p[pi..], n[ni])?;
                            (ok, width)
                        }
                        '\\' => {
                            let e = *p.get(pi + 1)?;
                            (n[ni] == e, 2)
                        }
                        c => (n[ni] == c, 1),
                    };
                    if ok {
                        pi += width;
                        ni += 1;
                        continue;
                    }
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Some(true);
        }
        // Mismatch: let the last `*` swallow one more character, never a `/`.
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp;
                ni = sn + 1;
            }
            _ => {
                // Go reports a malformed pattern even when the name does not match.
                check_pattern(&p[pi.min(p.len())..])?;
                return Some(false);
            }
        }
    }
}

/// Matches `c` against the class at the start of `p` (which begins with `[`);
/// returns (matched, pattern width).
fn match_class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('^') | Some('!'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            ch
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|x| *x != ']') {
            i += 1;
            hi = if p[i] == '\\' {
                i += 1;
                *p.get(i)?
            } else {
                p[i]
            };
            i += 1;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Some((matched != negate && c != '/', i))
}

/// Checks the rest of a pattern for syntax errors (unclosed class, trailing `\`).
fn check_pattern(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                p.get(i + 1)?;
                i += 2;
            }
            '[' => {
                let (_, w) = match_class(&p[i..], 'a')?;
                i += w;
            }
            _ => i += 1,
        }
    }
    Some(())
}

/// Argo CD's `SanitizeName` as used for `basenameNormalized`: lower case, and
/// every character other than `a-z`, `0-9`, `-`, `.` replaced by `-`.
fn sanitize(name: &str) -> String {
    name.to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Renders a template string for one generated directory, or None when it
/// uses anything but the directory's path parameters.
fn render_path_template(template: &str, dir: &str, prefix: Option<&str>) -> Option<String> {
    let base = dir.rsplit('/').next().unwrap_or(dir);
    let segments: Vec<&str> = dir.split('/').collect();
    let pre = prefix.map(|p| format!("{p}.")).unwrap_or_default();
    let lookup = |expr: &str| -> Option<String> {
        let expr = expr
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        // Go templates: `.path.path`, `.path.basename`, `index .path.segments N`.
        if let Some(rest) = expr.strip_prefix("index ") {
            let mut parts = rest.split_whitespace();
            let list = parts.next()?;
            let idx: usize = parts.next()?.parse().ok()?;
            if parts.next().is_some() || list != format!(".{pre}path.segments") {
                return None;
            }
            return segments.get(idx).map(|s| s.to_string());
        }
        let go = expr.strip_prefix('.');
        let key = go.unwrap_or(expr).strip_prefix(pre.as_str())?;
        let value = match (go.is_some(), key) {
            (true, "path.path") | (false, "path") => dir.to_string(),
            (_, "path.basename") => base.to_string(),
            (_, "path.basenameNormalized") => sanitize(base),
            (false, k) => {
                let idx: usize = k.strip_prefix("path[")?.strip_suffix(']')?.parse().ok()?;
                segments.get(idx)?.to_string()
            }
            _ => return None,
        };
        Some(value)
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        out.push_str(&lookup(&after[..end])?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// A path as Argo CD reads it: relative to the repository root, `/`-separated,
/// without `./` or a trailing `/`; the root itself is the empty string.
fn clean(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The paths an Application or ApplicationSet deploys, relative to the
/// repository root. `candidates` are the repository's directories (relative,
/// `/`-separated) that a Git directory generator may produce. Paths whose
/// template cannot be resolved are left out.
pub fn deployed_paths(r: &Resource, candidates: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(spec) = Application::from(r).and_then(|a| a.spec()) {
        out.extend(
            spec.source_paths()
                .iter()
                .filter_map(|n| n.as_str())
                .filter(|p| !p.contains("{{"))
                .map(clean),
        );
    } else if let Some(set) = ApplicationSet::from(r) {
        let Some(spec) = set.template_spec() else {
            return out;
        };
        let generators = set.git_directories();
        for template in spec.source_paths().iter().filter_map(|n| n.as_str()) {
            if !template.contains("{{") {
                out.push(clean(template));
                continue;
            }
            for g in &generators {
                for dir in g.candidates(candidates).filter(|d| g.generates(d)) {
                    if let Some(p) = render_path_template(template, dir, g.path_param_prefix) {
                        out.push(clean(&p));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The repository's directories a Git directory generator can usefully
/// produce: every kustomization directory and every database directory,
/// relative and sorted (see [`Repository::candidate_dirs`], which keeps them).
pub(crate) fn compute_candidate_dirs(repo: &Repository) -> Vec<String> {
    let mut dirs: Vec<String> = repo
        .kustomizations
        .iter()
        .map(|k| k.dir().to_path_buf())
        .chain(repo.databases.iter().map(|d| d.dir.clone()))
        .filter_map(|d| relative(&d, &repo.root))
        .filter(|d| !d.is_empty())
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The database directories of a repository relative to its root, sorted,
/// with their index in `repo.databases`.
pub(crate) fn database_rels(root: &Path, databases: &[PathBuf]) -> Vec<(String, usize)> {
    let mut rels: Vec<(String, usize)> = databases
        .iter()
        .enumerate()
        .filter_map(|(i, d)| relative(d, root).map(|r| (r, i)))
        .collect();
    rels.sort();
    rels
}

fn relative(dir: &Path, root: &Path) -> Option<String> {
    let rel = dir.strip_prefix(root).ok()?;
    Some(clean(&rel.to_string_lossy().replace('\\', "/")))
}

/// The database directories among `databases` that the deployed `paths` cover:
/// a path equal to a database directory or inside it (an app pointing straight
/// at one overlay), or, with `recurse`, a path above it.
pub fn databases_for_paths(
    paths: &[String],
    root: &Path,
    databases: &[PathBuf],
    recurse: bool,
) -> Vec<PathBuf> {
    let rels = database_rels(root, databases);
    databases_for_paths_in(paths, &rels, recurse)
        .into_iter()
        .map(|i| databases[i].clone())
        .collect()
}

/// [`databases_for_paths`] over [`database_rels`]: the indexes of the
/// databases, in their original order. Looks each path's ancestors up and,
/// with `recurse`, the range of directories below it: no pass over every
/// database per path.
pub(crate) fn databases_for_paths_in(
    paths: &[String],
    rels: &[(String, usize)],
    recurse: bool,
) -> Vec<usize> {
    let find = |rel: &str| {
        rels.binary_search_by(|(r, _)| r.as_str().cmp(rel))
            .ok()
            .map(|i| rels[i].1)
    };
    let mut out: Vec<usize> = Vec::new();
    for p in paths {
        // The database is the path, or holds it (an app on one overlay).
        out.extend(find(p));
        let mut at = p.as_str();
        while let Some(i) = at.rfind('/') {
            at = &at[..i];
            out.extend(find(at));
        }
        // With recurse, every database below the path (all of them below the root).
        if recurse {
            let prefix = if p.is_empty() {
                String::new()
            } else {
                format!("{p}/")
            };
            let start = rels.partition_point(|(r, _)| r.as_str() < prefix.as_str());
            out.extend(
                rels[start..]
                    .iter()
                    .take_while(|(r, _)| r.starts_with(&prefix))
                    .map(|(_, i)| *i),
            );
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The database directories of `repo` that an Application or ApplicationSet deploys.
pub fn deployed_databases(r: &Resource, repo: &Repository) -> Vec<PathBuf> {
    let paths = deployed_paths(r, repo.candidate_dirs());
    let recurse = Application::from(r)
        .and_then(|a| a.spec())
        .or_else(|| ApplicationSet::from(r).and_then(|s| s.template_spec()))
        .is_some_and(|s| s.recurses());
    databases_for_paths_in(&paths, repo.database_rels(), recurse)
        .into_iter()
        .map(|i| repo.databases[i].dir.clone())
        .collect()
}

/// Every Application and ApplicationSet of a repository: loose files first,
/// then those rendered into a database's active variant (app-of-apps layouts).
pub fn argo_objects(repo: &Repository) -> Vec<&Resource> {
    repo.loose
        .iter()
        .chain(
            repo.databases
                .iter()
                .flat_map(|d| d.active().resources().iter()),
        )
        .filter(|r| Application::from(r).is_some() || ApplicationSet::from(r).is_some())
        .collect()
}

/// The name of the Application that deploys `dir` (relative to the
/// repository root, `/`-separated): an Application's own name, or the
/// name an ApplicationSet's Git directory generator gives it. None when the
/// template cannot be resolved.
pub fn application_name(r: &Resource, dir: &str) -> Option<String> {
    if let Some(app) = Application::from(r) {
        return Some(app.name().to_string());
    }
    let set = ApplicationSet::from(r)?;
    let template = set
        .resource
        .node
        .get_path(&["spec", "template", "metadata", "name"])
        .and_then(Node::as_str)?;
    if !template.contains("{{") {
        return Some(template.to_string());
    }
    set.git_directories()
        .iter()
        .filter(|g| g.generates(dir))
        .find_map(|g| render_path_template(template, dir, g.path_param_prefix))
}

/// True when the JSON pointer `a` is `b`, an ancestor of `b` or a descendant of
/// `b` (tokens compared after unescaping `~1` and `~0`).
pub fn pointers_overlap(a: &str, b: &str) -> bool {
    let tokens = |p: &str| -> Vec<String> {
        p.trim()
            .split('/')
            .skip(1)
            .filter(|t| !t.is_empty())
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    let (a, b) = (tokens(a), tokens(b));
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// The JSON pointer a simple jq path (`.spec.bootstrap`, `.spec.externalClusters[]`,
/// `.metadata.annotations["a/b"]`) addresses, or None for anything more complex.
pub fn jq_to_pointer(expr: &str) -> Option<String> {
    let e = expr.trim();
    if e == "." {
        return Some(String::new());
    }
    let mut out = String::new();
    let mut rest = e.strip_prefix('.')?;
    let push = |out: &mut String, tok: &str| {
        out.push('/');
        out.push_str(&tok.replace('~', "~0").replace('/', "~1"));
    };
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            if inner.is_empty() {
                // Every element: the pointer stops at the list.
                return Some(out);
            }
            let key = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(str::to_string)
                .or_else(|| inner.parse::<usize>().ok().map(|i| i.to_string()))?;
            push(&mut out, &key);
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"')?;
            push(&mut out, &r[..end]);
            rest = &r[end + 1..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let tok = &rest[..end];
            if tok.is_empty()
                || !tok
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return None;
            }
            push(&mut out, tok);
            rest = &rest[end..];
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load_str, LoadLimits};
    use std::sync::Arc;

    fn resource(yaml: &str) -> Resource {
        let docs = load_str(
            yaml,
            Arc::from(Path::new("/r/app.yaml")),
            &LoadLimits::default(),
        )
        .unwrap();
        Resource::new(
            docs.into_iter().next().unwrap(),
            PathBuf::from("/r/app.yaml"),
        )
        .unwrap()
    }

    fn dirs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const CANDIDATES: &[&str] = &[
        "apps/web",
        "db/cnpg/gitea",
        "db/cnpg/gitea/base",
        "db/cnpg/gitea/overlays/initdb",
        "db/cnpg/immich",
        "db/cnpg/paperless",
        "db/legacy/old",
    ];

    #[test]
    fn go_path_match_semantics() {
        assert_eq!(path_match("db/*", "db/gitea"), Some(true));
        assert_eq!(path_match("db/*", "db/gitea/base"), Some(false));
        assert_eq!(path_match("db/*/base", "db/gitea/base"), Some(true));
        assert_eq!(path_match("*", "db"), Some(true));
        assert_eq!(path_match("db/g?tea", "db/gitea"), Some(true));
        assert_eq!(path_match("db/[gi]*", "db/immich"), Some(true));
        assert_eq!(path_match("db/[^gi]*", "db/immich"), Some(false));
        assert_eq!(path_match("db/[a-h]*", "db/gitea"), Some(true));
        assert_eq!(path_match("db/\\*", "db/*"), Some(true));
        assert_eq!(path_match("db/a*b*c", "db/axxbyyc"), Some(true));
        assert_eq!(path_match("db/a*b", "db/a/b"), Some(false));
        assert_eq!(path_match("db/[", "db/x"), None);
        // `**` is not special in path.Match: it is two stars, still one segment.
        assert_eq!(path_match("db/**", "db/cnpg/gitea"), Some(false));
    }

    #[test]
    fn directory_generator_with_glob_and_exclude() {
        let r = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  goTemplate: true\n  generators:\n  - git:\n      repoURL: https://example/repo.git\n      directories:\n      - path: db/cnpg/paperless\n        exclude: true\n      - path: db/cnpg/*\n  template:\n    metadata:\n      name: '{{.path.basename}}'\n    spec:\n      source:\n        path: '{{ .path.path }}'\n",
        );
        assert_eq!(
            deployed_paths(&r, &dirs(CANDIDATES)),
            ["db/cnpg/gitea", "db/cnpg/immich"]
        );
    }

    #[test]
    fn fasttemplate_path_with_suffix_and_prefix() {
        let r = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  generators:\n  - git:\n      pathParamPrefix: db\n      directories:\n      - path: db/cnpg/gitea\n  template:\n    metadata:\n      name: '{{db.path.basename}}'\n    spec:\n      source:\n        path: '{{db.path}}/overlays/{{db.path[0]}}'\n",
        );
        assert_eq!(
            deployed_paths(&r, &dirs(CANDIDATES)),
            ["db/cnpg/gitea/overlays/db"]
        );
    }

    #[test]
    fn matrix_nests_git_generators_and_unknown_parameters_stay_unresolved() {
        let r = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  goTemplate: true\n  generators:\n  - matrix:\n      generators:\n      - git:\n          directories:\n          - path: db/cnpg/*\n          - path: db/cnpg/immich\n            exclude: true\n      - list:\n          elements:\n          - cluster: prod\n  template:\n    metadata:\n      name: x\n    spec:\n      sources:\n      - repoURL: https://example/values.git\n        ref: values\n      - path: '{{ index .path.segments 2 | upper }}'\n      - path: '{{.path.path}}'\n      - path: 'clusters/{{.cluster}}'\n",
        );
        let set = ApplicationSet::from(&r).unwrap();
        assert!(set.has_other_generators());
        assert_eq!(set.git_directories().len(), 1);
        assert_eq!(
            deployed_paths(&r, &dirs(CANDIDATES)),
            ["db/cnpg/gitea", "db/cnpg/paperless"]
        );
    }

    #[test]
    fn application_with_multiple_sources_maps_to_databases() {
        let r = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: gitea\nspec:\n  sources:\n  - repoURL: https://example/repo.git\n    path: ./db/cnpg/gitea/\n  - repoURL: https://example/repo.git\n    path: db/cnpg/immich/overlays/recovery\n  - repoURL: https://example/charts.git\n    chart: x\n",
        );
        let paths = deployed_paths(&r, &[]);
        assert_eq!(paths, ["db/cnpg/gitea", "db/cnpg/immich/overlays/recovery"]);
        let root = Path::new("/r");
        let dbs = [
            PathBuf::from("/r/db/cnpg/gitea"),
            PathBuf::from("/r/db/cnpg/immich"),
            PathBuf::from("/r/db/cnpg/paperless"),
        ];
        assert_eq!(
            databases_for_paths(&paths, root, &dbs, false),
            [dbs[0].clone(), dbs[1].clone()]
        );
        // A directory app with recurse deploys everything below its path.
        assert_eq!(
            databases_for_paths(&dirs(&["db"]), root, &dbs, true).len(),
            3
        );
        assert!(databases_for_paths(&dirs(&["db"]), root, &dbs, false).is_empty());
    }

    #[test]
    fn ignore_differences_and_sync_options() {
        let r = resource(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  ignoreDifferences:\n  - group: postgresql.cnpg.io\n    jsonPointers: [/spec/bootstrap]\n  - group: apps\n    kind: Deployment\n  syncPolicy:\n    syncOptions:\n    - RespectIgnoreDifferences=false\n    - CreateNamespace=true\n    - RespectIgnoreDifferences=true\n",
        );
        let spec = Application::from(&r).unwrap().spec().unwrap();
        let ids = spec.ignore_differences();
        assert!(ids[0].applies_to("postgresql.cnpg.io", "Cluster"));
        assert!(!ids[1].applies_to("postgresql.cnpg.io", "Cluster"));
        assert_eq!(
            spec.sync_option(RESPECT_IGNORE_DIFFERENCES).unwrap().1,
            "true"
        );
    }

    #[test]
    fn pointers_and_jq_paths() {
        assert!(pointers_overlap("/spec", "/spec/bootstrap"));
        assert!(pointers_overlap(
            "/spec/bootstrap/recovery",
            "/spec/bootstrap"
        ));
        assert!(!pointers_overlap("/spec/instances", "/spec/bootstrap"));
        assert!(pointers_overlap(
            "/metadata/annotations/argocd.argoproj.io~1skip-reconcile",
            "/metadata/annotations"
        ));
        assert_eq!(
            jq_to_pointer(".spec.bootstrap").as_deref(),
            Some("/spec/bootstrap")
        );
        assert_eq!(
            jq_to_pointer(".spec.externalClusters[]").as_deref(),
            Some("/spec/externalClusters")
        );
        assert_eq!(
            jq_to_pointer(".metadata.annotations[\"argocd.argoproj.io/skip-reconcile\"]")
                .as_deref(),
            Some("/metadata/annotations/argocd.argoproj.io~1skip-reconcile")
        );
        assert_eq!(
            jq_to_pointer(".spec.externalClusters[0].name").as_deref(),
            Some("/spec/externalClusters/0/name")
        );
        assert_eq!(jq_to_pointer(".spec | select(.x)"), None);
    }

    #[test]
    fn appset_maps_to_discovered_databases() {
        use crate::discover::{discover, DiscoverOptions};
        use crate::fs::MemFs;
        let mut fs = MemFs::new();
        for db in ["gitea", "immich", "legacy"] {
            fs.insert(
                format!("/r/dbs/{db}/kustomization.yaml"),
                "resources:\n- overlays/initdb\n",
            )
            .insert(
                format!("/r/dbs/{db}/overlays/initdb/kustomization.yaml"),
                "resources:\n- cluster.yaml\n",
            )
            .insert(
                format!("/r/dbs/{db}/overlays/initdb/cluster.yaml"),
                format!(
                    "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: {db}\n"
                ),
            );
        }
        fs.insert(
            "/r/argocd/appset.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: dbs\nspec:\n  generators:\n  - git:\n      directories:\n      - path: dbs/*\n      - path: dbs/legacy\n        exclude: true\n  template:\n    metadata:\n      name: '{{path.basename}}'\n    spec:\n      source:\n        path: '{{path}}'\n",
        );
        let repo = discover(&fs, Path::new("/r"), &DiscoverOptions::default());
        assert_eq!(repo.databases.len(), 3);
        let objects = argo_objects(&repo);
        assert_eq!(objects.len(), 1);
        assert_eq!(
            deployed_databases(objects[0], &repo),
            [
                PathBuf::from("/r/dbs/gitea"),
                PathBuf::from("/r/dbs/immich")
            ]
        );
    }
}
