#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Conformance: the real `paddock` binary driven by python-gitlab and the `gitlab` CLI
//! (pinned in `tests/python/requirements.txt`, installed into a local virtualenv), on SQLite
//! and on PostgreSQL.

use std::process::Command;

use paddock_tests::binary::{self, Process, free_port};
use paddock_tests::{python, workspace_root};

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
        .env("PADDOCK_ROOT_TOKEN", "glpat-conformance-root-token");
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let process = Process::spawn(command, port);
    let output = Command::new(python::python())
        .arg(workspace_root().join("tests/python/python_gitlab_conformance.py"))
        .env("PADDOCK_URL", &process.base)
        .env("PADDOCK_TOKEN", "glpat-conformance-root-token")
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (status, log) = process.terminate();
    assert!(
        output.status.success(),
        "python-gitlab conformance failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server log\n{log}"
    );
    assert!(stdout.contains("all passed"), "{stdout}");
    assert!(status.success());
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
