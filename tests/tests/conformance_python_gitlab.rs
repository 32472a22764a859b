//! Conformance: the real `paddock` binary driven by python-gitlab and the `gitlab` CLI
//! (pinned in `tests/python/requirements.txt`, installed into a local virtualenv), on SQLite
//! and on PostgreSQL.

use paddock_tests::python::conformance;

const ROOT_TOKEN: &str = "glpat-conformance-root-token";

fn run_against(database_url: Option<&str>) {
    conformance(
        "python_gitlab_conformance.py",
        database_url,
        &[("PADDOCK_ROOT_TOKEN", ROOT_TOKEN)],
        &[("PADDOCK_TOKEN", ROOT_TOKEN)],
    );
}

#[test]
fn python_gitlab_on_sqlite() {
    run_against(None);
}

#[test]
fn python_gitlab_on_postgres() {
    let Some(database) = paddock_db::testing::postgres() else {
        return;
    };
    run_against(Some(database.url()));
}
