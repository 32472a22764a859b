use paddock_domain::permission::{Actor, GroupAction, may_on_group};
use paddock_ports::inbound::{DeleteError, GroupRef, What};
use paddock_ports::outbound::Outbound;

use crate::access::{group_standing, visible_group};

/// Owners delete a group with its subgroups and their projects.
pub fn execute(out: &Outbound, actor: &Actor, group: &GroupRef) -> Result<(), DeleteError> {
    let (group, role) = visible_group(out, Some(actor), group)?;
    if !may_on_group(
        Some(actor),
        group_standing(&group, role),
        GroupAction::Delete,
    ) {
        return Err(DeleteError::Forbidden(None));
    }
    let artifacts = crate::artifacts::namespace_artifacts(out, group.id, true)?;
    if out.namespaces.delete_group(group.id)? {
        crate::artifacts::remove_files(out, &artifacts);
        tracing::info!(group.id = group.id.0, group.full_path = %group.full_path, "group deleted");
        Ok(())
    } else {
        Err(DeleteError::NotFound(What::Group))
    }
}
