//! Long polling of `POST /jobs/request`: a request whose `last_update` is the runner's current
//! queue value waits here, on the async edge (no thread, no database connection, only a
//! waiter on the runner's wake-up), until the value moves on, the timeout passes or
//! the server shuts down.
//!
//! A new value (a job this runner may take was queued) asks the use case again and answers
//! what it says: 201 with the job, or 204 with the new value. An entry read again (stale,
//! which bounds how late a job queued by another process is seen, or a changed runner) asks
//! again and, when there is still nothing, waits on the new value. A woken request that lost
//! every race for the new jobs asks again (every 20 ms, for up to a second) before it answers 409 (the runner
//! would ask again at once anyway; many runners woken by one pipeline race for its jobs).
//! The timeout and the shutdown answer 204 with the value waited on.

use paddock_ports::inbound::{JobRequest, JobRequestOutcome, QueueWake};
use tokio::time::{Instant, sleep_until};

use crate::error::ApiError;
use crate::state::ApiState;

/// The use case's answer: from memory on this thread when it needs no database, else on the
/// blocking pool.
pub(crate) async fn ask(
    state: &ApiState,
    request: JobRequest,
) -> Result<JobRequestOutcome, ApiError> {
    if let Some(answer) = state.use_cases.request_job_from_memory(&request) {
        return answer.map_err(Into::into);
    }
    state.call(move |uc| uc.request_job(request)).await
}

/// A woken request that lost the race for every job asks again after this pause (the jobs
/// others were taking are then taken, or free again)…
const PAUSE_AFTER_A_LOST_RACE: std::time::Duration = std::time::Duration::from_millis(20);
/// …for at most this long before it answers 409.
const RETRY_LOST_RACES_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// A job request, waiting for a job as long as the configuration allows.
pub async fn request_job(
    state: &ApiState,
    mut request: JobRequest,
) -> Result<JobRequestOutcome, ApiError> {
    let timeout = state.config.long_poll_timeout;
    let deadline = Instant::now() + timeout;
    let mut shutdown = state.shutdown_signal();
    let mut outcome = ask(state, request.clone()).await?;
    if timeout.is_zero() {
        return Ok(outcome);
    }
    loop {
        let JobRequestOutcome::NoJob { last_update: value } = &outcome else {
            return Ok(outcome);
        };
        // Only a runner that saw the current value waits: a stale or missing one is told the
        // value at once, as is everyone once the server stops.
        if request.last_update.as_deref() != Some(value.as_str()) || *shutdown.borrow_and_update() {
            return Ok(outcome);
        }
        let Some(watch) = state.use_cases.watch_queue(&request.token, value) else {
            return Ok(outcome);
        };
        let wake = tokio::select! {
            wake = watch => wake,
            () = sleep_until(deadline) => return Ok(outcome),
            _ = shutdown.changed() => return Ok(outcome),
        };
        outcome = ask(state, request.clone()).await?;
        let retry_until = (Instant::now() + RETRY_LOST_RACES_FOR).min(deadline);
        while matches!(outcome, JobRequestOutcome::Conflict) && Instant::now() < retry_until {
            sleep_until(Instant::now() + PAUSE_AFTER_A_LOST_RACE).await;
            outcome = ask(state, request.clone()).await?;
        }
        match (&outcome, wake) {
            (JobRequestOutcome::NoJob { last_update }, QueueWake::Reread) => {
                request.last_update = Some(last_update.clone());
            }
            _ => return Ok(outcome),
        }
    }
}
