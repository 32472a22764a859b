//! Opening the database: the backend from the URL scheme, the connection pool, SQLite's
//! pragmas, and the one place where the two backends need different SQL.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;

/// Either backend, behind one connection type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

impl std::fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbConnection::Postgresql(_) => f.write_str("DbConnection::Postgresql"),
            DbConnection::Sqlite(_) => f.write_str("DbConnection::Sqlite"),
        }
    }
}

/// Which database a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A parsed database URL: `sqlite://<path>` (also `sqlite:<path>`, `sqlite::memory:`) or
/// `postgres://...` / `postgresql://...`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    SqliteMemory,
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    /// Never prints a PostgreSQL password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::SqliteMemory => f.write_str("sqlite::memory:"),
            DatabaseUrl::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

/// The URL with any password replaced by `***`, for messages.
pub fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The database could not be opened; the text names the cause without secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error(
        "unsupported database URL scheme {0:?}: use sqlite://<path> or postgres://<user>@<host>/<db>"
    )]
    UnsupportedScheme(String),
    #[error("cannot open the database {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("migrating the database failed: {0}")]
    Migration(String),
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<Self, OpenError> {
        let text = text.trim();
        if text == "sqlite::memory:" || text == "sqlite://:memory:" {
            return Ok(DatabaseUrl::SqliteMemory);
        }
        if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(OpenError::UnsupportedScheme(
                    "sqlite with an empty path".into(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(text.to_owned()));
        }
        let scheme = text.split_once(':').map_or(text, |(scheme, _)| scheme);
        Err(OpenError::UnsupportedScheme(scheme.to_owned()))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) | DatabaseUrl::SqliteMemory => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    fn connection_string(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::SqliteMemory => ":memory:".into(),
            DatabaseUrl::Postgres(url) => url.clone(),
        }
    }
}

/// SQLite's settings on every pooled connection: WAL, a busy timeout instead of immediate
/// `SQLITE_BUSY`, foreign keys enforced, and `synchronous = NORMAL` (durable at each WAL
/// checkpoint, consistent always).
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(conn) = conn {
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA wal_autocheckpoint = 16384;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// How often the checkpointer copies SQLite's write-ahead log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// SQLite copies its write-ahead log into the database file at checkpoints; left to the
/// commits (every 1,000 pages by default), one request in so many waits for that copy — with
/// 1 MiB log appends, every fourth. Here a thread with its own connection does it instead,
/// PASSIVE (it never blocks a writer), every [`CHECKPOINT_EVERY`], for as long as the
/// database is open (`alive`); the commits checkpoint themselves only past 64 MiB of log
/// (`wal_autocheckpoint`), should this thread fall behind or fail.
fn spawn_checkpointer(url: DatabaseUrl, alive: Weak<Mutex<()>>) {
    let spawned = std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            let mut conn = match SqliteConnection::establish(&url.connection_string()) {
                Ok(conn) => conn,
                Err(error) => {
                    tracing::warn!(%error, "no SQLite checkpoint connection: commits checkpoint themselves past 64 MiB of log");
                    return;
                }
            };
            let _ = conn.batch_execute("PRAGMA busy_timeout = 1000;");
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                if alive.upgrade().is_none() {
                    return;
                }
                if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
                    tracing::debug!(%error, "SQLite checkpoint failed; the next one retries");
                }
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no SQLite checkpoint thread: commits checkpoint themselves");
    }
}

/// Connects the backend the URL names, and only that one. (The derived
/// `MultiConnection::establish` tries every backend in turn and reports none of their errors.)
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let connection = match &self.url {
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(url).map(DbConnection::Postgresql)
            }
            DatabaseUrl::Sqlite(_) | DatabaseUrl::SqliteMemory => {
                SqliteConnection::establish(&self.url.connection_string()).map(DbConnection::Sqlite)
            }
        };
        connection.map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub type DbPool = Pool<Manager>;
pub type PooledDb = PooledConnection<Manager>;

/// An open, migrated database.
#[derive(Clone)]
pub struct Database {
    pool: DbPool,
    backend: Backend,
    /// SQLite's writers of this process take turns here. SQLite admits one writer at a time
    /// and a connection that finds the write lock taken sleeps in its busy handler (1, 2, 5,
    /// 10… ms) before it looks again; waiting on a mutex instead wakes it when the lock is
    /// free. (Other processes on the same file still meet the busy handler.)
    writers: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Database {
    /// Opens a pool of `max_connections`, checking that one connection can be made.
    pub fn open(url: &DatabaseUrl, max_connections: u32) -> Result<Self, OpenError> {
        let manager = Manager { url: url.clone() };
        let unreachable = |reason: String| OpenError::Unreachable {
            url: format!("{url:?}"),
            reason: first_line(&reason),
        };
        // One direct attempt first: a clear error at once instead of the pool's retries.
        drop(manager.connect().map_err(|e| unreachable(e.to_string()))?);
        // An in-memory SQLite database exists once per connection: keep exactly one.
        let max = if *url == DatabaseUrl::SqliteMemory {
            1
        } else {
            max_connections.max(1)
        };
        let mut builder = Pool::builder()
            .max_size(max)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10));
        if url.backend() == Backend::Sqlite {
            builder = builder.connection_customizer(Box::new(SqlitePragmas));
        }
        let pool = builder
            .build(manager)
            .map_err(|e| unreachable(e.to_string()))?;
        let writers = Arc::new(Mutex::new(()));
        if let DatabaseUrl::Sqlite(_) = url {
            spawn_checkpointer(url.clone(), Arc::downgrade(&writers));
        }
        Ok(Self {
            pool,
            backend: url.backend(),
            writers,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This process's turn to write, on SQLite (PostgreSQL locks rows, not the database).
    pub(crate) fn writer_turn(&self) -> Option<MutexGuard<'_, ()>> {
        (self.backend == Backend::Sqlite).then(|| {
            self.writers
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        })
    }

    pub(crate) fn conn(&self) -> Result<PooledDb, paddock_ports::RepoError> {
        self.pool
            .get()
            .map_err(|e| paddock_ports::RepoError::Internal(format!("no database connection: {e}")))
    }

    /// Applies pending migrations; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, OpenError> {
        let mut conn = self
            .conn()
            .map_err(|e| OpenError::Migration(e.to_string()))?;
        crate::migrations::run_pending(&mut conn).map_err(|e| OpenError::Migration(e.to_string()))
    }

    /// Reverts every migration (tests of `down.sql`).
    pub fn revert_all(&self) -> Result<(), OpenError> {
        let mut conn = self
            .conn()
            .map_err(|e| OpenError::Migration(e.to_string()))?;
        crate::migrations::revert_all(&mut conn).map_err(|e| OpenError::Migration(e.to_string()))
    }

    /// Names of the tables that exist (tests of migrations).
    pub fn table_names(&self) -> Result<Vec<String>, paddock_ports::RepoError> {
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        let mut conn = self.conn()?;
        let sql = match &*conn {
            DbConnection::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            DbConnection::Postgresql(_) => {
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
            }
        };
        let names: Vec<Name> = diesel::sql_query(sql)
            .load(&mut *conn)
            .map_err(crate::error::internal)?;
        Ok(names.into_iter().map(|n| n.name).collect())
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// Runs `f` in a write transaction. On SQLite the transaction begins `IMMEDIATE`, taking the
/// write lock up front so that the busy timeout applies instead of a deadlock error when a
/// read is later upgraded to a write.
pub(crate) fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
        }
        DbConnection::Postgresql(inner) => {
            <AnsiTransactionManager as TransactionManager<PgConnection>>::begin_transaction(inner)?;
        }
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            // The original error matters more than a failed rollback.
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/p.db"),
            Ok(DatabaseUrl::Sqlite("data/p.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///abs/p.db"),
            Ok(DatabaseUrl::Sqlite("/abs/p.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:p.db"),
            Ok(DatabaseUrl::Sqlite("p.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:"),
            Ok(DatabaseUrl::SqliteMemory)
        );
        let pg = DatabaseUrl::parse("postgres://u@h/db").map(|u| u.backend());
        assert_eq!(pg, Ok(Backend::Postgres));
        let pg = DatabaseUrl::parse("postgresql://u@h/db").map(|u| u.backend());
        assert_eq!(pg, Ok(Backend::Postgres));
        assert_eq!(
            DatabaseUrl::parse("mysql://u@h/db"),
            Err(OpenError::UnsupportedScheme("mysql".into()))
        );
    }

    #[test]
    fn debug_redacts_passwords() {
        let url = DatabaseUrl::parse("postgres://user:hunter2@host/db").map(|u| format!("{u:?}"));
        let text = url.unwrap_or_default();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("***"), "{text}");
    }
}
