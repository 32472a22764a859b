//! Jobs that a request of this process is taking or took lately. GitLab takes a short lease
//! (`build/register/<id>`, 3 seconds) on a job before it tries to assign it, so that runners
//! polling at once do not all try the same job; this is that lease, in memory. A request
//! passes over a job leased by another and tries the next one, instead of losing the
//! conditional update (a wasted write, and a 409 when every candidate was lost).
//!
//! The lease only spares work: the conditional update still decides who gets a job, also
//! between processes.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use paddock_domain::JobId;

/// How long a lease holds (GitLab's `TEMPORARY_LOCK_TIMEOUT`). A job taken stays leased
/// that long, so that requests whose queue was read before it was taken pass over it.
const LEASE: Duration = Duration::seconds(3);

/// Leases are dropped when they expire, looked at once this many are held.
const SWEEP_AT: usize = 1024;

/// The leased jobs, each with when it was leased.
#[derive(Debug, Default)]
pub struct JobClaims {
    jobs: Mutex<HashMap<JobId, DateTime<Utc>>>,
}

impl JobClaims {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, DateTime<Utc>>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Leases `job` unless another request holds a lease on it.
    pub fn claim(&self, job: JobId, now: DateTime<Utc>) -> bool {
        let mut jobs = self.lock();
        if jobs.len() >= SWEEP_AT {
            jobs.retain(|_, at| now - *at < LEASE);
        }
        match jobs.get(&job) {
            Some(at) if now - *at < LEASE => false,
            _ => {
                jobs.insert(job, now);
                true
            }
        }
    }

    /// Gives a lease up (the job was not taken by this request for a reason that does
    /// not concern others).
    pub fn release(&self, job: JobId) {
        self.lock().remove(&job);
    }

    /// How many leases are live at `now`.
    pub fn held(&self, now: DateTime<Utc>) -> usize {
        self.lock().values().filter(|at| now - **at < LEASE).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_excludes_others_until_it_expires_or_is_released() {
        let claims = JobClaims::default();
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        assert!(claims.claim(JobId(1), t0));
        assert!(!claims.claim(JobId(1), t0 + Duration::seconds(1)));
        assert!(claims.claim(JobId(2), t0));
        assert!(claims.claim(JobId(1), t0 + LEASE));
        claims.release(JobId(2));
        assert!(claims.claim(JobId(2), t0));
        assert_eq!(claims.held(t0), 2);
        assert_eq!(
            claims.held(t0 + LEASE + LEASE),
            0,
            "expired leases are not counted"
        );
    }
}
