//! Helpers for the legacy CI API v1 (`/ci/api/v1`), spoken as gitlab-ci-multi-runner 1.x
//! spoke it: form-encoded parameters, the runner token in `token`, the build token in
//! `BUILD-TOKEN`.

use reqwest::Method;
use reqwest::blocking::RequestBuilder;
use serde_json::Value;

use crate::{TestServer, expect_json};

/// What gitlab-ci-multi-runner 1.2 sent as its `User-Agent`.
pub const RUNNER_1X: &str = "gitlab-ci-multi-runner 1.2.0 (1-2-stable; go1.6.2; linux/amd64)";

/// A request to `/ci/api/v1<path>` with no credentials.
pub fn v1(server: &TestServer, method: Method, path: &str) -> RequestBuilder {
    server.raw(method, &format!("/ci/api/v1{path}"))
}

/// A request to `/ci/api/v1<path>` as a 1.x runner (its `User-Agent`).
pub fn as_runner_1x(server: &TestServer, method: Method, path: &str) -> RequestBuilder {
    v1(server, method, path).header("User-Agent", RUNNER_1X)
}

/// `POST /ci/api/v1/runners/register` with a registration token (form-encoded); asserts 201
/// and returns the runner's id and token.
#[track_caller]
pub fn register_v1_runner(server: &TestServer, registration_token: &str) -> (i64, String) {
    let registered: Value = expect_json(
        as_runner_1x(server, Method::POST, "/runners/register").form(&[
            ("token", registration_token),
            ("description", "a 2016 runner"),
        ]),
        201,
    );
    (
        registered["id"].as_i64().expect("a runner id"),
        registered["token"]
            .as_str()
            .expect("a runner token")
            .to_owned(),
    )
}
