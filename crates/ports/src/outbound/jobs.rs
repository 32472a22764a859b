use std::collections::HashMap;

use chrono::{DateTime, Utc};
use paddock_domain::job::queue::Candidate;
use paddock_domain::job::trace::Append;
use paddock_domain::job::{FailureReason, Job, JobStatus};
use paddock_domain::pagination::PageRequest;
use paddock_domain::runner::RunnerId;
use paddock_domain::token::TokenDigest;
use paddock_domain::{JobId, NamespaceId, PipelineId, ProjectId, UserId};

use super::{Page, RepoResult, Sort};

/// Which jobs a list starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSet {
    Project(ProjectId),
    Pipeline(PipelineId),
    /// Jobs a runner took.
    Runner(RunnerId),
}

/// A job list: a set, statuses (empty: any), ordered by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFilter {
    pub set: JobSet,
    pub statuses: Vec<JobStatus>,
    /// Whether tries replaced by a retry are listed.
    pub include_retried: bool,
    /// For [`JobSet::Runner`]: only jobs of these projects (`None`: any).
    pub projects: Option<Vec<ProjectId>>,
    pub sort: Sort,
}

/// A change of a job's status, applied only while its status is one of `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobChange {
    pub from: Vec<JobStatus>,
    pub to: JobStatus,
    pub at: DateTime<Utc>,
    /// Set when failing.
    pub failure_reason: Option<FailureReason>,
    pub exit_code: Option<i64>,
    /// `Some`: the job's `allow_failure` becomes this.
    pub allow_failure: Option<bool>,
    /// `Some(b)`: applied only when the runner that took the job did (`true`) or did not
    /// (`false`) advertise `cancel_gracefully`.
    pub graceful: Option<bool>,
}

impl JobChange {
    /// A change to `to` from exactly the statuses `from`.
    pub fn between(from: &[JobStatus], to: JobStatus, at: DateTime<Utc>) -> Self {
        JobChange {
            from: from.to_vec(),
            to,
            at,
            failure_reason: None,
            exit_code: None,
            allow_failure: None,
            graceful: None,
        }
    }

    /// A change to `to` from every status the state machine allows to become it.
    pub fn to(to: JobStatus, at: DateTime<Utc>) -> Self {
        JobChange::between(&to.sources(), to, at)
    }

    /// Failing a job that a runner holds, for `reason`.
    pub fn failure(reason: FailureReason, at: DateTime<Utc>) -> Self {
        JobChange {
            failure_reason: Some(reason),
            ..JobChange::to(JobStatus::Failed, at)
        }
    }
}

/// The pending jobs a runner may be offered, before the order is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueScope {
    /// A project runner: jobs of the projects it is assigned to.
    ProjectRunner(RunnerId),
    /// A group runner: jobs of projects in the group and its subgroups that allow group
    /// runners.
    GroupRunner(NamespaceId),
    /// An instance runner: jobs of projects that allow shared runners.
    InstanceRunner,
}

/// What a runner can take: jobs whose tags are all among `tags`, untagged jobs only with
/// `run_untagged`, jobs of protected refs only with `protected_only`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub scope: QueueScope,
    pub tags: Vec<String>,
    pub run_untagged: bool,
    pub protected_only: bool,
}

/// How a job is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub status: JobStatus,
    pub allow_failure: bool,
    pub user_id: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// A runner takes a pending job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub job: JobId,
    pub runner: RunnerId,
    /// Whether the runner is an instance runner (fair scheduling counts these).
    pub instance_runner: bool,
    pub system_id: String,
    /// The digest of the job's new token.
    pub token_digest: TokenDigest,
    pub at: DateTime<Utc>,
    /// The runner advertised `cancel_gracefully`: a cancel lets it finish (`canceling`).
    pub cancel_gracefully: bool,
}

/// Which time of a job a sweep compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobClock {
    /// The end of its timeout, set when a runner took it ([`JobRepository::set_deadline`]).
    Deadline,
    /// Its last change, or the last runner contact written ([`JobRepository::touch_job`]).
    Updated,
}

/// Jobs a sweep ends: in one of `statuses`, with `clock` before `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub statuses: Vec<JobStatus>,
    pub clock: JobClock,
    pub before: DateTime<Utc>,
}

pub trait JobRepository: Send + Sync {
    fn job(&self, id: JobId) -> RepoResult<Option<Job>>;
    /// A job with the digest of its token (`None` before a runner took it).
    fn job_with_token(&self, id: JobId) -> RepoResult<Option<(Job, Option<TokenDigest>)>>;
    /// The job whose token has this digest.
    fn job_by_token(&self, digest: &TokenDigest) -> RepoResult<Option<Job>>;
    fn jobs(&self, filter: &JobFilter, page: PageRequest) -> RepoResult<Page<Job>>;
    /// Every job of a pipeline, retried tries included, by id.
    fn pipeline_jobs(&self, pipeline: PipelineId) -> RepoResult<Vec<Job>>;
    /// Changes a job's status if it is one of `change.from`: `updated_at` becomes `at`;
    /// `queued_at` too when it becomes pending, `finished_at` when it completes. Returns the
    /// job after, or `None` when nothing changed (no such job, or another status).
    fn change_job(&self, id: JobId, change: &JobChange) -> RepoResult<Option<Job>>;
    /// Replaces a job by a new try: a new job (new id) with the same pipeline, project, name,
    /// stage, `when`, definition, tags and ref, with the retry's status, `allow_failure` and
    /// user, created (and `updated_at`) at `retry.at`, no runner, empty log; the old job is
    /// marked retried, in the same transaction. `None` when there is no such job or it was
    /// retried already.
    fn retry_job(&self, id: JobId, retry: &Retry) -> RepoResult<Option<Job>>;
    /// Pending jobs the query allows, oldest first, at most `limit`.
    fn queue(&self, query: &QueueQuery, limit: usize) -> RepoResult<Vec<Candidate>>;
    /// The oldest pending job the query allows of each project, oldest first, at most
    /// `limit` (fair scheduling for instance runners looks at every project, not only those
    /// with the oldest jobs).
    fn queue_heads(&self, query: &QueueQuery, limit: usize) -> RepoResult<Vec<Candidate>>;
    /// How many jobs of each project run on instance runners now (projects without any are
    /// left out).
    fn running_on_instance(&self, projects: &[ProjectId]) -> RepoResult<HashMap<ProjectId, u64>>;
    /// Gives a pending job to a runner in one conditional update: it becomes running with the
    /// runner, its machine and its token. `None` when the job is not pending any more (another
    /// runner won).
    fn assign_job(&self, assignment: &Assignment) -> RepoResult<Option<Job>>;
    /// Appends to a job's log at `start`, which must be the log's size, unless the log would
    /// grow past `limit` bytes. `None` when there is no such job.
    fn append_trace(
        &self,
        id: JobId,
        start: u64,
        data: &[u8],
        limit: u64,
    ) -> RepoResult<Option<Append>>;
    /// Replaces a job's whole log (old runners send it whole). `false` when there is no job.
    fn replace_trace(&self, id: JobId, data: &[u8]) -> RepoResult<bool>;
    /// Keeps what the job's log must not show, sealed, replacing what was kept. `false` when
    /// there is no such job.
    fn set_job_secrets(&self, id: JobId, sealed: &[u8]) -> RepoResult<bool>;
    /// What [`set_job_secrets`](Self::set_job_secrets) kept; `None` when nothing was.
    fn job_secrets(&self, id: JobId) -> RepoResult<Option<Vec<u8>>>;
    /// A job's log; `None` when there is no such job.
    fn trace(&self, id: JobId) -> RepoResult<Option<Vec<u8>>>;
    /// Up to `limit` jobs the sweep ends, oldest `clock` first.
    fn overdue_jobs(&self, overdue: &Overdue, limit: usize) -> RepoResult<Vec<JobId>>;
    /// When the timeout of a job a runner took ends. `false` when there is no such job.
    fn set_deadline(&self, id: JobId, deadline: DateTime<Utc>) -> RepoResult<bool>;
    /// Records a runner's contact about a job it holds (running or canceling):
    /// `updated_at` becomes `at`. `false` when there is no such job held.
    fn touch_job(&self, id: JobId, at: DateTime<Utc>) -> RepoResult<bool>;
    /// The runner asked to finish the job before its log was complete: remembers `at` unless
    /// an earlier time is kept, and returns the time kept. `None` when there is no such job.
    fn request_finish(&self, id: JobId, at: DateTime<Utc>) -> RepoResult<Option<DateTime<Utc>>>;
}
