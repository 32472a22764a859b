//! The legacy builds API (`/ci/api/v1/builds`, seed 002): a 2016 runner asks for a build with
//! its runner token, appends to the build's log with the build token (`token` parameter or
//! `BUILD-TOKEN` header) and reports the outcome with either token. The use cases are those
//! of v4's `/jobs`; what differs is the answers (GitLab 8.x's `lib/ci/api/builds.rb`).
//!
//! gitlab-ci-multi-runner 1.x posts JSON to `builds/register.json` and `builds/:id.json`, so
//! the `.json` forms are served too.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use paddock_domain::JobId;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{
    JobAuthError, JobRequest, JobRequestOutcome, JobUpdate, JobUpdateError, TraceAppended,
    TraceError,
};

use crate::entities;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::resource;
use crate::routes::runner_agent::{contact, range_mismatch, trace_patch};
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/builds/register").route(web::post().to(register)))
        .service(resource("/builds/register.json").route(web::post().to(register)))
        .service(resource("/builds/{id}/trace.txt").route(web::patch().to(trace)))
        .service(resource("/builds/{id}").route(web::put().to(update)));
}

/// A build id in the path (`1234` or `1234.json`).
pub(super) fn build_id(segment: &str) -> Option<JobId> {
    let id = segment.strip_suffix(".json").unwrap_or(segment);
    id.parse().ok().map(JobId)
}

/// The `token` parameter; a missing one is a wrong one (8.x authenticated before it
/// checked parameters): 403.
fn token(params: &Params) -> Result<PlainToken, ApiError> {
    Ok(PlainToken::from_user(
        params.string("token")?.unwrap_or_default(),
    ))
}

/// The build token: the `token` parameter, else the `BUILD-TOKEN` header.
pub(super) fn build_token(req: &HttpRequest, params: &Params) -> Result<PlainToken, ApiError> {
    if let Some(token) = params.string("token")?.filter(|t| !t.is_empty()) {
        return Ok(PlainToken::from_user(token));
    }
    Ok(PlainToken::from_user(
        req.headers()
            .get("build-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    ))
}

/// An error's response with one more header.
fn with_header(error: ApiError, name: &'static str, value: &str) -> HttpResponse {
    let mut response = error.error_response();
    if let Ok(value) = HeaderValue::from_str(value) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
    response
}

/// Whether `User-Agent` names a runner that knows 204: GitLab 8.x looked for
/// `gitlab(-ci-multi)?-runner X.Y.Z(~beta.N.g<sha>)? ` anywhere in it.
fn knows_no_content(user_agent: &str) -> bool {
    ["gitlab-runner ", "gitlab-ci-multi-runner "]
        .iter()
        .any(|name| {
            user_agent
                .match_indices(name)
                .any(|(at, _)| version_then_space(&user_agent[at + name.len()..]))
        })
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `X.Y.Z` or `X.Y.Z~beta.N.g<lowercase hex>`, followed by a space.
fn version_then_space(rest: &str) -> bool {
    let Some((version, _)) = rest.split_once(' ') else {
        return false;
    };
    let (release, beta) = match version.split_once('~') {
        Some((release, beta)) => (release, Some(beta)),
        None => (version, None),
    };
    let numbers: Vec<&str> = release.split('.').collect();
    let release_ok = numbers.len() == 3 && numbers.iter().all(|n| digits(n));
    let beta_ok = beta.is_none_or(|beta| {
        beta.strip_prefix("beta.")
            .and_then(|b| b.split_once(".g"))
            .is_some_and(|(n, sha)| {
                digits(n)
                    && !sha.is_empty()
                    && sha
                        .bytes()
                        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            })
    });
    release_ok && beta_ok
}

/// 8.x's `build_not_found!`: 204 for runners that know it, 404 for older ones (which read
/// both as "nothing to do"), with the runner's queue value.
fn build_not_found(req: &HttpRequest, last_update: &str) -> HttpResponse {
    let user_agent = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if knows_no_content(user_agent) {
        HttpResponse::NoContent()
            .insert_header(("X-GitLab-Last-Update", last_update))
            .finish()
    } else {
        with_header(ApiError::NotFoundPlain, "x-gitlab-last-update", last_update)
    }
}

/// `POST /ci/api/v1/builds/register`: 201 `BuildDetails`; 404 for a paused runner; no build
/// as `build_not_found`; 409 when every build offered was taken meanwhile.
async fn register(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let request = JobRequest {
        token: token(&params)?,
        contact: contact(&req, &params)?,
        last_update: params.string("last_update")?,
        // 2016 runners advertise no features.
        features: Vec::new(),
    };
    match crate::long_poll::ask(&state, request).await? {
        JobRequestOutcome::Job(payload) => {
            Ok(HttpResponse::Created().json(entities::build_details(&payload)))
        }
        JobRequestOutcome::NoJob { last_update } => Ok(build_not_found(&req, &last_update)),
        JobRequestOutcome::Paused { .. } => Err(ApiError::NotFoundPlain),
        JobRequestOutcome::Conflict => Err(ApiError::Conflict("409 Conflict".into())),
    }
}

/// `PUT /ci/api/v1/builds/:id`: 200 `Build`; a build that is not running, or not on this
/// runner, is 404; a token that is neither the runner's nor the build's is 403.
async fn update(
    state: web::Data<ApiState>,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = build_id(&path).ok_or(ApiError::RecordNotFound)?;
    let update = JobUpdate {
        token: token(&params)?,
        state: params.string("state")?,
        failure_reason: None,
        exit_code: None,
        trace: params.string("trace")?.map(String::into_bytes),
        checksum: None,
        log_bytesize: None,
    };
    let outcome = state
        .call(move |uc| Ok::<_, ApiError>(uc.update_build(id, update)))
        .await?;
    match outcome {
        Ok(view) => Ok(HttpResponse::Ok().json(entities::build(&view))),
        Err(JobUpdateError::Auth(JobAuthError::Forbidden)) => Err(ApiError::Forbidden(None)),
        Err(JobUpdateError::Auth(JobAuthError::NotFound | JobAuthError::NotRunning(_))) => {
            Err(ApiError::RecordNotFound)
        }
        Err(JobUpdateError::Auth(JobAuthError::Internal(detail))) => {
            Err(ApiError::internal("a build update failed", &detail))
        }
        Err(JobUpdateError::InvalidState) => Err(ApiError::not_valid_value("state")),
    }
}

/// `PATCH /ci/api/v1/builds/:id/trace.txt`: 202 with `Build-Status` and `Range: 0-<size>`;
/// 416 with `Range` when the patch does not start at the log's end.
async fn trace(
    req: HttpRequest,
    state: web::Data<ApiState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = build_id(&path).ok_or(ApiError::NotFoundPlain)?;
    let query = Params::from_query(req.query_string())?;
    let token = build_token(&req, &query)?;
    let append = trace_patch(&req, token, payload).await?;
    let outcome = state
        .call(move |uc| Ok::<_, ApiError>(uc.append_trace(id, append)))
        .await?;
    match outcome {
        Ok(TraceAppended::Appended { size, status }) => Ok(HttpResponse::Accepted()
            .insert_header(("Build-Status", status.as_str()))
            .insert_header(("Range", format!("0-{size}")))
            .finish()),
        Ok(TraceAppended::Mismatch { size }) => Ok(range_mismatch(size)),
        Err(TraceError::Auth(JobAuthError::NotFound)) => Err(ApiError::NotFoundPlain),
        Err(TraceError::Auth(JobAuthError::Forbidden)) | Err(TraceError::TooLarge) => {
            Err(ApiError::Forbidden(None))
        }
        // The runner stops the build; the header says what became of it.
        Err(TraceError::Auth(JobAuthError::NotRunning(status))) => Ok(with_header(
            ApiError::Forbidden(None),
            "build-status",
            status.as_str(),
        )),
        Err(TraceError::Auth(JobAuthError::Internal(detail))) => {
            Err(ApiError::internal("a build log append failed", &detail))
        }
        Err(TraceError::NoRange) => {
            Err(ApiError::Message("400 Missing header Content-Range".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runners_that_know_no_content_are_told_by_their_user_agent() {
        let table = [
            (
                "gitlab-ci-multi-runner 1.2.0 (1-2-stable; go1.6.2; linux/amd64)",
                true,
            ),
            (
                "gitlab-runner 17.0.0 (17-0-stable; go1.22.3; linux/amd64)",
                true,
            ),
            (
                "gitlab-ci-multi-runner 1.1.0~beta.135.g24365ee (master; go1.5.3; linux/amd64)",
                true,
            ),
            ("Mozilla/5.0 gitlab-runner 10.0.0 (x)", true),
            // Older runners had no version pattern the server knew, or no space after it.
            ("gitlab-ci-multi-runner 0.7 (x)", false),
            ("gitlab-ci-multi-runner 1.2.0", false),
            ("gitlab-runner 1.2.0.1 (x)", false),
            ("gitlab-runner 1.2.0~beta.1.gXYZ (x)", false),
            ("gitlab-runner 1.2.0~rc1 (x)", false),
            ("python-requests/2.31.0", false),
            ("", false),
        ];
        for (user_agent, expected) in table {
            assert_eq!(knows_no_content(user_agent), expected, "{user_agent}");
        }
    }

    #[test]
    fn build_ids_may_end_in_json() {
        assert_eq!(build_id("12"), Some(JobId(12)));
        assert_eq!(build_id("12.json"), Some(JobId(12)));
        assert_eq!(build_id("-1"), Some(JobId(-1)));
        assert_eq!(build_id("register.json"), None);
        assert_eq!(build_id("1.2"), None);
    }
}
