//! A maintenance flag left behind: GAIA's web does not fail over while the
//! file exists, so a forgotten flag silently disables failover. The watch
//! says so, once per flag, when it has been there longer than a limit.

use std::time::{Duration, SystemTime};

use crate::ha::roughly;

#[derive(Debug)]
pub(crate) struct StuckFlag {
    limit: Duration,
    /// When the flag in sight was set: as it says, else when first seen.
    since: Option<SystemTime>,
    told: bool,
}

impl StuckFlag {
    pub(crate) fn new(limit: Duration) -> StuckFlag {
        StuckFlag {
            limit,
            since: None,
            told: false,
        }
    }

    /// No flag: the next one is a new one, told of anew.
    pub(crate) fn gone(&mut self) {
        self.since = None;
        self.told = false;
    }

    /// Whether the flag in sight is known already (no need to read when it was set).
    pub(crate) fn known(&self) -> bool {
        self.since.is_some()
    }

    /// The flag is there (set at `set_at`, if it says); the words to alert
    /// with the first time it has been there longer than the limit.
    pub(crate) fn there(&mut self, set_at: Option<SystemTime>, now: SystemTime) -> Option<String> {
        let since = *self.since.get_or_insert(set_at.unwrap_or(now));
        let on = now.duration_since(since).unwrap_or_default();
        if self.told || on < self.limit {
            return None;
        }
        self.told = true;
        Some(format!(
            "maintenance has been on for {} (limit {}): failover stays off until `gaia ha maintenance off`",
            roughly(on),
            humantime::format_duration(self.limit)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_older_than_the_limit_is_told_once_and_a_new_flag_again() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let hour = Duration::from_secs(3600);
        let mut stuck = StuckFlag::new(4 * hour);
        assert!(!stuck.known());
        assert_eq!(stuck.there(Some(t0), t0 + hour), None);
        assert!(stuck.known());
        let told = stuck.there(None, t0 + 5 * hour).expect("past the limit");
        assert!(told.starts_with("maintenance has been on for 5h"), "{told}");
        assert_eq!(stuck.there(None, t0 + 6 * hour), None, "told once");
        stuck.gone();
        // A flag that does not say when it was set counts from first sight.
        assert_eq!(stuck.there(None, t0 + 7 * hour), None);
        assert!(stuck.there(None, t0 + 11 * hour).is_some());
    }
}
