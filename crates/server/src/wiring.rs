//! Plugs the adapters into the ports.

use std::sync::Arc;

use paddock_app::{AppConfig, Paddock};
use paddock_db::{Backend, Database, DbStore};
use paddock_ports::outbound::Outbound;

use crate::adapters::{AesGcmCipher, ArtifactFiles, GitCli, RandomTokens, SecretKey, SystemClock};
use crate::config::{ConfigError, StorageConfig};

/// Connections per process: SQLite serialises writers anyway; PostgreSQL servers are shared.
fn pool_size(backend: Backend) -> u32 {
    match backend {
        Backend::Sqlite => 8,
        Backend::Postgres => 16,
    }
}

fn database_error(message: String) -> ConfigError {
    ConfigError::new("--database-url", "PADDOCK_DATABASE_URL", message)
}

/// Opens and migrates the database.
pub fn open_database(storage: &StorageConfig) -> Result<(Database, Vec<String>), ConfigError> {
    let db = Database::open(
        &storage.database_url,
        pool_size(storage.database_url.backend()),
    )
    .map_err(|e| database_error(e.to_string()))?;
    let applied = db.migrate().map_err(|e| database_error(e.to_string()))?;
    Ok((db, applied))
}

/// The application over the database and the system adapters.
pub fn application(
    db: Database,
    key: &SecretKey,
    artifact_files: ArtifactFiles,
    config: AppConfig,
) -> Paddock {
    let store = Arc::new(DbStore::new(db));
    Paddock::with_config(
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
            artifact_store: Arc::new(artifact_files),
            git: Arc::new(GitCli),
            settings: store.clone(),
            health: store,
            clock: Arc::new(SystemClock),
            token_generator: Arc::new(RandomTokens),
            cipher: Arc::new(AesGcmCipher::new(key)),
        },
        config,
    )
}
