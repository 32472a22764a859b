//! The job repository: jobs with their tags, the queue runners take jobs from (one
//! conditional update per assignment), and job logs stored as the pieces they were sent in.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, exists, min, not};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use paddock_domain::job::queue::Candidate;
use paddock_domain::job::trace::{Append, plan_append};
use paddock_domain::job::{Job, JobStatus};
use paddock_domain::pagination::PageRequest;
use paddock_domain::token::TokenDigest;
use paddock_domain::{JobId, PipelineId, ProjectId};
use paddock_ports::outbound::{
    Assignment, JobChange, JobClock, JobFilter, JobRepository, JobSet, Overdue, QueueQuery,
    QueueScope, Retry, Sort,
};
use paddock_ports::{Page, RepoError, RepoResult};

use super::{Db, DbStore, TxError, offset_limit, total};
use crate::connection::DbConnection;
use crate::models::{JobRow, naive, utc};
use crate::schema::{
    job_secrets, job_tags, job_trace_chunks, jobs, namespaces, projects, runner_projects,
};

type JobExpr = Box<dyn BoxableExpression<jobs::table, Db, SqlType = Bool>>;

/// `jobs.status = 'pending'` with the value written out: the partial indexes of pending jobs
/// apply only when the planner sees the value (PostgreSQL's generic plans do not see bound
/// parameters).
fn pending() -> JobExpr {
    Box::new(diesel::dsl::sql::<Bool>("jobs.status = 'pending'"))
}

/// A job's tags, in the order given, for each job of `ids`.
fn load_tags(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = job_tags::table
        .filter(job_tags::job_id.eq_any(ids))
        .order((job_tags::job_id.asc(), job_tags::position.asc()))
        .select((job_tags::job_id, job_tags::name))
        .load(conn)?;
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in rows {
        tags.entry(id).or_default().push(name);
    }
    Ok(tags)
}

/// Rows with their tags, in the rows' order.
pub(super) fn with_tags(conn: &mut DbConnection, rows: Vec<JobRow>) -> Result<Vec<Job>, TxError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tags = load_tags(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            row.into_domain(tags.remove(&id).unwrap_or_default())
        })
        .collect::<RepoResult<Vec<_>>>()?)
}

fn load_row(conn: &mut DbConnection, id: i64) -> QueryResult<Option<JobRow>> {
    jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .optional()
}

fn one(conn: &mut DbConnection, row: Option<JobRow>) -> Result<Option<Job>, TxError> {
    Ok(with_tags(conn, row.into_iter().collect())?.pop())
}

/// Jobs by id, in the order of `ids`.
pub(super) fn load_jobs(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Job>, TxError> {
    let rows: Vec<JobRow> = jobs::table
        .filter(jobs::id.eq_any(ids))
        .select(JobRow::as_select())
        .load(conn)?;
    let mut by_id: HashMap<i64, Job> = with_tags(conn, rows)?
        .into_iter()
        .map(|job| (job.id.0, job))
        .collect();
    ids.iter()
        .map(|id| {
            by_id
                .remove(id)
                .ok_or_else(|| TxError::Repo(RepoError::Internal(format!("job {id} vanished"))))
        })
        .collect()
}

/// The tags to store: each once, in the order given.
fn distinct(tags: &[String]) -> Vec<&str> {
    let mut kept: Vec<&str> = Vec::with_capacity(tags.len());
    for tag in tags {
        if !kept.contains(&tag.as_str()) {
            kept.push(tag);
        }
    }
    kept
}

fn status_names(statuses: &[JobStatus]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

/// Whether a job list is empty whatever is stored (restricted to no project at all).
fn lists_nothing(filter: &JobFilter) -> bool {
    filter.projects.as_ref().is_some_and(Vec::is_empty)
}

/// The filter of a job list.
fn list_exprs(filter: &JobFilter) -> Vec<JobExpr> {
    let mut exprs: Vec<JobExpr> = vec![match filter.set {
        JobSet::Project(project) => Box::new(jobs::project_id.eq(project.0)),
        JobSet::Pipeline(pipeline) => Box::new(jobs::pipeline_id.eq(pipeline.0)),
        JobSet::Runner(runner) => Box::new(jobs::runner_id.assume_not_null().eq(runner.0)),
    }];
    if !filter.statuses.is_empty() {
        exprs.push(Box::new(
            jobs::status.eq_any(status_names(&filter.statuses)),
        ));
    }
    if !filter.include_retried {
        exprs.push(Box::new(jobs::retried.eq(false)));
    }
    if let Some(projects) = &filter.projects {
        let ids: Vec<i64> = projects.iter().map(|p| p.0).collect();
        exprs.push(Box::new(jobs::project_id.eq_any(ids)));
    }
    exprs
}

fn list_query(exprs: Vec<JobExpr>) -> jobs::BoxedQuery<'static, Db> {
    let mut query = jobs::table.into_boxed();
    for expr in exprs {
        query = query.filter(expr);
    }
    query
}

/// Which projects' pending jobs a runner may take; `None` when none.
fn scope_expr(conn: &mut DbConnection, scope: &QueueScope) -> QueryResult<Option<JobExpr>> {
    Ok(match scope {
        QueueScope::ProjectRunner(runner) => {
            let assigned = runner_projects::table
                .filter(runner_projects::runner_id.eq(runner.0))
                .select(runner_projects::project_id);
            Some(Box::new(jobs::project_id.eq_any(assigned)))
        }
        QueueScope::GroupRunner(group) => {
            let traversal: Option<String> = namespaces::table
                .find(group.0)
                .select(namespaces::traversal_ids)
                .first(conn)
                .optional()?;
            traversal.map(|prefix| -> JobExpr {
                // Digits and slashes only: safe in a LIKE pattern.
                let subtree = namespaces::table
                    .filter(namespaces::traversal_ids.like(format!("{prefix}%")))
                    .select(namespaces::id);
                let allowed = projects::table
                    .filter(projects::group_runners_enabled.eq(true))
                    .filter(projects::namespace_id.eq_any(subtree))
                    .select(projects::id);
                Box::new(jobs::project_id.eq_any(allowed))
            })
        }
        QueueScope::InstanceRunner => {
            let allowed = projects::table
                .filter(projects::shared_runners_enabled.eq(true))
                .select(projects::id);
            Some(Box::new(jobs::project_id.eq_any(allowed)))
        }
    })
}

/// What the runner's settings allow: every tag of the job among the runner's, untagged jobs
/// only when it runs them, protected refs only when it is `ref_protected`.
fn matching_exprs(query: &QueueQuery) -> Vec<JobExpr> {
    let mut exprs: Vec<JobExpr> = vec![pending()];
    if query.protected_only {
        exprs.push(Box::new(jobs::protected.eq(true)));
    }
    if query.tags.is_empty() {
        exprs.push(Box::new(jobs::tag_count.eq(0)));
    } else {
        // Correlated with the outer job, which diesel's typed subqueries cannot express.
        let foreign_tag = job_tags::table
            .filter(job_tags::job_id.eq(diesel::dsl::sql::<BigInt>("jobs.id")))
            .filter(not(job_tags::name.eq_any(query.tags.clone())));
        exprs.push(Box::new(not(exists(foreign_tag))));
    }
    if !query.run_untagged {
        exprs.push(Box::new(jobs::tag_count.gt(0)));
    }
    exprs
}

/// The columns a status change writes; `None` leaves a column as it is.
#[derive(AsChangeset)]
#[diesel(table_name = jobs)]
struct StatusChange {
    status: &'static str,
    updated_at: NaiveDateTime,
    queued_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    failure_reason: Option<&'static str>,
    exit_code: Option<i64>,
    allow_failure: Option<bool>,
}

impl StatusChange {
    fn of(change: &JobChange) -> Self {
        let at = naive(change.at);
        Self {
            status: change.to.as_str(),
            updated_at: at,
            queued_at: (change.to == JobStatus::Pending).then_some(at),
            finished_at: change.to.is_complete().then_some(at),
            failure_reason: change.failure_reason.map(|r| r.as_str()),
            exit_code: change.exit_code,
            allow_failure: change.allow_failure,
        }
    }
}

/// A new job's row.
#[derive(Insertable)]
#[diesel(table_name = jobs)]
pub(super) struct JobInsert<'a> {
    pub pipeline_id: i64,
    pub project_id: i64,
    pub name: &'a str,
    pub stage: &'a str,
    pub stage_index: i32,
    pub status: &'static str,
    pub run_when: &'a str,
    pub allow_failure: bool,
    pub definition: &'a str,
    /// Set by [`JobInsert::insert`] from the tags.
    pub tag_count: i32,
    pub protected: bool,
    pub ref_name: &'a str,
    pub tag: bool,
    pub sha: &'a str,
    pub user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub queued_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl JobInsert<'_> {
    /// Inserts the job and its tags; returns its id.
    pub(super) fn insert(mut self, conn: &mut DbConnection, tags: &[String]) -> QueryResult<i64> {
        let tags = distinct(tags);
        self.tag_count = i32::try_from(tags.len()).unwrap_or(i32::MAX);
        let id: i64 = diesel::insert_into(jobs::table)
            .values(&self)
            .returning(jobs::id)
            .get_result(conn)?;
        for (position, name) in tags.into_iter().enumerate() {
            diesel::insert_into(job_tags::table)
                .values((
                    job_tags::job_id.eq(id),
                    job_tags::name.eq(name),
                    job_tags::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                ))
                .execute(conn)?;
        }
        Ok(id)
    }
}

/// When a job created with `status` was queued: at its creation if it starts pending.
pub(super) fn queued_at(status: JobStatus, at: NaiveDateTime) -> Option<NaiveDateTime> {
    (status == JobStatus::Pending).then_some(at)
}

fn size(stored: i64, id: i64) -> Result<u64, TxError> {
    u64::try_from(stored).map_err(|_| {
        TxError::Repo(RepoError::Internal(format!(
            "stored log size {stored} of job {id} is not valid"
        )))
    })
}

impl JobRepository for DbStore {
    fn job(&self, id: JobId) -> RepoResult<Option<Job>> {
        self.read(|conn| {
            let row = load_row(conn, id.0)?;
            one(conn, row)
        })
    }

    fn job_with_token(&self, id: JobId) -> RepoResult<Option<(Job, Option<TokenDigest>)>> {
        self.read(|conn| {
            let Some(row) = load_row(conn, id.0)? else {
                return Ok(None);
            };
            let digest = row.digest()?;
            Ok(one(conn, Some(row))?.map(|job| (job, digest)))
        })
    }

    fn job_by_token(&self, digest: &TokenDigest) -> RepoResult<Option<Job>> {
        self.read(|conn| {
            let row = jobs::table
                .filter(jobs::token_digest.eq(digest.to_hex()))
                .select(JobRow::as_select())
                .first(conn)
                .optional()?;
            one(conn, row)
        })
    }

    fn jobs(&self, filter: &JobFilter, page: PageRequest) -> RepoResult<Page<Job>> {
        if lists_nothing(filter) {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let (offset, limit) = offset_limit(page);
        let (count, items) = self.read(|conn| {
            let count: i64 = list_query(list_exprs(filter)).count().get_result(conn)?;
            let query = list_query(list_exprs(filter));
            let query = match filter.sort {
                Sort::Asc => query.order(jobs::id.asc()),
                Sort::Desc => query.order(jobs::id.desc()),
            };
            let rows = query
                .offset(offset)
                .limit(limit)
                .select(JobRow::as_select())
                .load(conn)?;
            Ok((count, with_tags(conn, rows)?))
        })?;
        Ok(Page {
            items,
            total: total(count),
        })
    }

    fn pipeline_jobs(&self, pipeline: PipelineId) -> RepoResult<Vec<Job>> {
        self.read(|conn| {
            let rows = jobs::table
                .filter(jobs::pipeline_id.eq(pipeline.0))
                .order(jobs::id.asc())
                .select(JobRow::as_select())
                .load(conn)?;
            with_tags(conn, rows)
        })
    }

    fn change_job(&self, id: JobId, change: &JobChange) -> RepoResult<Option<Job>> {
        if change.from.is_empty() {
            return Ok(None);
        }
        self.write_one(|conn| {
            let graceful = match change.graceful {
                Some(graceful) => vec![graceful],
                None => vec![true, false],
            };
            let row = diesel::update(
                jobs::table
                    .filter(jobs::id.eq(id.0))
                    .filter(jobs::status.eq_any(status_names(&change.from)))
                    .filter(jobs::cancel_gracefully.eq_any(graceful)),
            )
            .set(&StatusChange::of(change))
            .returning(JobRow::columns())
            .get_result(conn)
            .optional()?;
            one(conn, row)
        })
    }

    fn retry_job(&self, id: JobId, retry: &Retry) -> RepoResult<Option<Job>> {
        self.write(|conn| {
            let Some(old) = load_row(conn, id.0)? else {
                return Ok(None);
            };
            // Conditional: of two concurrent retries, one replaces the job.
            let marked = diesel::update(
                jobs::table
                    .filter(jobs::id.eq(id.0))
                    .filter(jobs::retried.eq(false)),
            )
            .set(jobs::retried.eq(true))
            .execute(conn)?;
            if marked == 0 {
                return Ok(None);
            }
            let tags = load_tags(conn, &[old.id])?
                .remove(&old.id)
                .unwrap_or_default();
            let at = naive(retry.at);
            let new_id = JobInsert {
                pipeline_id: old.pipeline_id,
                project_id: old.project_id,
                name: &old.name,
                stage: &old.stage,
                stage_index: old.stage_index,
                status: retry.status.as_str(),
                run_when: &old.run_when,
                allow_failure: retry.allow_failure,
                definition: &old.definition,
                tag_count: 0,
                protected: old.protected,
                ref_name: &old.ref_name,
                tag: old.tag,
                sha: &old.sha,
                user_id: retry.user_id.map(|u| u.0),
                created_at: at,
                queued_at: queued_at(retry.status, at),
                updated_at: at,
            }
            .insert(conn, &tags)?;
            let row = load_row(conn, new_id)?;
            one(conn, row)
        })
    }

    fn queue(&self, query: &QueueQuery, limit: usize) -> RepoResult<Vec<Candidate>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, i64)> = self.run(|conn| {
            let Some(scope) = scope_expr(conn, &query.scope)? else {
                return Ok(Vec::new());
            };
            let mut exprs = matching_exprs(query);
            exprs.push(scope);
            list_query(exprs)
                .order(jobs::id.asc())
                .limit(limit)
                .select((jobs::project_id, jobs::id))
                .load(conn)
        })?;
        Ok(rows
            .into_iter()
            .map(|(project, job)| Candidate {
                project: ProjectId(project),
                job: JobId(job),
            })
            .collect())
    }

    fn queue_heads(&self, query: &QueueQuery, limit: usize) -> RepoResult<Vec<Candidate>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, i64)> = self.run(|conn| {
            let Some(scope) = scope_expr(conn, &query.scope)? else {
                return Ok(Vec::new());
            };
            let mut exprs = matching_exprs(query);
            exprs.push(scope);
            let mut grouped = jobs::table
                .group_by(jobs::project_id)
                .select((jobs::project_id, min(jobs::id)))
                .into_boxed();
            for expr in exprs {
                grouped = grouped.filter(expr);
            }
            let oldest: Vec<(i64, Option<i64>)> =
                grouped.order(min(jobs::id).asc()).limit(limit).load(conn)?;
            Ok(oldest
                .into_iter()
                .filter_map(|(project, job)| job.map(|job| (project, job)))
                .collect())
        })?;
        Ok(rows
            .into_iter()
            .map(|(project, job)| Candidate {
                project: ProjectId(project),
                job: JobId(job),
            })
            .collect())
    }

    fn running_on_instance(&self, projects: &[ProjectId]) -> RepoResult<HashMap<ProjectId, u64>> {
        if projects.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<i64> = projects.iter().map(|p| p.0).collect();
        let counts: Vec<(i64, i64)> = self.run(|conn| {
            jobs::table
                .filter(jobs::project_id.eq_any(ids))
                .filter(jobs::status.eq(JobStatus::Running.as_str()))
                .filter(jobs::on_instance_runner.eq(true))
                .group_by(jobs::project_id)
                .select((jobs::project_id, count_star()))
                .load(conn)
        })?;
        Ok(counts
            .into_iter()
            .map(|(project, n)| (ProjectId(project), total(n)))
            .collect())
    }

    fn assign_job(&self, assignment: &Assignment) -> RepoResult<Option<Job>> {
        let at = naive(assignment.at);
        self.write_one(|conn| {
            // One statement: of concurrent assignments of a job, exactly one finds it pending
            // (PostgreSQL re-checks the condition after waiting for the row; SQLite runs
            // writes one at a time).
            let row = diesel::update(
                jobs::table
                    .filter(jobs::id.eq(assignment.job.0))
                    .filter(jobs::status.eq(JobStatus::Pending.as_str())),
            )
            .set((
                jobs::status.eq(JobStatus::Running.as_str()),
                jobs::runner_id.eq(Some(assignment.runner.0)),
                jobs::runner_system_id.eq(Some(&assignment.system_id)),
                jobs::on_instance_runner.eq(assignment.instance_runner),
                jobs::token_digest.eq(Some(assignment.token_digest.to_hex())),
                jobs::started_at.eq(Some(at)),
                jobs::updated_at.eq(at),
                jobs::cancel_gracefully.eq(assignment.cancel_gracefully),
            ))
            .returning(JobRow::columns())
            .get_result(conn)
            .optional()?;
            one(conn, row)
        })
    }

    fn append_trace(
        &self,
        id: JobId,
        start: u64,
        data: &[u8],
        limit: u64,
    ) -> RepoResult<Option<Append>> {
        let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
        self.write(|conn| {
            // The usual append (at the log's end, within the limit) is one conditional update
            // and the insert of the chunk; the size is read only when that update moved
            // nothing, to tell why.
            let end = start.saturating_add(len);
            let offsets = i64::try_from(start).ok().zip(i64::try_from(end).ok());
            if let Some((from, to)) = offsets.filter(|_| !data.is_empty() && end <= limit) {
                let moved = diesel::update(
                    jobs::table
                        .filter(jobs::id.eq(id.0))
                        .filter(jobs::trace_size.eq(from)),
                )
                .set(jobs::trace_size.eq(to))
                .execute(conn)?;
                if moved == 1 {
                    diesel::insert_into(job_trace_chunks::table)
                        .values((
                            job_trace_chunks::job_id.eq(id.0),
                            job_trace_chunks::byte_offset.eq(from),
                            job_trace_chunks::data.eq(data),
                        ))
                        .execute(conn)?;
                    return Ok(Some(Append::Written(end)));
                }
            }
            let stored: Option<i64> = jobs::table
                .find(id.0)
                .select(jobs::trace_size)
                .first(conn)
                .optional()?;
            match stored {
                // Not written: too large, not at the end, or empty (nothing to write).
                Some(stored) => Ok(Some(plan_append(size(stored, id.0)?, start, len, limit))),
                None => Ok(None),
            }
        })
    }

    fn replace_trace(&self, id: JobId, data: &[u8]) -> RepoResult<bool> {
        let len = i64::try_from(data.len()).unwrap_or(i64::MAX);
        self.write(|conn| {
            let found = diesel::update(jobs::table.find(id.0))
                .set(jobs::trace_size.eq(len))
                .execute(conn)?;
            if found == 0 {
                return Ok(false);
            }
            diesel::delete(job_trace_chunks::table.filter(job_trace_chunks::job_id.eq(id.0)))
                .execute(conn)?;
            if !data.is_empty() {
                diesel::insert_into(job_trace_chunks::table)
                    .values((
                        job_trace_chunks::job_id.eq(id.0),
                        job_trace_chunks::byte_offset.eq(0_i64),
                        job_trace_chunks::data.eq(data),
                    ))
                    .execute(conn)?;
            }
            Ok(true)
        })
    }

    fn set_job_secrets(&self, id: JobId, sealed: &[u8]) -> RepoResult<bool> {
        self.write(|conn| {
            let exists = jobs::table
                .find(id.0)
                .select(jobs::id)
                .first::<i64>(conn)
                .optional()?
                .is_some();
            if !exists {
                return Ok(false);
            }
            diesel::delete(job_secrets::table.find(id.0)).execute(conn)?;
            diesel::insert_into(job_secrets::table)
                .values((job_secrets::job_id.eq(id.0), job_secrets::sealed.eq(sealed)))
                .execute(conn)?;
            Ok(true)
        })
    }

    fn job_secrets(&self, id: JobId) -> RepoResult<Option<Vec<u8>>> {
        self.run(|conn| {
            job_secrets::table
                .find(id.0)
                .select(job_secrets::sealed)
                .first::<Vec<u8>>(conn)
                .optional()
        })
    }

    fn trace(&self, id: JobId) -> RepoResult<Option<Vec<u8>>> {
        self.read(|conn| {
            let exists: Option<i64> = jobs::table
                .find(id.0)
                .select(jobs::id)
                .first(conn)
                .optional()?;
            if exists.is_none() {
                return Ok(None);
            }
            let chunks: Vec<Vec<u8>> = job_trace_chunks::table
                .filter(job_trace_chunks::job_id.eq(id.0))
                .order(job_trace_chunks::byte_offset.asc())
                .select(job_trace_chunks::data)
                .load(conn)?;
            Ok(Some(chunks.concat()))
        })
    }

    fn overdue_jobs(&self, overdue: &Overdue, limit: usize) -> RepoResult<Vec<JobId>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        if limit == 0 || overdue.statuses.is_empty() {
            return Ok(Vec::new());
        }
        let before = naive(overdue.before);
        let statuses = status_names(&overdue.statuses);
        let ids: Vec<i64> = self.run(|conn| {
            let query = jobs::table
                .filter(jobs::status.eq_any(statuses))
                .limit(limit)
                .select(jobs::id);
            match overdue.clock {
                JobClock::Deadline => query
                    .filter(jobs::deadline_at.lt(before))
                    .order(jobs::deadline_at.asc())
                    .load(conn),
                JobClock::Updated => query
                    .filter(jobs::updated_at.lt(before))
                    .order(jobs::updated_at.asc())
                    .load(conn),
            }
        })?;
        Ok(ids.into_iter().map(JobId).collect())
    }

    fn set_deadline(&self, id: JobId, deadline: DateTime<Utc>) -> RepoResult<bool> {
        let found = self.write_one(|conn| {
            Ok(diesel::update(jobs::table.find(id.0))
                .set(jobs::deadline_at.eq(Some(naive(deadline))))
                .execute(conn)?)
        })?;
        Ok(found > 0)
    }

    fn touch_job(&self, id: JobId, at: DateTime<Utc>) -> RepoResult<bool> {
        let held = status_names(&[JobStatus::Running, JobStatus::Canceling]);
        let found = self.run(|conn| {
            diesel::update(
                jobs::table
                    .filter(jobs::id.eq(id.0))
                    .filter(jobs::status.eq_any(held)),
            )
            .set(jobs::updated_at.eq(naive(at)))
            .execute(conn)
        })?;
        Ok(found > 0)
    }

    fn request_finish(&self, id: JobId, at: DateTime<Utc>) -> RepoResult<Option<DateTime<Utc>>> {
        self.read(|conn| {
            // Conditional: of two concurrent first requests, the first time is kept.
            diesel::update(
                jobs::table
                    .filter(jobs::id.eq(id.0))
                    .filter(jobs::finish_requested_at.is_null()),
            )
            .set(jobs::finish_requested_at.eq(Some(naive(at))))
            .execute(conn)?;
            let kept: Option<Option<NaiveDateTime>> = jobs::table
                .find(id.0)
                .select(jobs::finish_requested_at)
                .first(conn)
                .optional()?;
            Ok(kept.map(|time| time.map_or(at, utc)))
        })
    }
}
