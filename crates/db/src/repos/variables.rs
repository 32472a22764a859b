//! The variable repository: a project's CI/CD variables, values stored sealed.

use diesel::prelude::*;
use paddock_domain::ProjectId;
use paddock_domain::pagination::PageRequest;
use paddock_ports::outbound::{NewVariable, StoredVariable, VariableChanges, VariableRepository};
use paddock_ports::{Page, RepoResult};

use super::{Db, DbStore, TxError, offset_limit, total};
use crate::connection::DbConnection;
use crate::models::{VariableRow, all};
use crate::schema::project_variables;

/// A project's variables, by key (then scope and id).
fn of_project(project: ProjectId) -> project_variables::BoxedQuery<'static, Db> {
    project_variables::table
        .into_boxed()
        .filter(project_variables::project_id.eq(project.0))
        .order((
            project_variables::key.asc(),
            project_variables::environment_scope.asc(),
            project_variables::id.asc(),
        ))
}

/// The variable of a key (of any scope: the first by scope when there are several).
fn by_key(
    conn: &mut DbConnection,
    project: ProjectId,
    key: &str,
) -> QueryResult<Option<VariableRow>> {
    of_project(project)
        .filter(project_variables::key.eq(key.to_owned()))
        .select(VariableRow::as_select())
        .first(conn)
        .optional()
}

/// Only the given fields.
#[derive(AsChangeset)]
#[diesel(table_name = project_variables)]
struct VariableChangeset<'a> {
    value_sealed: Option<&'a [u8]>,
    variable_type: Option<&'static str>,
    protected: Option<bool>,
    masked: Option<bool>,
    raw: Option<bool>,
    description: Option<Option<&'a str>>,
}

impl<'a> VariableChangeset<'a> {
    fn of(changes: &'a VariableChanges) -> Self {
        Self {
            value_sealed: changes.sealed_value.as_deref(),
            variable_type: changes.variable_type.map(|t| t.as_str()),
            protected: changes.protected,
            masked: changes.masked,
            raw: changes.raw,
            description: changes.description.as_ref().map(|d| d.as_deref()),
        }
    }
}

impl VariableRepository for DbStore {
    fn create_variable(&self, new: NewVariable) -> RepoResult<StoredVariable> {
        let row: VariableRow = self.run(|conn| {
            diesel::insert_into(project_variables::table)
                .values((
                    project_variables::project_id.eq(new.project_id.0),
                    project_variables::key.eq(&new.key),
                    project_variables::value_sealed.eq(&new.sealed_value),
                    project_variables::variable_type.eq(new.variable_type.as_str()),
                    project_variables::protected.eq(new.protected),
                    project_variables::masked.eq(new.masked),
                    project_variables::raw.eq(new.raw),
                    project_variables::environment_scope.eq(&new.environment_scope),
                    project_variables::description.eq(&new.description),
                ))
                .returning(VariableRow::columns())
                .get_result(conn)
        })?;
        row.into_domain()
    }

    fn variable(&self, project: ProjectId, key: &str) -> RepoResult<Option<StoredVariable>> {
        self.run(|conn| by_key(conn, project, key))?
            .map(VariableRow::into_domain)
            .transpose()
    }

    fn variables(&self, project: ProjectId, page: PageRequest) -> RepoResult<Page<StoredVariable>> {
        let (offset, limit) = offset_limit(page);
        let (count, rows) = self.run(|conn| {
            let count: i64 = project_variables::table
                .filter(project_variables::project_id.eq(project.0))
                .count()
                .get_result(conn)?;
            let rows: Vec<VariableRow> = of_project(project)
                .offset(offset)
                .limit(limit)
                .select(VariableRow::as_select())
                .load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, VariableRow::into_domain)?,
            total: total(count),
        })
    }

    fn all_variables(&self, project: ProjectId) -> RepoResult<Vec<StoredVariable>> {
        let rows: Vec<VariableRow> = self.run(|conn| {
            of_project(project)
                .select(VariableRow::as_select())
                .load(conn)
        })?;
        all(rows, VariableRow::into_domain)
    }

    fn update_variable(
        &self,
        project: ProjectId,
        key: &str,
        changes: &VariableChanges,
    ) -> RepoResult<Option<StoredVariable>> {
        let row = self.write(|conn| {
            let Some(current) = by_key(conn, project, key)? else {
                return Ok(None);
            };
            // Diesel refuses an empty changeset: update the row only when a field changes.
            if *changes == VariableChanges::default() {
                return Ok(Some(current));
            }
            let row: VariableRow = diesel::update(project_variables::table.find(current.id))
                .set(&VariableChangeset::of(changes))
                .returning(VariableRow::columns())
                .get_result(conn)?;
            Ok::<_, TxError>(Some(row))
        })?;
        row.map(VariableRow::into_domain).transpose()
    }

    fn delete_variable(&self, project: ProjectId, key: &str) -> RepoResult<bool> {
        let n = self.write(|conn| {
            let Some(current) = by_key(conn, project, key)? else {
                return Ok(0);
            };
            Ok::<_, TxError>(
                diesel::delete(project_variables::table.find(current.id)).execute(conn)?,
            )
        })?;
        Ok(n > 0)
    }
}
