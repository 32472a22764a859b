mod list_protected_branches;
mod protect_branch;
mod unprotect_branch;

use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::project::Project;
use paddock_domain::protected_branch::ProtectedBranch;
use paddock_ports::Page;
use paddock_ports::inbound::{
    ProjectRef, ProtectBranchRequest, ProtectedBranchError, ProtectedBranchUseCases,
};
use paddock_ports::outbound::Outbound;

use crate::Paddock;
use crate::access::{project_standing, visible_project};

impl ProtectedBranchUseCases for Paddock {
    fn protected_branches(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        page: PageRequest,
    ) -> Result<Page<ProtectedBranch>, ProtectedBranchError> {
        list_protected_branches::all(&self.out, actor, project, page)
    }

    fn protected_branch(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        name: &str,
    ) -> Result<ProtectedBranch, ProtectedBranchError> {
        list_protected_branches::one(&self.out, actor, project, name)
    }

    fn protect_branch(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        request: ProtectBranchRequest,
    ) -> Result<ProtectedBranch, ProtectedBranchError> {
        protect_branch::execute(&self.out, actor, project, request)
    }

    fn unprotect_branch(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        name: &str,
    ) -> Result<(), ProtectedBranchError> {
        unprotect_branch::execute(&self.out, actor, project, name)
    }
}

/// The project, if the actor may see it and do `action` to its protected branches.
fn authorized_project(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
    action: ProjectAction,
) -> Result<Project, ProtectedBranchError> {
    let (project, _, roles) = visible_project(out, Some(actor), project)?;
    if !may_on_project(Some(actor), project_standing(&project, roles), action) {
        return Err(ProtectedBranchError::Forbidden);
    }
    Ok(project)
}
