use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::variable::{ProjectVariable, VariableType};

use paddock_domain::names::FieldError;

use super::{FindError, ProjectRef, What};
use crate::{Page, RepoError};

/// What the variable operations answer besides success (GitLab answers 403 to those who see
/// the project but may not manage its variables, for reads too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariableError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden,
    /// 400 `{"message": {"key": [...]}}`: a bad key or value, or a key taken.
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<RepoError> for VariableError {
    fn from(error: RepoError) -> Self {
        VariableError::Internal(error.to_string())
    }
}

impl From<FindError> for VariableError {
    fn from(error: FindError) -> Self {
        match error {
            FindError::NotFound(what) => VariableError::NotFound(what),
            FindError::Internal(text) => VariableError::Internal(text),
        }
    }
}

/// The attributes of `POST` and `PUT /projects/:id/variables`; `None` is "not given".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VariableInput {
    pub key: Option<String>,
    pub value: Option<String>,
    pub variable_type: Option<VariableType>,
    pub protected: Option<bool>,
    pub masked: Option<bool>,
    pub raw: Option<bool>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub environment_scope: Option<String>,
}

/// A project's CI/CD variables (maintainers).
pub trait VariableUseCases {
    fn variables(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        page: PageRequest,
    ) -> Result<Page<ProjectVariable>, VariableError>;
    fn variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        key: &str,
    ) -> Result<ProjectVariable, VariableError>;
    fn create_variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        input: VariableInput,
    ) -> Result<ProjectVariable, VariableError>;
    fn update_variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        key: &str,
        input: VariableInput,
    ) -> Result<ProjectVariable, VariableError>;
    fn delete_variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        key: &str,
    ) -> Result<(), VariableError>;
}
