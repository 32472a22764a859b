//! Resolving groups and projects and the acting user's standing in them: the lookups every
//! permission check starts from.

use paddock_domain::member::Membership;
use paddock_domain::namespace::{Namespace, NamespaceKind};
use paddock_domain::permission::{
    Actor, GroupAction, ProjectAction, Standing, may_on_group, may_on_project,
};
use paddock_domain::project::Project;
use paddock_domain::token::{PlainToken, TokenKind};
use paddock_domain::{MemberSource, Role};
use paddock_ports::RepoResult;
use paddock_ports::inbound::{FindError, GroupRef, ProjectRef, What};
use paddock_ports::outbound::{Audience, Outbound, SealedToken};

/// The actor's roles in a project: direct, and inherited from the project's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProjectRoles {
    pub direct: Option<Role>,
    pub inherited: Option<Role>,
}

impl ProjectRoles {
    pub fn effective(self) -> Option<Role> {
        Role::effective(self.direct.into_iter().chain(self.inherited))
    }

    /// GitLab's `permissions` pair `(project_access, group_access)`: in a personal namespace
    /// the owner's access is project access and there is no group access.
    pub fn as_reported(self, namespace: &Namespace) -> (Option<Role>, Option<Role>) {
        match namespace.kind {
            NamespaceKind::User => (self.effective(), None),
            NamespaceKind::Group => (self.direct, self.inherited),
        }
    }
}

pub fn audience(out: &Outbound, actor: Option<&Actor>) -> Audience {
    match actor {
        Some(a) if a.admin => Audience::Everything,
        Some(a) => Audience::User {
            id: a.user,
            now: out.clock.now(),
        },
        None => Audience::Anonymous,
    }
}

fn active_roles(out: &Outbound, memberships: &[Membership]) -> impl Iterator<Item = Role> {
    let now = out.clock.now();
    memberships
        .iter()
        .filter(move |m| m.is_active(now))
        .map(|m| m.role)
        .collect::<Vec<_>>()
        .into_iter()
}

/// The actor's effective role in a namespace: its own membership and its ancestors'; the
/// owner of a personal namespace is its owner.
pub fn namespace_role(
    out: &Outbound,
    actor: Option<&Actor>,
    namespace: &Namespace,
) -> RepoResult<Option<Role>> {
    let Some(actor) = actor else { return Ok(None) };
    if namespace.kind == NamespaceKind::User {
        return Ok((namespace.owner_id == Some(actor.user)).then_some(Role::Owner));
    }
    let sources: Vec<MemberSource> = namespace
        .traversal_ids
        .iter()
        .map(|id| MemberSource::Group(*id))
        .collect();
    let memberships = out.members.memberships_of(actor.user, &sources)?;
    Ok(Role::effective(active_roles(out, &memberships)))
}

pub fn project_roles(
    out: &Outbound,
    actor: Option<&Actor>,
    project: &Project,
    namespace: &Namespace,
) -> RepoResult<ProjectRoles> {
    let Some(actor) = actor else {
        return Ok(ProjectRoles::default());
    };
    let inherited = namespace_role(out, Some(actor), namespace)?;
    let direct = out
        .members
        .memberships_of(actor.user, &[MemberSource::Project(project.id)])?;
    Ok(ProjectRoles {
        direct: Role::effective(active_roles(out, &direct)),
        inherited,
    })
}

/// A group by id or full path (personal namespaces are not groups).
pub fn find_group(out: &Outbound, group: &GroupRef) -> RepoResult<Option<Namespace>> {
    let found = match group {
        GroupRef::Id(id) => out.namespaces.namespace(*id)?,
        GroupRef::Path(path) => out.namespaces.namespace_by_full_path(path)?,
    };
    Ok(found.filter(Namespace::is_group))
}

pub fn find_project(out: &Outbound, project: &ProjectRef) -> RepoResult<Option<Project>> {
    match project {
        ProjectRef::Id(id) => out.projects.project(*id),
        ProjectRef::Path(path) => out.projects.project_by_full_path(path),
    }
}

/// A group the actor may see, with the actor's role in it; `NotFound` otherwise.
pub fn visible_group(
    out: &Outbound,
    actor: Option<&Actor>,
    group: &GroupRef,
) -> Result<(Namespace, Option<Role>), FindError> {
    let namespace = find_group(out, group)?.ok_or(FindError::NotFound(What::Group))?;
    let role = namespace_role(out, actor, &namespace)?;
    let standing = Standing {
        role,
        visibility: namespace.visibility,
    };
    if !may_on_group(actor, standing, GroupAction::Read) {
        return Err(FindError::NotFound(What::Group));
    }
    Ok((namespace, role))
}

/// A project the actor may see, with its namespace and the actor's roles; `NotFound`
/// otherwise.
pub fn visible_project(
    out: &Outbound,
    actor: Option<&Actor>,
    project: &ProjectRef,
) -> Result<(Project, Namespace, ProjectRoles), FindError> {
    let project = find_project(out, project)?.ok_or(FindError::NotFound(What::Project))?;
    let namespace = out
        .namespaces
        .namespace(project.namespace_id)?
        .ok_or(FindError::NotFound(What::Project))?;
    let roles = project_roles(out, actor, &project, &namespace)?;
    if !may_on_project(
        actor,
        project_standing(&project, roles),
        ProjectAction::Read,
    ) {
        return Err(FindError::NotFound(What::Project));
    }
    Ok((project, namespace, roles))
}

pub fn project_standing(project: &Project, roles: ProjectRoles) -> Standing {
    Standing {
        role: roles.effective(),
        visibility: project.visibility,
    }
}

pub fn group_standing(group: &Namespace, role: Option<Role>) -> Standing {
    Standing {
        role,
        visibility: group.visibility,
    }
}

/// A fresh registration token and its sealed form for storage.
pub fn new_registration_token(out: &Outbound) -> (PlainToken, SealedToken) {
    let plain = out.token_generator.generate(TokenKind::RunnerRegistration);
    let sealed = seal(out, &plain);
    (plain, sealed)
}

pub fn seal(out: &Outbound, plain: &PlainToken) -> SealedToken {
    SealedToken {
        ciphertext: out.cipher.seal(plain),
        digest: plain.digest(),
    }
}

/// Opens a stored registration token; a token that cannot be opened (the secret key changed)
/// is logged and shown as absent rather than failing the whole request.
pub fn open(out: &Outbound, sealed: Option<SealedToken>) -> Option<PlainToken> {
    let sealed = sealed?;
    match out.cipher.open(&sealed.ciphertext) {
        Ok(plain) => Some(plain),
        Err(error) => {
            tracing::error!(%error, "a stored registration token cannot be decrypted");
            None
        }
    }
}
