use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_domain::{NamespaceId, Role, Visibility};

use super::{CreateError, DeleteError, FindError, ResetTokenError, UpdateError};
use crate::Page;
use crate::outbound::{GroupChanges, GroupOrder, Sort};

/// A group named by id or by its URL-decoded full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    Id(NamespaceId),
    Path(String),
}

impl GroupRef {
    /// A path segment as GitLab reads it: digits are an id, anything else a full path.
    pub fn parse(segment: &str) -> Self {
        match segment.parse::<i64>() {
            Ok(id) => GroupRef::Id(NamespaceId(id)),
            Err(_) => GroupRef::Path(segment.to_owned()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateGroupRequest {
    pub name: String,
    pub path: String,
    pub parent_id: Option<NamespaceId>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
}

/// A group as one user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDetails {
    pub group: Namespace,
    /// Shown only to those who manage the group's runners.
    pub runners_token: Option<PlainToken>,
}

/// Filters of a group list, as the API takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupQuery {
    pub top_level_only: bool,
    pub search: Option<String>,
    pub visibility: Option<Visibility>,
    /// Only groups the actor owns.
    pub owned: bool,
    /// Only groups where the actor has at least this role.
    pub min_access_level: Option<Role>,
    pub order: GroupOrder,
    pub sort: Sort,
}

pub trait GroupUseCases {
    /// Anyone signed in may create a top-level group; a subgroup needs maintainer in the parent.
    fn create_group(
        &self,
        actor: &Actor,
        request: CreateGroupRequest,
    ) -> Result<GroupDetails, CreateError>;
    fn group(&self, actor: Option<&Actor>, group: &GroupRef) -> Result<GroupDetails, FindError>;
    fn groups(
        &self,
        actor: Option<&Actor>,
        query: GroupQuery,
        page: PageRequest,
    ) -> Result<Page<Namespace>, FindError>;
    fn subgroups(
        &self,
        actor: Option<&Actor>,
        group: &GroupRef,
        query: GroupQuery,
        page: PageRequest,
    ) -> Result<Page<Namespace>, FindError>;
    fn update_group(
        &self,
        actor: &Actor,
        group: &GroupRef,
        changes: GroupChanges,
    ) -> Result<GroupDetails, UpdateError>;
    fn delete_group(&self, actor: &Actor, group: &GroupRef) -> Result<(), DeleteError>;
    fn reset_group_runners_token(
        &self,
        actor: &Actor,
        group: &GroupRef,
    ) -> Result<PlainToken, ResetTokenError>;
}
