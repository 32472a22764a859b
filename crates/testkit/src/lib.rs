//! Fakes of Paddock's outbound ports for tests: an in-memory store that implements every
//! repository with the same rules as the database adapter, a store whose every call fails,
//! a settable clock, a deterministic token generator and a reversible cipher.
//!
//! `contract` holds the repository contract suite that the database adapter runs against
//! SQLite and PostgreSQL, and that this crate runs against the in-memory store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod contract;
mod failing;
mod memory;
mod services;

use std::sync::Arc;

pub use failing::FailingStore;
pub use memory::MemoryStore;
pub use services::{FixedClock, PlainCipher, SequentialTokens};

use paddock_ports::outbound::Outbound;

/// Outbound ports over a fresh in-memory store, with a fixed clock and predictable tokens.
pub fn memory_outbound() -> (Outbound, Arc<MemoryStore>, Arc<FixedClock>) {
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(FixedClock::default());
    let out = outbound_over(store.clone(), clock.clone());
    (out, store, clock)
}

/// Wires any store that implements every repository trait.
pub fn outbound_over<S>(store: Arc<S>, clock: Arc<FixedClock>) -> Outbound
where
    S: paddock_ports::outbound::UserRepository
        + paddock_ports::outbound::PersonalAccessTokenRepository
        + paddock_ports::outbound::NamespaceRepository
        + paddock_ports::outbound::ProjectRepository
        + paddock_ports::outbound::MemberRepository
        + paddock_ports::outbound::ProtectedBranchRepository
        + paddock_ports::outbound::RunnerRepository
        + paddock_ports::outbound::InstanceSettingsRepository
        + paddock_ports::outbound::HealthCheck
        + 'static,
{
    Outbound {
        users: store.clone(),
        tokens: store.clone(),
        namespaces: store.clone(),
        projects: store.clone(),
        members: store.clone(),
        protected_branches: store.clone(),
        runners: store.clone(),
        settings: store.clone(),
        health: store,
        clock,
        token_generator: Arc::new(SequentialTokens::default()),
        cipher: Arc::new(PlainCipher),
    }
}
