//! Paddock's use cases, implemented over the outbound ports.
//!
//! [`Paddock`] implements every inbound trait of `paddock-ports`; each trait method delegates
//! to one function in `<noun>/<verb>.rs`. Use cases are synchronous (diesel is); the HTTP
//! adapter runs them on a blocking pool.

mod access;
mod auth;
mod groups;
mod instance;
mod live;
mod members;
mod projects;
mod protected_branches;
mod runners;
mod users;

use std::sync::Arc;

use chrono::Duration;
use paddock_ports::outbound::Outbound;

use crate::live::LiveRunners;

/// Settings of the application core.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a new or reset runner authentication token lives; `None`: forever.
    pub runner_token_lifetime: Option<Duration>,
    /// How often, at most, a runner's contact time is written to the database.
    pub contact_write_interval: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            runner_token_lifetime: None,
            contact_write_interval: Duration::minutes(5),
        }
    }
}

/// The application: every use case over one set of outbound ports.
#[derive(Debug, Clone)]
pub struct Paddock {
    out: Outbound,
    config: AppConfig,
    live: Arc<LiveRunners>,
}

impl Paddock {
    pub fn new(out: Outbound) -> Self {
        Self::with_config(out, AppConfig::default())
    }

    pub fn with_config(out: Outbound, config: AppConfig) -> Self {
        Self {
            out,
            config,
            live: Arc::new(LiveRunners::default()),
        }
    }
}
