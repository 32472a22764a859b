use chrono::{DateTime, Utc};
use paddock_domain::ci::{JobDefinition, When};
use paddock_domain::job::{Commit, Job, JobStatus, Pipeline, PipelineVariable};
use paddock_domain::pagination::PageRequest;
use paddock_domain::{PipelineId, ProjectId, UserId};

use super::{Page, RepoResult, Sort};

/// A job to create with its pipeline; the pipeline gives its project, ref, sha and
/// protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub name: String,
    pub stage: String,
    pub stage_index: i32,
    pub status: JobStatus,
    pub when: When,
    pub allow_failure: bool,
    pub definition: JobDefinition,
    pub tags: Vec<String>,
}

/// A pipeline to create, with all its jobs, in one transaction. Its `iid` is the next number
/// in its project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPipeline {
    pub project_id: ProjectId,
    pub ref_name: String,
    pub sha: String,
    pub before_sha: String,
    pub tag: bool,
    pub protected: bool,
    pub source: String,
    pub status: JobStatus,
    pub user_id: Option<UserId>,
    pub variables: Vec<PipelineVariable>,
    pub commit: Option<Commit>,
    pub created_at: DateTime<Utc>,
    pub jobs: Vec<NewJob>,
}

/// A pipeline's new status, computed from its jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStatusUpdate {
    pub status: JobStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PipelineOrder {
    #[default]
    Id,
    Status,
    Ref,
    UpdatedAt,
    UserId,
}

/// The filters of a project's pipeline list; ties are broken by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PipelineFilter {
    /// `Some`: only pipelines with one of these statuses (none when empty).
    pub statuses: Option<Vec<JobStatus>>,
    pub ref_name: Option<String>,
    pub sha: Option<String>,
    pub source: Option<String>,
    pub user_id: Option<UserId>,
    pub updated_after: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub order: PipelineOrder,
    pub sort: Sort,
}

pub trait PipelineRepository: Send + Sync {
    /// Creates the pipeline and its jobs; returns them, jobs in the order given.
    fn create_pipeline(&self, new: NewPipeline) -> RepoResult<(Pipeline, Vec<Job>)>;
    fn pipeline(&self, id: PipelineId) -> RepoResult<Option<Pipeline>>;
    fn pipelines(
        &self,
        project: ProjectId,
        filter: &PipelineFilter,
        page: PageRequest,
    ) -> RepoResult<Page<Pipeline>>;
    /// Writes a status computed from the pipeline as it was at `lock_version`, and bumps the
    /// version; `false` (nothing written) when the version moved on meanwhile.
    fn update_pipeline_status(
        &self,
        id: PipelineId,
        lock_version: i64,
        update: &PipelineStatusUpdate,
    ) -> RepoResult<bool>;
    /// Deletes the pipeline with its jobs and their logs.
    fn delete_pipeline(&self, id: PipelineId) -> RepoResult<bool>;
}
