//! The `paddock` binary as a library: configuration, logging, wiring of the adapters around
//! the use cases, bootstrap of an empty database, and the HTTP server with graceful shutdown.
//! `main.rs` only parses the command line and reports errors.

pub mod adapters;
mod bootstrap;
pub mod config;
mod edge;
mod logging;
mod server;
mod sweeper;
mod wiring;

pub use bootstrap::{INITIAL_REGISTRATION_TOKEN_FILE, INITIAL_ROOT_TOKEN_FILE, SECRET_KEY_FILE};
pub use config::{Cli, Command, Config, ConfigError, StorageConfig};
pub use logging::init as init_logging;
pub use server::{Running, Secrets, SpawnedServer, StartError, run_migrate, serve, spawn, start};
