//! Secrets rules: who produces the Secrets a Cluster needs, and what is
//! committed in plain text.

use crate::rules::Rule;

pub mod bootstrap_secret_unmanaged;
pub mod pg_hba_open;
pub mod plaintext_secret;

/// The rules of this group.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &bootstrap_secret_unmanaged::BootstrapSecretUnmanaged,
        &plaintext_secret::PlaintextSecret,
        &pg_hba_open::PgHbaOpen,
    ]
}
