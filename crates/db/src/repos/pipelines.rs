//! The pipeline repository: pipelines created with their jobs in one transaction, numbered
//! per project, and their status written over the version it was computed from.

use diesel::prelude::*;
use paddock_domain::PipelineId;
use paddock_domain::ProjectId;
use paddock_domain::job::{Job, Pipeline};
use paddock_domain::pagination::PageRequest;
use paddock_ports::outbound::{
    NewPipeline, PipelineFilter, PipelineOrder, PipelineRepository, PipelineStatusUpdate, Sort,
};
use paddock_ports::{Page, RepoError, RepoResult};

use super::jobs::{JobInsert, load_jobs, queued_at};
use super::{Db, DbStore, TxError, offset_limit, total};
use crate::models::{PipelineRow, all, naive, to_json};
use crate::schema::{pipelines, projects};

fn filtered(project: ProjectId, filter: &PipelineFilter) -> pipelines::BoxedQuery<'static, Db> {
    let mut query = pipelines::table
        .into_boxed()
        .filter(pipelines::project_id.eq(project.0));
    if let Some(statuses) = &filter.statuses {
        let statuses: Vec<&'static str> = statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(pipelines::status.eq_any(statuses));
    }
    if let Some(ref_name) = &filter.ref_name {
        query = query.filter(pipelines::ref_name.eq(ref_name.clone()));
    }
    if let Some(sha) = &filter.sha {
        query = query.filter(pipelines::sha.eq(sha.clone()));
    }
    if let Some(source) = &filter.source {
        query = query.filter(pipelines::source.eq(source.clone()));
    }
    if let Some(user) = filter.user_id {
        query = query.filter(pipelines::user_id.eq(user.0));
    }
    if let Some(after) = filter.updated_after {
        query = query.filter(pipelines::updated_at.gt(naive(after)));
    }
    if let Some(before) = filter.updated_before {
        query = query.filter(pipelines::updated_at.lt(naive(before)));
    }
    query
}

fn ordered(
    query: pipelines::BoxedQuery<'static, Db>,
    order: PipelineOrder,
    sort: Sort,
) -> pipelines::BoxedQuery<'static, Db> {
    use pipelines::{id, ref_name, status, updated_at, user_id};
    match (order, sort) {
        (PipelineOrder::Id, Sort::Asc) => query.order(id.asc()),
        (PipelineOrder::Id, Sort::Desc) => query.order(id.desc()),
        (PipelineOrder::Status, Sort::Asc) => query.order((status.asc(), id.asc())),
        (PipelineOrder::Status, Sort::Desc) => query.order((status.desc(), id.desc())),
        (PipelineOrder::Ref, Sort::Asc) => query.order((ref_name.asc(), id.asc())),
        (PipelineOrder::Ref, Sort::Desc) => query.order((ref_name.desc(), id.desc())),
        (PipelineOrder::UpdatedAt, Sort::Asc) => query.order((updated_at.asc(), id.asc())),
        (PipelineOrder::UpdatedAt, Sort::Desc) => query.order((updated_at.desc(), id.desc())),
        // Pipelines without a user last, then first, as PostgreSQL sorts NULL (SQLite would
        // put them the other way round).
        (PipelineOrder::UserId, Sort::Asc) => {
            query.order((user_id.is_null().asc(), user_id.asc(), id.asc()))
        }
        (PipelineOrder::UserId, Sort::Desc) => {
            query.order((user_id.is_null().desc(), user_id.desc(), id.desc()))
        }
    }
}

impl PipelineRepository for DbStore {
    fn create_pipeline(&self, new: NewPipeline) -> RepoResult<(Pipeline, Vec<Job>)> {
        let variables = to_json("pipeline variables", &new.variables)?;
        let commit = new
            .commit
            .as_ref()
            .map(|commit| to_json("commit", commit))
            .transpose()?;
        let definitions = new
            .jobs
            .iter()
            .map(|job| to_json("job definition", &job.definition))
            .collect::<RepoResult<Vec<String>>>()?;
        let at = naive(new.created_at);
        let (row, jobs) = self.write(|conn| {
            // The next number, taken atomically: the update also locks the project's row
            // (PostgreSQL) until this transaction ends.
            let iid: i64 = diesel::update(projects::table.find(new.project_id.0))
                .set(projects::last_pipeline_iid.eq(projects::last_pipeline_iid + 1))
                .returning(projects::last_pipeline_iid)
                .get_result(conn)
                .optional()?
                .ok_or_else(|| RepoError::Conflict("reference".into()))?;
            let row: PipelineRow = diesel::insert_into(pipelines::table)
                .values((
                    pipelines::project_id.eq(new.project_id.0),
                    pipelines::iid.eq(iid),
                    pipelines::ref_name.eq(&new.ref_name),
                    pipelines::sha.eq(&new.sha),
                    pipelines::before_sha.eq(&new.before_sha),
                    pipelines::tag.eq(new.tag),
                    pipelines::protected.eq(new.protected),
                    pipelines::source.eq(&new.source),
                    pipelines::status.eq(new.status.as_str()),
                    pipelines::user_id.eq(new.user_id.map(|u| u.0)),
                    pipelines::variables.eq(&variables),
                    pipelines::commit_info.eq(&commit),
                    pipelines::created_at.eq(at),
                    pipelines::updated_at.eq(at),
                    pipelines::lock_version.eq(0_i64),
                ))
                .returning(PipelineRow::columns())
                .get_result(conn)?;
            let mut ids = Vec::with_capacity(new.jobs.len());
            for (job, definition) in new.jobs.iter().zip(&definitions) {
                let id = JobInsert {
                    pipeline_id: row.id,
                    project_id: new.project_id.0,
                    name: &job.name,
                    stage: &job.stage,
                    stage_index: job.stage_index,
                    status: job.status.as_str(),
                    run_when: job.when.as_str(),
                    allow_failure: job.allow_failure,
                    definition,
                    tag_count: 0,
                    protected: new.protected,
                    ref_name: &new.ref_name,
                    tag: new.tag,
                    sha: &new.sha,
                    user_id: new.user_id.map(|u| u.0),
                    created_at: at,
                    queued_at: queued_at(job.status, at),
                    updated_at: at,
                }
                .insert(conn, &job.tags)?;
                ids.push(id);
            }
            let jobs: Vec<Job> = load_jobs(conn, &ids)?;
            Ok::<_, TxError>((row, jobs))
        })?;
        Ok((row.into_domain()?, jobs))
    }

    fn pipeline(&self, id: PipelineId) -> RepoResult<Option<Pipeline>> {
        self.run(|conn| {
            pipelines::table
                .find(id.0)
                .select(PipelineRow::as_select())
                .first(conn)
                .optional()
        })?
        .map(PipelineRow::into_domain)
        .transpose()
    }

    fn pipelines(
        &self,
        project: ProjectId,
        filter: &PipelineFilter,
        page: PageRequest,
    ) -> RepoResult<Page<Pipeline>> {
        let (offset, limit) = offset_limit(page);
        let (count, rows) = self.run(|conn| {
            let count: i64 = filtered(project, filter).count().get_result(conn)?;
            let rows: Vec<PipelineRow> =
                ordered(filtered(project, filter), filter.order, filter.sort)
                    .offset(offset)
                    .limit(limit)
                    .select(PipelineRow::as_select())
                    .load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, PipelineRow::into_domain)?,
            total: total(count),
        })
    }

    fn update_pipeline_status(
        &self,
        id: PipelineId,
        lock_version: i64,
        update: &PipelineStatusUpdate,
    ) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::update(
                pipelines::table
                    .filter(pipelines::id.eq(id.0))
                    .filter(pipelines::lock_version.eq(lock_version)),
            )
            .set((
                pipelines::status.eq(update.status.as_str()),
                pipelines::started_at.eq(update.started_at.map(naive)),
                pipelines::finished_at.eq(update.finished_at.map(naive)),
                pipelines::updated_at.eq(naive(update.updated_at)),
                pipelines::lock_version.eq(pipelines::lock_version + 1),
            ))
            .execute(conn)
        })?;
        Ok(n > 0)
    }

    fn delete_pipeline(&self, id: PipelineId) -> RepoResult<bool> {
        // Jobs, their tags and their logs go by cascade.
        let n =
            self.write(|conn| Ok(diesel::delete(pipelines::table.find(id.0)).execute(conn)?))?;
        Ok(n > 0)
    }
}
