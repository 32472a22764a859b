//! The measured processes: the `paddock` binary and the bare actix-web route, each a child
//! process on a free port; their CPU time and resident memory from `/proc`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Fallible;

/// A child process serving HTTP on `base`.
#[derive(Debug)]
pub struct Served {
    child: Child,
    pub base: String,
    /// From spawning to the first successful readiness answer.
    pub ready_in: Duration,
}

impl Served {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU seconds (user + system) the process has used so far.
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds(&format!("/proc/{}/stat", self.pid()))
    }

    /// Resident memory in bytes (`VmRSS`).
    pub fn rss_bytes(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map_or(0, |kb| kb * 1024)
    }

    /// SIGTERM, then wait.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// CPU seconds of the bench process itself (the load generator).
pub fn own_cpu_seconds() -> f64 {
    cpu_seconds("/proc/self/stat")
}

/// utime + stime of a `/proc/<pid>/stat` file, in seconds.
fn cpu_seconds(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // The command name may hold spaces: the fields after it start past the last ')'.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / clock_ticks()
}

fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Fallible<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Spawns `command` (serving on `port`, output to `log`) and waits for `GET /-/readiness`.
pub fn spawn(mut command: Command, port: u16, log: &Path) -> Fallible<Served> {
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    let begun = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()?;
    let mut served = Served {
        child,
        base: format!("http://127.0.0.1:{port}"),
        ready_in: Duration::ZERO,
    };
    let url = format!("{}/-/readiness", served.base);
    let deadline = begun + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = served.child.try_wait() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("the server exited with {status} before serving:\n{text}").into());
        }
        if ready(&url) {
            served.ready_in = begun.elapsed();
            return Ok(served);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Err(format!("{url} did not answer within 60 s").into())
}

/// One `GET` over a fresh connection; true on 200.
fn ready(url: &str) -> bool {
    use std::io::{Read, Write};
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return false;
    };
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// The `paddock` binary of the profile this bench was built with (`target/<profile>/paddock`),
/// built with cargo when it is missing.
pub fn paddock_binary() -> Fallible<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe.parent().ok_or("no profile directory")?.to_path_buf();
    let binary = profile_dir.join("paddock");
    if binary.exists() {
        return Ok(binary);
    }
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let target_dir = profile_dir.parent().ok_or("no target directory")?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "-p",
            "paddock-server",
            "--bin",
            "paddock",
            "--target-dir",
        ])
        .arg(target_dir);
    if release {
        command.arg("--release");
    }
    eprintln!("building {}", binary.display());
    if !command.status()?.success() {
        return Err("building the paddock binary failed".into());
    }
    Ok(binary)
}

/// Whether this bench (and so the paddock beside it) is a release build.
pub fn is_release() -> bool {
    !cfg!(debug_assertions)
}
