//! Embedded migrations, one set per backend, with identical folder names (a test checks).

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MigrationError(String);

fn error(e: impl std::fmt::Display) -> MigrationError {
    MigrationError(e.to_string())
}

pub(crate) fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map_err(error)?,
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES).map_err(error)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

pub(crate) fn revert_all(conn: &mut DbConnection) -> Result<(), MigrationError> {
    match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE).map(|_| ()).map_err(error),
        DbConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES).map(|_| ()).map_err(error),
    }
}

/// The embedded migration names of each backend: `(sqlite, postgres)`.
pub fn migration_names() -> Result<(Vec<String>, Vec<String>), MigrationError> {
    let sqlite = MigrationSource::<Sqlite>::migrations(&SQLITE).map_err(error)?;
    let postgres = MigrationSource::<Pg>::migrations(&POSTGRES).map_err(error)?;
    Ok((
        sqlite.iter().map(|m| m.name().to_string()).collect(),
        postgres.iter().map(|m| m.name().to_string()).collect(),
    ))
}
