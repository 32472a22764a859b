use paddock_domain::names::{FieldError, validate_name, validate_path, validate_text};
use paddock_domain::permission::{Actor, ProjectAction, may_on_project};
use paddock_ports::RepoError;
use paddock_ports::inbound::{ProjectDetails, ProjectRef, UpdateError, What};
use paddock_ports::outbound::{Outbound, ProjectChanges};

use crate::access::{project_standing, visible_project};
use crate::groups::visibility_within_parent;
use crate::projects::get_project::details;
use crate::projects::{
    DESCRIPTION_MAX, validate_branch_name, validate_ci_config, validate_repository_url,
};

/// A project updated.
pub struct Updated {
    pub details: ProjectDetails,
    /// Shared or group runners were turned on: jobs already waiting became theirs.
    pub opened_to_runners: bool,
}

/// Maintainers update a project.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    project: &ProjectRef,
    mut changes: ProjectChanges,
) -> Result<Updated, UpdateError> {
    let (project, namespace, roles) = visible_project(out, Some(actor), project)?;
    if !may_on_project(
        Some(actor),
        project_standing(&project, roles),
        ProjectAction::Update,
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
    if let Some(branch) = &changes.default_branch {
        errors.extend(validate_branch_name("default_branch", branch).err());
    }
    if let Some(Some(url)) = &changes.repository_url {
        errors.extend(validate_repository_url(url).err());
    }
    if let Some(Some(config)) = &changes.ci_config {
        errors.extend(validate_ci_config(config).err());
    }
    if let Some(visibility) = changes.visibility {
        errors.extend(visibility_within_parent(
            "visibility_level",
            visibility,
            &namespace,
            "group",
        ));
    }
    if !errors.is_empty() {
        return Err(UpdateError::Invalid(errors));
    }
    let before = (
        project.shared_runners_enabled,
        project.group_runners_enabled,
    );
    let updated = if changes.is_empty() {
        Some(project)
    } else {
        changes.updated_at = Some(out.clock.now());
        out.projects
            .update_project(project.id, &changes)
            .map_err(|error| match error {
                RepoError::Conflict(field) if field == "name" => {
                    UpdateError::Invalid(vec![FieldError::new("name", "has already been taken")])
                }
                RepoError::Conflict(_) => {
                    UpdateError::Invalid(vec![FieldError::new("path", "has already been taken")])
                }
                other => other.into(),
            })?
    };
    let updated = updated.ok_or(UpdateError::NotFound(What::Project))?;
    let opened_to_runners = (updated.shared_runners_enabled && !before.0)
        || (updated.group_runners_enabled && !before.1);
    Ok(Updated {
        details: details(out, Some(actor), updated, namespace, roles)?,
        opened_to_runners,
    })
}
