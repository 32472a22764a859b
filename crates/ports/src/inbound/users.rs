use chrono::{DateTime, Utc};
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::token::PlainToken;
use paddock_domain::user::User;
use paddock_domain::{Scope, UserId};

use super::{CreateError, DeleteError, FindError};
use crate::Page;
use crate::outbound::UserFilter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUserRequest {
    pub username: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTokenRequest {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new token and its one showing of the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedToken {
    pub token: PersonalAccessToken,
    pub secret: PlainToken,
}

pub trait UserUseCases {
    /// `GET /users`: signed-in users only.
    fn list_users(
        &self,
        actor: &Actor,
        filter: UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, FindError>;
    fn get_user(&self, actor: &Actor, id: UserId) -> Result<User, FindError>;
    /// Administrators only. `Conflict` for a username or e-mail address in use.
    fn create_user(&self, actor: &Actor, request: CreateUserRequest) -> Result<User, CreateError>;
    /// Administrators only.
    fn delete_user(&self, actor: &Actor, id: UserId) -> Result<(), DeleteError>;
    /// `POST /users/:id/personal_access_tokens`: administrators only.
    fn create_personal_access_token(
        &self,
        actor: &Actor,
        user: UserId,
        request: CreateTokenRequest,
    ) -> Result<CreatedToken, CreateError>;
}
