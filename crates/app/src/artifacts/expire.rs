//! Removing expired artifacts, a bounded batch at a time: the record first (so nobody is
//! offered a file about to go), then the file.

use paddock_ports::RepoResult;

use crate::runners::Ctx;

pub fn execute(ctx: &Ctx<'_>, limit: usize) -> RepoResult<usize> {
    let mut removed = 0;
    for artifact in ctx.out.artifacts.expired_artifacts(ctx.now(), limit)? {
        let deleted = ctx.out.artifacts.delete_artifact(
            artifact.job_id,
            artifact.artifact_type,
            &artifact.store_key,
        )?;
        if !deleted {
            // Deleted or replaced meanwhile: its file is someone else's business.
            continue;
        }
        removed += 1;
        if let Err(error) = ctx.out.artifact_store.remove(&artifact.store_key) {
            tracing::warn!(%error, job.id = artifact.job_id.0, "could not remove an expired artifact's file");
        }
    }
    Ok(removed)
}
