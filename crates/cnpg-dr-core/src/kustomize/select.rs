//! Patch targets: kustomize selectors (anchored regexes) and Kubernetes label selectors.

use regex::Regex;

use super::error::{RenderError, RenderErrorKind, Result};
use super::kustomization::Selector;
use super::resource::Resource;

/// A compiled `target:` selector.
pub struct CompiledSelector {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

fn anchored(pattern: &Option<String>) -> Result<Option<Regex>> {
    match pattern.as_deref() {
        None | Some("") => Ok(None),
        Some(p) => Regex::new(&format!("^(?:{p})$")).map(Some).map_err(|e| {
            RenderError::new(
                RenderErrorKind::Patch,
                format!("target selector {p:?} is not a valid regular expression: {e}"),
            )
        }),
    }
}

impl CompiledSelector {
    pub fn new(s: &Selector) -> Result<Self> {
        Ok(CompiledSelector {
            group: anchored(&s.group)?,
            version: anchored(&s.version)?,
            kind: anchored(&s.kind)?,
            name: anchored(&s.name)?,
            namespace: anchored(&s.namespace)?,
            labels: s
                .label_selector
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(LabelSelector::parse)
                .transpose()?,
            annotations: s
                .annotation_selector
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(LabelSelector::parse)
                .transpose()?,
        })
    }

    /// kustomize's `ResMap.Select`: original or current namespace and name, then GVK and selectors.
    pub fn matches(&self, r: &Resource) -> bool {
        let cur = r.id();
        let org = r.original_id();
        if let Some(ns) = &self.namespace {
            if !ns.is_match(org.effective_namespace()) && !ns.is_match(cur.effective_namespace()) {
                return false;
            }
        }
        if let Some(name) = &self.name {
            if !name.is_match(&org.name) && !name.is_match(&cur.name) {
                return false;
            }
        }
        let gvk = r.gvk();
        let gvk_ok = self.group.as_ref().is_none_or(|g| g.is_match(&gvk.group))
            && self
                .version
                .as_ref()
                .is_none_or(|v| v.is_match(&gvk.version))
            && self.kind.as_ref().is_none_or(|k| k.is_match(&gvk.kind));
        if !gvk_ok {
            return false;
        }
        if let Some(l) = &self.labels {
            if !l.matches(&r.labels()) {
                return false;
            }
        }
        if let Some(a) = &self.annotations {
            if !a.matches(&r.annotations()) {
                return false;
            }
        }
        true
    }
}

#[derive(Debug, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A Kubernetes label selector in its string form (`app=pg,tier in (db),!legacy`).
#[derive(Debug, PartialEq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let s = s.trim();
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.split(',').map(|v| v.trim().to_string()).collect())
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector> {
        let bad = || {
            RenderError::new(
                RenderErrorKind::Patch,
                format!("unable to parse label selector {text:?}"),
            )
        };
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let req = if let Some(key) = part.strip_prefix('!') {
                Requirement::NotExists(key.trim().to_string())
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Equals(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Equals(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().to_string(), set_values(v).ok_or_else(bad)?)
            } else if let Some((k, v)) = part.split_once(" in ") {
                Requirement::In(k.trim().to_string(), set_values(v).ok_or_else(bad)?)
            } else if part
                .chars()
                .all(|c| c.is_alphanumeric() || "-_./".contains(c))
            {
                Requirement::Exists(part.to_string())
            } else {
                return Err(bad());
            };
            requirements.push(req);
        }
        Ok(LabelSelector { requirements })
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selector_forms() {
        let l = labels(&[("app", "pg"), ("tier", "db")]);
        assert!(LabelSelector::parse("app=pg").unwrap().matches(&l));
        assert!(LabelSelector::parse("app==pg,tier").unwrap().matches(&l));
        assert!(!LabelSelector::parse("app!=pg").unwrap().matches(&l));
        assert!(LabelSelector::parse("tier in (db, cache)")
            .unwrap()
            .matches(&l));
        assert!(!LabelSelector::parse("tier notin (db)").unwrap().matches(&l));
        assert!(LabelSelector::parse("!legacy").unwrap().matches(&l));
        assert!(!LabelSelector::parse("legacy").unwrap().matches(&l));
    }
}
