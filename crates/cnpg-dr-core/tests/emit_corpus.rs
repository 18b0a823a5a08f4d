//! Round-trips every non-empty `expected.yaml` of the kustomize conformance
//! corpus through `emit_documents` and requires byte-identical output.
//!
//! Each expected file is read with yaml-rust2 into JSON values. yaml-rust2
//! types plain scalars by YAML 1.2 rules; what the emitter needs is the Go
//! type go-yaml v2 had when it printed the text. For text that go-yaml v2
//! prints plain the two agree, with these exceptions, handled in
//! [`to_json`]:
//! * integers above `i64::MAX` (kept as `uint64` by v2): yaml-rust2 makes
//!   them `Real`; they become `u64` numbers;
//! * text that Rust parses as a float but v2 resolves to a string because
//!   the value overflows (`1e400`): yaml-rust2 makes it `Real`; it becomes a
//!   string;
//! * mapping keys are strings in the JSON kustomize prints, whatever
//!   yaml-rust2 makes of their text.
#![allow(clippy::disallowed_methods)] // tests read and build real files

use std::fs;
use std::path::{Path, PathBuf};

use cnpg_dr_core::yaml::emit_documents;
use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/kustomize-conformance/cases")
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, the shape v2
/// reads as a float.
fn looks_like_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_digits = digits(&mut i);
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = digits(&mut i);
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn key_text(key: &Yaml) -> Result<String, String> {
    match key {
        Yaml::String(s) | Yaml::Real(s) => Ok(s.clone()),
        other => Err(format!("unexpected mapping key {other:?}")),
    }
}

fn to_json(y: &Yaml) -> Result<Value, String> {
    Ok(match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Real(s) => {
            if let Ok(u) = s.parse::<u64>() {
                Value::Number(u.into())
            } else {
                match s.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    Some(f) if looks_like_float(s) => Number::from_f64(f)
                        .map(Value::Number)
                        .ok_or_else(|| format!("float {s} has no JSON form"))?,
                    _ => Value::String(s.clone()),
                }
            }
        }
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(hash) => {
            let mut map = Map::new();
            for (k, v) in hash {
                map.insert(key_text(k)?, to_json(v)?);
            }
            Value::Object(map)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err(format!("unexpected node {y:?}")),
    })
}

/// The first line where `got` and `want` differ, for the failure report.
fn first_difference(got: &str, want: &str) -> String {
    for (n, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        if g != w {
            return format!("line {}: got {g:?}, want {w:?}", n + 1);
        }
    }
    format!(
        "lengths differ: got {} lines / {} bytes, want {} lines / {} bytes",
        got.lines().count(),
        got.len(),
        want.lines().count(),
        want.len()
    )
}

fn check_case(expected_path: &Path) -> Result<(), String> {
    let want = fs::read_to_string(expected_path).map_err(|e| e.to_string())?;
    let docs = YamlLoader::load_from_str(&want).map_err(|e| format!("yaml-rust2: {e}"))?;
    let values: Vec<Value> = docs.iter().map(to_json).collect::<Result<_, _>>()?;
    let got = emit_documents(&values).map_err(|e| format!("emit error: {e}"))?;
    if got == want {
        Ok(())
    } else {
        Err(first_difference(&got, &want))
    }
}

#[test]
fn corpus_expected_outputs_round_trip_byte_for_byte() {
    let mut cases: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .filter_map(|entry| entry.ok().map(|e| e.path().join("expected.yaml")))
        .filter(|p| fs::metadata(p).map(|m| m.len() > 0).unwrap_or(false))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 100,
        "expected the conformance corpus to have at least 100 non-empty outputs, found {}",
        cases.len()
    );

    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = check_case(case) {
            let name = case
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            failures.push(format!("{name}: {why}"));
        }
    }
    println!(
        "emit corpus: {} cases, {} byte-identical, {} failing",
        cases.len(),
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "cases that do not round-trip:\n{}",
        failures.join("\n")
    );
}
