//! A store whose every call fails, to drive the error paths (`Internal` → 500 without
//! details).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use paddock_domain::job::queue::Candidate;
use paddock_domain::job::trace::Append;
use paddock_domain::job::{Job, Pipeline};
use paddock_domain::member::Membership;
use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::project::Project;
use paddock_domain::protected_branch::ProtectedBranch;
use paddock_domain::runner::{Runner, RunnerId, RunnerManager};
use paddock_domain::token::TokenDigest;
use paddock_domain::user::User;
use paddock_domain::{
    JobId, MemberSource, NamespaceId, PipelineId, ProjectId, Role, TokenId, UserId,
};
use paddock_ports::outbound::*;
use paddock_ports::{Page, RepoError, RepoResult};

/// Every method returns `RepoError::Internal`.
#[derive(Debug, Default, Clone, Copy)]
pub struct FailingStore;

fn fail<T>() -> RepoResult<T> {
    Err(RepoError::Internal(
        "the failing store fails (secret detail: db password)".into(),
    ))
}

impl UserRepository for FailingStore {
    fn create_user(&self, _: NewUser) -> RepoResult<User> {
        fail()
    }
    fn user(&self, _: UserId) -> RepoResult<Option<User>> {
        fail()
    }
    fn user_by_username(&self, _: &str) -> RepoResult<Option<User>> {
        fail()
    }
    fn users(&self, _: &UserFilter, _: PageRequest) -> RepoResult<Page<User>> {
        fail()
    }
    fn delete_user(&self, _: UserId) -> RepoResult<bool> {
        fail()
    }
}

impl PersonalAccessTokenRepository for FailingStore {
    fn create_token(&self, _: NewPersonalAccessToken) -> RepoResult<PersonalAccessToken> {
        fail()
    }
    fn token_by_digest(&self, _: &TokenDigest) -> RepoResult<Option<PersonalAccessToken>> {
        fail()
    }
    fn tokens_of_user(&self, _: UserId) -> RepoResult<Vec<PersonalAccessToken>> {
        fail()
    }
    fn revoke_token(&self, _: TokenId) -> RepoResult<bool> {
        fail()
    }
    fn touch_token(&self, _: TokenId, _: DateTime<Utc>) -> RepoResult<()> {
        fail()
    }
}

impl NamespaceRepository for FailingStore {
    fn create_group(&self, _: NewGroup) -> RepoResult<Namespace> {
        fail()
    }
    fn namespace(&self, _: NamespaceId) -> RepoResult<Option<Namespace>> {
        fail()
    }
    fn namespace_by_full_path(&self, _: &str) -> RepoResult<Option<Namespace>> {
        fail()
    }
    fn namespaces(&self, _: &[NamespaceId]) -> RepoResult<Vec<Namespace>> {
        fail()
    }
    fn user_namespace(&self, _: UserId) -> RepoResult<Option<Namespace>> {
        fail()
    }
    fn groups(&self, _: &GroupFilter, _: PageRequest) -> RepoResult<Page<Namespace>> {
        fail()
    }
    fn update_group(&self, _: NamespaceId, _: &GroupChanges) -> RepoResult<Option<Namespace>> {
        fail()
    }
    fn group_by_runners_token(&self, _: &TokenDigest) -> RepoResult<Option<Namespace>> {
        fail()
    }
    fn delete_group(&self, _: NamespaceId) -> RepoResult<bool> {
        fail()
    }
    fn group_runners_token(&self, _: NamespaceId) -> RepoResult<Option<SealedToken>> {
        fail()
    }
    fn set_group_runners_token(&self, _: NamespaceId, _: &SealedToken) -> RepoResult<bool> {
        fail()
    }
}

impl ProjectRepository for FailingStore {
    fn create_project(&self, _: NewProject) -> RepoResult<Project> {
        fail()
    }
    fn project(&self, _: ProjectId) -> RepoResult<Option<Project>> {
        fail()
    }
    fn project_by_full_path(&self, _: &str) -> RepoResult<Option<Project>> {
        fail()
    }
    fn projects(&self, _: &ProjectFilter, _: PageRequest) -> RepoResult<Page<Project>> {
        fail()
    }
    fn update_project(&self, _: ProjectId, _: &ProjectChanges) -> RepoResult<Option<Project>> {
        fail()
    }
    fn project_by_runners_token(&self, _: &TokenDigest) -> RepoResult<Option<Project>> {
        fail()
    }
    fn delete_project(&self, _: ProjectId) -> RepoResult<bool> {
        fail()
    }
    fn project_runners_token(&self, _: ProjectId) -> RepoResult<Option<SealedToken>> {
        fail()
    }
    fn set_project_runners_token(&self, _: ProjectId, _: &SealedToken) -> RepoResult<bool> {
        fail()
    }
}

impl MemberRepository for FailingStore {
    fn add_member(&self, _: &Membership) -> RepoResult<()> {
        fail()
    }
    fn update_member(
        &self,
        _: MemberSource,
        _: UserId,
        _: Role,
        _: Option<Option<DateTime<Utc>>>,
    ) -> RepoResult<Option<Membership>> {
        fail()
    }
    fn remove_member(&self, _: MemberSource, _: UserId) -> RepoResult<bool> {
        fail()
    }
    fn member(&self, _: MemberSource, _: UserId) -> RepoResult<Option<MemberWithUser>> {
        fail()
    }
    fn members(
        &self,
        _: MemberSource,
        _: Option<&str>,
        _: PageRequest,
    ) -> RepoResult<Page<MemberWithUser>> {
        fail()
    }
    fn memberships_of(&self, _: UserId, _: &[MemberSource]) -> RepoResult<Vec<Membership>> {
        fail()
    }
    fn count_owners(&self, _: MemberSource) -> RepoResult<u64> {
        fail()
    }
}

impl ProtectedBranchRepository for FailingStore {
    fn create_protected_branch(&self, _: NewProtectedBranch) -> RepoResult<ProtectedBranch> {
        fail()
    }
    fn protected_branch(&self, _: ProjectId, _: &str) -> RepoResult<Option<ProtectedBranch>> {
        fail()
    }
    fn protected_branches(
        &self,
        _: ProjectId,
        _: PageRequest,
    ) -> RepoResult<Page<ProtectedBranch>> {
        fail()
    }
    fn delete_protected_branch(&self, _: ProjectId, _: &str) -> RepoResult<bool> {
        fail()
    }
}

impl InstanceSettingsRepository for FailingStore {
    fn instance_runners_token(&self) -> RepoResult<Option<SealedToken>> {
        fail()
    }
    fn init_instance_runners_token(&self, _: &SealedToken) -> RepoResult<bool> {
        fail()
    }
    fn set_instance_runners_token(&self, _: &SealedToken) -> RepoResult<()> {
        fail()
    }
}

impl RunnerRepository for FailingStore {
    fn create_runner(&self, _: NewRunner) -> RepoResult<Runner> {
        fail()
    }
    fn runner(&self, _: RunnerId) -> RepoResult<Option<Runner>> {
        fail()
    }
    fn runner_by_token(&self, _: &TokenDigest) -> RepoResult<Option<Runner>> {
        fail()
    }
    fn runners(&self, _: &RunnerQuery, _: PageRequest) -> RepoResult<Page<Runner>> {
        fail()
    }
    fn update_runner(&self, _: RunnerId, _: &RunnerChanges) -> RepoResult<Option<Runner>> {
        fail()
    }
    fn delete_runner(&self, _: RunnerId) -> RepoResult<bool> {
        fail()
    }
    fn set_runner_token(
        &self,
        _: RunnerId,
        _: &TokenDigest,
        _: Option<DateTime<Utc>>,
        _: Option<&TokenDigest>,
    ) -> RepoResult<bool> {
        fail()
    }
    fn runner_project_ids(&self, _: RunnerId) -> RepoResult<Vec<ProjectId>> {
        fail()
    }
    fn assign_runner(&self, _: RunnerId, _: ProjectId, _: DateTime<Utc>) -> RepoResult<()> {
        fail()
    }
    fn unassign_runner(
        &self,
        _: RunnerId,
        _: ProjectId,
        _: DateTime<Utc>,
    ) -> RepoResult<Unassigned> {
        fail()
    }
    fn runner_managers(&self, _: RunnerId) -> RepoResult<Vec<RunnerManager>> {
        fail()
    }
    fn managers_of_runners(&self, _: &[RunnerId]) -> RepoResult<Vec<RunnerManager>> {
        fail()
    }
    fn delete_runner_manager(&self, _: RunnerId, _: &str) -> RepoResult<bool> {
        fail()
    }
    fn record_contacts(&self, _: &[ContactUpdate]) -> RepoResult<()> {
        fail()
    }
}

impl PipelineRepository for FailingStore {
    fn create_pipeline(&self, _: NewPipeline) -> RepoResult<(Pipeline, Vec<Job>)> {
        fail()
    }
    fn pipeline(&self, _: PipelineId) -> RepoResult<Option<Pipeline>> {
        fail()
    }
    fn pipelines(
        &self,
        _: ProjectId,
        _: &PipelineFilter,
        _: PageRequest,
    ) -> RepoResult<Page<Pipeline>> {
        fail()
    }
    fn update_pipeline_status(
        &self,
        _: PipelineId,
        _: i64,
        _: &PipelineStatusUpdate,
    ) -> RepoResult<bool> {
        fail()
    }
    fn delete_pipeline(&self, _: PipelineId) -> RepoResult<bool> {
        fail()
    }
}

impl JobRepository for FailingStore {
    fn job(&self, _: JobId) -> RepoResult<Option<Job>> {
        fail()
    }
    fn job_with_token(&self, _: JobId) -> RepoResult<Option<(Job, Option<TokenDigest>)>> {
        fail()
    }
    fn job_by_token(&self, _: &TokenDigest) -> RepoResult<Option<Job>> {
        fail()
    }
    fn jobs(&self, _: &JobFilter, _: PageRequest) -> RepoResult<Page<Job>> {
        fail()
    }
    fn pipeline_jobs(&self, _: PipelineId) -> RepoResult<Vec<Job>> {
        fail()
    }
    fn change_job(&self, _: JobId, _: &JobChange) -> RepoResult<Option<Job>> {
        fail()
    }
    fn retry_job(&self, _: JobId, _: &Retry) -> RepoResult<Option<Job>> {
        fail()
    }
    fn queue(&self, _: &QueueQuery, _: usize) -> RepoResult<Vec<Candidate>> {
        fail()
    }
    fn queue_heads(&self, _: &QueueQuery, _: usize) -> RepoResult<Vec<Candidate>> {
        fail()
    }
    fn running_on_instance(&self, _: &[ProjectId]) -> RepoResult<HashMap<ProjectId, u64>> {
        fail()
    }
    fn assign_job(&self, _: &Assignment) -> RepoResult<Option<Job>> {
        fail()
    }
    fn overdue_jobs(&self, _: &Overdue, _: usize) -> RepoResult<Vec<JobId>> {
        fail()
    }
    fn set_deadline(&self, _: JobId, _: DateTime<Utc>) -> RepoResult<bool> {
        fail()
    }
    fn touch_job(&self, _: JobId, _: DateTime<Utc>) -> RepoResult<bool> {
        fail()
    }
    fn request_finish(&self, _: JobId, _: DateTime<Utc>) -> RepoResult<Option<DateTime<Utc>>> {
        fail()
    }
    fn append_trace(&self, _: JobId, _: u64, _: &[u8], _: u64) -> RepoResult<Option<Append>> {
        fail()
    }
    fn replace_trace(&self, _: JobId, _: &[u8]) -> RepoResult<bool> {
        fail()
    }
    fn set_job_secrets(&self, _: JobId, _: &[u8]) -> RepoResult<bool> {
        fail()
    }
    fn job_secrets(&self, _: JobId) -> RepoResult<Option<Vec<u8>>> {
        fail()
    }
    fn trace(&self, _: JobId) -> RepoResult<Option<Vec<u8>>> {
        fail()
    }
}

impl VariableRepository for FailingStore {
    fn create_variable(&self, _: NewVariable) -> RepoResult<StoredVariable> {
        fail()
    }
    fn variable(&self, _: ProjectId, _: &str) -> RepoResult<Option<StoredVariable>> {
        fail()
    }
    fn variables(&self, _: ProjectId, _: PageRequest) -> RepoResult<Page<StoredVariable>> {
        fail()
    }
    fn all_variables(&self, _: ProjectId) -> RepoResult<Vec<StoredVariable>> {
        fail()
    }
    fn update_variable(
        &self,
        _: ProjectId,
        _: &str,
        _: &VariableChanges,
    ) -> RepoResult<Option<StoredVariable>> {
        fail()
    }
    fn delete_variable(&self, _: ProjectId, _: &str) -> RepoResult<bool> {
        fail()
    }
}

impl HealthCheck for FailingStore {
    fn ping(&self) -> RepoResult<()> {
        fail()
    }
}

impl ArtifactRepository for FailingStore {
    fn create_artifact(&self, _: &paddock_domain::job::artifact::Artifact) -> RepoResult<()> {
        fail()
    }
    fn artifact(
        &self,
        _: JobId,
        _: paddock_domain::job::artifact::ArtifactType,
    ) -> RepoResult<Option<paddock_domain::job::artifact::Artifact>> {
        fail()
    }
    fn artifacts_of(
        &self,
        _: &[JobId],
    ) -> RepoResult<Vec<paddock_domain::job::artifact::Artifact>> {
        fail()
    }
    fn project_artifacts(
        &self,
        _: ProjectId,
    ) -> RepoResult<Vec<paddock_domain::job::artifact::Artifact>> {
        fail()
    }
    fn delete_artifacts(
        &self,
        _: JobId,
    ) -> RepoResult<Vec<paddock_domain::job::artifact::Artifact>> {
        fail()
    }
    fn expired_artifacts(
        &self,
        _: DateTime<Utc>,
        _: usize,
    ) -> RepoResult<Vec<paddock_domain::job::artifact::Artifact>> {
        fail()
    }
    fn delete_artifact(
        &self,
        _: JobId,
        _: paddock_domain::job::artifact::ArtifactType,
        _: &str,
    ) -> RepoResult<bool> {
        fail()
    }
}
