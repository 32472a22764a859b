//! `POST /jobs/:id/artifacts`: a runner uploads a file of the job it runs, with the job's
//! token. The file is streamed to the artifact store and kept only once the upload is valid.

use std::io::Write;

use paddock_domain::JobId;
use paddock_domain::job::artifact::{Artifact, ContentDigest, clean_filename};
use paddock_domain::token::PlainToken;
use paddock_ports::RepoError;
use paddock_ports::inbound::{
    ArtifactReceiver, ArtifactUpload, ArtifactUploadError, JobAuthError, ReceivedFile,
};
use paddock_ports::outbound::NewArtifactFile;

use crate::job_agent::running::processing_job;
use crate::runners::Ctx;

pub fn authorize(ctx: &Ctx<'_>, id: JobId, token: &PlainToken) -> Result<(), JobAuthError> {
    processing_job(ctx, id, token).map(|_| ())
}

/// A file arriving: counted against the limit and digested as it is written.
struct Receiver {
    file: Box<dyn NewArtifactFile>,
    digest: ContentDigest,
    size: u64,
    limit: u64,
}

impl ArtifactReceiver for Receiver {
    fn write(&mut self, chunk: &[u8]) -> Result<(), ArtifactUploadError> {
        self.size = self.size.saturating_add(chunk.len() as u64);
        if self.size > self.limit {
            return Err(ArtifactUploadError::TooLarge);
        }
        self.digest.update(chunk);
        self.file
            .write_all(chunk)
            .map_err(|e| ArtifactUploadError::Internal(format!("writing an artifact: {e}")))
    }

    fn finish(self: Box<Self>, filename: Option<String>) -> ReceivedFile {
        let Receiver {
            file, digest, size, ..
        } = *self;
        ReceivedFile {
            file,
            filename,
            size,
            sha256: digest.finish(),
        }
    }
}

pub fn receive(ctx: &Ctx<'_>) -> Result<Box<dyn ArtifactReceiver>, ArtifactUploadError> {
    Ok(Box::new(Receiver {
        file: ctx.out.artifact_store.create()?,
        digest: ContentDigest::default(),
        size: 0,
        limit: ctx.config.max_artifact_size,
    }))
}

/// What an upload of content `sha256` gets when the job has an artifact of its type: the
/// same content is accepted and ignored, other content refused.
fn against_existing(existing: &Artifact, sha256: &str) -> Result<(), ArtifactUploadError> {
    if existing.sha256 == sha256 {
        Ok(())
    } else {
        Err(ArtifactUploadError::Exists)
    }
}

pub fn execute(
    ctx: &Ctx<'_>,
    id: JobId,
    upload: ArtifactUpload,
) -> Result<(), ArtifactUploadError> {
    processing_job(ctx, id, &upload.token)?;
    let artifact_type = upload.artifact_type;
    if !artifact_type.accepts(upload.format) {
        return Err(ArtifactUploadError::InvalidFormat);
    }
    let received = upload.file;
    let now = ctx.now();
    if let Some(existing) = ctx.out.artifacts.artifact(id, artifact_type)? {
        if !existing.is_expired(now) {
            return against_existing(&existing, &received.sha256);
        }
        // An expired artifact is absent: the new upload replaces it.
        if ctx
            .out
            .artifacts
            .delete_artifact(id, artifact_type, &existing.store_key)?
        {
            crate::artifacts::remove_files(ctx.out, std::slice::from_ref(&existing));
        }
    }
    let filename = clean_filename(received.filename.as_deref(), artifact_type);
    let store_key = received.file.keep()?;
    let artifact = Artifact {
        job_id: id,
        artifact_type,
        format: upload.format,
        filename,
        size: received.size,
        sha256: received.sha256,
        expire_at: upload.expire_in.and_then(|e| e.expire_at(now)),
        created_at: now,
        store_key,
    };
    let created = ctx.out.artifacts.create_artifact(&artifact);
    if created.is_err()
        && let Err(error) = ctx.out.artifact_store.remove(&artifact.store_key)
    {
        tracing::warn!(%error, job.id = id.0, "could not remove the file of a refused artifact");
    }
    match created {
        Ok(()) => {
            tracing::info!(
                job.id = id.0,
                artifact.r#type = artifact_type.as_str(),
                artifact.size = artifact.size,
                "artifact stored"
            );
            Ok(())
        }
        // Another upload of the type won meanwhile.
        Err(RepoError::Conflict(rule)) if rule == "artifact_type" => {
            match ctx.out.artifacts.artifact(id, artifact_type)? {
                Some(existing) => against_existing(&existing, &artifact.sha256),
                None => Err(ArtifactUploadError::Exists),
            }
        }
        // The job went away meanwhile.
        Err(RepoError::Conflict(_)) => Err(JobAuthError::Forbidden.into()),
        Err(error) => Err(error.into()),
    }
}
