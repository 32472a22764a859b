use paddock_domain::names::FieldError;
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_domain::protected_branch::{BranchAccessLevel, ProtectedBranch};
use paddock_ports::RepoError;
use paddock_ports::inbound::{ProjectRef, ProtectBranchRequest, ProtectedBranchError};
use paddock_ports::outbound::{NewProtectedBranch, Outbound};

use super::authorized_project;

/// Maintainers protect a branch name or wildcard pattern. Push and merge default to
/// maintainers, as in GitLab.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
    request: ProtectBranchRequest,
) -> Result<ProtectedBranch, ProtectedBranchError> {
    let project = authorized_project(out, actor, project, ProjectAction::ManageProtectedBranches)?;
    let name = request.name.trim().to_owned();
    if name.is_empty() || name.len() > 255 || name.chars().any(char::is_control) {
        return Err(ProtectedBranchError::Invalid(vec![FieldError::new(
            "name",
            "is invalid",
        )]));
    }
    let new = NewProtectedBranch {
        project_id: project.id,
        name: name.clone(),
        push_access_level: request
            .push_access_level
            .unwrap_or(BranchAccessLevel::Maintainer),
        merge_access_level: request
            .merge_access_level
            .unwrap_or(BranchAccessLevel::Maintainer),
        allow_force_push: request.allow_force_push.unwrap_or(false),
        created_at: out.clock.now(),
    };
    out.protected_branches
        .create_protected_branch(new)
        .map_err(|error| match error {
            RepoError::Conflict(_) => ProtectedBranchError::AlreadyExists(name),
            other => other.into(),
        })
}
