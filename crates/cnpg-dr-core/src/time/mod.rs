//! Dates and times, in one place: the proleptic Gregorian calendar, and each
//! text format a time reaches cnpg-dr in, read by one parser per format.
//!
//! - `go_yaml`: the timestamps go-yaml (so kustomize) recognises in plain
//!   YAML scalars, and how Go's `encoding/json` prints them.
//! - [`target_time`]: CNPG's `ParseTargetTime` for
//!   `bootstrap.recovery.recoveryTarget.targetTime` (lib/pq style first, then
//!   Go layouts), plus the ranges PostgreSQL enforces afterwards.
//! - [`rfc3339`]: RFC 3339 with an explicit zone, what `plan --target-time`
//!   asks a user to type.
//!
//! barman's own `str(datetime)` and S3's LastModified are read by
//! `bucket::Timestamp`, on this calendar.

pub(crate) mod go_yaml;
pub mod rfc3339;
pub mod target_time;

/// Where a `.fraction` starting at `at` ends: `at` itself when there is no
/// `.`, None when the `.` has no digit after it.
pub(crate) fn fraction_end(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'.') {
        return Some(at);
    }
    let digits = b[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (digits > 0).then_some(at + 1 + digits)
}

/// Whether a year is a leap year (proleptic Gregorian).
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month of a year (0 for a month outside 1..=12).
pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01: the inverse
/// of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a Unix time.
pub fn format_utc(unix: i64) -> String {
    let (year, month, day) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_round_trips_and_knows_leap_years() {
        assert_eq!(format_utc(1_630_491_767), "2021-09-01 10:22:47");
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(-1), "1969-12-31 23:59:59");
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        for days in [-800_000, -1, 0, 59, 60, 11_016, 11_017, 20_000, 3_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(is_leap(2000) && is_leap(2024) && !is_leap(1900) && !is_leap(2023));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2025, 4), 30);
        assert_eq!(days_in_month(2025, 12), 31);
        assert_eq!(days_in_month(2025, 13), 0);
        assert_eq!(days_in_month(2025, 0), 0);
    }
}
