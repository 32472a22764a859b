//! A build's artifacts in the legacy v1 API (GitLab 8.x): `POST`, `GET` and `DELETE
//! /ci/api/v1/builds/:id/artifacts`, with the build token (`token` parameter or
//! `BUILD-TOKEN` header). The use cases are v4's; the file is streamed both ways as v4 does.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::job::artifact::{ArtifactFormat, ArtifactType};
use paddock_ports::inbound::{
    ArtifactDownloadError, ArtifactUpload, ArtifactUploadError, JobAuthError,
};

use super::builds::{build_id, build_token};
use crate::entities;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::artifact_transfer::{expire_in, file_response, read_upload};
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/builds/{id}/artifacts")
            .route(web::post().to(upload))
            .route(web::get().to(download))
            .route(web::delete().to(erase)),
    );
}

/// 8.x's `authenticate_build!`: an unknown build is 404, a wrong token 403; an upload to a
/// build that is not running is 403 `Build is not running!`.
fn auth_error(error: JobAuthError) -> ApiError {
    match error {
        JobAuthError::NotFound => ApiError::NotFoundPlain,
        JobAuthError::Forbidden => ApiError::Forbidden(None),
        JobAuthError::NotRunning(_) => ApiError::Forbidden(Some("Build is not running!".into())),
        JobAuthError::Internal(detail) => {
            ApiError::internal("a build artifact call failed", &detail)
        }
    }
}

fn upload_error(error: ArtifactUploadError) -> ApiError {
    match error {
        ArtifactUploadError::Auth(error) => auth_error(error),
        error => error.into(),
    }
}

/// `POST /ci/api/v1/builds/:id/artifacts`: the multipart `file` becomes the build's archive;
/// 201 with the build's `BuildDetails` and its `artifacts_file`.
async fn upload(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = build_id(&path).ok_or(ApiError::NotFoundPlain)?;
    let query = Params::from_query(req.query_string())?;
    // A token known before the body is checked before the body is read.
    let early = build_token(&req, &query)?;
    if !early.is_empty() {
        state
            .call(move |uc| uc.authorize_artifact_upload(id, &early).map_err(auth_error))
            .await?;
    }
    let (params, file) = read_upload(&req, &state, query, payload).await?;
    let token = build_token(&req, &params)?;
    let upload = ArtifactUpload {
        // 8.x's `bad_request!` wording.
        file: file.ok_or_else(|| {
            ApiError::Message("400 (Bad request) \"Missing artifacts file!\" not given".into())
        })?,
        token: token.clone(),
        artifact_type: ArtifactType::Archive,
        format: ArtifactFormat::Zip,
        expire_in: expire_in(&params)?,
    };
    let build = state
        .call(move |uc| {
            uc.upload_artifact(id, upload).map_err(upload_error)?;
            uc.build_details_artifacts(id, &token).map_err(auth_error)
        })
        .await?;
    Ok(HttpResponse::Created().json(entities::build_details_artifacts(&build)))
}

/// `GET /ci/api/v1/builds/:id/artifacts`: the archive, streamed; 404 when there is none.
async fn download(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = build_id(&path).ok_or(ApiError::NotFoundPlain)?;
    let token = build_token(&req, &params)?;
    let file = state
        .call(move |uc| {
            uc.download_artifact(id, &token)
                .map_err(|error| match error {
                    ArtifactDownloadError::NotFound => ApiError::NotFoundPlain,
                    error => error.into(),
                })
        })
        .await?;
    Ok(file_response(file))
}

/// `DELETE /ci/api/v1/builds/:id/artifacts`: erases the build's artifacts; 200 with the build.
async fn erase(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = build_id(&path).ok_or(ApiError::NotFoundPlain)?;
    let token = build_token(&req, &params)?;
    let build = state
        .call(move |uc| uc.erase_build_artifacts(id, &token).map_err(auth_error))
        .await?;
    Ok(HttpResponse::Ok().json(entities::build(&build)))
}
