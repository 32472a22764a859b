use std::io::Read;

use paddock_domain::JobId;
use paddock_domain::job::artifact::{Artifact, ArtifactFormat, ArtifactType, ExpireIn};
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;

use super::{DeleteError, FindError, JobAuthError, ProjectRef};
use crate::RepoError;
use crate::outbound::{NewArtifactFile, StoreError};

/// Receives an upload's file piece by piece as it arrives, never whole in memory.
pub trait ArtifactReceiver: Send {
    /// Appends to the file; [`ArtifactUploadError::TooLarge`] as soon as it grows past the
    /// largest artifact allowed (the partial file is then dropped).
    fn write(&mut self, chunk: &[u8]) -> Result<(), ArtifactUploadError>;
    /// The whole file, with the name the client sent.
    fn finish(self: Box<Self>, filename: Option<String>) -> ReceivedFile;
}

/// A file received whole, not yet kept: dropping it removes it.
pub struct ReceivedFile {
    pub file: Box<dyn NewArtifactFile>,
    /// As the client sent it.
    pub filename: Option<String>,
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

impl std::fmt::Debug for ReceivedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceivedFile")
            .field("filename", &self.filename)
            .field("size", &self.size)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

/// `POST /jobs/:id/artifacts`.
#[derive(Debug)]
pub struct ArtifactUpload {
    pub token: PlainToken,
    pub artifact_type: ArtifactType,
    pub format: ArtifactFormat,
    /// `None`: never expires (Paddock has no instance default).
    pub expire_in: Option<ExpireIn>,
    pub file: ReceivedFile,
}

/// An upload refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactUploadError {
    /// 403, as `PUT /jobs/:id` refuses.
    #[error(transparent)]
    Auth(#[from] JobAuthError),
    /// 413: larger than the largest artifact allowed.
    #[error("artifact too large")]
    TooLarge,
    /// 400: the format is not the one of the type (`archive` is `zip`, `junit` is `gzip`...).
    #[error("invalid format for the type")]
    InvalidFormat,
    /// 400: the job has an artifact of the type already, with other content.
    #[error("another artifact of the same type already exists")]
    Exists,
    #[error("internal: {0}")]
    Internal(String),
}

impl From<RepoError> for ArtifactUploadError {
    fn from(error: RepoError) -> Self {
        ArtifactUploadError::Internal(error.to_string())
    }
}

impl From<StoreError> for ArtifactUploadError {
    fn from(error: StoreError) -> Self {
        ArtifactUploadError::Internal(error.to_string())
    }
}

/// An artifact and its content, to be streamed.
pub struct ArtifactFile {
    pub artifact: Artifact,
    pub content: Box<dyn Read + Send>,
}

impl std::fmt::Debug for ArtifactFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactFile")
            .field("artifact", &self.artifact)
            .finish_non_exhaustive()
    }
}

/// `GET /jobs/:id/artifacts` refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactDownloadError {
    /// 403: no such job, or a token that is neither the job's nor a dependent job's.
    #[error("forbidden")]
    Forbidden,
    /// 404: the job has no archive (or it expired).
    #[error("no artifacts")]
    NotFound,
    #[error("internal: {0}")]
    Internal(String),
}

impl From<RepoError> for ArtifactDownloadError {
    fn from(error: RepoError) -> Self {
        ArtifactDownloadError::Internal(error.to_string())
    }
}

impl From<StoreError> for ArtifactDownloadError {
    fn from(error: StoreError) -> Self {
        ArtifactDownloadError::Internal(error.to_string())
    }
}

/// Job artifacts: uploads and downloads by runners, downloads and deletion by users, expiry.
pub trait ArtifactUseCases {
    /// Checks, before an upload's body is read, that `token` may upload to the job (the same
    /// rule as `PUT /jobs/:id`).
    fn authorize_artifact_upload(&self, id: JobId, token: &PlainToken) -> Result<(), JobAuthError>;
    /// Where an upload's file goes while it arrives.
    fn receive_artifact(&self) -> Result<Box<dyn ArtifactReceiver>, ArtifactUploadError>;
    /// Keeps a received file as the job's artifact of its type. The same type twice with the
    /// same content is accepted and ignored.
    fn upload_artifact(&self, id: JobId, upload: ArtifactUpload)
    -> Result<(), ArtifactUploadError>;
    /// The job's archive, for the job's own token or the token of a job that depends on it.
    fn download_artifact(
        &self,
        id: JobId,
        token: &PlainToken,
    ) -> Result<ArtifactFile, ArtifactDownloadError>;
    /// `GET /projects/:id/jobs/:job_id/artifacts`, for those who may see the project's jobs.
    fn job_artifacts_file(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<ArtifactFile, FindError>;
    /// `DELETE /projects/:id/jobs/:job_id/artifacts`, for maintainers.
    fn delete_job_artifacts(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<(), DeleteError>;
    /// Removes at most `limit` expired artifacts (records and files); returns how many.
    fn remove_expired_artifacts(&self, limit: usize) -> Result<usize, RepoError>;
}
