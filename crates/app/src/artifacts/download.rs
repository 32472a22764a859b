//! Downloading a job's archive: `GET /jobs/:id/artifacts` for runners (the job's own token,
//! or the token of a running job that depends on it) and
//! `GET /projects/:id/jobs/:job_id/artifacts` for those who may see the project's jobs.

use paddock_domain::JobId;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{ArtifactDownloadError, ArtifactFile, FindError, ProjectRef, What};

use super::open_archive;
use crate::job_agent::payload::dependency_jobs;
use crate::pipelines::list::{find_job, readable};
use crate::runners::Ctx;

pub fn for_runner(
    ctx: &Ctx<'_>,
    id: JobId,
    token: &PlainToken,
) -> Result<ArtifactFile, ArtifactDownloadError> {
    if token.is_empty() {
        return Err(ArtifactDownloadError::Forbidden);
    }
    let holder = ctx
        .out
        .jobs
        .job_by_token(&token.digest())?
        .ok_or(ArtifactDownloadError::Forbidden)?;
    if holder.id != id {
        // Another job's token: it must run now and list this job among its dependencies.
        let depends = holder.status.is_processing()
            && dependency_jobs(ctx, &holder)?.iter().any(|d| d.id == id);
        if !depends {
            return Err(ArtifactDownloadError::Forbidden);
        }
    }
    open_archive(ctx, id, ctx.now())?.ok_or(ArtifactDownloadError::NotFound)
}

pub fn for_user(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    id: JobId,
) -> Result<ArtifactFile, FindError> {
    let project = readable(ctx, actor, project)?;
    let job = find_job(ctx, &project, id)?;
    match open_archive(ctx, job.id, ctx.now()) {
        Ok(Some(file)) => Ok(file),
        Ok(None) => Err(FindError::NotFound(What::Artifact)),
        Err(error) => Err(FindError::Internal(error.to_string())),
    }
}
