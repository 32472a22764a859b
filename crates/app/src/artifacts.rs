//! Job artifacts: runners upload them while their job runs and download those of the jobs
//! theirs depends on; users download and delete them; expired ones are removed in batches.
//! Shared pieces live here; each verb has its file.

mod delete;
mod download;
mod expire;
mod upload;

use chrono::{DateTime, Utc};
use paddock_domain::JobId;
use paddock_domain::job::artifact::{Artifact, ArtifactType};
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::*;
use paddock_ports::outbound::Outbound;
use paddock_ports::{RepoError, RepoResult};

use crate::Paddock;
use crate::runners::Ctx;

/// The artifacts of these jobs that have not expired, by job then type.
pub(crate) fn live_artifacts(ctx: &Ctx<'_>, jobs: &[JobId]) -> RepoResult<Vec<Artifact>> {
    let now = ctx.now();
    Ok(ctx
        .out
        .artifacts
        .artifacts_of(jobs)?
        .into_iter()
        .filter(|a| !a.is_expired(now))
        .collect())
}

/// Removes the files of artifacts whose records are gone (their job, pipeline or project was
/// deleted); a failure is logged, not returned: the records are gone already.
pub(crate) fn remove_files(out: &Outbound, artifacts: &[Artifact]) {
    for artifact in artifacts {
        if let Err(error) = out.artifact_store.remove(&artifact.store_key) {
            tracing::warn!(%error, job.id = artifact.job_id.0, "could not remove an artifact's file");
        }
    }
}

/// The job's archive with its content, unless it has none, it expired, or its file is gone.
fn open_archive(
    ctx: &Ctx<'_>,
    job: JobId,
    now: DateTime<Utc>,
) -> Result<Option<ArtifactFile>, ArtifactDownloadError> {
    let Some(artifact) = ctx
        .out
        .artifacts
        .artifact(job, ArtifactType::Archive)?
        .filter(|a| !a.is_expired(now))
    else {
        return Ok(None);
    };
    match ctx.out.artifact_store.open(&artifact.store_key)? {
        Some(content) => Ok(Some(ArtifactFile { artifact, content })),
        None => {
            tracing::warn!(
                job.id = job.0,
                "an artifact's file is missing from the store"
            );
            Ok(None)
        }
    }
}

impl ArtifactUseCases for Paddock {
    fn authorize_artifact_upload(&self, id: JobId, token: &PlainToken) -> Result<(), JobAuthError> {
        upload::authorize(&self.runner_ctx(), id, token)
    }

    fn receive_artifact(&self) -> Result<Box<dyn ArtifactReceiver>, ArtifactUploadError> {
        upload::receive(&self.runner_ctx())
    }

    fn upload_artifact(
        &self,
        id: JobId,
        upload: ArtifactUpload,
    ) -> Result<(), ArtifactUploadError> {
        upload::execute(&self.runner_ctx(), id, upload)
    }

    fn download_artifact(
        &self,
        id: JobId,
        token: &PlainToken,
    ) -> Result<ArtifactFile, ArtifactDownloadError> {
        download::for_runner(&self.runner_ctx(), id, token)
    }

    fn job_artifacts_file(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<ArtifactFile, FindError> {
        download::for_user(&self.runner_ctx(), actor, project, id)
    }

    fn delete_job_artifacts(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: JobId,
    ) -> Result<(), DeleteError> {
        delete::execute(&self.runner_ctx(), actor, project, id)
    }

    fn remove_expired_artifacts(&self, limit: usize) -> Result<usize, RepoError> {
        expire::execute(&self.runner_ctx(), limit)
    }
}
