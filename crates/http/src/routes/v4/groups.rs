//! `/groups`: groups with subgroups, their projects, and their registration token.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::NamespaceId;
use paddock_ports::inbound::{CreateGroupRequest, GroupQuery, GroupRef};
use paddock_ports::outbound::{GroupChanges, GroupOrder, Sort};
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
        resource("/groups")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/groups/{id}")
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/groups/{id}/subgroups").route(web::get().to(subgroups)))
    .service(resource("/groups/{id}/projects").route(web::get().to(projects)))
    .service(
        resource("/groups/{id}/runners/reset_registration_token")
            .route(web::post().to(reset_token)),
    );
}

fn query(params: &Params) -> Result<GroupQuery, ApiError> {
    Ok(GroupQuery {
        top_level_only: params.bool("top_level_only")?.unwrap_or(false),
        search: params.string("search")?,
        visibility: visibility(params)?,
        owned: params.bool("owned")?.unwrap_or(false),
        min_access_level: role(params, "min_access_level")?,
        order: params
            .one_of("order_by", |v| match v {
                "name" => Some(GroupOrder::Name),
                "path" => Some(GroupOrder::Path),
                "id" => Some(GroupOrder::Id),
                _ => None,
            })?
            .unwrap_or_default(),
        sort: sort(params)?.unwrap_or(Sort::Asc),
    })
}

fn group_ref(path: &str) -> GroupRef {
    GroupRef::parse(path)
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
    let groups = state
        .call(move |uc| uc.groups(actor.as_ref(), query, page))
        .await?;
    let base = &state.config.external_url;
    let items = groups
        .items
        .iter()
        .map(|g| entities::group(g, base))
        .collect();
    Ok(paginated(&req, &state, page, groups.total, items))
}

async fn create(
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let request = CreateGroupRequest {
        name: params.required_string("name")?,
        path: params.required_string("path")?,
        parent_id: params.int("parent_id")?.map(NamespaceId),
        description: params.string("description")?,
        visibility: visibility(&params)?,
    };
    let actor = auth.actor();
    let group = state
        .call(move |uc| uc.create_group(&actor, request))
        .await?;
    Ok(HttpResponse::Created().json(entities::group_details(&group, &state.config.external_url)))
}

async fn show(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let group = group_ref(&path);
    let actor = auth.actor();
    let details = state
        .call(move |uc| uc.group(actor.as_ref(), &group))
        .await?;
    Ok(HttpResponse::Ok().json(entities::group_details(
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
    let group = group_ref(&path);
    let changes = GroupChanges {
        name: params.string("name")?,
        path: params.string("path")?,
        description: params.string("description")?,
        visibility: visibility(&params)?,
    };
    let actor = auth.actor();
    let details = state
        .call(move |uc| uc.update_group(&actor, &group, changes))
        .await?;
    Ok(HttpResponse::Ok().json(entities::group_details(
        &details,
        &state.config.external_url,
    )))
}

async fn delete(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let group = group_ref(&path);
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_group(&actor, &group))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({ "message": "202 Accepted" })))
}

async fn subgroups(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let group = group_ref(&path);
    let query = query(&params)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let groups = state
        .call(move |uc| uc.subgroups(actor.as_ref(), &group, query, page))
        .await?;
    let base = &state.config.external_url;
    let items = groups
        .items
        .iter()
        .map(|g| entities::group(g, base))
        .collect();
    Ok(paginated(&req, &state, page, groups.total, items))
}

async fn projects(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let group = group_ref(&path);
    let query = super::projects::query(&params)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let projects = state
        .call(move |uc| uc.group_projects(actor.as_ref(), &group, query, page))
        .await?;
    let base = &state.config.external_url;
    let items = projects
        .items
        .iter()
        .map(|p| entities::project(p, base))
        .collect();
    Ok(paginated(&req, &state, page, projects.total, items))
}

async fn reset_token(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let group = group_ref(&path);
    let actor = auth.actor();
    let token = state
        .call(move |uc| uc.reset_group_runners_token(&actor, &group))
        .await?;
    Ok(HttpResponse::Created().json(entities::reset_token(&token)))
}
