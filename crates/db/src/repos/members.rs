use chrono::{DateTime, Utc};
use diesel::prelude::*;
use paddock_domain::member::Membership;
use paddock_domain::pagination::PageRequest;
use paddock_domain::{MemberSource, Role, UserId};
use paddock_ports::outbound::{MemberRepository, MemberWithUser};
use paddock_ports::{Page, RepoError, RepoResult};

use super::{Db, DbStore, contains_pattern, lower, offset_limit, total};
use crate::models::{MemberRow, UserRow, all, level, naive};
use crate::schema::{members, users};

fn of_source(source: MemberSource) -> members::BoxedQuery<'static, Db> {
    match source {
        MemberSource::Group(id) => members::table
            .filter(members::namespace_id.eq(id.0))
            .into_boxed(),
        MemberSource::Project(id) => members::table
            .filter(members::project_id.eq(id.0))
            .into_boxed(),
    }
}

fn with_user((member, user): (MemberRow, UserRow)) -> RepoResult<MemberWithUser> {
    Ok(MemberWithUser {
        membership: member.into_domain()?,
        user: user.into_domain()?,
    })
}

impl MemberRepository for DbStore {
    fn add_member(&self, m: &Membership) -> RepoResult<()> {
        let (namespace_id, project_id) = match m.source {
            MemberSource::Group(id) => (Some(id.0), None),
            MemberSource::Project(id) => (None, Some(id.0)),
        };
        self.run(|conn| {
            diesel::insert_into(members::table)
                .values((
                    members::namespace_id.eq(namespace_id),
                    members::project_id.eq(project_id),
                    members::user_id.eq(m.user_id.0),
                    members::access_level.eq(level(m.role)),
                    members::created_at.eq(naive(m.created_at)),
                    members::expires_at.eq(m.expires_at.map(naive)),
                    members::created_by.eq(m.created_by.map(|u| u.0)),
                ))
                .execute(conn)
        })
        .map_err(|e| match e {
            // Both unique indexes of `members` are (source, user); SQLite reports their columns,
            // not their names, so the rule is named here.
            RepoError::Conflict(_) => RepoError::Conflict("member".into()),
            other => other,
        })?;
        Ok(())
    }

    fn update_member(
        &self,
        source: MemberSource,
        user: UserId,
        role: Role,
        expires_at: Option<Option<DateTime<Utc>>>,
    ) -> RepoResult<Option<Membership>> {
        let row = self.write(|conn| {
            let target = of_source(source)
                .filter(members::user_id.eq(user.0))
                .select(members::id)
                .first::<i64>(conn)
                .optional()?;
            let Some(id) = target else { return Ok(None) };
            match expires_at {
                Some(at) => diesel::update(members::table.find(id))
                    .set((
                        members::access_level.eq(level(role)),
                        members::expires_at.eq(at.map(naive)),
                    ))
                    .execute(conn)?,
                None => diesel::update(members::table.find(id))
                    .set(members::access_level.eq(level(role)))
                    .execute(conn)?,
            };
            Ok(members::table
                .find(id)
                .select(MemberRow::as_select())
                .first(conn)
                .optional()?)
        })?;
        row.map(MemberRow::into_domain).transpose()
    }

    fn remove_member(&self, source: MemberSource, user: UserId) -> RepoResult<bool> {
        let n = self.run(|conn| match source {
            MemberSource::Group(id) => diesel::delete(
                members::table
                    .filter(members::namespace_id.eq(id.0))
                    .filter(members::user_id.eq(user.0)),
            )
            .execute(conn),
            MemberSource::Project(id) => diesel::delete(
                members::table
                    .filter(members::project_id.eq(id.0))
                    .filter(members::user_id.eq(user.0)),
            )
            .execute(conn),
        })?;
        Ok(n > 0)
    }

    fn member(&self, source: MemberSource, user: UserId) -> RepoResult<Option<MemberWithUser>> {
        let row = self.run(|conn| {
            of_source(source)
                .inner_join(users::table)
                .filter(members::user_id.eq(user.0))
                .select((MemberRow::as_select(), UserRow::as_select()))
                .first(conn)
                .optional()
        })?;
        row.map(with_user).transpose()
    }

    fn members(
        &self,
        source: MemberSource,
        query: Option<&str>,
        page: PageRequest,
    ) -> RepoResult<Page<MemberWithUser>> {
        let (offset, limit) = offset_limit(page);
        let pattern = query.map(contains_pattern);
        let filtered = || {
            let q = of_source(source).inner_join(users::table);
            match &pattern {
                Some(p) => q.filter(
                    lower(users::username)
                        .like(p.clone())
                        .escape('\\')
                        .or(lower(users::name).like(p.clone()).escape('\\')),
                ),
                None => q,
            }
        };
        let (count, rows) = self.run(|conn| {
            let count: i64 = filtered().count().get_result(conn)?;
            let rows = filtered()
                .select((MemberRow::as_select(), UserRow::as_select()))
                .order(users::id.asc())
                .offset(offset)
                .limit(limit)
                .load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, with_user)?,
            total: total(count),
        })
    }

    fn memberships_of(
        &self,
        user: UserId,
        sources: &[MemberSource],
    ) -> RepoResult<Vec<Membership>> {
        let groups: Vec<i64> = sources
            .iter()
            .filter_map(|s| match s {
                MemberSource::Group(id) => Some(id.0),
                MemberSource::Project(_) => None,
            })
            .collect();
        let projects: Vec<i64> = sources
            .iter()
            .filter_map(|s| match s {
                MemberSource::Project(id) => Some(id.0),
                MemberSource::Group(_) => None,
            })
            .collect();
        let rows = self.run(|conn| {
            members::table
                .filter(members::user_id.eq(user.0))
                .filter(
                    members::namespace_id
                        .eq_any(groups)
                        .or(members::project_id.eq_any(projects)),
                )
                .select(MemberRow::as_select())
                .load(conn)
        })?;
        all(rows, MemberRow::into_domain)
    }

    fn count_owners(&self, source: MemberSource) -> RepoResult<u64> {
        let n: i64 = self.run(|conn| {
            of_source(source)
                .filter(members::access_level.eq(level(Role::Owner)))
                .count()
                .get_result(conn)
        })?;
        Ok(total(n))
    }
}
