//! `GET /runners`, `GET /runners/all`, `GET /projects/:id/runners`, `GET /groups/:id/runners`.

use paddock_domain::namespace::NamespaceKind;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_domain::runner::Tags;
use paddock_domain::runner::filter::RunnerFilter;
use paddock_domain::runner::permission::may_list_group_runners;
use paddock_ports::Page;
use paddock_ports::inbound::{
    GroupRef, ProjectRef, RunnerError, RunnerList, RunnerListQuery, RunnerView,
};
use paddock_ports::outbound::{RunnerQuery, RunnerSet};

use super::Ctx;
use crate::access::{project_standing, visible_group, visible_project};

fn filter(ctx: &Ctx<'_>, query: &RunnerListQuery) -> RunnerFilter {
    let now = ctx.now();
    let mut filter = RunnerFilter::default();
    if let Some(scope) = query.scope {
        filter = filter.with_scope(scope, now);
    }
    if let Some(runner_type) = query.runner_type {
        filter = filter.with_type(runner_type);
    }
    if let Some(status) = query.status {
        filter = filter.with_status(status, now);
    }
    if let Some(paused) = query.paused {
        filter = filter.with_paused(paused);
    }
    if let Some(tags) = &query.tags {
        filter = filter.with_tags(Tags::parse(tags));
    }
    if let Some(prefix) = &query.version_prefix {
        filter = filter.with_version_prefix(prefix.clone());
    }
    filter
}

fn list(
    ctx: &Ctx<'_>,
    actor: &Actor,
    set: RunnerSet,
    query: &RunnerListQuery,
    page: PageRequest,
) -> Result<Page<RunnerView>, RunnerError> {
    ctx.flush();
    let query = RunnerQuery {
        set,
        filter: filter(ctx, query),
    };
    let runners = ctx.out.runners.runners(&query, page)?;
    ctx.views(actor, runners)
}

/// The caller's runners, or (administrators) every runner.
pub fn runners(
    ctx: &Ctx<'_>,
    actor: &Actor,
    which: RunnerList,
    query: &RunnerListQuery,
    page: PageRequest,
) -> Result<Page<RunnerView>, RunnerError> {
    let set = match which {
        RunnerList::Managed => RunnerSet::ManagedBy {
            user: actor.user,
            now: ctx.now(),
        },
        RunnerList::All if actor.admin => RunnerSet::All,
        RunnerList::All => return Err(RunnerError::Forbidden(None)),
    };
    list(ctx, actor, set, query, page)
}

/// Runners a project may use or see: its own, its groups' (when group runners are enabled)
/// and the instance runners (listed even when the project disables them, as the settings page
/// shows them).
pub fn of_project(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    query: &RunnerListQuery,
    page: PageRequest,
) -> Result<Page<RunnerView>, RunnerError> {
    let (project, namespace, roles) = visible_project(ctx.out, Some(actor), project)?;
    if !may_on_project(
        Some(actor),
        project_standing(&project, roles),
        ProjectAction::ManageRunners,
    ) {
        return Err(RunnerError::Forbidden(None));
    }
    let groups = if project.group_runners_enabled && namespace.kind == NamespaceKind::Group {
        namespace.traversal_ids.clone()
    } else {
        Vec::new()
    };
    let set = RunnerSet::ForProject {
        project: project.id,
        groups,
        instance: true,
    };
    list(ctx, actor, set, query, page)
}

/// Runners of a group and its ancestors, and the instance runners.
pub fn of_group(
    ctx: &Ctx<'_>,
    actor: &Actor,
    group: &GroupRef,
    query: &RunnerListQuery,
    page: PageRequest,
) -> Result<Page<RunnerView>, RunnerError> {
    let (group, role) = visible_group(ctx.out, Some(actor), group)?;
    if !may_list_group_runners(actor, role) {
        return Err(RunnerError::Forbidden(None));
    }
    let set = RunnerSet::ForGroups {
        groups: group.traversal_ids.clone(),
        instance: true,
    };
    list(ctx, actor, set, query, page)
}
