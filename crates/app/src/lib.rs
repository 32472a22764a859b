//! Paddock's use cases, implemented over the outbound ports.
//!
//! [`Paddock`] implements every inbound trait of `paddock-ports`; each trait method delegates
//! to one function in `<noun>/<verb>.rs`. Use cases are synchronous (diesel is); the HTTP
//! adapter runs them on a blocking pool.

mod access;
mod artifacts;
mod auth;
mod groups;
mod instance;
mod job_agent;
mod live;
mod members;
mod pipelines;
mod projects;
mod protected_branches;
mod queue;
mod runners;
mod secrets;
mod users;
mod variables;
mod wake;

use std::sync::Arc;

use chrono::Duration;
use paddock_ports::outbound::Outbound;

use crate::job_agent::claims::JobClaims;
use crate::live::LiveRunners;
use crate::queue::RunnerQueues;
use crate::secrets::JobSecrets;

/// Settings of the application core.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a new or reset runner authentication token lives; `None`: forever.
    pub runner_token_lifetime: Option<Duration>,
    /// How often, at most, a runner's contact time is written to the database.
    pub contact_write_interval: Duration,
    /// How long a runner and its queue value are trusted from memory before the database is
    /// asked again (what bounds how late this process sees jobs queued by another one).
    pub queue_refresh: Duration,
    /// The URL runners and users reach Paddock at, without a trailing slash
    /// (`CI_SERVER_URL`, `CI_JOB_URL`).
    pub external_url: String,
    /// The longest job log, in bytes.
    pub max_trace_size: u64,
    /// A job's timeout when its configuration names none, in seconds (GitLab's project
    /// default).
    pub default_job_timeout: u64,
    /// How long after its timeout a running job is failed with `job_execution_timeout`
    /// (the runner should have ended it itself).
    pub job_timeout_grace: Duration,
    /// A job held by a runner that has heard nothing from it this long fails with
    /// `stuck_or_timeout_failure` (a canceling one is canceled); GitLab's 1 hour.
    pub stuck_running_after: Duration,
    /// A pending job no runner took this long fails with `stuck_or_timeout_failure`;
    /// GitLab's 1 day.
    pub stuck_pending_after: Duration,
    /// The largest artifact upload, in bytes.
    pub max_artifact_size: u64,
}

impl AppConfig {
    /// How often, at most, a runner's contact about a job is written (`updated_at`): every
    /// 5 minutes, or a quarter of `stuck_running_after` when that is shorter.
    pub fn job_contact_write_interval(&self) -> Duration {
        (self.stuck_running_after / 4).min(Duration::minutes(5))
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            runner_token_lifetime: None,
            contact_write_interval: Duration::minutes(5),
            queue_refresh: Duration::seconds(10),
            external_url: "http://127.0.0.1:8080".to_owned(),
            max_trace_size: 100 * 1024 * 1024,
            default_job_timeout: 3600,
            job_timeout_grace: Duration::minutes(5),
            stuck_running_after: Duration::hours(1),
            stuck_pending_after: Duration::days(1),
            max_artifact_size: 100 * 1024 * 1024,
        }
    }
}

/// The application: every use case over one set of outbound ports.
#[derive(Debug, Clone)]
pub struct Paddock {
    out: Outbound,
    config: AppConfig,
    live: Arc<LiveRunners>,
    queues: Arc<RunnerQueues>,
    secrets: Arc<JobSecrets>,
    claims: Arc<JobClaims>,
}

impl Paddock {
    pub fn new(out: Outbound) -> Self {
        Self::with_config(out, AppConfig::default())
    }

    pub fn with_config(out: Outbound, mut config: AppConfig) -> Self {
        while config.external_url.ends_with('/') {
            config.external_url.pop();
        }
        // Queue values must differ from those of an earlier run or another process.
        let nonce = out
            .clock
            .now()
            .timestamp_nanos_opt()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or_default();
        Self {
            out,
            config,
            live: Arc::new(LiveRunners::default()),
            queues: Arc::new(RunnerQueues::new(nonce)),
            secrets: Arc::new(JobSecrets::default()),
            claims: Arc::new(JobClaims::default()),
        }
    }
}
