//! An in-memory store implementing every repository with the database adapter's rules
//! (uniqueness, cascades, visibility and membership filters, ordering, pagination).
//!
//! Pipelines, jobs and CI/CD variables live in the submodules; their rows are in the same
//! `State`, so that deleting a project, a group, a user or a runner reaches them.

mod artifacts;
mod jobs;
mod pipelines;
mod variables;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use paddock_domain::job::Pipeline;
use paddock_domain::member::Membership;
use paddock_domain::namespace::{Namespace, NamespaceKind, child_full_name, child_full_path};
use paddock_domain::pagination::PageRequest;
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::project::Project;
use paddock_domain::protected_branch::ProtectedBranch;
use paddock_domain::runner::{Runner, RunnerId, RunnerManager, RunnerType};
use paddock_domain::token::TokenDigest;
use paddock_domain::user::{User, UserState};
use paddock_domain::{
    MemberSource, NamespaceId, ProjectId, ProtectedBranchId, Role, TokenId, UserId, Visibility,
};
use paddock_ports::outbound::*;
use paddock_ports::{Page, RepoError, RepoResult};

#[derive(Debug, Default)]
struct State {
    next_user: i64,
    next_namespace: i64,
    next_project: i64,
    next_token: i64,
    next_branch: i64,
    users: Vec<User>,
    tokens: Vec<(PersonalAccessToken, TokenDigest)>,
    namespaces: Vec<(Namespace, Option<SealedToken>)>,
    projects: Vec<(Project, SealedToken)>,
    members: Vec<Membership>,
    branches: Vec<ProtectedBranch>,
    instance_token: Option<SealedToken>,
    next_runner: i64,
    next_manager: i64,
    runners: Vec<(Runner, TokenDigest)>,
    /// (runner, project), in the order of assignment.
    runner_projects: Vec<(RunnerId, ProjectId)>,
    managers: Vec<RunnerManager>,
    next_pipeline: i64,
    next_job: i64,
    next_variable: i64,
    pipelines: Vec<Pipeline>,
    /// The last pipeline number given in each project (numbers are never given twice).
    pipeline_iids: HashMap<ProjectId, i64>,
    jobs: Vec<jobs::StoredJob>,
    variables: Vec<StoredVariable>,
    artifacts: Vec<paddock_domain::job::artifact::Artifact>,
}

/// Every repository in memory, behind one lock.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<State>);

fn conflict<T>(what: &str) -> RepoResult<T> {
    Err(RepoError::Conflict(what.to_owned()))
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn paginate<T: Clone>(items: Vec<T>, page: PageRequest) -> Page<T> {
    Page {
        total: items.len() as u64,
        items: page.slice(&items),
    }
}

fn directed(ordering: Ordering, sort: Sort) -> Ordering {
    match sort {
        Sort::Asc => ordering,
        Sort::Desc => ordering.reverse(),
    }
}

impl State {
    fn namespace(&self, id: NamespaceId) -> Option<&Namespace> {
        self.namespaces.iter().map(|(n, _)| n).find(|n| n.id == id)
    }

    fn path_taken(&self, full_path: &str, except_namespace: Option<NamespaceId>) -> bool {
        self.namespaces
            .iter()
            .any(|(n, _)| eq_ci(&n.full_path, full_path) && Some(n.id) != except_namespace)
            || self
                .projects
                .iter()
                .any(|(p, _)| eq_ci(&p.path_with_namespace, full_path))
    }

    fn active_roles(
        &self,
        user: UserId,
        sources: &[MemberSource],
        now: DateTime<Utc>,
    ) -> Option<Role> {
        self.members
            .iter()
            .filter(|m| m.user_id == user && sources.contains(&m.source) && m.is_active(now))
            .map(|m| m.role)
            .max()
    }

    /// The user's effective role in a namespace (through it and its ancestors).
    fn namespace_role(
        &self,
        user: UserId,
        namespace: &Namespace,
        now: DateTime<Utc>,
    ) -> Option<Role> {
        if namespace.kind == NamespaceKind::User {
            return (namespace.owner_id == Some(user)).then_some(Role::Owner);
        }
        let sources: Vec<_> = namespace
            .traversal_ids
            .iter()
            .map(|id| MemberSource::Group(*id))
            .collect();
        self.active_roles(user, &sources, now)
    }

    fn project_role(&self, user: UserId, project: &Project, now: DateTime<Utc>) -> Option<Role> {
        let inherited = self
            .namespace(project.namespace_id)
            .and_then(|n| self.namespace_role(user, n, now));
        let direct = self.active_roles(user, &[MemberSource::Project(project.id)], now);
        Role::effective(inherited.into_iter().chain(direct))
    }

    fn visible(
        &self,
        audience: Audience,
        visibility: Visibility,
        role: impl FnOnce(UserId, DateTime<Utc>) -> Option<Role>,
    ) -> bool {
        match audience {
            Audience::Everything => true,
            Audience::Anonymous => visibility == Visibility::Public,
            Audience::User { id, now } => {
                visibility != Visibility::Private || role(id, now).is_some()
            }
        }
    }

    /// Rewrites full paths and names below a renamed namespace.
    fn cascade_names(&mut self, id: NamespaceId) {
        let Some(parent) = self.namespace(id).cloned() else {
            return;
        };
        let children: Vec<NamespaceId> = self
            .namespaces
            .iter()
            .filter(|(n, _)| n.parent_id == Some(id))
            .map(|(n, _)| n.id)
            .collect();
        for (project, _) in self
            .projects
            .iter_mut()
            .filter(|(p, _)| p.namespace_id == id)
        {
            project.path_with_namespace = child_full_path(Some(&parent.full_path), &project.path);
            project.name_with_namespace = child_full_name(Some(&parent.full_name), &project.name);
        }
        for child in children {
            if let Some((n, _)) = self.namespaces.iter_mut().find(|(n, _)| n.id == child) {
                n.full_path = child_full_path(Some(&parent.full_path), &n.path);
                n.full_name = child_full_name(Some(&parent.full_name), &n.name);
            }
            self.cascade_names(child);
        }
    }

    fn remove_projects(&mut self, doomed: &[ProjectId]) {
        self.projects.retain(|(p, _)| !doomed.contains(&p.id));
        self.members
            .retain(|m| !matches!(m.source, MemberSource::Project(p) if doomed.contains(&p)));
        self.branches.retain(|b| !doomed.contains(&b.project_id));
        self.runner_projects.retain(|(_, p)| !doomed.contains(p));
        self.pipelines.retain(|p| !doomed.contains(&p.project_id));
        self.pipeline_iids.retain(|p, _| !doomed.contains(p));
        self.jobs.retain(|j| !doomed.contains(&j.job.project_id));
        self.remove_orphaned_artifacts();
        self.variables.retain(|v| !doomed.contains(&v.project_id));
        self.remove_orphaned_runners();
    }

    /// Project runners left without any project go with their last project.
    fn remove_orphaned_runners(&mut self) {
        let orphans: Vec<RunnerId> = self
            .runners
            .iter()
            .filter(|(r, _)| r.runner_type == RunnerType::Project)
            .filter(|(r, _)| !self.runner_projects.iter().any(|(id, _)| *id == r.id))
            .map(|(r, _)| r.id)
            .collect();
        self.remove_runners(&orphans);
    }

    fn remove_runners(&mut self, doomed: &[RunnerId]) {
        self.runners.retain(|(r, _)| !doomed.contains(&r.id));
        self.runner_projects.retain(|(r, _)| !doomed.contains(r));
        self.managers.retain(|m| !doomed.contains(&m.runner_id));
        // Jobs keep their history without the runner (`ON DELETE SET NULL`).
        for stored in &mut self.jobs {
            if stored.job.runner_id.is_some_and(|r| doomed.contains(&r)) {
                stored.job.runner_id = None;
            }
        }
    }

    fn runner_in_set(&self, runner: &Runner, set: &RunnerSet) -> bool {
        let assigned = |project: ProjectId| {
            self.runner_projects
                .iter()
                .any(|(r, p)| *r == runner.id && *p == project)
        };
        match set {
            RunnerSet::All => true,
            RunnerSet::ManagedBy { user, now } => match runner.runner_type {
                RunnerType::Instance => false,
                RunnerType::Group => runner
                    .group_id
                    .and_then(|g| self.namespace(g))
                    .is_some_and(|g| self.namespace_role(*user, g, *now) == Some(Role::Owner)),
                RunnerType::Project => self
                    .runner_projects
                    .iter()
                    .filter(|(r, _)| *r == runner.id)
                    .filter_map(|(_, p)| self.projects.iter().map(|(p, _)| p).find(|x| x.id == *p))
                    .any(|p| {
                        self.project_role(*user, p, *now)
                            .is_some_and(|r| r >= Role::Maintainer)
                    }),
            },
            RunnerSet::ForProject {
                project,
                groups,
                instance,
            } => match runner.runner_type {
                RunnerType::Instance => *instance,
                RunnerType::Group => runner.group_id.is_some_and(|g| groups.contains(&g)),
                RunnerType::Project => assigned(*project),
            },
            RunnerSet::ForGroups { groups, instance } => match runner.runner_type {
                RunnerType::Instance => *instance,
                RunnerType::Group => runner.group_id.is_some_and(|g| groups.contains(&g)),
                RunnerType::Project => false,
            },
        }
    }

    fn remove_namespaces(&mut self, doomed: &[NamespaceId]) {
        let projects: Vec<ProjectId> = self
            .projects
            .iter()
            .filter(|(p, _)| doomed.contains(&p.namespace_id))
            .map(|(p, _)| p.id)
            .collect();
        self.remove_projects(&projects);
        self.namespaces.retain(|(n, _)| !doomed.contains(&n.id));
        self.members
            .retain(|m| !matches!(m.source, MemberSource::Group(g) if doomed.contains(&g)));
        let group_runners: Vec<RunnerId> = self
            .runners
            .iter()
            .filter(|(r, _)| r.group_id.is_some_and(|g| doomed.contains(&g)))
            .map(|(r, _)| r.id)
            .collect();
        self.remove_runners(&group_runners);
    }
}

impl MemoryStore {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut state)
    }
}

impl UserRepository for MemoryStore {
    fn create_user(&self, new: NewUser) -> RepoResult<User> {
        self.with(|s| {
            if s.users.iter().any(|u| eq_ci(&u.username, &new.username))
                || s.path_taken(&new.username, None)
            {
                return conflict("username");
            }
            if s.users.iter().any(|u| eq_ci(&u.email, &new.email)) {
                return conflict("email");
            }
            s.next_user += 1;
            s.next_namespace += 1;
            let user = User {
                id: UserId(s.next_user),
                username: new.username.clone(),
                name: new.name.clone(),
                email: new.email,
                admin: new.admin,
                state: UserState::Active,
                created_at: new.created_at,
            };
            let ns_id = NamespaceId(s.next_namespace);
            s.namespaces.push((
                Namespace {
                    id: ns_id,
                    kind: NamespaceKind::User,
                    name: new.name.clone(),
                    path: new.username.clone(),
                    full_path: new.username,
                    full_name: new.name,
                    parent_id: None,
                    owner_id: Some(user.id),
                    description: String::new(),
                    visibility: Visibility::Public,
                    traversal_ids: vec![ns_id],
                    created_at: new.created_at,
                },
                None,
            ));
            s.users.push(user.clone());
            Ok(user)
        })
    }

    fn user(&self, id: UserId) -> RepoResult<Option<User>> {
        Ok(self.with(|s| s.users.iter().find(|u| u.id == id).cloned()))
    }

    fn user_by_username(&self, username: &str) -> RepoResult<Option<User>> {
        Ok(self.with(|s| {
            s.users
                .iter()
                .find(|u| eq_ci(&u.username, username))
                .cloned()
        }))
    }

    fn users(&self, filter: &UserFilter, page: PageRequest) -> RepoResult<Page<User>> {
        Ok(self.with(|s| {
            let mut found: Vec<User> = s
                .users
                .iter()
                .filter(|u| {
                    filter
                        .username
                        .as_deref()
                        .is_none_or(|name| eq_ci(&u.username, name))
                })
                .filter(|u| {
                    filter.search.as_deref().is_none_or(|q| {
                        contains_ci(&u.username, q)
                            || contains_ci(&u.name, q)
                            || contains_ci(&u.email, q)
                    })
                })
                .filter(|u| !filter.active_only || u.state == UserState::Active)
                .filter(|u| !filter.blocked_only || u.state == UserState::Blocked)
                .filter(|u| !filter.admins_only || u.admin)
                .cloned()
                .collect();
            found.sort_by(|a, b| directed(a.id.cmp(&b.id), filter.sort));
            paginate(found, page)
        }))
    }

    fn delete_user(&self, id: UserId) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.users.len();
            s.users.retain(|u| u.id != id);
            if s.users.len() == before {
                return false;
            }
            let personal: Vec<NamespaceId> = s
                .namespaces
                .iter()
                .filter(|(n, _)| n.owner_id == Some(id))
                .map(|(n, _)| n.id)
                .collect();
            s.remove_namespaces(&personal);
            s.members.retain(|m| m.user_id != id);
            s.tokens.retain(|(t, _)| t.user_id != id);
            // What the user made for others stays, without its maker (`ON DELETE SET NULL`).
            for (project, _) in s
                .projects
                .iter_mut()
                .filter(|(p, _)| p.creator_id == Some(id))
            {
                project.creator_id = None;
            }
            for m in s.members.iter_mut().filter(|m| m.created_by == Some(id)) {
                m.created_by = None;
            }
            for (runner, _) in s
                .runners
                .iter_mut()
                .filter(|(r, _)| r.creator_id == Some(id))
            {
                runner.creator_id = None;
            }
            for pipeline in s.pipelines.iter_mut().filter(|p| p.user_id == Some(id)) {
                pipeline.user_id = None;
            }
            for stored in s.jobs.iter_mut().filter(|j| j.job.user_id == Some(id)) {
                stored.job.user_id = None;
            }
            true
        }))
    }
}

impl PersonalAccessTokenRepository for MemoryStore {
    fn create_token(&self, new: NewPersonalAccessToken) -> RepoResult<PersonalAccessToken> {
        self.with(|s| {
            if s.tokens.iter().any(|(_, d)| *d == new.digest) {
                return conflict("token");
            }
            s.next_token += 1;
            let token = PersonalAccessToken {
                id: TokenId(s.next_token),
                user_id: new.user_id,
                name: new.name,
                scopes: new.scopes,
                created_at: new.created_at,
                expires_at: new.expires_at,
                revoked: false,
                last_used_at: None,
            };
            s.tokens.push((token.clone(), new.digest));
            Ok(token)
        })
    }

    fn token_by_digest(&self, digest: &TokenDigest) -> RepoResult<Option<PersonalAccessToken>> {
        Ok(self.with(|s| {
            s.tokens
                .iter()
                .find(|(_, d)| d == digest)
                .map(|(t, _)| t.clone())
        }))
    }

    fn tokens_of_user(&self, user: UserId) -> RepoResult<Vec<PersonalAccessToken>> {
        Ok(self.with(|s| {
            s.tokens
                .iter()
                .filter(|(t, _)| t.user_id == user)
                .map(|(t, _)| t.clone())
                .collect()
        }))
    }

    fn revoke_token(&self, id: TokenId) -> RepoResult<bool> {
        Ok(
            self.with(|s| match s.tokens.iter_mut().find(|(t, _)| t.id == id) {
                Some((t, _)) => {
                    t.revoked = true;
                    true
                }
                None => false,
            }),
        )
    }

    fn touch_token(&self, id: TokenId, at: DateTime<Utc>) -> RepoResult<()> {
        self.with(|s| {
            if let Some((t, _)) = s.tokens.iter_mut().find(|(t, _)| t.id == id) {
                t.last_used_at = Some(at);
            }
        });
        Ok(())
    }
}

impl NamespaceRepository for MemoryStore {
    fn create_group(&self, new: NewGroup) -> RepoResult<Namespace> {
        self.with(|s| {
            let parent = match new.parent_id {
                Some(id) => match s.namespace(id) {
                    Some(parent) => Some(parent.clone()),
                    None => {
                        return Err(RepoError::Internal(format!(
                            "parent namespace {id} is gone"
                        )));
                    }
                },
                None => None,
            };
            let full_path =
                child_full_path(parent.as_ref().map(|p| p.full_path.as_str()), &new.path);
            if s.path_taken(&full_path, None) {
                return conflict("path");
            }
            s.next_namespace += 1;
            let id = NamespaceId(s.next_namespace);
            let mut traversal_ids = parent
                .as_ref()
                .map(|p| p.traversal_ids.clone())
                .unwrap_or_default();
            traversal_ids.push(id);
            let group = Namespace {
                id,
                kind: NamespaceKind::Group,
                full_name: child_full_name(
                    parent.as_ref().map(|p| p.full_name.as_str()),
                    &new.name,
                ),
                name: new.name,
                path: new.path,
                full_path,
                parent_id: new.parent_id,
                owner_id: None,
                description: new.description,
                visibility: new.visibility,
                traversal_ids,
                created_at: new.created_at,
            };
            s.namespaces.push((group.clone(), Some(new.runners_token)));
            s.members.push(Membership {
                source: MemberSource::Group(id),
                user_id: new.creator,
                role: Role::Owner,
                created_at: new.created_at,
                expires_at: None,
                created_by: Some(new.creator),
            });
            Ok(group)
        })
    }

    fn namespace(&self, id: NamespaceId) -> RepoResult<Option<Namespace>> {
        Ok(self.with(|s| s.namespace(id).cloned()))
    }

    fn namespace_by_full_path(&self, full_path: &str) -> RepoResult<Option<Namespace>> {
        Ok(self.with(|s| {
            s.namespaces
                .iter()
                .map(|(n, _)| n)
                .find(|n| eq_ci(&n.full_path, full_path))
                .cloned()
        }))
    }

    fn namespaces(&self, ids: &[NamespaceId]) -> RepoResult<Vec<Namespace>> {
        Ok(self.with(|s| {
            s.namespaces
                .iter()
                .map(|(n, _)| n)
                .filter(|n| ids.contains(&n.id))
                .cloned()
                .collect()
        }))
    }

    fn user_namespace(&self, user: UserId) -> RepoResult<Option<Namespace>> {
        Ok(self.with(|s| {
            s.namespaces
                .iter()
                .map(|(n, _)| n)
                .find(|n| n.kind == NamespaceKind::User && n.owner_id == Some(user))
                .cloned()
        }))
    }

    fn groups(&self, filter: &GroupFilter, page: PageRequest) -> RepoResult<Page<Namespace>> {
        Ok(self.with(|s| {
            let mut found: Vec<Namespace> = s
                .namespaces
                .iter()
                .map(|(n, _)| n)
                .filter(|n| n.is_group())
                .filter(|n| match filter.parent {
                    ParentFilter::Any => true,
                    ParentFilter::TopLevel => n.parent_id.is_none(),
                    ParentFilter::ChildrenOf(id) => n.parent_id == Some(id),
                    ParentFilter::DescendantsOf(id) => n.id != id && n.is_within(id),
                })
                .filter(|n| filter.visibility.is_none_or(|v| n.visibility == v))
                .filter(|n| {
                    filter
                        .search
                        .as_deref()
                        .is_none_or(|q| contains_ci(&n.name, q) || contains_ci(&n.path, q))
                })
                .filter(|n| {
                    s.visible(filter.audience, n.visibility, |user, now| {
                        s.namespace_role(user, n, now)
                    })
                })
                .filter(|n| {
                    filter.member.is_none_or(|(user, min, now)| {
                        s.namespace_role(user, n, now).is_some_and(|r| r >= min)
                    })
                })
                .cloned()
                .collect();
            found.sort_by(|a, b| {
                let primary = match filter.order {
                    GroupOrder::Name => a.name.cmp(&b.name),
                    GroupOrder::Path => a.path.cmp(&b.path),
                    GroupOrder::Id => a.id.cmp(&b.id),
                };
                directed(primary.then(a.id.cmp(&b.id)), filter.sort)
            });
            paginate(found, page)
        }))
    }

    fn update_group(
        &self,
        id: NamespaceId,
        changes: &GroupChanges,
    ) -> RepoResult<Option<Namespace>> {
        self.with(|s| {
            let Some(current) = s.namespace(id).cloned() else {
                return Ok(None);
            };
            let parent = current.parent_id.and_then(|p| s.namespace(p).cloned());
            let path = changes.path.clone().unwrap_or(current.path.clone());
            let full_path = child_full_path(parent.as_ref().map(|p| p.full_path.as_str()), &path);
            if !eq_ci(&full_path, &current.full_path) && s.path_taken(&full_path, Some(id)) {
                return conflict("path");
            }
            let name = changes.name.clone().unwrap_or(current.name.clone());
            if let Some((n, _)) = s.namespaces.iter_mut().find(|(n, _)| n.id == id) {
                n.full_name = child_full_name(parent.as_ref().map(|p| p.full_name.as_str()), &name);
                n.name = name;
                n.path = path;
                n.full_path = full_path;
                if let Some(description) = &changes.description {
                    n.description = description.clone();
                }
                if let Some(visibility) = changes.visibility {
                    n.visibility = visibility;
                }
            }
            s.cascade_names(id);
            Ok(s.namespace(id).cloned())
        })
    }

    fn delete_group(&self, id: NamespaceId) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let doomed: Vec<NamespaceId> = s
                .namespaces
                .iter()
                .map(|(n, _)| n)
                .filter(|n| n.is_group() && n.is_within(id))
                .map(|n| n.id)
                .collect();
            s.remove_namespaces(&doomed);
            !doomed.is_empty()
        }))
    }

    fn group_by_runners_token(&self, digest: &TokenDigest) -> RepoResult<Option<Namespace>> {
        Ok(self.with(|s| {
            s.namespaces
                .iter()
                .find(|(n, t)| n.is_group() && t.as_ref().is_some_and(|t| t.digest == *digest))
                .map(|(n, _)| n.clone())
        }))
    }

    fn group_runners_token(&self, id: NamespaceId) -> RepoResult<Option<SealedToken>> {
        Ok(self.with(|s| {
            s.namespaces
                .iter()
                .find(|(n, _)| n.id == id)
                .and_then(|(_, t)| t.clone())
        }))
    }

    fn set_group_runners_token(&self, id: NamespaceId, token: &SealedToken) -> RepoResult<bool> {
        Ok(self.with(|s| {
            match s
                .namespaces
                .iter_mut()
                .find(|(n, _)| n.id == id && n.is_group())
            {
                Some((_, t)) => {
                    *t = Some(token.clone());
                    true
                }
                None => false,
            }
        }))
    }
}

impl ProjectRepository for MemoryStore {
    fn create_project(&self, new: NewProject) -> RepoResult<Project> {
        self.with(|s| {
            let Some(namespace) = s.namespace(new.namespace_id).cloned() else {
                return Err(RepoError::Internal(format!(
                    "namespace {} is gone",
                    new.namespace_id
                )));
            };
            let full_path = child_full_path(Some(&namespace.full_path), &new.path);
            if s.path_taken(&full_path, None) {
                return conflict("path");
            }
            if s.projects
                .iter()
                .any(|(p, _)| p.namespace_id == namespace.id && eq_ci(&p.name, &new.name))
            {
                return conflict("name");
            }
            s.next_project += 1;
            let project = Project {
                id: ProjectId(s.next_project),
                name_with_namespace: child_full_name(Some(&namespace.full_name), &new.name),
                name: new.name,
                path: new.path,
                description: new.description,
                namespace_id: namespace.id,
                path_with_namespace: full_path,
                visibility: new.visibility,
                default_branch: new.default_branch,
                repository_url: new.repository_url,
                ci_config: new.ci_config,
                shared_runners_enabled: new.shared_runners_enabled,
                group_runners_enabled: new.group_runners_enabled,
                creator_id: Some(new.creator_id),
                created_at: new.created_at,
                updated_at: new.created_at,
            };
            s.projects.push((project.clone(), new.runners_token));
            if let Some(role) = new.creator_role {
                s.members.push(Membership {
                    source: MemberSource::Project(project.id),
                    user_id: new.creator_id,
                    role,
                    created_at: new.created_at,
                    expires_at: None,
                    created_by: Some(new.creator_id),
                });
            }
            Ok(project)
        })
    }

    fn project(&self, id: ProjectId) -> RepoResult<Option<Project>> {
        Ok(self.with(|s| {
            s.projects
                .iter()
                .map(|(p, _)| p)
                .find(|p| p.id == id)
                .cloned()
        }))
    }

    fn project_by_full_path(&self, full_path: &str) -> RepoResult<Option<Project>> {
        Ok(self.with(|s| {
            s.projects
                .iter()
                .map(|(p, _)| p)
                .find(|p| eq_ci(&p.path_with_namespace, full_path))
                .cloned()
        }))
    }

    fn projects(&self, filter: &ProjectFilter, page: PageRequest) -> RepoResult<Page<Project>> {
        Ok(self.with(|s| {
            let mut found: Vec<Project> = s
                .projects
                .iter()
                .map(|(p, _)| p)
                .filter(|p| match filter.namespace {
                    None => true,
                    Some((id, false)) => p.namespace_id == id,
                    Some((id, true)) => {
                        s.namespace(p.namespace_id).is_some_and(|n| n.is_within(id))
                    }
                })
                .filter(|p| filter.visibility.is_none_or(|v| p.visibility == v))
                .filter(|p| {
                    filter
                        .search
                        .as_deref()
                        .is_none_or(|q| contains_ci(&p.name, q) || contains_ci(&p.path, q))
                })
                .filter(|p| {
                    s.visible(filter.audience, p.visibility, |user, now| {
                        s.project_role(user, p, now)
                    })
                })
                .filter(|p| {
                    filter.member.is_none_or(|(user, min, now)| {
                        s.project_role(user, p, now).is_some_and(|r| r >= min)
                    })
                })
                .cloned()
                .collect();
            found.sort_by(|a, b| {
                let primary = match filter.order {
                    ProjectOrder::Id => a.id.cmp(&b.id),
                    ProjectOrder::Name => a.name.cmp(&b.name),
                    ProjectOrder::Path => a.path.cmp(&b.path),
                    ProjectOrder::CreatedAt => a.created_at.cmp(&b.created_at),
                    ProjectOrder::UpdatedAt => a.updated_at.cmp(&b.updated_at),
                };
                directed(primary.then(a.id.cmp(&b.id)), filter.sort)
            });
            paginate(found, page)
        }))
    }

    fn update_project(
        &self,
        id: ProjectId,
        changes: &ProjectChanges,
    ) -> RepoResult<Option<Project>> {
        self.with(|s| {
            let Some(current) = s
                .projects
                .iter()
                .map(|(p, _)| p)
                .find(|p| p.id == id)
                .cloned()
            else {
                return Ok(None);
            };
            let Some(namespace) = s.namespace(current.namespace_id).cloned() else {
                return Ok(None);
            };
            let path = changes.path.clone().unwrap_or(current.path.clone());
            let name = changes.name.clone().unwrap_or(current.name.clone());
            let full_path = child_full_path(Some(&namespace.full_path), &path);
            let moved = !eq_ci(&full_path, &current.path_with_namespace);
            if moved && s.path_taken(&full_path, None) {
                return conflict("path");
            }
            if s.projects
                .iter()
                .any(|(p, _)| p.id != id && p.namespace_id == namespace.id && eq_ci(&p.name, &name))
            {
                return conflict("name");
            }
            let Some((p, _)) = s.projects.iter_mut().find(|(p, _)| p.id == id) else {
                return Ok(None);
            };
            p.name_with_namespace = child_full_name(Some(&namespace.full_name), &name);
            p.name = name;
            p.path = path;
            p.path_with_namespace = full_path;
            if let Some(v) = &changes.description {
                p.description = v.clone();
            }
            if let Some(v) = changes.visibility {
                p.visibility = v;
            }
            if let Some(v) = &changes.default_branch {
                p.default_branch = v.clone();
            }
            if let Some(v) = &changes.repository_url {
                p.repository_url = v.clone();
            }
            if let Some(v) = &changes.ci_config {
                p.ci_config = v.clone();
            }
            if let Some(v) = changes.shared_runners_enabled {
                p.shared_runners_enabled = v;
            }
            if let Some(v) = changes.group_runners_enabled {
                p.group_runners_enabled = v;
            }
            if let Some(v) = changes.updated_at {
                p.updated_at = v;
            }
            Ok(Some(p.clone()))
        })
    }

    fn delete_project(&self, id: ProjectId) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let existed = s.projects.iter().any(|(p, _)| p.id == id);
            s.remove_projects(&[id]);
            existed
        }))
    }

    fn project_by_runners_token(&self, digest: &TokenDigest) -> RepoResult<Option<Project>> {
        Ok(self.with(|s| {
            s.projects
                .iter()
                .find(|(_, t)| t.digest == *digest)
                .map(|(p, _)| p.clone())
        }))
    }

    fn project_runners_token(&self, id: ProjectId) -> RepoResult<Option<SealedToken>> {
        Ok(self.with(|s| {
            s.projects
                .iter()
                .find(|(p, _)| p.id == id)
                .map(|(_, t)| t.clone())
        }))
    }

    fn set_project_runners_token(&self, id: ProjectId, token: &SealedToken) -> RepoResult<bool> {
        Ok(
            self.with(|s| match s.projects.iter_mut().find(|(p, _)| p.id == id) {
                Some((_, t)) => {
                    *t = token.clone();
                    true
                }
                None => false,
            }),
        )
    }
}

impl MemberRepository for MemoryStore {
    fn add_member(&self, membership: &Membership) -> RepoResult<()> {
        self.with(|s| {
            if s.members
                .iter()
                .any(|m| m.source == membership.source && m.user_id == membership.user_id)
            {
                return conflict("member");
            }
            s.members.push(membership.clone());
            Ok(())
        })
    }

    fn update_member(
        &self,
        source: MemberSource,
        user: UserId,
        role: Role,
        expires_at: Option<Option<DateTime<Utc>>>,
    ) -> RepoResult<Option<Membership>> {
        Ok(self.with(|s| {
            let m = s
                .members
                .iter_mut()
                .find(|m| m.source == source && m.user_id == user)?;
            m.role = role;
            if let Some(at) = expires_at {
                m.expires_at = at;
            }
            Some(m.clone())
        }))
    }

    fn remove_member(&self, source: MemberSource, user: UserId) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.members.len();
            s.members
                .retain(|m| !(m.source == source && m.user_id == user));
            s.members.len() != before
        }))
    }

    fn member(&self, source: MemberSource, user: UserId) -> RepoResult<Option<MemberWithUser>> {
        Ok(self.with(|s| {
            let membership = s
                .members
                .iter()
                .find(|m| m.source == source && m.user_id == user)?
                .clone();
            let user = s.users.iter().find(|u| u.id == user)?.clone();
            Some(MemberWithUser { membership, user })
        }))
    }

    fn members(
        &self,
        source: MemberSource,
        query: Option<&str>,
        page: PageRequest,
    ) -> RepoResult<Page<MemberWithUser>> {
        Ok(self.with(|s| {
            let mut found: Vec<MemberWithUser> = s
                .members
                .iter()
                .filter(|m| m.source == source)
                .filter_map(|m| {
                    let user = s.users.iter().find(|u| u.id == m.user_id)?.clone();
                    Some(MemberWithUser {
                        membership: m.clone(),
                        user,
                    })
                })
                .filter(|m| {
                    query.is_none_or(|q| {
                        contains_ci(&m.user.username, q) || contains_ci(&m.user.name, q)
                    })
                })
                .collect();
            found.sort_by_key(|m| m.user.id);
            paginate(found, page)
        }))
    }

    fn memberships_of(
        &self,
        user: UserId,
        sources: &[MemberSource],
    ) -> RepoResult<Vec<Membership>> {
        Ok(self.with(|s| {
            s.members
                .iter()
                .filter(|m| m.user_id == user && sources.contains(&m.source))
                .cloned()
                .collect()
        }))
    }

    fn count_owners(&self, source: MemberSource) -> RepoResult<u64> {
        Ok(self.with(|s| {
            s.members
                .iter()
                .filter(|m| m.source == source && m.role == Role::Owner)
                .count() as u64
        }))
    }
}

impl ProtectedBranchRepository for MemoryStore {
    fn create_protected_branch(&self, new: NewProtectedBranch) -> RepoResult<ProtectedBranch> {
        self.with(|s| {
            if s.branches
                .iter()
                .any(|b| b.project_id == new.project_id && b.name == new.name)
            {
                return conflict("name");
            }
            s.next_branch += 1;
            let branch = ProtectedBranch {
                id: ProtectedBranchId(s.next_branch),
                project_id: new.project_id,
                name: new.name,
                push_access_level: new.push_access_level,
                merge_access_level: new.merge_access_level,
                allow_force_push: new.allow_force_push,
                created_at: new.created_at,
            };
            s.branches.push(branch.clone());
            Ok(branch)
        })
    }

    fn protected_branch(
        &self,
        project: ProjectId,
        name: &str,
    ) -> RepoResult<Option<ProtectedBranch>> {
        Ok(self.with(|s| {
            s.branches
                .iter()
                .find(|b| b.project_id == project && b.name == name)
                .cloned()
        }))
    }

    fn protected_branches(
        &self,
        project: ProjectId,
        page: PageRequest,
    ) -> RepoResult<Page<ProtectedBranch>> {
        Ok(self.with(|s| {
            let found: Vec<_> = s
                .branches
                .iter()
                .filter(|b| b.project_id == project)
                .cloned()
                .collect();
            paginate(found, page)
        }))
    }

    fn delete_protected_branch(&self, project: ProjectId, name: &str) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.branches.len();
            s.branches
                .retain(|b| !(b.project_id == project && b.name == name));
            s.branches.len() != before
        }))
    }
}

impl InstanceSettingsRepository for MemoryStore {
    fn instance_runners_token(&self) -> RepoResult<Option<SealedToken>> {
        Ok(self.with(|s| s.instance_token.clone()))
    }

    fn init_instance_runners_token(&self, token: &SealedToken) -> RepoResult<bool> {
        Ok(self.with(|s| {
            if s.instance_token.is_some() {
                return false;
            }
            s.instance_token = Some(token.clone());
            true
        }))
    }

    fn set_instance_runners_token(&self, token: &SealedToken) -> RepoResult<()> {
        self.with(|s| s.instance_token = Some(token.clone()));
        Ok(())
    }
}

impl HealthCheck for MemoryStore {
    fn ping(&self) -> RepoResult<()> {
        Ok(())
    }
}

impl RunnerRepository for MemoryStore {
    fn create_runner(&self, new: NewRunner) -> RepoResult<Runner> {
        self.with(|s| {
            if s.runners.iter().any(|(_, d)| *d == new.token_digest) {
                return conflict("token");
            }
            // Foreign keys in the databases.
            if new.group_id.is_some_and(|g| s.namespace(g).is_none())
                || new
                    .project_id
                    .is_some_and(|p| !s.projects.iter().any(|(x, _)| x.id == p))
            {
                return conflict("reference");
            }
            s.next_runner += 1;
            let runner = Runner {
                id: RunnerId(s.next_runner),
                runner_type: new.runner_type,
                group_id: new.group_id,
                settings: new.settings,
                name: new.name,
                token_expires_at: new.token_expires_at,
                registration_type: new.registration_type,
                contacted_at: None,
                creator_id: new.creator_id,
                created_at: new.created_at,
                updated_at: new.created_at,
            };
            if let Some(project) = new.project_id {
                s.runner_projects.push((runner.id, project));
            }
            s.runners.push((runner.clone(), new.token_digest));
            Ok(runner)
        })
    }

    fn runner(&self, id: RunnerId) -> RepoResult<Option<Runner>> {
        Ok(self.with(|s| {
            s.runners
                .iter()
                .find(|(r, _)| r.id == id)
                .map(|(r, _)| r.clone())
        }))
    }

    fn runner_by_token(&self, digest: &TokenDigest) -> RepoResult<Option<Runner>> {
        Ok(self.with(|s| {
            s.runners
                .iter()
                .find(|(_, d)| d == digest)
                .map(|(r, _)| r.clone())
        }))
    }

    fn runners(&self, query: &RunnerQuery, page: PageRequest) -> RepoResult<Page<Runner>> {
        Ok(self.with(|s| {
            let mut found: Vec<Runner> = s
                .runners
                .iter()
                .map(|(r, _)| r)
                .filter(|r| s.runner_in_set(r, &query.set))
                .filter(|r| {
                    let versions: Vec<&str> = s
                        .managers
                        .iter()
                        .filter(|m| m.runner_id == r.id)
                        .filter_map(|m| m.info.version.as_deref())
                        .collect();
                    query.filter.matches(
                        r.runner_type,
                        r.settings.active,
                        r.created_at,
                        r.contacted_at,
                        &r.settings.tags,
                        &versions,
                    )
                })
                .cloned()
                .collect();
            found.sort_by_key(|r| r.id);
            paginate(found, page)
        }))
    }

    fn update_runner(&self, id: RunnerId, changes: &RunnerChanges) -> RepoResult<Option<Runner>> {
        Ok(self.with(|s| {
            let (runner, _) = s.runners.iter_mut().find(|(r, _)| r.id == id)?;
            let settings = &mut runner.settings;
            if let Some(v) = &changes.description {
                settings.description = v.clone();
            }
            if let Some(v) = &changes.maintenance_note {
                settings.maintenance_note = v.clone();
            }
            if let Some(v) = changes.active {
                settings.active = v;
            }
            if let Some(v) = changes.locked {
                settings.locked = v;
            }
            if let Some(v) = changes.run_untagged {
                settings.run_untagged = v;
            }
            if let Some(v) = changes.access_level {
                settings.access_level = v;
            }
            if let Some(v) = changes.maximum_timeout {
                settings.maximum_timeout = v;
            }
            if let Some(v) = &changes.tags {
                settings.tags = v.clone();
            }
            if let Some(v) = changes.updated_at {
                runner.updated_at = v;
            }
            Some(runner.clone())
        }))
    }

    fn delete_runner(&self, id: RunnerId) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let existed = s.runners.iter().any(|(r, _)| r.id == id);
            s.remove_runners(&[id]);
            existed
        }))
    }

    fn set_runner_token(
        &self,
        id: RunnerId,
        digest: &TokenDigest,
        expires_at: Option<DateTime<Utc>>,
        replacing: Option<&TokenDigest>,
    ) -> RepoResult<bool> {
        self.with(|s| {
            if s.runners.iter().any(|(r, d)| d == digest && r.id != id) {
                return conflict("token");
            }
            Ok(match s.runners.iter_mut().find(|(r, _)| r.id == id) {
                Some((runner, stored)) if replacing.is_none_or(|old| old == stored) => {
                    *stored = *digest;
                    runner.token_expires_at = expires_at;
                    true
                }
                _ => false,
            })
        })
    }

    fn runner_project_ids(&self, id: RunnerId) -> RepoResult<Vec<ProjectId>> {
        Ok(self.with(|s| {
            s.runner_projects
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, p)| *p)
                .collect()
        }))
    }

    fn assign_runner(&self, id: RunnerId, project: ProjectId, at: DateTime<Utc>) -> RepoResult<()> {
        self.with(|s| {
            if s.runner_projects.contains(&(id, project)) {
                return conflict("runner_project");
            }
            if !s.projects.iter().any(|(p, _)| p.id == project) {
                return conflict("reference");
            }
            let Some((runner, _)) = s.runners.iter_mut().find(|(r, _)| r.id == id) else {
                return conflict("reference");
            };
            runner.updated_at = at;
            s.runner_projects.push((id, project));
            Ok(())
        })
    }

    fn unassign_runner(
        &self,
        id: RunnerId,
        project: ProjectId,
        at: DateTime<Utc>,
    ) -> RepoResult<Unassigned> {
        Ok(self.with(|s| {
            let projects: Vec<ProjectId> = s
                .runner_projects
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, p)| *p)
                .collect();
            if !projects.contains(&project) {
                return Unassigned::NotAssigned;
            }
            if projects.len() <= 1 {
                return Unassigned::OnlyProject;
            }
            s.runner_projects.retain(|entry| *entry != (id, project));
            if let Some((runner, _)) = s.runners.iter_mut().find(|(r, _)| r.id == id) {
                runner.updated_at = at;
            }
            Unassigned::Done
        }))
    }

    fn runner_managers(&self, id: RunnerId) -> RepoResult<Vec<RunnerManager>> {
        Ok(self.with(|s| {
            let mut managers: Vec<RunnerManager> = s
                .managers
                .iter()
                .filter(|m| m.runner_id == id)
                .cloned()
                .collect();
            managers.sort_by(|a, b| b.contacted_at.cmp(&a.contacted_at).then(a.id.cmp(&b.id)));
            managers
        }))
    }

    fn managers_of_runners(&self, ids: &[RunnerId]) -> RepoResult<Vec<RunnerManager>> {
        Ok(self.with(|s| {
            s.managers
                .iter()
                .filter(|m| ids.contains(&m.runner_id))
                .cloned()
                .collect()
        }))
    }

    fn delete_runner_manager(&self, id: RunnerId, system_id: &str) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.managers.len();
            s.managers
                .retain(|m| !(m.runner_id == id && m.system_id == system_id));
            s.managers.len() != before
        }))
    }

    fn record_contacts(&self, updates: &[ContactUpdate]) -> RepoResult<()> {
        self.with(|s| {
            for update in updates {
                let Some((runner, _)) = s.runners.iter_mut().find(|(r, _)| r.id == update.runner)
                else {
                    continue;
                };
                if runner
                    .contacted_at
                    .is_none_or(|at| at < update.contacted_at)
                {
                    runner.contacted_at = Some(update.contacted_at);
                }
                let Some(contact) = &update.manager else {
                    continue;
                };
                match s
                    .managers
                    .iter_mut()
                    .find(|m| m.runner_id == update.runner && m.system_id == contact.system_id)
                {
                    // Newer details are kept.
                    Some(manager)
                        if manager
                            .contacted_at
                            .is_some_and(|at| at >= update.contacted_at) => {}
                    Some(manager) => {
                        if let Some(info) = &contact.info {
                            manager.info = info.clone();
                        }
                        manager.ip_address = contact.ip_address.clone();
                        manager.contacted_at = Some(update.contacted_at);
                    }
                    None => {
                        s.next_manager += 1;
                        s.managers.push(RunnerManager {
                            id: s.next_manager,
                            runner_id: update.runner,
                            system_id: contact.system_id.clone(),
                            info: contact.info.clone().unwrap_or_default(),
                            ip_address: contact.ip_address.clone(),
                            contacted_at: Some(update.contacted_at),
                            created_at: update.contacted_at,
                        });
                    }
                }
            }
            Ok(())
        })
    }
}
