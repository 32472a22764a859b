//! Job artifacts: `POST /jobs/:id/artifacts` and `GET /jobs/:id/artifacts` for runners (job
//! token in `JOB-TOKEN` or the `token` parameter), `GET` and `DELETE
//! /projects/:id/jobs/:job_id/artifacts` for users.
//!
//! Uploads are streamed: the multipart field `file` goes to the artifact store piece by piece
//! as it arrives (never whole in memory), and the options (`artifact_type`,
//! `artifact_format`, `expire_in`, `token`) may come in the query string or as form fields
//! before or after the file. Downloads are streamed from the store the same way.

use std::io::Read;

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use paddock_domain::job::artifact::{ArtifactFormat, ArtifactType, ExpireIn};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{
    ArtifactFile, ArtifactReceiver, ArtifactUpload, ArtifactUploadError, ProjectRef, ReceivedFile,
    What,
};

use super::jobs::{auth_error, job_id, job_token};
use super::numeric_id;
use crate::auth::{Auth, MaybeAuth};
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

/// How much of an upload is gathered before it is handed to the store (what an upload holds
/// in memory).
const WRITE_BATCH: usize = 64 * 1024;
/// How much a download reads from the store at a time.
const READ_BATCH: usize = 64 * 1024;
/// The largest text fields of an upload, all together.
const MAX_FIELDS: usize = 64 * 1024;

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

fn malformed<E>(_: E) -> ApiError {
    ApiError::BadRequest("the multipart body is malformed".into())
}

/// The token of a runner's artifact request, if it came before the body: `JOB-TOKEN` or the
/// query's `token`.
fn early_token(req: &HttpRequest, query: &Params) -> Result<Option<PlainToken>, ApiError> {
    let token = job_token(req, query)?;
    Ok((!token.is_empty()).then_some(token))
}

/// Hands what was gathered to the store, on the blocking pool.
async fn flush(
    receiver: Box<dyn ArtifactReceiver>,
    pending: &mut Vec<u8>,
) -> Result<Box<dyn ArtifactReceiver>, ApiError> {
    let chunk = std::mem::take(pending);
    let (receiver, written) = web::block(move || {
        let mut receiver = receiver;
        let written = receiver.write(&chunk);
        (receiver, written)
    })
    .await
    .map_err(|e| ApiError::internal("the blocking pool failed", &e.to_string()))?;
    written?;
    Ok(receiver)
}

/// Streams the `file` field into a new artifact file.
async fn receive_file(
    state: &ApiState,
    field: &mut actix_multipart::Field,
) -> Result<ReceivedFile, ApiError> {
    let filename = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .map(str::to_owned);
    let mut receiver = state.call(|uc| uc.receive_artifact()).await?;
    let mut pending: Vec<u8> = Vec::with_capacity(WRITE_BATCH);
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        pending.extend_from_slice(&chunk);
        if pending.len() >= WRITE_BATCH {
            receiver = flush(receiver, &mut pending).await?;
        }
    }
    if !pending.is_empty() {
        receiver = flush(receiver, &mut pending).await?;
    }
    Ok(receiver.finish(filename))
}

/// Reads a multipart upload: the `file` field streamed to the store, the text fields kept.
async fn read_form(
    state: &ApiState,
    mut multipart: actix_multipart::Multipart,
) -> Result<(Vec<(String, String)>, Option<ReceivedFile>), ApiError> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut fields_size = 0usize;
    let mut file = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let Some(name) = field
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .map(str::to_owned)
        else {
            continue;
        };
        if name == "file" && file.is_none() {
            file = Some(receive_file(state, &mut field).await?);
            continue;
        }
        // Other fields are options; other files (`metadata`, a second `file`) are read and
        // dropped.
        let is_text = field
            .content_disposition()
            .is_some_and(|cd| cd.get_filename().is_none());
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            if !is_text {
                continue;
            }
            fields_size += chunk.len();
            if fields_size > MAX_FIELDS {
                return Err(ApiError::PayloadTooLarge);
            }
            value.extend_from_slice(&chunk);
        }
        if is_text {
            let text = String::from_utf8(value).map_err(|_| ApiError::invalid(&name))?;
            fields.push((name, text));
        }
    }
    Ok((fields, file))
}

/// `expire_in`: absent or blank is none; otherwise one of GitLab's forms.
fn expire_in(params: &Params) -> Result<Option<ExpireIn>, ApiError> {
    match params.string("expire_in")? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => ExpireIn::parse(&text)
            .map(Some)
            .ok_or_else(|| ApiError::invalid("expire_in")),
    }
}

async fn upload(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = job_id(&path)?;
    let mut params = Params::from_query(req.query_string())?;
    // A token known before the body is checked before the body is read.
    if let Some(token) = early_token(&req, &params)? {
        let checked = state
            .call(move |uc| Ok::<_, ApiError>(uc.authorize_artifact_upload(id, &token)))
            .await?;
        if let Err(error) = checked {
            return auth_error(error);
        }
    }
    let multipart = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let (fields, file) = read_form(&state, multipart).await?;
    params.merge_pairs(fields);
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

/// A 200 that streams the file from the store, as an attachment.
fn file_response(file: ArtifactFile) -> HttpResponse {
    let artifact = file.artifact;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(artifact.filename.clone()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: artifact.filename.clone().into_bytes(),
            }),
        ],
    };
    let chunks = futures_util::stream::unfold(Some(file.content), |reader| async move {
        let mut reader = reader?;
        let read = web::block(move || {
            let mut buffer = vec![0u8; READ_BATCH];
            let read = reader.read(&mut buffer).map(|n| {
                buffer.truncate(n);
                buffer
            });
            (reader, read)
        })
        .await;
        match read {
            Ok((_, Ok(buffer))) if buffer.is_empty() => None,
            Ok((reader, Ok(buffer))) => Some((Ok(web::Bytes::from(buffer)), Some(reader))),
            Ok((_, Err(error))) => {
                tracing::error!(%error, "reading an artifact failed");
                Some((
                    Err(actix_web::error::ErrorInternalServerError("read")),
                    None,
                ))
            }
            Err(error) => Some((Err(actix_web::error::ErrorInternalServerError(error)), None)),
        }
    });
    HttpResponse::Ok()
        .content_type(artifact.format.content_type())
        .insert_header(disposition)
        .no_chunking(artifact.size)
        .streaming(chunks)
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

fn user_job(
    path: web::Path<(String, String)>,
) -> Result<(ProjectRef, paddock_domain::JobId), ApiError> {
    let (project, id) = path.into_inner();
    Ok((
        ProjectRef::parse(&project),
        paddock_domain::JobId(numeric_id(&id, What::Job)?),
    ))
}

async fn user_download(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = user_job(path)?;
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
    let (project, id) = user_job(path)?;
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_job_artifacts(&actor, &project, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
