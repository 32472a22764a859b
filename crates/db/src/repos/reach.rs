//! What a user reaches through memberships, as SQL filters: the groups (by traversal prefix)
//! and projects they are members of with at least some role, and their personal namespace.
//! Lists of groups and projects use it for visibility and for `membership` filters.

use chrono::{DateTime, Utc};
use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use paddock_domain::{Role, UserId};

use super::Db;
use crate::connection::DbConnection;
use crate::models::{level, naive};
use crate::schema::{members, namespaces, projects};

pub(crate) type NamespaceExpr = Box<dyn BoxableExpression<namespaces::table, Db, SqlType = Bool>>;
pub(crate) type ProjectExpr = Box<dyn BoxableExpression<projects::table, Db, SqlType = Bool>>;

/// A user's reach with at least one role.
pub(crate) struct Reach {
    user: i64,
    /// Traversal prefixes (`/1/5/`) of groups the user is a member of; a prefix below another
    /// is dropped.
    prefixes: Vec<String>,
    project_ids: Vec<i64>,
}

impl Reach {
    pub fn load(
        conn: &mut DbConnection,
        user: UserId,
        minimum: Role,
        now: DateTime<Utc>,
    ) -> QueryResult<Self> {
        let active = members::expires_at
            .is_null()
            .or(members::expires_at.gt(naive(now)));
        let mut prefixes: Vec<String> = members::table
            .inner_join(namespaces::table.on(members::namespace_id.eq(namespaces::id.nullable())))
            .filter(members::user_id.eq(user.0))
            .filter(members::access_level.ge(level(minimum)))
            .filter(active)
            .select(namespaces::traversal_ids)
            .load(conn)?;
        prefixes.sort();
        let mut kept: Vec<String> = Vec::with_capacity(prefixes.len());
        for prefix in prefixes {
            if !kept.iter().any(|k| prefix.starts_with(k.as_str())) {
                kept.push(prefix);
            }
        }
        let project_ids = members::table
            .filter(members::user_id.eq(user.0))
            .filter(members::access_level.ge(level(minimum)))
            .filter(
                members::expires_at
                    .is_null()
                    .or(members::expires_at.gt(naive(now))),
            )
            .filter(members::project_id.is_not_null())
            .select(members::project_id.assume_not_null())
            .load(conn)?;
        Ok(Self {
            user: user.0,
            prefixes: kept,
            project_ids,
        })
    }

    /// Groups the user reaches: the member groups and everything below them.
    pub fn groups(&self) -> NamespaceExpr {
        let prefixes: Vec<NamespaceExpr> = self
            .prefixes
            .iter()
            .map(|p| Box::new(namespaces::traversal_ids.like(format!("{p}%"))) as NamespaceExpr)
            .collect();
        any_of(prefixes)
    }

    /// Namespaces the user reaches: reached groups and the personal namespace.
    fn namespaces(&self) -> NamespaceExpr {
        Box::new(
            namespaces::owner_id
                .assume_not_null()
                .eq(self.user)
                .or(self.groups()),
        )
    }

    /// Projects the user reaches: direct memberships and projects of reached namespaces. The
    /// namespace ids are resolved here (a boxed filter cannot sit inside a subquery).
    pub fn projects(&self, conn: &mut DbConnection) -> QueryResult<ProjectReach> {
        let namespace_ids: Vec<i64> = namespaces::table
            .into_boxed()
            .filter(self.namespaces())
            .select(namespaces::id)
            .load(conn)?;
        Ok(ProjectReach {
            project_ids: self.project_ids.clone(),
            namespace_ids,
        })
    }
}

/// The projects a user reaches, resolved to ids.
pub(crate) struct ProjectReach {
    project_ids: Vec<i64>,
    namespace_ids: Vec<i64>,
}

impl ProjectReach {
    pub fn expr(&self) -> ProjectExpr {
        Box::new(
            projects::id
                .eq_any(self.project_ids.clone())
                .or(projects::namespace_id.eq_any(self.namespace_ids.clone())),
        )
    }
}

/// `a OR b OR ...` as a balanced tree (SQLite limits expression depth); false when empty.
fn any_of(mut exprs: Vec<NamespaceExpr>) -> NamespaceExpr {
    match exprs.len() {
        0 => Box::new(not(namespaces::id.eq(namespaces::id))),
        1 => exprs.remove(0),
        n => {
            let right = exprs.split_off(n / 2);
            Box::new(any_of(exprs).or(any_of(right)))
        }
    }
}
