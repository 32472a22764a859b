use diesel::IntoSql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use paddock_domain::namespace::{Namespace, NamespaceKind, child_full_name, child_full_path};
use paddock_domain::pagination::PageRequest;
use paddock_domain::token::TokenDigest;
use paddock_domain::{NamespaceId, Role, UserId};
use paddock_ports::outbound::{
    Audience, GroupChanges, GroupFilter, GroupOrder, NamespaceRepository, NewGroup, ParentFilter,
    SealedToken, Sort,
};
use paddock_ports::{Page, RepoError, RepoResult};

use super::reach::Reach;
use super::{Db, DbStore, TxError, contains_pattern, lower, offset_limit, substr, total};
use crate::connection::DbConnection;
use crate::models::{NamespaceRow, all, level, naive};
use crate::schema::{members, namespaces, projects};

fn load(conn: &mut DbConnection, id: i64) -> QueryResult<Option<NamespaceRow>> {
    namespaces::table
        .find(id)
        .select(NamespaceRow::as_select())
        .first(conn)
        .optional()
}

/// Whether a full path is used by a namespace (other than `except`) or a project.
fn path_taken(conn: &mut DbConnection, full_path: &str, except: Option<i64>) -> QueryResult<bool> {
    let lowered = full_path.to_lowercase();
    let namespaces_using = namespaces::table
        .filter(lower(namespaces::full_path).eq(&lowered))
        .filter(namespaces::id.ne(except.unwrap_or(-1)))
        .count()
        .get_result::<i64>(conn)?;
    let projects_using = projects::table
        .filter(lower(projects::path_with_namespace).eq(&lowered))
        .count()
        .get_result::<i64>(conn)?;
    Ok(namespaces_using + projects_using > 0)
}

fn char_len(text: &str) -> i32 {
    i32::try_from(text.chars().count()).unwrap_or(i32::MAX)
}

fn char_start_after(text: &str) -> i32 {
    char_len(text).saturating_add(1)
}

/// The group filter as SQL; `reach` is the audience's membership reach, loaded beforehand.
fn filtered(
    filter: &GroupFilter,
    reach: Option<&Reach>,
    member: Option<&Reach>,
    descendants_prefix: Option<&str>,
) -> namespaces::BoxedQuery<'static, Db> {
    let mut query = namespaces::table
        .filter(namespaces::kind.eq(NamespaceKind::Group.as_str()))
        .into_boxed();
    match filter.parent {
        ParentFilter::Any => {}
        ParentFilter::TopLevel => query = query.filter(namespaces::parent_id.is_null()),
        ParentFilter::ChildrenOf(id) => query = query.filter(namespaces::parent_id.eq(id.0)),
        ParentFilter::DescendantsOf(id) => {
            let prefix = descendants_prefix.unwrap_or("/nothing/");
            query = query
                .filter(namespaces::traversal_ids.like(format!("{prefix}%")))
                .filter(namespaces::id.ne(id.0));
        }
    }
    if let Some(visibility) = filter.visibility {
        query = query.filter(namespaces::visibility.eq(visibility.as_str()));
    }
    if let Some(search) = &filter.search {
        let pattern = contains_pattern(search);
        query = query.filter(
            lower(namespaces::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(namespaces::path).like(pattern).escape('\\')),
        );
    }
    match filter.audience {
        Audience::Everything => {}
        Audience::Anonymous => query = query.filter(namespaces::visibility.eq("public")),
        Audience::User { .. } => {
            let open = namespaces::visibility.eq_any(["public", "internal"]);
            query = match reach {
                Some(reach) => query.filter(open.or(reach.groups())),
                None => query.filter(open),
            };
        }
    }
    if let Some(member) = member {
        query = query.filter(member.groups());
    }
    query
}

impl NamespaceRepository for DbStore {
    fn create_group(&self, new: NewGroup) -> RepoResult<Namespace> {
        let row = self.write(|conn| {
            let parent = match new.parent_id {
                Some(id) => Some(load(conn, id.0)?.ok_or_else(|| {
                    RepoError::Internal(format!("parent namespace {id} is gone"))
                })?),
                None => None,
            };
            let full_path =
                child_full_path(parent.as_ref().map(|p| p.full_path.as_str()), &new.path);
            let full_name =
                child_full_name(parent.as_ref().map(|p| p.full_name.as_str()), &new.name);
            if path_taken(conn, &full_path, None)? {
                return Err(RepoError::Conflict("path".into()).into());
            }
            let id: i64 = diesel::insert_into(namespaces::table)
                .values((
                    namespaces::kind.eq(NamespaceKind::Group.as_str()),
                    namespaces::name.eq(&new.name),
                    namespaces::path.eq(&new.path),
                    namespaces::full_path.eq(&full_path),
                    namespaces::full_name.eq(&full_name),
                    namespaces::parent_id.eq(new.parent_id.map(|p| p.0)),
                    namespaces::description.eq(&new.description),
                    namespaces::visibility.eq(new.visibility.as_str()),
                    namespaces::traversal_ids.eq("/"),
                    namespaces::runners_token_encrypted.eq(Some(&new.runners_token.ciphertext)),
                    namespaces::runners_token_digest.eq(Some(new.runners_token.digest.to_hex())),
                    namespaces::created_at.eq(naive(new.created_at)),
                ))
                .returning(namespaces::id)
                .get_result(conn)?;
            let traversal = format!(
                "{}{id}/",
                parent.as_ref().map_or("/", |p| p.traversal_ids.as_str())
            );
            diesel::update(namespaces::table.find(id))
                .set(namespaces::traversal_ids.eq(&traversal))
                .execute(conn)?;
            diesel::insert_into(members::table)
                .values((
                    members::namespace_id.eq(Some(id)),
                    members::user_id.eq(new.creator.0),
                    members::access_level.eq(level(Role::Owner)),
                    members::created_at.eq(naive(new.created_at)),
                    members::created_by.eq(Some(new.creator.0)),
                ))
                .execute(conn)?;
            load(conn, id)?
                .ok_or_else(|| TxError::Repo(RepoError::Internal("new group vanished".into())))
        })?;
        row.into_domain()
    }

    fn namespace(&self, id: NamespaceId) -> RepoResult<Option<Namespace>> {
        self.run(|conn| load(conn, id.0))?
            .map(NamespaceRow::into_domain)
            .transpose()
    }

    fn namespace_by_full_path(&self, full_path: &str) -> RepoResult<Option<Namespace>> {
        let row = self.run(|conn| {
            namespaces::table
                .filter(lower(namespaces::full_path).eq(full_path.to_lowercase()))
                .select(NamespaceRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(NamespaceRow::into_domain).transpose()
    }

    fn namespaces(&self, ids: &[NamespaceId]) -> RepoResult<Vec<Namespace>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let rows = self.run(|conn| {
            namespaces::table
                .filter(namespaces::id.eq_any(ids))
                .select(NamespaceRow::as_select())
                .load(conn)
        })?;
        all(rows, NamespaceRow::into_domain)
    }

    fn user_namespace(&self, user: UserId) -> RepoResult<Option<Namespace>> {
        let row = self.run(|conn| {
            namespaces::table
                .filter(namespaces::kind.eq(NamespaceKind::User.as_str()))
                .filter(namespaces::owner_id.eq(user.0))
                .select(NamespaceRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(NamespaceRow::into_domain).transpose()
    }

    fn groups(&self, filter: &GroupFilter, page: PageRequest) -> RepoResult<Page<Namespace>> {
        let (offset, limit) = offset_limit(page);
        let (count, rows) = self.run(|conn| {
            let reach = match filter.audience {
                Audience::User { id, now } => Some(Reach::load(conn, id, Role::Guest, now)?),
                _ => None,
            };
            let member = match filter.member {
                Some((user, minimum, now)) => Some(Reach::load(conn, user, minimum, now)?),
                None => None,
            };
            let prefix = match filter.parent {
                ParentFilter::DescendantsOf(id) => load(conn, id.0)?.map(|n| n.traversal_ids),
                _ => None,
            };
            let build = || filtered(filter, reach.as_ref(), member.as_ref(), prefix.as_deref());
            let count: i64 = build().count().get_result(conn)?;
            let query = build().select(NamespaceRow::as_select());
            let query = match (filter.order, filter.sort) {
                (GroupOrder::Name, Sort::Asc) => {
                    query.order((namespaces::name.asc(), namespaces::id.asc()))
                }
                (GroupOrder::Name, Sort::Desc) => {
                    query.order((namespaces::name.desc(), namespaces::id.desc()))
                }
                (GroupOrder::Path, Sort::Asc) => {
                    query.order((namespaces::path.asc(), namespaces::id.asc()))
                }
                (GroupOrder::Path, Sort::Desc) => {
                    query.order((namespaces::path.desc(), namespaces::id.desc()))
                }
                (GroupOrder::Id, Sort::Asc) => query.order(namespaces::id.asc()),
                (GroupOrder::Id, Sort::Desc) => query.order(namespaces::id.desc()),
            };
            let rows = query.offset(offset).limit(limit).load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, NamespaceRow::into_domain)?,
            total: total(count),
        })
    }

    fn update_group(
        &self,
        id: NamespaceId,
        changes: &GroupChanges,
    ) -> RepoResult<Option<Namespace>> {
        let row = self.write(|conn| {
            let Some(current) = load(conn, id.0)? else {
                return Ok(None);
            };
            let parent = match current.parent_id {
                Some(parent) => load(conn, parent)?,
                None => None,
            };
            let path = changes.path.clone().unwrap_or_else(|| current.path.clone());
            let name = changes.name.clone().unwrap_or_else(|| current.name.clone());
            let full_path = child_full_path(parent.as_ref().map(|p| p.full_path.as_str()), &path);
            let full_name = child_full_name(parent.as_ref().map(|p| p.full_name.as_str()), &name);
            let moved = full_path.to_lowercase() != current.full_path.to_lowercase();
            if moved && path_taken(conn, &full_path, Some(id.0))? {
                return Err(RepoError::Conflict("path".into()).into());
            }
            diesel::update(namespaces::table.find(id.0))
                .set((
                    namespaces::name.eq(&name),
                    namespaces::path.eq(&path),
                    namespaces::full_path.eq(&full_path),
                    namespaces::full_name.eq(&full_name),
                    namespaces::description
                        .eq(changes.description.as_ref().unwrap_or(&current.description)),
                    namespaces::visibility.eq(changes
                        .visibility
                        .map_or(current.visibility.as_str(), |v| v.as_str())),
                ))
                .execute(conn)?;
            if full_path != current.full_path || full_name != current.full_name {
                cascade_rename(conn, &current, &full_path, &full_name)?;
            }
            Ok(load(conn, id.0)?)
        })?;
        row.map(NamespaceRow::into_domain).transpose()
    }

    fn delete_group(&self, id: NamespaceId) -> RepoResult<bool> {
        // Subgroups, their projects, memberships, protected branches and group runners go by
        // cascade; project runners left without a project go after them.
        let n = self.write(|conn| {
            let n = diesel::delete(
                namespaces::table
                    .filter(namespaces::id.eq(id.0))
                    .filter(namespaces::kind.eq(NamespaceKind::Group.as_str())),
            )
            .execute(conn)?;
            super::runners::settle_project_runners(conn)?;
            Ok(n)
        })?;
        Ok(n > 0)
    }

    fn group_by_runners_token(&self, digest: &TokenDigest) -> RepoResult<Option<Namespace>> {
        let row = self.run(|conn| {
            namespaces::table
                .filter(namespaces::kind.eq(NamespaceKind::Group.as_str()))
                .filter(namespaces::runners_token_digest.eq(digest.to_hex()))
                .select(NamespaceRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(NamespaceRow::into_domain).transpose()
    }

    fn group_runners_token(&self, id: NamespaceId) -> RepoResult<Option<SealedToken>> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> = self.run(|conn| {
            namespaces::table
                .find(id.0)
                .select((
                    namespaces::runners_token_encrypted,
                    namespaces::runners_token_digest,
                ))
                .first(conn)
                .optional()
        })?;
        match row {
            Some((Some(ciphertext), Some(digest))) => Ok(Some(SealedToken {
                ciphertext,
                digest: TokenDigest::from_hex(&digest)
                    .map_err(|e| RepoError::Internal(e.to_string()))?,
            })),
            _ => Ok(None),
        }
    }

    fn set_group_runners_token(&self, id: NamespaceId, token: &SealedToken) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::update(
                namespaces::table
                    .filter(namespaces::id.eq(id.0))
                    .filter(namespaces::kind.eq(NamespaceKind::Group.as_str())),
            )
            .set((
                namespaces::runners_token_encrypted.eq(Some(&token.ciphertext)),
                namespaces::runners_token_digest.eq(Some(token.digest.to_hex())),
            ))
            .execute(conn)
        })?;
        Ok(n > 0)
    }
}

/// Carries a group's new full path and name down to its descendants and their projects.
fn cascade_rename(
    conn: &mut DbConnection,
    old: &NamespaceRow,
    full_path: &str,
    full_name: &str,
) -> QueryResult<()> {
    let below = format!("{}%", old.traversal_ids);
    diesel::update(
        namespaces::table
            .filter(namespaces::traversal_ids.like(&below))
            .filter(namespaces::id.ne(old.id)),
    )
    .set((
        namespaces::full_path.eq(full_path.to_owned().into_sql::<Text>().concat(substr(
            namespaces::full_path,
            char_start_after(&old.full_path),
        ))),
        namespaces::full_name.eq(full_name.to_owned().into_sql::<Text>().concat(substr(
            namespaces::full_name,
            char_start_after(&old.full_name),
        ))),
    ))
    .execute(conn)?;
    let subtree = namespaces::table
        .filter(namespaces::traversal_ids.like(below))
        .select(namespaces::id);
    diesel::update(projects::table.filter(projects::namespace_id.eq_any(subtree)))
        .set((
            projects::path_with_namespace.eq(full_path.to_owned().into_sql::<Text>().concat(
                substr(
                    projects::path_with_namespace,
                    char_start_after(&old.full_path),
                ),
            )),
            projects::name_with_namespace.eq(full_name.to_owned().into_sql::<Text>().concat(
                substr(
                    projects::name_with_namespace,
                    char_start_after(&old.full_name),
                ),
            )),
        ))
        .execute(conn)?;
    Ok(())
}
