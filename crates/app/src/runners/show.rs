//! `GET /runners/:id`.

use paddock_domain::permission::{Actor, GroupAction, ProjectAction, may_on_group, may_on_project};
use paddock_domain::runner::permission::{RunnerStanding, may_read, may_update};
use paddock_domain::runner::{Runner, RunnerId};
use paddock_ports::inbound::{RunnerDetails, RunnerError};

use super::Ctx;
use crate::access::{group_standing, namespace_role, project_roles, project_standing};

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: RunnerId,
    include_projects: bool,
) -> Result<RunnerDetails, RunnerError> {
    let (runner, standing) = ctx.load(actor, id)?;
    if !may_read(actor, &standing) {
        return Err(RunnerError::Forbidden(Some("No access granted")));
    }
    details(ctx, actor, runner, &standing, include_projects)
}

/// The details of a runner the actor may read: its projects and group as far as the actor
/// may see them, and the latest manager's version.
pub fn details(
    ctx: &Ctx<'_>,
    actor: &Actor,
    runner: Runner,
    standing: &RunnerStanding,
    include_projects: bool,
) -> Result<RunnerDetails, RunnerError> {
    let out = ctx.out;
    // Managers seen but not yet written down are written first.
    ctx.flush();
    let projects = if include_projects {
        let mut visible = Vec::new();
        for project_id in out.runners.runner_project_ids(runner.id)? {
            let Some(project) = out.projects.project(project_id)? else {
                continue;
            };
            let Some(namespace) = out.namespaces.namespace(project.namespace_id)? else {
                continue;
            };
            let roles = project_roles(out, Some(actor), &project, &namespace)?;
            if may_on_project(
                Some(actor),
                project_standing(&project, roles),
                ProjectAction::Read,
            ) {
                visible.push(project);
            }
        }
        Some(visible)
    } else {
        None
    };
    let mut groups = Vec::new();
    if let Some(group_id) = runner.group_id
        && let Some(group) = out.namespaces.namespace(group_id)?
    {
        let role = namespace_role(out, Some(actor), &group)?;
        if may_on_group(Some(actor), group_standing(&group, role), GroupAction::Read) {
            groups.push(group);
        }
    }
    let managers = out.runners.runner_managers(runner.id)?;
    let latest_manager = ctx.latest(&managers).cloned();
    let may_update = may_update(actor, standing);
    // The address of the runner's machine is for those who manage it.
    let ip = latest_manager
        .as_ref()
        .filter(|_| may_update)
        .and_then(|m| m.ip_address.clone());
    Ok(RunnerDetails {
        view: ctx.view(runner, ip),
        projects,
        groups,
        latest_manager,
        may_update,
    })
}
