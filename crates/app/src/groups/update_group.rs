use paddock_domain::names::{FieldError, validate_name, validate_path, validate_text};
use paddock_domain::permission::{Actor, GroupAction, may_on_group};
use paddock_ports::RepoError;
use paddock_ports::inbound::{GroupDetails, GroupRef, UpdateError, What};
use paddock_ports::outbound::{GroupChanges, Outbound};

use crate::access::{group_standing, visible_group};
use crate::groups::create_group::DESCRIPTION_MAX;
use crate::groups::get_group::details;
use crate::groups::visibility_within_parent;

/// Owners update a group; a new path or name is carried down to everything below it.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    group: &GroupRef,
    changes: GroupChanges,
) -> Result<GroupDetails, UpdateError> {
    let (group, role) = visible_group(out, Some(actor), group)?;
    if !may_on_group(
        Some(actor),
        group_standing(&group, role),
        GroupAction::Update,
    ) {
        return Err(UpdateError::Forbidden);
    }
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(name) = &changes.name {
        errors.extend(validate_name("name", name).err());
    }
    if let Some(path) = &changes.path {
        errors.extend(validate_path("path", path).err());
    }
    if let Some(description) = &changes.description {
        errors.extend(validate_text("description", description, DESCRIPTION_MAX).err());
    }
    if let (Some(visibility), Some(parent_id)) = (changes.visibility, group.parent_id)
        && let Some(parent) = out.namespaces.namespace(parent_id)?
    {
        errors.extend(visibility_within_parent(
            "visibility_level",
            visibility,
            &parent,
            "group",
        ));
    }
    if !errors.is_empty() {
        return Err(UpdateError::Invalid(errors));
    }
    let updated = if changes.is_empty() {
        Some(group)
    } else {
        out.namespaces
            .update_group(group.id, &changes)
            .map_err(|error| match error {
                RepoError::Conflict(_) => {
                    UpdateError::Invalid(vec![FieldError::new("path", "has already been taken")])
                }
                other => other.into(),
            })?
    };
    let updated = updated.ok_or(UpdateError::NotFound(What::Group))?;
    Ok(details(out, Some(actor), updated, role)?)
}
