//! Reading pipelines, jobs and job logs.

use paddock_domain::job::Job;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_domain::project::Project;
use paddock_domain::variable::mask_secrets;
use paddock_domain::{JobId, PipelineId};
use paddock_ports::Page;
use paddock_ports::inbound::{FindError, JobListQuery, JobView, PipelineView, ProjectRef, What};
use paddock_ports::outbound::{JobFilter, JobSet, PipelineFilter};

use super::views::Views;
use crate::runners::Ctx;
use crate::variables::masked_values;

/// The project, if the actor may see its pipelines.
pub(crate) fn readable(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
) -> Result<Project, FindError> {
    let (project, _, allowed) =
        super::project_for(ctx, actor, project, ProjectAction::ReadPipelines)?;
    if !allowed {
        return Err(FindError::NotFound(What::Project));
    }
    Ok(project)
}

pub fn pipelines(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    filter: &PipelineFilter,
    page: PageRequest,
) -> Result<Page<PipelineView>, FindError> {
    let project = readable(ctx, actor, project)?;
    let found = ctx.out.pipelines.pipelines(project.id, filter, page)?;
    let mut views = Views::knowing(ctx, &project);
    let mut items = Vec::with_capacity(found.items.len());
    for pipeline in found.items {
        items.extend(views.pipeline(pipeline)?);
    }
    Ok(Page {
        items,
        total: found.total,
    })
}

pub fn pipeline(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    id: PipelineId,
) -> Result<PipelineView, FindError> {
    let project = readable(ctx, actor, project)?;
    let pipeline = ctx
        .out
        .pipelines
        .pipeline(id)?
        .filter(|p| p.project_id == project.id)
        .ok_or(FindError::NotFound(What::Pipeline))?;
    Views::knowing(ctx, &project)
        .pipeline(pipeline)?
        .ok_or(FindError::NotFound(What::Pipeline))
}

pub fn pipeline_jobs(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    id: PipelineId,
    query: &JobListQuery,
    page: PageRequest,
) -> Result<Page<JobView>, FindError> {
    let project = readable(ctx, actor, project)?;
    ctx.out
        .pipelines
        .pipeline(id)?
        .filter(|p| p.project_id == project.id)
        .ok_or(FindError::NotFound(What::Pipeline))?;
    jobs_of(ctx, &project, JobSet::Pipeline(id), query, page)
}

pub fn project_jobs(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    query: &JobListQuery,
    page: PageRequest,
) -> Result<Page<JobView>, FindError> {
    let project = readable(ctx, actor, project)?;
    jobs_of(ctx, &project, JobSet::Project(project.id), query, page)
}

fn jobs_of(
    ctx: &Ctx<'_>,
    project: &Project,
    set: JobSet,
    query: &JobListQuery,
    page: PageRequest,
) -> Result<Page<JobView>, FindError> {
    let filter = JobFilter {
        set,
        statuses: query.statuses.clone(),
        include_retried: query.include_retried,
        projects: None,
        sort: query.sort,
    };
    let found = ctx.out.jobs.jobs(&filter, page)?;
    let items = Views::knowing(ctx, project).jobs(found.items)?;
    Ok(Page {
        items,
        total: found.total,
    })
}

/// A job of the project, if the actor may see it.
pub fn find_job(ctx: &Ctx<'_>, project: &Project, id: JobId) -> Result<Job, FindError> {
    ctx.out
        .jobs
        .job(id)?
        .filter(|j| j.project_id == project.id)
        .ok_or(FindError::NotFound(What::Job))
}

pub fn job(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    id: JobId,
) -> Result<JobView, FindError> {
    let project = readable(ctx, actor, project)?;
    let job = find_job(ctx, &project, id)?;
    Views::knowing(ctx, &project)
        .job(job)?
        .ok_or(FindError::NotFound(What::Job))
}

/// The log, with the job's secrets (and the project's masked values now) hidden once more over
/// the whole text: a value split between two appends could not be recognised when each was
/// stored.
pub fn trace(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    id: JobId,
) -> Result<Vec<u8>, FindError> {
    let project = readable(ctx, actor, project)?;
    let job = find_job(ctx, &project, id)?;
    let mut log = ctx
        .out
        .jobs
        .trace(id)?
        .ok_or(FindError::NotFound(What::Job))?;
    let own = crate::secrets::of_job(ctx, &job)?;
    let current = masked_values(ctx, project.id)?;
    let secrets: Vec<&[u8]> = own.iter().chain(&current).map(Vec::as_slice).collect();
    mask_secrets(&mut log, &secrets);
    Ok(log)
}
