use cnpg_dr_core::yaml::Node;

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::rule::{Rule, VariantContext};

/// pg_hba lines that let any address in with a weak method.
pub struct PgHbaOpen;

pub static META: RuleMeta = RuleMeta {
    id: "CDR503",
    name: "pg-hba-open",
    severity: Severity::Warning,
    summary: "pg_hba opens 0.0.0.0/0 or ::/0 with trust, password or md5",
    doc: r#"## What it checks
Each line of a Cluster's `spec.postgresql.pg_hba` of type `host`, `hostssl`, `hostnossl`,
`hostgssenc` or `hostnogssenc` whose address is `0.0.0.0/0`, `::/0`, `all` (or `0.0.0.0` with
mask `0.0.0.0`) and whose method is `trust`, `password` or `md5`.

## Why it matters during a recovery
CNPG puts these lines before its own default (`host all all all scram-sha-256`), so they win.
`trust` lets anyone who reaches the service in without a password, `password` sends it in clear
text, `md5` accepts the weak MD5 exchange. A restored Cluster comes back with the same rules and
with every role and password of the backup, often on a network that was rebuilt in a hurry
(a new LoadBalancer, a missing NetworkPolicy): an open rule turns a recovery into an exposure.

## Example
```yaml
spec:
  postgresql:
    pg_hba:
      - host all all 0.0.0.0/0 md5
```

## Fix
Drop the line (the default already allows `scram-sha-256` from any address), or restrict the address to the clients' CIDR and use `scram-sha-256` or `cert`:
`hostssl app app 10.42.0.0/16 scram-sha-256`.

## References
- PostgreSQL docs, "The pg_hba.conf File" and "Password Authentication".
- CNPG docs, "PostgreSQL Configuration": pg_hba and its default rules.
"#,
};

const WEAK: [&str; 3] = ["trust", "password", "md5"];

/// (address as written, method) when the line opens every address with a weak method.
fn open_rule(line: &str) -> Option<(String, &str)> {
    let line = line.split('#').next().unwrap_or("");
    let t: Vec<&str> = line.split_whitespace().collect();
    let kind = *t.first()?;
    if !matches!(
        kind,
        "host" | "hostssl" | "hostnossl" | "hostgssenc" | "hostnogssenc"
    ) {
        return None;
    }
    let address = *t.get(3)?;
    let (address, method) = match address {
        "0.0.0.0/0" | "::/0" | "::0/0" | "all" => (address.to_string(), *t.get(4)?),
        "0.0.0.0" | "::" if t.get(4).is_some_and(|m| *m == "0.0.0.0" || *m == "::") => {
            (format!("{address} {}", t[4]), *t.get(5)?)
        }
        _ => return None,
    };
    WEAK.contains(&method).then_some((address, method))
}

impl Rule for PgHbaOpen {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_variant(&self, ctx: &VariantContext<'_>, out: &mut Vec<Finding>) {
        for cluster in ctx.variant.clusters() {
            let Some(lines) = cluster
                .spec(&["postgresql", "pg_hba"])
                .and_then(Node::as_seq)
            else {
                continue;
            };
            for node in lines {
                let Some(text) = node.as_str() else { continue };
                let Some((address, method)) = open_rule(text) else {
                    continue;
                };
                let effect = match method {
                    "trust" => "with no password at all",
                    "password" => "with the password sent in clear text",
                    _ => "with the weak md5 exchange",
                };
                let mut f = ctx.finding(
                    &META,
                    &node.span,
                    format!(
                        "Cluster {} lets clients from any address ({address}) log in {effect}: this line takes precedence over CNPG's scram-sha-256 default, and a restored Cluster comes back with it and every password of the backup",
                        cluster.name()
                    ),
                );
                f.help = Some(
                    "remove the line, or narrow the address to the clients' CIDR and use scram-sha-256 (hostssl ... scram-sha-256)".to_string(),
                );
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::open_rule;

    #[test]
    fn parses_pg_hba_lines() {
        assert!(open_rule("host all all 0.0.0.0/0 md5").is_some());
        assert!(open_rule("hostssl app app ::/0 trust").is_some());
        assert!(open_rule("host all all all password").is_some());
        assert!(open_rule("host all all 0.0.0.0 0.0.0.0 md5").is_some());
        assert!(open_rule("host all all 0.0.0.0/0 scram-sha-256").is_none());
        assert!(open_rule("host all all 10.0.0.0/8 md5").is_none());
        assert!(open_rule("local all all trust").is_none());
        assert!(open_rule("# host all all 0.0.0.0/0 trust").is_none());
        assert!(open_rule("host all all 0.0.0.0/0 cert").is_none());
    }
}
