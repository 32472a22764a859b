use paddock_domain::member::Membership;
use paddock_domain::names::FieldError;
use paddock_domain::permission::{Actor, may_grant};
use paddock_ports::RepoError;
use paddock_ports::inbound::{AddMemberRequest, MemberError, MemberTarget, What};
use paddock_ports::outbound::{MemberWithUser, Outbound};

use super::resolve;

/// Group owners and project maintainers add members; maintainers cannot make owners.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    target: &MemberTarget,
    request: AddMemberRequest,
) -> Result<MemberWithUser, MemberError> {
    let resolved = resolve(out, Some(actor), target)?;
    if !resolved.may_manage || !may_grant(actor, resolved.role, request.role) {
        return Err(MemberError::Forbidden(None));
    }
    let user = out
        .users
        .user(request.user)?
        .ok_or(MemberError::NotFound(What::User))?;
    let now = out.clock.now();
    if request.expires_at.is_some_and(|at| at <= now) {
        return Err(MemberError::Invalid(vec![FieldError::new(
            "expires_at",
            "cannot be a date in the past",
        )]));
    }
    let membership = Membership {
        source: resolved.source,
        user_id: user.id,
        role: request.role,
        created_at: now,
        expires_at: request.expires_at,
        created_by: Some(actor.user),
    };
    match out.members.add_member(&membership) {
        Ok(()) => Ok(MemberWithUser { membership, user }),
        Err(RepoError::Conflict(_)) => Err(MemberError::AlreadyExists),
        Err(other) => Err(other.into()),
    }
}
