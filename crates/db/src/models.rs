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

pub(crate) fn corrupt(what: &str, value: impl std::fmt::Display) -> RepoError {
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

/// A value stored as JSON text, read back.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> RepoResult<T> {
    serde_json::from_str(text)
        .map_err(|e| RepoError::Internal(format!("stored {what} is not valid JSON: {e}")))
}

/// A value written as JSON text.
pub(crate) fn to_json<T: serde::Serialize>(what: &str, value: &T) -> RepoResult<String> {
    serde_json::to_string(value)
        .map_err(|e| RepoError::Internal(format!("{what} cannot be written as JSON: {e}")))
}

/// The columns of a row type as a plain tuple, for `RETURNING` (diesel's `as_returning()`
/// does not serialise through the multi-backend connection).
macro_rules! returning_columns {
    ($($row:ty),*) => {
        $(
            impl $row {
                /// Every column the row reads, in its order.
                pub fn columns() -> <$row as Selectable<crate::repos::Db>>::SelectExpression {
                    <$row as Selectable<crate::repos::Db>>::construct_selection()
                }
            }
        )*
    };
}

returning_columns!(PipelineRow, JobRow, VariableRow);

/// A job or pipeline status as stored.
pub(crate) fn job_status(text: &str) -> RepoResult<paddock_domain::job::JobStatus> {
    paddock_domain::job::JobStatus::parse(text).ok_or_else(|| corrupt("job status", text))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = pipelines)]
pub(crate) struct PipelineRow {
    pub id: i64,
    pub project_id: i64,
    pub iid: i64,
    pub ref_name: String,
    pub sha: String,
    pub before_sha: String,
    pub tag: bool,
    pub protected: bool,
    pub source: String,
    pub status: String,
    pub user_id: Option<i64>,
    pub variables: String,
    pub commit_info: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub lock_version: i64,
}

impl PipelineRow {
    pub fn into_domain(self) -> RepoResult<paddock_domain::job::Pipeline> {
        use paddock_domain::PipelineId;
        use paddock_domain::job::Pipeline;
        Ok(Pipeline {
            id: PipelineId(self.id),
            iid: self.iid,
            project_id: ProjectId(self.project_id),
            status: job_status(&self.status)?,
            variables: from_json("pipeline variables", &self.variables)?,
            commit: self
                .commit_info
                .as_deref()
                .map(|text| from_json("commit", text))
                .transpose()?,
            ref_name: self.ref_name,
            sha: self.sha,
            before_sha: self.before_sha,
            tag: self.tag,
            protected: self.protected,
            source: self.source,
            user_id: self.user_id.map(UserId),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            started_at: self.started_at.map(utc),
            finished_at: self.finished_at.map(utc),
            lock_version: self.lock_version,
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub(crate) struct JobRow {
    pub id: i64,
    pub pipeline_id: i64,
    pub project_id: i64,
    pub name: String,
    pub stage: String,
    pub stage_index: i32,
    pub status: String,
    pub run_when: String,
    pub allow_failure: bool,
    pub definition: String,
    pub protected: bool,
    pub ref_name: String,
    pub tag: bool,
    pub sha: String,
    pub runner_id: Option<i64>,
    pub runner_system_id: Option<String>,
    pub token_digest: Option<String>,
    pub failure_reason: Option<String>,
    pub exit_code: Option<i64>,
    pub retried: bool,
    pub user_id: Option<i64>,
    pub trace_size: i64,
    pub created_at: NaiveDateTime,
    pub queued_at: Option<NaiveDateTime>,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl JobRow {
    /// The job's token digest as stored (`None` before a runner took it).
    pub fn digest(&self) -> RepoResult<Option<paddock_domain::token::TokenDigest>> {
        self.token_digest
            .as_deref()
            .map(|hex| {
                paddock_domain::token::TokenDigest::from_hex(hex)
                    .map_err(|_| corrupt("job token digest of job", self.id))
            })
            .transpose()
    }

    pub fn into_domain(self, tags: Vec<String>) -> RepoResult<paddock_domain::job::Job> {
        use paddock_domain::ci::When;
        use paddock_domain::job::{FailureReason, Job};
        use paddock_domain::runner::RunnerId;
        use paddock_domain::{JobId, PipelineId};
        let failure_reason = match &self.failure_reason {
            None => None,
            Some(text) => Some(
                FailureReason::ALL
                    .into_iter()
                    .find(|r| r.as_str() == text)
                    .ok_or_else(|| corrupt("failure reason", text))?,
            ),
        };
        Ok(Job {
            id: JobId(self.id),
            pipeline_id: PipelineId(self.pipeline_id),
            project_id: ProjectId(self.project_id),
            status: job_status(&self.status)?,
            when: When::parse(&self.run_when).ok_or_else(|| corrupt("when", &self.run_when))?,
            definition: from_json("job definition", &self.definition)?,
            failure_reason,
            name: self.name,
            stage: self.stage,
            stage_index: self.stage_index,
            allow_failure: self.allow_failure,
            tags,
            protected: self.protected,
            ref_name: self.ref_name,
            tag: self.tag,
            sha: self.sha,
            runner_id: self.runner_id.map(RunnerId),
            runner_system_id: self.runner_system_id,
            exit_code: self.exit_code,
            retried: self.retried,
            user_id: self.user_id.map(UserId),
            trace_size: self.trace_size,
            created_at: utc(self.created_at),
            queued_at: self.queued_at.map(utc),
            started_at: self.started_at.map(utc),
            finished_at: self.finished_at.map(utc),
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = project_variables)]
pub(crate) struct VariableRow {
    pub id: i64,
    pub project_id: i64,
    pub key: String,
    pub value_sealed: Vec<u8>,
    pub variable_type: String,
    pub protected: bool,
    pub masked: bool,
    pub raw: bool,
    pub environment_scope: String,
    pub description: Option<String>,
}

impl VariableRow {
    pub fn into_domain(self) -> RepoResult<paddock_ports::outbound::StoredVariable> {
        use paddock_domain::VariableId;
        use paddock_domain::variable::VariableType;
        Ok(paddock_ports::outbound::StoredVariable {
            id: VariableId(self.id),
            project_id: ProjectId(self.project_id),
            variable_type: VariableType::parse(&self.variable_type)
                .ok_or_else(|| corrupt("variable type", &self.variable_type))?,
            key: self.key,
            sealed_value: self.value_sealed,
            protected: self.protected,
            masked: self.masked,
            raw: self.raw,
            environment_scope: self.environment_scope,
            description: self.description,
        })
    }
}
