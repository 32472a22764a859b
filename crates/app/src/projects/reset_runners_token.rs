use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{ProjectRef, ResetTokenError, What};
use paddock_ports::outbound::Outbound;

use crate::access::{new_registration_token, project_standing, visible_project};

/// Maintainers reset a project's registration token.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
) -> Result<PlainToken, ResetTokenError> {
    let (project, _, roles) = visible_project(out, Some(actor), project)?;
    if !may_on_project(
        Some(actor),
        project_standing(&project, roles),
        ProjectAction::ManageRunners,
    ) {
        return Err(ResetTokenError::Forbidden);
    }
    let (plain, sealed) = new_registration_token(out);
    if !out
        .projects
        .set_project_runners_token(project.id, &sealed)?
    {
        return Err(ResetTokenError::NotFound(What::Project));
    }
    Ok(plain)
}
