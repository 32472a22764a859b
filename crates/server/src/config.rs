//! The run contract: subcommands, flags and environment variables (a flag wins over its
//! variable), validated into a [`Config`]. Every error names the setting in one line.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use paddock_db::DatabaseUrl;

#[derive(Debug, Parser)]
#[command(
    name = "paddock",
    version,
    about = "A GitLab-compatible runner coordinator: GitLab's Runners API in one binary."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses arguments without exiting the process (for tests and embedding).
    pub fn parse_args<I, T>(args: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Self::try_parse_from(args).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Subcommand)]
#[allow(
    clippy::large_enum_variant,
    reason = "parsed once at start; the flags of serve are many strings"
)]
pub enum Command {
    /// Migrate the database, bootstrap an empty one, and serve the API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(StorageArgs),
}

/// Where the data lives; shared by `serve` and `migrate`.
#[derive(Debug, Args)]
pub struct StorageArgs {
    /// Directory for the SQLite database, the secret key and the bootstrap token files.
    #[arg(long, env = "PADDOCK_DATA_DIR", default_value = "./paddock-data")]
    pub data_dir: PathBuf,
    /// `sqlite://<path>` or `postgres://...` [default: sqlite://<data-dir>/paddock.db]
    #[arg(long, env = "PADDOCK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// `pretty` for people, `json` for machines (filter with RUST_LOG).
    #[arg(long, env = "PADDOCK_LOG_FORMAT", default_value = "pretty")]
    pub log_format: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "PADDOCK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    #[command(flatten)]
    pub storage: StorageArgs,
    /// The URL clients use to reach Paddock (Link headers, web_url, CI_JOB_URL) [default: http://<listen>]
    #[arg(long, env = "PADDOCK_EXTERNAL_URL")]
    pub external_url: Option<String>,
    /// Seconds a job request may wait for a job; 0 disables long polling.
    #[arg(long, env = "PADDOCK_LONG_POLL_TIMEOUT", default_value = "50")]
    pub long_poll_timeout: String,
    /// Seconds a new or reset runner authentication token lives; unset: forever.
    #[arg(long, env = "PADDOCK_RUNNER_TOKEN_EXPIRATION_INTERVAL")]
    pub runner_token_expiration_interval: Option<String>,
    /// Largest API request body in bytes (413 beyond).
    #[arg(long, env = "PADDOCK_MAX_REQUEST_BODY", default_value = "1048576")]
    pub max_request_body: String,
    /// Largest artifact upload in bytes (413 beyond).
    #[arg(long, env = "PADDOCK_MAX_ARTIFACT_SIZE", default_value = "104857600")]
    pub max_artifact_size: String,
    /// Largest job log in bytes (403 beyond, as GitLab).
    #[arg(long, env = "PADDOCK_MAX_TRACE_SIZE", default_value = "104857600")]
    pub max_trace_size: String,
    /// Seconds after its timeout before a running job is failed (job_execution_timeout).
    #[arg(long, env = "PADDOCK_JOB_TIMEOUT_GRACE", default_value = "300")]
    pub job_timeout_grace: String,
    /// Seconds without a word from its runner before a running job fails (stuck_or_timeout_failure) and a canceling one is canceled.
    #[arg(long, env = "PADDOCK_STUCK_RUNNING_TIMEOUT", default_value = "3600")]
    pub stuck_running_timeout: String,
    /// Seconds a pending job may wait for a runner before it fails (stuck_or_timeout_failure).
    #[arg(long, env = "PADDOCK_STUCK_PENDING_TIMEOUT", default_value = "86400")]
    pub stuck_pending_timeout: String,
    /// Seconds between two sweeps of overdue jobs.
    #[arg(long, env = "PADDOCK_JOB_SWEEP_INTERVAL", default_value = "60")]
    pub job_sweep_interval: String,
}

/// A bad setting, named by its flag and variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} ({env}): {message}")]
pub struct ConfigError {
    pub flag: &'static str,
    pub env: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(flag: &'static str, env: &'static str, message: impl Into<String>) -> Self {
        Self {
            flag,
            env,
            message: message.into(),
        }
    }
}

/// The longest runner token lifetime accepted: 100 years.
const MAX_TOKEN_LIFETIME_SECS: u64 = 100 * 365 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Storage settings, validated.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub log_format: LogFormat,
}

/// `serve` settings, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub storage: StorageConfig,
    pub external_url: Option<String>,
    pub long_poll_timeout_secs: u64,
    pub runner_token_expiration_secs: Option<u64>,
    pub max_request_body: usize,
    pub max_artifact_size: u64,
    pub max_trace_size: u64,
    pub job_timeout_grace_secs: u64,
    pub stuck_running_timeout_secs: u64,
    pub stuck_pending_timeout_secs: u64,
    pub job_sweep_interval_secs: u64,
}

impl Config {
    /// The external URL: as configured, or `http://<listen address>` (a wildcard address is
    /// shown as `127.0.0.1`), without a trailing slash.
    pub fn external_url(&self, bound: SocketAddr) -> String {
        match &self.external_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let mut addr = bound;
                if addr.ip().is_unspecified() {
                    addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
                }
                format!("http://{addr}")
            }
        }
    }
}

fn number<T: std::str::FromStr>(
    flag: &'static str,
    env: &'static str,
    text: &str,
    what: &str,
) -> Result<T, ConfigError> {
    text.trim()
        .parse()
        .map_err(|_| ConfigError::new(flag, env, format!("{text:?} is not {what}")))
}

impl StorageArgs {
    pub fn validate(&self) -> Result<StorageConfig, ConfigError> {
        let log_format = match self.log_format.as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::new(
                    "--log-format",
                    "PADDOCK_LOG_FORMAT",
                    format!("{other:?} is not a log format; use pretty or json"),
                ));
            }
        };
        prepare_data_dir(&self.data_dir)?;
        let database_url = match &self.database_url {
            Some(url) => DatabaseUrl::parse(url).map_err(|e| {
                ConfigError::new("--database-url", "PADDOCK_DATABASE_URL", e.to_string())
            })?,
            None => DatabaseUrl::Sqlite(self.data_dir.join("paddock.db")),
        };
        if let DatabaseUrl::Sqlite(path) = &database_url
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(ConfigError::new(
                "--database-url",
                "PADDOCK_DATABASE_URL",
                format!(
                    "the directory {} of the SQLite database does not exist",
                    parent.display()
                ),
            ));
        }
        Ok(StorageConfig {
            data_dir: self.data_dir.clone(),
            database_url,
            log_format,
        })
    }
}

/// Creates the data directory if missing and checks that it can be written.
fn prepare_data_dir(dir: &Path) -> Result<(), ConfigError> {
    let fail = |what: &str, e: std::io::Error| {
        ConfigError::new(
            "--data-dir",
            "PADDOCK_DATA_DIR",
            format!("{} {what}: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("cannot be created", e))?;
    let probe = dir.join(".paddock-write-probe");
    std::fs::write(&probe, b"ok").map_err(|e| fail("is not writable", e))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

impl ServeArgs {
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let listen = self
            .listen
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| {
                ConfigError::new(
                    "--listen",
                    "PADDOCK_LISTEN",
                    format!(
                        "{:?} is not an address and port such as 127.0.0.1:8080",
                        self.listen
                    ),
                )
            })?;
        let external_url = match &self.external_url {
            Some(text) => {
                let parsed = url::Url::parse(text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"));
                if parsed.is_none() {
                    return Err(ConfigError::new(
                        "--external-url",
                        "PADDOCK_EXTERNAL_URL",
                        format!("{text:?} is not an http:// or https:// URL"),
                    ));
                }
                Some(text.trim_end_matches('/').to_owned())
            }
            None => None,
        };
        let long_poll_timeout_secs = number(
            "--long-poll-timeout",
            "PADDOCK_LONG_POLL_TIMEOUT",
            &self.long_poll_timeout,
            "a number of seconds",
        )?;
        let runner_token_expiration_secs = match &self.runner_token_expiration_interval {
            Some(text) => {
                let secs: u64 = number(
                    "--runner-token-expiration-interval",
                    "PADDOCK_RUNNER_TOKEN_EXPIRATION_INTERVAL",
                    text,
                    "a number of seconds",
                )?;
                if secs == 0 || secs > MAX_TOKEN_LIFETIME_SECS {
                    return Err(ConfigError::new(
                        "--runner-token-expiration-interval",
                        "PADDOCK_RUNNER_TOKEN_EXPIRATION_INTERVAL",
                        "must be from 1 second to 100 years (unset it for tokens that never expire)",
                    ));
                }
                Some(secs)
            }
            None => None,
        };
        let max_request_body: usize = number(
            "--max-request-body",
            "PADDOCK_MAX_REQUEST_BODY",
            &self.max_request_body,
            "a size in bytes",
        )?;
        if max_request_body == 0 {
            return Err(ConfigError::new(
                "--max-request-body",
                "PADDOCK_MAX_REQUEST_BODY",
                "must be above 0",
            ));
        }
        let seconds = |flag, env, text: &str, least: u64| -> Result<u64, ConfigError> {
            let secs: u64 = number(flag, env, text, "a number of seconds")?;
            if secs < least || secs > MAX_TOKEN_LIFETIME_SECS {
                return Err(ConfigError::new(
                    flag,
                    env,
                    format!("must be from {least} second(s) to 100 years"),
                ));
            }
            Ok(secs)
        };
        let job_timeout_grace_secs = seconds(
            "--job-timeout-grace",
            "PADDOCK_JOB_TIMEOUT_GRACE",
            &self.job_timeout_grace,
            0,
        )?;
        let stuck_running_timeout_secs = seconds(
            "--stuck-running-timeout",
            "PADDOCK_STUCK_RUNNING_TIMEOUT",
            &self.stuck_running_timeout,
            1,
        )?;
        let stuck_pending_timeout_secs = seconds(
            "--stuck-pending-timeout",
            "PADDOCK_STUCK_PENDING_TIMEOUT",
            &self.stuck_pending_timeout,
            1,
        )?;
        let job_sweep_interval_secs = seconds(
            "--job-sweep-interval",
            "PADDOCK_JOB_SWEEP_INTERVAL",
            &self.job_sweep_interval,
            1,
        )?;
        Ok(Config {
            job_timeout_grace_secs,
            stuck_running_timeout_secs,
            stuck_pending_timeout_secs,
            job_sweep_interval_secs,
            listen,
            storage: self.storage.validate()?,
            external_url,
            long_poll_timeout_secs,
            runner_token_expiration_secs,
            max_request_body,
            max_artifact_size: number(
                "--max-artifact-size",
                "PADDOCK_MAX_ARTIFACT_SIZE",
                &self.max_artifact_size,
                "a size in bytes",
            )?,
            max_trace_size: number(
                "--max-trace-size",
                "PADDOCK_MAX_TRACE_SIZE",
                &self.max_trace_size,
                "a size in bytes",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str]) -> Result<Config, String> {
        let mut all = vec!["paddock", "serve"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).map_err(|e| e.to_string())?;
        match cli.command {
            Command::Serve(args) => args.validate().map_err(|e| e.to_string()),
            Command::Migrate(_) => Err("migrate".into()),
        }
    }

    #[test]
    fn defaults_and_derived_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let config = serve(&["--data-dir", data.to_str().unwrap_or_default()]).expect("valid");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.long_poll_timeout_secs, 50);
        assert_eq!(config.job_timeout_grace_secs, 300);
        assert_eq!(config.stuck_running_timeout_secs, 3600);
        assert_eq!(config.stuck_pending_timeout_secs, 86400);
        assert_eq!(config.job_sweep_interval_secs, 60);
        assert_eq!(config.max_request_body, 1_048_576);
        assert!(data.is_dir(), "the data dir is created");
        assert_eq!(
            config.storage.database_url,
            DatabaseUrl::Sqlite(data.join("paddock.db"))
        );
        assert_eq!(
            config.external_url("0.0.0.0:9000".parse().expect("addr")),
            "http://127.0.0.1:9000"
        );
    }

    #[test]
    fn bad_settings_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_str().unwrap_or_default();
        let table = [
            (vec!["--listen", "nowhere"], "--listen (PADDOCK_LISTEN)"),
            (
                vec!["--database-url", "mysql://x/y"],
                "--database-url (PADDOCK_DATABASE_URL)",
            ),
            (
                vec!["--long-poll-timeout", "soon"],
                "--long-poll-timeout (PADDOCK_LONG_POLL_TIMEOUT)",
            ),
            (
                vec!["--external-url", "ftp://x"],
                "--external-url (PADDOCK_EXTERNAL_URL)",
            ),
            (
                vec!["--log-format", "xml"],
                "--log-format (PADDOCK_LOG_FORMAT)",
            ),
            (
                vec!["--max-request-body", "0"],
                "--max-request-body (PADDOCK_MAX_REQUEST_BODY)",
            ),
            (
                vec!["--stuck-running-timeout", "0"],
                "--stuck-running-timeout (PADDOCK_STUCK_RUNNING_TIMEOUT)",
            ),
            (
                vec!["--job-sweep-interval", "often"],
                "--job-sweep-interval (PADDOCK_JOB_SWEEP_INTERVAL)",
            ),
            (
                vec!["--runner-token-expiration-interval", "18446744073709551615"],
                "--runner-token-expiration-interval (PADDOCK_RUNNER_TOKEN_EXPIRATION_INTERVAL)",
            ),
        ];
        for (args, named) in table {
            let mut all = vec!["--data-dir", data];
            all.extend(args.iter().copied());
            let error = serve(&all).expect_err("invalid");
            assert!(error.starts_with(named), "{error}");
            assert_eq!(error.lines().count(), 1, "{error}");
        }
    }

    #[test]
    fn an_unwritable_data_dir_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").expect("write");
        let error = serve(&["--data-dir", file.join("sub").to_str().unwrap_or_default()])
            .expect_err("invalid");
        assert!(
            error.starts_with("--data-dir (PADDOCK_DATA_DIR)"),
            "{error}"
        );
    }
}
