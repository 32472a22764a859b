//! Job logs: appending at an exact offset, as GitLab's `PATCH /jobs/:id/trace` does.

/// How often, in seconds, a runner should send log updates (GitLab's default; 3 while
/// someone watches the log, which Paddock does not track).
pub const UPDATE_INTERVAL_SECONDS: u64 = 60;

/// GitLab's `ACCEPT_TIMEOUT`, in seconds: how long a final state waits for its log to be
/// complete (two-phase finish) before it is applied with the log as it is.
pub const FINISH_ACCEPT_TIMEOUT_SECONDS: i64 = 300;

/// The longest wait a runner is asked for between two tries of a final state.
pub const FINISH_RETRY_MAX_SECONDS: u64 = 60;

/// A final state came while the log is shorter than the runner says it wrote, `waited`
/// seconds after the first such request: `Some(seconds)` to wait before trying again (202),
/// doubling with the time waited up to [`FINISH_RETRY_MAX_SECONDS`]; `None` once
/// [`FINISH_ACCEPT_TIMEOUT_SECONDS`] have passed (apply the state now).
pub fn finish_retry_in(waited: i64) -> Option<u64> {
    if waited >= FINISH_ACCEPT_TIMEOUT_SECONDS {
        return None;
    }
    let waited = u64::try_from(waited).unwrap_or(0).max(1);
    Some(waited.next_power_of_two().min(FINISH_RETRY_MAX_SECONDS))
}

/// The start of a `Content-Range` header: `start-end`, `start-end/total`, optionally after a
/// `bytes ` unit. Only the start counts: runners disagree on the end (inclusive, exclusive,
/// or wrong), so GitLab ignores it. `None` when the header is not of that form.
pub fn content_range_start(header: &str) -> Option<u64> {
    let text = header.trim();
    let text = text
        .strip_prefix("bytes")
        .map(str::trim_start)
        .unwrap_or(text);
    let (start, rest) = text.split_once('-')?;
    let end = rest.split('/').next()?;
    if start.is_empty() || !start.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !end.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    start.parse().ok()
}

/// What an append at `start` of `len` bytes does to a log of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Append {
    /// Written; the log is now this long.
    Written(u64),
    /// The start is not the end of the log: nothing written; the log is this long (416 with
    /// `Range: 0-<size>`).
    Mismatch(u64),
    /// The log would grow past the limit (403; the job fails with `trace_size_exceeded`).
    TooLarge,
}

/// The decision for an append, before anything is written.
pub fn plan_append(size: u64, start: u64, len: u64, limit: u64) -> Append {
    let end = start.saturating_add(len);
    if end > limit {
        Append::TooLarge
    } else if start != size {
        Append::Mismatch(size)
    } else {
        Append::Written(end)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_final_state_waits_for_its_log_at_most_the_accept_timeout() {
        let table = [
            (0, Some(1)),
            (1, Some(1)),
            (3, Some(4)),
            (20, Some(32)),
            (45, Some(60)),
            (299, Some(60)),
            (300, None),
            (-5, Some(1)),
        ];
        for (waited, want) in table {
            assert_eq!(finish_retry_in(waited), want, "{waited}");
        }
    }

    use super::*;

    #[test]
    fn only_the_start_of_content_range_counts() {
        assert_eq!(content_range_start("0-10"), Some(0));
        assert_eq!(content_range_start("15-20/6"), Some(15));
        assert_eq!(content_range_start("bytes 8-20/13"), Some(8));
        assert_eq!(content_range_start("11-"), Some(11));
        assert_eq!(content_range_start(" 3-2/*"), Some(3));
        assert_eq!(content_range_start("-5"), None);
        assert_eq!(content_range_start("abc"), None);
        assert_eq!(content_range_start("1x-2"), None);
        assert_eq!(content_range_start(""), None);
    }

    #[test]
    fn appends_happen_only_at_the_end() {
        assert_eq!(plan_append(11, 11, 5, 100), Append::Written(16));
        assert_eq!(plan_append(11, 15, 5, 100), Append::Mismatch(11));
        assert_eq!(plan_append(11, 8, 5, 100), Append::Mismatch(11));
        assert_eq!(plan_append(0, 0, 0, 100), Append::Written(0));
        assert_eq!(plan_append(90, 90, 20, 100), Append::TooLarge);
        assert_eq!(plan_append(0, u64::MAX, 20, 100), Append::TooLarge);
    }
}
