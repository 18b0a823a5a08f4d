//! Backup rules: schedules, methods, object stores.

use crate::rules::Rule;

pub mod schedule_five_fields;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&schedule_five_fields::ScheduleFiveFields]
}
