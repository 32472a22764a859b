//! What users do to jobs and pipelines: cancel, retry, play, delete.

use paddock_domain::ci::AllowFailure;
use paddock_domain::job::{Job, JobStatus, Pipeline};
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_domain::project::Project;
use paddock_domain::{JobId, PipelineId};
use paddock_ports::inbound::{
    DeleteError, JobActionError, JobView, PipelineView, ProjectRef, What,
};
use paddock_ports::outbound::{JobChange, Retry};
use paddock_ports::{RepoError, RepoResult};

use super::progress::{self, latest};
use super::views::Views;
use crate::runners::Ctx;

/// What a retry tries again.
const RETRYABLE: [JobStatus; 3] = [JobStatus::Success, JobStatus::Failed, JobStatus::Canceled];

pub const NOT_RETRYABLE: &str = "Job is not retryable";
pub const UNPLAYABLE: &str = "Unplayable Job";

/// The project, if the actor may run its pipelines.
fn runnable(ctx: &Ctx<'_>, actor: &Actor, project: &ProjectRef) -> Result<Project, JobActionError> {
    let (project, _, allowed) =
        super::project_for(ctx, Some(actor), project, ProjectAction::RunPipelines)?;
    if !allowed {
        return Err(JobActionError::Forbidden(None));
    }
    Ok(project)
}

/// Jobs of a protected ref are run only by those who may update it.
fn guard_ref(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &Project,
    protected: bool,
    ref_name: &str,
) -> Result<(), JobActionError> {
    if protected && !super::may_update_ref(ctx, actor, project, ref_name)? {
        return Err(JobActionError::Forbidden(None));
    }
    Ok(())
}

/// The project and its job, if the actor may run the project's pipelines and, for a job of a
/// protected ref, update that ref.
fn guarded_job(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: JobId,
) -> Result<(Project, Job), JobActionError> {
    let project = runnable(ctx, actor, project)?;
    let job = job_of(ctx, &project, id)?;
    guard_ref(ctx, actor, &project, job.protected, &job.ref_name)?;
    Ok((project, job))
}

/// The project of a pipeline the actor may act on, under the same rules as [`guarded_job`].
fn guarded_pipeline(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: PipelineId,
) -> Result<Project, JobActionError> {
    let project = runnable(ctx, actor, project)?;
    let pipeline = pipeline_of(ctx, &project, id)?;
    guard_ref(ctx, actor, &project, pipeline.protected, &pipeline.ref_name)?;
    Ok(project)
}

fn pipeline_of(
    ctx: &Ctx<'_>,
    project: &Project,
    id: PipelineId,
) -> Result<Pipeline, JobActionError> {
    ctx.out
        .pipelines
        .pipeline(id)?
        .filter(|p| p.project_id == project.id)
        .ok_or(JobActionError::NotFound(What::Pipeline))
}

fn job_of(ctx: &Ctx<'_>, project: &Project, id: JobId) -> Result<Job, JobActionError> {
    ctx.out
        .jobs
        .job(id)?
        .filter(|j| j.project_id == project.id)
        .ok_or(JobActionError::NotFound(What::Job))
}

/// Cancels a job: a running one whose runner supports it becomes `canceling` (the runner
/// finishes, then reports; its log stays masked), anything else that may be canceled at once.
fn cancel(ctx: &Ctx<'_>, job: &Job) -> RepoResult<()> {
    if job.status == JobStatus::Running {
        let graceful = JobChange {
            graceful: Some(true),
            ..JobChange::between(&[JobStatus::Running], JobStatus::Canceling, ctx.now())
        };
        if ctx.out.jobs.change_job(job.id, &graceful)?.is_some() {
            return Ok(());
        }
    }
    if job.status.can_become(JobStatus::Canceled)
        && ctx
            .out
            .jobs
            .change_job(job.id, &JobChange::to(JobStatus::Canceled, ctx.now()))?
            .is_some()
    {
        ctx.secrets.forget(job.id);
    }
    Ok(())
}

fn job_view(ctx: &Ctx<'_>, project: &Project, id: JobId) -> Result<JobView, JobActionError> {
    let job = job_of(ctx, project, id)?;
    Views::knowing(ctx, project)
        .job(job)?
        .ok_or(JobActionError::NotFound(What::Job))
}

fn pipeline_view(
    ctx: &Ctx<'_>,
    project: &Project,
    id: PipelineId,
) -> Result<PipelineView, JobActionError> {
    let pipeline = progress::process(ctx, id)?.ok_or(JobActionError::NotFound(What::Pipeline))?;
    Views::knowing(ctx, project)
        .pipeline(pipeline)?
        .ok_or(JobActionError::NotFound(What::Pipeline))
}

pub fn cancel_job(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: JobId,
) -> Result<JobView, JobActionError> {
    let (project, job) = guarded_job(ctx, actor, project, id)?;
    cancel(ctx, &job)?;
    progress::process(ctx, job.pipeline_id)?;
    job_view(ctx, &project, id)
}

pub fn cancel_pipeline(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: PipelineId,
) -> Result<PipelineView, JobActionError> {
    let project = guarded_pipeline(ctx, actor, project, id)?;
    for job in latest(ctx.out.jobs.pipeline_jobs(id)?) {
        cancel(ctx, &job)?;
    }
    pipeline_view(ctx, &project, id)
}

/// A new try of `job`, waiting for the progression to start it.
fn new_try(ctx: &Ctx<'_>, actor: &Actor, job: &Job) -> RepoResult<Option<Job>> {
    ctx.out.jobs.retry_job(
        job.id,
        &Retry {
            status: JobStatus::Created,
            allow_failure: job.definition.allow_failure == AllowFailure::Yes,
            user_id: Some(actor.user),
            at: ctx.now(),
        },
    )
}

/// Jobs skipped because of what is retried wait again.
fn reset_skipped(ctx: &Ctx<'_>, jobs: &[Job]) -> RepoResult<()> {
    for job in jobs.iter().filter(|j| j.status == JobStatus::Skipped) {
        ctx.out.jobs.change_job(
            job.id,
            &JobChange::between(&[JobStatus::Skipped], JobStatus::Created, ctx.now()),
        )?;
    }
    Ok(())
}

pub fn retry_job(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: JobId,
) -> Result<JobView, JobActionError> {
    let (project, job) = guarded_job(ctx, actor, project, id)?;
    if job.retried || !RETRYABLE.contains(&job.status) {
        return Err(JobActionError::Forbidden(Some(NOT_RETRYABLE)));
    }
    let fresh = match new_try(ctx, actor, &job) {
        Ok(Some(fresh)) => fresh,
        Ok(None) => return Err(JobActionError::Forbidden(Some(NOT_RETRYABLE))),
        // The pipeline was deleted meanwhile.
        Err(RepoError::Conflict(_)) => return Err(JobActionError::NotFound(What::Job)),
        Err(other) => return Err(other.into()),
    };
    let later: Vec<Job> = latest(ctx.out.jobs.pipeline_jobs(job.pipeline_id)?)
        .into_iter()
        .filter(|j| waits_for(j, &job))
        .collect();
    reset_skipped(ctx, &later)?;
    progress::process(ctx, job.pipeline_id)?;
    tracing::info!(
        job.id = job.id.0,
        retry.id = fresh.id.0,
        user.id = actor.user.0,
        "job retried"
    );
    job_view(ctx, &project, fresh.id)
}

/// Whether `job` waits for `other`: a later stage, or a need.
fn waits_for(job: &Job, other: &Job) -> bool {
    match &job.definition.needs {
        Some(needs) => needs.iter().any(|n| n.job == other.name),
        None => job.stage_index > other.stage_index,
    }
}

pub fn retry_pipeline(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: PipelineId,
) -> Result<PipelineView, JobActionError> {
    let project = guarded_pipeline(ctx, actor, project, id)?;
    let jobs = latest(ctx.out.jobs.pipeline_jobs(id)?);
    for job in jobs
        .iter()
        .filter(|j| matches!(j.status, JobStatus::Failed | JobStatus::Canceled))
    {
        match new_try(ctx, actor, job) {
            // Deleted meanwhile: nothing to retry.
            Ok(_) | Err(RepoError::Conflict(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    reset_skipped(ctx, &jobs)?;
    tracing::info!(
        pipeline.id = id.0,
        user.id = actor.user.0,
        "pipeline retried"
    );
    pipeline_view(ctx, &project, id)
}

pub fn play_job(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: JobId,
) -> Result<JobView, JobActionError> {
    let (project, job) = guarded_job(ctx, actor, project, id)?;
    if job.status != JobStatus::Manual {
        return Err(JobActionError::Rejected(UNPLAYABLE));
    }
    let played = ctx
        .out
        .jobs
        .change_job(
            id,
            &JobChange::between(&[JobStatus::Manual], JobStatus::Pending, ctx.now()),
        )?
        .ok_or(JobActionError::Rejected(UNPLAYABLE))?;
    progress::tick(ctx, std::slice::from_ref(&played))?;
    progress::process(ctx, job.pipeline_id)?;
    tracing::info!(job.id = id.0, user.id = actor.user.0, "manual job played");
    job_view(ctx, &project, id)
}

pub fn delete_pipeline(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    id: PipelineId,
) -> Result<(), DeleteError> {
    let (project, _, allowed) =
        super::project_for(ctx, Some(actor), project, ProjectAction::DeletePipelines)?;
    if !allowed {
        return Err(DeleteError::Forbidden(None));
    }
    let found = ctx
        .out
        .pipelines
        .pipeline(id)?
        .filter(|p| p.project_id == project.id);
    if found.is_none() {
        return Err(DeleteError::NotFound(What::Pipeline));
    }
    let jobs: Vec<_> = ctx
        .out
        .jobs
        .pipeline_jobs(id)?
        .iter()
        .map(|j| j.id)
        .collect();
    let artifacts = ctx.out.artifacts.artifacts_of(&jobs)?;
    if !ctx.out.pipelines.delete_pipeline(id)? {
        return Err(DeleteError::NotFound(What::Pipeline));
    }
    crate::artifacts::remove_files(ctx.out, &artifacts);
    tracing::info!(
        pipeline.id = id.0,
        user.id = actor.user.0,
        "pipeline deleted"
    );
    Ok(())
}
