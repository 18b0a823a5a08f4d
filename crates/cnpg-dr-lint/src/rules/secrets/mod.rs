//! Secrets rules: who produces the Secrets a Cluster needs, and what is
//! committed in plain text.

pub mod bootstrap_secret_unmanaged;
pub mod pg_hba_open;
pub mod plaintext_secret;
