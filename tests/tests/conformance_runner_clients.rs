#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Conformance: the real `paddock` binary driven by real runner-API clients (pinned in
//! `tests/python/requirements.txt`, installed into a local virtualenv): python-gitlab's runner
//! managers and the `gitlab` CLI, gitlab-python-runner's `--register`/`--unregister`, and
//! gitlab-runner-api's registration; on SQLite and on PostgreSQL.

use std::process::Command;

use paddock_tests::binary::{self, Process, free_port};
use paddock_tests::{python, workspace_root};

const ROOT_TOKEN: &str = "glpat-runner-clients-root-token";
const REGISTRATION_TOKEN: &str = "GR1348941runnerClientsRegistrationToken";

fn run_against(database_url: Option<&str>) {
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut command = binary::command();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data.path())
        .env("PADDOCK_ROOT_TOKEN", ROOT_TOKEN)
        .env("PADDOCK_REGISTRATION_TOKEN", REGISTRATION_TOKEN);
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let process = Process::spawn(command, port);
    let output = Command::new(python::python())
        .arg(workspace_root().join("tests/python/runner_clients.py"))
        .env("PADDOCK_URL", &process.base)
        .env("PADDOCK_TOKEN", ROOT_TOKEN)
        .env("PADDOCK_REGISTRATION_TOKEN", REGISTRATION_TOKEN)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (status, log) = process.terminate();
    assert!(
        output.status.success(),
        "runner clients conformance failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server log\n{log}"
    );
    assert!(stdout.contains("all passed"), "{stdout}");
    assert!(status.success());
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
