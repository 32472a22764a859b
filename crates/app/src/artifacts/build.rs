//! The legacy v1 API's view of a build's artifacts: the build's details with its archive
//! (what a v1 upload answers) and `DELETE
//! /ci/api/v1/builds/:id/artifacts` (with the build's own token, whatever the build's status,
//! as GitLab 8.x's `authenticate_build_token!`).

use paddock_domain::JobId;
use paddock_domain::job::artifact::ArtifactType;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{BuildDetailsArtifacts, BuildView, JobAuthError};

use super::remove_files;
use crate::job_agent::payload::shown_again;
use crate::job_agent::running::own_job;
use crate::runners::Ctx;

pub fn details(
    ctx: &Ctx<'_>,
    id: JobId,
    token: &PlainToken,
) -> Result<BuildDetailsArtifacts, JobAuthError> {
    // The upload checked that the build runs.
    let job = own_job(ctx, id, token)?;
    let archive = ctx
        .out
        .artifacts
        .artifact(id, ArtifactType::Archive)?
        .filter(|a| !a.is_expired(ctx.now()));
    let details = shown_again(ctx, job, token.clone())?.ok_or(JobAuthError::NotFound)?;
    Ok(BuildDetailsArtifacts {
        details: Box::new(details),
        archive,
    })
}

pub fn erase(ctx: &Ctx<'_>, id: JobId, token: &PlainToken) -> Result<BuildView, JobAuthError> {
    let job = own_job(ctx, id, token)?;
    let erased = ctx.out.artifacts.delete_artifacts(id)?;
    remove_files(ctx.out, &erased);
    tracing::info!(
        job.id = id.0,
        artifacts = erased.len(),
        "build artifacts erased"
    );
    let project = ctx
        .out
        .projects
        .project(job.project_id)?
        .ok_or(JobAuthError::NotFound)?;
    Ok(BuildView { job, project })
}
