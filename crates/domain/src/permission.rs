//! Who may do what to groups and projects, from their role and the resource's visibility.
//!
//! Roles are inherited down the group tree: the caller passes the effective role (the highest
//! of the direct role and every ancestor group's role, see [`Role::effective`]). Administrators
//! may do everything.

use crate::{Role, UserId, Visibility};

/// A signed-in user acting through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub admin: bool,
}

/// A user's relation to a group or a project: their effective role (if any) and the
/// resource's visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub role: Option<Role>,
    pub visibility: Visibility,
}

/// Things done to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAction {
    Read,
    Update,
    Delete,
    CreateSubgroup,
    CreateProject,
    ManageMembers,
    /// See and reset the registration token, manage the group's runners.
    ManageRunners,
}

/// Things done to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAction {
    Read,
    Update,
    Delete,
    ManageMembers,
    ReadProtectedBranches,
    ManageProtectedBranches,
    /// See and reset the registration token, list and assign the project's runners.
    ManageRunners,
    /// See pipelines, jobs and job logs (GitLab's public pipelines are on by default, so
    /// whoever sees the project sees them).
    ReadPipelines,
    /// Create pipelines; cancel, retry and play jobs and pipelines.
    RunPipelines,
    /// Delete pipelines.
    DeletePipelines,
    /// Read and change the project's CI/CD variables.
    ManageVariables,
    /// Delete jobs' artifacts.
    DeleteArtifacts,
}

fn readable(actor: Option<&Actor>, standing: Standing) -> bool {
    actor.is_some_and(|a| a.admin)
        || (actor.is_some() && standing.role.is_some())
        || standing.visibility.visible_to_non_member(actor.is_some())
}

fn at_least(actor: Option<&Actor>, standing: Standing, minimum: Role) -> bool {
    match actor {
        None => false,
        Some(a) if a.admin => true,
        Some(_) => standing.role.is_some_and(|r| r >= minimum),
    }
}

/// Whether `actor` (`None` for an anonymous request) may do `action` to a group.
pub fn may_on_group(actor: Option<&Actor>, standing: Standing, action: GroupAction) -> bool {
    match action {
        GroupAction::Read => readable(actor, standing),
        GroupAction::CreateProject => at_least(actor, standing, Role::Developer),
        GroupAction::CreateSubgroup => at_least(actor, standing, Role::Maintainer),
        GroupAction::Update
        | GroupAction::Delete
        | GroupAction::ManageMembers
        | GroupAction::ManageRunners => at_least(actor, standing, Role::Owner),
    }
}

/// Whether `actor` (`None` for an anonymous request) may do `action` to a project.
pub fn may_on_project(actor: Option<&Actor>, standing: Standing, action: ProjectAction) -> bool {
    match action {
        ProjectAction::Read | ProjectAction::ReadPipelines => readable(actor, standing),
        ProjectAction::RunPipelines => at_least(actor, standing, Role::Developer),
        ProjectAction::Update
        | ProjectAction::ManageVariables
        | ProjectAction::DeleteArtifacts
        | ProjectAction::ManageMembers
        | ProjectAction::ReadProtectedBranches
        | ProjectAction::ManageProtectedBranches
        | ProjectAction::ManageRunners => at_least(actor, standing, Role::Maintainer),
        ProjectAction::Delete | ProjectAction::DeletePipelines => {
            at_least(actor, standing, Role::Owner)
        }
    }
}

/// Whether a member manager with role `own` may give (or change, or take away) the role
/// `role`: owners and administrators any role, maintainers up to maintainer.
pub fn may_grant(actor: &Actor, own: Option<Role>, role: Role) -> bool {
    actor.admin
        || own == Some(Role::Owner)
        || (own == Some(Role::Maintainer) && role <= Role::Maintainer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: Actor = Actor {
        user: UserId(2),
        admin: false,
    };
    const ADMIN: Actor = Actor {
        user: UserId(1),
        admin: true,
    };

    fn standing(role: Option<Role>, visibility: Visibility) -> Standing {
        Standing { role, visibility }
    }

    /// Roles in the order the tables list them: none, guest, reporter, developer,
    /// maintainer, owner.
    const ROLES: [Option<Role>; 6] = [
        None,
        Some(Role::Guest),
        Some(Role::Reporter),
        Some(Role::Developer),
        Some(Role::Maintainer),
        Some(Role::Owner),
    ];

    #[test]
    fn group_matrix_for_private_groups() {
        let table: [(GroupAction, [bool; 6]); 7] = [
            (GroupAction::Read, [false, true, true, true, true, true]),
            (
                GroupAction::CreateProject,
                [false, false, false, true, true, true],
            ),
            (
                GroupAction::CreateSubgroup,
                [false, false, false, false, true, true],
            ),
            (
                GroupAction::Update,
                [false, false, false, false, false, true],
            ),
            (
                GroupAction::Delete,
                [false, false, false, false, false, true],
            ),
            (
                GroupAction::ManageMembers,
                [false, false, false, false, false, true],
            ),
            (
                GroupAction::ManageRunners,
                [false, false, false, false, false, true],
            ),
        ];
        for (action, expected) in table {
            for (role, want) in ROLES.iter().zip(expected) {
                let s = standing(*role, Visibility::Private);
                assert_eq!(
                    may_on_group(Some(&USER), s, action),
                    want,
                    "{action:?} {role:?}"
                );
                assert!(may_on_group(Some(&ADMIN), s, action), "admin {action:?}");
                assert!(!may_on_group(None, s, action), "anonymous {action:?}");
            }
        }
    }

    #[test]
    fn project_matrix_for_private_projects() {
        let table: [(ProjectAction, [bool; 6]); 12] = [
            (
                ProjectAction::DeleteArtifacts,
                [false, false, false, false, true, true],
            ),
            (ProjectAction::Read, [false, true, true, true, true, true]),
            (
                ProjectAction::ReadPipelines,
                [false, true, true, true, true, true],
            ),
            (
                ProjectAction::RunPipelines,
                [false, false, false, true, true, true],
            ),
            (
                ProjectAction::ManageVariables,
                [false, false, false, false, true, true],
            ),
            (
                ProjectAction::DeletePipelines,
                [false, false, false, false, false, true],
            ),
            (
                ProjectAction::Update,
                [false, false, false, false, true, true],
            ),
            (
                ProjectAction::ManageMembers,
                [false, false, false, false, true, true],
            ),
            (
                ProjectAction::ReadProtectedBranches,
                [false, false, false, false, true, true],
            ),
            (
                ProjectAction::ManageProtectedBranches,
                [false, false, false, false, true, true],
            ),
            (
                ProjectAction::ManageRunners,
                [false, false, false, false, true, true],
            ),
            (
                ProjectAction::Delete,
                [false, false, false, false, false, true],
            ),
        ];
        for (action, expected) in table {
            for (role, want) in ROLES.iter().zip(expected) {
                let s = standing(*role, Visibility::Private);
                assert_eq!(
                    may_on_project(Some(&USER), s, action),
                    want,
                    "{action:?} {role:?}"
                );
                assert!(may_on_project(Some(&ADMIN), s, action), "admin {action:?}");
            }
        }
    }

    #[test]
    fn visibility_opens_reading_only() {
        let internal = standing(None, Visibility::Internal);
        let public = standing(None, Visibility::Public);
        assert!(may_on_project(Some(&USER), internal, ProjectAction::Read));
        assert!(!may_on_project(None, internal, ProjectAction::Read));
        assert!(may_on_project(None, public, ProjectAction::Read));
        assert!(!may_on_project(Some(&USER), public, ProjectAction::Update));
        assert!(may_on_group(None, public, GroupAction::Read));
        assert!(!may_on_group(
            Some(&USER),
            public,
            GroupAction::CreateProject
        ));
    }

    #[test]
    fn granting_roles() {
        assert!(may_grant(&ADMIN, None, Role::Owner));
        assert!(may_grant(&USER, Some(Role::Owner), Role::Owner));
        assert!(may_grant(&USER, Some(Role::Maintainer), Role::Maintainer));
        assert!(!may_grant(&USER, Some(Role::Maintainer), Role::Owner));
        assert!(!may_grant(&USER, Some(Role::Developer), Role::Guest));
    }
}
