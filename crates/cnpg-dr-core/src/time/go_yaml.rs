//! YAML timestamps the way go-yaml recognises them and Go's `encoding/json`
//! prints them.
//!
//! go-yaml (v2 and v3) tries Go's `time.Parse` with four layouts:
//! `2006-1-2T15:4:5.999999999Z07:00`, the same with a lower-case `t`,
//! `2006-1-2 15:4:5.999999999` (no zone: UTC) and `2006-1-2`. This module
//! reimplements exactly that subset of `time.Parse` (one- or two-digit
//! fields, any number of fraction digits truncated to nanoseconds, `.` or
//! `,` before the fraction, runs of spaces matching the layout's space, day
//! checked against the month) and `time.Time.MarshalJSON` (RFC 3339 with
//! nanoseconds, trailing zeros trimmed, `Z` for a zero offset). The reader
//! (`yaml::scalar`) and the emitter (`yaml::emit`, which quotes a string that
//! would read back as a timestamp) both ask this one parser.

use super::days_in_month;

/// A parsed timestamp: the wall clock as written plus its UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GoTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// Offset east of UTC, in seconds.
    pub offset: i32,
}

/// go-yaml's `parseTimestamp`: `None` when `s` is not one of its formats.
pub(crate) fn parse(s: &str) -> Option<GoTime> {
    let b = s.as_bytes();
    // Quick check: all formats start with four digits and a dash.
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits != 4 || b.get(4) != Some(&b'-') {
        return None;
    }
    parse_layout(b, Sep::UpperT)
        .or_else(|| parse_layout(b, Sep::LowerT))
        .or_else(|| parse_layout(b, Sep::Space))
        .or_else(|| parse_layout(b, Sep::DateOnly))
}

/// What follows the date in a layout.
#[derive(Clone, Copy, PartialEq)]
enum Sep {
    UpperT,
    LowerT,
    Space,
    DateOnly,
}

/// Go's `getnum(s, false)`: one or two digits.
fn getnum(b: &[u8], i: &mut usize) -> Option<u32> {
    let d0 = *b.get(*i).filter(|c| c.is_ascii_digit())?;
    *i += 1;
    match b.get(*i) {
        Some(d1) if d1.is_ascii_digit() => {
            *i += 1;
            Some(u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'))
        }
        _ => Some(u32::from(d0 - b'0')),
    }
}

fn literal(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    if b.get(*i) == Some(&c) {
        *i += 1;
        Some(())
    } else {
        None
    }
}

fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    match (b.get(at), b.get(at + 1)) {
        (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
            Some(u32::from(x - b'0') * 10 + u32::from(y - b'0'))
        }
        _ => None,
    }
}

fn parse_layout(b: &[u8], sep: Sep) -> Option<GoTime> {
    let mut i = 4;
    let year = b[..4]
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    literal(b, &mut i, b'-')?;
    let month = getnum(b, &mut i)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    literal(b, &mut i, b'-')?;
    let day = getnum(b, &mut i)?;
    let mut t = GoTime {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
    };
    if sep != Sep::DateOnly {
        match sep {
            Sep::UpperT => literal(b, &mut i, b'T')?,
            Sep::LowerT => literal(b, &mut i, b't')?,
            _ => {
                // A space in a Go layout matches one or more spaces.
                literal(b, &mut i, b' ')?;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
            }
        }
        t.hour = getnum(b, &mut i).filter(|h| *h < 24)?;
        literal(b, &mut i, b':')?;
        t.minute = getnum(b, &mut i).filter(|m| *m < 60)?;
        literal(b, &mut i, b':')?;
        t.second = getnum(b, &mut i).filter(|s| *s < 60)?;
        // `.999999999`: optional; takes every digit, keeps nine.
        if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let mut nanos = 0u32;
            for k in 0..9 {
                let d = if start + k < i {
                    b[start + k] - b'0'
                } else {
                    0
                };
                nanos = nanos * 10 + u32::from(d);
            }
            t.nanos = nanos;
        }
        if matches!(sep, Sep::UpperT | Sep::LowerT) {
            // `Z07:00`: `Z`, or a sign, two digits, a colon and two digits.
            if b.get(i) == Some(&b'Z') {
                i += 1;
            } else {
                let sign = match b.get(i) {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return None,
                };
                if b.get(i + 3) != Some(&b':') {
                    return None;
                }
                let hh = two_digits(b, i + 1)?;
                let mm = two_digits(b, i + 4)?;
                if hh > 24 || mm > 60 {
                    return None;
                }
                t.offset = sign * (hh as i32 * 3600 + mm as i32 * 60);
                i += 6;
            }
        }
    }
    if i != b.len() || day < 1 || i64::from(day) > days_in_month(i64::from(year), i64::from(month))
    {
        return None;
    }
    Some(t)
}

impl GoTime {
    /// `time.Time.MarshalJSON` without the quotes, or `None` when Go refuses
    /// to print it (an offset of 24 hours or more).
    pub(crate) fn to_rfc3339(self) -> Option<String> {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        if self.offset == 0 {
            out.push('Z');
        } else {
            let minutes = self.offset.unsigned_abs() / 60;
            let (hh, mm) = (minutes / 60, minutes % 60);
            if hh >= 24 {
                return None;
            }
            out.push(if self.offset < 0 { '-' } else { '+' });
            out.push_str(&format!("{hh:02}:{mm:02}"));
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Option<String> {
        parse(s).map(|t| t.to_rfc3339().unwrap_or_else(|| "ERR".to_string()))
    }

    #[test]
    fn formats_go_yaml_accepts() {
        // Every row was checked against `kubectl kustomize` (Kustomize v5.5.0).
        let table: &[(&str, Option<&str>)] = &[
            ("2024-01-02", Some("2024-01-02T00:00:00Z")),
            ("2024-1-2", Some("2024-01-02T00:00:00Z")),
            ("2024-01-02 10:00:00", Some("2024-01-02T10:00:00Z")),
            ("2024-01-02   10:00:00", Some("2024-01-02T10:00:00Z")),
            ("2024-11-05 08:30:00", Some("2024-11-05T08:30:00Z")),
            ("2024-01-02 10:00:00.5", Some("2024-01-02T10:00:00.5Z")),
            ("2024-03-04T05:06:07Z", Some("2024-03-04T05:06:07Z")),
            ("2024-01-02t10:00:00Z", Some("2024-01-02T10:00:00Z")),
            ("2024-01-02T1:2:3Z", Some("2024-01-02T01:02:03Z")),
            ("2024-1-2T3:4:5Z", Some("2024-01-02T03:04:05Z")),
            (
                "2024-01-02T10:00:00+02:00",
                Some("2024-01-02T10:00:00+02:00"),
            ),
            (
                "2024-01-02T10:00:00.123456Z",
                Some("2024-01-02T10:00:00.123456Z"),
            ),
            ("2024-01-02T10:00:00,5Z", Some("2024-01-02T10:00:00.5Z")),
            ("2024-01-02T10:00:00.000Z", Some("2024-01-02T10:00:00Z")),
            ("2024-01-02T10:00:00-00:00", Some("2024-01-02T10:00:00Z")),
            (
                "2024-01-02T10:00:00.1234567891234Z",
                Some("2024-01-02T10:00:00.123456789Z"),
            ),
            (
                "2024-01-02T10:00:00.1234567895Z",
                Some("2024-01-02T10:00:00.123456789Z"),
            ),
            (
                "2024-01-02T10:00:00.5+05:30",
                Some("2024-01-02T10:00:00.5+05:30"),
            ),
            (
                "2024-01-02T10:00:00.120-05:00",
                Some("2024-01-02T10:00:00.12-05:00"),
            ),
            (
                "2024-01-02T10:00:00-23:59",
                Some("2024-01-02T10:00:00-23:59"),
            ),
            ("0000-01-01", Some("0000-01-01T00:00:00Z")),
            ("2024-02-29", Some("2024-02-29T00:00:00Z")),
            // Go parses these but MarshalJSON refuses the offset.
            ("2024-01-02T10:00:00+23:60", Some("ERR")),
            ("2024-01-02T10:00:00+24:00", Some("ERR")),
            // Not timestamps: they stay strings.
            ("2024-01-02 10:00:00.000000+00", None),
            ("2024-01-02t10:00:00z", None),
            ("2024-01-02 10:00:00 +02:00", None),
            ("2024-01-02T10:00:00", None),
            ("2024-01-02T10:00Z", None),
            ("2024-02-30", None),
            ("2023-02-29", None),
            ("2024-01-02T24:00:00Z", None),
            ("2024-01-02 10:00:60", None),
            ("2024-13-01", None),
            ("2024-00-01", None),
            ("2024-001-02", None),
            ("2024-01-02T10:00:00.Z", None),
            ("2024-01-02T10:00:00+2:00", None),
            ("2024-01-02T10:00:00+02:61", None),
            ("12024-01-02", None),
            ("24-01-02", None),
            ("2024-01-02 ", None),
            ("1:30", None),
        ];
        for (input, want) in table {
            assert_eq!(json(input).as_deref(), *want, "input {input:?}");
        }
    }

    #[test]
    fn the_emitters_cases_read_the_same() {
        // (The emitter's own tests quote the other timestamps it knows.)
        for s in ["2000-02-29", "2024-01-01T23:59:59-24:60"] {
            assert!(parse(s).is_some(), "{s:?} is a timestamp");
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
            assert!(parse(s).is_none(), "{s:?} is not a timestamp");
        }
    }
}
