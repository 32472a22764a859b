use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_ports::Page;
use paddock_ports::inbound::{MemberError, MemberTarget};
use paddock_ports::outbound::{MemberWithUser, Outbound};

use super::resolve;

/// Anyone who may see a group or project may list its direct members.
pub fn execute(
    out: &Outbound,
    actor: Option<&Actor>,
    target: &MemberTarget,
    query: Option<&str>,
    page: PageRequest,
) -> Result<Page<MemberWithUser>, MemberError> {
    let resolved = resolve(out, actor, target)?;
    Ok(out.members.members(resolved.source, query, page)?)
}
