//! `PUT /jobs/:id` and `PATCH /jobs/:id/trace`: a runner reports on a job it runs, with the
//! job's token. Every refusal is a 403 (never a 404), so that the runner stops the job.

use paddock_domain::JobId;
use paddock_domain::ci::AllowFailure;
use paddock_domain::job::trace::Append;
use paddock_domain::job::{FailureReason, Job, JobStatus};
use paddock_domain::token::PlainToken;
use paddock_domain::variable::mask_secrets;
use paddock_ports::RepoResult;
use paddock_ports::inbound::{
    JobAuthError, JobUpdate, JobUpdateError, TraceAppend, TraceAppended, TraceError,
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
        .ok_or(JobAuthError::Forbidden)?;
    if digest != Some(token.digest()) {
        return Err(JobAuthError::Forbidden);
    }
    if let Some(runner) = job.runner_id {
        ctx.live
            .touch_id(runner, ctx.now(), job.runner_system_id.as_deref());
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

/// Ends the job with `to` and moves its pipeline on; `None` when it was no longer running
/// (canceled meanwhile).
fn finish(ctx: &Ctx<'_>, job: &Job, change: JobChange) -> RepoResult<Option<Job>> {
    let finished = ctx.out.jobs.change_job(job.id, &change)?;
    if let Some(finished) = &finished {
        ctx.secrets.forget(job.id);
        tracing::info!(job.id = job.id.0, status = %finished.status, "job finished");
        // The job's outcome is written; the runner is told so even if moving the pipeline on
        // fails now (the next event moves it).
        if let Err(error) = progress::process(ctx, job.pipeline_id) {
            tracing::warn!(%error, pipeline.id = job.pipeline_id.0, "could not move the pipeline on");
        }
    }
    Ok(finished)
}

pub fn update(ctx: &Ctx<'_>, id: JobId, update: JobUpdate) -> Result<JobStatus, JobUpdateError> {
    let job = processing_job(ctx, id, &update.token)?;
    if let Some(trace) = update.trace {
        if trace.len() as u64 > ctx.config.max_trace_size {
            let change = JobChange::failure(FailureReason::TraceSizeExceeded, ctx.now());
            finish(ctx, &job, change)?;
            return Err(JobAuthError::NotRunning(JobStatus::Failed).into());
        }
        let trace = masked(ctx, &job, trace)?;
        ctx.out.jobs.replace_trace(id, &trace)?;
    }
    let now = ctx.now();
    let change = match update.state.as_deref() {
        // A keep-alive (`pending` is the acknowledgement of newer runners).
        None | Some("running" | "pending") => return Ok(job.status),
        Some("success") => JobChange::to(JobStatus::Success, now),
        Some("failed") => {
            // A failure with an exit code the job allows does not fail the pipeline.
            let allowed = matches!(job.definition.allow_failure, AllowFailure::ExitCodes(_))
                && job.definition.allow_failure.allows(update.exit_code);
            let reason = FailureReason::from_runner(update.failure_reason.as_deref());
            JobChange {
                exit_code: update.exit_code,
                allow_failure: allowed.then_some(true),
                ..JobChange::failure(reason, now)
            }
        }
        Some(_) => return Err(JobUpdateError::InvalidState),
    };
    match finish(ctx, &job, change)? {
        Some(finished) => Ok(finished.status),
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
            finish(ctx, &job, change)?;
            Err(TraceError::TooLarge)
        }
    }
}
