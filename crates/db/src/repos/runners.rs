//! The runner repository: runners with their tags, project assignments and managers.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use paddock_domain::pagination::PageRequest;
use paddock_domain::runner::filter::{ContactFilter, RunnerFilter};
use paddock_domain::runner::{Runner, RunnerId, RunnerInfo, RunnerManager, RunnerType, Tags};
use paddock_domain::token::TokenDigest;
use paddock_domain::{ProjectId, Role};
use paddock_ports::outbound::{
    ContactUpdate, ManagerContact, NewRunner, RunnerChanges, RunnerQuery, RunnerRepository,
    RunnerSet, Unassigned,
};
use paddock_ports::{Page, RepoError, RepoResult};

use super::reach::Reach;
use super::{CountRows, Db, DbStore, TxError, offset_limit, substr_len, total};
use crate::connection::{DbConnection, write_transaction};
use crate::models::{ManagerRow, RunnerRow, naive};
use crate::schema::{namespaces, projects, runner_managers, runner_projects, runner_tags, runners};

/// The characters that may not follow a complete version prefix (compared exactly, whatever
/// the collation).
const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

type RunnerExpr = Box<dyn BoxableExpression<runners::table, Db, SqlType = Bool>>;

fn load_tags(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = runner_tags::table
        .filter(runner_tags::runner_id.eq_any(ids))
        .order((runner_tags::runner_id.asc(), runner_tags::position.asc()))
        .select((runner_tags::runner_id, runner_tags::name))
        .load(conn)?;
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in rows {
        tags.entry(id).or_default().push(name);
    }
    Ok(tags)
}

fn with_tags(conn: &mut DbConnection, rows: Vec<RunnerRow>) -> Result<Vec<Runner>, TxError> {
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

fn load_one(conn: &mut DbConnection, id: i64) -> Result<Option<Runner>, TxError> {
    let row = runners::table
        .find(id)
        .select(RunnerRow::as_select())
        .first(conn)
        .optional()?;
    Ok(with_tags(conn, row.into_iter().collect())?.pop())
}

fn write_tags(conn: &mut DbConnection, id: i64, tags: &Tags) -> QueryResult<()> {
    diesel::delete(runner_tags::table.filter(runner_tags::runner_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = tags
        .as_slice()
        .iter()
        .enumerate()
        .map(|(position, name)| {
            (
                runner_tags::runner_id.eq(id),
                runner_tags::name.eq(name),
                runner_tags::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(runner_tags::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn of_type(runner_type: RunnerType) -> RunnerExpr {
    Box::new(runners::runner_type.eq(runner_type.as_str()))
}

fn any_of(mut exprs: Vec<RunnerExpr>) -> RunnerExpr {
    match exprs.len() {
        0 => Box::new(not(runners::id.eq(runners::id))),
        1 => exprs.remove(0),
        n => {
            let right = exprs.split_off(n / 2);
            Box::new(any_of(exprs).or(any_of(right)))
        }
    }
}

/// Group runners of these groups.
fn group_runners_of(groups: Vec<i64>) -> RunnerExpr {
    Box::new(
        runners::runner_type
            .eq(RunnerType::Group.as_str())
            .and(runners::group_id.assume_not_null().eq_any(groups)),
    )
}

/// The set of a query as a filter, resolving membership reach first.
fn set_expr(conn: &mut DbConnection, set: &RunnerSet) -> QueryResult<Option<RunnerExpr>> {
    Ok(match set {
        RunnerSet::All => None,
        RunnerSet::ManagedBy { user, now } => {
            let maintained = Reach::load(conn, *user, Role::Maintainer, *now)?.projects(conn)?;
            let maintained_projects: Vec<i64> = projects::table
                .into_boxed()
                .filter(maintained.expr())
                .select(projects::id)
                .load(conn)?;
            let owned = Reach::load(conn, *user, Role::Owner, *now)?;
            let owned_groups: Vec<i64> = namespaces::table
                .into_boxed()
                .filter(owned.groups())
                .select(namespaces::id)
                .load(conn)?;
            let project_runners = runner_projects::table
                .filter(runner_projects::project_id.eq_any(maintained_projects))
                .select(runner_projects::runner_id);
            Some(any_of(vec![
                Box::new(
                    runners::runner_type
                        .eq(RunnerType::Project.as_str())
                        .and(runners::id.eq_any(project_runners)),
                ),
                group_runners_of(owned_groups),
            ]))
        }
        RunnerSet::ForProject {
            project,
            groups,
            instance,
        } => {
            let assigned = runner_projects::table
                .filter(runner_projects::project_id.eq(project.0))
                .select(runner_projects::runner_id);
            let mut parts: Vec<RunnerExpr> = vec![
                Box::new(
                    runners::runner_type
                        .eq(RunnerType::Project.as_str())
                        .and(runners::id.eq_any(assigned)),
                ),
                group_runners_of(groups.iter().map(|g| g.0).collect()),
            ];
            if *instance {
                parts.push(of_type(RunnerType::Instance));
            }
            Some(any_of(parts))
        }
        RunnerSet::ForGroups { groups, instance } => {
            let mut parts: Vec<RunnerExpr> =
                vec![group_runners_of(groups.iter().map(|g| g.0).collect())];
            if *instance {
                parts.push(of_type(RunnerType::Instance));
            }
            Some(any_of(parts))
        }
    })
}

fn contact_expr(filter: ContactFilter) -> RunnerExpr {
    let contacted_at = runners::contacted_at.assume_not_null();
    match filter {
        ContactFilter::ContactedAfter(since) => Box::new(
            runners::contacted_at
                .is_not_null()
                .and(contacted_at.gt(naive(since))),
        ),
        ContactFilter::ContactedAtOrBefore(limit) => Box::new(
            runners::contacted_at
                .is_not_null()
                .and(contacted_at.le(naive(limit))),
        ),
        ContactFilter::NeverContacted => Box::new(runners::contacted_at.is_null()),
        ContactFilter::Stale(deadline) => Box::new(
            runners::created_at.le(naive(deadline)).and(
                runners::contacted_at
                    .is_null()
                    .or(contacted_at.le(naive(deadline))),
            ),
        ),
    }
}

/// Whether the tags are all that narrows the list: then `runner_tags` alone counts it (each
/// of its rows has its runner, the foreign key cascades), without a lookup per runner.
fn only_tags(set: &RunnerSet, filter: &RunnerFilter) -> bool {
    let RunnerFilter {
        types,
        active,
        contact,
        tags,
        version_prefix,
        nothing,
    } = filter;
    matches!(set, RunnerSet::All)
        && types.is_none()
        && active.is_none()
        && contact.is_empty()
        && version_prefix.is_none()
        && !nothing
        && !tags.is_empty()
}

diesel::alias!(runner_tags as carrying: Carrying);

/// The number of runners carrying every one of `tags`, from `runner_tags` alone (the first
/// tag's entries of the `(name, runner_id)` index, narrowed by each other tag), stopped at
/// `limit`.
fn count_tagged(conn: &mut DbConnection, tags: &[String], limit: i64) -> QueryResult<i64> {
    let Some((first, others)) = tags.split_first() else {
        return Ok(0);
    };
    let mut ids = runner_tags::table
        .filter(runner_tags::name.eq(first.clone()))
        .select(runner_tags::runner_id)
        .into_boxed();
    for tag in others {
        let with_tag = carrying
            .filter(carrying.field(runner_tags::name).eq(tag.clone()))
            .select(carrying.field(runner_tags::runner_id));
        ids = ids.filter(runner_tags::runner_id.eq_any(with_tag));
    }
    CountRows(ids.limit(limit)).get_result(conn)
}

/// The number of runners of a list, stopped at `limit`.
fn count_runners(conn: &mut DbConnection, query: &RunnerQuery, limit: i64) -> QueryResult<i64> {
    if only_tags(&query.set, &query.filter) {
        return count_tagged(conn, query.filter.tags.as_slice(), limit);
    }
    CountRows(
        filtered(set_expr(conn, &query.set)?, &query.filter)
            .select(runners::id)
            .limit(limit),
    )
    .get_result(conn)
}

fn filter_exprs(filter: &RunnerFilter) -> Vec<RunnerExpr> {
    let mut exprs: Vec<RunnerExpr> = Vec::new();
    if let Some(types) = &filter.types {
        let names: Vec<&'static str> = types.iter().map(|t| t.as_str()).collect();
        exprs.push(Box::new(runners::runner_type.eq_any(names)));
    }
    if let Some(active) = filter.active {
        exprs.push(Box::new(runners::active.eq(active)));
    }
    for contact in &filter.contact {
        exprs.push(contact_expr(*contact));
    }
    // One subquery a tag (PostgreSQL merges them with the id order; no grouping).
    for tag in filter.tags.as_slice() {
        let with_tag = runner_tags::table
            .filter(runner_tags::name.eq(tag.clone()))
            .select(runner_tags::runner_id);
        exprs.push(Box::new(runners::id.eq_any(with_tag)));
    }
    if let Some(prefix) = &filter.version_prefix {
        // Digits and dots only: safe in a LIKE pattern.
        let starts = format!("{}%", prefix.starts_with);
        let next = i32::try_from(prefix.starts_with.chars().count() + 1).unwrap_or(i32::MAX);
        if prefix.complete {
            let matching = runner_managers::table
                .filter(runner_managers::version.like(starts))
                .filter(not(substr_len(
                    runner_managers::version.assume_not_null(),
                    next,
                    1,
                )
                .eq_any(DIGITS)))
                .select(runner_managers::runner_id);
            exprs.push(Box::new(runners::id.eq_any(matching)));
        } else {
            let matching = runner_managers::table
                .filter(runner_managers::version.like(starts))
                .select(runner_managers::runner_id);
            exprs.push(Box::new(runners::id.eq_any(matching)));
        }
    }
    exprs
}

fn filtered(set: Option<RunnerExpr>, filter: &RunnerFilter) -> runners::BoxedQuery<'static, Db> {
    let mut query = runners::table.into_boxed();
    if let Some(set) = set {
        query = query.filter(set);
    }
    for expr in filter_exprs(filter) {
        query = query.filter(expr);
    }
    query
}

fn settings_columns(
    settings: &paddock_domain::runner::RunnerSettings,
) -> (String, String, bool, bool, bool, &'static str, Option<i64>) {
    (
        settings.description.clone(),
        settings.maintenance_note.clone(),
        settings.active,
        settings.locked,
        settings.run_untagged,
        settings.access_level.as_str(),
        settings.maximum_timeout,
    )
}

/// Only the given fields.
#[derive(AsChangeset)]
#[diesel(table_name = runners)]
struct RunnerChangeset {
    description: Option<String>,
    maintenance_note: Option<String>,
    active: Option<bool>,
    locked: Option<bool>,
    run_untagged: Option<bool>,
    access_level: Option<&'static str>,
    maximum_timeout: Option<Option<i64>>,
    updated_at: Option<NaiveDateTime>,
}

/// What a contact says about a manager, written on its first contact and updated after.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = runner_managers, treat_none_as_null = true)]
struct ManagerDetails {
    name: Option<String>,
    version: Option<String>,
    revision: Option<String>,
    platform: Option<String>,
    architecture: Option<String>,
    executor: Option<String>,
    ip_address: Option<String>,
    contacted_at: Option<NaiveDateTime>,
}

impl ManagerDetails {
    fn of(contact: &ManagerContact, info: RunnerInfo, at: NaiveDateTime) -> Self {
        Self {
            name: info.name,
            version: info.version,
            revision: info.revision,
            platform: info.platform,
            architecture: info.architecture,
            executor: info.executor,
            ip_address: contact.ip_address.clone(),
            contacted_at: Some(at),
        }
    }
}

/// One contact: the runner's time, never moved back, and its manager, created on first
/// contact (a concurrent creation by another process is fine) and updated while newer.
fn record_contact(conn: &mut DbConnection, update: &ContactUpdate) -> QueryResult<()> {
    let at = naive(update.contacted_at);
    diesel::update(
        runners::table
            .filter(runners::id.eq(update.runner.0))
            .filter(
                runners::contacted_at
                    .is_null()
                    .or(runners::contacted_at.assume_not_null().lt(at)),
            ),
    )
    .set(runners::contacted_at.eq(at))
    .execute(conn)?;
    let Some(contact) = &update.manager else {
        return Ok(());
    };
    // The manager, while the stored contact is older.
    let older = runner_managers::table
        .filter(runner_managers::runner_id.eq(update.runner.0))
        .filter(runner_managers::system_id.eq(&contact.system_id))
        .filter(
            runner_managers::contacted_at
                .is_null()
                .or(runner_managers::contacted_at.assume_not_null().lt(at)),
        );
    let updated = match &contact.info {
        Some(info) => diesel::update(older)
            .set(&ManagerDetails::of(contact, info.clone(), at))
            .execute(conn)?,
        None => diesel::update(older)
            .set((
                runner_managers::ip_address.eq(&contact.ip_address),
                runner_managers::contacted_at.eq(at),
            ))
            .execute(conn)?,
    };
    if updated > 0 {
        return Ok(());
    }
    let details = ManagerDetails::of(contact, contact.info.clone().unwrap_or_default(), at);
    // In a savepoint: the row may exist already (newer), or the runner be gone.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(runner_managers::table)
            .values((
                runner_managers::runner_id.eq(update.runner.0),
                runner_managers::system_id.eq(&contact.system_id),
                runner_managers::created_at.eq(at),
                &details,
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation
            | diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => Ok(()),
        Err(other) => Err(other),
    }
}

/// After projects were deleted: project runners left without any project go with them.
pub(crate) fn settle_project_runners(conn: &mut DbConnection) -> QueryResult<()> {
    let assigned = runner_projects::table.select(runner_projects::runner_id);
    diesel::delete(
        runners::table
            .filter(runners::runner_type.eq(RunnerType::Project.as_str()))
            .filter(not(runners::id.eq_any(assigned))),
    )
    .execute(conn)?;
    Ok(())
}

impl RunnerRepository for DbStore {
    fn create_runner(&self, new: NewRunner) -> RepoResult<Runner> {
        self.write(|conn| {
            let (description, note, active, locked, run_untagged, access_level, maximum_timeout) =
                settings_columns(&new.settings);
            let id: i64 = diesel::insert_into(runners::table)
                .values((
                    runners::runner_type.eq(new.runner_type.as_str()),
                    runners::group_id.eq(new.group_id.map(|g| g.0)),
                    runners::description.eq(description),
                    runners::maintenance_note.eq(note),
                    runners::active.eq(active),
                    runners::locked.eq(locked),
                    runners::run_untagged.eq(run_untagged),
                    runners::access_level.eq(access_level),
                    runners::maximum_timeout.eq(maximum_timeout),
                    runners::name.eq(&new.name),
                    runners::token_digest.eq(new.token_digest.to_hex()),
                    runners::token_expires_at.eq(new.token_expires_at.map(naive)),
                    runners::registration_type.eq(new.registration_type.as_str()),
                    runners::creator_id.eq(new.creator_id.map(|u| u.0)),
                    runners::created_at.eq(naive(new.created_at)),
                    runners::updated_at.eq(naive(new.created_at)),
                ))
                .returning(runners::id)
                .get_result(conn)?;
            write_tags(conn, id, &new.settings.tags)?;
            if let Some(project) = new.project_id {
                diesel::insert_into(runner_projects::table)
                    .values((
                        runner_projects::runner_id.eq(id),
                        runner_projects::project_id.eq(project.0),
                        runner_projects::created_at.eq(naive(new.created_at)),
                    ))
                    .execute(conn)?;
            }
            load_one(conn, id)?
                .ok_or_else(|| TxError::Repo(RepoError::Internal("new runner vanished".into())))
        })
    }

    fn runner(&self, id: RunnerId) -> RepoResult<Option<Runner>> {
        let mut conn = self.database().conn()?;
        load_one(&mut conn, id.0).map_err(RepoError::from)
    }

    fn runner_by_token(&self, digest: &TokenDigest) -> RepoResult<Option<Runner>> {
        let mut conn = self.database().conn()?;
        let row = runners::table
            .filter(runners::token_digest.eq(digest.to_hex()))
            .select(RunnerRow::as_select())
            .first(&mut conn)
            .optional()
            .map_err(crate::error::map)?;
        Ok(with_tags(&mut conn, row.into_iter().collect())
            .map_err(RepoError::from)?
            .pop())
    }

    fn runners(&self, query: &RunnerQuery, page: PageRequest) -> RepoResult<Page<Runner>> {
        if query.filter.nothing {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let (offset, limit) = offset_limit(page);
        let count_limit = i64::try_from(page.count_limit()).unwrap_or(i64::MAX);
        let mut conn = self.database().conn()?;
        let result: Result<(i64, Vec<Runner>), TxError> = (|| {
            let rows = filtered(set_expr(&mut conn, &query.set)?, &query.filter)
                .order(runners::id.asc())
                .offset(offset)
                .limit(limit)
                .select(RunnerRow::as_select())
                .load(&mut conn)?;
            let found = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            // A partly filled page (or an empty first one) is the last: the count follows.
            let count = if found < limit && (found > 0 || offset == 0) {
                offset + found
            } else {
                count_runners(&mut conn, query, count_limit)?
            };
            Ok((count, with_tags(&mut conn, rows)?))
        })();
        let (count, items) = result.map_err(RepoError::from)?;
        Ok(Page {
            items,
            total: total(count),
        })
    }

    fn update_runner(&self, id: RunnerId, changes: &RunnerChanges) -> RepoResult<Option<Runner>> {
        self.write(|conn| {
            let exists = runners::table
                .find(id.0)
                .select(runners::id)
                .first::<i64>(conn)
                .optional()?
                .is_some();
            if !exists {
                return Ok(None);
            }
            // Diesel refuses an empty changeset: update the row only when a column changes.
            let columns = RunnerChanges {
                tags: None,
                ..changes.clone()
            };
            if columns != RunnerChanges::default() {
                let changeset = RunnerChangeset {
                    description: changes.description.clone(),
                    maintenance_note: changes.maintenance_note.clone(),
                    active: changes.active,
                    locked: changes.locked,
                    run_untagged: changes.run_untagged,
                    access_level: changes.access_level.map(|a| a.as_str()),
                    maximum_timeout: changes.maximum_timeout,
                    updated_at: changes.updated_at.map(naive),
                };
                diesel::update(runners::table.find(id.0))
                    .set(&changeset)
                    .execute(conn)?;
            }
            if let Some(tags) = &changes.tags {
                write_tags(conn, id.0, tags)?;
            }
            load_one(conn, id.0)
        })
    }

    fn delete_runner(&self, id: RunnerId) -> RepoResult<bool> {
        let n = self.write(|conn| Ok(diesel::delete(runners::table.find(id.0)).execute(conn)?))?;
        Ok(n > 0)
    }

    fn set_runner_token(
        &self,
        id: RunnerId,
        digest: &TokenDigest,
        expires_at: Option<DateTime<Utc>>,
        replacing: Option<&TokenDigest>,
    ) -> RepoResult<bool> {
        let values = (
            runners::token_digest.eq(digest.to_hex()),
            runners::token_expires_at.eq(expires_at.map(naive)),
        );
        let n = self.run(|conn| match replacing {
            Some(old) => diesel::update(
                runners::table
                    .filter(runners::id.eq(id.0))
                    .filter(runners::token_digest.eq(old.to_hex())),
            )
            .set(values)
            .execute(conn),
            None => diesel::update(runners::table.find(id.0))
                .set(values)
                .execute(conn),
        })?;
        Ok(n > 0)
    }

    fn runner_project_ids(&self, id: RunnerId) -> RepoResult<Vec<ProjectId>> {
        let ids: Vec<i64> = self.run(|conn| {
            runner_projects::table
                .filter(runner_projects::runner_id.eq(id.0))
                .order(runner_projects::id.asc())
                .select(runner_projects::project_id)
                .load(conn)
        })?;
        Ok(ids.into_iter().map(ProjectId).collect())
    }

    fn assign_runner(&self, id: RunnerId, project: ProjectId, at: DateTime<Utc>) -> RepoResult<()> {
        self.write(|conn| {
            diesel::insert_into(runner_projects::table)
                .values((
                    runner_projects::runner_id.eq(id.0),
                    runner_projects::project_id.eq(project.0),
                    runner_projects::created_at.eq(naive(at)),
                ))
                .execute(conn)
                .map_err(|e| match crate::error::map(e) {
                    RepoError::Conflict(field) if field != "reference" => {
                        TxError::Repo(RepoError::Conflict("runner_project".into()))
                    }
                    other => TxError::Repo(other),
                })?;
            diesel::update(runners::table.find(id.0))
                .set(runners::updated_at.eq(naive(at)))
                .execute(conn)?;
            Ok(())
        })
    }

    fn unassign_runner(
        &self,
        id: RunnerId,
        project: ProjectId,
        at: DateTime<Utc>,
    ) -> RepoResult<Unassigned> {
        self.write(|conn| {
            // Locks the runner's row (PostgreSQL; SQLite transactions are serialised already)
            // so that concurrent unassigns of one runner count its projects one after another.
            let locked = diesel::update(runners::table.find(id.0))
                .set(runners::updated_at.eq(runners::updated_at))
                .execute(conn)?;
            if locked == 0 {
                return Ok(Unassigned::NotAssigned);
            }
            let projects: Vec<i64> = runner_projects::table
                .filter(runner_projects::runner_id.eq(id.0))
                .select(runner_projects::project_id)
                .load(conn)?;
            if !projects.contains(&project.0) {
                return Ok(Unassigned::NotAssigned);
            }
            if projects.len() <= 1 {
                return Ok(Unassigned::OnlyProject);
            }
            diesel::delete(
                runner_projects::table
                    .filter(runner_projects::runner_id.eq(id.0))
                    .filter(runner_projects::project_id.eq(project.0)),
            )
            .execute(conn)?;
            diesel::update(runners::table.find(id.0))
                .set(runners::updated_at.eq(naive(at)))
                .execute(conn)?;
            Ok(Unassigned::Done)
        })
    }

    fn runner_managers(&self, id: RunnerId) -> RepoResult<Vec<RunnerManager>> {
        let rows: Vec<ManagerRow> = self.run(|conn| {
            runner_managers::table
                .filter(runner_managers::runner_id.eq(id.0))
                .select(ManagerRow::as_select())
                .load(conn)
        })?;
        let mut managers: Vec<RunnerManager> =
            rows.into_iter().map(ManagerRow::into_domain).collect();
        // Most recently contacted first, never-contacted last (portable: sorted here).
        managers.sort_by(|a, b| b.contacted_at.cmp(&a.contacted_at).then(a.id.cmp(&b.id)));
        Ok(managers)
    }

    fn managers_of_runners(&self, ids: &[RunnerId]) -> RepoResult<Vec<RunnerManager>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let rows: Vec<ManagerRow> = self.run(|conn| {
            runner_managers::table
                .filter(runner_managers::runner_id.eq_any(ids))
                .select(ManagerRow::as_select())
                .load(conn)
        })?;
        Ok(rows.into_iter().map(ManagerRow::into_domain).collect())
    }

    fn delete_runner_manager(&self, id: RunnerId, system_id: &str) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::delete(
                runner_managers::table
                    .filter(runner_managers::runner_id.eq(id.0))
                    .filter(runner_managers::system_id.eq(system_id)),
            )
            .execute(conn)
        })?;
        Ok(n > 0)
    }

    fn record_contacts(&self, updates: &[ContactUpdate]) -> RepoResult<()> {
        let mut conn = self.database().conn()?;
        for update in updates {
            // Each update alone: one the database refuses must not hold back the others.
            if let Err(error) = write_transaction(&mut conn, |conn| record_contact(conn, update)) {
                tracing::warn!(
                    runner.id = update.runner.0,
                    error = %crate::error::map(error),
                    "a runner contact could not be written and is dropped"
                );
            }
        }
        Ok(())
    }
}
