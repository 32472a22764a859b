use chrono::{DateTime, Utc};
use paddock_domain::UserId;
use paddock_domain::pagination::PageRequest;
use paddock_domain::user::User;

use super::{Page, RepoResult};

/// A user to create, with the personal namespace that comes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub created_at: DateTime<Utc>,
}

/// Filters of `GET /users`; lists are ordered by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFilter {
    /// Exact username, case-insensitive.
    pub username: Option<String>,
    /// Part of the username, name or e-mail, case-insensitive.
    pub search: Option<String>,
    pub active_only: bool,
    pub blocked_only: bool,
    pub admins_only: bool,
    pub sort: super::Sort,
}

pub trait UserRepository: Send + Sync {
    /// Creates the user and its personal namespace (path = username) together.
    /// Conflict `username` (the name is taken by a user or a top-level group) or `email`.
    fn create_user(&self, new: NewUser) -> RepoResult<User>;
    fn user(&self, id: UserId) -> RepoResult<Option<User>>;
    fn user_by_username(&self, username: &str) -> RepoResult<Option<User>>;
    fn users(&self, filter: &UserFilter, page: PageRequest) -> RepoResult<Page<User>>;
    /// Deletes the user with its personal namespace and projects, memberships and tokens, and
    /// the project runners it leaves without any project.
    fn delete_user(&self, id: UserId) -> RepoResult<bool>;
}
