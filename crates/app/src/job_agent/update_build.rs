//! `PUT /ci/api/v1/builds/:id`: the legacy update. 2016 runners send their runner token (the
//! seed documents it so); the build's own token is accepted as well. The update itself is the
//! one of `PUT /jobs/:id`.

use paddock_domain::JobId;
use paddock_domain::job::Job;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{BuildView, JobAuthError, JobUpdate, JobUpdateError, RunnerAuthError};

use super::running;
use crate::runners::Ctx;

pub fn execute(ctx: &Ctx<'_>, id: JobId, update: JobUpdate) -> Result<BuildView, JobUpdateError> {
    let job = held_build(ctx, id, &update.token)?;
    // Runners of this API send no checksum: there is no two-phase finish to wait for.
    let (job, _) = running::apply(ctx, job, update)?;
    let project = ctx
        .out
        .projects
        .project(job.project_id)?
        .ok_or(JobAuthError::NotFound)?;
    Ok(BuildView { job, project })
}

/// The build, if `token` is its own token or the token of the runner that holds it, and a
/// runner still works on it. A valid runner token for a build that is not this runner's is
/// `NotFound` (gitlab-ci-multi-runner checks its token with `PUT /builds/-1` and reads 404 as
/// "alive", 403 as "removed").
fn held_build(ctx: &Ctx<'_>, id: JobId, token: &PlainToken) -> Result<Job, JobAuthError> {
    if token.is_empty() {
        return Err(JobAuthError::Forbidden);
    }
    let found = ctx.out.jobs.job_with_token(id)?;
    let job = match found {
        Some((job, digest)) if digest == Some(token.digest()) => job,
        found => {
            let runner = ctx.authenticate(token).map_err(|error| match error {
                RunnerAuthError::Internal(detail) => JobAuthError::Internal(detail),
                RunnerAuthError::Forbidden | RunnerAuthError::PreconditionFailed => {
                    JobAuthError::Forbidden
                }
            })?;
            ctx.touch(&runner, None);
            match found {
                Some((job, _)) if job.runner_id == Some(runner.id) => job,
                _ => return Err(JobAuthError::NotFound),
            }
        }
    };
    if let Some(runner) = job.runner_id {
        ctx.live
            .touch_id(runner, ctx.now(), job.runner_system_id.as_deref());
    }
    if !job.status.is_processing() {
        return Err(JobAuthError::NotRunning(job.status));
    }
    Ok(job)
}
