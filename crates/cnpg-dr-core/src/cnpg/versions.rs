//! CloudNativePG versions that change what a manifest means, as (major, minor).

/// A CNPG version: (major, minor).
pub type Version = (u32, u32);

/// The newest version the bundled CRDs describe: what rules judge against
/// and `new` writes for when no `cnpgVersion` is configured.
pub const NEWEST: Version = (1, 30);

/// In-tree Barman Cloud (`barmanObjectStore`) is deprecated from this version on.
pub const BARMAN_OBJECT_STORE_DEPRECATED: Version = (1, 26);

/// In-tree Barman Cloud is removed in this version (release notes 1.28 to 1.30).
pub const BARMAN_OBJECT_STORE_REMOVED: Version = (1, 31);

/// `monitoring.enablePodMonitor` and its relabeling fields are deprecated from
/// this minor version on (1.26.2 and 1.27.1).
pub const POD_MONITOR_DEPRECATED: Version = (1, 26);

/// Whether `version` can be a CloudNativePG release (1.15 to 1.39): a
/// configured `cnpgVersion` outside that is a typo, not a future release.
pub fn plausible(version: Version) -> bool {
    version.0 == 1 && (15..=39).contains(&version.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deprecations_come_before_removals_and_the_newest_is_plausible() {
        assert!(BARMAN_OBJECT_STORE_DEPRECATED < BARMAN_OBJECT_STORE_REMOVED);
        assert!(NEWEST >= POD_MONITOR_DEPRECATED);
        assert!(plausible(NEWEST) && plausible((1, 15)) && plausible((1, 39)));
        assert!(!plausible((1, 3)) && !plausible((1, 40)) && !plausible((2, 30)));
    }
}
