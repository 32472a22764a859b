use paddock_domain::UserId;
use paddock_domain::permission::Actor;
use paddock_ports::inbound::{MemberError, MemberTarget, What};
use paddock_ports::outbound::{MemberWithUser, Outbound};

use super::resolve;

pub fn execute(
    out: &Outbound,
    actor: Option<&Actor>,
    target: &MemberTarget,
    user: UserId,
) -> Result<MemberWithUser, MemberError> {
    let resolved = resolve(out, actor, target)?;
    out.members
        .member(resolved.source, user)?
        .ok_or(MemberError::NotFound(What::Member))
}
