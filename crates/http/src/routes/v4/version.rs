//! `GET /version`.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::Auth;
use crate::routes::resource;

pub use paddock_domain::GITLAB_VERSION;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/version").route(web::get().to(version)));
}

async fn version(_: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "version": GITLAB_VERSION,
        "revision": concat!("paddock-", env!("CARGO_PKG_VERSION")),
        "kas": { "enabled": false, "externalUrl": null, "version": null },
        "enterprise": false,
        "paddock": { "version": env!("CARGO_PKG_VERSION") },
    }))
}
