//! The database each run uses: a SQLite file in a temporary data directory, or a fresh
//! PostgreSQL database on 127.0.0.1:5432 (user `postgres`, trust) dropped afterwards; and the
//! one bulk insert done in SQL, 100,000 runners cloned from a runner the API registered.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

use crate::Fallible;

/// The PostgreSQL server (override with `PADDOCK_BENCH_POSTGRES`, a URL without database).
pub fn postgres_server() -> String {
    std::env::var("PADDOCK_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Where the run keeps its data.
#[derive(Debug)]
pub enum Target {
    Sqlite {
        dir: tempfile::TempDir,
    },
    Postgres {
        dir: tempfile::TempDir,
        name: String,
    },
}

impl Target {
    pub fn sqlite() -> Fallible<Self> {
        Ok(Self::Sqlite {
            dir: tempfile::tempdir()?,
        })
    }

    /// A fresh database, or `None` (with the reason) when PostgreSQL does not answer.
    pub fn postgres() -> Result<Self, String> {
        let name = format!("paddock_bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&format!("{}/postgres", postgres_server()))
            .map_err(|e| e.to_string())?;
        for db in [name.clone(), format!("{name}_raw")] {
            admin
                .batch_execute(&format!("CREATE DATABASE {db}"))
                .map_err(|e| e.to_string())?;
        }
        Ok(Self::Postgres {
            dir: tempfile::tempdir().map_err(|e| e.to_string())?,
            name,
        })
    }

    pub fn label(&self) -> &'static str {
        match self {
            Target::Sqlite { .. } => "SQLite",
            Target::Postgres { .. } => "PostgreSQL",
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        match self {
            Target::Sqlite { dir } | Target::Postgres { dir, .. } => dir.path(),
        }
    }

    /// `--database-url` for paddock.
    pub fn url(&self) -> String {
        match self {
            Target::Sqlite { dir } => {
                format!("sqlite://{}", dir.path().join("paddock.db").display())
            }
            Target::Postgres { name, .. } => format!("{}/{name}", postgres_server()),
        }
    }

    /// The raw update loop's rate on this kind of database (a separate file or database on
    /// the same disk or server).
    pub fn raw_updates(&self, duration: std::time::Duration) -> Fallible<f64> {
        match self {
            Target::Sqlite { dir } => {
                crate::baseline::sqlite_updates(&dir.path().join("raw.db"), duration)
            }
            Target::Postgres { name, .. } => crate::baseline::postgres_updates(
                &format!("{}/{name}_raw", postgres_server()),
                duration,
            ),
        }
    }

    /// Clones the runner `template` (and its tags) `count` times in one statement each, with
    /// unique descriptions and token digests; every tenth clone keeps the tags.
    pub fn clone_runners(&self, template: i64, count: u64) -> Fallible<()> {
        let columns = "runner_type, group_id, description, maintenance_note, active, locked, \
                       run_untagged, access_level, maximum_timeout, name, token_digest, \
                       token_expires_at, registration_type, contacted_at, creator_id, \
                       created_at, updated_at";
        let sql = format!(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) \
             INSERT INTO runners ({columns}) \
             SELECT r.runner_type, r.group_id, 'bench-' || s.n, r.maintenance_note, \
                    r.active, r.locked, r.run_untagged, r.access_level, r.maximum_timeout, \
                    r.name, 'bench-digest-' || s.n, r.token_expires_at, r.registration_type, \
                    r.contacted_at, r.creator_id, r.created_at, r.updated_at \
             FROM runners r, s WHERE r.id = {template}; \
             INSERT INTO runner_tags (runner_id, name, position) \
             SELECT r.id, t.name, t.position FROM runners r, runner_tags t \
             WHERE t.runner_id = {template} AND r.description LIKE 'bench-%' AND r.id % 10 = 0;"
        );
        match self {
            Target::Sqlite { dir } => {
                let path = dir.path().join("paddock.db");
                let mut conn = SqliteConnection::establish(&path.display().to_string())?;
                conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
                conn.batch_execute(&format!("BEGIN; {sql} COMMIT;"))?;
            }
            Target::Postgres { .. } => {
                let mut conn = PgConnection::establish(&self.url())?;
                conn.batch_execute(&format!("BEGIN; {sql} COMMIT; ANALYZE;"))?;
            }
        }
        Ok(())
    }

    /// Drops the PostgreSQL databases (the temporary directory goes with `self`).
    pub fn drop_databases(&self) {
        if let Target::Postgres { name, .. } = self
            && let Ok(mut admin) =
                PgConnection::establish(&format!("{}/postgres", postgres_server()))
        {
            for db in [name.clone(), format!("{name}_raw")] {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}
