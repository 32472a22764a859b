//! Projects.

use chrono::{DateTime, Utc};

use crate::{NamespaceId, ProjectId, UserId, Visibility};

/// A project as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: ProjectId,
    pub name: String,
    pub path: String,
    pub description: String,
    pub namespace_id: NamespaceId,
    /// `group/subgroup/project`.
    pub path_with_namespace: String,
    /// `Group / Subgroup / Project`.
    pub name_with_namespace: String,
    pub visibility: Visibility,
    pub default_branch: String,
    /// Paddock extension: the git URL runners clone (`git_info.repo_url`).
    pub repository_url: Option<String>,
    /// Paddock extension: the project's CI configuration (YAML).
    pub ci_config: Option<String>,
    pub shared_runners_enabled: bool,
    pub group_runners_enabled: bool,
    pub creator_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// GitLab's default branch name for a new project.
pub const DEFAULT_BRANCH: &str = "main";
