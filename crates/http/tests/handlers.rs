//! The HTTP adapter over the real use cases and in-memory fakes: JSON shapes (snapshots),
//! and error paths that need a failing store.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use paddock_app::Paddock;
use paddock_domain::token::PlainToken;
use paddock_http::{ApiState, HttpConfig};
use paddock_ports::inbound::{BootstrapRequest, InstanceUseCases};
use paddock_ports::outbound::Outbound;
use paddock_testkit::{FailingStore, FixedClock, memory_outbound, outbound_over};
use serde_json::{Value, json};

const ROOT_TOKEN: &str = "glpat-handler-tests";
const REGISTRATION_TOKEN: &str = "GR1348941handlertests";

fn state(out: Outbound) -> web::Data<ApiState> {
    let app = Paddock::new(out);
    let _ = app.bootstrap(BootstrapRequest {
        root_token: Some(PlainToken::from_user(ROOT_TOKEN)),
        registration_token: Some(PlainToken::from_user(REGISTRATION_TOKEN)),
    });
    web::Data::new(ApiState::new(
        Arc::new(app),
        HttpConfig {
            external_url: "https://paddock.example.com/".into(),
            max_request_body: 1024 * 1024,
            long_poll_timeout: std::time::Duration::ZERO,
        },
    ))
}

async fn service(
    state: web::Data<ApiState>,
) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error> {
    test::init_service(
        App::new()
            .app_data(state)
            .configure(paddock_http::json_errors)
            .configure(paddock_http::configure)
            .default_service(web::to(paddock_http::no_route)),
    )
    .await
}

async fn call(
    app: &impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
    request: test::TestRequest,
) -> (StatusCode, String, Value) {
    let response = test::call_service(
        app,
        request
            .insert_header(("PRIVATE-TOKEN", ROOT_TOKEN))
            .to_request(),
    )
    .await;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = test::read_body(response).await;
    (
        status,
        content_type,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

/// A redaction that checks the value is a registration token before hiding it.
fn registration_token(
    value: insta::internals::Content,
    _: insta::internals::ContentPath<'_>,
) -> String {
    let text = value.as_str().unwrap_or_default();
    assert!(
        text.starts_with("GR1348941"),
        "a registration token, not {text:?}"
    );
    "[registration token]".into()
}

#[actix_web::test]
async fn the_current_user_has_gitlabs_shape() {
    let (out, _, _) = memory_outbound();
    let app = service(state(out)).await;
    let (status, content_type, body) =
        call(&app, test::TestRequest::get().uri("/api/v4/user")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    insta::assert_json_snapshot!("current_user", body);
}

#[actix_web::test]
async fn groups_and_projects_have_gitlabs_shapes() {
    let (out, _, _) = memory_outbound();
    let app = service(state(out)).await;
    let (status, _, group) = call(
        &app,
        test::TestRequest::post()
            .uri("/api/v4/groups")
            .set_json(json!({"name": "Acme", "path": "acme", "description": "tools"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    insta::assert_json_snapshot!("group", group, { ".runners_token" => insta::dynamic_redaction(registration_token) });
    let (status, _, project) = call(
        &app,
        test::TestRequest::post().uri("/api/v4/projects").set_json(json!({
            "name": "Web", "namespace_id": group["id"], "repository_url": "file:///srv/git/web.git",
            "ci_config": "test:\n  script: [make]\n"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    insta::assert_json_snapshot!("project", project, { ".runners_token" => insta::dynamic_redaction(registration_token) });
    let (_, _, members) = call(
        &app,
        test::TestRequest::get().uri("/api/v4/groups/acme/members"),
    )
    .await;
    insta::assert_json_snapshot!("group_members", members);
    let (status, _, branch) = call(
        &app,
        test::TestRequest::post()
            .uri(&format!(
                "/api/v4/projects/{}/protected_branches",
                project["id"]
            ))
            .set_json(json!({"name": "main"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    insta::assert_json_snapshot!("protected_branch", branch);
}

#[actix_web::test]
async fn a_new_token_is_shown_once() {
    let (out, _, _) = memory_outbound();
    let app = service(state(out)).await;
    let (status, _, token) = call(
        &app,
        test::TestRequest::post()
            .uri("/api/v4/users/1/personal_access_tokens")
            .set_json(json!({"name": "ci", "scopes": ["api"], "expires_at": "2026-12-31"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    insta::assert_json_snapshot!("personal_access_token", token, {
        ".token" => insta::dynamic_redaction(|value, _| {
            assert!(value.as_str().unwrap_or_default().starts_with("glpat-"));
            "[personal access token]"
        })
    });
}

#[actix_web::test]
async fn storage_failures_answer_a_generic_500() {
    let out = outbound_over(Arc::new(FailingStore), Arc::new(FixedClock::default()));
    let app = service(state(out)).await;
    for uri in ["/api/v4/user", "/api/v4/projects", "/api/v4/groups/1"] {
        let (status, content_type, body) = call(&app, test::TestRequest::get().uri(uri)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        assert_eq!(content_type, "application/json");
        assert_eq!(
            body,
            json!({"message": "500 Internal Server Error"}),
            "{uri}: no detail leaks"
        );
    }
}

#[actix_web::test]
async fn readiness_fails_when_the_storage_does_not_answer() {
    let out = outbound_over(Arc::new(FailingStore), Arc::new(FixedClock::default()));
    let app = service(state(out)).await;
    let (status, _, body) = call(&app, test::TestRequest::get().uri("/-/readiness")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "failed");
    let (status, _, _) = call(&app, test::TestRequest::get().uri("/-/liveness")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "liveness does not depend on the database"
    );
}

#[actix_web::test]
async fn links_use_the_external_url() {
    let (out, _, _) = memory_outbound();
    let app = service(state(out)).await;
    let response = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/api/v4/users?per_page=1")
            .insert_header(("PRIVATE-TOKEN", ROOT_TOKEN))
            .to_request(),
    )
    .await;
    let link = response
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        link.starts_with("<https://paddock.example.com/api/v4/users?page=1&per_page=1>"),
        "{link}"
    );
}

/// A redaction that checks the value is a runner authentication token before hiding it.
fn runner_token(value: insta::internals::Content, _: insta::internals::ContentPath<'_>) -> String {
    let text = value.as_str().unwrap_or_default();
    assert!(text.starts_with("glrt-"), "a runner token, not {text:?}");
    "[runner token]".into()
}

#[actix_web::test]
async fn runners_have_gitlabs_shapes() {
    let (out, _, _) = memory_outbound();
    let app = service(state(out)).await;
    let (status, _, registered) = call(
        &app,
        test::TestRequest::post().uri("/api/v4/runners").set_json(json!({
            "token": REGISTRATION_TOKEN, "description": "builder", "tag_list": "docker, linux",
            "maximum_timeout": 3600, "maintenance_note": "rack 4", "info": {"name": "gitlab-runner"}
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    insta::assert_json_snapshot!("runner_registered", registered, { ".token" => insta::dynamic_redaction(runner_token) });
    let token = registered["token"].as_str().unwrap().to_owned();
    let (status, _, verified) = call(
        &app,
        test::TestRequest::post()
            .uri("/api/v4/runners/verify")
            .insert_header(("X-Forwarded-For", "192.0.2.10, 10.0.0.1"))
            .set_json(json!({
                "token": token, "system_id": "s_0123456789ab",
                "info": {"name": "gitlab-runner", "version": "17.4.0", "revision": "abc123", "platform": "linux",
                         "architecture": "amd64", "executor": "docker"}
            })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        verified["token"],
        token.as_str(),
        "verify answers the token it was given"
    );
    let (_, _, details) = call(&app, test::TestRequest::get().uri("/api/v4/runners/1")).await;
    insta::assert_json_snapshot!("runner_details", details);
    let (_, _, list) = call(&app, test::TestRequest::get().uri("/api/v4/runners/all")).await;
    insta::assert_json_snapshot!("runner_list", list);
    let (_, _, managers) = call(
        &app,
        test::TestRequest::get().uri("/api/v4/runners/1/managers"),
    )
    .await;
    insta::assert_json_snapshot!("runner_managers", managers);
    let (status, _, reset) = call(
        &app,
        test::TestRequest::post().uri("/api/v4/runners/1/reset_authentication_token"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    insta::assert_json_snapshot!("runner_token_reset", reset, { ".token" => insta::dynamic_redaction(runner_token) });
}

fn job_token(value: insta::internals::Content, _: insta::internals::ContentPath<'_>) -> String {
    let text = value.as_str().unwrap_or_default();
    assert!(text.starts_with("glcbt-"), "a job token, not {text:?}");
    "[job token]".into()
}

#[actix_web::test]
async fn a_legacy_build_has_gitlab_8s_shape() {
    let (out, _, _) = memory_outbound();
    let app = service(state(out)).await;
    let (status, _, registered) = call(
        &app,
        test::TestRequest::post()
            .uri("/ci/api/v1/runners/register")
            .set_form([("token", REGISTRATION_TOKEN)]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let runner = registered["token"].as_str().unwrap().to_owned();
    let ci_config = "compile:\n  image: ruby:2.1\n  services: [postgres:9.5]\n  before_script: [bundle]\n  script: [make, make check]\n  after_script: [echo done]\n  artifacts:\n    paths: [bin/]\n  cache:\n    key: gems\n    paths: [vendor/]\n";
    let (status, _, project) = call(
        &app,
        test::TestRequest::post()
            .uri("/api/v4/projects")
            .set_json(json!({"name": "legacy", "ci_config": ci_config})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = call(
        &app,
        test::TestRequest::post()
            .uri(&format!("/api/v4/projects/{}/pipeline", project["id"]))
            .set_json(json!({"ref": "main", "sha": "0123456789abcdef0123456789abcdef01234567"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, build) = call(
        &app,
        test::TestRequest::post()
            .uri("/ci/api/v1/builds/register")
            .set_form([("token", runner.as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // The variables are the v4 payload's (pinned there), as `{key, value, public}`.
    insta::assert_json_snapshot!("legacy_build_details", build, {
        ".token" => insta::dynamic_redaction(job_token),
        ".variables" => "[variables]",
    });
}
