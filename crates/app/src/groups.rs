mod create_group;
mod delete_group;
mod get_group;
mod list_groups;
mod reset_runners_token;
mod update_group;

use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::Page;
use paddock_ports::inbound::{
    CreateError, CreateGroupRequest, DeleteError, FindError, GroupDetails, GroupQuery, GroupRef,
    GroupUseCases, ResetTokenError, UpdateError,
};
use paddock_ports::outbound::GroupChanges;

use crate::Paddock;

impl GroupUseCases for Paddock {
    fn create_group(
        &self,
        actor: &Actor,
        request: CreateGroupRequest,
    ) -> Result<GroupDetails, CreateError> {
        create_group::execute(&self.out, actor, request)
    }

    fn group(&self, actor: Option<&Actor>, group: &GroupRef) -> Result<GroupDetails, FindError> {
        get_group::execute(&self.out, actor, group)
    }

    fn groups(
        &self,
        actor: Option<&Actor>,
        query: GroupQuery,
        page: PageRequest,
    ) -> Result<Page<Namespace>, FindError> {
        list_groups::all(&self.out, actor, &query, page)
    }

    fn subgroups(
        &self,
        actor: Option<&Actor>,
        group: &GroupRef,
        query: GroupQuery,
        page: PageRequest,
    ) -> Result<Page<Namespace>, FindError> {
        list_groups::subgroups(&self.out, actor, group, &query, page)
    }

    fn update_group(
        &self,
        actor: &Actor,
        group: &GroupRef,
        changes: GroupChanges,
    ) -> Result<GroupDetails, UpdateError> {
        update_group::execute(&self.out, actor, group, changes)
    }

    fn delete_group(&self, actor: &Actor, group: &GroupRef) -> Result<(), DeleteError> {
        delete_group::execute(&self.out, actor, group)
    }

    fn reset_group_runners_token(
        &self,
        actor: &Actor,
        group: &GroupRef,
    ) -> Result<PlainToken, ResetTokenError> {
        reset_runners_token::execute(&self.out, actor, group)
    }
}

/// The visibility rule between a group or project and its parent group: a child is never
/// more visible than its parent.
pub(crate) fn visibility_within_parent(
    field: &'static str,
    visibility: paddock_domain::Visibility,
    parent: &Namespace,
    what: &str,
) -> Option<paddock_domain::names::FieldError> {
    (parent.is_group() && visibility > parent.visibility).then(|| {
        paddock_domain::names::FieldError::new(
            field,
            format!(
                "{} is not allowed since the parent {what} has a {} visibility.",
                visibility.as_str(),
                parent.visibility.as_str()
            ),
        )
    })
}
