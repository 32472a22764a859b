#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The `paddock` binary's run contract (DESIGN.md §2): subcommands, flags and variables,
//! bootstrap files, health endpoints, graceful shutdown and one-line configuration errors.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use paddock_tests::binary::{self, Process, free_port};
use paddock_tests::reqwest::blocking::Client;
use paddock_tests::serde_json::{Value, json};

fn get_user(base: &str, token: &str) -> paddock_tests::serde_json::Value {
    let response = Client::new()
        .get(format!("{base}/api/v4/user"))
        .header("PRIVATE-TOKEN", token)
        .send()
        .expect("answered");
    assert_eq!(response.status(), 200);
    response.json().expect("JSON")
}

#[test]
fn help_and_version_exit_zero() {
    let output = binary::command().arg("--help").output().expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("serve") && help.contains("migrate"), "{help}");
    let output = binary::command()
        .args(["serve", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--external-url",
        "--long-poll-timeout",
        "--log-format",
        "--runner-token-expiration-interval",
        "--max-request-body",
        "--max-artifact-size",
        "--max-trace-size",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
    let output = binary::command().arg("--version").output().expect("runs");
    assert!(output.status.success());
}

#[test]
fn first_start_with_no_configuration_bootstraps_into_0600_files() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut command = binary::command();
    // No --data-dir and no --database-url: ./paddock-data and SQLite.
    command
        .current_dir(cwd.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    let process = Process::spawn(command, port);
    let data = cwd.path().join("paddock-data");
    assert!(data.join("paddock.db").is_file());
    for file in [
        "initial_root_token",
        "initial_registration_token",
        "secret_key",
    ] {
        let mode = std::fs::metadata(data.join(file))
            .expect(file)
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }
    let root_token = std::fs::read_to_string(data.join("initial_root_token")).expect("token");
    let registration =
        std::fs::read_to_string(data.join("initial_registration_token")).expect("token");
    assert!(root_token.trim().starts_with("glpat-"));
    assert!(registration.trim().starts_with("GR1348941"));
    let me = get_user(&process.base, root_token.trim());
    assert_eq!(me["username"], "root");
    assert_eq!(me["id"], 1);
    // A token in the query string is accepted and never logged.
    let response = Client::new()
        .get(format!(
            "{}/api/v4/user?private_token={}",
            process.base,
            root_token.trim()
        ))
        .send()
        .expect("answered");
    assert_eq!(response.status(), 200);
    // A runner's idle poll (204) is logged only at debug; a refused one is logged.
    let runner: Value = Client::new()
        .post(format!("{}/api/v4/runners", process.base))
        .json(&json!({"token": registration.trim()}))
        .send()
        .expect("answered")
        .json()
        .expect("a runner");
    let poll = |token: &str| {
        Client::new()
            .post(format!("{}/api/v4/jobs/request", process.base))
            .json(&json!({ "token": token }))
            .send()
            .expect("answered")
            .status()
    };
    assert_eq!(poll(runner["token"].as_str().expect("a token")), 204);
    assert_eq!(poll("glrt-unknown"), 403);
    let (status, log) = process.terminate();
    assert!(log.contains("/api/v4/user"), "requests are logged: {log}");
    let polls: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("/api/v4/jobs/request"))
        .collect();
    assert_eq!(polls.len(), 1, "only the refused poll is logged: {log}");
    assert!(polls[0].contains("403"), "{log}");
    assert!(
        !log.contains('\x1b'),
        "no colours in a log that is not a terminal: {log}"
    );
    assert!(status.success(), "exit {status}: {log}");
    assert!(
        !log.contains(root_token.trim()),
        "the token never reaches the log"
    );
    assert!(
        !log.contains(registration.trim()),
        "the token never reaches the log"
    );
    assert!(
        log.contains("initial_root_token"),
        "the log says where: {log}"
    );

    // A second start changes nothing and still accepts the same token.
    let port = free_port();
    let mut command = binary::command();
    command
        .current_dir(cwd.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    let process = Process::spawn(command, port);
    assert_eq!(get_user(&process.base, root_token.trim())["id"], 1);
    let again = std::fs::read_to_string(data.join("initial_root_token")).expect("token");
    assert_eq!(again, root_token);
    let (status, _) = process.terminate();
    assert!(status.success());
}

#[test]
fn tokens_from_the_environment_are_used_and_not_written() {
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut command = binary::command();
    command
        .env("PADDOCK_LISTEN", format!("127.0.0.1:{port}"))
        .env("PADDOCK_DATA_DIR", data.path())
        .env("PADDOCK_ROOT_TOKEN", "glpat-chosen-by-the-operator")
        .env("PADDOCK_REGISTRATION_TOKEN", "GR1348941chosen")
        .env("PADDOCK_SECRET_KEY", "00".repeat(32))
        .env("PADDOCK_EXTERNAL_URL", "https://ci.example.com/")
        .arg("serve");
    let process = Process::spawn(command, port);
    let me = get_user(&process.base, "glpat-chosen-by-the-operator");
    assert_eq!(
        me["web_url"], "https://ci.example.com/root",
        "the external URL is used"
    );
    assert!(!data.path().join("initial_root_token").exists());
    assert!(!data.path().join("initial_registration_token").exists());
    assert!(!data.path().join("secret_key").exists());
    let (status, _) = process.terminate();
    assert!(status.success());
}

#[test]
fn flags_win_over_variables() {
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut command = binary::command();
    command
        .env("PADDOCK_LISTEN", "127.0.0.1:1")
        .env("PADDOCK_DATA_DIR", data.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    let process = Process::spawn(command, port);
    let (status, _) = process.terminate();
    assert!(status.success());
}

#[test]
fn sigterm_finishes_and_exits_zero() {
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut command = binary::command();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(data.path());
    let process = Process::spawn(command, port);
    let (status, log) = process.terminate();
    assert!(status.success(), "exit {status}");
    let last = log
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let last: paddock_tests::serde_json::Value =
        paddock_tests::serde_json::from_str(last).expect("JSON log lines");
    assert_eq!(last["message"], "stopped");
}

#[test]
fn migrate_applies_then_reports_up_to_date() {
    let data = tempfile::tempdir().expect("tempdir");
    let output = binary::command()
        .arg("migrate")
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("applied"), "{stdout}");
    let output = binary::command()
        .arg("migrate")
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
}

#[test]
fn bad_configuration_exits_with_one_line_naming_the_setting() {
    let data = tempfile::tempdir().expect("tempdir");
    let file = data.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let dir = data.path().to_str().expect("utf-8");
    let unwritable = file.join("sub");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--data-dir",
                dir,
                "--database-url",
                "mysql://root@localhost/x",
            ],
            "--database-url (PADDOCK_DATABASE_URL)",
        ),
        (
            vec![
                "--data-dir",
                dir,
                "--database-url",
                "postgres://nobody@127.0.0.1:1/none",
            ],
            "--database-url (PADDOCK_DATABASE_URL)",
        ),
        (
            vec!["--data-dir", unwritable.to_str().expect("utf-8")],
            "--data-dir (PADDOCK_DATA_DIR)",
        ),
        (
            vec!["--data-dir", dir, "--listen", "not-an-address"],
            "--listen (PADDOCK_LISTEN)",
        ),
        (
            vec!["--data-dir", dir, "--long-poll-timeout", "soon"],
            "--long-poll-timeout (PADDOCK_LONG_POLL_TIMEOUT)",
        ),
    ];
    for (args, named) in cases {
        let output = binary::command()
            .arg("serve")
            .args(&args)
            .stdout(Stdio::null())
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(lines[0].contains(named), "{args:?}: {stderr}");
    }
    let output = binary::command()
        .args(["serve", "--data-dir", dir])
        .env("PADDOCK_SECRET_KEY", "short")
        .env("PADDOCK_LISTEN", "127.0.0.1:0")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("PADDOCK_SECRET_KEY"));
}

#[test]
fn postgres_is_selected_by_the_url_scheme() {
    let Some(database) = paddock_db::testing::postgres() else {
        return;
    };
    let data = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut command = binary::command();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database.url(),
            "--data-dir",
        ])
        .arg(data.path());
    let process = Process::spawn(command, port);
    let token = std::fs::read_to_string(data.path().join("initial_root_token")).expect("token");
    assert_eq!(get_user(&process.base, token.trim())["username"], "root");
    assert!(
        !data.path().join("paddock.db").exists(),
        "no SQLite file with PostgreSQL"
    );
    let (status, log) = process.terminate();
    assert!(status.success());
    assert!(log.contains("postgres"), "{log}");
}

#[test]
fn no_token_of_any_kind_reaches_the_log() {
    let data = tempfile::tempdir().expect("tempdir");
    let process = binary::serve(
        data.path(),
        None,
        &[
            ("RUST_LOG", "debug"),
            ("PADDOCK_ROOT_TOKEN", "glpat-secret-root-token"),
            ("PADDOCK_REGISTRATION_TOKEN", "GR1348941secretregistration"),
        ],
    );
    let client = Client::new();
    let api = format!("{}/api/v4", process.base);
    let registered: paddock_tests::serde_json::Value = client
        .post(format!("{api}/runners"))
        .form(&[
            ("token", "GR1348941secretregistration"),
            ("description", "r"),
        ])
        .send()
        .expect("answered")
        .json()
        .expect("JSON");
    let runner_token = registered["token"].as_str().expect("a token").to_owned();
    let verify = client
        .post(format!("{api}/runners/verify?token={runner_token}"))
        .send()
        .expect("answered");
    assert_eq!(verify.status(), 200);
    for path in ["/runners/all", "/runners/1", "/projects"] {
        let response = client
            .get(format!("{api}{path}?private_token=glpat-secret-root-token"))
            .send()
            .expect("answered");
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            !response.text().unwrap_or_default().contains(&runner_token),
            "{path} lists no token"
        );
    }
    // Failures are logged too, still without the tokens.
    let wrong = client
        .post(format!("{api}/runners"))
        .json(&paddock_tests::serde_json::json!({"token": "GR1348941wrongsecret"}))
        .send()
        .expect("answered");
    assert_eq!(wrong.status(), 403);
    let deleted = client
        .delete(format!("{api}/runners"))
        .json(&paddock_tests::serde_json::json!({"token": runner_token}))
        .send()
        .expect("answered");
    assert_eq!(deleted.status(), 204);
    let (status, log) = process.terminate();
    assert!(status.success());
    assert!(
        log.contains("runner registered"),
        "the log is not empty: {log}"
    );
    for secret in [
        "glpat-secret-root-token",
        "GR1348941secretregistration",
        "GR1348941wrongsecret",
        runner_token.as_str(),
        "glrt-",
    ] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
}
