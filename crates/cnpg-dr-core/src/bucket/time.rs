//! Instants as barman, PostgreSQL and S3 write them, reduced to UTC microseconds.
//!
//! barman writes `begin_time`/`end_time` as Python `str(datetime)`:
//! `2026-11-23 19:13:50.696841+00:00`, the fraction dropped when it is zero and
//! the offset being PostgreSQL's TimeZone. CNPG's `targetTime` and S3's
//! LastModified are RFC 3339. One parser reads all of them, on the calendar of
//! `crate::time` (a `targetTime` is CNPG's to read: `time::target_time`).

use std::fmt;

use crate::time::{civil_from_days, days_from_civil, days_in_month};

/// A point in time: microseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a time string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a time like 2026-01-02 03:04:05[.ffffff][+00:00]: {reason}")]
pub struct TimeError {
    pub text: String,
    pub reason: &'static str,
}

impl Timestamp {
    /// Builds an instant from a UTC calendar date and time.
    pub fn from_utc(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, micros: u32) -> Timestamp {
        let days = days_from_civil(y, i64::from(mo), i64::from(d));
        Timestamp(
            ((days * 86_400 + i64::from(h * 3600 + mi * 60 + s)) * 1_000_000) + i64::from(micros),
        )
    }

    /// Seconds since the epoch, for LastModified values given as such.
    pub fn from_unix_seconds(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000))
    }

    /// Parses `YYYY-MM-DD[ T]HH:MM[:SS[.f…]][Z|±HH[[:]MM]]`. A time without an
    /// offset is taken as UTC (what barman-cloud's containers run in); the
    /// second result says whether the offset was missing.
    pub fn parse(text: &str) -> Result<(Timestamp, bool), TimeError> {
        let err = |reason| TimeError {
            text: text.to_string(),
            reason,
        };
        let s = text.trim().as_bytes();
        let mut p = Cursor { s, i: 0 };
        let y = p.digits(4).ok_or_else(|| err("the year needs 4 digits"))?;
        p.expect(b'-')
            .ok_or_else(|| err("expected `-` after the year"))?;
        let mo = p.digits(2).ok_or_else(|| err("the month needs 2 digits"))?;
        p.expect(b'-')
            .ok_or_else(|| err("expected `-` after the month"))?;
        let d = p.digits(2).ok_or_else(|| err("the day needs 2 digits"))?;
        if !(p.eat(b' ') || p.eat(b'T') || p.eat(b't')) {
            return Err(err("expected a space or `T` between date and time"));
        }
        let h = p.digits(2).ok_or_else(|| err("the hour needs 2 digits"))?;
        p.expect(b':')
            .ok_or_else(|| err("expected `:` after the hour"))?;
        let mi = p
            .digits(2)
            .ok_or_else(|| err("the minute needs 2 digits"))?;
        let mut sec = 0;
        let mut micros = 0u32;
        if p.eat(b':') {
            sec = p
                .digits(2)
                .ok_or_else(|| err("the second needs 2 digits"))?;
            if p.eat(b'.') || p.eat(b',') {
                let start = p.i;
                let mut scale = 100_000u32;
                while let Some(c) = p.peek().filter(u8::is_ascii_digit) {
                    micros += u32::from(c - b'0') * scale;
                    scale /= 10;
                    p.i += 1;
                }
                if p.i == start {
                    return Err(err("a fraction needs digits"));
                }
            }
        }
        if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
            return Err(err("no such date"));
        }
        if h > 23 || mi > 59 || sec > 60 {
            return Err(err("no such time of day"));
        }
        let mut offset_secs = 0i64;
        let naive = p.peek().is_none();
        if !naive {
            if p.eat(b'Z') || p.eat(b'z') {
            } else {
                let sign = match p.peek() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(err("expected `Z` or an offset like +00:00")),
                };
                p.i += 1;
                let oh = p
                    .digits(2)
                    .ok_or_else(|| err("an offset needs 2-digit hours"))?;
                p.eat(b':');
                let om = p.digits(2).unwrap_or(0);
                if oh > 23 || om > 59 {
                    return Err(err("no such offset"));
                }
                offset_secs = sign * (oh * 3600 + om * 60);
            }
        }
        if p.peek().is_some() {
            return Err(err("unexpected text after the time"));
        }
        let local = Timestamp::from_utc(
            y,
            mo as u32,
            d as u32,
            h as u32,
            mi as u32,
            sec.min(59) as u32,
            micros,
        );
        Ok((Timestamp(local.0 - offset_secs * 1_000_000), naive))
    }
}

/// RFC 3339 in UTC, microseconds shown only when non-zero.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000);
        let micros = self.0.rem_euclid(1_000_000);
        let days = secs.div_euclid(86_400);
        let tod = secs.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
            tod / 3600,
            tod / 60 % 60,
            tod % 60
        )?;
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        f.write_str("Z")
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }
    fn digits(&mut self, n: usize) -> Option<i64> {
        let part = self.s.get(self.i..self.i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(part.iter().fold(0, |acc, c| acc * 10 + i64::from(c - b'0')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        Timestamp::parse(s).unwrap().0.to_string()
    }

    #[test]
    fn barman_times_with_and_without_fraction_and_offsets() {
        assert_eq!(
            t("2026-11-23 19:13:50.696841+00:00"),
            "2026-11-23T19:13:50.696841Z"
        );
        assert_eq!(t("2026-11-23 19:13:50+00:00"), "2026-11-23T19:13:50Z");
        assert_eq!(t("2026-11-23 21:13:50+02:00"), "2026-11-23T19:13:50Z");
        assert_eq!(
            t("2026-11-23 14:43:50.5-04:30"),
            "2026-11-23T19:13:50.500000Z"
        );
        assert_eq!(t("2026-11-23T19:13:50Z"), "2026-11-23T19:13:50Z");
        assert_eq!(
            t("2026-11-23 19:13:50.123+00"),
            "2026-11-23T19:13:50.123000Z"
        );
        assert_eq!(t("2024-02-29 00:00:00+0100"), "2024-02-28T23:00:00Z");
        assert_eq!(t("1970-01-01 00:00:00Z"), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn naive_times_are_utc_and_flagged() {
        let (ts, naive) = Timestamp::parse("2026-01-02 03:04:05").unwrap();
        assert!(naive);
        assert_eq!(ts.to_string(), "2026-01-02T03:04:05Z");
        assert!(!Timestamp::parse("2026-01-02 03:04:05Z").unwrap().1);
    }

    #[test]
    fn bad_times_say_why() {
        for bad in [
            "",
            "2026-13-01 00:00:00",
            "2026-02-30 00:00:00",
            "2026-01-02",
            "2026-01-02 03:04:05 UTC",
            "2026-01-02 25:00:00+00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        let e = Timestamp::parse("2026-02-30 00:00:00").unwrap_err();
        assert!(e.to_string().contains("no such date"), "{e}");
    }

    #[test]
    fn ordering_follows_the_instant_not_the_text() {
        let a = Timestamp::parse("2026-01-02 03:00:00+02:00").unwrap().0;
        let b = Timestamp::parse("2026-01-02 02:00:00+00:00").unwrap().0;
        assert!(a < b);
    }
}
