//! CNPG's reading of `recoveryTarget.targetTime` (machinery `ParseTargetTime`):
//! lib/pq's `ParseTimestamp` first (PostgreSQL style
//! `YYYY-MM-DD[ HH:MM:SS[.frac][±HH[:MM[:SS]]|Z]][ BC]`), then the Go layouts
//! `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)?`. CNPG admits fields that overflow
//! (Go's `time.Date` normalises them); PostgreSQL then refuses them, so the
//! ranges it enforces are checked too.

use super::{days_from_civil, days_in_month, fraction_end};

/// A parsed targetTime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// Seconds since the Unix epoch (UTC when no zone was given).
    pub unix: i64,
    /// True when the text carried a zone (`Z` or an offset).
    pub zoned: bool,
    /// True when only a date was given (PostgreSQL style).
    pub date_only: bool,
}

/// Why a targetTime is not usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// CNPG's webhook rejects it: "The format of TargetTime is invalid".
    Format,
    /// CNPG admits it (its parser normalises overflowing fields), PostgreSQL refuses it.
    Range(String),
}

/// Go's `strconv.Atoi` on `s[begin..end]`, as lib/pq's `mustAtoi` uses it.
fn atoi(s: &str, begin: usize, end: usize) -> Option<i64> {
    let part = s.get(begin..end)?;
    let digits = part
        .strip_prefix('+')
        .or_else(|| part.strip_prefix('-'))
        .unwrap_or(part);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 18 {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some(if part.starts_with('-') { -value } else { value })
}

fn expect(s: &str, c: u8, at: usize) -> Option<()> {
    (s.as_bytes().get(at) == Some(&c)).then_some(())
}

#[derive(Clone, Copy, Debug, Default)]
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    offset: i64,
    zoned: bool,
    date_only: bool,
    bc: bool,
}

/// lib/pq's `ParseTimestamp`: syntax only, no range checks (Go's `time.Date` normalises).
fn parse_pq(s: &str) -> Option<Fields> {
    let b = s.as_bytes();
    let mon_sep = s.find('-')?;
    let mut f = Fields {
        year: atoi(s, 0, mon_sep)?,
        ..Fields::default()
    };
    let day_sep = mon_sep + 3;
    f.month = atoi(s, mon_sep + 1, day_sep)?;
    expect(s, b'-', day_sep)?;
    let time_sep = day_sep + 3;
    f.day = atoi(s, day_sep + 1, time_sep)?;
    f.bc = s.ends_with(" BC");
    let min_len = mon_sep + "01-01".len() + 1 + if f.bc { 3 } else { 0 };
    if s.len() > min_len {
        expect(s, b' ', time_sep)?;
        let min_sep = time_sep + 3;
        expect(s, b':', min_sep)?;
        f.hour = atoi(s, time_sep + 1, min_sep)?;
        let sec_sep = min_sep + 3;
        expect(s, b':', sec_sep)?;
        f.minute = atoi(s, min_sep + 1, sec_sep)?;
        f.second = atoi(s, sec_sep + 1, sec_sep + 3)?;
    } else {
        f.date_only = true;
    }
    let mut rest = mon_sep + "01-01 00:00:00".len() + 1;
    if b.get(rest) == Some(&b'.') {
        let start = rest + 1;
        let len = s
            .get(start..)?
            .find(['-', '+', 'Z', ' '])
            .unwrap_or(s.len() - start);
        atoi(s, start, start + len)?;
        rest += len + 1;
    }
    match b.get(rest) {
        Some(&sign @ (b'-' | b'+')) => {
            let hours = atoi(s, rest + 1, rest + 3)?;
            rest += 3;
            let mut minutes = 0;
            let mut seconds = 0;
            if b.get(rest) == Some(&b':') {
                minutes = atoi(s, rest + 1, rest + 3)?;
                rest += 3;
            }
            if b.get(rest) == Some(&b':') {
                seconds = atoi(s, rest + 1, rest + 3)?;
                rest += 3;
            }
            let sign = if sign == b'-' { -1 } else { 1 };
            f.offset = sign * (hours * 3600 + minutes * 60 + seconds);
            f.zoned = true;
            if hours > 15 || minutes > 59 || seconds > 59 {
                // Parsed, but no PostgreSQL offset: reported as a range problem.
                f.offset = i64::MIN;
            }
        }
        Some(b'Z') => {
            rest += 1;
            f.zoned = true;
        }
        _ => {}
    }
    if f.bc {
        rest += 3;
    }
    (rest >= s.len()).then_some(f)
}

fn two(s: &[u8], at: usize) -> Option<i64> {
    let d = s.get(at..at + 2)?;
    d.iter()
        .all(u8::is_ascii_digit)
        .then(|| i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
}

/// The Go layouts CNPG tries after lib/pq: `2006-01-02T15:04:05[.frac](Z07:00)?`.
fn parse_go(s: &str) -> Option<Fields> {
    let b = s.as_bytes();
    if b.len() < 19
        || !b[..4].iter().all(u8::is_ascii_digit)
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let mut f = Fields {
        year: s.get(..4)?.parse().ok()?,
        month: two(b, 5)?,
        day: two(b, 8)?,
        hour: two(b, 11)?,
        minute: two(b, 14)?,
        second: two(b, 17)?,
        ..Fields::default()
    };
    let rest = fraction_end(b, 19)?;
    match b.get(rest) {
        None => {}
        Some(b'Z') if rest + 1 == b.len() => f.zoned = true,
        Some(&sign @ (b'+' | b'-')) if rest + 6 == b.len() && b[rest + 3] == b':' => {
            let (h, m) = (two(b, rest + 1)?, two(b, rest + 4)?);
            if h > 23 || m > 59 {
                return None;
            }
            f.offset = if sign == b'-' { -1 } else { 1 } * (h * 3600 + m * 60);
            f.zoned = true;
        }
        _ => return None,
    }
    in_range(&f).is_none().then_some(f)
}

/// The first field that is out of range, for messages.
fn in_range(f: &Fields) -> Option<String> {
    // PostgreSQL timestamps end in 294276 AD and have no year 0.
    if !(1..=294_276).contains(&f.year) {
        return Some(format!("year {} out of range", f.year));
    }
    if !(1..=12).contains(&f.month) {
        return Some(format!("month {} out of range", f.month));
    }
    if f.day < 1 || f.day > days_in_month(f.year, f.month) {
        return Some(format!(
            "day {} out of range for {:04}-{:02}",
            f.day, f.year, f.month
        ));
    }
    if f.hour > 23 || f.hour < 0 {
        return Some(format!("hour {} out of range", f.hour));
    }
    if f.minute > 59 || f.minute < 0 {
        return Some(format!("minute {} out of range", f.minute));
    }
    if f.second > 59 || f.second < 0 {
        return Some(format!("second {} out of range", f.second));
    }
    if f.offset == i64::MIN {
        return Some("a time zone offset out of range".to_string());
    }
    if f.bc {
        return Some("a date BC".to_string());
    }
    None
}

/// Parses a targetTime the way CNPG does, then checks the fields PostgreSQL will check.
pub fn parse_target_time(s: &str) -> Result<Parsed, TimeError> {
    let fields = match parse_pq(s) {
        Some(f) => {
            if let Some(problem) = in_range(&f) {
                return Err(TimeError::Range(problem));
            }
            f
        }
        None => parse_go(s).ok_or(TimeError::Format)?,
    };
    let days = days_from_civil(fields.year, fields.month, fields.day);
    Ok(Parsed {
        unix: days * 86_400 + fields.hour * 3600 + fields.minute * 60 + fields.second
            - fields.offset,
        zoned: fields.zoned,
        date_only: fields.date_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(s: &str) -> i64 {
        parse_target_time(s).unwrap().unix
    }

    #[test]
    fn accepts_the_formats_cnpg_documents() {
        // machinery pkg/types/time_test.go, converted to Unix time.
        assert_eq!(unix("2021-09-01 10:22:47"), 1_630_491_767);
        assert_eq!(
            unix("2021-09-01 10:22:47.000000+06"),
            1_630_491_767 - 6 * 3600
        );
        assert_eq!(
            unix("2021-09-01 10:22:47.000000+06:00"),
            1_630_491_767 - 6 * 3600
        );
        assert_eq!(unix("2021-09-01T10:22:47Z"), 1_630_491_767);
        assert_eq!(unix("2021-09-01T10:22:47+00:00"), 1_630_491_767);
        assert_eq!(unix("2021-09-01T10:22:47"), 1_630_491_767);
        assert!(parse_target_time("2006-01-02T15:04:05.000000Z").is_ok());
        // lib/pq extras: a bare date, Z, offsets with seconds, any fraction length.
        assert_eq!(unix("2021-09-01"), 1_630_454_400);
        assert_eq!(unix("2021-09-01 10:22:47Z"), 1_630_491_767);
        assert_eq!(unix("2021-09-01 10:22:47-05:30:15"), 1_630_491_767 + 19_815);
        assert_eq!(unix("2021-09-01T10:22:47.5-02:00"), 1_630_491_767 + 7200);
    }

    #[test]
    fn tells_zoned_from_unzoned() {
        assert!(!parse_target_time("2025-06-01 03:00:00").unwrap().zoned);
        assert!(!parse_target_time("2025-06-01T03:00:00").unwrap().zoned);
        assert!(!parse_target_time("2025-06-01").unwrap().zoned);
        assert!(parse_target_time("2025-06-01").unwrap().date_only);
        assert!(parse_target_time("2025-06-01 03:00:00+02").unwrap().zoned);
        assert!(parse_target_time("2025-06-01T03:00:00Z").unwrap().zoned);
    }

    #[test]
    fn rejects_what_cnpg_rejects() {
        for bad in [
            "",
            "yesterday",
            "2025/06/01 03:00:00",
            "2025-06-01 3:00:00",
            "2025-06-01T03:00",
            "2025-06-01T03:00:00+0200",
            "2025-06-01T03:00:00 UTC",
            "2025-06-01 03:00:00 UTC",
            " 2025-06-01 03:00:00",
            "2025-06-01 03:00:00.",
            "01.06.2025 03:00",
            "2025-06-01T25:00:00Z",
            "2025-13-01T03:00:00Z",
        ] {
            assert_eq!(parse_target_time(bad), Err(TimeError::Format), "{bad:?}");
        }
    }

    #[test]
    fn reports_fields_postgresql_refuses() {
        for (text, problem) in [
            ("2025-02-30 10:00:00", "day 30 out of range for 2025-02"),
            ("2025-13-01 10:00:00+00", "month 13 out of range"),
            ("2025-06-01 24:00:00", "hour 24 out of range"),
            ("2025-06-01 10:60:00", "minute 60 out of range"),
            ("2025-06-01 10:00:00+16", "a time zone offset out of range"),
            ("2025-06-01 10:00:00 BC", "a date BC"),
            ("0000-06-01 10:00:00+00", "year 0 out of range"),
            (
                "99999999999999999-06-01 10:00:00+00",
                "year 99999999999999999 out of range",
            ),
        ] {
            assert_eq!(
                parse_target_time(text),
                Err(TimeError::Range(problem.to_string())),
                "{text:?}"
            );
        }
        assert!(parse_target_time("2024-02-29 10:00:00").is_ok());
    }
}
