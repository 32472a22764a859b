//! The one API error type, and every mapping from use-case errors to GitLab's status codes
//! and JSON envelopes (`{"message": ...}`, `{"error": ...}`), always with
//! `Content-Type: application/json`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use paddock_domain::Scope;
use paddock_domain::names::FieldError;
use paddock_ports::inbound::{
    ArtifactDownloadError, ArtifactUploadError, AuthError, CreateError, CreatePipelineError,
    DeleteError, FindError, JobActionError, JobAuthError, MemberError, ProtectedBranchError,
    RegisterError, RemoveManagerError, ResetTokenError, RunnerAuthError, RunnerError, UpdateError,
    VariableError, What,
};
use serde_json::{Map, Value, json};

/// An error answered to a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400 `{"error": "<param> is missing"}` and the like (Grape's parameter errors).
    #[error("{0}")]
    Param(String),
    /// 400 `{"message": "400 Bad request - <reason>"}`.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 400 `{"message": "<text>"}` (GitLab's plain 400 messages, `Scope contains invalid value`).
    #[error("bad request: {0}")]
    Message(String),
    /// 400 `{"message": {"<attribute>": ["<error>", ...]}}`.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 401 `{"message": "401 Unauthorized"}`.
    #[error("unauthorized")]
    Unauthorized,
    /// 403 `{"message": "403 Forbidden"}` or `"403 Forbidden - <reason>"`.
    #[error("forbidden")]
    Forbidden(Option<String>),
    /// 403 with GitLab's OAuth-style `insufficient_scope` body.
    #[error("insufficient scope")]
    InsufficientScope(Scope),
    /// 404 `{"message": "404 <What> Not Found"}`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 404 `{"message": "404 Not found"}`: GitLab's answer when a record lookup fails
    /// (pipelines, jobs).
    #[error("record not found")]
    RecordNotFound,
    /// 404 `{"message": "404 Not Found"}`: Grape's `not_found!` naming nothing (the v1 API's
    /// paused runner, no build, unknown build).
    #[error("not found")]
    NotFoundPlain,
    /// 404 `{"error": "404 Not Found"}` for a path no route serves.
    #[error("no such route")]
    NoRoute,
    /// 405 `{"message": "405 Method Not Allowed"}`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 412 `{"message": "412 Precondition Failed"}` (`If-Unmodified-Since`).
    #[error("precondition failed")]
    PreconditionFailed,
    /// 409 `{"message": "<text>"}`.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 413 `{"message": "413 Request Entity Too Large"}`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 500 `{"message": "500 Internal Server Error"}`; the cause was logged where it arose.
    #[error("internal error")]
    Internal,
    /// 503 `{"message": "503 Service Unavailable"}`.
    #[error("service unavailable")]
    Unavailable,
}

impl ApiError {
    pub fn missing(param: &str) -> Self {
        ApiError::Param(format!("{param} is missing"))
    }

    pub fn invalid(param: &str) -> Self {
        ApiError::Param(format!("{param} is invalid"))
    }

    pub fn not_valid_value(param: &str) -> Self {
        ApiError::Param(format!("{param} does not have a valid value"))
    }

    pub fn not_found(what: What) -> Self {
        if what.is_record_lookup() {
            ApiError::RecordNotFound
        } else {
            ApiError::NotFound(what.label())
        }
    }

    /// Logs an internal failure once, here, without echoing it to the client.
    pub fn internal(context: &str, detail: &str) -> Self {
        tracing::error!(error = %detail, "{context}");
        ApiError::Internal
    }

    fn body(&self) -> Value {
        match self {
            ApiError::Param(text) => json!({ "error": text }),
            ApiError::BadRequest(reason) => {
                json!({ "message": format!("400 Bad request - {reason}") })
            }
            ApiError::Message(text) => json!({ "message": text }),
            ApiError::Validation(errors) => {
                let mut fields: Map<String, Value> = Map::new();
                for e in errors {
                    let entry = fields
                        .entry(e.field.to_owned())
                        .or_insert_with(|| json!([]));
                    if let Value::Array(list) = entry {
                        list.push(Value::String(e.message.clone()));
                    }
                }
                json!({ "message": fields })
            }
            ApiError::Unauthorized => json!({ "message": "401 Unauthorized" }),
            ApiError::Forbidden(None) => json!({ "message": "403 Forbidden" }),
            ApiError::Forbidden(Some(reason)) => {
                json!({ "message": format!("403 Forbidden - {reason}") })
            }
            ApiError::InsufficientScope(scope) => json!({
                "error": "insufficient_scope",
                "error_description": "The request requires higher privileges than provided by the access token.",
                "scope": scope.as_str(),
            }),
            ApiError::NotFound(what) => json!({ "message": format!("404 {what} Not Found") }),
            ApiError::RecordNotFound => json!({ "message": "404 Not found" }),
            ApiError::NotFoundPlain => json!({ "message": "404 Not Found" }),
            ApiError::NoRoute => json!({ "error": "404 Not Found" }),
            ApiError::MethodNotAllowed => json!({ "message": "405 Method Not Allowed" }),
            ApiError::Conflict(text) => json!({ "message": text }),
            ApiError::PreconditionFailed => json!({ "message": "412 Precondition Failed" }),
            ApiError::PayloadTooLarge => json!({ "message": "413 Request Entity Too Large" }),
            ApiError::Internal => json!({ "message": "500 Internal Server Error" }),
            ApiError::Unavailable => json!({ "message": "503 Service Unavailable" }),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Param(_)
            | ApiError::BadRequest(_)
            | ApiError::Message(_)
            | ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_)
            | ApiError::RecordNotFound
            | ApiError::NotFoundPlain
            | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(self.body())
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Invalid => ApiError::Unauthorized,
            AuthError::Internal(detail) => ApiError::internal("authentication failed", &detail),
        }
    }
}

impl From<ArtifactUploadError> for ApiError {
    fn from(error: ArtifactUploadError) -> Self {
        match error {
            ArtifactUploadError::Auth(JobAuthError::Internal(detail))
            | ArtifactUploadError::Internal(detail) => {
                ApiError::internal("an artifact upload failed", &detail)
            }
            ArtifactUploadError::Auth(_) => ApiError::Forbidden(None),
            ArtifactUploadError::TooLarge => ApiError::PayloadTooLarge,
            ArtifactUploadError::InvalidFormat => ApiError::Message(
                "Validation failed: File format Invalid file format with specified file type"
                    .into(),
            ),
            ArtifactUploadError::Exists => {
                ApiError::Message("another artifact of the same type already exists".into())
            }
        }
    }
}

impl From<ArtifactDownloadError> for ApiError {
    fn from(error: ArtifactDownloadError) -> Self {
        match error {
            ArtifactDownloadError::Forbidden => ApiError::Forbidden(None),
            ArtifactDownloadError::NotFound => ApiError::not_found(What::Artifact),
            ArtifactDownloadError::Internal(detail) => {
                ApiError::internal("an artifact download failed", &detail)
            }
        }
    }
}

impl From<FindError> for ApiError {
    fn from(error: FindError) -> Self {
        match error {
            FindError::NotFound(what) => ApiError::not_found(what),
            FindError::Internal(detail) => ApiError::internal("reading failed", &detail),
        }
    }
}

impl From<CreateError> for ApiError {
    fn from(error: CreateError) -> Self {
        match error {
            CreateError::Forbidden(reason) => ApiError::Forbidden(reason.map(str::to_owned)),
            CreateError::NotFound(what) => ApiError::not_found(what),
            CreateError::Invalid(errors) => ApiError::Validation(errors),
            CreateError::Conflict(text) => ApiError::Conflict(text),
            CreateError::Internal(detail) => ApiError::internal("creating failed", &detail),
        }
    }
}

impl From<CreatePipelineError> for ApiError {
    fn from(error: CreatePipelineError) -> Self {
        match error {
            CreatePipelineError::NotFound(what) => ApiError::not_found(what),
            CreatePipelineError::Forbidden => ApiError::Forbidden(None),
            CreatePipelineError::Rejected(reasons) => ApiError::Validation(
                reasons
                    .into_iter()
                    .map(|r| FieldError::new("base", r))
                    .collect(),
            ),
            CreatePipelineError::Internal(detail) => {
                ApiError::internal("creating a pipeline failed", &detail)
            }
        }
    }
}

impl From<JobActionError> for ApiError {
    fn from(error: JobActionError) -> Self {
        match error {
            JobActionError::NotFound(what) => ApiError::not_found(what),
            JobActionError::Forbidden(reason) => ApiError::Forbidden(reason.map(str::to_owned)),
            JobActionError::Rejected(reason) => ApiError::BadRequest(reason.to_owned()),
            JobActionError::Internal(detail) => ApiError::internal("a job action failed", &detail),
        }
    }
}

impl From<VariableError> for ApiError {
    fn from(error: VariableError) -> Self {
        match error {
            VariableError::NotFound(what) => ApiError::not_found(what),
            VariableError::Forbidden => ApiError::Forbidden(None),
            VariableError::Invalid(errors) => ApiError::Validation(errors),
            VariableError::Internal(detail) => {
                ApiError::internal("a variable operation failed", &detail)
            }
        }
    }
}

impl From<UpdateError> for ApiError {
    fn from(error: UpdateError) -> Self {
        match error {
            UpdateError::NotFound(what) => ApiError::not_found(what),
            UpdateError::Forbidden => ApiError::Forbidden(None),
            UpdateError::Invalid(errors) => ApiError::Validation(errors),
            UpdateError::Internal(detail) => ApiError::internal("updating failed", &detail),
        }
    }
}

impl From<DeleteError> for ApiError {
    fn from(error: DeleteError) -> Self {
        match error {
            DeleteError::NotFound(what) => ApiError::not_found(what),
            DeleteError::Forbidden(reason) => ApiError::Forbidden(reason.map(str::to_owned)),
            DeleteError::Internal(detail) => ApiError::internal("deleting failed", &detail),
        }
    }
}

impl From<ResetTokenError> for ApiError {
    fn from(error: ResetTokenError) -> Self {
        match error {
            ResetTokenError::NotFound(what) => ApiError::not_found(what),
            ResetTokenError::Forbidden => ApiError::Forbidden(None),
            ResetTokenError::Internal(detail) => {
                ApiError::internal("resetting a token failed", &detail)
            }
        }
    }
}

impl From<MemberError> for ApiError {
    fn from(error: MemberError) -> Self {
        match error {
            MemberError::NotFound(what) => ApiError::not_found(what),
            MemberError::Forbidden(reason) => ApiError::Forbidden(reason.map(str::to_owned)),
            MemberError::AlreadyExists => ApiError::Conflict("Member already exists".into()),
            MemberError::Invalid(errors) => ApiError::Validation(errors),
            MemberError::Internal(detail) => {
                ApiError::internal("membership change failed", &detail)
            }
        }
    }
}

impl From<ProtectedBranchError> for ApiError {
    fn from(error: ProtectedBranchError) -> Self {
        match error {
            ProtectedBranchError::NotFound(what) => ApiError::not_found(what),
            ProtectedBranchError::Forbidden => ApiError::Forbidden(None),
            ProtectedBranchError::AlreadyExists(name) => {
                ApiError::Conflict(format!("Protected branch '{name}' already exists"))
            }
            ProtectedBranchError::Invalid(errors) => ApiError::Validation(errors),
            ProtectedBranchError::Internal(detail) => {
                ApiError::internal("protected branch change failed", &detail)
            }
        }
    }
}

impl From<RunnerAuthError> for ApiError {
    fn from(error: RunnerAuthError) -> Self {
        match error {
            RunnerAuthError::Forbidden => ApiError::Forbidden(None),
            RunnerAuthError::PreconditionFailed => ApiError::PreconditionFailed,
            RunnerAuthError::Internal(detail) => {
                ApiError::internal("runner authentication failed", &detail)
            }
        }
    }
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::InvalidToken => {
                ApiError::Forbidden(Some("invalid token supplied".into()))
            }
            RegisterError::Invalid(errors) => ApiError::Validation(errors),
            RegisterError::Internal(detail) => {
                ApiError::internal("runner registration failed", &detail)
            }
        }
    }
}

impl From<RemoveManagerError> for ApiError {
    fn from(error: RemoveManagerError) -> Self {
        match error {
            RemoveManagerError::Forbidden => ApiError::Forbidden(None),
            RemoveManagerError::PreconditionFailed => ApiError::PreconditionFailed,
            RemoveManagerError::NotFound => ApiError::NotFound("Runner manager not found"),
            RemoveManagerError::Internal(detail) => {
                ApiError::internal("removing a runner manager failed", &detail)
            }
        }
    }
}

impl From<RunnerError> for ApiError {
    fn from(error: RunnerError) -> Self {
        match error {
            RunnerError::NotFound(what) => ApiError::not_found(what),
            RunnerError::Forbidden(reason) => ApiError::Forbidden(reason.map(str::to_owned)),
            RunnerError::Rejected(reason) => ApiError::BadRequest(reason.to_owned()),
            RunnerError::PreconditionFailed => ApiError::PreconditionFailed,
            RunnerError::Invalid(errors) => ApiError::Validation(errors),
            RunnerError::Internal(detail) => ApiError::internal("runner operation failed", &detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    async fn rendered(error: ApiError) -> (u16, String, Value) {
        let response = error.error_response();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = to_bytes(response.into_body()).await.unwrap_or_default();
        (
            status,
            content_type,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        )
    }

    #[actix_web::test]
    async fn envelopes_are_gitlabs() {
        let table = [
            (
                ApiError::missing("token"),
                400,
                json!({"error": "token is missing"}),
            ),
            (
                ApiError::BadRequest("no".into()),
                400,
                json!({"message": "400 Bad request - no"}),
            ),
            (
                ApiError::Validation(vec![
                    FieldError::new("path", "has already been taken"),
                    FieldError::new("path", "is invalid"),
                    FieldError::new("name", "can't be blank"),
                ]),
                400,
                json!({"message": {"path": ["has already been taken", "is invalid"], "name": ["can't be blank"]}}),
            ),
            (
                ApiError::Unauthorized,
                401,
                json!({"message": "401 Unauthorized"}),
            ),
            (
                ApiError::Forbidden(None),
                403,
                json!({"message": "403 Forbidden"}),
            ),
            (
                ApiError::Forbidden(Some("Runner is locked".into())),
                403,
                json!({"message": "403 Forbidden - Runner is locked"}),
            ),
            (
                ApiError::not_found(What::Project),
                404,
                json!({"message": "404 Project Not Found"}),
            ),
            (ApiError::NoRoute, 404, json!({"error": "404 Not Found"})),
            (
                ApiError::NotFoundPlain,
                404,
                json!({"message": "404 Not Found"}),
            ),
            (
                ApiError::PayloadTooLarge,
                413,
                json!({"message": "413 Request Entity Too Large"}),
            ),
            (
                ApiError::Internal,
                500,
                json!({"message": "500 Internal Server Error"}),
            ),
        ];
        for (error, status, body) in table {
            let (got_status, content_type, got_body) = rendered(error.clone()).await;
            assert_eq!(got_status, status, "{error:?}");
            assert_eq!(content_type, "application/json", "{error:?}");
            assert_eq!(got_body, body, "{error:?}");
        }
    }

    #[actix_web::test]
    async fn internal_errors_never_reach_the_client() {
        let error: ApiError =
            FindError::Internal("password=hunter2 in the connection string".into()).into();
        let (status, _, body) = rendered(error).await;
        assert_eq!(status, 500);
        assert!(!body.to_string().contains("hunter2"));
    }
}
