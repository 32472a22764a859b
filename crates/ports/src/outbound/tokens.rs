use chrono::{DateTime, Utc};
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::token::TokenDigest;
use paddock_domain::{Scopes, TokenId, UserId};

use super::RepoResult;

/// A personal access token to store: only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPersonalAccessToken {
    pub user_id: UserId,
    pub name: String,
    pub scopes: Scopes,
    pub digest: TokenDigest,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub trait PersonalAccessTokenRepository: Send + Sync {
    /// Conflict `token` if the digest exists already.
    fn create_token(&self, new: NewPersonalAccessToken) -> RepoResult<PersonalAccessToken>;
    fn token_by_digest(&self, digest: &TokenDigest) -> RepoResult<Option<PersonalAccessToken>>;
    fn tokens_of_user(&self, user: UserId) -> RepoResult<Vec<PersonalAccessToken>>;
    fn revoke_token(&self, id: TokenId) -> RepoResult<bool>;
    /// Records use; callers throttle it, it is not needed for correctness.
    fn touch_token(&self, id: TokenId, at: DateTime<Utc>) -> RepoResult<()>;
}
