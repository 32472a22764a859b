use std::future::Future;
use std::pin::Pin;

use paddock_domain::JobId;
use paddock_domain::job::variables::JobVariable;
use paddock_domain::job::{Job, JobStatus, Pipeline};
use paddock_domain::project::Project;
use paddock_domain::runner::Runner;
use paddock_domain::token::PlainToken;
use paddock_domain::user::User;

use super::{RunnerAuthError, RunnerContact};
use crate::RepoError;

/// `POST /jobs/request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRequest {
    pub token: PlainToken,
    pub contact: RunnerContact,
    /// The queue value the runner saw last (`X-GitLab-Last-Update`).
    pub last_update: Option<String>,
    /// The features the runner advertises as enabled (`info.features`).
    pub features: Vec<String>,
}

/// What a job request gets.
#[derive(Debug, Clone, PartialEq)]
pub enum JobRequestOutcome {
    /// 201: a job, now running on this runner.
    Job(Box<JobPayload>),
    /// 204: nothing for this runner; the runner's queue value.
    NoJob { last_update: String },
    /// The runner is paused: 204 in v4 as `NoJob`, 404 in the v1 API.
    Paused { last_update: String },
    /// 409: every job offered was taken by another runner meanwhile; the runner retries.
    Conflict,
}

/// Why a parked job request (long polling) wakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueWake {
    /// The runner's queue value changed (a job it may take was queued): ask again and answer.
    Changed,
    /// The runner is read again (its entry was stale, or the runner changed): ask again, and
    /// wait again if there is still nothing.
    Reread,
}

/// A wait for a runner's queue value to move on; it holds no thread and no connection.
pub type QueueWatch = Pin<Box<dyn Future<Output = QueueWake> + Send>>;

/// A job a dependency's artifacts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub id: JobId,
    pub name: String,
    pub stage: String,
    pub status: JobStatus,
    /// Its archive, when it has one that has not expired (`artifacts_file`).
    pub archive: Option<paddock_domain::job::artifact::Artifact>,
}

/// Everything the runner needs to run a job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPayload {
    pub job: Job,
    /// The job token, shown only here.
    pub token: PlainToken,
    pub pipeline: Pipeline,
    pub project: Project,
    pub runner: Runner,
    pub user: Option<User>,
    pub variables: Vec<JobVariable>,
    /// Seconds.
    pub timeout: u64,
    /// What runners clone: the project's `repository_url`.
    pub repo_url: String,
    /// `GIT_DEPTH` when a variable sets it.
    pub git_depth: Option<u32>,
    pub dependencies: Vec<Dependency>,
    /// `job_info.project_jobs_running_on_instance_runners_count`.
    pub running_on_instance: String,
    pub time_in_queue_seconds: f64,
}

/// `PUT /jobs/:id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobUpdate {
    pub token: PlainToken,
    /// `None`: a keep-alive.
    pub state: Option<String>,
    pub failure_reason: Option<String>,
    pub exit_code: Option<i64>,
    /// The whole log (GitLab 12 and older, and the v1 API): replaces what is stored.
    pub trace: Option<Vec<u8>>,
    /// `checksum` or `output[checksum]`: the runner's checksum of the log it wrote.
    pub checksum: Option<String>,
    /// `output[bytesize]`: the length of the log the runner wrote.
    pub log_bytesize: Option<u64>,
}

/// What a `PUT /jobs/:id` got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobUpdated {
    /// 200: the job's status now.
    Applied(JobStatus),
    /// 202: the log is not complete yet; the runner sends the same update again in
    /// `retry_in` seconds (`X-GitLab-Trace-Update-Interval`).
    Waiting { status: JobStatus, retry_in: u64 },
}

/// A runner's call about a job it runs was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobAuthError {
    /// 403: not the job's token (or, for `update_build`, not its runner's either).
    #[error("forbidden")]
    Forbidden,
    /// No such job (403 in v4, which never says whether a job exists; 404 in v1), or, for
    /// `update_build`, a runner token of another runner.
    #[error("no such job")]
    NotFound,
    /// 403 `Job is not processing on runner`, with `Job-Status`.
    #[error("job is {0}")]
    NotRunning(JobStatus),
    #[error("internal: {0}")]
    Internal(String),
}

/// `PUT /jobs/:id` refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobUpdateError {
    #[error(transparent)]
    Auth(#[from] JobAuthError),
    /// 400: a `state` other than `running`, `success` or `failed` (or `canceled` while
    /// canceling).
    #[error("invalid state")]
    InvalidState,
}

/// A build after `PUT /ci/api/v1/builds/:id`, with the project the v1 entity names.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildView {
    pub job: Job,
    pub project: Project,
}

/// `PATCH /jobs/:id/trace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceAppend {
    pub token: PlainToken,
    /// The start of `Content-Range`; `None` when the header is missing or malformed (400,
    /// once the job token is checked).
    pub start: Option<u64>,
    pub data: Vec<u8>,
}

/// What became of a log append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceAppended {
    /// 202: the log is this long now.
    Appended { size: u64, status: JobStatus },
    /// 416: the start was not the log's end; the log is this long.
    Mismatch { size: u64 },
}

/// `PATCH /jobs/:id/trace` refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error(transparent)]
    Auth(#[from] JobAuthError),
    /// 403: the log would grow past the limit; the job failed with `trace_size_exceeded`.
    #[error("log too large")]
    TooLarge,
    /// 400 `400 Missing header Content-Range`.
    #[error("no usable Content-Range")]
    NoRange,
}

impl From<RepoError> for JobAuthError {
    fn from(error: RepoError) -> Self {
        JobAuthError::Internal(error.to_string())
    }
}

impl From<RepoError> for JobUpdateError {
    fn from(error: RepoError) -> Self {
        JobUpdateError::Auth(error.into())
    }
}

impl From<RepoError> for TraceError {
    fn from(error: RepoError) -> Self {
        TraceError::Auth(error.into())
    }
}

/// The runner-facing job protocol: runner tokens to ask for jobs, job tokens for the rest.
pub trait JobAgentUseCases {
    fn request_job(&self, request: JobRequest) -> Result<JobRequestOutcome, RunnerAuthError>;
    /// The answer to a job request when memory alone gives it (a runner known here that is
    /// paused, whose `last_update` is current, or whose queue was read empty at its current
    /// value): no database, cheap enough for the async edge. `None`: ask
    /// [`request_job`](Self::request_job).
    fn request_job_from_memory(
        &self,
        request: &JobRequest,
    ) -> Option<Result<JobRequestOutcome, RunnerAuthError>>;
    /// A wait for the runner's queue value to move on from `last_update`, from memory only
    /// (no database, cheap enough for the async edge); `None` when `last_update` is not the
    /// current value of an active runner known here: ask again at once instead.
    fn watch_queue(&self, token: &PlainToken, last_update: &str) -> Option<QueueWatch>;
    /// Applies a state, or waits for the log to be complete first (two-phase finish).
    fn update_job(&self, id: JobId, update: JobUpdate) -> Result<JobUpdated, JobUpdateError>;
    fn append_trace(&self, id: JobId, append: TraceAppend) -> Result<TraceAppended, TraceError>;
    /// `PUT /ci/api/v1/builds/:id`: as `update_job`, with `update.token` the build's token or
    /// the token of the runner that holds it (what 2016 runners send).
    fn update_build(&self, id: JobId, update: JobUpdate) -> Result<BuildView, JobUpdateError>;
}

/// What one sweep of overdue jobs ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OverdueReport {
    /// Running past their timeout and grace: failed, `job_execution_timeout`.
    pub timed_out: usize,
    /// Running without a word from their runner: failed, `stuck_or_timeout_failure`.
    pub silent: usize,
    /// Canceling without a word from their runner: canceled.
    pub canceled: usize,
    /// Pending and taken by no runner: failed, `stuck_or_timeout_failure`.
    pub stuck_pending: usize,
}

impl OverdueReport {
    pub fn total(&self) -> usize {
        self.timed_out + self.silent + self.canceled + self.stuck_pending
    }
}

/// Background work on jobs (the server runs it periodically; not an HTTP use case).
pub trait JobHousekeeping {
    /// Ends overdue jobs, at most `limit` per rule, and moves their pipelines on.
    ///
    /// # Errors
    /// The store failed; what was ended before stays ended.
    fn end_overdue_jobs(&self, limit: usize) -> Result<OverdueReport, RepoError>;
}
