//! Who may read, update, delete, assign and unassign which runner, and create runners.
//!
//! Roles are the actor's effective roles (inherited down the group tree): in the group of a
//! group runner, and in each project a project runner is assigned to.

use super::RunnerType;
use crate::Role;
use crate::permission::Actor;

/// A runner and the actor's roles where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunnerStanding {
    Instance,
    /// The actor's role in the runner's group.
    Group(Option<Role>),
    /// The actor's role in each project the runner is assigned to.
    Project(Vec<Option<Role>>),
}

/// Why an action is refused, with GitLab's reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// `403 Forbidden - No access granted`.
    NoAccess,
    /// `403 Forbidden - Runner associated with more than one project`.
    MoreThanOneProject,
    /// `403 Forbidden - Runner is a group runner`.
    GroupRunner,
    /// `403 Forbidden - Runner is locked`.
    Locked,
    /// `403 Forbidden - Only one project associated with the runner. Please remove the runner instead`.
    OnlyOneProject,
    /// Instance runners are never assigned to projects (400 for administrators).
    InstanceRunner,
}

impl Denied {
    pub fn reason(self) -> &'static str {
        match self {
            Denied::NoAccess => "No access granted",
            Denied::MoreThanOneProject => "Runner associated with more than one project",
            Denied::GroupRunner => "Runner is a group runner",
            Denied::Locked => "Runner is locked",
            Denied::OnlyOneProject => {
                "Only one project associated with the runner. Please remove the runner instead"
            }
            Denied::InstanceRunner => "Runner is an instance runner",
        }
    }
}

fn any_at_least(roles: &[Option<Role>], minimum: Role) -> bool {
    roles.iter().any(|r| r.is_some_and(|r| r >= minimum))
}

/// Instance runners: any signed-in user. Group runners: maintainers and owners of the group.
/// Project runners: maintainers of any of its projects.
pub fn may_read(actor: &Actor, standing: &RunnerStanding) -> bool {
    actor.admin
        || match standing {
            RunnerStanding::Instance => true,
            RunnerStanding::Group(role) => role.is_some_and(|r| r >= Role::Maintainer),
            RunnerStanding::Project(roles) => any_at_least(roles, Role::Maintainer),
        }
}

/// Update and reset the token: group owners; maintainers of any of a project runner's
/// projects; instance runners administrators only.
pub fn may_update(actor: &Actor, standing: &RunnerStanding) -> bool {
    actor.admin
        || match standing {
            RunnerStanding::Instance => false,
            RunnerStanding::Group(role) => *role == Some(Role::Owner),
            RunnerStanding::Project(roles) => any_at_least(roles, Role::Maintainer),
        }
}

/// Delete: administrators always; a project runner of several projects never otherwise.
pub fn may_delete(actor: &Actor, standing: &RunnerStanding) -> Result<(), Denied> {
    if actor.admin {
        return Ok(());
    }
    match standing {
        RunnerStanding::Project(roles) if roles.len() > 1 => Err(Denied::MoreThanOneProject),
        other if may_update(actor, other) => Ok(()),
        _ => Err(Denied::NoAccess),
    }
}

/// Assign a runner to another project (the caller already maintains that project).
pub fn may_assign(
    actor: &Actor,
    runner_type: RunnerType,
    locked: bool,
    standing: &RunnerStanding,
) -> Result<(), Denied> {
    match runner_type {
        RunnerType::Group => return Err(Denied::GroupRunner),
        RunnerType::Instance if actor.admin => return Err(Denied::InstanceRunner),
        _ => {}
    }
    if actor.admin {
        return Ok(());
    }
    if runner_type == RunnerType::Project && locked {
        return Err(Denied::Locked);
    }
    match standing {
        RunnerStanding::Project(roles) if any_at_least(roles, Role::Maintainer) => Ok(()),
        _ => Err(Denied::NoAccess),
    }
}

/// Unassign a runner from a project (the caller already maintains that project): never its
/// only project.
pub fn may_unassign(project_count: usize) -> Result<(), Denied> {
    if project_count <= 1 {
        Err(Denied::OnlyOneProject)
    } else {
        Ok(())
    }
}

/// `GET /groups/:id/runners`: maintainers and owners of the group (roles inherited).
pub fn may_list_group_runners(actor: &Actor, role: Option<Role>) -> bool {
    actor.admin || role.is_some_and(|r| r >= Role::Maintainer)
}

/// `POST /user/runners`: instance runners by administrators, group runners by the group's
/// owners, project runners by the project's maintainers.
pub fn may_create(actor: &Actor, runner_type: RunnerType, role: Option<Role>) -> bool {
    actor.admin
        || match runner_type {
            RunnerType::Instance => false,
            RunnerType::Group => role == Some(Role::Owner),
            RunnerType::Project => role.is_some_and(|r| r >= Role::Maintainer),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    const USER: Actor = Actor {
        user: UserId(2),
        admin: false,
    };
    const ADMIN: Actor = Actor {
        user: UserId(1),
        admin: true,
    };
    const ROLES: [Option<Role>; 6] = [
        None,
        Some(Role::Guest),
        Some(Role::Reporter),
        Some(Role::Developer),
        Some(Role::Maintainer),
        Some(Role::Owner),
    ];

    #[test]
    fn reading_and_updating_by_role() {
        // (standing for a role, read expected per ROLES, update expected per ROLES)
        for (i, role) in ROLES.iter().enumerate() {
            let group = RunnerStanding::Group(*role);
            let project = RunnerStanding::Project(vec![*role]);
            assert_eq!(may_read(&USER, &group), i >= 4, "group read {role:?}");
            assert_eq!(may_update(&USER, &group), i == 5, "group update {role:?}");
            assert_eq!(may_read(&USER, &project), i >= 4, "project read {role:?}");
            assert_eq!(
                may_update(&USER, &project),
                i >= 4,
                "project update {role:?}"
            );
            assert!(may_read(&ADMIN, &group) && may_update(&ADMIN, &project));
        }
        assert!(may_read(&USER, &RunnerStanding::Instance));
        assert!(!may_update(&USER, &RunnerStanding::Instance));
        assert!(may_update(&ADMIN, &RunnerStanding::Instance));
        let two = RunnerStanding::Project(vec![None, Some(Role::Maintainer)]);
        assert!(may_read(&USER, &two) && may_update(&USER, &two));
    }

    #[test]
    fn deleting() {
        let two = RunnerStanding::Project(vec![Some(Role::Maintainer), Some(Role::Maintainer)]);
        assert_eq!(may_delete(&USER, &two), Err(Denied::MoreThanOneProject));
        assert_eq!(may_delete(&ADMIN, &two), Ok(()));
        assert_eq!(
            may_delete(
                &USER,
                &RunnerStanding::Project(vec![Some(Role::Maintainer)])
            ),
            Ok(())
        );
        assert_eq!(
            may_delete(&USER, &RunnerStanding::Project(vec![Some(Role::Developer)])),
            Err(Denied::NoAccess)
        );
        assert_eq!(
            may_delete(&USER, &RunnerStanding::Group(Some(Role::Maintainer))),
            Err(Denied::NoAccess)
        );
        assert_eq!(
            may_delete(&USER, &RunnerStanding::Group(Some(Role::Owner))),
            Ok(())
        );
        assert_eq!(
            may_delete(&USER, &RunnerStanding::Instance),
            Err(Denied::NoAccess)
        );
    }

    #[test]
    fn assigning_and_unassigning() {
        let maintained = RunnerStanding::Project(vec![Some(Role::Maintainer)]);
        let foreign = RunnerStanding::Project(vec![None]);
        assert_eq!(
            may_assign(&USER, RunnerType::Project, false, &maintained),
            Ok(())
        );
        assert_eq!(
            may_assign(&USER, RunnerType::Project, false, &foreign),
            Err(Denied::NoAccess)
        );
        assert_eq!(
            may_assign(&USER, RunnerType::Project, true, &maintained),
            Err(Denied::Locked)
        );
        assert_eq!(
            may_assign(&ADMIN, RunnerType::Project, true, &foreign),
            Ok(())
        );
        assert_eq!(
            may_assign(&ADMIN, RunnerType::Group, false, &foreign),
            Err(Denied::GroupRunner)
        );
        assert_eq!(
            may_assign(&USER, RunnerType::Group, false, &foreign),
            Err(Denied::GroupRunner)
        );
        assert_eq!(
            may_assign(
                &USER,
                RunnerType::Instance,
                false,
                &RunnerStanding::Instance
            ),
            Err(Denied::NoAccess)
        );
        assert_eq!(
            may_assign(
                &ADMIN,
                RunnerType::Instance,
                false,
                &RunnerStanding::Instance
            ),
            Err(Denied::InstanceRunner)
        );
        assert_eq!(may_unassign(1), Err(Denied::OnlyOneProject));
        assert_eq!(may_unassign(2), Ok(()));
    }

    #[test]
    fn listing_a_groups_runners() {
        for (role, want) in ROLES.iter().zip([false, false, false, false, true, true]) {
            assert_eq!(may_list_group_runners(&USER, *role), want, "{role:?}");
        }
        assert!(may_list_group_runners(&ADMIN, None));
    }

    #[test]
    fn creating() {
        assert!(may_create(&ADMIN, RunnerType::Instance, None));
        assert!(!may_create(&USER, RunnerType::Instance, Some(Role::Owner)));
        assert!(may_create(&USER, RunnerType::Group, Some(Role::Owner)));
        assert!(!may_create(
            &USER,
            RunnerType::Group,
            Some(Role::Maintainer)
        ));
        assert!(may_create(
            &USER,
            RunnerType::Project,
            Some(Role::Maintainer)
        ));
        assert!(!may_create(
            &USER,
            RunnerType::Project,
            Some(Role::Developer)
        ));
    }
}
