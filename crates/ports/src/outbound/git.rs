use paddock_domain::job::Commit;

/// A branch or tag resolved in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRef {
    pub sha: String,
    /// Whether the name is a tag (a branch otherwise).
    pub tag: bool,
}

/// The repository could not be read; the text says why, for the user (it holds no secret:
/// credentials in the URL are removed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GitError(pub String);

/// Reading the git repositories of projects (`repository_url`).
pub trait GitRepository: Send + Sync {
    /// The commit a branch or tag names; `None` when the repository has no such ref. A
    /// branch wins over a tag of the same name.
    fn resolve_ref(&self, url: &str, ref_name: &str) -> Result<Option<ResolvedRef>, GitError>;
    /// Whether `ref_name` is a tag in the repository (`None`: the repository cannot tell).
    fn is_tag(&self, url: &str, ref_name: &str) -> Result<Option<bool>, GitError> {
        Ok(self.resolve_ref(url, ref_name)?.map(|r| r.tag))
    }
    /// What the repository says of a commit; `None` when it cannot be read without fetching
    /// (a remote repository) or has no such commit.
    fn commit(&self, url: &str, sha: &str) -> Result<Option<Commit>, GitError>;
}
