use std::collections::HashMap;

use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::project::Project;
use paddock_domain::{NamespaceId, Role, UserId};
use paddock_ports::Page;
use paddock_ports::inbound::{FindError, GroupRef, ProjectListItem, ProjectQuery, What};
use paddock_ports::outbound::{Outbound, ProjectFilter, Sort};

use crate::access::{audience, visible_group};

/// `GET /projects`: the projects the actor may see.
pub fn all(
    out: &Outbound,
    actor: Option<&Actor>,
    query: &ProjectQuery,
    page: PageRequest,
) -> Result<Page<ProjectListItem>, FindError> {
    list(out, actor, query, None, page)
}

/// `GET /groups/:id/projects`: the group's projects (and its subgroups' with
/// `include_subgroups`) that the actor may see.
pub fn of_group(
    out: &Outbound,
    actor: Option<&Actor>,
    group: &GroupRef,
    query: &ProjectQuery,
    page: PageRequest,
) -> Result<Page<ProjectListItem>, FindError> {
    let (group, _) = visible_group(out, actor, group)?;
    list(
        out,
        actor,
        query,
        Some((group.id, query.include_subgroups)),
        page,
    )
}

/// `GET /users/:id/projects`: projects in the user's personal namespace that the actor may see.
pub fn of_user(
    out: &Outbound,
    actor: Option<&Actor>,
    user: UserId,
    query: &ProjectQuery,
    page: PageRequest,
) -> Result<Page<ProjectListItem>, FindError> {
    let namespace = out
        .namespaces
        .user_namespace(user)?
        .ok_or(FindError::NotFound(What::User))?;
    list(out, actor, query, Some((namespace.id, false)), page)
}

fn list(
    out: &Outbound,
    actor: Option<&Actor>,
    query: &ProjectQuery,
    namespace: Option<(NamespaceId, bool)>,
    page: PageRequest,
) -> Result<Page<ProjectListItem>, FindError> {
    let minimum = if query.owned {
        Some(Role::Owner)
    } else if query.membership {
        Some(query.min_access_level.unwrap_or(Role::Guest))
    } else {
        query.min_access_level
    };
    // GitLab sorts descending unless told otherwise, whatever the order.
    let sort = query.sort.unwrap_or(Sort::Desc);
    let filter = ProjectFilter {
        audience: audience(out, actor),
        namespace,
        search: query.search.clone(),
        visibility: query.visibility,
        member: actor
            .zip(minimum)
            .map(|(actor, role)| (actor.user, role, out.clock.now())),
        order: query.order,
        sort,
    };
    let page = out.projects.projects(&filter, page)?;
    with_namespaces(out, page)
}

/// Attaches each project's namespace, loading them in one call.
fn with_namespaces(
    out: &Outbound,
    page: Page<Project>,
) -> Result<Page<ProjectListItem>, FindError> {
    let mut ids: Vec<NamespaceId> = page.items.iter().map(|p| p.namespace_id).collect();
    ids.sort();
    ids.dedup();
    let namespaces: HashMap<NamespaceId, _> = out
        .namespaces
        .namespaces(&ids)?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let total = page.total;
    let items = page
        .items
        .into_iter()
        .filter_map(|project| {
            let namespace = namespaces.get(&project.namespace_id)?.clone();
            Some(ProjectListItem { project, namespace })
        })
        .collect();
    Ok(Page { items, total })
}
