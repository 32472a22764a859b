//! The repository implementations: one `DbStore` over the pool implements every outbound
//! repository trait.

mod artifacts;
mod jobs;
mod members;
mod namespaces;
mod pipelines;
mod projects;
mod protected_branches;
mod reach;
mod runners;
mod settings;
mod tokens;
mod users;
mod variables;

use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use paddock_ports::{RepoError, RepoResult};

use crate::connection::{Database, DbConnection, write_transaction};
use crate::error;

/// The backend type of [`DbConnection`], for boxed queries.
pub(crate) type Db = <DbConnection as Connection>::Backend;

diesel::define_sql_function!(
    /// SQL `lower(text)` (ASCII folding on SQLite; paths and usernames are ASCII).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

diesel::define_sql_function!(
    /// SQL `substr(text, start)`, 1-based, counting characters on both backends.
    fn substr(x: diesel::sql_types::Text, start: diesel::sql_types::Integer) -> diesel::sql_types::Text
);

diesel::define_sql_function!(
    /// SQL `substr(text, start, length)`.
    #[sql_name = "substr"]
    fn substr_len(
        x: diesel::sql_types::Text,
        start: diesel::sql_types::Integer,
        length: diesel::sql_types::Integer
    ) -> diesel::sql_types::Text
);

/// Every repository over one database.
#[derive(Debug, Clone)]
pub struct DbStore {
    db: Database,
}

/// An error inside a transaction: a diesel error, or a repository decision (a conflict found
/// by a check) that must roll the transaction back.
pub(crate) enum TxError {
    Diesel(diesel::result::Error),
    Repo(RepoError),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Diesel(e)
    }
}

impl From<RepoError> for TxError {
    fn from(e: RepoError) -> Self {
        TxError::Repo(e)
    }
}

impl From<TxError> for RepoError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Diesel(e) => error::map(e),
            TxError::Repo(e) => e,
        }
    }
}

impl DbStore {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Runs one or more statements outside an explicit transaction.
    pub(crate) fn run<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
    ) -> RepoResult<T> {
        let mut conn = self.db.conn()?;
        f(&mut conn).map_err(error::map)
    }

    /// Runs reads (or a single write statement) outside an explicit transaction, where `f`
    /// may also fail with a repository decision (a corrupt row).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, TxError>,
    ) -> RepoResult<T> {
        let mut conn = self.db.conn()?;
        f(&mut conn).map_err(RepoError::from)
    }

    /// Runs `f` in a write transaction (immediate on SQLite, in this process's turn).
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, TxError>,
    ) -> RepoResult<T> {
        let mut conn = self.db.conn()?;
        let _turn = self.db.writer_turn();
        write_transaction(&mut conn, f).map_err(RepoError::from)
    }

    /// Runs one write statement (and reads) outside an explicit transaction, on SQLite in
    /// this process's turn.
    pub(crate) fn write_one<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, TxError>,
    ) -> RepoResult<T> {
        let mut conn = self.db.conn()?;
        let _turn = self.db.writer_turn();
        f(&mut conn).map_err(RepoError::from)
    }
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` escaped (use with
/// `.escape('\\')`), lower-cased for case-insensitive search against `lower(column)`.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub(crate) fn offset_limit(page: paddock_domain::pagination::PageRequest) -> (i64, i64) {
    (
        i64::try_from(page.offset()).unwrap_or(i64::MAX),
        i64::try_from(page.limit()).unwrap_or(100),
    )
}

pub(crate) fn total(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

/// `SELECT COUNT(*) FROM (<query>) AS counted`: counts the rows of a query with its own
/// `LIMIT`, so that a count stops at [`PageRequest::count_limit`] (diesel's `count()`
/// counts a whole table expression).
///
/// [`PageRequest::count_limit`]: paddock_domain::pagination::PageRequest::count_limit
#[derive(Debug, Clone, QueryId)]
pub(crate) struct CountRows<Q>(pub Q);

impl<Q> Query for CountRows<Q> {
    type SqlType = diesel::sql_types::BigInt;
}

impl<Q: QueryFragment<Db>> QueryFragment<Db> for CountRows<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Db>) -> QueryResult<()> {
        out.push_sql("SELECT COUNT(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS counted");
        Ok(())
    }
}

impl<Q, C> RunQueryDsl<C> for CountRows<Q> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a_b%C\\"), "%a\\_b\\%c\\\\%");
    }
}
