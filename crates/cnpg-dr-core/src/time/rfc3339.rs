//! RFC 3339 with an explicit zone: `YYYY-MM-DD(T|t| )HH:MM:SS[.frac](Z|z|±HH:MM)`,
//! what `plan --target-time` asks for so a restore never depends on the
//! server's zone. A leap second (`:60`) is admitted, as RFC 3339 does.

use super::{days_from_civil, days_in_month, fraction_end};

/// Why a text is not RFC 3339 with a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rfc3339Error {
    /// A well-formed date and time with nothing after it.
    NoZone,
    /// Anything else: not RFC 3339, or a field out of range.
    Format,
}

/// The Unix time (seconds; a leap second counts as the next one) of an RFC
/// 3339 date-time with a zone.
pub fn parse_zoned(s: &str) -> Result<i64, Rfc3339Error> {
    let b = s.as_bytes();
    let num = |at: usize, len: usize| -> Result<i64, Rfc3339Error> {
        let part = b.get(at..at + len).ok_or(Rfc3339Error::Format)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(Rfc3339Error::Format);
        }
        Ok(part.iter().fold(0, |acc, c| acc * 10 + i64::from(c - b'0')))
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(Rfc3339Error::Format);
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b[13] != b':' || b[16] != b':' {
        return Err(Rfc3339Error::Format);
    }
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return Err(Rfc3339Error::Format);
    }
    let rest = fraction_end(b, 19).ok_or(Rfc3339Error::Format)?;
    let offset = match &b[rest..] {
        b"Z" | b"z" => 0,
        b"" => return Err(Rfc3339Error::NoZone),
        zone if zone.len() == 6 && matches!(zone[0], b'+' | b'-') && zone[3] == b':' => {
            let (hh, mm) = (num(rest + 1, 2)?, num(rest + 4, 2)?);
            if hh > 23 || mm > 59 {
                return Err(Rfc3339Error::Format);
            }
            let sign = if zone[0] == b'-' { -1 } else { 1 };
            sign * (hh * 3600 + mm * 60)
        }
        _ => return Err(Rfc3339Error::Format),
    };
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoned_rfc3339_is_read() {
        assert_eq!(parse_zoned("2021-09-01T10:22:47Z"), Ok(1_630_491_767));
        assert_eq!(parse_zoned("2021-09-01t10:22:47z"), Ok(1_630_491_767));
        assert_eq!(parse_zoned("2021-09-01 10:22:47Z"), Ok(1_630_491_767));
        assert_eq!(
            parse_zoned("2021-09-01T12:22:47.123+02:00"),
            Ok(1_630_491_767)
        );
        assert_eq!(parse_zoned("2021-09-01T02:52:47-07:30"), Ok(1_630_491_767));
        assert_eq!(
            parse_zoned("2021-09-01T10:22:47.000000001Z"),
            Ok(1_630_491_767)
        );
        // A leap second, on a leap day.
        assert_eq!(
            parse_zoned("2024-02-29 23:59:60-07:30"),
            Ok(days_from_civil(2024, 3, 1) * 86_400 + 7 * 3600 + 30 * 60)
        );
        assert!(parse_zoned("2025-06-01T03:00:00+23:59").is_ok());
    }

    #[test]
    fn a_missing_zone_is_told_apart_from_a_bad_text() {
        assert_eq!(
            parse_zoned("2025-06-01T03:00:00"),
            Err(Rfc3339Error::NoZone)
        );
        assert_eq!(
            parse_zoned("2025-06-01 03:00:00"),
            Err(Rfc3339Error::NoZone)
        );
        assert_eq!(
            parse_zoned("2025-06-01T03:00:00.5"),
            Err(Rfc3339Error::NoZone)
        );
        for bad in [
            "",
            "yesterday",
            "2025-06-01",
            "2025-02-29T03:00:00Z",
            "2025-13-01T03:00:00Z",
            "2025-00-01T03:00:00Z",
            "2025-06-00T03:00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T03:60:00Z",
            "2025-06-01T03:00:61Z",
            "2025-06-01T3:00:00Z",
            "2025/06/01T03:00:00Z",
            "2025-06-01x03:00:00Z",
            "2025-06-01T03:00:00+2:00",
            "2025-06-01T03:00:00+0200",
            "2025-06-01T03:00:00+24:00",
            "2025-06-01T03:00:00+02:60",
            "2025-06-01T03:00:00+02:0x",
            "2025-06-01T03:00:00+é:00",
            "2025-06-01T03:00:00.Z",
            "2025-06-01T03:00:00 UTC",
            "2025-06-01T03:00:00ZZ",
            "+025-06-01T03:00:00Z",
            "2025-06-01T03:00:00Zé",
        ] {
            assert_eq!(parse_zoned(bad), Err(Rfc3339Error::Format), "{bad:?}");
        }
    }
}
