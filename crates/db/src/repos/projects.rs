use diesel::prelude::*;
use paddock_domain::namespace::{child_full_name, child_full_path};
use paddock_domain::pagination::PageRequest;
use paddock_domain::project::Project;
use paddock_domain::token::TokenDigest;
use paddock_domain::{ProjectId, Role};
use paddock_ports::outbound::{
    Audience, NewProject, ProjectChanges, ProjectFilter, ProjectOrder, ProjectRepository,
    SealedToken, Sort,
};
use paddock_ports::{Page, RepoError, RepoResult};

use super::reach::{ProjectReach, Reach};
use super::{Db, DbStore, TxError, contains_pattern, lower, offset_limit, total};
use crate::connection::DbConnection;
use crate::models::{NamespaceRow, ProjectRow, all, level, naive};
use crate::schema::{members, namespaces, projects};

fn load(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ProjectRow>> {
    projects::table
        .find(id)
        .select(ProjectRow::as_select())
        .first(conn)
        .optional()
}

fn namespace_path_taken(conn: &mut DbConnection, full_path: &str) -> QueryResult<bool> {
    let n: i64 = namespaces::table
        .filter(lower(namespaces::full_path).eq(full_path.to_lowercase()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

fn filtered(
    filter: &ProjectFilter,
    reach: Option<&ProjectReach>,
    member: Option<&ProjectReach>,
    subtree_prefix: Option<&str>,
) -> projects::BoxedQuery<'static, Db> {
    let mut query = projects::table.into_boxed();
    match (filter.namespace, subtree_prefix) {
        (None, _) => {}
        (Some((id, false)), _) | (Some((id, true)), None) => {
            query = query.filter(projects::namespace_id.eq(id.0));
        }
        (Some((_, true)), Some(prefix)) => {
            let subtree = namespaces::table
                .filter(namespaces::traversal_ids.like(format!("{prefix}%")))
                .select(namespaces::id);
            query = query.filter(projects::namespace_id.eq_any(subtree));
        }
    }
    if let Some(visibility) = filter.visibility {
        query = query.filter(projects::visibility.eq(visibility.as_str()));
    }
    if let Some(search) = &filter.search {
        let pattern = contains_pattern(search);
        query = query.filter(
            lower(projects::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(projects::path).like(pattern).escape('\\')),
        );
    }
    match filter.audience {
        Audience::Everything => {}
        Audience::Anonymous => query = query.filter(projects::visibility.eq("public")),
        Audience::User { .. } => {
            let open = projects::visibility.eq_any(["public", "internal"]);
            query = match reach {
                Some(reach) => query.filter(open.or(reach.expr())),
                None => query.filter(open),
            };
        }
    }
    if let Some(member) = member {
        query = query.filter(member.expr());
    }
    query
}

fn sealed(ciphertext: Vec<u8>, digest: &str) -> RepoResult<SealedToken> {
    Ok(SealedToken {
        ciphertext,
        digest: TokenDigest::from_hex(digest).map_err(|e| RepoError::Internal(e.to_string()))?,
    })
}

impl ProjectRepository for DbStore {
    fn create_project(&self, new: NewProject) -> RepoResult<Project> {
        let row = self.write(|conn| {
            let namespace: NamespaceRow = namespaces::table
                .find(new.namespace_id.0)
                .select(NamespaceRow::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    RepoError::Internal(format!("namespace {} is gone", new.namespace_id))
                })?;
            let full_path = child_full_path(Some(&namespace.full_path), &new.path);
            if namespace_path_taken(conn, &full_path)? {
                return Err(RepoError::Conflict("path".into()).into());
            }
            let id: i64 = diesel::insert_into(projects::table)
                .values((
                    projects::name.eq(&new.name),
                    projects::path.eq(&new.path),
                    projects::description.eq(&new.description),
                    projects::namespace_id.eq(new.namespace_id.0),
                    projects::path_with_namespace.eq(&full_path),
                    projects::name_with_namespace
                        .eq(child_full_name(Some(&namespace.full_name), &new.name)),
                    projects::visibility.eq(new.visibility.as_str()),
                    projects::default_branch.eq(&new.default_branch),
                    projects::repository_url.eq(&new.repository_url),
                    projects::ci_config.eq(&new.ci_config),
                    projects::shared_runners_enabled.eq(new.shared_runners_enabled),
                    projects::group_runners_enabled.eq(new.group_runners_enabled),
                    projects::creator_id.eq(Some(new.creator_id.0)),
                    projects::runners_token_encrypted.eq(&new.runners_token.ciphertext),
                    projects::runners_token_digest.eq(new.runners_token.digest.to_hex()),
                    projects::created_at.eq(naive(new.created_at)),
                    projects::updated_at.eq(naive(new.created_at)),
                ))
                .returning(projects::id)
                .get_result(conn)?;
            if let Some(role) = new.creator_role {
                diesel::insert_into(members::table)
                    .values((
                        members::project_id.eq(Some(id)),
                        members::user_id.eq(new.creator_id.0),
                        members::access_level.eq(level(role)),
                        members::created_at.eq(naive(new.created_at)),
                        members::created_by.eq(Some(new.creator_id.0)),
                    ))
                    .execute(conn)?;
            }
            load(conn, id)?
                .ok_or_else(|| TxError::Repo(RepoError::Internal("new project vanished".into())))
        })?;
        row.into_domain()
    }

    fn project(&self, id: ProjectId) -> RepoResult<Option<Project>> {
        self.run(|conn| load(conn, id.0))?
            .map(ProjectRow::into_domain)
            .transpose()
    }

    fn project_by_full_path(&self, full_path: &str) -> RepoResult<Option<Project>> {
        let row = self.run(|conn| {
            projects::table
                .filter(lower(projects::path_with_namespace).eq(full_path.to_lowercase()))
                .select(ProjectRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(ProjectRow::into_domain).transpose()
    }

    fn projects(&self, filter: &ProjectFilter, page: PageRequest) -> RepoResult<Page<Project>> {
        let (offset, limit) = offset_limit(page);
        let (count, rows) = self.run(|conn| {
            let reach = match filter.audience {
                Audience::User { id, now } => {
                    Some(Reach::load(conn, id, Role::Guest, now)?.projects(conn)?)
                }
                _ => None,
            };
            let member = match filter.member {
                Some((user, minimum, now)) => {
                    Some(Reach::load(conn, user, minimum, now)?.projects(conn)?)
                }
                None => None,
            };
            let prefix: Option<String> = match filter.namespace {
                Some((id, true)) => namespaces::table
                    .find(id.0)
                    .select(namespaces::traversal_ids)
                    .first(conn)
                    .optional()?,
                _ => None,
            };
            let build = || filtered(filter, reach.as_ref(), member.as_ref(), prefix.as_deref());
            let count: i64 = build().count().get_result(conn)?;
            let query = build().select(ProjectRow::as_select());
            let query = match (filter.order, filter.sort) {
                (ProjectOrder::Id, Sort::Asc) => query.order(projects::id.asc()),
                (ProjectOrder::Id, Sort::Desc) => query.order(projects::id.desc()),
                (ProjectOrder::Name, Sort::Asc) => {
                    query.order((projects::name.asc(), projects::id.asc()))
                }
                (ProjectOrder::Name, Sort::Desc) => {
                    query.order((projects::name.desc(), projects::id.desc()))
                }
                (ProjectOrder::Path, Sort::Asc) => {
                    query.order((projects::path.asc(), projects::id.asc()))
                }
                (ProjectOrder::Path, Sort::Desc) => {
                    query.order((projects::path.desc(), projects::id.desc()))
                }
                (ProjectOrder::CreatedAt, Sort::Asc) => {
                    query.order((projects::created_at.asc(), projects::id.asc()))
                }
                (ProjectOrder::CreatedAt, Sort::Desc) => {
                    query.order((projects::created_at.desc(), projects::id.desc()))
                }
                (ProjectOrder::UpdatedAt, Sort::Asc) => {
                    query.order((projects::updated_at.asc(), projects::id.asc()))
                }
                (ProjectOrder::UpdatedAt, Sort::Desc) => {
                    query.order((projects::updated_at.desc(), projects::id.desc()))
                }
            };
            let rows = query.offset(offset).limit(limit).load(conn)?;
            Ok((count, rows))
        })?;
        Ok(Page {
            items: all(rows, ProjectRow::into_domain)?,
            total: total(count),
        })
    }

    fn update_project(
        &self,
        id: ProjectId,
        changes: &ProjectChanges,
    ) -> RepoResult<Option<Project>> {
        let row = self.write(|conn| {
            let Some(current) = load(conn, id.0)? else {
                return Ok(None);
            };
            let namespace: NamespaceRow = namespaces::table
                .find(current.namespace_id)
                .select(NamespaceRow::as_select())
                .first(conn)?;
            let path = changes.path.clone().unwrap_or_else(|| current.path.clone());
            let name = changes.name.clone().unwrap_or_else(|| current.name.clone());
            let full_path = child_full_path(Some(&namespace.full_path), &path);
            let moved = full_path.to_lowercase() != current.path_with_namespace.to_lowercase();
            if moved && namespace_path_taken(conn, &full_path)? {
                return Err(RepoError::Conflict("path".into()).into());
            }
            diesel::update(projects::table.find(id.0))
                .set((
                    projects::name.eq(&name),
                    projects::path.eq(&path),
                    projects::path_with_namespace.eq(&full_path),
                    projects::name_with_namespace
                        .eq(child_full_name(Some(&namespace.full_name), &name)),
                    projects::description
                        .eq(changes.description.as_ref().unwrap_or(&current.description)),
                    projects::visibility.eq(changes
                        .visibility
                        .map_or(current.visibility.as_str(), |v| v.as_str())),
                    projects::default_branch.eq(changes
                        .default_branch
                        .as_ref()
                        .unwrap_or(&current.default_branch)),
                    projects::repository_url.eq(changes
                        .repository_url
                        .as_ref()
                        .unwrap_or(&current.repository_url)),
                    projects::ci_config
                        .eq(changes.ci_config.as_ref().unwrap_or(&current.ci_config)),
                    projects::shared_runners_enabled.eq(changes
                        .shared_runners_enabled
                        .unwrap_or(current.shared_runners_enabled)),
                    projects::group_runners_enabled.eq(changes
                        .group_runners_enabled
                        .unwrap_or(current.group_runners_enabled)),
                    projects::updated_at.eq(changes.updated_at.map_or(current.updated_at, naive)),
                ))
                .execute(conn)?;
            Ok(load(conn, id.0)?)
        })?;
        row.map(ProjectRow::into_domain).transpose()
    }

    fn delete_project(&self, id: ProjectId) -> RepoResult<bool> {
        // Memberships and protected branches go by cascade.
        let n = self.write(|conn| {
            let n = diesel::delete(projects::table.find(id.0)).execute(conn)?;
            super::runners::settle_project_runners(conn)?;
            Ok(n)
        })?;
        Ok(n > 0)
    }

    fn project_by_runners_token(&self, digest: &TokenDigest) -> RepoResult<Option<Project>> {
        let row = self.run(|conn| {
            projects::table
                .filter(projects::runners_token_digest.eq(digest.to_hex()))
                .select(ProjectRow::as_select())
                .first(conn)
                .optional()
        })?;
        row.map(ProjectRow::into_domain).transpose()
    }

    fn project_runners_token(&self, id: ProjectId) -> RepoResult<Option<SealedToken>> {
        let row: Option<(Vec<u8>, String)> = self.run(|conn| {
            projects::table
                .find(id.0)
                .select((
                    projects::runners_token_encrypted,
                    projects::runners_token_digest,
                ))
                .first(conn)
                .optional()
        })?;
        row.map(|(ciphertext, digest)| sealed(ciphertext, &digest))
            .transpose()
    }

    fn set_project_runners_token(&self, id: ProjectId, token: &SealedToken) -> RepoResult<bool> {
        let n = self.run(|conn| {
            diesel::update(projects::table.find(id.0))
                .set((
                    projects::runners_token_encrypted.eq(&token.ciphertext),
                    projects::runners_token_digest.eq(token.digest.to_hex()),
                ))
                .execute(conn)
        })?;
        Ok(n > 0)
    }
}
