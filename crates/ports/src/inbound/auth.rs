use paddock_domain::Scopes;
use paddock_domain::token::PlainToken;
use paddock_domain::user::User;

/// A request authenticated with a personal access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub user: User,
    pub scopes: Scopes,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Unknown, revoked or expired token, or a blocked user: GitLab's 401.
    #[error("invalid token")]
    Invalid,
    #[error("internal: {0}")]
    Internal(String),
}

impl From<crate::RepoError> for AuthError {
    fn from(error: crate::RepoError) -> Self {
        AuthError::Internal(error.to_string())
    }
}

pub trait Authenticate {
    /// Resolves a personal access token to its user and scopes.
    fn authenticate(&self, token: &PlainToken) -> Result<Authenticated, AuthError>;
}
