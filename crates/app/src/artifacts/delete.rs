//! `DELETE /projects/:id/jobs/:job_id/artifacts`: maintainers remove a job's artifacts, records
//! and files.

use paddock_domain::JobId;
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_ports::inbound::{DeleteError, ProjectRef};

use crate::pipelines::list::find_job;
use crate::pipelines::project_for;
use crate::runners::Ctx;

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: JobId,
) -> Result<(), DeleteError> {
    let (project, _, allowed) =
        project_for(ctx, Some(actor), project, ProjectAction::DeleteArtifacts)?;
    let job = find_job(ctx, &project, id)?;
    if !allowed {
        return Err(DeleteError::Forbidden(None));
    }
    for artifact in ctx.out.artifacts.delete_artifacts(job.id)? {
        if let Err(error) = ctx.out.artifact_store.remove(&artifact.store_key) {
            tracing::warn!(%error, job.id = id.0, "could not remove a deleted artifact's file");
        }
    }
    tracing::info!(
        job.id = id.0,
        user.id = actor.user.0,
        "job artifacts deleted"
    );
    Ok(())
}
