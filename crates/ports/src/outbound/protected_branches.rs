use chrono::{DateTime, Utc};
use paddock_domain::ProjectId;
use paddock_domain::pagination::PageRequest;
use paddock_domain::protected_branch::{BranchAccessLevel, ProtectedBranch};

use super::{Page, RepoResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProtectedBranch {
    pub project_id: ProjectId,
    pub name: String,
    pub push_access_level: BranchAccessLevel,
    pub merge_access_level: BranchAccessLevel,
    pub allow_force_push: bool,
    pub created_at: DateTime<Utc>,
}

pub trait ProtectedBranchRepository: Send + Sync {
    /// Conflict `name` if the project protects that name already.
    fn create_protected_branch(&self, new: NewProtectedBranch) -> RepoResult<ProtectedBranch>;
    fn protected_branch(
        &self,
        project: ProjectId,
        name: &str,
    ) -> RepoResult<Option<ProtectedBranch>>;
    /// Ordered by id.
    fn protected_branches(
        &self,
        project: ProjectId,
        page: PageRequest,
    ) -> RepoResult<Page<ProtectedBranch>>;
    fn delete_protected_branch(&self, project: ProjectId, name: &str) -> RepoResult<bool>;
}
