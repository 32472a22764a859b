use paddock_domain::namespace::Namespace;
use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::project::Project;
use paddock_ports::inbound::{FindError, ProjectDetails, ProjectRef};
use paddock_ports::outbound::Outbound;

use crate::access::{ProjectRoles, open, project_standing, visible_project};

/// A project the actor may see; its registration token only for those who manage its runners.
pub fn execute(
    out: &Outbound,
    actor: Option<&Actor>,
    project: &ProjectRef,
) -> Result<ProjectDetails, FindError> {
    let (project, namespace, roles) = visible_project(out, actor, project)?;
    details(out, actor, project, namespace, roles)
}

pub fn details(
    out: &Outbound,
    actor: Option<&Actor>,
    project: Project,
    namespace: Namespace,
    roles: ProjectRoles,
) -> Result<ProjectDetails, FindError> {
    let runners_token = if may_on_project(
        actor,
        project_standing(&project, roles),
        ProjectAction::ManageRunners,
    ) {
        open(out, out.projects.project_runners_token(project.id)?)
    } else {
        None
    };
    let owner = match namespace.owner_id {
        Some(owner) => out.users.user(owner)?,
        None => None,
    };
    let (project_access, group_access) = roles.as_reported(&namespace);
    Ok(ProjectDetails {
        project,
        namespace,
        owner,
        runners_token,
        project_access,
        group_access,
    })
}
