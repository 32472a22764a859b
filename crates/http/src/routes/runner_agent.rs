//! What runner-facing requests share: the runner's token (`token` parameter, or the
//! `RUNNER-TOKEN` header that gitlab-runner also sends) and its contact details (`system_id`,
//! `info`, the client address).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::job::trace::content_range_start;
use paddock_domain::runner::{MAX_SYSTEM_ID, RunnerInfo};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{RunnerContact, TraceAppend};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::params::{Params, read_limited};

/// The largest log patch accepted (gitlab-runner sends at most 1 MiB).
pub const MAX_TRACE_PATCH: usize = 4 * 1024 * 1024;

/// The token of a runner-facing request; 400 `token is missing` without one.
pub fn runner_token(req: &HttpRequest, params: &Params) -> Result<PlainToken, ApiError> {
    if let Some(token) = params.string("token")? {
        return Ok(PlainToken::from_user(token));
    }
    req.headers()
        .get("runner-token")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(PlainToken::from_user)
        .ok_or_else(|| ApiError::missing("token"))
}

/// `If-Unmodified-Since` of a conditional delete; a malformed date is ignored, as HTTP says.
pub fn unmodified_since(req: &HttpRequest) -> Option<chrono::DateTime<chrono::Utc>> {
    use actix_web::HttpMessage;
    let header = req.get_header::<actix_web::http::header::IfUnmodifiedSince>()?;
    let at: std::time::SystemTime = header.0.into();
    Some(chrono::DateTime::<chrono::Utc>::from(at))
}

/// The client's address: the first of `X-Forwarded-For`, else the peer.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    forwarded.or_else(|| req.peer_addr().map(|addr| addr.ip().to_string()))
}

fn info_field(
    info: &Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match info.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.len() <= max => Ok(Some(text.clone())),
        Some(Value::String(_)) => Err(ApiError::Param(format!("info[{name}] is too long"))),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(ApiError::invalid(&format!("info[{name}]"))),
    }
}

/// `system_id`, `info` and the address of a runner request.
pub fn contact(req: &HttpRequest, params: &Params) -> Result<RunnerContact, ApiError> {
    let system_id = params.string("system_id")?.filter(|s| !s.is_empty());
    if system_id
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SYSTEM_ID)
    {
        return Err(ApiError::invalid("system_id"));
    }
    let info = match params.object("info")? {
        None => None,
        Some(info) => Some(RunnerInfo {
            name: info_field(&info, "name", 256)?,
            version: info_field(&info, "version", 2048)?,
            revision: info_field(&info, "revision", 255)?,
            platform: info_field(&info, "platform", 255)?,
            architecture: info_field(&info, "architecture", 255)?,
            executor: info_field(&info, "executor", 255)?,
        }),
    };
    Ok(RunnerContact {
        system_id,
        info,
        ip_address: client_ip(req),
    })
}

/// A log patch (v4 `PATCH /jobs/:id/trace`, v1 `PATCH /builds/:id/trace.txt`): the start of
/// `Content-Range` (`None` when missing or malformed: the use case answers 400 once the token
/// is checked, as GitLab does) and the body.
pub async fn trace_patch(
    req: &HttpRequest,
    token: PlainToken,
    payload: web::Payload,
) -> Result<TraceAppend, ApiError> {
    let start = req
        .headers()
        .get("content-range")
        .and_then(|value| value.to_str().ok())
        .and_then(content_range_start);
    // The buffer becomes the log's bytes as it is, without a copy.
    let data = Vec::from(read_limited(req, payload.into_inner(), MAX_TRACE_PATCH).await?);
    Ok(TraceAppend { token, start, data })
}

/// 416 for a log patch that does not start at the log's end: `Range: 0-<size>`.
pub fn range_mismatch(size: u64) -> HttpResponse {
    HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
        .insert_header(("Range", format!("0-{size}")))
        .json(json!({ "message": "416 Range Not Satisfiable" }))
}
