//! Backup rules: schedules, methods, object stores.

pub mod schedule_five_fields;
