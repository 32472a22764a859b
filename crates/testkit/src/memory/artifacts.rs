//! Job artifacts in memory: one per job and type, going with their job.

use chrono::{DateTime, Utc};
use paddock_domain::job::artifact::{Artifact, ArtifactType};
use paddock_domain::{JobId, ProjectId};
use paddock_ports::RepoResult;
use paddock_ports::outbound::ArtifactRepository;

use super::{MemoryStore, State, conflict};

impl State {
    /// Artifacts go with their job (`ON DELETE CASCADE`).
    pub(super) fn remove_orphaned_artifacts(&mut self) {
        let jobs = &self.jobs;
        self.artifacts
            .retain(|a| jobs.iter().any(|j| j.job.id == a.job_id));
    }
}

fn sorted(mut found: Vec<Artifact>) -> Vec<Artifact> {
    found.sort_by(|a, b| {
        (a.job_id, a.artifact_type.as_str()).cmp(&(b.job_id, b.artifact_type.as_str()))
    });
    found
}

impl ArtifactRepository for MemoryStore {
    fn create_artifact(&self, artifact: &Artifact) -> RepoResult<()> {
        self.with(|s| {
            if !s.jobs.iter().any(|j| j.job.id == artifact.job_id) {
                return conflict("reference");
            }
            if s.artifacts
                .iter()
                .any(|a| a.job_id == artifact.job_id && a.artifact_type == artifact.artifact_type)
            {
                return conflict("artifact_type");
            }
            s.artifacts.push(artifact.clone());
            Ok(())
        })
    }

    fn artifact(&self, job: JobId, artifact_type: ArtifactType) -> RepoResult<Option<Artifact>> {
        Ok(self.with(|s| {
            s.artifacts
                .iter()
                .find(|a| a.job_id == job && a.artifact_type == artifact_type)
                .cloned()
        }))
    }

    fn artifacts_of(&self, jobs: &[JobId]) -> RepoResult<Vec<Artifact>> {
        Ok(self.with(|s| {
            sorted(
                s.artifacts
                    .iter()
                    .filter(|a| jobs.contains(&a.job_id))
                    .cloned()
                    .collect(),
            )
        }))
    }

    fn project_artifacts(&self, project: ProjectId) -> RepoResult<Vec<Artifact>> {
        Ok(self.with(|s| {
            let jobs: Vec<JobId> = s
                .jobs
                .iter()
                .filter(|j| j.job.project_id == project)
                .map(|j| j.job.id)
                .collect();
            sorted(
                s.artifacts
                    .iter()
                    .filter(|a| jobs.contains(&a.job_id))
                    .cloned()
                    .collect(),
            )
        }))
    }

    fn delete_artifacts(&self, job: JobId) -> RepoResult<Vec<Artifact>> {
        Ok(self.with(|s| {
            let (gone, kept) = std::mem::take(&mut s.artifacts)
                .into_iter()
                .partition(|a| a.job_id == job);
            s.artifacts = kept;
            sorted(gone)
        }))
    }

    fn expired_artifacts(&self, now: DateTime<Utc>, limit: usize) -> RepoResult<Vec<Artifact>> {
        Ok(self.with(|s| {
            let mut found: Vec<Artifact> = sorted(
                s.artifacts
                    .iter()
                    .filter(|a| a.expire_at.is_some_and(|at| at <= now))
                    .cloned()
                    .collect(),
            );
            found.sort_by_key(|a| a.expire_at);
            found.truncate(limit);
            found
        }))
    }

    fn delete_artifact(
        &self,
        job: JobId,
        artifact_type: ArtifactType,
        store_key: &str,
    ) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.artifacts.len();
            s.artifacts.retain(|a| {
                !(a.job_id == job && a.artifact_type == artifact_type && a.store_key == store_key)
            });
            s.artifacts.len() != before
        }))
    }
}
