//! Conformance: the real `paddock` binary driven by real runner-API clients (pinned in
//! `tests/python/requirements.txt`, installed into a local virtualenv): python-gitlab's runner
//! managers and the `gitlab` CLI, gitlab-python-runner's `--register`/`--unregister`, and
//! gitlab-runner-api's registration; on SQLite and on PostgreSQL.

use paddock_tests::python::conformance;

const ROOT_TOKEN: &str = "glpat-runner-clients-root-token";
const REGISTRATION_TOKEN: &str = "GR1348941runnerClientsRegistrationToken";

fn run_against(database_url: Option<&str>) {
    let log = conformance(
        "runner_clients.py",
        database_url,
        &[
            ("PADDOCK_ROOT_TOKEN", ROOT_TOKEN),
            ("PADDOCK_REGISTRATION_TOKEN", REGISTRATION_TOKEN),
        ],
        &[
            ("PADDOCK_TOKEN", ROOT_TOKEN),
            ("PADDOCK_REGISTRATION_TOKEN", REGISTRATION_TOKEN),
        ],
    );
    assert!(
        !log.contains(REGISTRATION_TOKEN),
        "the registration token appears in the server log"
    );
}

#[test]
fn runner_clients_on_sqlite() {
    run_against(None);
}

#[test]
fn runner_clients_on_postgres() {
    let Some(database) = paddock_db::testing::postgres() else {
        return;
    };
    run_against(Some(database.url()));
}
