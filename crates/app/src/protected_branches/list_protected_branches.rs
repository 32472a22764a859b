use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_domain::protected_branch::ProtectedBranch;
use paddock_ports::Page;
use paddock_ports::inbound::{ProjectRef, ProtectedBranchError, What};
use paddock_ports::outbound::Outbound;

use super::authorized_project;

/// Maintainers read a project's protected branch rules.
pub fn all(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
    page: PageRequest,
) -> Result<Page<ProtectedBranch>, ProtectedBranchError> {
    let project = authorized_project(out, actor, project, ProjectAction::ReadProtectedBranches)?;
    Ok(out
        .protected_branches
        .protected_branches(project.id, page)?)
}

pub fn one(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
    name: &str,
) -> Result<ProtectedBranch, ProtectedBranchError> {
    let project = authorized_project(out, actor, project, ProjectAction::ReadProtectedBranches)?;
    out.protected_branches
        .protected_branch(project.id, name)?
        .ok_or(ProtectedBranchError::NotFound(What::ProtectedBranch))
}
