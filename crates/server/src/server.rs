//! Starting and stopping: open the database, bootstrap, bind, serve until SIGTERM or SIGINT,
//! then stop accepting, finish in-flight requests and return.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{ServerHandle, Service};
use actix_web::{App, HttpServer, web};
use futures_util::FutureExt;
use paddock_http::{ApiState, HttpConfig};

use crate::adapters::ArtifactFiles;
use crate::config::{Config, ConfigError, StorageConfig};
use crate::{bootstrap, edge, wiring};

/// Secrets that come from the environment only.
#[derive(Clone, Default)]
pub struct Secrets {
    /// `PADDOCK_ROOT_TOKEN`: root's token on first start.
    pub root_token: Option<String>,
    /// `PADDOCK_REGISTRATION_TOKEN`: the instance registration token on first start.
    pub registration_token: Option<String>,
    /// `PADDOCK_SECRET_KEY`: 64 hex digits.
    pub secret_key: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([REDACTED])")
    }
}

impl Secrets {
    pub fn from_env() -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        Self {
            root_token: var("PADDOCK_ROOT_TOKEN"),
            registration_token: var("PADDOCK_REGISTRATION_TOKEN"),
            secret_key: var("PADDOCK_SECRET_KEY"),
        }
    }
}

/// Why Paddock could not start; one line that names the setting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Setting(String),
    #[error("bootstrap failed: {0}")]
    Bootstrap(String),
    #[error("--listen (PADDOCK_LISTEN): cannot listen on {addr}: {error}")]
    Bind {
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Server(std::io::Error),
}

/// `paddock migrate`: applies pending migrations and reports them.
pub fn run_migrate(storage: &StorageConfig) -> Result<Vec<String>, StartError> {
    let (_, applied) = wiring::open_database(storage)?;
    Ok(applied)
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub external_url: String,
    handle: ServerHandle,
    server: actix_web::dev::Server,
    app: Arc<paddock_app::Paddock>,
    state: web::Data<ApiState>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Running {
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// What stops the server gracefully.
    fn stopper(&self) -> Stopper {
        Stopper {
            handle: self.handle.clone(),
            state: self.state.clone(),
        }
    }

    /// Serves until a signal (or a stop through the handle), then shuts down gracefully.
    pub async fn until_stopped(self) -> Result<(), StartError> {
        let stopper = self.stopper();
        actix_web::rt::spawn(async move {
            wait_for_signal().await;
            stopper.stop().await;
        });
        self.server.await.map_err(StartError::Server)?;
        final_flush(&self.app);
        tracing::info!("stopped");
        Ok(())
    }
}

/// Stops a server gracefully: parked long polls answer 204 at once, no new connections are
/// accepted, requests in flight finish.
#[derive(Clone)]
struct Stopper {
    handle: ServerHandle,
    state: web::Data<ApiState>,
}

impl std::fmt::Debug for Stopper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stopper")
    }
}

impl Stopper {
    async fn stop(self) {
        tracing::info!(
            "shutting down: parked job requests answered; no new connections; finishing requests in flight"
        );
        self.state.begin_shutdown();
        self.handle.stop(true).await;
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        match (terminate, interrupt) {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = interrupt.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens, migrates and bootstraps the database, binds, and starts serving. Call inside an
/// actix system.
pub async fn start(config: Config, secrets: Secrets) -> Result<Running, StartError> {
    let started = Instant::now();
    let storage = config.storage.clone();
    let (db, applied) = web::block(move || wiring::open_database(&storage))
        .await
        .map_err(|e| StartError::Setting(e.to_string()))??;
    for name in &applied {
        tracing::info!(migration = %name, "applied migration");
    }
    let backend = db.backend();
    let key = bootstrap::secret_key(&secrets, &config.storage.data_dir)?;
    // The external URL defaults to the bound address (the port may be chosen by the system),
    // and the application needs it (`CI_SERVER_URL`): bind first.
    let listener =
        std::net::TcpListener::bind(config.listen).map_err(|error| StartError::Bind {
            addr: config.listen,
            error,
        })?;
    let addr = listener.local_addr().unwrap_or(config.listen);
    let external_url = config.external_url(addr);
    let app_config = paddock_app::AppConfig {
        runner_token_lifetime: config
            .runner_token_expiration_secs
            .and_then(|secs| i64::try_from(secs).ok())
            .map(chrono::Duration::seconds),
        external_url: external_url.clone(),
        max_trace_size: config.max_trace_size,
        job_timeout_grace: seconds(config.job_timeout_grace_secs),
        stuck_running_after: seconds(config.stuck_running_timeout_secs),
        stuck_pending_after: seconds(config.stuck_pending_timeout_secs),
        max_artifact_size: config.max_artifact_size,
        ..paddock_app::AppConfig::default()
    };
    let artifacts_dir = config.storage.data_dir.join("artifacts");
    let artifact_files = ArtifactFiles::open(&artifacts_dir).map_err(|error| {
        StartError::Setting(format!(
            "--data-dir (PADDOCK_DATA_DIR): {} cannot be used for artifacts: {error}",
            artifacts_dir.display()
        ))
    })?;
    let app = Arc::new(wiring::application(db, &key, artifact_files, app_config));
    let data_dir = config.storage.data_dir.clone();
    let bootstrap_app = app.clone();
    web::block(move || bootstrap::run(&*bootstrap_app, &secrets, &data_dir))
        .await
        .map_err(|e| StartError::Bootstrap(e.to_string()))??;

    let state = web::Data::new(ApiState::new(
        app.clone(),
        HttpConfig {
            external_url: external_url.clone(),
            max_request_body: config.max_request_body,
            long_poll_timeout: std::time::Duration::from_secs(config.long_poll_timeout_secs),
        },
    ));
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .wrap_fn(|mut req, srv| {
                edge::normalize_path(&mut req);
                let method = req.method().clone();
                let path = req.path().to_owned();
                let begun = Instant::now();
                srv.call(req).map(move |result| {
                    if let Ok(response) = &result {
                        let status = response.status().as_u16();
                        let duration_ms = begun.elapsed().as_secs_f64() * 1000.0;
                        if edge::is_idle_poll(&path, status) {
                            tracing::debug!(http.method = %method, http.path = %path, http.status = status, duration_ms, "request");
                        } else {
                            tracing::info!(http.method = %method, http.path = %path, http.status = status, duration_ms, "request");
                        }
                    }
                    result
                })
            })
            .configure(paddock_http::json_errors)
            .configure(paddock_http::configure)
            .default_service(web::to(paddock_http::no_route))
    })
    .disable_signals()
    .shutdown_timeout(30);
    let server = server.listen(listener).map_err(|error| StartError::Bind {
        addr: config.listen,
        error,
    })?;
    let server = server.run();
    spawn_contact_flusher(app.clone());
    crate::sweeper::spawn(
        app.clone(),
        std::time::Duration::from_secs(config.job_sweep_interval_secs),
        state.shutdown_signal(),
    );
    tracing::info!(
        listen = %addr,
        external_url = %external_url,
        database = backend.as_str(),
        data_dir = %config.storage.data_dir.display(),
        ready_ms = started.elapsed().as_millis() as u64,
        "Paddock is serving"
    );
    Ok(Running {
        addr,
        external_url,
        handle: server.handle(),
        server,
        app,
        state,
    })
}

/// Seconds of the configuration (validated to at most 100 years) as a duration.
fn seconds(secs: u64) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000))
}

/// Writes what runner contacts remain in memory once the server has stopped.
fn final_flush(app: &paddock_app::Paddock) {
    use paddock_ports::inbound::RunnerAgentUseCases;
    if let Err(error) = app.flush_runner_contacts(true) {
        tracing::warn!(%error, "could not write the last runner contacts");
    }
}

/// Writes runner contacts kept in memory to the database every second (the task ends with
/// the actix system).
fn spawn_contact_flusher(app: Arc<paddock_app::Paddock>) {
    use paddock_ports::inbound::RunnerAgentUseCases;
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            let flushing = app.clone();
            match web::block(move || flushing.flush_runner_contacts(false)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(written)) => tracing::debug!(written, "runner contacts written"),
                Ok(Err(error)) => {
                    tracing::warn!(%error, "writing runner contacts failed; will retry")
                }
                Err(_) => break,
            }
        }
    });
}

/// `paddock serve`: runs until SIGTERM or SIGINT.
pub fn serve(config: Config, secrets: Secrets) -> Result<(), StartError> {
    actix_web::rt::System::new()
        .block_on(async move { start(config, secrets).await?.until_stopped().await })
}

/// A server running in its own thread, for tests.
#[derive(Debug)]
pub struct SpawnedServer {
    pub addr: SocketAddr,
    pub external_url: String,
    stopper: Stopper,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SpawnedServer {
    pub fn url(&self) -> &str {
        &self.external_url
    }

    /// Stops gracefully and waits for the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let stopper = self.stopper.clone();
        if let Some(thread) = self.thread.take() {
            let stopper = std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(stopper.stop());
            });
            let _ = stopper.join();
            let _ = thread.join();
        }
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a server on a thread of its own and returns once it serves.
pub fn spawn(config: Config, secrets: Secrets) -> Result<SpawnedServer, StartError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match start(config, secrets).await {
                Ok(running) => {
                    let _ = sender.send(Ok((
                        running.addr,
                        running.external_url.clone(),
                        running.stopper(),
                    )));
                    let _ = running.server.await;
                    final_flush(&running.app);
                }
                Err(error) => {
                    let _ = sender.send(Err(error));
                }
            }
        });
    });
    match receiver.recv() {
        Ok(Ok((addr, external_url, stopper))) => Ok(SpawnedServer {
            addr,
            external_url,
            stopper,
            thread: Some(thread),
        }),
        Ok(Err(error)) => {
            let _ = thread.join();
            Err(error)
        }
        Err(_) => Err(StartError::Setting(
            "the server thread ended before serving".into(),
        )),
    }
}
