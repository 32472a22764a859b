mod add_member;
mod get_member;
mod list_members;
mod remove_member;
mod update_member;

use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, GroupAction, ProjectAction, may_on_group, may_on_project};
use paddock_domain::{MemberSource, Role, UserId};
use paddock_ports::Page;
use paddock_ports::inbound::{
    AddMemberRequest, FindError, MemberError, MemberTarget, MemberUseCases, UpdateMemberRequest,
};
use paddock_ports::outbound::{MemberWithUser, Outbound};

use crate::Paddock;
use crate::access::{group_standing, project_standing, visible_group, visible_project};

impl MemberUseCases for Paddock {
    fn members(
        &self,
        actor: Option<&Actor>,
        target: &MemberTarget,
        query: Option<String>,
        page: PageRequest,
    ) -> Result<Page<MemberWithUser>, MemberError> {
        list_members::execute(&self.out, actor, target, query.as_deref(), page)
    }

    fn member(
        &self,
        actor: Option<&Actor>,
        target: &MemberTarget,
        user: UserId,
    ) -> Result<MemberWithUser, MemberError> {
        get_member::execute(&self.out, actor, target, user)
    }

    fn add_member(
        &self,
        actor: &Actor,
        target: &MemberTarget,
        request: AddMemberRequest,
    ) -> Result<MemberWithUser, MemberError> {
        add_member::execute(&self.out, actor, target, request)
    }

    fn update_member(
        &self,
        actor: &Actor,
        target: &MemberTarget,
        user: UserId,
        request: UpdateMemberRequest,
    ) -> Result<MemberWithUser, MemberError> {
        update_member::execute(&self.out, actor, target, user, request)
    }

    fn remove_member(
        &self,
        actor: &Actor,
        target: &MemberTarget,
        user: UserId,
    ) -> Result<(), MemberError> {
        remove_member::execute(&self.out, actor, target, user)
    }
}

/// A group or project resolved for membership work: what the actor may do there.
struct Resolved {
    source: MemberSource,
    /// The actor's effective role there.
    role: Option<Role>,
    /// Whether the actor may add, change and remove members.
    may_manage: bool,
    is_group: bool,
}

fn resolve(
    out: &Outbound,
    actor: Option<&Actor>,
    target: &MemberTarget,
) -> Result<Resolved, FindError> {
    match target {
        MemberTarget::Group(group) => {
            let (group, role) = visible_group(out, actor, group)?;
            Ok(Resolved {
                source: MemberSource::Group(group.id),
                role,
                may_manage: may_on_group(
                    actor,
                    group_standing(&group, role),
                    GroupAction::ManageMembers,
                ),
                is_group: true,
            })
        }
        MemberTarget::Project(project) => {
            let (project, _, roles) = visible_project(out, actor, project)?;
            let standing = project_standing(&project, roles);
            Ok(Resolved {
                source: MemberSource::Project(project.id),
                role: roles.effective(),
                may_manage: may_on_project(actor, standing, ProjectAction::ManageMembers),
                is_group: false,
            })
        }
    }
}
