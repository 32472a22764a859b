use chrono::{DateTime, Utc};
use paddock_domain::member::Membership;
use paddock_domain::pagination::PageRequest;
use paddock_domain::user::User;
use paddock_domain::{MemberSource, Role, UserId};

use super::{Page, RepoResult};

/// A membership with its user, for member lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberWithUser {
    pub membership: Membership,
    pub user: User,
}

pub trait MemberRepository: Send + Sync {
    /// Conflict `member` if the user is already a direct member of the source.
    fn add_member(&self, membership: &Membership) -> RepoResult<()>;
    fn update_member(
        &self,
        source: MemberSource,
        user: UserId,
        role: Role,
        expires_at: Option<Option<DateTime<Utc>>>,
    ) -> RepoResult<Option<Membership>>;
    fn remove_member(&self, source: MemberSource, user: UserId) -> RepoResult<bool>;
    fn member(&self, source: MemberSource, user: UserId) -> RepoResult<Option<MemberWithUser>>;
    /// Direct members, ordered by user id; `query` filters by username or name.
    fn members(
        &self,
        source: MemberSource,
        query: Option<&str>,
        page: PageRequest,
    ) -> RepoResult<Page<MemberWithUser>>;
    /// The user's direct memberships among `sources`, expired ones included.
    fn memberships_of(&self, user: UserId, sources: &[MemberSource])
    -> RepoResult<Vec<Membership>>;
    /// How many owners a source has (a group keeps at least one).
    fn count_owners(&self, source: MemberSource) -> RepoResult<u64>;
}
