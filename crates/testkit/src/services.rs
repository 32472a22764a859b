use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use paddock_domain::job::Commit;
use paddock_domain::token::{PlainToken, TOKEN_BODY_LEN, TokenKind};
use paddock_ports::outbound::{
    CipherError, Clock, GitError, GitRepository, ResolvedRef, SecretCipher, TokenGenerator,
};

/// A clock that stands still until told to move. Starts at 2026-01-01T00:00:00Z.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl Default for FixedClock {
    fn default() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        Self(Mutex::new(start))
    }
}

impl FixedClock {
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Tokens `<prefix>0000...0001`, `...0002`, ...: unique and predictable.
#[derive(Debug, Default)]
pub struct SequentialTokens(AtomicU64);

impl TokenGenerator for SequentialTokens {
    fn generate(&self, kind: TokenKind) -> PlainToken {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        PlainToken::compose(kind, &format!("{n:0width$}", width = TOKEN_BODY_LEN))
    }
}

/// A "cipher" that stores the text behind a marker: reversible, and detects foreign input.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainCipher;

const MARKER: &[u8] = b"sealed:";

impl SecretCipher for PlainCipher {
    fn seal(&self, plain: &PlainToken) -> Vec<u8> {
        [MARKER, plain.expose().as_bytes()].concat()
    }

    fn open(&self, sealed: &[u8]) -> Result<PlainToken, CipherError> {
        let text = sealed.strip_prefix(MARKER).ok_or(CipherError)?;
        let text = std::str::from_utf8(text).map_err(|_| CipherError)?;
        Ok(PlainToken::from_user(text))
    }
}

/// Git repositories in memory, by URL: their branches, tags and commits. A URL nobody added
/// behaves like an unreachable repository.
#[derive(Debug, Default)]
pub struct FakeGit(Mutex<HashMap<String, FakeRepository>>);

#[derive(Debug, Default)]
struct FakeRepository {
    branches: HashMap<String, String>,
    tags: HashMap<String, String>,
    commits: HashMap<String, Commit>,
}

impl FakeGit {
    fn edit(&self, url: &str, f: impl FnOnce(&mut FakeRepository)) {
        let mut repositories = self.0.lock().unwrap();
        f(repositories.entry(url.to_owned()).or_default());
    }

    fn read<T>(&self, url: &str, f: impl FnOnce(&FakeRepository) -> T) -> Result<T, GitError> {
        let repositories = self.0.lock().unwrap();
        match repositories.get(url) {
            Some(repository) => Ok(f(repository)),
            None => Err(GitError(format!(
                "cannot read repository {}",
                without_credentials(url)
            ))),
        }
    }

    /// Makes `url` a readable repository (with nothing in it yet).
    pub fn add_repository(&self, url: &str) {
        self.edit(url, |_| {});
    }

    /// Points the branch `name` of the repository at `url` to `sha`.
    pub fn add_branch(&self, url: &str, name: &str, sha: &str) {
        self.edit(url, |r| {
            r.branches.insert(name.to_owned(), sha.to_owned());
        });
    }

    /// Points the tag `name` of the repository at `url` to `sha`.
    pub fn add_tag(&self, url: &str, name: &str, sha: &str) {
        self.edit(url, |r| {
            r.tags.insert(name.to_owned(), sha.to_owned());
        });
    }

    /// Records what the repository at `url` says of the commit `sha`.
    pub fn add_commit(&self, url: &str, sha: &str, commit: Commit) {
        self.edit(url, |r| {
            r.commits.insert(sha.to_owned(), commit);
        });
    }
}

impl GitRepository for FakeGit {
    fn resolve_ref(&self, url: &str, ref_name: &str) -> Result<Option<ResolvedRef>, GitError> {
        self.read(url, |r| {
            let branch = r.branches.get(ref_name).map(|sha| ResolvedRef {
                sha: sha.clone(),
                tag: false,
            });
            branch.or_else(|| {
                r.tags.get(ref_name).map(|sha| ResolvedRef {
                    sha: sha.clone(),
                    tag: true,
                })
            })
        })
    }

    fn commit(&self, url: &str, sha: &str) -> Result<Option<Commit>, GitError> {
        self.read(url, |r| r.commits.get(sha).cloned())
    }
}

/// The URL without the `user:password@` of its authority (errors reach users).
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(title: &str) -> Commit {
        let at = FixedClock::default().now();
        Commit {
            title: title.to_owned(),
            message: format!("{title}\n"),
            parent_ids: vec!["p".repeat(40)],
            author_name: "Alice".to_owned(),
            author_email: "alice@example.com".to_owned(),
            authored_date: at,
            committer_name: "Bob".to_owned(),
            committer_email: "bob@example.com".to_owned(),
            committed_date: at,
        }
    }

    const URL: &str = "https://git.example.com/team/app.git";

    #[test]
    fn a_branch_wins_over_a_tag_of_the_same_name() {
        let git = FakeGit::default();
        git.add_tag(URL, "v1", "a".repeat(40).as_str());
        let tag = ResolvedRef {
            sha: "a".repeat(40),
            tag: true,
        };
        assert_eq!(git.resolve_ref(URL, "v1"), Ok(Some(tag)));
        assert_eq!(git.is_tag(URL, "v1"), Ok(Some(true)));
        git.add_branch(URL, "v1", "b".repeat(40).as_str());
        let branch = ResolvedRef {
            sha: "b".repeat(40),
            tag: false,
        };
        assert_eq!(git.resolve_ref(URL, "v1"), Ok(Some(branch)));
        assert_eq!(git.is_tag(URL, "v1"), Ok(Some(false)));
    }

    #[test]
    fn a_known_repository_without_the_ref_or_commit_answers_none() {
        let git = FakeGit::default();
        git.add_repository(URL);
        assert_eq!(git.resolve_ref(URL, "main"), Ok(None));
        assert_eq!(git.is_tag(URL, "main"), Ok(None));
        assert_eq!(git.commit(URL, &"c".repeat(40)), Ok(None));
        git.add_commit(URL, &"c".repeat(40), commit("Fix"));
        assert_eq!(git.commit(URL, &"c".repeat(40)), Ok(Some(commit("Fix"))));
    }

    #[test]
    fn an_unknown_repository_cannot_be_read_and_the_error_hides_credentials() {
        let git = FakeGit::default();
        git.add_branch(URL, "main", &"a".repeat(40));
        let error = git
            .resolve_ref("https://alice:s3cret@git.example.com/x.git", "main")
            .unwrap_err();
        assert_eq!(
            error,
            GitError("cannot read repository https://git.example.com/x.git".to_owned())
        );
        assert_eq!(
            git.commit("/srv/git/none.git", "abc"),
            Err(GitError(
                "cannot read repository /srv/git/none.git".to_owned()
            ))
        );
        assert!(git.is_tag("file:///nowhere", "main").is_err());
    }
}
