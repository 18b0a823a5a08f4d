//! Go's `path.Match`, which the ApplicationSet controller runs on every
//! directory a Git directory generator lists.

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
