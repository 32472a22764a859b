//! Fakes of Paddock's outbound ports for tests: an in-memory store that implements every
//! repository with the same rules as the database adapter, a store whose every call fails,
//! a settable clock, a deterministic token generator, a reversible cipher and git
//! repositories in memory.
//!
//! `contract` holds the repository contract suite that the database adapter runs against
//! SQLite and PostgreSQL, and that this crate runs against the in-memory store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod artifact_store;
pub mod contract;
mod failing;
mod memory;
mod services;

use std::sync::Arc;

pub use artifact_store::MemoryArtifactStore;
pub use failing::FailingStore;
pub use memory::MemoryStore;
pub use services::{FakeGit, FixedClock, PlainCipher, SequentialTokens};

use paddock_ports::outbound::{
    ArtifactRepository, GitRepository, HealthCheck, InstanceSettingsRepository, JobRepository,
    MemberRepository, NamespaceRepository, Outbound, PersonalAccessTokenRepository,
    PipelineRepository, ProjectRepository, ProtectedBranchRepository, RunnerRepository,
    UserRepository, VariableRepository,
};

/// A store that implements every repository trait (the in-memory store, the failing store,
/// the database adapter).
pub trait Store:
    UserRepository
    + PersonalAccessTokenRepository
    + NamespaceRepository
    + ProjectRepository
    + MemberRepository
    + ProtectedBranchRepository
    + RunnerRepository
    + PipelineRepository
    + JobRepository
    + VariableRepository
    + ArtifactRepository
    + InstanceSettingsRepository
    + HealthCheck
    + 'static
{
}

impl<S> Store for S where
    S: UserRepository
        + PersonalAccessTokenRepository
        + NamespaceRepository
        + ProjectRepository
        + MemberRepository
        + ProtectedBranchRepository
        + RunnerRepository
        + PipelineRepository
        + JobRepository
        + VariableRepository
        + ArtifactRepository
        + InstanceSettingsRepository
        + HealthCheck
        + 'static
{
}

/// The ports over a fresh in-memory store, and the fakes behind them that tests set up or
/// move: the store, the clock, the git repositories.
#[derive(Debug, Clone)]
pub struct MemoryPorts {
    pub out: Outbound,
    pub store: Arc<MemoryStore>,
    pub clock: Arc<FixedClock>,
    pub git: Arc<FakeGit>,
}

/// Outbound ports over a fresh in-memory store, with a fixed clock, predictable tokens and
/// empty git repositories.
pub fn memory_ports() -> MemoryPorts {
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(FixedClock::default());
    let git = Arc::new(FakeGit::default());
    let out = outbound_with_git(store.clone(), clock.clone(), git.clone());
    MemoryPorts {
        out,
        store,
        clock,
        git,
    }
}

/// Outbound ports over a fresh in-memory store, with a fixed clock and predictable tokens
/// ([`memory_ports`] gives the git repositories too).
pub fn memory_outbound() -> (Outbound, Arc<MemoryStore>, Arc<FixedClock>) {
    let MemoryPorts {
        out, store, clock, ..
    } = memory_ports();
    (out, store, clock)
}

/// Wires any store that implements every repository trait, with no readable git repository.
pub fn outbound_over<S: Store>(store: Arc<S>, clock: Arc<FixedClock>) -> Outbound {
    outbound_with_git(store, clock, Arc::new(FakeGit::default()))
}

/// Wires any store that implements every repository trait, reading git through `git`.
pub fn outbound_with_git<S: Store>(
    store: Arc<S>,
    clock: Arc<FixedClock>,
    git: Arc<dyn GitRepository>,
) -> Outbound {
    Outbound {
        users: store.clone(),
        tokens: store.clone(),
        namespaces: store.clone(),
        projects: store.clone(),
        members: store.clone(),
        protected_branches: store.clone(),
        runners: store.clone(),
        pipelines: store.clone(),
        jobs: store.clone(),
        variables: store.clone(),
        artifacts: store.clone(),
        artifact_store: Arc::new(MemoryArtifactStore::default()),
        git,
        settings: store.clone(),
        health: store,
        clock,
        token_generator: Arc::new(SequentialTokens::default()),
        cipher: Arc::new(PlainCipher),
    }
}
