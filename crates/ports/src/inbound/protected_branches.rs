use paddock_domain::names::FieldError;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::protected_branch::{BranchAccessLevel, ProtectedBranch};

use super::{FindError, ProjectRef, What};
use crate::{Page, RepoError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectBranchRequest {
    pub name: String,
    pub push_access_level: Option<BranchAccessLevel>,
    pub merge_access_level: Option<BranchAccessLevel>,
    pub allow_force_push: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtectedBranchError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden,
    /// GitLab's 409 `Protected branch '<name>' already exists`.
    #[error("protected branch already exists")]
    AlreadyExists(String),
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<RepoError> for ProtectedBranchError {
    fn from(error: RepoError) -> Self {
        ProtectedBranchError::Internal(error.to_string())
    }
}

impl From<FindError> for ProtectedBranchError {
    fn from(error: FindError) -> Self {
        match error {
            FindError::NotFound(what) => ProtectedBranchError::NotFound(what),
            FindError::Internal(text) => ProtectedBranchError::Internal(text),
        }
    }
}

pub trait ProtectedBranchUseCases {
    fn protected_branches(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        page: PageRequest,
    ) -> Result<Page<ProtectedBranch>, ProtectedBranchError>;
    fn protected_branch(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        name: &str,
    ) -> Result<ProtectedBranch, ProtectedBranchError>;
    fn protect_branch(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        request: ProtectBranchRequest,
    ) -> Result<ProtectedBranch, ProtectedBranchError>;
    fn unprotect_branch(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        name: &str,
    ) -> Result<(), ProtectedBranchError>;
}
