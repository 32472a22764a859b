use paddock_domain::names::{
    FieldError, path_from_name, validate_name, validate_path, validate_text,
};
use paddock_domain::namespace::{Namespace, NamespaceKind};
use paddock_domain::permission::{Actor, GroupAction, may_on_group};
use paddock_domain::project::DEFAULT_BRANCH;
use paddock_domain::{Role, Visibility};
use paddock_ports::RepoError;
use paddock_ports::inbound::{
    CreateError, CreateProjectRequest, NamespaceRef, ProjectDetails, What,
};
use paddock_ports::outbound::{NewProject, Outbound};

use crate::access::{ProjectRoles, group_standing, namespace_role, new_registration_token};
use crate::groups::visibility_within_parent;
use crate::projects::{
    DESCRIPTION_MAX, validate_branch_name, validate_ci_config, validate_repository_url,
};

/// Creates a project in the actor's namespace, or in a group where the actor is at least a
/// developer (administrators anywhere). In a group, a creator below maintainer becomes the
/// project's maintainer.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    request: CreateProjectRequest,
) -> Result<ProjectDetails, CreateError> {
    let namespace = target_namespace(out, actor, request.namespace.as_ref())?;
    let inherited = namespace_role(out, Some(actor), &namespace)?;
    if namespace.kind == NamespaceKind::Group {
        if !may_on_group(
            Some(actor),
            group_standing(&namespace, inherited),
            GroupAction::CreateProject,
        ) {
            return Err(CreateError::Forbidden(None));
        }
    } else if namespace.owner_id != Some(actor.user) && !actor.admin {
        return Err(CreateError::Forbidden(None));
    }

    let (name, path) = match (request.name, request.path) {
        (Some(name), Some(path)) => (name, path),
        (Some(name), None) => {
            let path = path_from_name(&name);
            (name, path)
        }
        (None, Some(path)) => (path.clone(), path),
        (None, None) => {
            return Err(CreateError::Invalid(vec![FieldError::new(
                "name",
                "can't be blank",
            )]));
        }
    };
    let visibility = request.visibility.unwrap_or(Visibility::Private);
    let description = request.description.unwrap_or_default();
    let default_branch = request
        .default_branch
        .unwrap_or_else(|| DEFAULT_BRANCH.to_owned());
    let mut errors: Vec<FieldError> = [
        validate_name("name", &name),
        validate_path("path", &path),
        validate_text("description", &description, DESCRIPTION_MAX),
        validate_branch_name("default_branch", &default_branch),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if let Some(url) = &request.repository_url {
        errors.extend(validate_repository_url(url).err());
    }
    if let Some(config) = &request.ci_config {
        errors.extend(validate_ci_config(config).err());
    }
    errors.extend(visibility_within_parent(
        "visibility_level",
        visibility,
        &namespace,
        "group",
    ));
    if !errors.is_empty() {
        return Err(CreateError::Invalid(errors));
    }

    let creator_role = (namespace.kind == NamespaceKind::Group
        && inherited.is_none_or(|role| role < Role::Maintainer)
        && !actor.admin)
        .then_some(Role::Maintainer);
    let (runners_token, sealed) = new_registration_token(out);
    let project = out
        .projects
        .create_project(NewProject {
            name,
            path,
            description,
            namespace_id: namespace.id,
            visibility,
            default_branch,
            repository_url: request.repository_url,
            ci_config: request.ci_config,
            shared_runners_enabled: request.shared_runners_enabled.unwrap_or(true),
            group_runners_enabled: request.group_runners_enabled.unwrap_or(true),
            creator_id: actor.user,
            runners_token: sealed,
            created_at: out.clock.now(),
            creator_role,
        })
        .map_err(|error| match error {
            RepoError::Conflict(field) if field == "name" => {
                CreateError::Invalid(vec![FieldError::new("name", "has already been taken")])
            }
            RepoError::Conflict(_) => {
                CreateError::Invalid(vec![FieldError::new("path", "has already been taken")])
            }
            other => other.into(),
        })?;
    let owner = match namespace.owner_id {
        Some(owner) => out.users.user(owner)?,
        None => None,
    };
    let roles = ProjectRoles {
        direct: creator_role,
        inherited,
    };
    let (project_access, group_access) = roles.as_reported(&namespace);
    Ok(ProjectDetails {
        project,
        namespace,
        owner,
        runners_token: Some(runners_token),
        project_access,
        group_access,
    })
}

fn target_namespace(
    out: &Outbound,
    actor: &Actor,
    namespace: Option<&NamespaceRef>,
) -> Result<Namespace, CreateError> {
    let found = match namespace {
        None => out.namespaces.user_namespace(actor.user)?,
        Some(NamespaceRef::Id(id)) => out.namespaces.namespace(*id)?,
        Some(NamespaceRef::Path(path)) => out.namespaces.namespace_by_full_path(path)?,
    };
    let namespace = found.ok_or(CreateError::NotFound(What::Namespace))?;
    // A namespace the actor cannot see is reported as missing.
    let role = namespace_role(out, Some(actor), &namespace)?;
    let visible = actor.admin || role.is_some() || namespace.visibility.visible_to_non_member(true);
    if !visible {
        return Err(CreateError::NotFound(What::Namespace));
    }
    Ok(namespace)
}
