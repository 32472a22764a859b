//! Conformance: gitlab-python-runner 14.3.20 (with the gitlab-emulator 1.3.6 it needs, pinned
//! in `tests/python/requirements.txt`) runs real shell jobs through the real `paddock` binary,
//! cloning a local bare git repository: a passing job whose log shows project, pipeline and
//! config variables (a masked one masked), a failing job that ends `failed` with its output in
//! the log, `when: on_failure`, `allow_failure`, the pipelines' statuses, and artifacts (a
//! build job's file uploaded as a zip, downloaded by a later stage's job that prints it); on
//! SQLite and on
//! PostgreSQL. Needs `git` on PATH.

use paddock_tests::python::conformance;

const ROOT_TOKEN: &str = "glpat-job-runner-root-token";

fn run_against(database_url: Option<&str>) {
    let log = conformance(
        "job_runner.py",
        database_url,
        &[("PADDOCK_ROOT_TOKEN", ROOT_TOKEN)],
        &[("PADDOCK_TOKEN", ROOT_TOKEN)],
    );
    assert!(
        !log.contains("S3cretValue4Paddock"),
        "the masked variable's value appears in the server log"
    );
}

#[test]
fn job_runner_on_sqlite() {
    run_against(None);
}

#[test]
fn job_runner_on_postgres() {
    let Some(database) = paddock_db::testing::postgres() else {
        return;
    };
    run_against(Some(database.url()));
}
