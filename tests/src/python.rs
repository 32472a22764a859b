//! A Python virtualenv with the pinned real clients (python-gitlab, later the runners),
//! created once under the target directory and reused while the pins do not change.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The pinned requirements, installed together.
pub const REQUIREMENTS: &str = include_str!("../python/requirements.txt");

/// The virtualenv's `python`, after making sure the requirements are installed.
pub fn python() -> PathBuf {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test executable");
        let target = exe
            .ancestors()
            .find(|p| p.file_name().is_some_and(|n| n == "target"))
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::workspace_root().join("target"));
        let venv = target.join("python-venv");
        let python = venv.join("bin").join("python");
        let marker = venv.join("requirements.installed");
        let installed = std::fs::read_to_string(&marker).unwrap_or_default();
        if !python.exists() || installed != REQUIREMENTS {
            let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
            let status = Command::new(&system)
                .args(["-m", "venv", "--clear"])
                .arg(&venv)
                .status()
                .expect("python3 runs");
            assert!(status.success(), "creating the virtualenv failed");
            let requirements = crate::workspace_root().join("tests/python/requirements.txt");
            let status = Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&requirements)
                .status()
                .expect("pip runs");
            assert!(
                status.success(),
                "installing the pinned Python clients failed"
            );
            std::fs::write(&marker, REQUIREMENTS).expect("write the marker");
        }
        python
    })
    .clone()
}

/// Runs a conformance script of `tests/python/` against a fresh `paddock serve` (on SQLite, or
/// the given database) started with `server_env`; the script gets `PADDOCK_URL` and
/// `script_env`. Panics with the script's output and the server's log unless the script ends
/// with "all passed" and the server stops cleanly. Returns the server's log.
pub fn conformance(
    script: &str,
    database_url: Option<&str>,
    server_env: &[(&str, &str)],
    script_env: &[(&str, &str)],
) -> String {
    let data = tempfile::tempdir().expect("tempdir");
    let process = crate::binary::serve(data.path(), database_url, server_env);
    let output = Command::new(python())
        .arg(crate::workspace_root().join("tests/python").join(script))
        .env("PADDOCK_URL", &process.base)
        .envs(script_env.iter().copied())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (status, log) = process.terminate();
    assert!(
        output.status.success() && stdout.contains("all passed"),
        "{script} failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server log\n{log}"
    );
    assert!(status.success(), "the server did not stop cleanly: {log}");
    log
}
