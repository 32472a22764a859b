//! Inbound ports: the use cases the HTTP adapter calls.
//!
//! Every method takes the acting user (`Option<&Actor>` where anonymous access is possible)
//! and decides visibility and permission itself; adapters never check roles.
//!
//! # Errors
//! Each operation has its own error enum with its business cases and an `Internal` variant
//! whose text is for the log only. A resource the actor may not see is `NotFound`, never
//! `Forbidden`, so that ids cannot be probed.

mod artifacts;
mod auth;
mod errors;
mod groups;
mod instance;
mod job_agent;
mod members;
mod pipelines;
mod projects;
mod protected_branches;
mod runners;
mod users;
mod variables;

pub use artifacts::{
    ArtifactDownloadError, ArtifactFile, ArtifactReceiver, ArtifactUpload, ArtifactUploadError,
    ArtifactUseCases, ReceivedFile,
};
pub use auth::{AuthError, Authenticate, Authenticated};
pub use errors::{
    CreateError, DeleteError, FindError, MemberError, ResetTokenError, UpdateError, What,
};
pub use groups::{CreateGroupRequest, GroupDetails, GroupQuery, GroupRef, GroupUseCases};
pub use instance::{BootstrapError, BootstrapReport, BootstrapRequest, InstanceUseCases};
pub use job_agent::{
    BuildView, Dependency, JobAgentUseCases, JobAuthError, JobHousekeeping, JobPayload, JobRequest,
    JobRequestOutcome, JobUpdate, JobUpdateError, JobUpdated, OverdueReport, QueueWake, QueueWatch,
    TraceAppend, TraceAppended, TraceError,
};
pub use members::{AddMemberRequest, MemberTarget, MemberUseCases, UpdateMemberRequest};
pub use pipelines::{
    CreatePipelineError, CreatePipelineRequest, JobActionError, JobListQuery, JobView,
    PipelineUseCases, PipelineView,
};
pub use projects::{
    CreateProjectRequest, NamespaceRef, ProjectDetails, ProjectListItem, ProjectQuery, ProjectRef,
    ProjectUseCases,
};
pub use protected_branches::{ProtectBranchRequest, ProtectedBranchError, ProtectedBranchUseCases};
pub use runners::{
    CreateRunnerRequest, IssuedToken, RegisterError, RegisterRunnerRequest, RemoveManagerError,
    RunnerAgentUseCases, RunnerAuthError, RunnerContact, RunnerDetails, RunnerError, RunnerList,
    RunnerListQuery, RunnerManagerView, RunnerSettingsInput, RunnerUseCases, RunnerView,
    UnmodifiedSince,
};
pub use users::{CreateTokenRequest, CreateUserRequest, CreatedToken, UserUseCases};
pub use variables::{VariableError, VariableInput, VariableUseCases};

/// Every use case, as one object the HTTP adapter holds.
pub trait UseCases:
    Authenticate
    + UserUseCases
    + GroupUseCases
    + ProjectUseCases
    + MemberUseCases
    + ProtectedBranchUseCases
    + InstanceUseCases
    + RunnerAgentUseCases
    + RunnerUseCases
    + PipelineUseCases
    + JobAgentUseCases
    + VariableUseCases
    + ArtifactUseCases
    + Send
    + Sync
{
}

impl<T> UseCases for T where
    T: Authenticate
        + UserUseCases
        + GroupUseCases
        + ProjectUseCases
        + MemberUseCases
        + ProtectedBranchUseCases
        + InstanceUseCases
        + RunnerAgentUseCases
        + RunnerUseCases
        + PipelineUseCases
        + JobAgentUseCases
        + VariableUseCases
        + ArtifactUseCases
        + Send
        + Sync
{
}
