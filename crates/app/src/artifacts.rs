//! Job artifacts: runners upload them while their job runs and download those of the jobs
//! theirs depends on; users download and delete them; expired ones are removed in batches.
//! Shared pieces live here; each verb has its file.

mod delete;
mod download;
mod expire;
mod upload;

use chrono::{DateTime, Utc};
use paddock_domain::JobId;
use paddock_domain::NamespaceId;
use paddock_domain::job::artifact::{Artifact, ArtifactType};
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::*;
use paddock_ports::outbound::{Audience, Outbound, ProjectFilter, ProjectOrder, Sort};
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

/// Removes the files of artifacts whose records are gone (their pipeline, project, group or
/// user was deleted); a failure is logged, not returned: the records are gone already.
pub(crate) fn remove_files(out: &Outbound, artifacts: &[Artifact]) {
    for artifact in artifacts {
        if let Err(error) = out.artifact_store.remove(&artifact.store_key) {
            tracing::warn!(%error, job.id = artifact.job_id.0, "could not remove an artifact's file");
        }
    }
}

/// Every artifact of the projects of a namespace (with `descendants`, of its subgroups' too),
/// read before the namespace is deleted so that the files can follow.
pub(crate) fn namespace_artifacts(
    out: &Outbound,
    namespace: NamespaceId,
    descendants: bool,
) -> RepoResult<Vec<Artifact>> {
    let filter = ProjectFilter {
        audience: Audience::Everything,
        namespace: Some((namespace, descendants)),
        search: None,
        visibility: None,
        member: None,
        order: ProjectOrder::Id,
        sort: Sort::Asc,
    };
    let mut found = Vec::new();
    let mut page = PageRequest::new(Some(1), Some(100));
    loop {
        let projects = out.projects.projects(&filter, page)?;
        for project in &projects.items {
            found.extend(out.artifacts.project_artifacts(project.id)?);
        }
        if (projects.items.len() as u64) < page.limit() {
            return Ok(found);
        }
        page = PageRequest::new(Some(i64::from(page.page()) + 1), Some(100));
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
