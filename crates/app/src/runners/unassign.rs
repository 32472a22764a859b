//! `DELETE /projects/:id/runners/:runner_id`: never a runner's only project (seed decision).

use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::precondition::unmodified_since;
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::may_unassign;
use paddock_ports::inbound::{ProjectRef, RunnerError, UnmodifiedSince, What};

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
    let projects = ctx.out.runners.runner_project_ids(id)?;
    if !projects.contains(&project.id) {
        return Err(RunnerError::NotFound(What::Runner));
    }
    may_unassign(projects.len()).map_err(|denied| RunnerError::Forbidden(Some(denied.reason())))?;
    // GitLab checks the assignment; Paddock the runner, whose assignments are part of it.
    let runner = ctx
        .out
        .runners
        .runner(id)?
        .ok_or(RunnerError::NotFound(What::Runner))?;
    if !unmodified_since(runner.updated_at, since) {
        return Err(RunnerError::PreconditionFailed);
    }
    if !ctx.out.runners.unassign_runner(id, project.id)? {
        return Err(RunnerError::NotFound(What::Runner));
    }
    tracing::info!(
        runner.id = id.0,
        project.id = project.id.0,
        "runner unassigned"
    );
    Ok(())
}
