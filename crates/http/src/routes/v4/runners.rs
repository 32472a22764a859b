//! `/runners/...`: for now the instance registration-token reset.

use actix_web::{HttpResponse, web};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiError;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/runners/reset_registration_token")
            .route(web::post().to(reset_registration_token)),
    );
}

async fn reset_registration_token(
    state: web::Data<ApiState>,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.actor();
    let token = state
        .call(move |uc| uc.reset_instance_runners_token(&actor))
        .await?;
    Ok(HttpResponse::Created().json(entities::reset_token(&token)))
}
