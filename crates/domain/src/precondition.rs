//! Conditional requests: `If-Unmodified-Since` on deletes (GitLab's `destroy_conditionally!`).

use chrono::{DateTime, SubsecRound, Utc};

/// Whether a resource last changed at `updated_at` may be changed by a request sent with
/// `If-Unmodified-Since: since` (HTTP dates have whole seconds). No header: always.
pub fn unmodified_since(updated_at: DateTime<Utc>, since: Option<DateTime<Utc>>) -> bool {
    since.is_none_or(|since| updated_at.trunc_subsecs(0) <= since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn only_a_later_change_fails_the_precondition() {
        let at = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::milliseconds(400);
        let second = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(unmodified_since(at, None));
        assert!(unmodified_since(at, Some(second)), "the same second");
        assert!(unmodified_since(at, Some(second + Duration::hours(1))));
        assert!(!unmodified_since(at, Some(second - Duration::seconds(1))));
    }
}
