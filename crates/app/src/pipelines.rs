//! Pipelines and jobs for users: creating pipelines from CI configuration, moving them on as
//! their jobs finish, listing them, and canceling, retrying and playing jobs. Shared pieces
//! live here; each verb has its file.

mod actions;
mod create;
mod lint;
pub(crate) mod list;
pub(crate) mod progress;
mod runner_jobs;
mod views;

use paddock_domain::ci::Lint;
use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::project::Project;
use paddock_domain::protected_branch::{self, ProtectedBranch, is_protected};
use paddock_domain::runner::RunnerId;
use paddock_domain::{JobId, PipelineId};
use paddock_ports::Page;
use paddock_ports::RepoResult;
use paddock_ports::inbound::*;
use paddock_ports::outbound::PipelineFilter;

use crate::Paddock;
use crate::access::{project_roles, project_standing, visible_project};
use crate::runners::Ctx;

/// Every protected-branch rule of a project.
fn protected_rules(ctx: &Ctx<'_>, project: &Project) -> RepoResult<Vec<ProtectedBranch>> {
    let mut rules = Vec::new();
    let mut page = PageRequest::new(Some(1), Some(100));
    loop {
        let found = ctx
            .out
            .protected_branches
            .protected_branches(project.id, page)?;
        let last = (found.items.len() as u64) < page.limit();
        rules.extend(found.items);
        if last {
            return Ok(rules);
        }
        page = PageRequest::new(Some(i64::from(page.page()) + 1), Some(100));
    }
}

/// Whether a protected-branch rule covers the branch.
pub(crate) fn ref_is_protected(ctx: &Ctx<'_>, project: &Project, branch: &str) -> RepoResult<bool> {
    let rules = protected_rules(ctx, project)?;
    Ok(is_protected(rules.iter().map(|r| r.name.as_str()), branch))
}

/// Whether the actor may run pipelines and jobs for a protected branch: administrators, and
/// those whose role reaches a matching rule's push or merge level (GitLab's
/// `can_update_branch?`).
pub(crate) fn may_update_ref(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &Project,
    branch: &str,
) -> RepoResult<bool> {
    if actor.admin {
        return Ok(true);
    }
    let Some(namespace) = ctx.out.namespaces.namespace(project.namespace_id)? else {
        return Ok(false);
    };
    let roles = project_roles(ctx.out, Some(actor), project, &namespace)?;
    let rules = protected_rules(ctx, project)?;
    Ok(protected_branch::may_update(
        &rules,
        branch,
        roles.effective(),
    ))
}

/// A project the actor can see, and whether they may do `action` in it.
pub(crate) fn project_for(
    ctx: &Ctx<'_>,
    actor: Option<&Actor>,
    project: &ProjectRef,
    action: ProjectAction,
) -> Result<(Project, Namespace, bool), FindError> {
    let (project, namespace, roles) = visible_project(ctx.out, actor, project)?;
    let allowed = may_on_project(actor, project_standing(&project, roles), action);
    Ok((project, namespace, allowed))
}

impl PipelineUseCases for Paddock {
    fn lint_ci(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        content: &str,
    ) -> Result<Lint, CreatePipelineError> {
        lint::execute(&self.runner_ctx(), actor, project, content)
    }

    fn create_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        request: CreatePipelineRequest,
    ) -> Result<PipelineView, CreatePipelineError> {
        create::execute(&self.runner_ctx(), actor, project, request)
    }

    fn pipelines(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        filter: PipelineFilter,
        page: PageRequest,
    ) -> Result<Page<PipelineView>, FindError> {
        list::pipelines(&self.runner_ctx(), actor, project, &filter, page)
    }

    fn pipeline(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<PipelineView, FindError> {
        list::pipeline(&self.runner_ctx(), actor, project, id)
    }

    fn pipeline_jobs(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: PipelineId,
        query: JobListQuery,
        page: PageRequest,
    ) -> Result<Page<JobView>, FindError> {
        list::pipeline_jobs(&self.runner_ctx(), actor, project, id, &query, page)
    }

    fn cancel_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<PipelineView, JobActionError> {
        actions::cancel_pipeline(&self.runner_ctx(), actor, project, id)
    }

    fn retry_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<PipelineView, JobActionError> {
        actions::retry_pipeline(&self.runner_ctx(), actor, project, id)
    }

    fn delete_pipeline(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: PipelineId,
    ) -> Result<(), DeleteError> {
        actions::delete_pipeline(&self.runner_ctx(), actor, project, id)
    }

    fn project_jobs(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        query: JobListQuery,
        page: PageRequest,
    ) -> Result<Page<JobView>, FindError> {
        list::project_jobs(&self.runner_ctx(), actor, project, &query, page)
    }

    fn job(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, FindError> {
        list::job(&self.runner_ctx(), actor, project, id)
    }

    fn job_trace(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<Vec<u8>, FindError> {
        list::trace(&self.runner_ctx(), actor, project, id)
    }

    fn cancel_job(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, JobActionError> {
        actions::cancel_job(&self.runner_ctx(), actor, project, id)
    }

    fn retry_job(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, JobActionError> {
        actions::retry_job(&self.runner_ctx(), actor, project, id)
    }

    fn play_job(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<JobView, JobActionError> {
        actions::play_job(&self.runner_ctx(), actor, project, id)
    }

    fn runner_jobs(
        &self,
        actor: &Actor,
        runner: RunnerId,
        query: JobListQuery,
        page: PageRequest,
    ) -> Result<Page<JobView>, RunnerError> {
        runner_jobs::execute(&self.runner_ctx(), actor, runner, &query, page)
    }
}
