//! A runner's status at a given time, as the REST API reports it.

use chrono::{DateTime, Duration, Utc};

/// A runner is online while its last contact is more recent than this.
pub const ONLINE_CONTACT_TIMEOUT: Duration = Duration::hours(2);
/// A runner created this long ago and not in contact for as long is stale.
pub const STALE_TIMEOUT: Duration = Duration::days(7);

/// The REST `status` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunnerStatus {
    Online,
    Offline,
    Stale,
    /// Never contacted (GitLab's newer name: `never_contacted`).
    NotConnected,
    Paused,
}

impl RunnerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerStatus::Online => "online",
            RunnerStatus::Offline => "offline",
            RunnerStatus::Stale => "stale",
            RunnerStatus::NotConnected => "not_connected",
            RunnerStatus::Paused => "paused",
        }
    }
}

/// What the status depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    pub created_at: DateTime<Utc>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub active: bool,
}

impl Liveness {
    /// `online`: `None` when never contacted, else whether the last contact is recent.
    pub fn online(&self, now: DateTime<Utc>) -> Option<bool> {
        self.contacted_at
            .map(|at| at > now - ONLINE_CONTACT_TIMEOUT)
    }

    /// Created at least 7 days ago and no contact in the last 7 days.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        let deadline = now - STALE_TIMEOUT;
        self.created_at <= deadline && self.contacted_at.is_none_or(|at| at <= deadline)
    }

    /// The REST status, decided in this order: stale, not connected, paused, online/offline.
    pub fn status(&self, now: DateTime<Utc>) -> RunnerStatus {
        if self.is_stale(now) {
            RunnerStatus::Stale
        } else if self.contacted_at.is_none() {
            RunnerStatus::NotConnected
        } else if !self.active {
            RunnerStatus::Paused
        } else if self.online(now) == Some(true) {
            RunnerStatus::Online
        } else {
            RunnerStatus::Offline
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn status_table() {
        let now = now();
        let fresh = now - Duration::days(1);
        let old = now - Duration::days(8);
        let recent = Some(now - Duration::minutes(5));
        let hours_ago = Some(now - Duration::hours(3));
        let days_ago = Some(now - Duration::days(7));
        // (created, contacted, active) -> (status, online)
        let table = [
            (fresh, None, true, RunnerStatus::NotConnected, None),
            (fresh, None, false, RunnerStatus::NotConnected, None),
            (fresh, recent, true, RunnerStatus::Online, Some(true)),
            (fresh, recent, false, RunnerStatus::Paused, Some(true)),
            (fresh, hours_ago, true, RunnerStatus::Offline, Some(false)),
            (fresh, hours_ago, false, RunnerStatus::Paused, Some(false)),
            (old, None, true, RunnerStatus::Stale, None),
            (old, days_ago, true, RunnerStatus::Stale, Some(false)),
            (old, days_ago, false, RunnerStatus::Stale, Some(false)),
            (old, hours_ago, true, RunnerStatus::Offline, Some(false)),
            (old, recent, false, RunnerStatus::Paused, Some(true)),
        ];
        for (created_at, contacted_at, active, status, online) in table {
            let l = Liveness {
                created_at,
                contacted_at,
                active,
            };
            assert_eq!(l.status(now), status, "{l:?}");
            assert_eq!(l.online(now), online, "{l:?}");
        }
    }

    #[test]
    fn thresholds_are_exact() {
        let now = now();
        let at = |contacted: DateTime<Utc>| Liveness {
            created_at: now - Duration::days(1),
            contacted_at: Some(contacted),
            active: true,
        };
        assert_eq!(
            at(now - Duration::hours(2) + Duration::seconds(1)).status(now),
            RunnerStatus::Online
        );
        assert_eq!(
            at(now - Duration::hours(2)).status(now),
            RunnerStatus::Offline
        );
        let created = |created_at| Liveness {
            created_at,
            contacted_at: None,
            active: true,
        };
        assert_eq!(
            created(now - Duration::days(7)).status(now),
            RunnerStatus::Stale
        );
        assert_eq!(
            created(now - Duration::days(7) + Duration::seconds(1)).status(now),
            RunnerStatus::NotConnected
        );
    }

    #[test]
    fn names() {
        let names: Vec<&str> = [
            RunnerStatus::Online,
            RunnerStatus::Offline,
            RunnerStatus::Stale,
            RunnerStatus::NotConnected,
            RunnerStatus::Paused,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        assert_eq!(
            names,
            ["online", "offline", "stale", "not_connected", "paused"]
        );
    }
}
