//! Job artifacts: `POST /jobs/:id/artifacts` and `GET /jobs/:id/artifacts` for runners (job
//! token in `JOB-TOKEN` or the `token` parameter), `GET` and `DELETE
//! /projects/:id/jobs/:job_id/artifacts` for users.
//!
//! The options (`artifact_type`, `artifact_format`, `expire_in`, `token`) may come in the
//! query string or as form fields before or after the file; files are streamed both ways
//! (`artifact_transfer`).

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::job::artifact::{ArtifactFormat, ArtifactType};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{ArtifactUpload, ArtifactUploadError};

use super::jobs::{auth_error, job_id, job_token};
use crate::auth::{Auth, MaybeAuth};
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::artifact_transfer::{expire_in, file_response, read_upload};
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/jobs/{id}/artifacts")
            .route(web::post().to(upload))
            .route(web::get().to(download)),
    )
    .service(
        resource("/projects/{id}/jobs/{job_id}/artifacts")
            .route(web::get().to(user_download))
            .route(web::delete().to(user_delete)),
    );
}

/// The token of a runner's artifact request, if it came before the body: `JOB-TOKEN` or the
/// query's `token`.
fn early_token(req: &HttpRequest, query: &Params) -> Result<Option<PlainToken>, ApiError> {
    let token = job_token(req, query)?;
    Ok((!token.is_empty()).then_some(token))
}

async fn upload(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = job_id(&path)?;
    let query = Params::from_query(req.query_string())?;
    // A token known before the body is checked before the body is read.
    if let Some(token) = early_token(&req, &query)? {
        let checked = state
            .call(move |uc| Ok::<_, ApiError>(uc.authorize_artifact_upload(id, &token)))
            .await?;
        if let Err(error) = checked {
            return auth_error(error);
        }
    }
    let (params, file) = read_upload(&req, &state, query, payload).await?;
    let upload = ArtifactUpload {
        file: file.ok_or_else(|| ApiError::missing("file"))?,
        token: job_token(&req, &params)?,
        artifact_type: params
            .one_of("artifact_type", ArtifactType::parse)?
            .unwrap_or(ArtifactType::Archive),
        format: params
            .one_of("artifact_format", ArtifactFormat::parse)?
            .unwrap_or(ArtifactFormat::Zip),
        expire_in: expire_in(&params)?,
    };
    let outcome = state
        .call(move |uc| Ok::<_, ApiError>(uc.upload_artifact(id, upload)))
        .await?;
    match outcome {
        Ok(()) => Ok(HttpResponse::Created().json(201)),
        Err(ArtifactUploadError::Auth(error)) => auth_error(error),
        Err(error) => Err(error.into()),
    }
}

async fn download(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = job_id(&path)?;
    let query = Params::from_query(req.query_string())?;
    let token = job_token(&req, &query)?;
    let file = state
        .call(move |uc| uc.download_artifact(id, &token))
        .await?;
    Ok(file_response(file))
}

async fn user_download(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = super::pipelines::project_job(path)?;
    let actor = auth.actor();
    let file = state
        .call(move |uc| uc.job_artifacts_file(actor.as_ref(), &project, id))
        .await?;
    Ok(file_response(file))
}

async fn user_delete(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = super::pipelines::project_job(path)?;
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_job_artifacts(&actor, &project, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
