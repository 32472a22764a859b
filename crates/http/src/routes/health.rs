//! `/-/health`, `/-/liveness` and `/-/readiness` (which checks the database).

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::ApiError;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/-/health").route(web::get().to(health)))
        .service(resource("/-/liveness").route(web::get().to(liveness)))
        .service(resource("/-/readiness").route(web::get().to(readiness)));
}

/// GitLab answers a plain `GitLab OK`; Paddock says its own name.
async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("Paddock OK")
}

async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readiness(state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
    let ready: Result<Result<(), String>, ApiError> =
        state.call(|uc| Ok::<_, ApiError>(uc.ready())).await;
    match ready? {
        Ok(()) => Ok(HttpResponse::Ok().json(json!({
            "status": "ok",
            "master_check": [{ "status": "ok" }],
            "db_check": [{ "status": "ok" }],
        }))),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed: the database does not answer");
            Ok(HttpResponse::ServiceUnavailable().json(json!({
                "status": "failed",
                "db_check": [{ "status": "failed", "message": "the database does not answer" }],
            })))
        }
    }
}
