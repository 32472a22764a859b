use chrono::{DateTime, Utc};
use paddock_domain::pagination::PageRequest;
use paddock_domain::project::Project;
use paddock_domain::{NamespaceId, ProjectId, UserId, Visibility};

use super::{Audience, Page, RepoResult, SealedToken, Sort};

/// A project to create in an existing namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub name: String,
    pub path: String,
    pub description: String,
    pub namespace_id: NamespaceId,
    pub visibility: Visibility,
    pub default_branch: String,
    pub repository_url: Option<String>,
    pub ci_config: Option<String>,
    pub shared_runners_enabled: bool,
    pub group_runners_enabled: bool,
    pub creator_id: UserId,
    pub runners_token: SealedToken,
    pub created_at: DateTime<Utc>,
    /// The creator's direct membership, added in the same transaction (`None` for a project
    /// in the creator's own namespace, which they own through it).
    pub creator_role: Option<paddock_domain::Role>,
}

/// Changes to a project; `None` leaves a field as it is. For the optional text fields,
/// `Some(None)` clears them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
    pub default_branch: Option<String>,
    pub repository_url: Option<Option<String>>,
    pub ci_config: Option<Option<String>>,
    pub shared_runners_enabled: Option<bool>,
    pub group_runners_enabled: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl ProjectChanges {
    /// Whether nothing but the timestamp would change.
    pub fn is_empty(&self) -> bool {
        Self {
            updated_at: None,
            ..self.clone()
        } == Self::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProjectOrder {
    Id,
    Name,
    Path,
    #[default]
    CreatedAt,
    UpdatedAt,
}

/// Filters of `GET /projects`, `GET /groups/:id/projects` and `GET /users/:id/projects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFilter {
    pub audience: Audience,
    /// Only projects in this namespace, or also in its descendants.
    pub namespace: Option<(NamespaceId, bool)>,
    /// Part of the name or path, case-insensitive.
    pub search: Option<String>,
    pub visibility: Option<Visibility>,
    /// Only projects the user is a member of, directly or through a group, with at least
    /// this role (`membership`, `min_access_level`, `owned`).
    pub member: Option<(UserId, paddock_domain::Role, DateTime<Utc>)>,
    pub order: ProjectOrder,
    pub sort: Sort,
}

pub trait ProjectRepository: Send + Sync {
    /// Conflict `path` or `name` within the namespace.
    fn create_project(&self, new: NewProject) -> RepoResult<Project>;
    fn project(&self, id: ProjectId) -> RepoResult<Option<Project>>;
    /// Case-insensitive lookup by `group/sub/project`.
    fn project_by_full_path(&self, full_path: &str) -> RepoResult<Option<Project>>;
    fn projects(&self, filter: &ProjectFilter, page: PageRequest) -> RepoResult<Page<Project>>;
    /// Conflict `path` or `name`.
    fn update_project(
        &self,
        id: ProjectId,
        changes: &ProjectChanges,
    ) -> RepoResult<Option<Project>>;
    /// Deletes the project with its memberships, protected branches, runner assignments, and
    /// the project runners it leaves without any project.
    fn delete_project(&self, id: ProjectId) -> RepoResult<bool>;
    /// The project whose registration token has this digest.
    fn project_by_runners_token(
        &self,
        digest: &paddock_domain::token::TokenDigest,
    ) -> RepoResult<Option<Project>>;
    fn project_runners_token(&self, id: ProjectId) -> RepoResult<Option<SealedToken>>;
    fn set_project_runners_token(&self, id: ProjectId, token: &SealedToken) -> RepoResult<bool>;
}
