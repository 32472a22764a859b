//! What every handler shares: the use cases and the HTTP settings.

use std::sync::Arc;
use std::time::Duration;

use paddock_ports::inbound::UseCases;
use tokio::sync::watch;

/// The default limit of an API request body: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// HTTP settings from the server's configuration.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The URL clients reach Paddock at, without a trailing slash (`Link` headers, `web_url`).
    pub external_url: String,
    /// The largest API request body accepted (413 beyond).
    pub max_request_body: usize,
    /// How long a job request may wait for a job (long polling); zero: answer at once.
    pub long_poll_timeout: Duration,
}

/// Shared by every handler through `web::Data`.
#[derive(Clone)]
pub struct ApiState {
    pub use_cases: Arc<dyn UseCases>,
    pub config: HttpConfig,
    /// `true` once the server shuts down: parked long polls answer at once.
    shutdown: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ApiState {
    pub fn new(use_cases: Arc<dyn UseCases>, mut config: HttpConfig) -> Self {
        while config.external_url.ends_with('/') {
            config.external_url.pop();
        }
        Self {
            use_cases,
            config,
            shutdown: Arc::new(watch::Sender::new(false)),
        }
    }

    /// The server is stopping: every parked long poll answers now, and none parks any more.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Sees [`begin_shutdown`](Self::begin_shutdown).
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Runs a use case on the blocking pool (diesel is synchronous).
    pub async fn call<T, E, F>(&self, f: F) -> Result<T, crate::error::ApiError>
    where
        T: Send + 'static,
        E: Into<crate::error::ApiError> + Send + 'static,
        F: FnOnce(&dyn UseCases) -> Result<T, E> + Send + 'static,
    {
        let use_cases = self.use_cases.clone();
        match actix_web::web::block(move || f(&*use_cases)).await {
            Ok(result) => result.map_err(Into::into),
            Err(error) => Err(crate::error::ApiError::internal(
                "the blocking pool failed",
                &error.to_string(),
            )),
        }
    }
}
