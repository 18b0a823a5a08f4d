//! Helpers of the `lint` CLI tests: the demo's vaultwarden database (its
//! deliberate mistakes are CDR101 and CDR401) and reading the JSON output.

use std::process::Output;

use serde_json::Value;

use super::{cnpg_dr_in, copy_dir, json, workspace, TempRepo};

pub const VAULTWARDEN: &str = "testdata/demo/infrastructure/database/cloudnative-pg/vaultwarden";
pub const SCHEDULE: &str = "base/scheduled-backup.yaml";
pub const RECOVERY_PATCH: &str = "overlays/recovery/bootstrap-patch.yaml";

pub fn cnpg_dr(args: &[&str]) -> Output {
    cnpg_dr_in(&workspace(), args)
}

pub fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().expect("a findings array")
}

/// Findings of one rule, as (file, line, column).
pub fn located(doc: &Value, rule: &str) -> Vec<(String, u64, u64)> {
    findings(doc)
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

impl TempRepo {
    /// A repository holding a copy of the demo's vaultwarden database.
    pub fn vaultwarden() -> TempRepo {
        let repo = TempRepo::new();
        copy_dir(
            &workspace().join(VAULTWARDEN),
            &repo.root.join("vaultwarden"),
        );
        repo
    }

    /// Replaces the one line of a file that contains `needle`.
    pub fn edit_line(&self, rel: &str, needle: &str, with: &dyn Fn(&str) -> String) {
        let text = self.read(rel);
        assert_eq!(text.matches(needle).count(), 1, "{rel}: {needle:?}");
        let out: Vec<String> = text
            .lines()
            .map(|l| {
                if l.contains(needle) {
                    with(l)
                } else {
                    l.to_string()
                }
            })
            .collect();
        self.write(rel, &(out.join("\n") + "\n"));
    }

    pub fn lint(&self, args: &[&str]) -> Output {
        cnpg_dr_in(&self.root, &[&["lint"], args].concat())
    }

    pub fn lint_json(&self, args: &[&str]) -> Value {
        json(&self.lint(&[&["--format", "json"], args].concat()))
    }
}

pub fn vw(rel: &str) -> String {
    format!("vaultwarden/{rel}")
}
