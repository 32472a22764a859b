use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use paddock_domain::job::artifact::{Artifact, ArtifactType};
use paddock_domain::{JobId, ProjectId};

use super::RepoResult;

/// What the database knows of a job's artifacts (the files are in the [`ArtifactStore`]).
/// One artifact per job and type.
pub trait ArtifactRepository: Send + Sync {
    /// Conflict `artifact_type` when the job has one of that type already; conflict
    /// `reference` when there is no such job.
    fn create_artifact(&self, artifact: &Artifact) -> RepoResult<()>;
    fn artifact(&self, job: JobId, artifact_type: ArtifactType) -> RepoResult<Option<Artifact>>;
    /// The artifacts of these jobs (expired ones included), by job then type.
    fn artifacts_of(&self, jobs: &[JobId]) -> RepoResult<Vec<Artifact>>;
    /// Every artifact of a project's jobs (expired ones included), by job then type.
    fn project_artifacts(&self, project: ProjectId) -> RepoResult<Vec<Artifact>>;
    /// Removes every artifact of a job; returns what was removed.
    fn delete_artifacts(&self, job: JobId) -> RepoResult<Vec<Artifact>>;
    /// At most `limit` artifacts that expire at or before `now`, soonest first.
    fn expired_artifacts(&self, now: DateTime<Utc>, limit: usize) -> RepoResult<Vec<Artifact>>;
    /// Removes one artifact if it is still the one with this store key; `false` otherwise.
    fn delete_artifact(
        &self,
        job: JobId,
        artifact_type: ArtifactType,
        store_key: &str,
    ) -> RepoResult<bool>;
}

/// A failure of the artifact store; the text is for the log, never for a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("artifact store: {0}")]
pub struct StoreError(pub String);

impl From<std::io::Error> for StoreError {
    fn from(error: std::io::Error) -> Self {
        StoreError(error.to_string())
    }
}

/// Where artifact files are kept (a directory, object storage). Files are written once,
/// whole, and are visible only once kept.
pub trait ArtifactStore: Send + Sync {
    /// A new, empty file that nobody can read until it is kept; dropping it unkept removes it.
    fn create(&self) -> Result<Box<dyn NewArtifactFile>, StoreError>;
    /// The file kept under `key`; `None` when there is none.
    fn open(&self, key: &str) -> Result<Option<Box<dyn Read + Send>>, StoreError>;
    /// Removes the file kept under `key`; `false` when there was none.
    fn remove(&self, key: &str) -> Result<bool, StoreError>;
}

/// A file being written to an [`ArtifactStore`].
pub trait NewArtifactFile: Write + Send {
    /// Makes the file permanent, whole, under a new key, and returns the key.
    fn keep(self: Box<Self>) -> Result<String, StoreError>;
}
