use paddock_domain::Role;
use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_ports::Page;
use paddock_ports::inbound::{FindError, GroupQuery, GroupRef};
use paddock_ports::outbound::{GroupFilter, Outbound, ParentFilter};

use crate::access::{audience, visible_group};

/// `GET /groups`: the groups the actor may see.
pub fn all(
    out: &Outbound,
    actor: Option<&Actor>,
    query: &GroupQuery,
    page: PageRequest,
) -> Result<Page<Namespace>, FindError> {
    let parent = if query.top_level_only {
        ParentFilter::TopLevel
    } else {
        ParentFilter::Any
    };
    Ok(out
        .namespaces
        .groups(&filter(out, actor, query, parent), page)?)
}

/// `GET /groups/:id/subgroups`: the direct children the actor may see of a group they may see.
pub fn subgroups(
    out: &Outbound,
    actor: Option<&Actor>,
    group: &GroupRef,
    query: &GroupQuery,
    page: PageRequest,
) -> Result<Page<Namespace>, FindError> {
    let (parent, _) = visible_group(out, actor, group)?;
    let filter = filter(out, actor, query, ParentFilter::ChildrenOf(parent.id));
    Ok(out.namespaces.groups(&filter, page)?)
}

fn filter(
    out: &Outbound,
    actor: Option<&Actor>,
    query: &GroupQuery,
    parent: ParentFilter,
) -> GroupFilter {
    let minimum = if query.owned {
        Some(Role::Owner)
    } else {
        query.min_access_level
    };
    GroupFilter {
        audience: audience(out, actor),
        parent,
        search: query.search.clone(),
        member: actor
            .zip(minimum)
            .map(|(actor, role)| (actor.user, role, out.clock.now())),
        visibility: query.visibility,
        order: query.order,
        sort: query.sort,
    }
}
