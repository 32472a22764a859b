//! The legacy v1 API's view of a build's artifacts: the build with its archive (what a v1
//! upload answers) and `DELETE /ci/api/v1/builds/:id/artifacts`, both with the build's own
//! token, whatever the build's status (GitLab 8.x's `authenticate_build_token!`).

use paddock_domain::JobId;
use paddock_domain::job::Job;
use paddock_domain::job::artifact::{Artifact, ArtifactType};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{BuildArtifacts, BuildView, JobAuthError};

use super::remove_files;
use crate::job_agent::running::own_job;
use crate::runners::Ctx;

fn view(
    ctx: &Ctx<'_>,
    job: Job,
    archive: Option<Artifact>,
) -> Result<BuildArtifacts, JobAuthError> {
    let project = ctx
        .out
        .projects
        .project(job.project_id)?
        .ok_or(JobAuthError::NotFound)?;
    Ok(BuildArtifacts {
        build: BuildView { job, project },
        archive,
    })
}

pub fn show(ctx: &Ctx<'_>, id: JobId, token: &PlainToken) -> Result<BuildArtifacts, JobAuthError> {
    let job = own_job(ctx, id, token)?;
    let archive = ctx
        .out
        .artifacts
        .artifact(id, ArtifactType::Archive)?
        .filter(|a| !a.is_expired(ctx.now()));
    view(ctx, job, archive)
}

pub fn erase(ctx: &Ctx<'_>, id: JobId, token: &PlainToken) -> Result<BuildArtifacts, JobAuthError> {
    let job = own_job(ctx, id, token)?;
    let erased = ctx.out.artifacts.delete_artifacts(id)?;
    remove_files(ctx.out, &erased);
    tracing::info!(
        job.id = id.0,
        artifacts = erased.len(),
        "build artifacts erased"
    );
    view(ctx, job, None)
}
