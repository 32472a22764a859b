use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_ports::inbound::{DeleteError, ProjectRef, What};
use paddock_ports::outbound::Outbound;

use crate::access::{project_standing, visible_project};

/// Owners delete a project.
pub fn execute(out: &Outbound, actor: &Actor, project: &ProjectRef) -> Result<(), DeleteError> {
    let (project, _, roles) = visible_project(out, Some(actor), project)?;
    if !may_on_project(
        Some(actor),
        project_standing(&project, roles),
        ProjectAction::Delete,
    ) {
        return Err(DeleteError::Forbidden(None));
    }
    let artifacts = out.artifacts.project_artifacts(project.id)?;
    if out.projects.delete_project(project.id)? {
        crate::artifacts::remove_files(out, &artifacts);
        tracing::info!(project.id = project.id.0, project.path = %project.path_with_namespace, "project deleted");
        Ok(())
    } else {
        Err(DeleteError::NotFound(What::Project))
    }
}
