use paddock_domain::permission::{Actor, may_grant};
use paddock_domain::{Role, UserId};
use paddock_ports::inbound::{MemberError, MemberTarget, What};
use paddock_ports::outbound::Outbound;

use super::resolve;

/// Removes a member: managers remove others (maintainers not owners), anyone may leave. A
/// group keeps at least one owner.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    target: &MemberTarget,
    user: UserId,
) -> Result<(), MemberError> {
    let resolved = resolve(out, Some(actor), target)?;
    let current = out
        .members
        .member(resolved.source, user)?
        .ok_or(MemberError::NotFound(What::Member))?;
    let leaving = actor.user == user;
    let allowed = leaving
        || (resolved.may_manage && may_grant(actor, resolved.role, current.membership.role));
    if !allowed {
        return Err(MemberError::Forbidden(None));
    }
    if resolved.is_group
        && current.membership.role == Role::Owner
        && out.members.count_owners(resolved.source)? <= 1
    {
        return Err(MemberError::Forbidden(Some(
            "A group must always have an owner",
        )));
    }
    if out.members.remove_member(resolved.source, user)? {
        Ok(())
    } else {
        Err(MemberError::NotFound(What::Member))
    }
}
