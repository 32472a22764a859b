use paddock_domain::permission::{Actor, GroupAction, may_on_group};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{GroupRef, ResetTokenError, What};
use paddock_ports::outbound::Outbound;

use crate::access::{group_standing, new_registration_token, visible_group};

/// Owners reset a group's registration token; the old one stops registering runners at once.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    group: &GroupRef,
) -> Result<PlainToken, ResetTokenError> {
    let (group, role) = visible_group(out, Some(actor), group)?;
    if !may_on_group(
        Some(actor),
        group_standing(&group, role),
        GroupAction::ManageRunners,
    ) {
        return Err(ResetTokenError::Forbidden);
    }
    let (plain, sealed) = new_registration_token(out);
    if !out.namespaces.set_group_runners_token(group.id, &sealed)? {
        return Err(ResetTokenError::NotFound(What::Group));
    }
    Ok(plain)
}
