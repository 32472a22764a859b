use chrono::{DateTime, Utc};
use paddock_domain::names::FieldError;
use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::project::Project;
use paddock_domain::runner::filter::{ScopeFilter, StatusFilter, VersionPrefix};
use paddock_domain::runner::status::RunnerStatus;
use paddock_domain::runner::{
    AccessLevel, Runner, RunnerId, RunnerInfo, RunnerManager, RunnerType,
};
use paddock_domain::token::PlainToken;
use paddock_domain::{NamespaceId, ProjectId};

use super::{FindError, GroupRef, ProjectRef, What};
use crate::{Page, RepoError};

/// `If-Unmodified-Since` of a delete: the instant the caller last saw the resource.
pub type UnmodifiedSince = Option<DateTime<Utc>>;

/// Settings given when creating or updating a runner; `None` is "not given".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunnerSettingsInput {
    pub description: Option<String>,
    pub maintenance_note: Option<String>,
    pub active: Option<bool>,
    pub locked: Option<bool>,
    pub run_untagged: Option<bool>,
    pub access_level: Option<AccessLevel>,
    /// `Some(None)` clears it.
    pub maximum_timeout: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
}

impl RunnerSettingsInput {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Where a runner request comes from and what it says about its machine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunnerContact {
    /// `system_id` of the runner manager; `None` for runners that do not send one.
    pub system_id: Option<String>,
    /// `info`; `None` when the request has none (the stored details are kept).
    pub info: Option<RunnerInfo>,
    /// The client address (the first of `X-Forwarded-For`).
    pub ip_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRunnerRequest {
    pub registration_token: PlainToken,
    pub settings: RunnerSettingsInput,
    pub contact: RunnerContact,
}

/// `POST /user/runners`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRunnerRequest {
    pub runner_type: RunnerType,
    pub group_id: Option<NamespaceId>,
    pub project_id: Option<ProjectId>,
    pub settings: RunnerSettingsInput,
}

/// A runner's authentication token, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub runner: RunnerId,
    pub token: PlainToken,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The filters of a runner list, as the API takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunnerListQuery {
    pub scope: Option<ScopeFilter>,
    pub runner_type: Option<RunnerType>,
    pub status: Option<StatusFilter>,
    pub paused: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub version_prefix: Option<VersionPrefix>,
}

/// Which runners `GET /runners` and `GET /runners/all` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunnerList {
    /// The caller's runners.
    Managed,
    /// Every runner (administrators).
    All,
}

/// A runner as lists show it, with its live contact time and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerView {
    pub runner: Runner,
    pub contacted_at: Option<DateTime<Utc>>,
    pub status: RunnerStatus,
    pub online: Option<bool>,
    /// The address of its most recently contacted manager.
    pub ip_address: Option<String>,
}

/// A runner as `GET /runners/:id` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerDetails {
    pub view: RunnerView,
    /// Its projects the caller may see; `None` when not asked for.
    pub projects: Option<Vec<Project>>,
    /// Its group, when the caller may see it.
    pub groups: Vec<Namespace>,
    /// The most recently contacted manager (version, revision, platform, architecture).
    pub latest_manager: Option<RunnerManager>,
    /// Whether the caller may update the runner (and so see its maintenance note and jobs).
    pub may_update: bool,
}

/// A runner manager with its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerManagerView {
    pub manager: RunnerManager,
    pub status: RunnerStatus,
    pub online: Option<bool>,
}

/// A runner-facing request refused: GitLab's 403 for an unknown, deleted or expired token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunnerAuthError {
    #[error("forbidden")]
    Forbidden,
    /// The runner changed after `If-Unmodified-Since`.
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("internal: {0}")]
    Internal(String),
}

/// Registration with a registration token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// `403 Forbidden - invalid token supplied`.
    #[error("invalid registration token")]
    InvalidToken,
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("internal: {0}")]
    Internal(String),
}

/// `DELETE /runners/managers`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoveManagerError {
    #[error("forbidden")]
    Forbidden,
    /// The manager changed after `If-Unmodified-Since`.
    #[error("precondition failed")]
    PreconditionFailed,
    /// `404 Runner manager not found Not Found`.
    #[error("runner manager not found")]
    NotFound,
    #[error("internal: {0}")]
    Internal(String),
}

/// Managing runners with a personal access token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunnerError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    /// 403, with GitLab's reason when it gives one.
    #[error("forbidden")]
    Forbidden(Option<&'static str>),
    /// 400 `400 Bad request - <reason>`.
    #[error("bad request: {0}")]
    Rejected(&'static str),
    /// The runner changed after `If-Unmodified-Since`.
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("internal: {0}")]
    Internal(String),
}

macro_rules! from_repo {
    ($($error:ident),*) => {
        $(
            impl From<RepoError> for $error {
                fn from(error: RepoError) -> Self {
                    $error::Internal(error.to_string())
                }
            }
        )*
    };
}

from_repo!(
    RunnerAuthError,
    RegisterError,
    RemoveManagerError,
    RunnerError
);

impl From<FindError> for RunnerError {
    fn from(error: FindError) -> Self {
        match error {
            FindError::NotFound(what) => RunnerError::NotFound(what),
            FindError::Internal(text) => RunnerError::Internal(text),
        }
    }
}

/// The runner-facing API: authenticated by registration or runner tokens.
pub trait RunnerAgentUseCases {
    fn register_runner(&self, request: RegisterRunnerRequest)
    -> Result<IssuedToken, RegisterError>;
    /// Checks a runner token and records the contact; returns the runner's id and expiry.
    fn verify_runner(
        &self,
        token: &PlainToken,
        contact: RunnerContact,
    ) -> Result<IssuedToken, RunnerAuthError>;
    /// Deletes the runner of this token; returns it as it was.
    fn unregister_runner(
        &self,
        token: &PlainToken,
        since: UnmodifiedSince,
    ) -> Result<RunnerView, RunnerAuthError>;
    /// A runner replaces its own token.
    fn reset_own_runner_token(
        &self,
        token: &PlainToken,
        contact: RunnerContact,
    ) -> Result<IssuedToken, RunnerAuthError>;
    fn remove_runner_manager(
        &self,
        token: &PlainToken,
        system_id: &str,
        since: UnmodifiedSince,
    ) -> Result<(), RemoveManagerError>;
    /// Writes the contacts that are due (`everything`: every contact newer than what was
    /// written, when the server stops); returns how many were written.
    fn flush_runner_contacts(&self, everything: bool) -> Result<usize, String>;
}

/// Managing runners with a personal access token.
pub trait RunnerUseCases {
    fn runners(
        &self,
        actor: &Actor,
        list: RunnerList,
        query: RunnerListQuery,
        page: PageRequest,
    ) -> Result<Page<RunnerView>, RunnerError>;
    fn project_runners(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        query: RunnerListQuery,
        page: PageRequest,
    ) -> Result<Page<RunnerView>, RunnerError>;
    fn group_runners(
        &self,
        actor: &Actor,
        group: &GroupRef,
        query: RunnerListQuery,
        page: PageRequest,
    ) -> Result<Page<RunnerView>, RunnerError>;
    fn runner(
        &self,
        actor: &Actor,
        id: RunnerId,
        include_projects: bool,
    ) -> Result<RunnerDetails, RunnerError>;
    fn update_runner(
        &self,
        actor: &Actor,
        id: RunnerId,
        changes: RunnerSettingsInput,
    ) -> Result<RunnerDetails, RunnerError>;
    fn delete_runner(
        &self,
        actor: &Actor,
        id: RunnerId,
        since: UnmodifiedSince,
    ) -> Result<(), RunnerError>;
    fn runner_managers(
        &self,
        actor: &Actor,
        id: RunnerId,
    ) -> Result<Vec<RunnerManagerView>, RunnerError>;
    fn reset_runner_token(&self, actor: &Actor, id: RunnerId) -> Result<IssuedToken, RunnerError>;
    fn assign_runner(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: RunnerId,
    ) -> Result<RunnerView, RunnerError>;
    fn unassign_runner(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: RunnerId,
        since: UnmodifiedSince,
    ) -> Result<(), RunnerError>;
    fn create_runner(
        &self,
        actor: &Actor,
        request: CreateRunnerRequest,
    ) -> Result<IssuedToken, RunnerError>;
}
