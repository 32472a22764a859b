use paddock_domain::Visibility;
use paddock_domain::names::{FieldError, validate_name, validate_path, validate_text};
use paddock_domain::permission::{Actor, GroupAction, may_on_group};
use paddock_ports::RepoError;
use paddock_ports::inbound::{CreateError, CreateGroupRequest, GroupDetails, GroupRef};
use paddock_ports::outbound::{NewGroup, Outbound};

use crate::access::{group_standing, new_registration_token, visible_group};
use crate::groups::visibility_within_parent;

pub const DESCRIPTION_MAX: usize = 500;

/// Any signed-in user creates top-level groups; a subgroup needs maintainer (or owner) in its
/// parent. The creator becomes the group's owner.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    request: CreateGroupRequest,
) -> Result<GroupDetails, CreateError> {
    let parent = match request.parent_id {
        Some(id) => {
            let (parent, role) = visible_group(out, Some(actor), &GroupRef::Id(id))?;
            if !may_on_group(
                Some(actor),
                group_standing(&parent, role),
                GroupAction::CreateSubgroup,
            ) {
                return Err(CreateError::Forbidden(None));
            }
            Some(parent)
        }
        None => None,
    };
    let visibility = request.visibility.unwrap_or(Visibility::Private);
    let description = request.description.unwrap_or_default();
    let mut errors: Vec<FieldError> = [
        validate_name("name", &request.name),
        validate_path("path", &request.path),
        validate_text("description", &description, DESCRIPTION_MAX),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if let Some(parent) = &parent {
        errors.extend(visibility_within_parent(
            "visibility_level",
            visibility,
            parent,
            "group",
        ));
    }
    if !errors.is_empty() {
        return Err(CreateError::Invalid(errors));
    }
    let (runners_token, sealed) = new_registration_token(out);
    let group = out
        .namespaces
        .create_group(NewGroup {
            name: request.name,
            path: request.path,
            parent_id: parent.as_ref().map(|p| p.id),
            description,
            visibility,
            runners_token: sealed,
            created_at: out.clock.now(),
            creator: actor.user,
        })
        .map_err(|error| match error {
            RepoError::Conflict(_) => {
                CreateError::Invalid(vec![FieldError::new("path", "has already been taken")])
            }
            other => other.into(),
        })?;
    Ok(GroupDetails {
        group,
        runners_token: Some(runners_token),
    })
}
