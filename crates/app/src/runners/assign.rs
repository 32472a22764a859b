//! `POST /projects/:id/runners`: assign an existing project runner to another project.

use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::{Denied, may_assign};
use paddock_ports::RepoError;
use paddock_ports::inbound::{ProjectRef, RunnerError, RunnerView, What};

use super::Ctx;
use crate::access::{project_standing, visible_project};

const ALREADY_ASSIGNED: &str = "Runner is already assigned to this project";

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: RunnerId,
) -> Result<RunnerView, RunnerError> {
    let (project, _, roles) = visible_project(ctx.out, Some(actor), project)?;
    if !may_on_project(
        Some(actor),
        project_standing(&project, roles),
        ProjectAction::ManageRunners,
    ) {
        return Err(RunnerError::Forbidden(None));
    }
    let (runner, standing) = ctx.load(actor, id)?;
    may_assign(actor, runner.runner_type, runner.settings.locked, &standing).map_err(|denied| {
        match denied {
            Denied::InstanceRunner => RunnerError::Rejected(denied.reason()),
            other => RunnerError::Forbidden(Some(other.reason())),
        }
    })?;
    if ctx
        .out
        .runners
        .runner_project_ids(id)?
        .contains(&project.id)
    {
        return Err(RunnerError::Rejected(ALREADY_ASSIGNED));
    }
    match ctx.out.runners.assign_runner(id, project.id, ctx.now()) {
        Ok(()) => ctx.queues.forget(id),
        Err(RepoError::Conflict(field)) if field == "runner_project" => {
            return Err(RunnerError::Rejected(ALREADY_ASSIGNED));
        }
        // The runner or the project was deleted meanwhile.
        Err(RepoError::Conflict(_)) => return Err(RunnerError::NotFound(What::Runner)),
        Err(other) => return Err(other.into()),
    }
    tracing::info!(
        runner.id = id.0,
        project.id = project.id.0,
        "runner assigned"
    );
    let managers = ctx.out.runners.runner_managers(id)?;
    let ip = ctx.latest(&managers).and_then(|m| m.ip_address.clone());
    Ok(ctx.view(runner, ip))
}
