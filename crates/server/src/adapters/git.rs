//! Reading project repositories with the `git` command: `git ls-remote` resolves branches and
//! tags of any repository git can reach; commit details are read from repositories on this
//! machine (a path or a `file://` URL) only, since reading a remote one would mean fetching it.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use paddock_domain::job::Commit;
use paddock_ports::outbound::{GitError, GitRepository, ResolvedRef};

/// How long one git command may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `git` command line.
#[derive(Debug, Clone, Default)]
pub struct GitCli;

/// The URL without any user name or password, for messages.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) if !host.contains('/') || rest.find('@') < rest.find('/') => {
                format!("{scheme}://{host}")
            }
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// A repository on this machine, if the URL names one.
fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(path) = url.strip_prefix("file://") {
        return Some(PathBuf::from(path));
    }
    if url.contains("://") || url.contains('@') && url.contains(':') {
        return None;
    }
    Some(PathBuf::from(url))
}

/// Runs git with `args`; its standard output, or its first line of error. Only the network
/// protocols a repository URL should use are allowed (no `ext::` helpers), nothing prompts for
/// credentials, and the system's git configuration is ignored.
fn git(args: &[&str], url: &str) -> Result<String, GitError> {
    let mut child = Command::new("git")
        .args([
            "-c",
            "protocol.allow=never",
            "-c",
            "protocol.file.allow=always",
            "-c",
            "protocol.git.allow=always",
            "-c",
            "protocol.http.allow=always",
            "-c",
            "protocol.https.allow=always",
            "-c",
            "protocol.ssh.allow=always",
        ])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROTOCOL_FROM_USER", "0")
        .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    // Read both pipes while git runs, so that a large output cannot block it.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError(format!(
                    "git did not answer within {}s for {}",
                    TIMEOUT.as_secs(),
                    redact(url)
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(GitError(format!("git failed: {e}"))),
        }
    };
    let out = stdout.map(collect).unwrap_or_default();
    if status.success() {
        return Ok(out);
    }
    let err = stderr.map(collect).unwrap_or_default();
    let first = err
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("git failed");
    Err(GitError(first.replace(url, &redact(url))))
}

/// Reads a pipe to its end on a thread of its own.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn collect(reader: std::thread::JoinHandle<String>) -> String {
    reader.join().unwrap_or_default()
}

fn check_url(url: &str) -> Result<(), GitError> {
    if url.is_empty() || url.starts_with('-') {
        return Err(GitError("the repository URL is not usable".into()));
    }
    Ok(())
}

fn is_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.contains("..")
        && !name
            .chars()
            .any(|c| c.is_control() || " ~^:?*[\\".contains(c))
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl GitRepository for GitCli {
    fn resolve_ref(&self, url: &str, ref_name: &str) -> Result<Option<ResolvedRef>, GitError> {
        check_url(url)?;
        if !is_ref_name(ref_name) {
            return Ok(None);
        }
        let heads = format!("refs/heads/{ref_name}");
        let tags = format!("refs/tags/{ref_name}");
        let peeled = format!("refs/tags/{ref_name}^{{}}");
        let out = git(&["ls-remote", url, &heads, &tags], url)?;
        let mut branch = None;
        let mut tag = None;
        let mut tag_commit = None;
        for line in out.lines() {
            let Some((sha, name)) = line.split_once('\t') else {
                continue;
            };
            if name == heads {
                branch = Some(sha.to_owned());
            } else if name == tags {
                tag = Some(sha.to_owned());
            } else if name == peeled {
                tag_commit = Some(sha.to_owned());
            }
        }
        Ok(match (branch, tag_commit.or(tag)) {
            (Some(sha), _) => Some(ResolvedRef { sha, tag: false }),
            (None, Some(sha)) => Some(ResolvedRef { sha, tag: true }),
            (None, None) => None,
        })
    }

    fn commit(&self, url: &str, sha: &str) -> Result<Option<Commit>, GitError> {
        check_url(url)?;
        let Some(path) = local_path(url) else {
            return Ok(None);
        };
        if !sha.bytes().all(|b| b.is_ascii_hexdigit()) || !path.exists() {
            return Ok(None);
        }
        let dir = path.to_string_lossy().into_owned();
        let format = "--format=%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%s%x00%B";
        let out = match git(&["-C", &dir, "log", "-1", format, sha, "--"], url) {
            Ok(out) => out,
            // No such commit in this repository.
            Err(_) => return Ok(None),
        };
        let fields: Vec<&str> = out.splitn(9, '\0').collect();
        let [parents, an, ae, ad, cn, ce, cd, title, message] = fields.as_slice() else {
            return Ok(None);
        };
        let (Some(authored), Some(committed)) = (parse_time(ad), parse_time(cd)) else {
            return Ok(None);
        };
        Ok(Some(Commit {
            title: (*title).to_owned(),
            message: message.trim_end_matches('\n').to_owned(),
            parent_ids: parents.split_whitespace().map(str::to_owned).collect(),
            author_name: (*an).to_owned(),
            author_email: (*ae).to_owned(),
            authored_date: authored,
            committer_name: (*cn).to_owned(),
            committer_email: (*ce).to_owned(),
            committed_date: committed,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_in_messages() {
        assert_eq!(
            redact("https://user:secret@example.com/repo.git"),
            "https://example.com/repo.git"
        );
        assert_eq!(redact("/srv/git/repo.git"), "/srv/git/repo.git");
    }

    #[test]
    fn local_repositories() {
        assert_eq!(
            local_path("file:///srv/r.git"),
            Some(PathBuf::from("/srv/r.git"))
        );
        assert_eq!(local_path("/srv/r.git"), Some(PathBuf::from("/srv/r.git")));
        assert_eq!(local_path("https://example.com/r.git"), None);
        assert_eq!(local_path("git@example.com:r.git"), None);
    }

    #[test]
    fn ref_names() {
        assert!(is_ref_name("main"));
        assert!(is_ref_name("release/1.0"));
        assert!(!is_ref_name("--upload-pack=x"));
        assert!(!is_ref_name("a..b"));
        assert!(!is_ref_name("a b"));
    }
}
