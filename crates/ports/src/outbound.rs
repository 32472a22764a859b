//! Outbound ports: storage and the services the core needs from outside (clock, randomness,
//! encryption).
//!
//! # Errors
//! Every repository method returns [`RepoError::Conflict`] when a uniqueness rule would be
//! broken (the name of the broken rule is given) and [`RepoError::Internal`] for any other
//! storage failure. "Not found" is not an error: lookups return `Option`, updates and deletes
//! report whether a row was touched.

mod artifacts;
mod clock;
mod git;
mod groups;
mod jobs;
mod members;
mod pipelines;
mod projects;
mod protected_branches;
mod runners;
mod settings;
mod tokens;
mod users;
mod variables;

pub use artifacts::{ArtifactRepository, ArtifactStore, NewArtifactFile, StoreError};
pub use clock::{CipherError, Clock, SecretCipher, TokenGenerator};
pub use git::{GitError, GitRepository, ResolvedRef};
pub use groups::{
    GroupChanges, GroupFilter, GroupOrder, NamespaceRepository, NewGroup, ParentFilter,
};
pub use jobs::{
    Assignment, JobChange, JobClock, JobFilter, JobRepository, JobSet, Overdue, QueueQuery,
    QueueScope, Retry,
};
pub use members::{MemberRepository, MemberWithUser};
pub use pipelines::{
    NewJob, NewPipeline, PipelineFilter, PipelineOrder, PipelineRepository, PipelineStatusUpdate,
};
pub use projects::{NewProject, ProjectChanges, ProjectFilter, ProjectOrder, ProjectRepository};
pub use protected_branches::{NewProtectedBranch, ProtectedBranchRepository};
pub use runners::{
    ContactUpdate, ManagerContact, NewRunner, RunnerChanges, RunnerQuery, RunnerRepository,
    RunnerSet, Unassigned,
};
pub use settings::{HealthCheck, InstanceSettingsRepository};
pub use tokens::{NewPersonalAccessToken, PersonalAccessTokenRepository};
pub use users::{NewUser, UserFilter, UserRepository};
pub use variables::{NewVariable, StoredVariable, VariableChanges, VariableRepository};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use paddock_domain::UserId;
use paddock_domain::token::TokenDigest;

/// A storage failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// A uniqueness rule would be broken; the text names it (`username`, `path`, ...).
    #[error("conflict on {0}")]
    Conflict(String),
    /// Anything else; the text is for the log, never for a client.
    #[error("storage failure: {0}")]
    Internal(String),
}

pub type RepoResult<T> = Result<T, RepoError>;

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The number of matching items, or, when more than
    /// [`MAX_COUNT`](paddock_domain::pagination::MAX_COUNT) match, a count that may stop at
    /// the request's [`count_limit`](paddock_domain::pagination::PageRequest::count_limit).
    pub total: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Asc,
    Desc,
}

/// Who a list is for: it holds only what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// An administrator: everything.
    Everything,
    /// A signed-in user: public and internal items, and private ones they are a member of
    /// (directly or through an ancestor group), memberships expiring after `now`.
    User { id: UserId, now: DateTime<Utc> },
    /// An anonymous visitor: public items.
    Anonymous,
}

/// A registration token kept encrypted (so it can be shown again) with its digest beside it
/// (so it can be looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedToken {
    pub ciphertext: Vec<u8>,
    pub digest: TokenDigest,
}

/// Every outbound port the core uses, wired once by the server.
#[derive(Clone)]
pub struct Outbound {
    pub users: Arc<dyn UserRepository>,
    pub tokens: Arc<dyn PersonalAccessTokenRepository>,
    pub namespaces: Arc<dyn NamespaceRepository>,
    pub projects: Arc<dyn ProjectRepository>,
    pub members: Arc<dyn MemberRepository>,
    pub protected_branches: Arc<dyn ProtectedBranchRepository>,
    pub runners: Arc<dyn RunnerRepository>,
    pub pipelines: Arc<dyn PipelineRepository>,
    pub jobs: Arc<dyn JobRepository>,
    pub variables: Arc<dyn VariableRepository>,
    pub artifacts: Arc<dyn ArtifactRepository>,
    pub artifact_store: Arc<dyn ArtifactStore>,
    pub git: Arc<dyn GitRepository>,
    pub settings: Arc<dyn InstanceSettingsRepository>,
    pub health: Arc<dyn HealthCheck>,
    pub clock: Arc<dyn Clock>,
    pub token_generator: Arc<dyn TokenGenerator>,
    pub cipher: Arc<dyn SecretCipher>,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbound")
    }
}
