//! Rows as diesel reads and writes them, and their conversion to domain records. Nothing here
//! leaves the crate.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use paddock_domain::member::Membership;
use paddock_domain::namespace::{Namespace, NamespaceKind, decode_traversal};
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::project::Project;
use paddock_domain::protected_branch::{BranchAccessLevel, ProtectedBranch};
use paddock_domain::user::{User, UserState};
use paddock_domain::{
    MemberSource, NamespaceId, ProjectId, ProtectedBranchId, Role, Scopes, TokenId, UserId,
    Visibility,
};
use paddock_ports::{RepoError, RepoResult};

use crate::schema::*;

pub(crate) fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

pub(crate) fn naive(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

fn corrupt(what: &str, value: impl std::fmt::Display) -> RepoError {
    RepoError::Internal(format!("stored {what} {value} is not valid"))
}

fn visibility(text: &str) -> RepoResult<Visibility> {
    Visibility::parse(text).map_err(|_| corrupt("visibility", text))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub state: String,
    pub created_at: NaiveDateTime,
}

impl UserRow {
    pub fn into_domain(self) -> RepoResult<User> {
        Ok(User {
            id: UserId(self.id),
            state: UserState::parse(&self.state)
                .ok_or_else(|| corrupt("user state", &self.state))?,
            username: self.username,
            name: self.name,
            email: self.email,
            admin: self.admin,
            created_at: utc(self.created_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = personal_access_tokens)]
pub(crate) struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked: bool,
    pub last_used_at: Option<NaiveDateTime>,
}

impl TokenRow {
    pub fn into_domain(self) -> RepoResult<PersonalAccessToken> {
        Ok(PersonalAccessToken {
            id: TokenId(self.id),
            user_id: UserId(self.user_id),
            scopes: Scopes::from_csv(&self.scopes).map_err(|_| corrupt("scopes", &self.scopes))?,
            name: self.name,
            created_at: utc(self.created_at),
            expires_at: self.expires_at.map(utc),
            revoked: self.revoked,
            last_used_at: self.last_used_at.map(utc),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = namespaces)]
pub(crate) struct NamespaceRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub full_name: String,
    pub parent_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub description: String,
    pub visibility: String,
    pub traversal_ids: String,
    pub created_at: NaiveDateTime,
}

impl NamespaceRow {
    pub fn into_domain(self) -> RepoResult<Namespace> {
        Ok(Namespace {
            id: NamespaceId(self.id),
            kind: NamespaceKind::parse(&self.kind)
                .ok_or_else(|| corrupt("namespace kind", &self.kind))?,
            visibility: visibility(&self.visibility)?,
            traversal_ids: decode_traversal(&self.traversal_ids)
                .ok_or_else(|| corrupt("traversal ids", &self.traversal_ids))?,
            name: self.name,
            path: self.path,
            full_path: self.full_path,
            full_name: self.full_name,
            parent_id: self.parent_id.map(NamespaceId),
            owner_id: self.owner_id.map(UserId),
            description: self.description,
            created_at: utc(self.created_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = projects)]
pub(crate) struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub description: String,
    pub namespace_id: i64,
    pub path_with_namespace: String,
    pub name_with_namespace: String,
    pub visibility: String,
    pub default_branch: String,
    pub repository_url: Option<String>,
    pub ci_config: Option<String>,
    pub shared_runners_enabled: bool,
    pub group_runners_enabled: bool,
    pub creator_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ProjectRow {
    pub fn into_domain(self) -> RepoResult<Project> {
        Ok(Project {
            id: ProjectId(self.id),
            visibility: visibility(&self.visibility)?,
            name: self.name,
            path: self.path,
            description: self.description,
            namespace_id: NamespaceId(self.namespace_id),
            path_with_namespace: self.path_with_namespace,
            name_with_namespace: self.name_with_namespace,
            default_branch: self.default_branch,
            repository_url: self.repository_url,
            ci_config: self.ci_config,
            shared_runners_enabled: self.shared_runners_enabled,
            group_runners_enabled: self.group_runners_enabled,
            creator_id: self.creator_id.map(UserId),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = members)]
pub(crate) struct MemberRow {
    pub namespace_id: Option<i64>,
    pub project_id: Option<i64>,
    pub user_id: i64,
    pub access_level: i32,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
}

impl MemberRow {
    pub fn into_domain(self) -> RepoResult<Membership> {
        let source = match (self.namespace_id, self.project_id) {
            (Some(group), None) => MemberSource::Group(NamespaceId(group)),
            (None, Some(project)) => MemberSource::Project(ProjectId(project)),
            _ => return Err(corrupt("membership source of user", self.user_id)),
        };
        Ok(Membership {
            source,
            user_id: UserId(self.user_id),
            role: Role::from_level(i64::from(self.access_level))
                .map_err(|_| corrupt("access level", self.access_level))?,
            created_at: utc(self.created_at),
            expires_at: self.expires_at.map(utc),
            created_by: self.created_by.map(UserId),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = protected_branches)]
pub(crate) struct ProtectedBranchRow {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub push_access_level: i32,
    pub merge_access_level: i32,
    pub allow_force_push: bool,
    pub created_at: NaiveDateTime,
}

impl ProtectedBranchRow {
    pub fn into_domain(self) -> RepoResult<ProtectedBranch> {
        let level = |l: i32| {
            BranchAccessLevel::from_level(i64::from(l))
                .map_err(|_| corrupt("branch access level", l))
        };
        Ok(ProtectedBranch {
            id: ProtectedBranchId(self.id),
            project_id: ProjectId(self.project_id),
            push_access_level: level(self.push_access_level)?,
            merge_access_level: level(self.merge_access_level)?,
            name: self.name,
            allow_force_push: self.allow_force_push,
            created_at: utc(self.created_at),
        })
    }
}

/// Converts a list of rows, failing on the first corrupt one.
pub(crate) fn all<R, T>(rows: Vec<R>, f: impl Fn(R) -> RepoResult<T>) -> RepoResult<Vec<T>> {
    rows.into_iter().map(f).collect()
}

/// The level of a role as stored.
pub(crate) fn level(role: Role) -> i32 {
    i32::try_from(role.level()).unwrap_or(i32::MAX)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = runners)]
pub(crate) struct RunnerRow {
    pub id: i64,
    pub runner_type: String,
    pub group_id: Option<i64>,
    pub description: String,
    pub maintenance_note: String,
    pub active: bool,
    pub locked: bool,
    pub run_untagged: bool,
    pub access_level: String,
    pub maximum_timeout: Option<i64>,
    pub name: Option<String>,
    pub token_expires_at: Option<NaiveDateTime>,
    pub registration_type: String,
    pub contacted_at: Option<NaiveDateTime>,
    pub creator_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RunnerRow {
    pub fn into_domain(self, tags: Vec<String>) -> RepoResult<paddock_domain::runner::Runner> {
        use paddock_domain::runner::{
            AccessLevel, RegistrationType, Runner, RunnerId, RunnerSettings, RunnerType, Tags,
        };
        Ok(Runner {
            id: RunnerId(self.id),
            runner_type: RunnerType::parse(&self.runner_type)
                .ok_or_else(|| corrupt("runner type", &self.runner_type))?,
            group_id: self.group_id.map(NamespaceId),
            settings: RunnerSettings {
                description: self.description,
                maintenance_note: self.maintenance_note,
                active: self.active,
                locked: self.locked,
                run_untagged: self.run_untagged,
                access_level: AccessLevel::parse(&self.access_level)
                    .ok_or_else(|| corrupt("access level", &self.access_level))?,
                maximum_timeout: self.maximum_timeout,
                tags: Tags::parse(tags),
            },
            name: self.name,
            token_expires_at: self.token_expires_at.map(utc),
            registration_type: RegistrationType::parse(&self.registration_type)
                .ok_or_else(|| corrupt("registration type", &self.registration_type))?,
            contacted_at: self.contacted_at.map(utc),
            creator_id: self.creator_id.map(UserId),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = runner_managers)]
pub(crate) struct ManagerRow {
    pub id: i64,
    pub runner_id: i64,
    pub system_id: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub revision: Option<String>,
    pub platform: Option<String>,
    pub architecture: Option<String>,
    pub executor: Option<String>,
    pub ip_address: Option<String>,
    pub contacted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl ManagerRow {
    pub fn into_domain(self) -> paddock_domain::runner::RunnerManager {
        use paddock_domain::runner::{RunnerId, RunnerInfo, RunnerManager};
        RunnerManager {
            id: self.id,
            runner_id: RunnerId(self.runner_id),
            system_id: self.system_id,
            info: RunnerInfo {
                name: self.name,
                version: self.version,
                revision: self.revision,
                platform: self.platform,
                architecture: self.architecture,
                executor: self.executor,
            },
            ip_address: self.ip_address,
            contacted_at: self.contacted_at.map(utc),
            created_at: utc(self.created_at),
        }
    }
}
