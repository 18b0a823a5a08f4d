//! ApplicationSet path templates: the `{{path}}`, `{{.path.basename}}`, ...
//! parameters a Git directory generator gives each directory it produces.

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
pub(crate) fn render_path_template(
    template: &str,
    dir: &str,
    prefix: Option<&str>,
) -> Option<String> {
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
