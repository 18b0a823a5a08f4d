//! The syntax CNPG accepts for a backup schedule and a retention policy.

/// The `@` descriptors robfig/cron (CNPG's scheduler) knows, besides `@every <duration>`.
pub const CRON_DESCRIPTORS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// What CNPG's cron (robfig/cron with a seconds field) makes of a
/// ScheduledBackup's `spec.schedule`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule<'a> {
    /// A known descriptor (`@daily`) or `@every <duration>`.
    Descriptor,
    /// An `@` word robfig/cron does not know: "Unrecognized descriptor".
    UnknownDescriptor,
    /// Six fields, seconds first: what CNPG expects. `plain` is false when a
    /// field has a character no cron field has (only numbers, names, `*`,
    /// `?`, ranges, steps and lists do).
    SixFields { plain: bool },
    /// A classic five-field crontab: accepted, but read one field off, seconds
    /// first, so `0 3 * * *` runs every hour at minute 3.
    FiveFields(Vec<&'a str>),
    /// Any other number of fields: "Expected 5 to 6 fields, found N".
    FieldCount(usize),
}

/// Reads a schedule as CNPG's cron does (surrounding white space ignored).
pub fn schedule(text: &str) -> Schedule<'_> {
    let text = text.trim();
    if text.starts_with('@') {
        return if CRON_DESCRIPTORS.contains(&text) || text.starts_with("@every ") {
            Schedule::Descriptor
        } else {
            Schedule::UnknownDescriptor
        };
    }
    let fields: Vec<&str> = text.split_whitespace().collect();
    match fields.len() {
        6 => Schedule::SixFields {
            plain: fields.iter().all(|f| {
                f.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"*?/,-".contains(&c))
            }),
        },
        5 => Schedule::FiveFields(fields),
        n => Schedule::FieldCount(n),
    }
}

/// Whether a `retentionPolicy` matches the CRD pattern `^[1-9][0-9]*[dwm]$`
/// (Cluster `spec.backup` and the plugin's ObjectStore alike).
pub fn valid_retention_policy(policy: &str) -> bool {
    let Some((unit_at, unit)) = policy.char_indices().last() else {
        return false;
    };
    let digits = &policy[..unit_at];
    matches!(unit, 'd' | 'w' | 'm')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_as_robfig_cron_reads_them() {
        assert_eq!(schedule("0 0 3 * * *"), Schedule::SixFields { plain: true });
        assert_eq!(
            schedule(" 0 */15 1-5 ? JAN,FEB MON-FRI "),
            Schedule::SixFields { plain: true }
        );
        assert_eq!(
            schedule("0 0 3 * * é"),
            Schedule::SixFields { plain: false }
        );
        assert_eq!(
            schedule("0 0 3 * * $"),
            Schedule::SixFields { plain: false }
        );
        assert_eq!(
            schedule("0 3 * * *"),
            Schedule::FiveFields(vec!["0", "3", "*", "*", "*"])
        );
        assert_eq!(schedule("0 3 * *"), Schedule::FieldCount(4));
        assert_eq!(schedule(""), Schedule::FieldCount(0));
        assert_eq!(schedule("0 0 0 3 * * *"), Schedule::FieldCount(7));
        for d in CRON_DESCRIPTORS {
            assert_eq!(schedule(d), Schedule::Descriptor, "{d}");
        }
        assert_eq!(schedule("@every 6h"), Schedule::Descriptor);
        assert_eq!(schedule("@daly"), Schedule::UnknownDescriptor);
        assert_eq!(schedule("@every"), Schedule::UnknownDescriptor);
    }

    #[test]
    fn retention_policies_follow_the_crd_pattern() {
        for ok in ["1d", "30d", "4w", "6m", "100d", "120d"] {
            assert!(valid_retention_policy(ok), "{ok}");
        }
        for bad in [
            "", "d", "0d", "030d", "30", "30y", "30 d", "30D", " 30d", "3é", "-1d",
        ] {
            assert!(!valid_retention_policy(bad), "{bad}");
        }
    }
}
