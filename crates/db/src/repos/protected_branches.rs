use diesel::prelude::*;
use paddock_domain::pagination::PageRequest;
use paddock_domain::protected_branch::ProtectedBranch;
use paddock_domain::{ProjectId, ProtectedBranchId};
use paddock_ports::outbound::{NewProtectedBranch, ProtectedBranchRepository};
use paddock_ports::{Page, RepoError, RepoResult};

use super::{DbStore, offset_limit, total};
use crate::models::{ProtectedBranchRow, all, naive};
use crate::schema::protected_branches as pb;

fn level(l: paddock_domain::protected_branch::BranchAccessLevel) -> i32 {
    i32::try_from(l.level()).unwrap_or(i32::MAX)
}

impl ProtectedBranchRepository for DbStore {
    fn create_protected_branch(&self, new: NewProtectedBranch) -> RepoResult<ProtectedBranch> {
        let id: i64 = self
            .run(|conn| {
                diesel::insert_into(pb::table)
                    .values((
                        pb::project_id.eq(new.project_id.0),
                        pb::name.eq(&new.name),
                        pb::push_access_level.eq(level(new.push_access_level)),
                        pb::merge_access_level.eq(level(new.merge_access_level)),
                        pb::allow_force_push.eq(new.allow_force_push),
                        pb::created_at.eq(naive(new.created_at)),
                    ))
                    .returning(pb::id)
                    .get_result(conn)
            })
            .map_err(|e| match e {
                // The one unique index is (project, name); SQLite reports its columns, not its name,
                // so the rule is named here.
                RepoError::Conflict(_) => RepoError::Conflict("name".into()),
                other => other,
            })?;
        Ok(ProtectedBranch {
            id: ProtectedBranchId(id),
            project_id: new.project_id,
            name: new.name,
            push_access_level: new.push_access_level,
            merge_access_level: new.merge_access_level,
            allow_force_push: new.allow_force_push,
            created_at: new.created_at,
        })
    }

    fn protected_branch(
        &self,
        project: ProjectId,
        name: &str,
    ) -> RepoResult<Option<ProtectedBranch>> {
        let row = self.run(|conn| {
            pb::table
                .filter(pb::project_id.eq(project.0))
                .filter(pb::name.eq(name))
                .select(ProtectedBranchRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(ProtectedBranchRow::into_domain).transpose()
    }

    fn protected_branches(
        &self,
        project: ProjectId,
        page: PageRequest,
    ) -> RepoResult<Page<ProtectedBranch>> {
        let (offset, limit) = offset_limit(page);
        let (count, rows) = self.run(|conn| {
            let count: i64 = pb::table
                .filter(pb::project_id.eq(project.0))
                .count()
                .get_result(conn)?;
            let rows = pb::table
                .filter(pb::project_id.eq(project.0))
                .order(pb::id.asc())
                .offset(offset)
                .limit(limit)
                .select(ProtectedBranchRow::as_select())
                .load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, ProtectedBranchRow::into_domain)?,
            total: total(count),
        })
    }

    fn delete_protected_branch(&self, project: ProjectId, name: &str) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::delete(
                pb::table
                    .filter(pb::project_id.eq(project.0))
                    .filter(pb::name.eq(name)),
            )
            .execute(conn)
        })?;
        Ok(n > 0)
    }
}
