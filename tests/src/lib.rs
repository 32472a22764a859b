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
pub mod python;

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
#[macro_export]
macro_rules! on_both_backends {
    ($(fn $name:ident($server:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    let $server = $crate::TestServer::start($crate::Backend::Sqlite)
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
                    let Some($server) = $crate::TestServer::start($crate::Backend::Postgres) else {
                        return;
                    };
                    $body
                }
            )*
        }
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
        let max_body = options.max_request_body.to_string();
        let mut args = vec![
            "paddock",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.path().to_str().expect("a UTF-8 path"),
            "--database-url",
            &database_url,
            "--max-request-body",
            &max_body,
        ];
        args.extend_from_slice(flags);
        let cli = Cli::parse_args(args).expect("valid arguments");
        let Command::Serve(args) = cli.command else {
            panic!("serve arguments");
        };
        let config = args.validate().expect("a valid test configuration");
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
        })
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
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

    /// Stops the server now (it also stops when dropped).
    pub fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
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
