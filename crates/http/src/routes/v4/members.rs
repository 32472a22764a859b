//! `/groups/:id/members` and `/projects/:id/members`: one set of handlers for both.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::UserId;
use paddock_ports::inbound::{
    AddMemberRequest, GroupRef, MemberTarget, ProjectRef, UpdateMemberRequest, What,
};

use super::{date, numeric_id, role};
use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    for source in ["groups", "projects"] {
        cfg.service(
            resource(&format!("/{source}/{{id}}/members"))
                .route(web::get().to(list))
                .route(web::post().to(add)),
        )
        .service(
            resource(&format!("/{source}/{{id}}/members/{{user_id}}"))
                .route(web::get().to(show))
                .route(web::put().to(update))
                .route(web::delete().to(remove)),
        );
    }
}

/// The group or project of the request, from the route it matched.
fn target(req: &HttpRequest, id: &str) -> MemberTarget {
    if req.match_pattern().is_some_and(|p| p.contains("/groups/")) {
        MemberTarget::Group(GroupRef::parse(id))
    } else {
        MemberTarget::Project(ProjectRef::parse(id))
    }
}

async fn list(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let target = target(&req, &path);
    let query = params.string("query")?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let members = state
        .call(move |uc| uc.members(actor.as_ref(), &target, query, page))
        .await?;
    let base = &state.config.external_url;
    let items = members
        .items
        .iter()
        .map(|m| entities::member(m, base))
        .collect();
    Ok(paginated(&req, &state, page, members.total, items))
}

async fn show(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = path.into_inner();
    let target = target(&req, &id);
    let user = UserId(numeric_id(&user, What::Member)?);
    let actor = auth.actor();
    let member = state
        .call(move |uc| uc.member(actor.as_ref(), &target, user))
        .await?;
    Ok(HttpResponse::Ok().json(entities::member(&member, &state.config.external_url)))
}

async fn add(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let target = target(&req, &path);
    let request = AddMemberRequest {
        user: UserId(params.required_int("user_id")?),
        role: role(&params, "access_level")?.ok_or_else(|| ApiError::missing("access_level"))?,
        expires_at: date(&params, "expires_at")?.flatten(),
    };
    let actor = auth.actor();
    let member = state
        .call(move |uc| uc.add_member(&actor, &target, request))
        .await?;
    Ok(HttpResponse::Created().json(entities::member(&member, &state.config.external_url)))
}

async fn update(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = path.into_inner();
    let target = target(&req, &id);
    let user = UserId(numeric_id(&user, What::Member)?);
    let request = UpdateMemberRequest {
        role: role(&params, "access_level")?.ok_or_else(|| ApiError::missing("access_level"))?,
        expires_at: date(&params, "expires_at")?,
    };
    let actor = auth.actor();
    let member = state
        .call(move |uc| uc.update_member(&actor, &target, user, request))
        .await?;
    Ok(HttpResponse::Ok().json(entities::member(&member, &state.config.external_url)))
}

async fn remove(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = path.into_inner();
    let target = target(&req, &id);
    let user = UserId(numeric_id(&user, What::Member)?);
    let actor = auth.actor();
    state
        .call(move |uc| uc.remove_member(&actor, &target, user))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
