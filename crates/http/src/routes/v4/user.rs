//! `GET /user`: the signed-in user.

use actix_web::{HttpResponse, web};

use crate::auth::Auth;
use crate::entities;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/user").route(web::get().to(current)));
}

async fn current(state: web::Data<ApiState>, auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(entities::user(
        &auth.0.user,
        &state.config.external_url,
        true,
    ))
}
