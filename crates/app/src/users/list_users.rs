use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::user::User;
use paddock_ports::Page;
use paddock_ports::inbound::FindError;
use paddock_ports::outbound::{Outbound, UserFilter};

/// Any signed-in user may list users; only administrators may filter by admin flag or see
/// blocked users.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    filter: &UserFilter,
    page: PageRequest,
) -> Result<Page<User>, FindError> {
    let mut filter = filter.clone();
    if !actor.admin {
        filter.admins_only = false;
        filter.blocked_only = false;
        filter.active_only = true;
    }
    Ok(out.users.users(&filter, page)?)
}
