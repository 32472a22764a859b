use paddock_domain::pagination::PageRequest;
use paddock_domain::variable::VariableType;
use paddock_domain::{ProjectId, VariableId};

use super::{Page, RepoResult};

/// A project variable as stored: its value encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVariable {
    pub id: VariableId,
    pub project_id: ProjectId,
    pub key: String,
    pub sealed_value: Vec<u8>,
    pub variable_type: VariableType,
    pub protected: bool,
    pub masked: bool,
    pub raw: bool,
    pub environment_scope: String,
    pub description: Option<String>,
}

/// A variable to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVariable {
    pub project_id: ProjectId,
    pub key: String,
    pub sealed_value: Vec<u8>,
    pub variable_type: VariableType,
    pub protected: bool,
    pub masked: bool,
    pub raw: bool,
    pub environment_scope: String,
    pub description: Option<String>,
}

/// Changes to a variable; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VariableChanges {
    pub sealed_value: Option<Vec<u8>>,
    pub variable_type: Option<VariableType>,
    pub protected: Option<bool>,
    pub masked: Option<bool>,
    pub raw: Option<bool>,
    pub description: Option<Option<String>>,
}

/// Project CI/CD variables, one per key and environment scope.
pub trait VariableRepository: Send + Sync {
    /// Conflict `variable_key` when the project has the key already.
    fn create_variable(&self, new: NewVariable) -> RepoResult<StoredVariable>;
    fn variable(&self, project: ProjectId, key: &str) -> RepoResult<Option<StoredVariable>>;
    /// A page of a project's variables, by key.
    fn variables(&self, project: ProjectId, page: PageRequest) -> RepoResult<Page<StoredVariable>>;
    /// Every variable of a project, by key (for the jobs).
    fn all_variables(&self, project: ProjectId) -> RepoResult<Vec<StoredVariable>>;
    fn update_variable(
        &self,
        project: ProjectId,
        key: &str,
        changes: &VariableChanges,
    ) -> RepoResult<Option<StoredVariable>>;
    fn delete_variable(&self, project: ProjectId, key: &str) -> RepoResult<bool>;
}
