//! Paddock's diesel adapter: one schema over SQLite (bundled, WAL) and PostgreSQL, chosen
//! from the database URL; embedded migrations per backend; an r2d2 pool; and the repository
//! implementations of `paddock-ports`.
//!
//! Diesel types stay inside this crate: repositories take and return domain records, and
//! diesel errors become `RepoError` at this boundary.

mod connection;
mod error;
mod migrations;
mod models;
mod repos;
pub mod schema;
pub mod testing;

pub use connection::{Backend, Database, DatabaseUrl, DbConnection, OpenError};
pub use migrations::{MigrationError, migration_names};
pub use repos::DbStore;
