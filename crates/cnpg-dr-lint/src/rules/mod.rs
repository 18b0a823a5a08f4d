//! The rule catalogue: one file per rule, grouped by concern, registered in
//! one table (`catalogue!` below). Ids are stable: never reused, never
//! renumbered, and the table is checked when the crate compiles.
//!
//! Rule files import from [`rule`], [`helpers`] and `crate::finding`, never
//! from this module: the registry depends on the rules, not the other way.

pub mod argocd;
pub mod backup;
pub mod deprecation;
pub mod helpers;
pub mod history;
pub mod layout;
pub mod lineage;
pub mod recovery;
pub mod rule;
pub mod schema;
pub mod secrets;
pub mod suppression;

pub use crate::finding::RuleMeta;
pub use helpers::command_path;
pub use rule::{
    repository_finding, DatabaseContext, RepositoryContext, Rule, Settings, VariantContext,
};

/// Ids that belonged to a rule that was removed: they are never given to
/// another rule (a suppression or a CI filter written for the old rule would
/// silently apply to the new one).
const RETIRED_IDS: &[&str] = &[];

/// The one table of rules. Each row is `"ID" group::file::Rule`; the file's
/// `META` must carry that id. The suppression meta-rules come first: they have
/// no check of their own (the suppression engine reports them).
macro_rules! catalogue {
    (
        meta: [$($mid:literal $mgroup:ident :: $mfile:ident :: $mrule:ident),* $(,)?],
        checks: [$($id:literal $group:ident :: $file:ident :: $rule:ident),* $(,)?] $(,)?
    ) => {
        /// Every id, as the table writes it.
        const TABLE_IDS: &[&str] = &[$($mid,)* $($id),*];
        /// Every id, as the rules' `META` write it, in table order.
        const META_IDS: &[&str] = &[$($mgroup::$mfile::META.id,)* $($group::$file::META.id),*];
        /// Every name, in table order.
        const NAMES: &[&str] = &[$($mgroup::$mfile::META.name,)* $($group::$file::META.name),*];

        /// Every rule with a check, in id order.
        pub fn registry() -> Vec<&'static dyn Rule> {
            vec![$(&$group::$file::$rule),*]
        }

        /// The suppression meta-rules (CDR001, CDR002). They have no check: the runner
        /// reports them while applying `# cnpg-dr: ignore[...]` comments.
        pub fn meta_rules() -> Vec<&'static dyn Rule> {
            vec![$(&$mgroup::$mfile::$mrule),*]
        }

        /// The rules of one group (the folder a rule lives in: `history`, `lineage`, ...).
        pub fn group(name: &str) -> Vec<&'static dyn Rule> {
            let mut out: Vec<&'static dyn Rule> = Vec::new();
            $(if name == stringify!($mgroup) { out.push(&$mgroup::$mfile::$mrule); })*
            $(if name == stringify!($group) { out.push(&$group::$file::$rule); })*
            out
        }
    };
}

catalogue! {
    meta: [
        "CDR001" suppression::without_reason::SuppressionWithoutReason,
        "CDR002" suppression::unused::SuppressionUnused,
    ],
    checks: [
        "CDR101" lineage::write_equals_source::WriteEqualsSource,
        "CDR102" lineage::skip_empty_wal_archive_check::SkipEmptyWalArchiveCheck,
        "CDR103" lineage::source_not_older::SourceNotOlder,
        "CDR104" lineage::unversioned::Unversioned,
        "CDR105" lineage::store_mismatch::StoreMismatch,
        "CDR106" lineage::shared::Shared,
        "CDR107" lineage::source_skips_versions::SourceSkipsVersions,
        "CDR108" lineage::dormant_writes_live::DormantWritesLive,
        "CDR201" recovery::multiple_methods::MultipleMethods,
        "CDR202" recovery::database_unset::DatabaseUnset,
        "CDR203" recovery::secret_unset::SecretUnset,
        "CDR204" recovery::database_mismatch::DatabaseMismatch,
        "CDR205" recovery::source_missing::SourceMissing,
        "CDR206" recovery::source_no_backup::SourceNoBackup,
        "CDR207" recovery::target_time::TargetTime,
        "CDR208" recovery::backup_id_invalid::BackupIdInvalid,
        "CDR209" recovery::target_exclusive::TargetExclusive,
        "CDR210" recovery::left_active::LeftActive,
        "CDR301" layout::base_has_bootstrap::BaseHasBootstrap,
        "CDR302" layout::dr_flag_invalid::DrFlagInvalid,
        "CDR303" layout::overlay_patches_beyond_bootstrap::OverlayPatchesBeyondBootstrap,
        "CDR304" layout::overlay_targets_unknown_cluster::OverlayTargetsUnknownCluster,
        "CDR305" layout::render_failed::RenderFailed,
        "CDR306" layout::root_not_checked::RootNotChecked,
        "CDR307" layout::yaml_invalid::YamlInvalid,
        "CDR401" backup::schedule_five_fields::ScheduleFiveFields,
        "CDR402" backup::scheduled_backup_unknown_cluster::ScheduledBackupUnknownCluster,
        "CDR403" backup::backup_method_mismatch::BackupMethodMismatch,
        "CDR404" backup::no_backup_configured::NoBackupConfigured,
        "CDR405" backup::no_scheduled_backup::NoScheduledBackup,
        "CDR406" backup::objectstore_missing::ObjectStoreMissing,
        "CDR407" backup::wal_archiver_conflict::WalArchiverConflict,
        "CDR408" backup::objectstore_server_name::ObjectStoreServerName,
        "CDR409" backup::retention_policy_invalid::RetentionPolicyInvalid,
        "CDR410" backup::store_never_written::StoreNeverWritten,
        "CDR501" secrets::bootstrap_secret_unmanaged::BootstrapSecretUnmanaged,
        "CDR502" secrets::plaintext_secret::PlaintextSecret,
        "CDR503" secrets::pg_hba_open::PgHbaOpen,
        "CDR601" argocd::ignores_bootstrap::IgnoresBootstrap,
        "CDR602" argocd::skip_reconcile::SkipReconcile,
        "CDR603" argocd::preserves_skip_reconcile::PreservesSkipReconcile,
        "CDR701" deprecation::barman_object_store_deprecated::BarmanObjectStoreDeprecated,
        "CDR702" deprecation::validation_disabled::ValidationDisabled,
        "CDR703" deprecation::pod_monitor_deprecated::PodMonitorDeprecated,
        "CDR704" deprecation::kustomize_deprecated_fields::KustomizeDeprecatedFields,
        "CDR801" schema::schema_violation::SchemaViolation,
        "CDR802" schema::unknown_field::UnknownField,
        "CDR803" schema::schema_missing::SchemaMissing,
        "CDR901" history::lineage_moved_backwards::LineageMovedBackwards,
        "CDR902" history::lineage_reused::LineageReused,
        "CDR903" history::recovery_without_bump::RecoveryWithoutBump,
        "CDR904" history::recovery_source_stale::RecoverySourceStale,
    ],
}

// The table is checked while the crate compiles: a duplicated, misordered,
// retired or mistyped id, or a row whose rule file says another id, is a
// build error, not a failing test.
const _: () = {
    assert!(
        TABLE_IDS.len() == META_IDS.len(),
        "one id per row of the rule table"
    );
    let mut i = 0;
    while i < TABLE_IDS.len() {
        assert!(
            str_eq(TABLE_IDS[i], META_IDS[i]),
            "a row of the rule table names an id its rule's META does not carry"
        );
        assert!(
            well_formed(TABLE_IDS[i]),
            "rule ids are CDR and three digits"
        );
        assert!(
            i == 0 || str_lt(TABLE_IDS[i - 1], TABLE_IDS[i]),
            "rule ids are unique and in ascending order in the table"
        );
        let mut r = 0;
        while r < RETIRED_IDS.len() {
            assert!(
                !str_eq(RETIRED_IDS[r], TABLE_IDS[i]),
                "a retired rule id is never reused"
            );
            r += 1;
        }
        let mut j = 0;
        while j < i {
            assert!(!str_eq(NAMES[j], NAMES[i]), "rule names are unique");
            j += 1;
        }
        i += 1;
    }
};

/// `a == b`, in a const context.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `a < b` byte-wise, in a const context.
const fn str_lt(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// `CDR` and three digits.
const fn well_formed(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 6
        && b[0] == b'C'
        && b[1] == b'D'
        && b[2] == b'R'
        && b[3].is_ascii_digit()
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

/// The rule with this id or name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    registry()
        .into_iter()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id_or_name) || r.meta().name == id_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_group_and_the_const_helpers_compare_like_str() {
        assert_eq!(registry().len() + meta_rules().len(), TABLE_IDS.len());
        let history: Vec<&str> = group("history").iter().map(|r| r.meta().id).collect();
        assert_eq!(history, ["CDR901", "CDR902", "CDR903", "CDR904"]);
        assert_eq!(group("recovery")[0].meta().id, "CDR201");
        assert!(group("bootstrap").is_empty());
        for (a, b) in [("CDR101", "CDR102"), ("CDR1", "CDR10"), ("", "a")] {
            assert!(str_lt(a, b) && !str_lt(b, a) && !str_eq(a, b), "{a} < {b}");
        }
        assert!(str_eq("CDR101", "CDR101") && !str_lt("CDR101", "CDR101"));
        assert!(well_formed("CDR001") && !well_formed("CDR01") && !well_formed("cdr001"));
    }
}
