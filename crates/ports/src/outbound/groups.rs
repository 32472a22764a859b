use chrono::{DateTime, Utc};
use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::{NamespaceId, UserId, Visibility};

use super::{Audience, Page, RepoResult, SealedToken, Sort};

/// A group to create. Its full path, full name and traversal ids are derived from the parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub name: String,
    pub path: String,
    pub parent_id: Option<NamespaceId>,
    pub description: String,
    pub visibility: Visibility,
    pub runners_token: SealedToken,
    pub created_at: DateTime<Utc>,
    /// Becomes the group's first owner, in the same transaction.
    pub creator: UserId,
}

/// Changes to a group; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
}

impl GroupChanges {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Which level of the tree a group list covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParentFilter {
    /// Every group.
    #[default]
    Any,
    /// Top-level groups only.
    TopLevel,
    /// Direct children of a group.
    ChildrenOf(NamespaceId),
    /// Every group below a group, at any depth.
    DescendantsOf(NamespaceId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupOrder {
    #[default]
    Name,
    Path,
    Id,
}

/// Filters of `GET /groups` and `GET /groups/:id/subgroups`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFilter {
    pub audience: Audience,
    pub parent: ParentFilter,
    /// Part of the name or path, case-insensitive.
    pub search: Option<String>,
    /// Only groups the user is a direct or inherited member of (`min_access_level`, `owned`).
    pub member: Option<(UserId, paddock_domain::Role, DateTime<Utc>)>,
    pub visibility: Option<Visibility>,
    pub order: GroupOrder,
    pub sort: Sort,
}

pub trait NamespaceRepository: Send + Sync {
    /// Creates a group and makes `creator` its owner. Conflict `path`.
    fn create_group(&self, new: NewGroup) -> RepoResult<Namespace>;
    fn namespace(&self, id: NamespaceId) -> RepoResult<Option<Namespace>>;
    /// Case-insensitive lookup of a group or user namespace by its full path.
    fn namespace_by_full_path(&self, full_path: &str) -> RepoResult<Option<Namespace>>;
    /// The namespaces with these ids, in no particular order; missing ids are skipped.
    fn namespaces(&self, ids: &[NamespaceId]) -> RepoResult<Vec<Namespace>>;
    fn user_namespace(&self, user: UserId) -> RepoResult<Option<Namespace>>;
    fn groups(&self, filter: &GroupFilter, page: PageRequest) -> RepoResult<Page<Namespace>>;
    /// Applies the changes; a new name or path is carried down to every descendant group and
    /// project. Conflict `path`.
    fn update_group(
        &self,
        id: NamespaceId,
        changes: &GroupChanges,
    ) -> RepoResult<Option<Namespace>>;
    /// Deletes the group with its subgroups, their projects, memberships and runners (group
    /// runners, and project runners left without any project).
    fn delete_group(&self, id: NamespaceId) -> RepoResult<bool>;
    /// The group whose registration token has this digest.
    fn group_by_runners_token(
        &self,
        digest: &paddock_domain::token::TokenDigest,
    ) -> RepoResult<Option<Namespace>>;
    fn group_runners_token(&self, id: NamespaceId) -> RepoResult<Option<SealedToken>>;
    fn set_group_runners_token(&self, id: NamespaceId, token: &SealedToken) -> RepoResult<bool>;
}
