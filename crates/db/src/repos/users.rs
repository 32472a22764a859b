use diesel::prelude::*;
use paddock_domain::UserId;
use paddock_domain::namespace::{NamespaceKind, encode_traversal};
use paddock_domain::pagination::PageRequest;
use paddock_domain::user::{User, UserState};
use paddock_domain::{NamespaceId, Visibility};
use paddock_ports::outbound::{NewUser, Sort, UserFilter, UserRepository};
use paddock_ports::{Page, RepoError, RepoResult};

use super::{Db, DbStore, TxError, contains_pattern, lower, offset_limit, total};
use crate::models::{UserRow, all, naive};
use crate::schema::{namespaces, projects, users};

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, Db> {
    let mut query = users::table.into_boxed();
    if let Some(username) = &filter.username {
        query = query.filter(lower(users::username).eq(username.to_lowercase()));
    }
    if let Some(search) = &filter.search {
        let pattern = contains_pattern(search);
        query = query.filter(
            lower(users::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::name).like(pattern.clone()).escape('\\'))
                .or(lower(users::email).like(pattern).escape('\\')),
        );
    }
    if filter.active_only {
        query = query.filter(users::state.eq(UserState::Active.as_str()));
    }
    if filter.blocked_only {
        query = query.filter(users::state.eq(UserState::Blocked.as_str()));
    }
    if filter.admins_only {
        query = query.filter(users::admin.eq(true));
    }
    query
}

impl UserRepository for DbStore {
    fn create_user(&self, new: NewUser) -> RepoResult<User> {
        self.write(|conn| {
            let lowered = new.username.to_lowercase();
            let path_taken = namespaces::table
                .filter(lower(namespaces::full_path).eq(&lowered))
                .count()
                .get_result::<i64>(conn)?
                + projects::table
                    .filter(lower(projects::path_with_namespace).eq(&lowered))
                    .count()
                    .get_result::<i64>(conn)?;
            if path_taken > 0 {
                return Err(RepoError::Conflict("username".into()).into());
            }
            let id: i64 = diesel::insert_into(users::table)
                .values((
                    users::username.eq(&new.username),
                    users::name.eq(&new.name),
                    users::email.eq(&new.email),
                    users::admin.eq(new.admin),
                    users::state.eq(UserState::Active.as_str()),
                    users::created_at.eq(naive(new.created_at)),
                ))
                .returning(users::id)
                .get_result(conn)?;
            let namespace_id: i64 = diesel::insert_into(namespaces::table)
                .values((
                    namespaces::kind.eq(NamespaceKind::User.as_str()),
                    namespaces::name.eq(&new.name),
                    namespaces::path.eq(&new.username),
                    namespaces::full_path.eq(&new.username),
                    namespaces::full_name.eq(&new.name),
                    namespaces::owner_id.eq(id),
                    namespaces::description.eq(""),
                    namespaces::visibility.eq(Visibility::Public.as_str()),
                    namespaces::traversal_ids.eq("/"),
                    namespaces::created_at.eq(naive(new.created_at)),
                ))
                .returning(namespaces::id)
                .get_result(conn)
                .map_err(|e| match crate::error::map(e) {
                    RepoError::Conflict(_) => TxError::Repo(RepoError::Conflict("username".into())),
                    other => TxError::Repo(other),
                })?;
            diesel::update(namespaces::table.find(namespace_id))
                .set(namespaces::traversal_ids.eq(encode_traversal(&[NamespaceId(namespace_id)])))
                .execute(conn)?;
            Ok(User {
                id: UserId(id),
                username: new.username,
                name: new.name,
                email: new.email,
                admin: new.admin,
                state: UserState::Active,
                created_at: new.created_at,
            })
        })
    }

    fn user(&self, id: UserId) -> RepoResult<Option<User>> {
        let row = self.run(|conn| {
            users::table
                .find(id.0)
                .select(UserRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(UserRow::into_domain).transpose()
    }

    fn user_by_username(&self, username: &str) -> RepoResult<Option<User>> {
        let row = self.run(|conn| {
            users::table
                .filter(lower(users::username).eq(username.to_lowercase()))
                .select(UserRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(UserRow::into_domain).transpose()
    }

    fn users(&self, filter: &UserFilter, page: PageRequest) -> RepoResult<Page<User>> {
        let (offset, limit) = offset_limit(page);
        let (count, rows) = self.run(|conn| {
            let count: i64 = filtered(filter).count().get_result(conn)?;
            let query = filtered(filter).select(UserRow::as_select());
            let query = match filter.sort {
                Sort::Asc => query.order(users::id.asc()),
                Sort::Desc => query.order(users::id.desc()),
            };
            let rows = query.offset(offset).limit(limit).load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, UserRow::into_domain)?,
            total: total(count),
        })
    }

    fn delete_user(&self, id: UserId) -> RepoResult<bool> {
        // Tokens, the personal namespace (with its projects) and memberships go by cascade.
        let deleted = self.write(|conn| {
            let n = diesel::delete(users::table.find(id.0)).execute(conn)?;
            super::runners::settle_project_runners(conn)?;
            Ok(n)
        })?;
        Ok(deleted > 0)
    }
}
