//! `/users`: list, show, create and delete users; their personal access tokens and projects.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::{Scope, UserId};
use paddock_ports::inbound::{CreateTokenRequest, CreateUserRequest, What};
use paddock_ports::outbound::{Sort, UserFilter};

use super::{date, numeric_id, sort};
use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/users")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/users/{id}")
            .route(web::get().to(show))
            .route(web::delete().to(delete)),
    )
    .service(resource("/users/{id}/personal_access_tokens").route(web::post().to(create_token)))
    .service(resource("/users/{id}/projects").route(web::get().to(projects)));
}

async fn list(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    if params
        .one_of("order_by", |v| (v == "id").then_some(()))?
        .is_some()
    {
        // `id` is the only order Paddock keeps; it is also the default.
    }
    let filter = UserFilter {
        username: params.string("username")?,
        search: params.string("search")?,
        active_only: params.bool("active")?.unwrap_or(false),
        blocked_only: params.bool("blocked")?.unwrap_or(false),
        admins_only: params.bool("admins")?.unwrap_or(false),
        sort: sort(&params)?.unwrap_or(Sort::Desc),
    };
    let page = page_request(&params)?;
    let actor = auth.actor();
    let users = state
        .call(move |uc| uc.list_users(&actor, filter, page))
        .await?;
    let base = &state.config.external_url;
    let items = users
        .items
        .iter()
        .map(|u| {
            if actor.admin {
                entities::user(u, base, true)
            } else {
                entities::user_basic(u, base)
            }
        })
        .collect();
    Ok(paginated(&req, &state, page, users.total, items))
}

async fn show(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = UserId(numeric_id(&path, What::User)?);
    let actor = auth.actor();
    let user = state.call(move |uc| uc.get_user(&actor, id)).await?;
    let private = actor.admin || actor.user == user.id;
    Ok(HttpResponse::Ok().json(entities::user(&user, &state.config.external_url, private)))
}

async fn create(
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let request = CreateUserRequest {
        email: params.required_string("email")?,
        name: params.required_string("name")?,
        username: params.required_string("username")?,
        admin: params.bool("admin")?.unwrap_or(false),
    };
    let actor = auth.actor();
    let user = state
        .call(move |uc| uc.create_user(&actor, request))
        .await?;
    Ok(HttpResponse::Created().json(entities::user(&user, &state.config.external_url, true)))
}

async fn delete(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = UserId(numeric_id(&path, What::User)?);
    let actor = auth.actor();
    state.call(move |uc| uc.delete_user(&actor, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn create_token(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = UserId(numeric_id(&path, What::User)?);
    let name = params.required_string("name")?;
    let scopes = params
        .list("scopes")?
        .ok_or_else(|| ApiError::missing("scopes"))?
        .iter()
        .map(|s| Scope::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::not_valid_value("scopes"))?;
    let expires_at = date(&params, "expires_at")?.flatten();
    let request = CreateTokenRequest {
        name,
        scopes,
        expires_at,
    };
    let actor = auth.actor();
    let created = state
        .call(move |uc| uc.create_personal_access_token(&actor, id, request))
        .await?;
    // A token is created active: its expiry was checked to lie ahead.
    let body = entities::personal_access_token(&created.token, true, Some(&created.secret));
    Ok(HttpResponse::Created().json(body))
}

async fn projects(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = UserId(numeric_id(&path, What::User)?);
    let query = super::projects::query(&params)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let projects = state
        .call(move |uc| uc.user_projects(actor.as_ref(), id, query, page))
        .await?;
    let base = &state.config.external_url;
    let items = projects
        .items
        .iter()
        .map(|p| entities::project(p, base))
        .collect();
    Ok(paginated(&req, &state, page, projects.total, items))
}
