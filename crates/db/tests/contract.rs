//! The repository contract on both databases: every case on a fresh SQLite file
//! (`sqlite::<case>`) and on a fresh PostgreSQL database (`postgres::<case>`).
//!
//! Without a PostgreSQL server the `postgres::` tests pass without running, after one loud
//! notice; `PADDOCK_TEST_REQUIRE_POSTGRES=1` makes them fail instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use paddock_db::testing::PostgresDatabase;
use paddock_db::{Database, DatabaseUrl, DbStore};
use paddock_ports::outbound::Outbound;
use paddock_testkit::FixedClock;
use tempfile::TempDir;

/// Ports over a migrated database at `url`.
fn outbound(url: &str) -> Outbound {
    let url = DatabaseUrl::parse(url).expect("a database URL");
    let db = Database::open(&url, 4).expect("open the database");
    db.migrate().expect("migrate the database");
    paddock_testkit::outbound_over(Arc::new(DbStore::new(db)), Arc::new(FixedClock::default()))
}

/// A fresh SQLite file, removed with the directory when the value is dropped.
fn sqlite() -> (Outbound, TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = outbound(&format!(
        "sqlite://{}",
        dir.path().join("paddock.db").display()
    ));
    (out, dir)
}

/// A fresh PostgreSQL database, dropped when the value is (the pool goes first), or `None`
/// when no server answers.
fn postgres() -> Option<(Outbound, PostgresDatabase)> {
    let database = paddock_db::testing::postgres()?;
    Some((outbound(database.url()), database))
}

mod sqlite {
    macro_rules! on_sqlite {
        ($($case:ident),* $(,)?) => {
            $(
                #[test]
                fn $case() {
                    let (out, _dir) = super::sqlite();
                    paddock_testkit::contract::$case(&out);
                }
            )*
        };
    }

    paddock_testkit::contract_cases!(on_sqlite);
}

mod postgres {
    macro_rules! on_postgres {
        ($($case:ident),* $(,)?) => {
            $(
                #[test]
                fn $case() {
                    let Some((out, _database)) = super::postgres() else {
                        return;
                    };
                    paddock_testkit::contract::$case(&out);
                }
            )*
        };
    }

    paddock_testkit::contract_cases!(on_postgres);
}
