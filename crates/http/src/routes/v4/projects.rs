//! `/projects`: projects by id or URL-encoded path, with the `repository_url` and
//! `ci_config` extensions, and their registration token.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::NamespaceId;
use paddock_ports::inbound::{CreateProjectRequest, NamespaceRef, ProjectQuery, ProjectRef};
use paddock_ports::outbound::{ProjectChanges, ProjectOrder};
use serde_json::json;

use super::{role, sort, visibility};
use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/projects")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/projects/{id}")
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        resource("/projects/{id}/runners/reset_registration_token")
            .route(web::post().to(reset_token)),
    );
}

/// The filters of every project list.
pub(crate) fn query(params: &Params) -> Result<ProjectQuery, ApiError> {
    Ok(ProjectQuery {
        search: params.string("search")?,
        visibility: visibility(params)?,
        membership: params.bool("membership")?.unwrap_or(false),
        owned: params.bool("owned")?.unwrap_or(false),
        min_access_level: role(params, "min_access_level")?,
        include_subgroups: params.bool("include_subgroups")?.unwrap_or(false),
        order: params
            .one_of("order_by", |v| match v {
                "id" => Some(ProjectOrder::Id),
                "name" => Some(ProjectOrder::Name),
                "path" => Some(ProjectOrder::Path),
                "created_at" => Some(ProjectOrder::CreatedAt),
                "updated_at" | "last_activity_at" => Some(ProjectOrder::UpdatedAt),
                _ => None,
            })?
            .unwrap_or_default(),
        sort: sort(params)?,
    })
}

fn project_ref(path: &str) -> ProjectRef {
    ProjectRef::parse(path)
}

async fn list(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let query = query(&params)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let projects = state
        .call(move |uc| uc.projects(actor.as_ref(), query, page))
        .await?;
    let base = &state.config.external_url;
    let items = projects
        .items
        .iter()
        .map(|p| entities::project(p, base))
        .collect();
    Ok(paginated(&req, &state, page, projects.total, items))
}

async fn create(
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let namespace = params
        .string("namespace_id")?
        .or(params.string("namespace")?)
        .map(|text| match text.parse::<i64>() {
            Ok(id) => NamespaceRef::Id(NamespaceId(id)),
            Err(_) => NamespaceRef::Path(text),
        });
    let name = params.string("name")?;
    let path = params.string("path")?;
    if name.is_none() && path.is_none() {
        return Err(ApiError::Param(
            "name, path are missing, at least one parameter must be provided".into(),
        ));
    }
    let request = CreateProjectRequest {
        name,
        path,
        namespace,
        description: params.string("description")?,
        visibility: visibility(&params)?,
        default_branch: params.string("default_branch")?,
        repository_url: params.nullable_string("repository_url")?.flatten(),
        ci_config: params.nullable_string("ci_config")?.flatten(),
        shared_runners_enabled: params.bool("shared_runners_enabled")?,
        group_runners_enabled: params.bool("group_runners_enabled")?,
    };
    let actor = auth.actor();
    let project = state
        .call(move |uc| uc.create_project(&actor, request))
        .await?;
    Ok(HttpResponse::Created().json(entities::project_details(
        &project,
        &state.config.external_url,
    )))
}

async fn show(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let project = project_ref(&path);
    let actor = auth.actor();
    let details = state
        .call(move |uc| uc.project(actor.as_ref(), &project))
        .await?;
    Ok(HttpResponse::Ok().json(entities::project_details(
        &details,
        &state.config.external_url,
    )))
}

async fn update(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = project_ref(&path);
    let changes = ProjectChanges {
        name: params.string("name")?,
        path: params.string("path")?,
        description: params.string("description")?,
        visibility: visibility(&params)?,
        default_branch: params.string("default_branch")?,
        repository_url: params.nullable_string("repository_url")?,
        ci_config: params.nullable_string("ci_config")?,
        shared_runners_enabled: params.bool("shared_runners_enabled")?,
        group_runners_enabled: params.bool("group_runners_enabled")?,
        updated_at: None,
    };
    let actor = auth.actor();
    let details = state
        .call(move |uc| uc.update_project(&actor, &project, changes))
        .await?;
    Ok(HttpResponse::Ok().json(entities::project_details(
        &details,
        &state.config.external_url,
    )))
}

async fn delete(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let project = project_ref(&path);
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_project(&actor, &project))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({ "message": "202 Accepted" })))
}

async fn reset_token(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let project = project_ref(&path);
    let actor = auth.actor();
    let token = state
        .call(move |uc| uc.reset_project_runners_token(&actor, &project))
        .await?;
    Ok(HttpResponse::Created().json(entities::reset_token(&token)))
}
