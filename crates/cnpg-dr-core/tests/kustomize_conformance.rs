//! Runs every case of `testdata/kustomize-conformance/cases`: successful cases
//! must render byte-identically to `kubectl kustomize`; failing cases must fail
//! for the same cause. Adding a case is adding a folder.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::fs;
use std::path::{Path, PathBuf};

use cnpg_dr_core::fs::RealFs;
use cnpg_dr_core::kustomize::{render, LoadRestrictor, RenderOptions};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kustomize-conformance/cases")
}

/// Where cnpg-dr deliberately words a cause differently from kustomize:
/// (kustomize's phrase, cnpg-dr's phrase). Checked before [`CAUSES`].
const REWORDED: &[(&str, &str)] = &[
    // A remote base: kustomize tries the network; cnpg-dr refuses to.
    ("dial tcp", "never touches the network"),
    // helmCharts: kustomize wants --enable-helm; cnpg-dr never runs helm.
    ("must specify --enable-helm", "Helm charts are not rendered"),
];

/// Distinctive phrases of kustomize's failure causes. The first phrase found in
/// a case's expected error must also appear in cnpg-dr's error: that is what
/// "fails for the same cause" means here. A case whose error matches none of
/// them fails the test until a phrase is added (after reading why it fails).
const CAUSES: &[&str] = &[
    "cycle detected",
    "add operation does not apply",
    "control characters are not allowed",
    "json: unsupported value: +Inf",
    "json: unsupported value: -Inf",
    "json: unsupported value: NaN",
    "json: unsupported type: map[interface {}]interface {}",
    "already defined at line",
    "MalformedYAMLError",
    "missing metadata.name",
    "missing kind",
    "missing Resource metadata",
    "Found multiple kustomization files",
    "json: unknown field",
    "cannot unmarshal",
    "is not in or below",
    "may not add resource with an already registered id",
    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization'",
    "no such file or directory",
    "invalid Kustomization: yaml: line",
    "the field 'sortOptions.order' must be one of [fifo, legacy]",
    "no resource matches strategic merge patch",
    "must specify one of patch and path",
    "patch and path can't be set at the same time",
    "unable to parse SM or JSON patch",
    "illegally qualifies as both an SM and JSON patch",
    "must specify the target name",
    "wrong node kind",
    "replace operation does not apply",
    "Unable to remove nonexistent key",
    "test failed",
    "Unexpected kind",
    "Unable to access invalid index",
    "failed to decode path",
    "expected kind 'Component'",
    "expected kind != 'Component'",
    "does not match a config with the following GVK",
    "does not exist; cannot merge or replace",
    "exists; behavior must be merge or replace",
    "illegally repeats the key",
    "invalid literal source",
    "in replacement target",
    "nothing selected by",
    "multiple matches for selector",
    "is missing for replacement source",
    "cannot specify both path and inline replacement",
    "is out of bounds for value",
];

struct Outcome {
    name: String,
    problem: Option<String>,
}

fn normalise(text: &str, case_dir: &Path) -> String {
    let abs = fs::canonicalize(case_dir).unwrap_or_else(|_| case_dir.to_path_buf());
    text.replace(&abs.display().to_string(), "@CASEDIR@")
        .replace(&case_dir.display().to_string(), "@CASEDIR@")
}

/// The options a case's `flags` file asks for: the arguments `gen.sh` passes
/// to `kubectl kustomize` before `input`, on one line. A flag this runner
/// does not know fails the case rather than being ignored.
fn options_of(case: &Path) -> Result<RenderOptions, String> {
    let mut options = RenderOptions::default();
    let Ok(text) = fs::read_to_string(case.join("flags")) else {
        return Ok(options);
    };
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (word, None),
        };
        match flag {
            "--load-restrictor" => {
                let value = inline.or_else(|| words.next()).unwrap_or("");
                options.load_restrictor = LoadRestrictor::parse(value)
                    .ok_or_else(|| format!("flags: unknown --load-restrictor value {value:?}"))?;
            }
            _ => return Err(format!("flags: the runner does not know {word:?}")),
        }
    }
    Ok(options)
}

fn run_case(case: &Path) -> Outcome {
    let name = case
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let read = |f: &str| fs::read_to_string(case.join(f)).ok();
    let expected_yaml = read("expected.yaml").unwrap_or_default();
    let expected_err = read("expected.err");
    let expected_warnings = read("expected.stderr").unwrap_or_default();
    let options = match options_of(case) {
        Ok(o) => o,
        Err(problem) => {
            return Outcome {
                name,
                problem: Some(problem),
            }
        }
    };
    let result = render(&RealFs, &case.join("input"), &options)
        .and_then(|r| r.to_yaml().map(|y| (y, r.warnings)));
    let problem = match (result, expected_err) {
        (Ok((yaml, warnings)), None) => {
            let got_warnings: String = warnings.iter().map(|w| format!("{w}\n")).collect();
            if yaml != expected_yaml {
                Some(first_difference(&expected_yaml, &yaml))
            } else if got_warnings != expected_warnings {
                Some(format!(
                    "warnings differ:\nexpected: {expected_warnings:?}\n     got: {got_warnings:?}"
                ))
            } else {
                None
            }
        }
        (Ok(_), Some(err)) => Some(format!("rendered, but kustomize fails with:\n{err}")),
        (Err(e), None) => Some(format!("failed, but kustomize renders: {e}")),
        (Err(e), Some(err)) => {
            let ours = normalise(&format!("{}\n{e}", e.warnings.join("\n")), case);
            let warnings_ok = err
                .lines()
                .filter(|l| l.starts_with("# Warning:"))
                .all(|w| ours.contains(w));
            let cause = REWORDED
                .iter()
                .find(|(theirs, _)| err.contains(theirs))
                .map(|(_, ours)| ours)
                .or_else(|| CAUSES.iter().find(|c| err.contains(*c)));
            match cause {
                None => Some(format!("no known cause phrase in expected.err; add one to CAUSES:\n{err}")),
                Some(cause) if !ours.contains(cause) => Some(format!(
                    "fails for another cause: expected the cause {cause:?}\n  kustomize: {err}\n  cnpg-dr:   {ours}"
                )),
                Some(_) if !warnings_ok => Some(format!("warnings missing before the error:\n{err}")),
                Some(_) if restrictor_clause(&err).is_some_and(|c| !ours.contains(c)) => Some(format!(
                    "the load restrictor names other files: expected {:?}\n  cnpg-dr:   {ours}",
                    restrictor_clause(&err).unwrap_or_default()
                )),
                Some(_) => None,
            }
        }
    };
    Outcome { name, problem }
}

/// The load restrictor's clause of a kustomize error, verbatim: `security;
/// file 'F' is not in or below 'ROOT'`. It names the file and the root the
/// restriction was judged against, so it must match exactly, not only its
/// cause phrase.
fn restrictor_clause(err: &str) -> Option<&str> {
    let start = err.find("security; file '")?;
    let rest = &err[start..];
    let below = rest.find("' is not in or below '")? + "' is not in or below '".len();
    let end = below + rest[below..].find('\'')? + 1;
    Some(&rest[..end])
}

fn first_difference(expected: &str, got: &str) -> String {
    let diff = similar_lines(expected, got);
    format!("output differs:\n{diff}")
}

fn similar_lines(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i), g.get(i));
        if a != b {
            let from = i.saturating_sub(2);
            let ctx = |v: &[&str]| {
                v.iter()
                    .skip(from)
                    .take(6)
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            return format!(
                "  at line {}\n  expected:\n{}\n  got:\n{}",
                i + 1,
                ctx(&e),
                ctx(&g)
            );
        }
    }
    "  (only the final newline differs)".to_string()
}

#[test]
fn kustomize_conformance_corpus() {
    let mut cases: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("the corpus is part of the repository")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input").is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 150,
        "the corpus looks incomplete: {} cases",
        cases.len()
    );
    let outcomes: Vec<Outcome> = cases.iter().map(|c| run_case(c)).collect();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.problem.is_some()).collect();
    for o in &failed {
        eprintln!("--- {}\n{}\n", o.name, o.problem.as_deref().unwrap_or(""));
    }
    eprintln!(
        "kustomize conformance: {} passed, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    let names: Vec<&str> = failed.iter().map(|o| o.name.as_str()).collect();
    assert!(
        failed.is_empty(),
        "cases differing from kubectl kustomize: {names:?}"
    );
}
