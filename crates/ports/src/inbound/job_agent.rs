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
    /// 409: every job offered was taken by another runner meanwhile; the runner retries.
    Conflict,
}

/// A job a dependency's artifacts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub id: JobId,
    pub name: String,
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
}

/// A runner's call about a job it runs was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobAuthError {
    /// 403: no such job, or not its token.
    #[error("forbidden")]
    Forbidden,
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
    /// 400: a `state` other than `running`, `success` or `failed`.
    #[error("invalid state")]
    InvalidState,
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
    /// Returns the job's status after the update (`Job-Status`).
    fn update_job(&self, id: JobId, update: JobUpdate) -> Result<JobStatus, JobUpdateError>;
    fn append_trace(&self, id: JobId, append: TraceAppend) -> Result<TraceAppended, TraceError>;
}
