//! `PUT /jobs/:id` and `PATCH /jobs/:id/trace`: a runner reports on a job it runs, with the
//! job's token. Every refusal is a 403 (never a 404), so that the runner stops the job.

use paddock_domain::JobId;
use paddock_domain::ci::AllowFailure;
use paddock_domain::job::trace::{Append, finish_retry_in};
use paddock_domain::job::{FailureReason, Job, JobStatus};
use paddock_domain::token::PlainToken;
use paddock_domain::variable::mask_secrets;
use paddock_ports::RepoResult;
use paddock_ports::inbound::{
    JobAuthError, JobUpdate, JobUpdateError, JobUpdated, TraceAppend, TraceAppended, TraceError,
};
use paddock_ports::outbound::JobChange;

use crate::pipelines::progress;
use crate::runners::Ctx;

/// The job, if `token` is its token; the runner's contact is recorded.
fn own_job(ctx: &Ctx<'_>, id: JobId, token: &PlainToken) -> Result<Job, JobAuthError> {
    if token.is_empty() {
        return Err(JobAuthError::Forbidden);
    }
    let (job, digest) = ctx
        .out
        .jobs
        .job_with_token(id)?
        .ok_or(JobAuthError::NotFound)?;
    if digest != Some(token.digest()) {
        return Err(JobAuthError::Forbidden);
    }
    let now = ctx.now();
    if let Some(runner) = job.runner_id {
        ctx.live
            .touch_id(runner, now, job.runner_system_id.as_deref());
    }
    // The job's own contact, for the silence rule of the overdue sweep: written at most once
    // an interval, not on every call.
    if job.status.is_processing()
        && now - job.updated_at >= ctx.config.job_contact_write_interval()
        && let Err(error) = ctx.out.jobs.touch_job(id, now)
    {
        tracing::warn!(%error, job.id = id.0, "could not record the runner's contact with the job");
    }
    Ok(job)
}

/// The job, if `token` is its token and a runner still works on it.
pub(crate) fn processing_job(
    ctx: &Ctx<'_>,
    id: JobId,
    token: &PlainToken,
) -> Result<Job, JobAuthError> {
    let job = own_job(ctx, id, token)?;
    if !job.status.is_processing() {
        return Err(JobAuthError::NotRunning(job.status));
    }
    Ok(job)
}

fn masked(ctx: &Ctx<'_>, job: &Job, mut data: Vec<u8>) -> RepoResult<Vec<u8>> {
    let secrets = crate::secrets::of_job(ctx, job)?;
    let secrets: Vec<&[u8]> = secrets.iter().map(Vec::as_slice).collect();
    mask_secrets(&mut data, &secrets);
    Ok(data)
}

/// Ends the job with `change` and moves its pipeline on; `None` when its status was not one
/// the change applies from (canceled or finished meanwhile).
pub(super) fn finish(ctx: &Ctx<'_>, id: JobId, change: &JobChange) -> RepoResult<Option<Job>> {
    let finished = ctx.out.jobs.change_job(id, change)?;
    if let Some(finished) = &finished {
        ctx.secrets.forget(id);
        tracing::info!(
            job.id = id.0,
            status = %finished.status,
            failure_reason = finished.failure_reason.map(|r| r.as_str()),
            "job finished"
        );
        // The job's outcome is written; the runner is told so even if moving the pipeline on
        // fails now (the next event moves it).
        if let Err(error) = progress::process(ctx, finished.pipeline_id) {
            tracing::warn!(%error, pipeline.id = finished.pipeline_id.0, "could not move the pipeline on");
        }
    }
    Ok(finished)
}

pub fn update(ctx: &Ctx<'_>, id: JobId, update: JobUpdate) -> Result<JobUpdated, JobUpdateError> {
    let job = processing_job(ctx, id, &update.token)?;
    let (job, retry_in) = apply(ctx, job, update)?;
    Ok(match retry_in {
        Some(retry_in) => JobUpdated::Waiting {
            status: job.status,
            retry_in,
        },
        None => JobUpdated::Applied(job.status),
    })
}

/// Applies a runner's update to a job it works on (authenticated by the caller): the whole
/// log if sent, then the state. Returns the job as it is now and, when a two-phase finish
/// waits for the rest of the log, in how many seconds the runner should send it again.
pub(super) fn apply(
    ctx: &Ctx<'_>,
    job: Job,
    update: JobUpdate,
) -> Result<(Job, Option<u64>), JobUpdateError> {
    let id = job.id;
    let mut log_size = u64::try_from(job.trace_size).unwrap_or(0);
    if let Some(trace) = update.trace {
        if trace.len() as u64 > ctx.config.max_trace_size {
            let change = JobChange::failure(FailureReason::TraceSizeExceeded, ctx.now());
            finish(ctx, job.id, &change)?;
            return Err(JobAuthError::NotRunning(JobStatus::Failed).into());
        }
        let trace = masked(ctx, &job, trace)?;
        ctx.out.jobs.replace_trace(id, &trace)?;
        log_size = trace.len() as u64;
    }
    let now = ctx.now();
    let canceling = job.status == JobStatus::Canceling;
    let change = match update.state.as_deref() {
        // A keep-alive (`pending` is the acknowledgement of newer runners).
        None | Some("running" | "pending") => return Ok((job, None)),
        // A canceled job the runner was let finish ends canceled, whatever its outcome.
        Some("success" | "failed" | "canceled") if canceling => {
            JobChange::between(&[JobStatus::Canceling], JobStatus::Canceled, now)
        }
        Some("success") => JobChange::between(&[JobStatus::Running], JobStatus::Success, now),
        Some("failed") => {
            // A failure with an exit code the job allows does not fail the pipeline.
            let allowed = matches!(job.definition.allow_failure, AllowFailure::ExitCodes(_))
                && job.definition.allow_failure.allows(update.exit_code);
            let reason = FailureReason::from_runner(update.failure_reason.as_deref());
            JobChange {
                exit_code: update.exit_code,
                allow_failure: allowed.then_some(true),
                from: vec![JobStatus::Running],
                ..JobChange::failure(reason, now)
            }
        }
        Some(_) => return Err(JobUpdateError::InvalidState),
    };
    // Two-phase finish: with a checksum, a log shorter than the runner wrote is waited for
    // (the runner sends the same update again), at most GitLab's accept timeout.
    if update.checksum.is_some()
        && update
            .log_bytesize
            .is_some_and(|written| log_size < written)
    {
        let first = ctx.out.jobs.request_finish(id, now)?.unwrap_or(now);
        if let Some(retry_in) = finish_retry_in((now - first).num_seconds()) {
            return Ok((job, Some(retry_in)));
        }
        tracing::info!(
            job.id = id.0,
            "the job's log stayed incomplete; finishing it as it is"
        );
    }
    match finish(ctx, job.id, &change)? {
        Some(finished) => Ok((finished, None)),
        // Canceled (or finished) meanwhile: the runner is told what became of it.
        None => {
            let status = ctx
                .out
                .jobs
                .job(id)?
                .map_or(JobStatus::Canceled, |j| j.status);
            Err(JobAuthError::NotRunning(status).into())
        }
    }
}

pub fn append_trace(
    ctx: &Ctx<'_>,
    id: JobId,
    append: TraceAppend,
) -> Result<TraceAppended, TraceError> {
    let job = processing_job(ctx, id, &append.token)?;
    let start = append.start.ok_or(TraceError::NoRange)?;
    let data = masked(ctx, &job, append.data)?;
    let outcome = ctx
        .out
        .jobs
        .append_trace(id, start, &data, ctx.config.max_trace_size)?
        .ok_or(JobAuthError::Forbidden)?;
    match outcome {
        Append::Written(size) => Ok(TraceAppended::Appended {
            size,
            status: job.status,
        }),
        Append::Mismatch(size) => Ok(TraceAppended::Mismatch { size }),
        Append::TooLarge => {
            let change = JobChange::failure(FailureReason::TraceSizeExceeded, ctx.now());
            finish(ctx, job.id, &change)?;
            Err(TraceError::TooLarge)
        }
    }
}
