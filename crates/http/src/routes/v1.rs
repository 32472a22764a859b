//! The legacy CI API v1 (`/ci/api/v1`, GitLab 8.x), over the same use cases as v4.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_ports::inbound::{RegisterRunnerRequest, RunnerSettingsInput};
use serde_json::json;

use crate::entities;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::resource;
use crate::routes::runner_agent::{contact, runner_token};
use crate::state::ApiState;

mod artifacts;
mod builds;

pub fn configure(cfg: &mut web::ServiceConfig) {
    builds::configure(cfg);
    artifacts::configure(cfg);
    cfg.service(resource("/runners/register").route(web::post().to(register)))
        .service(resource("/runners/delete").route(web::delete().to(delete)));
}

/// `POST /ci/api/v1/runners/register`: 201 `{id, token}`; an unknown token is a plain 403.
async fn register(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let registration_token = runner_token(&req, &params)?;
    let settings = RunnerSettingsInput {
        description: params.string("description")?,
        run_untagged: params.bool("run_untagged")?,
        locked: params.bool("locked")?,
        tags: params.list("tag_list")?,
        ..RunnerSettingsInput::default()
    };
    let request = RegisterRunnerRequest {
        registration_token,
        settings,
        contact: contact(&req, &params)?,
    };
    let issued = state
        .call(move |uc| uc.register_runner(request))
        .await
        .map_err(|e| match e {
            ApiError::Forbidden(_) => ApiError::Forbidden(None),
            other => other,
        })?;
    Ok(HttpResponse::Created()
        .json(json!({ "id": issued.runner.0, "token": issued.token.expose() })))
}

/// `DELETE /ci/api/v1/runners/delete`: 200 with the deleted runner.
async fn delete(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let token = runner_token(&req, &params)?;
    let view = state
        .call(move |uc| uc.unregister_runner(&token, None))
        .await?;
    Ok(HttpResponse::Ok().json(entities::runner(&view)))
}
