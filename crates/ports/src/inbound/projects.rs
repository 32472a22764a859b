use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::project::Project;
use paddock_domain::token::PlainToken;
use paddock_domain::user::User;
use paddock_domain::{NamespaceId, ProjectId, Role, UserId, Visibility};

use super::{CreateError, DeleteError, FindError, GroupRef, ResetTokenError, UpdateError};
use crate::Page;
use crate::outbound::{ProjectChanges, ProjectOrder, Sort};

/// A project named by id or by its URL-decoded full path (`group/sub/project`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectRef {
    Id(ProjectId),
    Path(String),
}

impl ProjectRef {
    /// A path segment as GitLab reads it: digits are an id, anything else a full path.
    pub fn parse(segment: &str) -> Self {
        match segment.parse::<i64>() {
            Ok(id) => ProjectRef::Id(ProjectId(id)),
            Err(_) => ProjectRef::Path(segment.to_owned()),
        }
    }
}

/// The namespace a new project goes in: an id or a full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceRef {
    Id(NamespaceId),
    Path(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateProjectRequest {
    /// At least one of name and path; the other is derived from it.
    pub name: Option<String>,
    pub path: Option<String>,
    /// The actor's own namespace when absent.
    pub namespace: Option<NamespaceRef>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
    pub default_branch: Option<String>,
    pub repository_url: Option<String>,
    pub ci_config: Option<String>,
    pub shared_runners_enabled: Option<bool>,
    pub group_runners_enabled: Option<bool>,
}

/// A project as one user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDetails {
    pub project: Project,
    pub namespace: Namespace,
    /// The user of a personal namespace.
    pub owner: Option<User>,
    /// Shown only to those who manage the project's runners.
    pub runners_token: Option<PlainToken>,
    /// The actor's direct role in the project.
    pub project_access: Option<Role>,
    /// The actor's highest role in the project's groups.
    pub group_access: Option<Role>,
}

/// A project in a list, with its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectListItem {
    pub project: Project,
    pub namespace: Namespace,
}

/// Filters of a project list, as the API takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectQuery {
    pub search: Option<String>,
    pub visibility: Option<Visibility>,
    /// Only projects the actor is a member of.
    pub membership: bool,
    /// Only projects the actor owns.
    pub owned: bool,
    pub min_access_level: Option<Role>,
    /// For group lists: projects of subgroups too.
    pub include_subgroups: bool,
    pub order: ProjectOrder,
    pub sort: Option<Sort>,
}

pub trait ProjectUseCases {
    fn create_project(
        &self,
        actor: &Actor,
        request: CreateProjectRequest,
    ) -> Result<ProjectDetails, CreateError>;
    fn project(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
    ) -> Result<ProjectDetails, FindError>;
    fn projects(
        &self,
        actor: Option<&Actor>,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectListItem>, FindError>;
    fn group_projects(
        &self,
        actor: Option<&Actor>,
        group: &GroupRef,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectListItem>, FindError>;
    fn user_projects(
        &self,
        actor: Option<&Actor>,
        user: UserId,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectListItem>, FindError>;
    fn update_project(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        changes: ProjectChanges,
    ) -> Result<ProjectDetails, UpdateError>;
    fn delete_project(&self, actor: &Actor, project: &ProjectRef) -> Result<(), DeleteError>;
    fn reset_project_runners_token(
        &self,
        actor: &Actor,
        project: &ProjectRef,
    ) -> Result<PlainToken, ResetTokenError>;
}
