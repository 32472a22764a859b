//! Throw-away databases for tests: a SQLite file in a temporary directory, or a fresh
//! PostgreSQL database per test on the server named by `PADDOCK_TEST_POSTGRES_URL` (else
//! `postgres://postgres@127.0.0.1:5432/postgres` when it answers), dropped afterwards.
//!
//! When no PostgreSQL answers, [`postgres`] returns `None` after printing one loud notice
//! per process straight to the terminal (not captured by the test harness); with
//! `PADDOCK_TEST_REQUIRE_POSTGRES=1` (as in CI) it panics instead, so that CI never passes
//! without the PostgreSQL half.

#![allow(clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::OnceLock;

use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A PostgreSQL database that exists for the life of this value.
#[derive(Debug)]
pub struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

fn admin_url() -> String {
    std::env::var("PADDOCK_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

fn required() -> bool {
    std::env::var("PADDOCK_TEST_REQUIRE_POSTGRES")
        .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Whether the PostgreSQL server answers; decided once per process.
pub fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| match PgConnection::establish(&admin_url()) {
        Ok(_) => true,
        Err(error) => {
            if required() {
                panic!(
                    "PADDOCK_TEST_REQUIRE_POSTGRES is set but PostgreSQL at {} does not answer: {error}",
                    crate::connection::redact_password(&admin_url())
                );
            }
            let mut err = std::io::stderr();
            let _ = writeln!(
                err,
                "\n==================================================================\n\
                 WARNING: PostgreSQL at {} does not answer ({}).\n\
                 The PostgreSQL half of the tests is SKIPPED; only SQLite ran.\n\
                 Set PADDOCK_TEST_POSTGRES_URL to a server to run both.\n\
                 ==================================================================\n",
                crate::connection::redact_password(&admin_url()),
                error.to_string().lines().next().unwrap_or_default()
            );
            false
        }
    })
}

/// A fresh, empty PostgreSQL database, or `None` (after a loud notice) when none answers.
pub fn postgres() -> Option<PostgresDatabase> {
    if !postgres_available() {
        return None;
    }
    let admin_url = admin_url();
    let name = format!("paddock_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&admin_url).expect("PostgreSQL answered a moment ago");
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .expect("create a test database");
    let mut url = url::Url::parse(&admin_url).expect("a valid PostgreSQL URL");
    url.set_path(&name);
    Some(PostgresDatabase {
        admin_url,
        name,
        url: url.to_string(),
    })
}

/// Runs `sql` (statements separated by `;`) in one transaction on the database of a URL as
/// `paddock serve` takes it: for black-box tests whose setup needs more rows than the API
/// creates in reasonable time (thousands of runners). Panics on any error.
pub fn execute_sql(database_url: &str, sql: &str) {
    use diesel::connection::SimpleConnection;
    let url = crate::DatabaseUrl::parse(database_url).expect("a database URL");
    let database = crate::Database::open(&url, 1).expect("the database opens");
    let mut conn = database.conn().expect("a connection");
    conn.batch_execute(&format!("BEGIN; {sql}; COMMIT;"))
        .expect("the SQL runs");
}
