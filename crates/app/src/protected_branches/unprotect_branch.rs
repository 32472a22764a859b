use paddock_domain::permission::{Actor, ProjectAction};
use paddock_ports::inbound::{ProjectRef, ProtectedBranchError, What};
use paddock_ports::outbound::Outbound;

use super::authorized_project;

pub fn execute(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
    name: &str,
) -> Result<(), ProtectedBranchError> {
    let project = authorized_project(out, actor, project, ProjectAction::ManageProtectedBranches)?;
    if out
        .protected_branches
        .delete_protected_branch(project.id, name)?
    {
        Ok(())
    } else {
        Err(ProtectedBranchError::NotFound(What::ProtectedBranch))
    }
}
