//! Every route, registered by `configure`. One module per URL path; handlers are thin: parse
//! parameters, call one use case, render GitLab's JSON.

mod artifact_transfer;
mod health;
mod runner_agent;
mod v1;
mod v4;

use actix_web::{HttpResponse, Resource, web};

use crate::error::ApiError;

/// Registers the health endpoints and the REST v4 API.
pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    cfg.service(web::scope("/api/v4").configure(v4::configure));
    cfg.service(web::scope("/ci/api/v1").configure(v1::configure));
}

/// A resource whose unsupported methods answer GitLab's JSON 405.
pub(crate) fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}

/// What an unknown path gets: GitLab's JSON 404.
pub async fn no_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NoRoute)
}
