//! Suppression rules: CDR001 and CDR002 keep inline `# cnpg-dr: ignore[...]`
//! comments honest. They have no check of their own: the suppression engine
//! (`crate::suppress`) reports them while it applies the comments.

pub mod unused;
pub mod without_reason;
