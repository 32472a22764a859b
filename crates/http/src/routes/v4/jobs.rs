//! The runner-facing job protocol: `POST /jobs/request` (runner token), `PUT /jobs/:id` and
//! `PATCH /jobs/:id/trace` (job token, in `JOB-TOKEN` or the `token` parameter).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::JobId;
use paddock_domain::job::JobStatus;
use paddock_domain::job::trace::{UPDATE_INTERVAL_SECONDS, content_range_start};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{
    JobAuthError, JobRequest, JobRequestOutcome, JobUpdate, JobUpdateError, TraceAppend,
    TraceAppended, TraceError,
};
use serde_json::json;

use crate::entities;
use crate::error::ApiError;
use crate::params::{Params, read_limited};
use crate::routes::resource;
use crate::routes::runner_agent::{contact, runner_token};
use crate::state::ApiState;

/// The largest log patch accepted (gitlab-runner sends at most 1 MiB).
pub const MAX_TRACE_PATCH: usize = 4 * 1024 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/jobs/request").route(web::post().to(request)))
        .service(resource("/jobs/{id}").route(web::put().to(update)))
        .service(resource("/jobs/{id}/trace").route(web::patch().to(trace)));
}

/// A job id in the path; anything else is a job that does not exist: 403, as GitLab answers
/// every failed job authentication.
pub(crate) fn job_id(segment: &str) -> Result<JobId, ApiError> {
    segment
        .parse()
        .map(JobId)
        .map_err(|_| ApiError::Forbidden(None))
}

/// The job token: `JOB-TOKEN`, else the `token` parameter; a missing one is a wrong one.
pub(crate) fn job_token(req: &HttpRequest, params: &Params) -> Result<PlainToken, ApiError> {
    let header = req
        .headers()
        .get("job-token")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(PlainToken::from_user);
    match header {
        Some(token) => Ok(token),
        None => Ok(PlainToken::from_user(
            params.string("token")?.unwrap_or_default(),
        )),
    }
}

/// The features a runner says it has (`info.features`, those set to true).
fn features(params: &Params) -> Result<Vec<String>, ApiError> {
    let Some(info) = params.object("info")? else {
        return Ok(Vec::new());
    };
    Ok(match info.get("features") {
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .filter(|(_, v)| v.as_bool() == Some(true) || v.as_str() == Some("true"))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    })
}

async fn request(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let request = JobRequest {
        token: runner_token(&req, &params)?,
        contact: contact(&req, &params)?,
        last_update: params.string("last_update")?,
        features: features(&params)?,
    };
    match state.call(move |uc| uc.request_job(request)).await? {
        JobRequestOutcome::Job(payload) => {
            Ok(HttpResponse::Created().json(entities::job_payload(&payload)))
        }
        JobRequestOutcome::NoJob { last_update } => Ok(HttpResponse::NoContent()
            .insert_header(("X-GitLab-Last-Update", last_update))
            .finish()),
        JobRequestOutcome::Conflict => Err(ApiError::Conflict("409 Conflict".into())),
    }
}

/// 403 for a job the runner no longer works on, saying what became of it.
fn not_processing(status: JobStatus) -> HttpResponse {
    HttpResponse::Forbidden()
        .insert_header(("Job-Status", status.as_str()))
        .json(json!({ "message": "403 Forbidden - Job is not processing on runner" }))
}

pub(crate) fn auth_error(error: JobAuthError) -> Result<HttpResponse, ApiError> {
    match error {
        JobAuthError::Forbidden => Err(ApiError::Forbidden(None)),
        JobAuthError::NotRunning(status) => Ok(not_processing(status)),
        JobAuthError::Internal(detail) => Err(ApiError::internal("a job update failed", &detail)),
    }
}

async fn update(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = job_id(&path)?;
    let update = JobUpdate {
        token: job_token(&req, &params)?,
        state: params.string("state")?,
        failure_reason: params.string("failure_reason")?,
        exit_code: params.int("exit_code")?,
        trace: params.string("trace")?.map(String::into_bytes),
    };
    let outcome = state
        .call(move |uc| Ok::<_, ApiError>(uc.update_job(id, update)))
        .await?;
    match outcome {
        Ok(status) => Ok(HttpResponse::Ok()
            .insert_header(("Job-Status", status.as_str()))
            .json(200)),
        Err(JobUpdateError::Auth(error)) => auth_error(error),
        // GitLab answers every state update with its code as the body, a refusal included.
        Err(JobUpdateError::InvalidState) => Ok(HttpResponse::BadRequest().json(400)),
    }
}

async fn trace(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = job_id(&path)?;
    let query = Params::from_query(req.query_string())?;
    let token = job_token(&req, &query)?;
    // Checked after the job token, as GitLab does.
    let start = req
        .headers()
        .get("content-range")
        .and_then(|value| value.to_str().ok())
        .and_then(content_range_start);
    let data = read_limited(payload.into_inner(), MAX_TRACE_PATCH)
        .await?
        .to_vec();
    let append = TraceAppend { token, start, data };
    let outcome = state
        .call(move |uc| Ok::<_, ApiError>(uc.append_trace(id, append)))
        .await?;
    match outcome {
        Ok(TraceAppended::Appended { size, status }) => Ok(HttpResponse::Accepted()
            .insert_header(("Job-Status", status.as_str()))
            .insert_header(("Job-ID", id.0.to_string()))
            .insert_header(("Range", format!("0-{size}")))
            .insert_header((
                "X-GitLab-Trace-Update-Interval",
                UPDATE_INTERVAL_SECONDS.to_string(),
            ))
            .finish()),
        Ok(TraceAppended::Mismatch { size }) => {
            Ok(HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
                .insert_header(("Range", format!("0-{size}")))
                .json(json!({ "message": "416 Range Not Satisfiable" })))
        }
        Err(TraceError::Auth(error)) => auth_error(error),
        Err(TraceError::TooLarge) => Err(ApiError::Forbidden(None)),
        Err(TraceError::NoRange) => {
            Err(ApiError::Message("400 Missing header Content-Range".into()))
        }
    }
}
