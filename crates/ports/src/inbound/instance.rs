use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;

use super::ResetTokenError;

/// Tokens the operator chose (`PADDOCK_ROOT_TOKEN`, `PADDOCK_REGISTRATION_TOKEN`).
#[derive(Debug, Clone, Default)]
pub struct BootstrapRequest {
    pub root_token: Option<PlainToken>,
    pub registration_token: Option<PlainToken>,
}

/// What the first start created. Generated secrets are handed back once, to be written to
/// files by the server; secrets the operator chose are not repeated.
#[derive(Debug, Clone, Default)]
pub struct BootstrapReport {
    pub root_created: bool,
    pub registration_token_created: bool,
    pub generated_root_token: Option<PlainToken>,
    pub generated_registration_token: Option<PlainToken>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BootstrapError {
    #[error("{0}")]
    Internal(String),
}

impl From<crate::RepoError> for BootstrapError {
    fn from(error: crate::RepoError) -> Self {
        BootstrapError::Internal(error.to_string())
    }
}

pub trait InstanceUseCases {
    /// Creates `root` and the instance registration token on an empty database; does nothing
    /// for what exists already.
    fn bootstrap(&self, request: BootstrapRequest) -> Result<BootstrapReport, BootstrapError>;
    /// `POST /runners/reset_registration_token`: administrators only.
    fn reset_instance_runners_token(&self, actor: &Actor) -> Result<PlainToken, ResetTokenError>;
    /// Readiness: the storage answers.
    fn ready(&self) -> Result<(), String>;
}
