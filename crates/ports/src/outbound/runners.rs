use chrono::{DateTime, Utc};
use paddock_domain::pagination::PageRequest;
use paddock_domain::runner::filter::RunnerFilter;
use paddock_domain::runner::{
    RegistrationType, Runner, RunnerId, RunnerInfo, RunnerManager, RunnerSettings, RunnerType, Tags,
};
use paddock_domain::token::TokenDigest;
use paddock_domain::{NamespaceId, ProjectId, UserId};

use super::{Page, RepoResult};

/// A runner to create; a project runner is assigned to its project in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRunner {
    pub runner_type: RunnerType,
    pub group_id: Option<NamespaceId>,
    pub project_id: Option<ProjectId>,
    pub settings: RunnerSettings,
    pub name: Option<String>,
    pub token_digest: TokenDigest,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub registration_type: RegistrationType,
    pub creator_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Changes to a runner; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunnerChanges {
    pub description: Option<String>,
    pub maintenance_note: Option<String>,
    pub active: Option<bool>,
    pub locked: Option<bool>,
    pub run_untagged: Option<bool>,
    pub access_level: Option<paddock_domain::runner::AccessLevel>,
    pub maximum_timeout: Option<Option<i64>>,
    pub tags: Option<Tags>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Which runners a list starts from, before the filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunnerSet {
    All,
    /// Project runners of projects where the user is at least maintainer (directly or through
    /// a group) and group runners of groups, and their subgroups, that the user owns.
    ManagedBy {
        user: UserId,
        now: DateTime<Utc>,
    },
    /// Runners assigned to the project, group runners of `groups`, and instance runners when
    /// `instance`.
    ForProject {
        project: ProjectId,
        groups: Vec<NamespaceId>,
        instance: bool,
    },
    /// Group runners of `groups`, and instance runners when `instance`.
    ForGroups {
        groups: Vec<NamespaceId>,
        instance: bool,
    },
}

/// A list request: a set, filters, ordered by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerQuery {
    pub set: RunnerSet,
    pub filter: RunnerFilter,
}

/// What became of an unassignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unassigned {
    Done,
    /// The runner does not exist or is not assigned to the project.
    NotAssigned,
    /// The project is the runner's only one: nothing changed.
    OnlyProject,
}

/// What a runner machine reported in one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerContact {
    pub system_id: String,
    /// `None`: keep the stored details (the contact did not send any).
    pub info: Option<RunnerInfo>,
    pub ip_address: Option<String>,
}

/// A contact to write down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactUpdate {
    pub runner: RunnerId,
    pub contacted_at: DateTime<Utc>,
    pub manager: Option<ManagerContact>,
}

pub trait RunnerRepository: Send + Sync {
    fn create_runner(&self, new: NewRunner) -> RepoResult<Runner>;
    fn runner(&self, id: RunnerId) -> RepoResult<Option<Runner>>;
    fn runner_by_token(&self, digest: &TokenDigest) -> RepoResult<Option<Runner>>;
    fn runners(&self, query: &RunnerQuery, page: PageRequest) -> RepoResult<Page<Runner>>;
    fn update_runner(&self, id: RunnerId, changes: &RunnerChanges) -> RepoResult<Option<Runner>>;
    /// Deletes the runner with its tags, project assignments and managers.
    fn delete_runner(&self, id: RunnerId) -> RepoResult<bool>;
    /// Gives the runner a new token. With `replacing`, only while its token is still that one
    /// (a runner resetting its own token twice at once gets one new token, not two).
    fn set_runner_token(
        &self,
        id: RunnerId,
        digest: &TokenDigest,
        expires_at: Option<DateTime<Utc>>,
        replacing: Option<&TokenDigest>,
    ) -> RepoResult<bool>;
    /// The projects a runner is assigned to, in the order of assignment.
    fn runner_project_ids(&self, id: RunnerId) -> RepoResult<Vec<ProjectId>>;
    /// Assigns the runner to one more project; the runner's `updated_at` becomes `at`.
    /// Conflict `runner_project` if it is assigned already.
    fn assign_runner(&self, id: RunnerId, project: ProjectId, at: DateTime<Utc>) -> RepoResult<()>;
    /// Unassigns the runner from a project unless that is its only project, atomically (two
    /// concurrent unassigns never leave a runner without a project); on success the
    /// runner's `updated_at` becomes `at`.
    fn unassign_runner(
        &self,
        id: RunnerId,
        project: ProjectId,
        at: DateTime<Utc>,
    ) -> RepoResult<Unassigned>;
    /// A runner's managers, most recently contacted first.
    fn runner_managers(&self, id: RunnerId) -> RepoResult<Vec<RunnerManager>>;
    /// The managers of several runners (for lists), in no particular order.
    fn managers_of_runners(&self, ids: &[RunnerId]) -> RepoResult<Vec<RunnerManager>>;
    fn delete_runner_manager(&self, id: RunnerId, system_id: &str) -> RepoResult<bool>;
    /// Writes contacts down: `contacted_at` of runners, and their managers (created on first
    /// contact, updated after). A contact older than the stored one changes nothing (several
    /// processes write contacts). Each update stands alone: one that cannot be written (its
    /// runner is gone, the storage refuses a value) is skipped, and the others are written;
    /// an error is returned only when the storage cannot be reached at all.
    fn record_contacts(&self, updates: &[ContactUpdate]) -> RepoResult<()>;
}
