//! The artifact repository: what is known of the files jobs uploaded (the files themselves are
//! in the artifact store).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use paddock_domain::job::artifact::{Artifact, ArtifactFormat, ArtifactType};
use paddock_domain::{JobId, ProjectId};
use paddock_ports::RepoResult;
use paddock_ports::outbound::ArtifactRepository;

use super::{DbStore, TxError};
use crate::models::{all, corrupt, naive, utc};
use crate::schema::{job_artifacts, jobs};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = job_artifacts)]
struct ArtifactRow {
    job_id: i64,
    artifact_type: String,
    artifact_format: String,
    filename: String,
    size: i64,
    sha256: String,
    expire_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    store_key: String,
}

impl ArtifactRow {
    fn of(a: &Artifact) -> Self {
        Self {
            job_id: a.job_id.0,
            artifact_type: a.artifact_type.as_str().to_owned(),
            artifact_format: a.format.as_str().to_owned(),
            filename: a.filename.clone(),
            size: i64::try_from(a.size).unwrap_or(i64::MAX),
            sha256: a.sha256.clone(),
            expire_at: a.expire_at.map(naive),
            created_at: naive(a.created_at),
            store_key: a.store_key.clone(),
        }
    }

    fn into_domain(self) -> RepoResult<Artifact> {
        Ok(Artifact {
            job_id: JobId(self.job_id),
            artifact_type: ArtifactType::parse(&self.artifact_type)
                .ok_or_else(|| corrupt("artifact type", &self.artifact_type))?,
            format: ArtifactFormat::parse(&self.artifact_format)
                .ok_or_else(|| corrupt("artifact format", &self.artifact_format))?,
            filename: self.filename,
            size: u64::try_from(self.size).map_err(|_| corrupt("artifact size", self.size))?,
            sha256: self.sha256,
            expire_at: self.expire_at.map(utc),
            created_at: utc(self.created_at),
            store_key: self.store_key,
        })
    }
}

impl ArtifactRepository for DbStore {
    fn create_artifact(&self, artifact: &Artifact) -> RepoResult<()> {
        self.run(|conn| {
            diesel::insert_into(job_artifacts::table)
                .values(ArtifactRow::of(artifact))
                .execute(conn)
        })?;
        Ok(())
    }

    fn artifact(&self, job: JobId, artifact_type: ArtifactType) -> RepoResult<Option<Artifact>> {
        self.run(|conn| {
            job_artifacts::table
                .find((job.0, artifact_type.as_str()))
                .select(ArtifactRow::as_select())
                .first(conn)
                .optional()
        })?
        .map(ArtifactRow::into_domain)
        .transpose()
    }

    fn artifacts_of(&self, jobs: &[JobId]) -> RepoResult<Vec<Artifact>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = jobs.iter().map(|j| j.0).collect();
        let rows: Vec<ArtifactRow> = self.run(|conn| {
            job_artifacts::table
                .filter(job_artifacts::job_id.eq_any(ids))
                .order((job_artifacts::job_id, job_artifacts::artifact_type))
                .select(ArtifactRow::as_select())
                .load(conn)
        })?;
        all(rows, ArtifactRow::into_domain)
    }

    fn project_artifacts(&self, project: ProjectId) -> RepoResult<Vec<Artifact>> {
        let rows: Vec<ArtifactRow> = self.run(|conn| {
            job_artifacts::table
                .inner_join(jobs::table)
                .filter(jobs::project_id.eq(project.0))
                .order((job_artifacts::job_id, job_artifacts::artifact_type))
                .select(ArtifactRow::as_select())
                .load(conn)
        })?;
        all(rows, ArtifactRow::into_domain)
    }

    fn delete_artifacts(&self, job: JobId) -> RepoResult<Vec<Artifact>> {
        let rows: Vec<ArtifactRow> = self.write(|conn| {
            let of_job = job_artifacts::table.filter(job_artifacts::job_id.eq(job.0));
            let rows: Vec<ArtifactRow> = of_job
                .order(job_artifacts::artifact_type)
                .select(ArtifactRow::as_select())
                .load(conn)?;
            diesel::delete(of_job).execute(conn)?;
            Ok::<_, TxError>(rows)
        })?;
        all(rows, ArtifactRow::into_domain)
    }

    fn expired_artifacts(&self, now: DateTime<Utc>, limit: usize) -> RepoResult<Vec<Artifact>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<ArtifactRow> = self.run(|conn| {
            job_artifacts::table
                .filter(job_artifacts::expire_at.le(naive(now)))
                .order((
                    job_artifacts::expire_at,
                    job_artifacts::job_id,
                    job_artifacts::artifact_type,
                ))
                .limit(limit)
                .select(ArtifactRow::as_select())
                .load(conn)
        })?;
        all(rows, ArtifactRow::into_domain)
    }

    fn delete_artifact(
        &self,
        job: JobId,
        artifact_type: ArtifactType,
        store_key: &str,
    ) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::delete(
                job_artifacts::table
                    .find((job.0, artifact_type.as_str()))
                    .filter(job_artifacts::store_key.eq(store_key)),
            )
            .execute(conn)
        })?;
        Ok(n > 0)
    }
}
