//! The sweep of overdue jobs (GitLab's `StuckBuilds` and `TimedOutBuilds` workers), run
//! periodically by the server, each rule in bounded batches:
//! - running past the timeout its runner was given, plus a grace: failed,
//!   `job_execution_timeout`;
//! - running with no word from its runner (`PUT`, `PATCH`) for `stuck_running_after`:
//!   failed, `stuck_or_timeout_failure`; canceling as long: canceled;
//! - pending, taken by no runner, for `stuck_pending_after`: failed,
//!   `stuck_or_timeout_failure`.
//!
//! Each change is conditional on the status the job was found in, so a job its runner ends
//! meanwhile keeps the runner's outcome; each ended job moves its pipeline on. The runner's
//! next `PUT` or `PATCH` is refused with `Job-Status` saying what became of the job.

use paddock_domain::job::{FailureReason, JobStatus};
use paddock_ports::RepoResult;
use paddock_ports::inbound::OverdueReport;
use paddock_ports::outbound::{JobChange, JobClock, Overdue};

use super::running::finish;
use crate::runners::Ctx;

/// A rule: which jobs, and what they become.
struct Rule {
    from: JobStatus,
    clock: JobClock,
    /// How long after their clock jobs are overdue.
    after: chrono::Duration,
    to: JobStatus,
    reason: Option<FailureReason>,
}

pub fn execute(ctx: &Ctx<'_>, limit: usize) -> RepoResult<OverdueReport> {
    let config = ctx.config;
    let stuck = Some(FailureReason::StuckOrTimeoutFailure);
    let rule = |from, clock, after, to, reason| Rule {
        from,
        clock,
        after,
        to,
        reason,
    };
    use JobStatus::{Canceled, Canceling, Failed, Pending, Running};
    Ok(OverdueReport {
        timed_out: end(
            ctx,
            &rule(
                Running,
                JobClock::Deadline,
                config.job_timeout_grace,
                Failed,
                Some(FailureReason::JobExecutionTimeout),
            ),
            limit,
        )?,
        silent: end(
            ctx,
            &rule(
                Running,
                JobClock::Updated,
                config.stuck_running_after,
                Failed,
                stuck,
            ),
            limit,
        )?,
        canceled: end(
            ctx,
            &rule(
                Canceling,
                JobClock::Updated,
                config.stuck_running_after,
                Canceled,
                None,
            ),
            limit,
        )?,
        stuck_pending: end(
            ctx,
            &rule(
                Pending,
                JobClock::Updated,
                config.stuck_pending_after,
                Failed,
                stuck,
            ),
            limit,
        )?,
    })
}

/// Ends up to `limit` jobs overdue by `rule`; returns how many.
fn end(ctx: &Ctx<'_>, rule: &Rule, limit: usize) -> RepoResult<usize> {
    let now = ctx.now();
    let overdue = Overdue {
        statuses: vec![rule.from],
        clock: rule.clock,
        before: now.checked_sub_signed(rule.after).unwrap_or(now),
    };
    let change = JobChange {
        failure_reason: rule.reason,
        ..JobChange::between(&[rule.from], rule.to, now)
    };
    let mut ended = 0;
    for id in ctx.out.jobs.overdue_jobs(&overdue, limit)? {
        if finish(ctx, id, &change)?.is_some() {
            ended += 1;
        }
    }
    Ok(ended)
}
