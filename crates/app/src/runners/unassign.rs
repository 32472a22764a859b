//! `DELETE /projects/:id/runners/:runner_id`: never a runner's only project (seed decision).

use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::precondition::unmodified_since;
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::Denied;
use paddock_ports::inbound::{ProjectRef, RunnerError, UnmodifiedSince, What};
use paddock_ports::outbound::Unassigned;

use super::Ctx;
use crate::access::{project_standing, visible_project};

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: RunnerId,
    since: UnmodifiedSince,
) -> Result<(), RunnerError> {
    let (project, _, roles) = visible_project(ctx.out, Some(actor), project)?;
    if !may_on_project(
        Some(actor),
        project_standing(&project, roles),
        ProjectAction::ManageRunners,
    ) {
        return Err(RunnerError::Forbidden(None));
    }
    let runner = ctx
        .out
        .runners
        .runner(id)?
        .ok_or(RunnerError::NotFound(What::Runner))?;
    // Assignments change the runner's `updated_at`, which `If-Unmodified-Since` compares.
    if !unmodified_since(runner.updated_at, since) {
        return Err(RunnerError::PreconditionFailed);
    }
    // The repository applies the only-project rule atomically, against concurrent unassigns.
    match ctx.out.runners.unassign_runner(id, project.id, ctx.now())? {
        Unassigned::Done => ctx.queues.forget(id),
        Unassigned::NotAssigned => return Err(RunnerError::NotFound(What::Runner)),
        Unassigned::OnlyProject => {
            return Err(RunnerError::Forbidden(Some(
                Denied::OnlyOneProject.reason(),
            )));
        }
    }
    tracing::info!(
        runner.id = id.0,
        project.id = project.id.0,
        "runner unassigned"
    );
    Ok(())
}
