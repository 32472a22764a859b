//! `/projects/:id/protected_branches`.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::protected_branch::BranchAccessLevel;
use paddock_ports::inbound::{ProjectRef, ProtectBranchRequest};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/projects/{id}/protected_branches")
            .route(web::get().to(list))
            .route(web::post().to(protect)),
    )
    .service(
        resource("/projects/{id}/protected_branches/{name}")
            .route(web::get().to(show))
            .route(web::delete().to(unprotect)),
    );
}

fn level(params: &Params, name: &str) -> Result<Option<BranchAccessLevel>, ApiError> {
    match params.int(name)? {
        None => Ok(None),
        Some(l) => BranchAccessLevel::from_level(l)
            .map(Some)
            .map_err(|_| ApiError::not_valid_value(name)),
    }
}

async fn list(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let page = page_request(&params)?;
    let actor = auth.actor();
    let branches = state
        .call(move |uc| uc.protected_branches(&actor, &project, page))
        .await?;
    let items = branches
        .items
        .iter()
        .map(entities::protected_branch)
        .collect();
    Ok(paginated(&req, &state, page, branches.total, items))
}

async fn show(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let project = ProjectRef::parse(&id);
    let actor = auth.actor();
    let branch = state
        .call(move |uc| uc.protected_branch(&actor, &project, &name))
        .await?;
    Ok(HttpResponse::Ok().json(entities::protected_branch(&branch)))
}

async fn protect(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let request = ProtectBranchRequest {
        name: params.required_string("name")?,
        push_access_level: level(&params, "push_access_level")?,
        merge_access_level: level(&params, "merge_access_level")?,
        allow_force_push: params.bool("allow_force_push")?,
    };
    let actor = auth.actor();
    let branch = state
        .call(move |uc| uc.protect_branch(&actor, &project, request))
        .await?;
    Ok(HttpResponse::Created().json(entities::protected_branch(&branch)))
}

async fn unprotect(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let project = ProjectRef::parse(&id);
    let actor = auth.actor();
    state
        .call(move |uc| uc.unprotect_branch(&actor, &project, &name))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
