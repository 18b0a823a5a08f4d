//! `cnpg-dr lineages DB`: list the Barman lineages under the database's
//! destinationPath, read from the object store itself (read-only).

use std::process::ExitCode;

use cnpg_dr_core::fs::RealFs;
use cnpg_dr_lint::lineages::{self, DestinationReport};

use crate::change::{database, fail, lint, resolve, shown, Target};
use crate::cli::{LineagesArgs, LineagesFormat};
use crate::term::write_stdout;

pub fn run(args: &LineagesArgs) -> ExitCode {
    match lineages_of(args) {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

fn lineages_of(args: &LineagesArgs) -> Result<ExitCode, String> {
    let target = resolve(&args.db)?;
    let report = lint(&RealFs, &target)?;
    let db = database(&report, &target)?;
    let uses = lineages::uses(db, &target.cwd);
    let destinations = lineages::destinations(&uses);
    if destinations.is_empty() {
        return Err(format!(
            "{}: no Cluster, externalClusters entry or ObjectStore of this database names a destinationPath",
            shown(&target.dir, &target.cwd)
        ));
    }
    let reports: Vec<DestinationReport> = destinations
        .into_iter()
        .map(|(path, endpoint)| read(args, &target, path, endpoint))
        .collect::<Result<_, _>>()?;
    let failed: Vec<String> = reports
        .iter()
        .filter_map(|r| {
            r.scan
                .as_ref()
                .err()
                .map(|e| format!("{}: {e}", r.destination_path))
        })
        .collect();
    let text = match args.format {
        LineagesFormat::Table => lineages::to_table(&reports, &uses),
        LineagesFormat::Json => {
            lineages::to_json(&shown(&target.dir, &target.cwd), &reports, &uses)
        }
    };
    write_stdout(text.as_bytes()).map_err(|e| format!("cannot write the lineages: {e}"))?;
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failed {
            eprintln!("error: {f}");
        }
        Ok(ExitCode::from(2))
    }
}

/// The endpoint to contact: `--endpoint-url`, else the `s3.endpoints` entry
/// for the manifests' endpointURL, else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL,
/// else the manifests' endpointURL; None is AWS itself.
#[cfg_attr(not(feature = "live"), allow(dead_code))]
fn endpoint_for(args: &LineagesArgs, target: &Target, manifest: Option<&str>) -> Option<String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    args.endpoint_url
        .clone()
        .or_else(|| {
            manifest.and_then(|m| {
                target
                    .config
                    .s3_endpoints
                    .get(m.trim_end_matches('/'))
                    .cloned()
            })
        })
        .or_else(|| env("AWS_ENDPOINT_URL_S3"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| manifest.map(str::to_string))
}

#[cfg(feature = "live")]
fn read(
    args: &LineagesArgs,
    target: &Target,
    destination_path: String,
    manifest_endpoint: Option<String>,
) -> Result<DestinationReport, String> {
    use cnpg_dr_core::bucket::{scan_destination, DestinationPath};
    use cnpg_dr_lint::s3::{S3Bucket, S3Options};

    let parsed = DestinationPath::parse(&destination_path)?;
    if parsed.scheme != "s3" {
        return Err(format!(
            "{destination_path}: only s3:// destinations can be read (this one is {}://)",
            parsed.scheme
        ));
    }
    let endpoint = endpoint_for(args, target, manifest_endpoint.as_deref());
    let timeout = std::time::Duration::from_secs(args.timeout.max(1));
    let options = S3Options::from_env(endpoint.clone(), timeout, &|k| std::env::var(k).ok())
        .map_err(|e| e.to_string())?;
    let bucket = S3Bucket::new(&parsed.bucket, &options).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let scan = scan_destination(&bucket, &parsed);
    Ok(DestinationReport {
        destination_path,
        manifest_endpoint,
        endpoint,
        scan,
        requests: bucket.requests(),
        elapsed: started.elapsed(),
    })
}

#[cfg(not(feature = "live"))]
fn read(
    _args: &LineagesArgs,
    _target: &Target,
    _destination_path: String,
    _manifest_endpoint: Option<String>,
) -> Result<DestinationReport, String> {
    Err("this cnpg-dr was built without the `live` feature: it cannot read object stores (cargo install with --features live)".to_string())
}
