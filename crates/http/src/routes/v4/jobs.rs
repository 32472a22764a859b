//! The runner-facing job protocol: `POST /jobs/request` (runner token), `PUT /jobs/:id` and
//! `PATCH /jobs/:id/trace` (job token, in `JOB-TOKEN` or the `token` parameter).

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::JobId;
use paddock_domain::job::JobStatus;
use paddock_domain::job::trace::UPDATE_INTERVAL_SECONDS;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{
    JobAuthError, JobRequest, JobRequestOutcome, JobUpdate, JobUpdateError, JobUpdated,
    TraceAppended, TraceError,
};
use serde_json::json;

use crate::entities;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::resource;
use crate::routes::runner_agent::{contact, range_mismatch, runner_token, trace_patch};
use crate::state::ApiState;

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
    match crate::long_poll::request_job(&state, request).await? {
        JobRequestOutcome::Job(payload) => {
            Ok(HttpResponse::Created().json(entities::job_payload(&payload)))
        }
        JobRequestOutcome::NoJob { last_update } | JobRequestOutcome::Paused { last_update } => {
            Ok(HttpResponse::NoContent()
                .insert_header(("X-GitLab-Last-Update", last_update))
                .finish())
        }
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
        JobAuthError::Forbidden | JobAuthError::NotFound => Err(ApiError::Forbidden(None)),
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
    // `output[checksum]`, `output[bytesize]`: a JSON object or form fields.
    let output = Params::from_object(params.object("output")?.unwrap_or_default());
    let update = JobUpdate {
        token: job_token(&req, &params)?,
        state: params.string("state")?,
        failure_reason: params.string("failure_reason")?,
        exit_code: params.int("exit_code")?,
        trace: params.string("trace")?.map(String::into_bytes),
        checksum: match params.string("checksum")? {
            Some(checksum) => Some(checksum),
            None => output.string("checksum")?,
        },
        log_bytesize: output
            .int("bytesize")?
            .map(|size| u64::try_from(size).map_err(|_| ApiError::invalid("output[bytesize]")))
            .transpose()?,
    };
    let outcome = state
        .call(move |uc| Ok::<_, ApiError>(uc.update_job(id, update)))
        .await?;
    match outcome {
        Ok(JobUpdated::Applied(status)) => Ok(HttpResponse::Ok()
            .insert_header(("Job-Status", status.as_str()))
            .json(200)),
        Ok(JobUpdated::Waiting { status, retry_in }) => Ok(HttpResponse::Accepted()
            .insert_header(("Job-Status", status.as_str()))
            .insert_header(("X-GitLab-Trace-Update-Interval", retry_in.to_string()))
            .json(202)),
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
    let append = trace_patch(&req, token, payload).await?;
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
        Ok(TraceAppended::Mismatch { size }) => Ok(range_mismatch(size)),
        Err(TraceError::Auth(error)) => auth_error(error),
        Err(TraceError::TooLarge) => Err(ApiError::Forbidden(None)),
        Err(TraceError::NoRange) => {
            Err(ApiError::Message("400 Missing header Content-Range".into()))
        }
    }
}
