use paddock_domain::permission::{Actor, GroupAction, may_on_group};
use paddock_ports::inbound::{FindError, GroupDetails, GroupRef};
use paddock_ports::outbound::Outbound;

use crate::access::{group_standing, open, visible_group};

/// A group the actor may see; its registration token only for those who manage its runners.
pub fn execute(
    out: &Outbound,
    actor: Option<&Actor>,
    group: &GroupRef,
) -> Result<GroupDetails, FindError> {
    let (group, role) = visible_group(out, actor, group)?;
    details(out, actor, group, role)
}

pub fn details(
    out: &Outbound,
    actor: Option<&Actor>,
    group: paddock_domain::namespace::Namespace,
    role: Option<paddock_domain::Role>,
) -> Result<GroupDetails, FindError> {
    let runners_token = if may_on_group(
        actor,
        group_standing(&group, role),
        GroupAction::ManageRunners,
    ) {
        open(out, out.namespaces.group_runners_token(group.id)?)
    } else {
        None
    };
    Ok(GroupDetails {
        group,
        runners_token,
    })
}
