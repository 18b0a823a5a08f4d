//! Whether go-yaml v2 may print a string plain: a port of `resolve()` from
//! `resolve.go` (YAML 1.1 bools, nulls, ints, floats and timestamps) and of
//! `isBase60Float` from `encode.go`, as far as they decide "is this text read
//! back as a string".

use crate::time::go_yaml;

/// Strings that v2's resolve table maps to a bool, null, float or merge key.
const RESOLVE_MAP: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No",
    "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan",
    ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    "<<",
];

/// go-yaml v2's `stringv`: a string may be written plain when `resolve`
/// reads the plain text back as a string and it does not look like a YAML
/// 1.1 base-60 float.
pub(super) fn can_use_plain(s: &str) -> bool {
    resolves_to_str(s) && !is_base60_float(s)
}

/// `resolve("", s)` returns `!!str`.
fn resolves_to_str(s: &str) -> bool {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return true,
    };
    if RESOLVE_MAP.contains(&s) {
        return false;
    }
    match hint {
        b'.' => !parse_float_ok(s),
        b'D' | b'S' => {
            if go_yaml::parse(s).is_some() {
                return false;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            let p = plain.as_bytes();
            if parse_int(p, 0).is_some() || parse_uint(p, 0).is_some() {
                return false;
            }
            if is_yaml_style_float(p) && parse_float_ok(&plain) {
                return false;
            }
            if let Some(rest) = p.strip_prefix(b"0b") {
                if parse_int(rest, 2).is_some() || parse_uint(rest, 2).is_some() {
                    return false;
                }
            } else if let Some(rest) = p.strip_prefix(b"-0b") {
                let mut neg = b"-".to_vec();
                neg.extend_from_slice(rest);
                if parse_int(&neg, 2).is_some() {
                    return false;
                }
            }
            true
        }
        _ => true,
    }
}

/// Go's `strconv.ParseUint(s, base, 64)` succeeding. `base` 0 means "from
/// the prefix" (`0b`, `0o`, `0x`, leading `0` for octal). Underscores never
/// reach here (`resolve` strips them first), so they are rejected.
fn parse_uint(s: &[u8], base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (base, digits) = if base == 0 {
        if s[0] == b'0' {
            match s.get(1).map(u8::to_ascii_lowercase) {
                Some(b'b') if s.len() >= 3 => (2, &s[2..]),
                Some(b'o') if s.len() >= 3 => (8, &s[2..]),
                Some(b'x') if s.len() >= 3 => (16, &s[2..]),
                _ => (8, &s[1..]),
            }
        } else {
            (10, s)
        }
    } else {
        (base, s)
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' | b'A'..=b'Z' => u32::from(c.to_ascii_lowercase() - b'a') + 10,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, base, 64)` succeeding.
fn parse_int(s: &[u8], base: u32) -> Option<i64> {
    let (neg, rest) = match s.first() {
        None => return None,
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        Some(_) => (false, s),
    };
    let un = parse_uint(rest, base)?;
    const CUTOFF: u64 = 1 << 63;
    if !neg && un >= CUTOFF || neg && un > CUTOFF {
        return None;
    }
    if neg {
        Some((un as i64).wrapping_neg())
    } else {
        Some(un as i64)
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &[u8]) -> bool {
    let mut i = 0;
    if matches!(s.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if s.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == s.len()
}

/// Go's `strconv.ParseFloat(s, 64)` succeeding, for decimal text (the only
/// kind `resolve` hands it: text starting with `.`, or text matching
/// [`is_yaml_style_float`]). Underscores between digits are accepted, as in
/// Go; a value that overflows to infinity is an error (`ErrRange`).
fn parse_float_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if b.len() > i + 2 && b[i] == b'0' && b[i + 1].eq_ignore_ascii_case(&b'x') {
        // Hexadecimal floats never reach here.
        return false;
    }
    let mut underscores = false;
    let mut saw_dot = false;
    let mut saw_digits = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'_' => underscores = true,
            b'.' if !saw_dot => saw_dot = true,
            b'0'..=b'9' => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        while let Some(&c) = b.get(i) {
            match c {
                b'_' => underscores = true,
                b'0'..=b'9' => {}
                _ => break,
            }
            i += 1;
        }
    }
    if i != b.len() {
        return false;
    }
    if underscores && !underscore_ok(b) {
        return false;
    }
    let cleaned: String = s.chars().filter(|&c| c != '_').collect();
    cleaned.parse::<f64>().map(f64::is_finite).unwrap_or(true)
}

/// Go's `strconv.underscoreOK` for text without a base prefix: every
/// underscore sits between two digits.
fn underscore_ok(s: &[u8]) -> bool {
    let s = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let mut saw = b'^';
    for &c in s {
        if c.is_ascii_digit() {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub(super) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while matches!(b.get(i), Some(b'0'..=b'9' | b'_')) {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        // The group's digits run up to the next ':' or '.', so they must be
        // exactly `[0-5]?[0-9]`.
        match i - start {
            1 => {}
            2 if (b'0'..=b'5').contains(&b[start]) => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while matches!(b.get(i), Some(b'0'..=b'9' | b'_')) {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_strings_per_yaml_1_1() {
        for s in [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "y",
            "Y",
            "yes",
            "Yes",
            "YES",
            "n",
            "N",
            "no",
            "No",
            "NO",
            "true",
            "True",
            "TRUE",
            "false",
            "False",
            "FALSE",
            "on",
            "On",
            "ON",
            "off",
            "Off",
            "OFF",
            "1",
            "+1",
            "-1",
            "007",
            "0x1F",
            "0777",
            "0o17",
            "0b101",
            "1_000",
            "1.",
            ".5",
            "1e3",
            ".inf",
            "-.Inf",
            ".NaN",
            "0",
            "-0",
            "+0x1F",
            "-0b101",
            "0b-1",
            "0b+1",
            "1.5e-3",
            "9223372036854775808",
            "18446744073709551615",
            "99999999999999999999",
            ".5_5",
            "2024-01-01",
            "2024-1-2",
            "2024-01-01T10:00:00Z",
            "2024-01-02t10:00:00+01:00",
            "2024-01-02 3:4:5.1",
            "2024-01-02   10:00:00",
            "2024-01-02 10:00:00,5",
            "2024-02-29",
            "2024-01-01T10:00:00.123456789123Z",
            "1:20",
            "10:00",
            "12:30:45",
            "-1:30",
            "1_0:59.5_",
            "190:20:30.15",
            "1__",
            "5_.5",
            ".5e1_0",
        ] {
            assert!(!can_use_plain(s), "{s:?} must not be plain");
        }
    }

    #[test]
    fn strings_that_stay_plain() {
        for s in [
            "a",
            "a:b",
            "1e",
            "0x",
            "1,000",
            "v1.2",
            "1.2.3",
            "256MB",
            "0x1p-2",
            "Infinity",
            "+inf",
            "1e400",
            ".5e400",
            "-0x1FFFFFFFFFFFFFFFFF",
            "0x1FFFFFFFFFFFFFFFFF",
            "<<",
            "2024-11-05 08:30:00.000000+00",
            "2024-13-02",
            "2023-02-29",
            "2024-01-01T10:00:00",
            "2024-01-01T24:00:00Z",
            "2024-01-01T10:00:00+25:00",
            "2024-01-02x",
            "1:60",
            "1:2:3.5x",
            "._5",
            "+",
            "-",
            ".",
            "yess",
            "nul",
            "0b",
            "0b2",
            "-0b2",
            "12:5a",
            ".5__5",
            "2024-01-01T10:00:00.Z",
        ] {
            assert!(can_use_plain(s), "{s:?} must be plain");
        }
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("+1:5:59.25"));
        assert!(is_base60_float("1_2:3."));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("1:123"));
        assert!(!is_base60_float(":1"));
        assert!(!is_base60_float("1"));
        assert!(!is_base60_float("a:1"));
    }
}
