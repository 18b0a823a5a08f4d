//! go-yaml v2's `parseTimestamp`: the subset of Go's `time.Parse` that its
//! four layouts need.

/// v2's `parseTimestamp`: Go's `time.Parse` with the layouts
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with a lower-case `t`,
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`, after the quick check that
/// the text starts with four digits and a dash.
pub(super) fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year_digits != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    [Some(b'T'), Some(b't'), Some(b' '), None]
        .into_iter()
        .any(|sep| parse_layout(b, sep))
}

/// Go's `getnum`: one digit, or two when a second one follows.
fn getnum(s: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let d0 = s.first().filter(|c| c.is_ascii_digit())?;
    match s.get(1).filter(|c| c.is_ascii_digit()) {
        Some(d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), &s[2..])),
        None if fixed => None,
        None => Some((u32::from(d0 - b'0'), &s[1..])),
    }
}

/// One of v2's timestamp layouts: date, then (unless `sep` is `None`) the
/// separator, `15:4:5`, an optional fraction, and for `T`/`t` a `Z07:00`
/// zone.
fn parse_layout(b: &[u8], sep: Option<u8>) -> bool {
    let year: u32 = b[..4]
        .iter()
        .fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'));
    let v = &b[5..];
    let Some((month, v)) = getnum(v, false) else {
        return false;
    };
    if !(1..=12).contains(&month) {
        return false;
    }
    let Some(v) = v.strip_prefix(b"-") else {
        return false;
    };
    let Some((day, mut v)) = getnum(v, false) else {
        return false;
    };
    if let Some(sep) = sep {
        if sep == b' ' {
            // A space in a Go layout matches one or more spaces.
            if v.first() != Some(&b' ') {
                return false;
            }
            while v.first() == Some(&b' ') {
                v = &v[1..];
            }
        } else if v.first() == Some(&sep) {
            v = &v[1..];
        } else {
            return false;
        }
        let Some((hour, rest)) = getnum(v, false) else {
            return false;
        };
        if hour >= 24 {
            return false;
        }
        let Some(rest) = rest.strip_prefix(b":") else {
            return false;
        };
        let Some((minute, rest)) = getnum(rest, false) else {
            return false;
        };
        if minute >= 60 {
            return false;
        }
        let Some(rest) = rest.strip_prefix(b":") else {
            return false;
        };
        let Some((second, mut rest)) = getnum(rest, false) else {
            return false;
        };
        if second >= 60 {
            return false;
        }
        // `.999999999`: optional; a '.' or ',' and any number of digits.
        if rest.len() >= 2 && matches!(rest[0], b'.' | b',') && rest[1].is_ascii_digit() {
            let n = 1 + rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            rest = &rest[n..];
        }
        if sep != b' ' {
            // `Z07:00`: "Z", or a sign and hh:mm.
            if rest.first() == Some(&b'Z') {
                rest = &rest[1..];
            } else {
                if rest.len() < 6 || rest[3] != b':' || !matches!(rest[0], b'+' | b'-') {
                    return false;
                }
                let (Some((hh, _)), Some((mm, _))) =
                    (getnum(&rest[1..3], true), getnum(&rest[4..6], true))
                else {
                    return false;
                };
                if hh > 24 || mm > 60 {
                    return false;
                }
                rest = &rest[6..];
            }
        }
        v = rest;
    }
    if !v.is_empty() {
        return false;
    }
    day >= 1 && day <= days_in(month, year)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        for s in [
            "2024-01-01",
            "2024-1-2",
            "2024-01-01T10:00:00Z",
            "2024-01-02t10:00:00+01:00",
            "2024-01-02 3:4:5.1",
            "2024-01-02   10:00:00",
            "2024-01-02 10:00:00,5",
            "2024-02-29",
            "2000-02-29",
            "2024-01-01T10:00:00.123456789123Z",
            "2024-01-01T23:59:59-24:60",
        ] {
            assert!(parse_timestamp(s), "{s:?} is a timestamp");
        }
        for s in [
            "2024-13-02",
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-00-10",
            "2024-01-00",
            "2024-01-01T10:00:00",
            "2024-01-01T24:00:00Z",
            "2024-01-01T10:60:00Z",
            "2024-01-01T10:00:60Z",
            "2024-01-01T10:00:00+25:00",
            "2024-01-01T10:00:00+01:61",
            "2024-01-01T10:00:00.Z",
            "2024-01-01 10:00:00Z",
            "2024-01-02x",
            "24-01-01",
            "20240-01-01",
            "2024-001-01",
            "2024-01-01T1:2:3+0100",
        ] {
            assert!(!parse_timestamp(s), "{s:?} is not a timestamp");
        }
    }
}
