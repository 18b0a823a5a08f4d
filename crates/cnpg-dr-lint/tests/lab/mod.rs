//! The bucket lab of `scripts/lab/lab.sh`, as the live tests see it: its
//! address and the facts it recorded while it wrote the lineages (backup
//! ids, systemids from PostgreSQL, the PITR target time).
//!
//! The lab is started by `.ci/run` (or by hand: `scripts/lab/lab.sh install`
//! then `up`). When it is not running the tests say SKIPPED and pass, unless
//! CNPG_DR_REQUIRE_LAB=1 (as `.ci/run` sets it): then they fail.
#![allow(clippy::disallowed_methods)] // tests read and build real files
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use cnpg_dr_lint::s3::{Credentials, S3Bucket, S3Options};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The running lab.
pub struct Lab {
    pub vars: BTreeMap<String, String>,
}

impl Lab {
    /// The lab, or None (after saying SKIPPED) when it is not running.
    pub fn get() -> Option<Lab> {
        let script = workspace().join("scripts/lab/lab.sh");
        let env_file = Command::new("bash")
            .arg(&script)
            .arg("env")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        let text = env_file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok());
        let Some(text) = text else {
            skip("the bucket lab is not running (scripts/lab/lab.sh install && scripts/lab/lab.sh up)");
            return None;
        };
        let vars: BTreeMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
            .collect();
        // A lab.env left by a lab that is gone (a reboot, a killed shell).
        let address = vars
            .get("S3_ENDPOINT")
            .and_then(|e| e.strip_prefix("http://"))
            .and_then(|a| a.parse::<std::net::SocketAddr>().ok());
        let up = address.is_some_and(|a| {
            std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok()
        });
        if !up {
            skip("the bucket lab's S3 server does not answer (scripts/lab/lab.sh down && scripts/lab/lab.sh up)");
            return None;
        }
        Some(Lab { vars })
    }

    pub fn var(&self, key: &str) -> &str {
        self.vars
            .get(key)
            .unwrap_or_else(|| panic!("lab.env has no {key}"))
    }

    pub fn endpoint(&self) -> &str {
        self.var("S3_ENDPOINT")
    }

    pub fn options(&self) -> S3Options {
        S3Options {
            endpoint: Some(self.endpoint().to_string()),
            region: self.var("AWS_DEFAULT_REGION").to_string(),
            credentials: Some(Credentials {
                access_key_id: self.var("AWS_ACCESS_KEY_ID").to_string(),
                secret_access_key: self.var("AWS_SECRET_ACCESS_KEY").to_string(),
                session_token: None,
            }),
            timeout: Duration::from_secs(30),
        }
    }

    pub fn bucket(&self) -> S3Bucket {
        S3Bucket::new(self.var("LAB_BUCKET"), &self.options()).expect("S3 client")
    }

    /// Runs a barman-cloud tool of the lab against its S3 server.
    pub fn barman(&self, tool: &str, args: &[&str]) -> Output {
        Command::new(Path::new(self.var("LAB_BARMAN")).join(tool))
            .args([
                "--cloud-provider",
                "aws-s3",
                "--endpoint-url",
                self.endpoint(),
            ])
            .args(args)
            .envs(self.aws_env())
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"))
    }

    /// The AWS variables a client of the lab needs.
    pub fn aws_env(&self) -> Vec<(&'static str, String)> {
        [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
        ]
        .into_iter()
        .map(|k| (k, self.var(k).to_string()))
        .collect()
    }

    /// Every object of the bucket as boto3 lists it (size, ETag, LastModified,
    /// key): an independent client, to prove nothing was written.
    pub fn listing(&self) -> String {
        let out = Command::new("bash")
            .arg(workspace().join("scripts/lab/lab.sh"))
            .arg("ls")
            .output()
            .expect("lab.sh ls");
        assert!(
            out.status.success(),
            "lab.sh ls: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 listing")
    }
}

/// Says why a live test cannot run: loudly and passing, or failing under CNPG_DR_REQUIRE_LAB=1.
pub fn skip(why: &str) {
    if std::env::var_os("CNPG_DR_REQUIRE_LAB").is_some_and(|v| v == "1") {
        panic!("{why}, and CNPG_DR_REQUIRE_LAB=1 requires the live tests to run");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}
