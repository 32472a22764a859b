use paddock_domain::names::FieldError;
use paddock_domain::permission::{Actor, may_grant};
use paddock_domain::{Role, UserId};
use paddock_ports::inbound::{MemberError, MemberTarget, UpdateMemberRequest, What};
use paddock_ports::outbound::{MemberWithUser, Outbound};

use super::resolve;

/// Changes a member's role or expiry. A maintainer can neither touch an owner nor make one;
/// a group keeps at least one owner.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    target: &MemberTarget,
    user: UserId,
    request: UpdateMemberRequest,
) -> Result<MemberWithUser, MemberError> {
    let resolved = resolve(out, Some(actor), target)?;
    if !resolved.may_manage {
        return Err(MemberError::Forbidden(None));
    }
    let current = out
        .members
        .member(resolved.source, user)?
        .ok_or(MemberError::NotFound(What::Member))?;
    if !may_grant(actor, resolved.role, current.membership.role)
        || !may_grant(actor, resolved.role, request.role)
    {
        return Err(MemberError::Forbidden(None));
    }
    if let Some(Some(at)) = request.expires_at
        && at <= out.clock.now()
    {
        return Err(MemberError::Invalid(vec![FieldError::new(
            "expires_at",
            "cannot be a date in the past",
        )]));
    }
    let demotes_owner = current.membership.role == Role::Owner && request.role != Role::Owner;
    if resolved.is_group && demotes_owner && out.members.count_owners(resolved.source)? <= 1 {
        return Err(MemberError::Forbidden(Some(
            "A group must always have an owner",
        )));
    }
    let membership = out
        .members
        .update_member(resolved.source, user, request.role, request.expires_at)?
        .ok_or(MemberError::NotFound(What::Member))?;
    Ok(MemberWithUser {
        membership,
        user: current.user,
    })
}
