//! The real `paddock` binary: built once per test run, spawned as a child process.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The path of `target/<profile>/paddock`, built (once per process) with the same cargo and
/// target directory as the tests.
pub fn path() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("the test executable");
            // target/<profile>/deps/<test> → target/<profile>
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("the profile directory")
                .to_path_buf();
            let target_dir = profile_dir
                .parent()
                .expect("the target directory")
                .to_path_buf();
            let release = profile_dir.file_name().is_some_and(|n| n == "release");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut command = Command::new(cargo);
            command
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "paddock-server",
                    "--bin",
                    "paddock",
                    "--target-dir",
                ])
                .arg(&target_dir)
                .current_dir(crate::workspace_root());
            if release {
                command.arg("--release");
            }
            let status = command.status().expect("cargo runs");
            assert!(status.success(), "building the paddock binary failed");
            profile_dir.join("paddock")
        })
        .clone()
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A `paddock` command with a clean environment (no inherited `PADDOCK_*` variables).
pub fn command() -> Command {
    let mut command = Command::new(path());
    for (key, _) in std::env::vars() {
        if key.starts_with("PADDOCK_") {
            command.env_remove(key);
        }
    }
    command
}

/// `paddock serve` on a free port with `data_dir`, on SQLite or the given database, with
/// extra environment variables; returns once it is ready.
pub fn serve(data_dir: &Path, database_url: Option<&str>, env: &[(&str, &str)]) -> Process {
    let port = free_port();
    let mut command = self::command();
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .envs(env.iter().copied());
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    Process::spawn(command, port)
}

/// A `paddock serve` child process.
pub struct Process {
    pub child: Child,
    pub base: String,
}

impl Process {
    /// Spawns the command (which must serve on `port`) and waits until `/-/readiness` answers.
    pub fn spawn(mut command: Command, port: u16) -> Self {
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("paddock starts");
        let base = format!("http://127.0.0.1:{port}");
        let mut process = Self { child, base };
        process.wait_ready();
        process
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::blocking::Client::new();
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                panic!("paddock exited with {status} before serving: {stderr}");
            }
            if client
                .get(format!("{}/-/readiness", self.base))
                .send()
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("paddock did not become ready within 30 s");
    }

    /// Sends SIGTERM and waits; returns the exit status and everything it logged.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().expect("paddock exits");
        let mut log = String::new();
        if let Some(err) = self.child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                log.push_str(&line);
                log.push('\n');
            }
        }
        (status, log)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
