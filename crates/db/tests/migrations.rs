//! The migrations: the same folders for both backends, each with a working `down.sql`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use paddock_db::{Database, DatabaseUrl, DbStore};
use paddock_ports::outbound::{Clock, NewUser, UserRepository};
use paddock_testkit::FixedClock;

const TABLES: [&str; 17] = [
    "users",
    "projects",
    "namespaces",
    "members",
    "protected_branches",
    "personal_access_tokens",
    "instance_settings",
    "runners",
    "runner_tags",
    "runner_projects",
    "runner_managers",
    "pipelines",
    "jobs",
    "job_tags",
    "job_trace_chunks",
    "job_secrets",
    "project_variables",
];

fn migrations_dir(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend)
}

/// The migration folders of a backend, each checked to hold `up.sql` and `down.sql`.
fn folders(backend: &str) -> BTreeSet<String> {
    let dir = migrations_dir(backend);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    let mut names = BTreeSet::new();
    for entry in entries {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        for script in ["up.sql", "down.sql"] {
            let path = entry.path().join(script);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{backend}/{name} has no readable {script}: {e}"));
            assert!(
                !text.trim().is_empty(),
                "{backend}/{name}/{script} is empty"
            );
        }
        names.insert(name);
    }
    names
}

#[test]
fn both_backends_have_the_same_migration_folders_each_with_up_and_down() {
    let sqlite = folders("sqlite");
    let postgres = folders("postgres");
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(sqlite, postgres);
}

#[test]
fn both_backends_embed_the_same_migration_names_as_the_folders() {
    let (sqlite, postgres) = paddock_db::migration_names().unwrap();
    assert_eq!(sqlite, postgres);
    let on_disk: Vec<String> = folders("sqlite").into_iter().collect();
    let mut embedded = sqlite;
    embedded.sort();
    assert_eq!(embedded, on_disk);
}

fn table_names(db: &Database) -> BTreeSet<String> {
    db.table_names().unwrap().into_iter().collect()
}

fn assert_tables_present(db: &Database) {
    let tables = table_names(db);
    for table in TABLES {
        assert!(tables.contains(table), "{table} is missing from {tables:?}");
    }
}

/// Migrates up, down and up again; after each step the tables are there or gone, and at the
/// end the schema works.
fn up_down_up(url: &str) {
    let db = Database::open(&DatabaseUrl::parse(url).unwrap(), 2).unwrap();
    let applied = db.migrate().unwrap();
    assert_eq!(
        applied.len(),
        paddock_db::migration_names().unwrap().0.len()
    );
    assert_tables_present(&db);
    assert!(
        db.migrate().unwrap().is_empty(),
        "a second migrate applies nothing"
    );

    db.revert_all().unwrap();
    let tables = table_names(&db);
    for table in TABLES {
        assert!(
            !tables.contains(table),
            "{table} survived revert_all: {tables:?}"
        );
    }

    db.migrate().unwrap();
    assert_tables_present(&db);
    let store = DbStore::new(db);
    let created = store
        .create_user(NewUser {
            username: "root".to_owned(),
            name: "Administrator".to_owned(),
            email: "root@example.com".to_owned(),
            admin: true,
            created_at: FixedClock::default().now(),
        })
        .unwrap();
    assert_eq!(store.user_by_username("root").unwrap(), Some(created));
}

#[test]
fn sqlite_migrates_up_down_and_up_again() {
    let dir = tempfile::tempdir().unwrap();
    up_down_up(&format!(
        "sqlite://{}",
        dir.path().join("paddock.db").display()
    ));
}

#[test]
fn postgres_migrates_up_down_and_up_again() {
    let Some(database) = paddock_db::testing::postgres() else {
        return;
    };
    up_down_up(database.url());
}
