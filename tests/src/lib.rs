//! The black-box test harness: a real Paddock (the same wiring as the binary) serving over
//! TCP on a free port, on SQLite or on a fresh PostgreSQL database, driven with a plain HTTP
//! client. Also: building and spawning the real `paddock` binary, and a Python virtualenv
//! with pinned real clients.
//!
//! Every black-box test is written once inside [`on_both_backends!`] and runs twice:
//! `sqlite::<name>` always, `postgres::<name>` when PostgreSQL answers (see
//! `paddock_db::testing`: it says so loudly when it does not, and CI requires it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_debug_implementations
)]

pub mod binary;
pub mod legacy;
pub mod python;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use paddock_db::testing::PostgresDatabase;
use paddock_server::{Cli, Command, Secrets, SpawnedServer};
use reqwest::Method;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

pub use reqwest;
pub use serde_json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each test on SQLite and on PostgreSQL.
///
/// ```ignore
/// on_both_backends! {
///     fn root_is_an_admin(server) {
///         assert_eq!(server.get("/user").send().unwrap().status(), 200);
///     }
/// }
/// ```
///
/// With `flags: ["--max-trace-size", "64"];` first, each server is started with those extra
/// `paddock serve` flags (a file may use this form once per module).
#[macro_export]
macro_rules! on_both_backends {
    (flags: $flags:expr; $(fn $name:ident($server:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    let $server = $crate::TestServer::start_with_flags(
                        $crate::Backend::Sqlite,
                        $crate::Options::default(),
                        &$flags,
                    )
                    .expect("SQLite is always available");
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    let Some($server) = $crate::TestServer::start_with_flags(
                        $crate::Backend::Postgres,
                        $crate::Options::default(),
                        &$flags,
                    ) else {
                        return;
                    };
                    $body
                }
            )*
        }
    };
    ($(fn $name:ident($server:ident) $body:block)*) => {
        $crate::on_both_backends! { flags: [] as [&str; 0]; $(fn $name($server) $body)* }
    };
}

/// Options of a test server.
#[derive(Debug, Clone)]
pub struct Options {
    pub max_request_body: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_request_body: 1024 * 1024,
        }
    }
}

/// A running Paddock with its own database and data directory.
pub struct TestServer {
    server: Option<SpawnedServer>,
    _postgres: Option<PostgresDatabase>,
    data_dir: tempfile::TempDir,
    client: Client,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Root's personal access token (`PADDOCK_ROOT_TOKEN`).
    pub root_token: String,
    /// The instance registration token (`PADDOCK_REGISTRATION_TOKEN`).
    pub registration_token: String,
    pub backend: Backend,
    database_url: String,
    options: Options,
    flags: Vec<String>,
}

/// A user created for a test, with an `api` token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub username: String,
    pub token: String,
}

impl TestServer {
    /// A server on `backend`; `None` when PostgreSQL is asked for and does not answer.
    pub fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, Options::default())
    }

    pub fn start_with(backend: Backend, options: Options) -> Option<Self> {
        Self::start_with_flags(backend, options, &[])
    }

    /// A server with extra `paddock serve` flags (e.g. `--runner-token-expiration-interval`).
    pub fn start_with_flags(backend: Backend, options: Options, flags: &[&str]) -> Option<Self> {
        let data_dir = tempfile::tempdir().expect("a temporary data dir");
        let postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(paddock_db::testing::postgres()?),
        };
        let database_url = match &postgres {
            Some(db) => db.url().to_owned(),
            None => format!("sqlite://{}", data_dir.path().join("paddock.db").display()),
        };
        let config = serve_config(data_dir.path(), &database_url, &options, flags);
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let root_token = format!("glpat-root-{suffix}");
        let registration_token = format!("GR1348941test{suffix}");
        let secrets = Secrets {
            root_token: Some(root_token.clone()),
            registration_token: Some(registration_token.clone()),
            secret_key: None,
        };
        let server = paddock_server::spawn(config, secrets).expect("the server starts");
        let base = server.url().to_owned();
        Some(Self {
            server: Some(server),
            _postgres: postgres,
            data_dir,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            base,
            root_token,
            registration_token,
            backend,
            database_url,
            options,
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        })
    }

    /// Another Paddock process on the same database and data directory (the same secret
    /// key), as several processes share one PostgreSQL; stops when dropped. Its URL is
    /// [`SpawnedServer::url`].
    pub fn another_process(&self) -> SpawnedServer {
        let flags: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        let config = serve_config(self.data_dir(), &self.database_url, &self.options, &flags);
        paddock_server::spawn(config, Secrets::default()).expect("the second process starts")
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Runs SQL on the server's database, in one transaction: only for setups the API cannot
    /// make in reasonable time (thousands of rows); every assertion stays on HTTP.
    pub fn execute_sql(&self, sql: &str) {
        paddock_db::testing::execute_sql(&self.database_url, sql);
    }

    /// `http://127.0.0.1:<port>/api/v4<path>`.
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/api/v4{path}", self.base)
    }

    /// A request to `/api/v4<path>` with no credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.api_url(path))
    }

    /// A request to `/api/v4<path>` as `token`.
    pub fn as_token(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path).header("PRIVATE-TOKEN", token)
    }

    /// A request to a path outside `/api/v4` (health checks, unknown routes).
    pub fn raw(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.as_token(&self.root_token, Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.as_token(&self.root_token, Method::POST, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.as_token(&self.root_token, Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.as_token(&self.root_token, Method::DELETE, path)
    }

    /// Creates a user (as root) and an `api` token for them.
    pub fn user(&self, username: &str) -> TestUser {
        self.user_with_scopes(username, &["api"])
    }

    pub fn user_with_scopes(&self, username: &str, scopes: &[&str]) -> TestUser {
        let created = expect_json(
            self.post("/users")
                .json(&json!({"username": username, "name": username, "email": format!("{username}@example.com")})),
            201,
        );
        let id = created["id"].as_i64().expect("an id");
        let token = expect_json(
            self.post(&format!("/users/{id}/personal_access_tokens"))
                .json(&json!({"name": "test", "scopes": scopes})),
            201,
        );
        TestUser {
            id,
            username: username.to_owned(),
            token: token["token"].as_str().expect("a token").to_owned(),
        }
    }

    /// Creates a group as `token`.
    pub fn group_as(&self, token: &str, path: &str, parent: Option<i64>) -> Value {
        let mut body = json!({"name": path, "path": path});
        if let Some(parent) = parent {
            body["parent_id"] = json!(parent);
        }
        expect_json(
            self.as_token(token, Method::POST, "/groups").json(&body),
            201,
        )
    }

    /// Creates a project as `token` in a namespace (`None`: the caller's own).
    pub fn project_as(&self, token: &str, path: &str, namespace: Option<i64>) -> Value {
        let mut body = json!({"name": path, "path": path});
        if let Some(namespace) = namespace {
            body["namespace_id"] = json!(namespace);
        }
        expect_json(
            self.as_token(token, Method::POST, "/projects").json(&body),
            201,
        )
    }

    /// Adds a member (as root) to `groups/<id>` or `projects/<id>`.
    pub fn add_member(&self, source: &str, user: i64, access_level: i64) {
        expect_json(
            self.post(&format!("/{source}/members"))
                .json(&json!({"user_id": user, "access_level": access_level})),
            201,
        );
    }

    /// Registers a runner with a registration token through the runner-facing
    /// `POST /api/v4/runners` (no personal access token): `token` is added to `body` (a JSON
    /// object, or `null` for none). Asserts 201 and returns `{id, token, token_expires_at}`.
    #[track_caller]
    pub fn register_runner(&self, token: &str, body: Value) -> Value {
        let mut body = if body.is_null() { json!({}) } else { body };
        body["token"] = json!(token);
        expect_json(self.anonymous(Method::POST, "/runners").json(&body), 201)
    }

    /// Registers a runner and returns its id and authentication token.
    #[track_caller]
    pub fn register_runner_id(&self, token: &str, body: Value) -> (i64, String) {
        let registered = self.register_runner(token, body);
        (
            registered["id"].as_i64().expect("a runner id"),
            registered["token"]
                .as_str()
                .expect("a runner token")
                .to_owned(),
        )
    }

    /// `POST /api/v4/runners/verify` with the runner's token added to `body` (a JSON object or
    /// `null`); asserts 200 and returns the body. A verify counts as a contact.
    #[track_caller]
    pub fn verify_runner(&self, token: &str, body: Value) -> Value {
        let mut body = if body.is_null() { json!({}) } else { body };
        body["token"] = json!(token);
        expect_json(
            self.anonymous(Method::POST, "/runners/verify").json(&body),
            200,
        )
    }

    /// The project's registration token (`runners_token` of `GET /projects/:id`, as root).
    #[track_caller]
    pub fn project_registration_token(&self, project: i64) -> String {
        let project = expect_json(self.get(&format!("/projects/{project}")), 200);
        project["runners_token"]
            .as_str()
            .expect("runners_token in the project JSON")
            .to_owned()
    }

    /// The group's registration token (`runners_token` of `GET /groups/:id`, as root).
    #[track_caller]
    pub fn group_registration_token(&self, group: i64) -> String {
        let group = expect_json(self.get(&format!("/groups/{group}")), 200);
        group["runners_token"]
            .as_str()
            .expect("runners_token in the group JSON")
            .to_owned()
    }

    /// Creates a project as root (in root's namespace, or in `namespace`) whose CI
    /// configuration is `ci_config`; returns its id.
    #[track_caller]
    pub fn ci_project(&self, path: &str, namespace: Option<i64>, ci_config: &str) -> i64 {
        let mut body = json!({"name": path, "path": path, "ci_config": ci_config});
        if let Some(namespace) = namespace {
            body["namespace_id"] = json!(namespace);
        }
        let project = expect_json(self.post("/projects").json(&body), 201);
        project["id"].as_i64().expect("a project id")
    }

    /// `POST /projects/:id/pipeline` as root for `ref_name` at [`SHA`] (no repository
    /// needed); asserts 201 and returns the pipeline.
    #[track_caller]
    pub fn create_pipeline(&self, project: i64, ref_name: &str) -> Value {
        self.create_pipeline_with(project, json!({"ref": ref_name}))
    }

    /// `POST /projects/:id/pipeline` as root with `body`, [`SHA`] added unless it names a
    /// `sha`; asserts 201 and returns the pipeline.
    #[track_caller]
    pub fn create_pipeline_with(&self, project: i64, mut body: Value) -> Value {
        if body.get("sha").is_none() {
            body["sha"] = json!(SHA);
        }
        expect_json(
            self.post(&format!("/projects/{project}/pipeline"))
                .json(&body),
            201,
        )
    }

    /// The pipeline as root.
    #[track_caller]
    pub fn pipeline(&self, project: i64, pipeline: i64) -> Value {
        expect_json(
            self.get(&format!("/projects/{project}/pipelines/{pipeline}")),
            200,
        )
    }

    /// The pipeline's status as root.
    #[track_caller]
    pub fn pipeline_status(&self, project: i64, pipeline: i64) -> String {
        self.pipeline(project, pipeline)["status"]
            .as_str()
            .expect("a pipeline status")
            .to_owned()
    }

    /// The pipeline's jobs (latest tries, by id), as root.
    #[track_caller]
    pub fn pipeline_jobs(&self, project: i64, pipeline: i64) -> Vec<Value> {
        let list = expect_json(
            self.get(&format!(
                "/projects/{project}/pipelines/{pipeline}/jobs?per_page=100"
            )),
            200,
        );
        let mut jobs = list.as_array().expect("a job list").clone();
        jobs.sort_by_key(|j| j["id"].as_i64());
        jobs
    }

    /// `name: status` of each job of the pipeline, by name.
    #[track_caller]
    pub fn job_statuses(&self, project: i64, pipeline: i64) -> BTreeMap<String, String> {
        self.pipeline_jobs(project, pipeline)
            .iter()
            .map(|j| {
                (
                    j["name"].as_str().expect("a job name").to_owned(),
                    j["status"].as_str().expect("a job status").to_owned(),
                )
            })
            .collect()
    }

    /// The job with this name in the pipeline.
    #[track_caller]
    pub fn job_named(&self, project: i64, pipeline: i64, name: &str) -> Value {
        self.pipeline_jobs(project, pipeline)
            .into_iter()
            .find(|j| j["name"] == name)
            .unwrap_or_else(|| panic!("a job {name} in pipeline {pipeline}"))
    }

    /// A job as root.
    #[track_caller]
    pub fn job(&self, project: i64, job: i64) -> Value {
        expect_json(self.get(&format!("/projects/{project}/jobs/{job}")), 200)
    }

    /// Registers an instance runner; returns its id and token.
    #[track_caller]
    pub fn instance_runner(&self, body: Value) -> (i64, String) {
        self.register_runner_id(&self.registration_token, body)
    }

    /// `POST /jobs/request` with the runner's token (and `body`'s other fields): the job on
    /// 201 (asserting `Content-Type: application/json` and no `X-GitLab-Last-Update`), `None`
    /// on 204 (asserting `X-GitLab-Last-Update`). A 409 is retried.
    #[track_caller]
    pub fn request_job_with(&self, token: &str, body: Value) -> Option<Value> {
        let mut body = if body.is_null() { json!({}) } else { body };
        body["token"] = json!(token);
        for _ in 0..50 {
            let response = self
                .anonymous(Method::POST, "/jobs/request")
                .json(&body)
                .send()
                .expect("the request is answered");
            match response.status().as_u16() {
                201 => {
                    assert_eq!(header(&response, "X-GitLab-Last-Update"), "");
                    return Some(assert_json(response, 201));
                }
                204 => {
                    assert!(
                        !header(&response, "X-GitLab-Last-Update").is_empty(),
                        "a 204 carries X-GitLab-Last-Update"
                    );
                    return None;
                }
                409 => continue,
                other => panic!(
                    "POST /jobs/request answered {other}: {}",
                    response.text().unwrap_or_default()
                ),
            }
        }
        panic!("POST /jobs/request kept answering 409");
    }

    /// [`TestServer::request_job_with`] with no other fields.
    #[track_caller]
    pub fn request_job(&self, token: &str) -> Option<Value> {
        self.request_job_with(token, Value::Null)
    }

    /// Takes a job with the runner's token, asserting there is one.
    #[track_caller]
    pub fn take_job(&self, token: &str) -> Value {
        self.request_job(token)
            .unwrap_or_else(|| panic!("a job for the runner"))
    }

    /// `PUT /jobs/:id` with the job's token in `JOB-TOKEN` and `body`.
    pub fn update_job(&self, job: &Value, body: Value) -> Response {
        let id = job["id"].as_i64().expect("a job id");
        self.anonymous(Method::PUT, &format!("/jobs/{id}"))
            .header("JOB-TOKEN", job["token"].as_str().expect("a job token"))
            .json(&body)
            .send()
            .expect("the request is answered")
    }

    /// Finishes a job taken by a runner with `state` (`success` or `failed`); asserts 200.
    #[track_caller]
    pub fn finish_job(&self, job: &Value, state: &str) {
        let response = self.update_job(job, json!({"state": state}));
        assert_eq!(response.status().as_u16(), 200, "PUT /jobs/:id");
        assert_eq!(header(&response, "Job-Status"), state);
    }

    /// `PATCH /jobs/:id/trace` with the job's token, `Content-Range: <start>-<end>` (the
    /// inclusive end gitlab-runner sends) and `data`.
    pub fn patch_trace(&self, job: &Value, start: usize, data: &[u8]) -> Response {
        let id = job["id"].as_i64().expect("a job id");
        let end = (start + data.len()).saturating_sub(1);
        self.anonymous(Method::PATCH, &format!("/jobs/{id}/trace"))
            .header("JOB-TOKEN", job["token"].as_str().expect("a job token"))
            .header("Content-Type", "text/plain")
            .header("Content-Range", format!("{start}-{end}"))
            .body(data.to_vec())
            .send()
            .expect("the request is answered")
    }

    /// `GET /projects/:id/jobs/:job_id/trace` as root: the stored log.
    #[track_caller]
    pub fn job_log(&self, project: i64, job: i64) -> String {
        let response = expect_status(
            self.get(&format!("/projects/{project}/jobs/{job}/trace")),
            200,
        );
        response.text().expect("a log")
    }

    /// Protects a branch of the project (as root).
    #[track_caller]
    pub fn protect_branch(&self, project: i64, name: &str) {
        expect_json(
            self.post(&format!("/projects/{project}/protected_branches"))
                .json(&json!({"name": name})),
            201,
        );
    }

    /// Stops the server now, gracefully, as on SIGTERM: parked job requests are answered,
    /// requests in flight finish (it also stops when dropped).
    pub fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

/// The validated `paddock serve` configuration of a test server.
fn serve_config(
    data_dir: &Path,
    database_url: &str,
    options: &Options,
    flags: &[&str],
) -> paddock_server::Config {
    let max_body = options.max_request_body.to_string();
    let mut args = vec![
        "paddock",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().expect("a UTF-8 path"),
        "--database-url",
        database_url,
        "--max-request-body",
        &max_body,
    ];
    // Tests answer idle polls at once unless they are about long polling.
    if !flags.contains(&"--long-poll-timeout") {
        args.extend_from_slice(&["--long-poll-timeout", "0"]);
    }
    args.extend_from_slice(flags);
    let cli = Cli::parse_args(args).expect("valid arguments");
    let Command::Serve(args) = cli.command else {
        panic!("serve arguments");
    };
    args.validate().expect("a valid test configuration")
}

/// Sends a request, asserts the status and `Content-Type: application/json`, returns the body.
#[track_caller]
pub fn expect_json(request: RequestBuilder, status: u16) -> Value {
    let response = request.send().expect("the request is answered");
    assert_json(response, status)
}

/// Asserts the status and `Content-Type: application/json` of a response; returns the body.
#[track_caller]
pub fn assert_json(response: Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().unwrap_or_default();
    assert_eq!(got, status, "status (body: {text})");
    assert!(
        content_type.starts_with("application/json"),
        "Content-Type is {content_type:?} (body: {text})"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("a JSON body ({e}): {text}"))
}

/// Sends a request and asserts the status only.
#[track_caller]
pub fn expect_status(request: RequestBuilder, status: u16) -> Response {
    let response = request.send().expect("the request is answered");
    assert_eq!(response.status().as_u16(), status, "status");
    response
}

/// The header's value, or "" when absent.
pub fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The commit of pipelines created without a repository.
pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// The workspace root (for `migrations/`, the Python scripts, ...).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// The fields of GitLab's `Runner` entity (lists, and `POST`/`DELETE` on project runners).
pub const RUNNER_KEYS: &[&str] = &[
    "id",
    "description",
    "ip_address",
    "active",
    "paused",
    "is_shared",
    "runner_type",
    "name",
    "online",
    "status",
];

/// The fields of GitLab's `RunnerDetails` entity (`GET`/`PUT /runners/:id`): `Runner` plus these.
pub const RUNNER_DETAILS_KEYS: &[&str] = &[
    "id",
    "description",
    "ip_address",
    "active",
    "paused",
    "is_shared",
    "runner_type",
    "name",
    "online",
    "status",
    "tag_list",
    "run_untagged",
    "locked",
    "maximum_timeout",
    "access_level",
    "version",
    "revision",
    "platform",
    "architecture",
    "contacted_at",
    "maintenance_note",
    "projects",
    "groups",
];

/// Asserts that a JSON object has exactly these keys (in any order).
#[track_caller]
pub fn assert_keys(value: &Value, keys: &[&str]) {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("a JSON object: {value}"));
    let mut got: Vec<&str> = object.keys().map(String::as_str).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = keys.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "the keys of {value}");
}

/// The `id`s of a JSON array of objects, sorted.
#[track_caller]
pub fn ids(list: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .as_array()
        .unwrap_or_else(|| panic!("a JSON array: {list}"))
        .iter()
        .map(|item| {
            item["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("an id in {item}"))
        })
        .collect();
    ids.sort_unstable();
    ids
}
