use paddock_domain::ci::Lint;
use paddock_domain::job::{Job, JobStatus, Pipeline, PipelineVariable};
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::project::Project;
use paddock_domain::runner::RunnerId;
use paddock_domain::user::User;
use paddock_domain::{JobId, PipelineId};

use super::{DeleteError, FindError, ProjectRef, RunnerError, RunnerView, What};
use crate::outbound::{PipelineFilter, Sort};
use crate::{Page, RepoError};

/// `POST /projects/:id/pipeline`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreatePipelineRequest {
    pub ref_name: String,
    /// The commit; resolved from `ref_name` in the project's `repository_url` when absent.
    pub sha: Option<String>,
    /// Whether `ref_name` is a tag; asked of the repository when absent.
    pub tag: Option<bool>,
    pub variables: Vec<PipelineVariable>,
    /// A CI configuration for this pipeline instead of the project's.
    pub ci_config: Option<String>,
}

/// A pipeline as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineView {
    pub pipeline: Pipeline,
    pub project: Project,
    /// Who created it.
    pub user: Option<User>,
}

/// A job as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    pub job: Job,
    pub pipeline: Pipeline,
    pub project: Project,
    pub user: Option<User>,
    /// The runner that took it, if it still exists.
    pub runner: Option<RunnerView>,
    /// Its artifacts that have not expired, by type.
    pub artifacts: Vec<paddock_domain::job::artifact::Artifact>,
}

/// The filters of a job list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobListQuery {
    /// Any status when empty.
    pub statuses: Vec<JobStatus>,
    /// Whether tries replaced by a retry are listed (pipeline job lists).
    pub include_retried: bool,
    pub sort: Sort,
}

/// Creating a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreatePipelineError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden,
    /// 400 `{"message": {"base": [...]}}`: the configuration is invalid, has no jobs, or the
    /// commit cannot be found.
    #[error("pipeline cannot be created: {0:?}")]
    Rejected(Vec<String>),
    #[error("internal: {0}")]
    Internal(String),
}

/// Canceling, retrying or playing a job or a pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobActionError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    /// 403, with GitLab's reason when it gives one (`Job is not retryable`).
    #[error("forbidden")]
    Forbidden(Option<&'static str>),
    /// 400 `400 Bad request - <reason>` (`Unplayable Job`).
    #[error("bad request: {0}")]
    Rejected(&'static str),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<RepoError> for CreatePipelineError {
    fn from(error: RepoError) -> Self {
        CreatePipelineError::Internal(error.to_string())
    }
}

impl From<RepoError> for JobActionError {
    fn from(error: RepoError) -> Self {
        JobActionError::Internal(error.to_string())
    }
}

impl From<FindError> for CreatePipelineError {
    fn from(error: FindError) -> Self {
        match error {
            FindError::NotFound(what) => CreatePipelineError::NotFound(what),
            FindError::Internal(text) => CreatePipelineError::Internal(text),
        }
    }
}

impl From<FindError> for JobActionError {
    fn from(error: FindError) -> Self {
        match error {
            FindError::NotFound(what) => JobActionError::NotFound(what),
            FindError::Internal(text) => JobActionError::Internal(text),
        }
    }
}

/// Pipelines, their jobs and job logs, for users.
pub trait PipelineUseCases {
    /// `POST /projects/:id/ci/lint`, for those who may create pipelines.
    fn lint_ci(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        content: &str,
    ) -> Result<Lint, CreatePipelineError>;
    fn create_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        request: CreatePipelineRequest,
    ) -> Result<PipelineView, CreatePipelineError>;
    fn pipelines(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        filter: PipelineFilter,
        page: PageRequest,
    ) -> Result<Page<PipelineView>, FindError>;
    fn pipeline(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<PipelineView, FindError>;
    fn pipeline_jobs(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: PipelineId,
        query: JobListQuery,
        page: PageRequest,
    ) -> Result<Page<JobView>, FindError>;
    /// Cancels every job of the pipeline that has not finished (manual jobs stay).
    fn cancel_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<PipelineView, JobActionError>;
    /// Retries the pipeline's failed and canceled jobs; the jobs after them run again.
    fn retry_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<PipelineView, JobActionError>;
    fn delete_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<(), DeleteError>;

    fn project_jobs(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        query: JobListQuery,
        page: PageRequest,
    ) -> Result<Page<JobView>, FindError>;
    fn job(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, FindError>;
    /// The job's log, with masked variable values hidden.
    fn job_trace(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<Vec<u8>, FindError>;
    fn cancel_job(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, JobActionError>;
    /// A new try of a finished job; returns the new job.
    fn retry_job(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, JobActionError>;
    /// Starts a manual job.
    fn play_job(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, JobActionError>;
    /// `GET /runners/:id/jobs`: jobs the runner took, in projects the actor may see the jobs
    /// of (at least reporter) unless an administrator.
    fn runner_jobs(
        &self,
        actor: &Actor,
        runner: RunnerId,
        query: JobListQuery,
        page: PageRequest,
    ) -> Result<Page<JobView>, RunnerError>;
}
