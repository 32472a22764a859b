//! `GET /runners/:id/jobs`: the jobs a runner took.

use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::runner::permission::may_update;
use paddock_domain::runner::{RunnerId, RunnerType};
use paddock_domain::{ProjectId, Role};
use paddock_ports::Page;
use paddock_ports::inbound::{JobListQuery, JobView, RunnerError};
use paddock_ports::outbound::{JobFilter, JobSet};

use super::views::Views;
use crate::access::project_roles;
use crate::runners::Ctx;

/// For those who may change the runner (`No access granted` otherwise); users who are not
/// administrators see only jobs of projects where they are at least reporters.
pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: RunnerId,
    query: &JobListQuery,
    page: PageRequest,
) -> Result<Page<JobView>, RunnerError> {
    let (runner, standing) = ctx.load(actor, id)?;
    if !may_update(actor, &standing) {
        return Err(RunnerError::Forbidden(Some("No access granted")));
    }
    // A group runner's changers own the group, so they report on every project below it;
    // only administrators change instance runners.
    let projects = match runner.runner_type {
        RunnerType::Project if !actor.admin => Some(reported_projects(ctx, actor, id)?),
        _ => None,
    };
    let filter = JobFilter {
        set: JobSet::Runner(id),
        statuses: query.statuses.clone(),
        include_retried: true,
        projects,
        sort: query.sort,
    };
    let found = ctx.out.jobs.jobs(&filter, page)?;
    let items = Views::new(ctx).jobs(found.items)?;
    Ok(Page {
        items,
        total: found.total,
    })
}

/// The runner's projects where the actor is at least a reporter.
fn reported_projects(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: RunnerId,
) -> Result<Vec<ProjectId>, RunnerError> {
    let mut reported = Vec::new();
    for project_id in ctx.out.runners.runner_project_ids(id)? {
        let Some(project) = ctx.out.projects.project(project_id)? else {
            continue;
        };
        let Some(namespace) = ctx.out.namespaces.namespace(project.namespace_id)? else {
            continue;
        };
        let roles = project_roles(ctx.out, Some(actor), &project, &namespace)?;
        if roles.effective().is_some_and(|r| r >= Role::Reporter) {
            reported.push(project_id);
        }
    }
    Ok(reported)
}
