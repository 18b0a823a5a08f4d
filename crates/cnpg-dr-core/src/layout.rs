//! Database directories: kustomization roots that render a CNPG Cluster, their
//! overlays, and the DR flag — the one active overlay line of the root
//! `kustomization.yaml` (the others stay in the file as comments).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fs::{normalize, FileSystem};
use crate::kustomize::KUSTOMIZATION_FILE_NAMES;

/// One overlay line of a root kustomization: `- overlays/recovery` or `# - overlays/recovery`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagLine {
    /// The entry as written (`overlays/recovery`).
    pub entry: String,
    /// 1-based line in the root kustomization file.
    pub line: u32,
    /// 1-based column of the entry text.
    pub column: u32,
    /// Byte offset of the entry text in the file.
    pub start: usize,
    /// False when the line is commented out.
    pub active: bool,
}

impl FlagLine {
    /// The span of the entry text in `file` (the root kustomization it was parsed from).
    pub fn span(&self, file: &Path) -> crate::yaml::Span {
        crate::yaml::Span {
            file: std::sync::Arc::from(file),
            line: self.line,
            column: self.column,
            start: self.start,
            end: self.start + self.entry.len(),
        }
    }
}

/// An overlay directory of a database directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlay {
    /// The directory's name (`initdb`, `recovery`, ...).
    pub name: String,
    /// Relative path from the database directory (`overlays/recovery`).
    pub entry: String,
    /// Absolute (or caller-relative) path of the directory.
    pub dir: PathBuf,
    /// True when the DR flag points at it today.
    pub active: bool,
}

/// The DR flag of a root kustomization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrFlag {
    /// The root kustomization file.
    pub file: PathBuf,
    /// Active and commented resource lines that point at overlay directories.
    pub lines: Vec<FlagLine>,
}

impl DrFlag {
    /// Reads the flag lines of a root kustomization's `resources:` block.
    pub fn parse(file: &Path, text: &str) -> DrFlag {
        let mut lines = Vec::new();
        let mut in_resources = false;
        let mut offset = 0;
        for (i, full) in text.split_inclusive('\n').enumerate() {
            let line_start = offset;
            offset += full.len();
            let raw = full.strip_suffix('\n').unwrap_or(full);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = raw.trim_start();
            let indent = raw.len() - trimmed.len();
            if indent == 0
                && !trimmed.starts_with('#')
                && !trimmed.starts_with('-')
                && !trimmed.is_empty()
            {
                in_resources = trimmed.starts_with("resources:") || trimmed.starts_with("bases:");
                continue;
            }
            if !in_resources {
                continue;
            }
            let (active, rest) = match trimmed.strip_prefix('#') {
                Some(c) => (false, c.trim_start()),
                None => (true, trimmed),
            };
            let Some(entry) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix('-')) else {
                continue;
            };
            let entry = entry
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            if entry.is_empty()
                || entry.contains(' ')
                || entry.ends_with(".yaml")
                || entry.ends_with(".yml")
            {
                continue;
            }
            let at = raw.find(entry).unwrap_or(0);
            lines.push(FlagLine {
                entry: entry.to_string(),
                line: i as u32 + 1,
                column: at as u32 + 1,
                start: line_start + at,
                active,
            });
        }
        DrFlag {
            file: file.to_path_buf(),
            lines: switch_lines(lines),
        }
    }

    /// The active lines.
    pub fn active(&self) -> impl Iterator<Item = &FlagLine> {
        self.lines.iter().filter(|l| l.active)
    }

    /// The root kustomization text with exactly `entry` active and every other
    /// flag line commented out, as a human would write the switch: a line that
    /// is uncommented takes the indentation and dash of the list's active
    /// entries (whatever the comment's own indentation was), keeps its quoting
    /// and trailing comment, and only flag lines change (CRLF kept).
    pub fn flip_to(&self, text: &str, entry: &str) -> Option<String> {
        if !self.lines.iter().any(|l| l.entry == entry) {
            return None;
        }
        let style = ItemStyle::of(text, &self.lines);
        let mut out = String::with_capacity(text.len() + 8);
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let line_no = i as u32 + 1;
            match self.lines.iter().find(|l| l.line == line_no) {
                Some(l) if l.entry == entry && !l.active => out.push_str(&style.uncomment(raw)),
                Some(l) if l.entry != entry && l.active => out.push_str(&comment(raw)),
                _ => out.push_str(raw),
            }
        }
        Some(out)
    }

    /// The root kustomization text a dormant overlay renders from: the first
    /// active switch entry replaced, in place, by `entry` (other active switch
    /// lines commented out). Only a scalar's bytes change, so whatever
    /// indentation, quoting or comments the switch uses, the variant parses
    /// exactly as the root does. With no active line it falls back to
    /// [`DrFlag::flip_to`].
    pub fn variant_text(&self, text: &str, entry: &str) -> Option<String> {
        if !self.lines.iter().any(|l| l.entry == entry) {
            return None;
        }
        let Some(first) = self.active().next() else {
            return self.flip_to(text, entry);
        };
        let mut out = String::with_capacity(text.len() + entry.len());
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let line_no = i as u32 + 1;
            let flag = self.lines.iter().find(|l| l.line == line_no);
            match flag {
                Some(l) if l.line == first.line => {
                    let start = l.column as usize - 1;
                    match raw.get(start..start + l.entry.len()) {
                        Some(found) if found == l.entry => {
                            out.push_str(&raw[..start]);
                            out.push_str(entry);
                            out.push_str(&raw[start + l.entry.len()..]);
                        }
                        _ => return self.flip_to(text, entry),
                    }
                }
                Some(l) if l.active => out.push_str(&comment(raw)),
                _ => out.push_str(raw),
            }
        }
        Some(out)
    }
}

/// The line of a flow-style `resources: [...]` (or `bases:`) list, which has
/// no lines to comment out, so it cannot hold a DR switch.
pub fn flow_style_resources(text: &str) -> Option<u32> {
    text.lines().enumerate().find_map(|(i, raw)| {
        let rest = raw
            .strip_prefix("resources:")
            .or_else(|| raw.strip_prefix("bases:"))?;
        rest.trim_start().starts_with('[').then_some(i as u32 + 1)
    })
}

/// How the resources list writes an active entry: its indentation and dash.
struct ItemStyle {
    indent: String,
    dash: String,
}

impl ItemStyle {
    /// Taken from the first active list entry after `resources:` (any entry,
    /// not only switch lines); with none active, from the first commented
    /// switch line's own text; else two spaces and `- `.
    fn of(text: &str, lines: &[FlagLine]) -> ItemStyle {
        let first_flag = lines.iter().map(|l| l.line).min().unwrap_or(0);
        let mut in_resources = false;
        let mut commented = None;
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim_start();
            let indent = &raw[..raw.len() - trimmed.len()];
            if indent.is_empty()
                && !trimmed.starts_with('#')
                && !trimmed.starts_with('-')
                && !trimmed.is_empty()
            {
                in_resources = trimmed.starts_with("resources:") || trimmed.starts_with("bases:");
                continue;
            }
            if !in_resources {
                continue;
            }
            if let Some(item) = ListItem::split(raw) {
                let style = ItemStyle {
                    indent: item.indent.to_string(),
                    dash: if item.dash.len() > 1 && !item.dash.contains('\t') {
                        item.dash.to_string()
                    } else {
                        "- ".to_string()
                    },
                };
                if !item.commented && !item.indent.contains('\t') {
                    return style;
                }
                if item.commented && i as u32 + 1 == first_flag && commented.is_none() {
                    commented = Some(style);
                }
            }
        }
        commented
            .filter(|s| !s.indent.contains('\t'))
            .unwrap_or(ItemStyle {
                indent: "  ".to_string(),
                dash: "- ".to_string(),
            })
    }

    fn uncomment(&self, raw: &str) -> String {
        match ListItem::split(raw) {
            Some(item) => format!("{}{}{}{}", self.indent, self.dash, item.body, item.eol),
            None => uncomment(raw),
        }
    }
}

/// A list entry line, active (`  - x # c`) or commented (` #   - x`).
struct ListItem<'a> {
    indent: &'a str,
    commented: bool,
    /// `-` and the whitespace after it.
    dash: &'a str,
    /// The entry and anything after it on the line, without the line ending.
    body: &'a str,
    eol: &'a str,
}

impl<'a> ListItem<'a> {
    fn split(raw: &'a str) -> Option<ListItem<'a>> {
        let content = raw.trim_end_matches(['\n', '\r']);
        let eol = &raw[content.len()..];
        let rest = content.trim_start_matches([' ', '\t']);
        let indent = &content[..content.len() - rest.len()];
        let (commented, rest) = match rest.strip_prefix('#') {
            Some(r) => (true, r.trim_start_matches([' ', '\t'])),
            None => (false, rest),
        };
        let after_dash = rest.strip_prefix('-')?;
        let body = after_dash.trim_start_matches([' ', '\t']);
        if body.is_empty() || (!commented && body.len() == after_dash.len()) {
            return None;
        }
        let dash = &rest[..rest.len() - body.len()];
        Some(ListItem {
            indent,
            commented,
            dash,
            body,
            eol,
        })
    }
}

/// The DR overlay names of the layout convention.
const DR_OVERLAYS: [&str; 2] = ["initdb", "recovery"];

/// Keeps the lines that form the DR switch: those in the directory that holds
/// the `initdb`/`recovery` overlays (or, failing those, next to a commented-out
/// line). Other directories the root includes (`monitoring`, `argocd`, ...) are
/// not part of the switch, so flipping never touches them.
fn switch_lines(lines: Vec<FlagLine>) -> Vec<FlagLine> {
    let split = |l: &FlagLine| -> Option<(String, String)> {
        let clean = normalize(Path::new(&l.entry));
        if clean.as_os_str().is_empty() || clean.starts_with("..") {
            return None;
        }
        let name = clean.file_name()?.to_string_lossy().into_owned();
        let parent = clean
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some((parent, name))
    };
    let mut groups: BTreeSet<String> = lines
        .iter()
        .filter_map(split)
        .filter(|(_, name)| DR_OVERLAYS.contains(&name.as_str()))
        .map(|(parent, _)| parent)
        .collect();
    if groups.is_empty() {
        groups = lines
            .iter()
            .filter(|l| !l.active)
            .filter_map(split)
            .map(|(p, _)| p)
            .collect();
    }
    lines
        .into_iter()
        .filter(|l| {
            split(l).is_some_and(|(parent, name)| {
                // In a flat layout (overlays directly in the database directory)
                // only the DR overlays and commented lines belong to the switch.
                groups.contains(&parent)
                    && (!parent.is_empty() || DR_OVERLAYS.contains(&name.as_str()) || !l.active)
            })
        })
        .collect()
}

fn comment(line: &str) -> String {
    let indent = line.len() - line.trim_start().len();
    format!("{}# {}", &line[..indent], &line[indent..])
}

fn uncomment(line: &str) -> String {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let rest = rest.strip_prefix('#').unwrap_or(rest);
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    format!("{}{}", &line[..indent], rest)
}

/// The kustomization file of a directory, if it has exactly one.
pub fn kustomization_file(fs: &dyn FileSystem, dir: &Path) -> Option<PathBuf> {
    let found: Vec<PathBuf> = KUSTOMIZATION_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| fs.is_file(p))
        .collect();
    (found.len() == 1).then(|| found[0].clone())
}

/// The overlays a database directory can point its flag at: every flag line
/// (active or commented) that names a directory, plus the sibling directories
/// (with a kustomization) of those overlays.
pub fn overlays(fs: &dyn FileSystem, db_dir: &Path, flag: &DrFlag) -> Vec<Overlay> {
    let mut out: Vec<Overlay> = Vec::new();
    let mut parents = BTreeSet::new();
    for line in &flag.lines {
        let dir = normalize(&db_dir.join(&line.entry));
        if !dir.starts_with(db_dir) || dir == db_dir {
            continue;
        }
        if let Some(parent) = dir.parent() {
            if parent != db_dir {
                parents.insert(parent.to_path_buf());
            }
        }
        push_overlay(&mut out, db_dir, &dir, line.active);
    }
    for parent in parents {
        for child in fs.read_dir(&parent).unwrap_or_default() {
            if fs.is_dir(&child) && kustomization_file(fs, &child).is_some() {
                push_overlay(&mut out, db_dir, &child, false);
            }
        }
    }
    out
}

fn push_overlay(out: &mut Vec<Overlay>, db_dir: &Path, dir: &Path, active: bool) {
    if let Some(existing) = out.iter_mut().find(|o| o.dir == dir) {
        existing.active |= active;
        return;
    }
    let entry = dir
        .strip_prefix(db_dir)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    out.push(Overlay {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        entry,
        dir: dir.to_path_buf(),
        active,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# DR switch\nresources:\n  - overlays/initdb\n  # - overlays/recovery\n";

    #[test]
    fn reads_active_and_commented_lines() {
        let flag = DrFlag::parse(Path::new("k.yaml"), ROOT);
        assert_eq!(
            flag.lines,
            vec![
                FlagLine {
                    entry: "overlays/initdb".into(),
                    line: 5,
                    column: 5,
                    start: 91,
                    active: true
                },
                FlagLine {
                    entry: "overlays/recovery".into(),
                    line: 6,
                    column: 7,
                    start: 113,
                    active: false
                },
            ]
        );
    }

    #[test]
    fn flag_line_spans_point_at_the_entry_text_with_crlf_too() {
        for text in [ROOT.to_string(), ROOT.replace('\n', "\r\n")] {
            let flag = DrFlag::parse(Path::new("k.yaml"), &text);
            for l in &flag.lines {
                let span = l.span(Path::new("k.yaml"));
                assert_eq!(&text[span.start..span.end], l.entry, "{text:?}");
            }
        }
    }

    #[test]
    fn other_included_directories_are_not_switch_lines() {
        let text = "resources:\n  - monitoring\n  - ../shared/argocd\n  - overlays/recovery\n  # - overlays/initdb\n";
        let flag = DrFlag::parse(Path::new("k.yaml"), text);
        let entries: Vec<&str> = flag.lines.iter().map(|l| l.entry.as_str()).collect();
        assert_eq!(entries, ["overlays/recovery", "overlays/initdb"]);
        let flipped = flag.flip_to(text, "overlays/initdb").unwrap();
        assert!(flipped.contains("  - monitoring\n"), "{flipped}");
        assert!(
            flipped.contains("  # - overlays/recovery\n  - overlays/initdb\n"),
            "{flipped}"
        );
    }

    #[test]
    fn flip_touches_only_the_flag_lines() {
        let flag = DrFlag::parse(Path::new("k.yaml"), ROOT);
        let flipped = flag.flip_to(ROOT, "overlays/recovery").unwrap();
        assert_eq!(
            flipped,
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n# DR switch\nresources:\n  # - overlays/initdb\n  - overlays/recovery\n"
        );
        let crlf = ROOT.replace('\n', "\r\n");
        let flag = DrFlag::parse(Path::new("k.yaml"), &crlf);
        assert_eq!(
            flag.flip_to(&crlf, "overlays/recovery").unwrap(),
            flipped.replace('\n', "\r\n")
        );
        assert_eq!(flag.flip_to(&crlf, "overlays/nope"), None);
    }

    #[test]
    fn the_dormant_variant_replaces_the_active_entry_in_place() {
        let text =
            "resources:\n # - overlays/recovery   # restore\n  - 'overlays/initdb' # steady\n";
        let flag = DrFlag::parse(Path::new("k.yaml"), text);
        assert_eq!(
            flag.variant_text(text, "overlays/recovery").unwrap(),
            "resources:\n # - overlays/recovery   # restore\n  - 'overlays/recovery' # steady\n"
        );
        assert_eq!(flag.variant_text(text, "overlays/nope"), None);
        // Several active lines: the first is replaced, the others commented out.
        let both = "resources:\n  - overlays/initdb\n  - overlays/recovery\n";
        let flag = DrFlag::parse(Path::new("k.yaml"), both);
        assert_eq!(
            flag.variant_text(both, "overlays/recovery").unwrap(),
            "resources:\n  - overlays/recovery\n  # - overlays/recovery\n"
        );
    }
}
