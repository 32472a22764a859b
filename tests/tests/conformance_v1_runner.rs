#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Conformance: a 2016 runner. The real `paddock` binary is driven exactly as
//! gitlab-ci-multi-runner 1.x drove GitLab 8.x's CI API v1 (its `User-Agent`, form-encoded
//! parameters, the runner token in `token`, the build token in `BUILD-TOKEN`): register with
//! the registration token, verify with `PUT /builds/-1`, poll `builds/register`, send the log
//! in `trace.txt` chunks, upload the first stage's artifacts (multipart `file`, as 1.x's
//! `UploadArtifacts`), download them in the second stage with the token its
//! `depends_on_builds` gives, finish with `PUT state=success` and the whole trace, poll again
//! with `last_update`, unregister. A user then reads, through the v4 API, that the pipeline
//! and its jobs succeeded with the logs the runner sent. On SQLite and on PostgreSQL.

use paddock_tests::binary;
use paddock_tests::legacy::RUNNER_1X;
use paddock_tests::reqwest::blocking::multipart::{Form, Part};
use paddock_tests::reqwest::blocking::{Client, RequestBuilder, Response};
use paddock_tests::reqwest::{Method, StatusCode};
use paddock_tests::serde_json::{Value, json};

const ROOT_TOKEN: &str = "glpat-v1-runner-root-token";
const REGISTRATION_TOKEN: &str = "GR1348941v1-runner-registration";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// What the first stage uploads (not all bytes alike, so a lost or reordered piece shows).
fn archive() -> Vec<u8> {
    (0..150_000u32).map(|i| (i * 31 + i / 253) as u8).collect()
}

const CI_CONFIG: &str = r#"
stages: [build, test]
compile:
  stage: build
  image: golang:1.6
  script: [go build ./...]
check:
  stage: test
  script: [go test ./...]
"#;

struct Runner1x {
    client: Client,
    base: String,
    token: String,
}

impl Runner1x {
    fn v1(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}/ci/api/v1{path}", self.base))
            .header("User-Agent", RUNNER_1X)
    }

    /// What 1.x sent with every poll: its token and `info`.
    fn poll(&self, last_update: Option<&str>) -> Response {
        let mut form = vec![
            ("token", self.token.as_str()),
            ("info[name]", "gitlab-ci-multi-runner"),
            ("info[version]", "1.2.0"),
            ("info[revision]", "3a4fcd4"),
            ("info[platform]", "linux"),
            ("info[architecture]", "amd64"),
        ];
        if let Some(value) = last_update {
            form.push(("last_update", value));
        }
        self.v1(Method::POST, "/builds/register")
            .form(&form)
            .send()
            .unwrap()
    }

    /// `POST /builds/:id/artifacts` as 1.x's `UploadArtifacts`: `BUILD-TOKEN` and the
    /// multipart `file`.
    fn upload(&self, build: &Value, file: &[u8]) -> Value {
        let id = build["id"].as_i64().unwrap();
        let form = Form::new().part(
            "file",
            Part::bytes(file.to_vec())
                .file_name("artifacts.zip")
                .mime_str("application/octet-stream")
                .unwrap(),
        );
        let response = self
            .v1(Method::POST, &format!("/builds/{id}/artifacts"))
            .header("BUILD-TOKEN", build["token"].as_str().unwrap())
            .multipart(form)
            .send()
            .unwrap();
        json_of(response, StatusCode::CREATED)
    }

    /// `GET /builds/:id/artifacts` as 1.x's `DownloadArtifacts`, with a `depends_on_builds`
    /// entry's id and token.
    fn download(&self, dependency: &Value) -> Vec<u8> {
        let id = dependency["id"].as_i64().unwrap();
        let response = self
            .v1(Method::GET, &format!("/builds/{id}/artifacts"))
            .header("BUILD-TOKEN", dependency["token"].as_str().unwrap())
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().unwrap().to_vec()
    }

    /// Runs a build as 1.x did: the log in `trace.txt` chunks, the artifacts if it has some,
    /// then the final `PUT` with the state and the whole trace.
    fn run(&self, build: &Value, chunks: &[&str], artifact: Option<&[u8]>) -> String {
        let id = build["id"].as_i64().unwrap();
        let mut sent = String::new();
        for chunk in chunks {
            let start = sent.len();
            let end = (start + chunk.len()).saturating_sub(1);
            let response = self
                .v1(Method::PATCH, &format!("/builds/{id}/trace.txt"))
                .header("BUILD-TOKEN", build["token"].as_str().unwrap())
                .header("Content-Type", "text/plain")
                .header("Content-Range", format!("{start}-{end}"))
                .body(chunk.to_string())
                .send()
                .unwrap();
            sent.push_str(chunk);
            assert_eq!(response.status(), StatusCode::ACCEPTED);
            assert_eq!(header(&response, "Build-Status"), "running");
            assert_eq!(header(&response, "Range"), format!("0-{}", sent.len()));
        }
        if let Some(file) = artifact {
            let uploaded = self.upload(build, file);
            assert_eq!(uploaded["id"], build["id"]);
            assert_eq!(
                uploaded["artifacts_file"],
                json!({"filename": "artifacts.zip", "size": file.len()})
            );
        }
        let response = self
            .v1(Method::PUT, &format!("/builds/{id}"))
            .form(&[
                ("token", self.token.as_str()),
                ("state", "success"),
                ("trace", sent.as_str()),
            ])
            .send()
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<Value>().unwrap()["status"], "success");
        sent
    }
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A user's v4 request as root.
fn v4(client: &Client, base: &str, method: Method, path: &str) -> RequestBuilder {
    client
        .request(method, format!("{base}/api/v4{path}"))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
}

fn json_of(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().unwrap()
}

fn run_against(database_url: Option<&str>) {
    let data_dir = tempfile::tempdir().unwrap();
    let server = binary::serve(
        data_dir.path(),
        database_url,
        &[
            ("PADDOCK_ROOT_TOKEN", ROOT_TOKEN),
            ("PADDOCK_REGISTRATION_TOKEN", REGISTRATION_TOKEN),
        ],
    );
    let client = Client::new();
    let base = server.base.clone();

    // `gitlab-ci-multi-runner register`.
    let registered = json_of(
        client
            .post(format!("{base}/ci/api/v1/runners/register"))
            .header("User-Agent", RUNNER_1X)
            .form(&[
                ("token", REGISTRATION_TOKEN),
                ("description", "build-box"),
                ("info[name]", "gitlab-ci-multi-runner"),
                ("info[version]", "1.2.0"),
            ])
            .send()
            .unwrap(),
        StatusCode::CREATED,
    );
    let runner = Runner1x {
        client: client.clone(),
        base: base.clone(),
        token: registered["token"].as_str().unwrap().to_owned(),
    };
    let runner_id = registered["id"].as_i64().unwrap();
    // `gitlab-ci-multi-runner verify`: a build that cannot exist; 404 means "alive".
    let response = runner
        .v1(Method::PUT, "/builds/-1")
        .form(&[("token", runner.token.as_str())])
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Nothing to do yet.
    let idle = runner.poll(None);
    assert_eq!(idle.status(), StatusCode::NO_CONTENT);

    // A user creates a project and a pipeline through v4.
    let project = json_of(
        v4(&client, &base, Method::POST, "/projects")
            .json(&json!({"name": "legacy", "path": "legacy", "ci_config": CI_CONFIG}))
            .send()
            .unwrap(),
        StatusCode::CREATED,
    );
    let project = project["id"].as_i64().unwrap();
    let pipeline = json_of(
        v4(
            &client,
            &base,
            Method::POST,
            &format!("/projects/{project}/pipeline"),
        )
        .json(&json!({"ref": "main", "sha": SHA}))
        .send()
        .unwrap(),
        StatusCode::CREATED,
    );
    let pipeline = pipeline["id"].as_i64().unwrap();

    // The runner's loop: each poll gives the next stage's build.
    let mut logs = Vec::new();
    for (name, chunks) in [
        ("compile", ["$ go build ./...\n", "ok\n"]),
        ("check", ["$ go test ./...\n", "PASS\n"]),
    ] {
        let build = json_of(runner.poll(None), StatusCode::CREATED);
        assert_eq!(build["name"], name);
        assert_eq!(build["sha"], SHA);
        assert_eq!(build["ref"], "main");
        if name == "compile" {
            assert_eq!(build["commands"], "go build ./...");
            assert_eq!(build["options"], json!({"image": "golang:1.6"}));
            assert_eq!(build["depends_on_builds"], json!([]));
        } else {
            let dependencies = build["depends_on_builds"].as_array().unwrap();
            assert_eq!(dependencies.len(), 1);
            assert_eq!(dependencies[0]["name"], "compile");
            assert_eq!(dependencies[0]["status"], "success");
            assert_eq!(
                dependencies[0]["artifacts_file"],
                json!({"filename": "artifacts.zip", "size": archive().len()})
            );
            assert!(
                runner.download(&dependencies[0]) == archive(),
                "the downloaded bytes differ"
            );
        }
        let artifact = (name == "compile").then(archive);
        let log = runner.run(&build, &chunks, artifact.as_deref());
        logs.push((
            build["id"].as_i64().unwrap(),
            build["token"].as_str().unwrap().to_owned(),
            log,
        ));
    }
    // Nothing left: 204 with the queue value, and the same value answered from memory.
    let idle = runner.poll(None);
    assert_eq!(idle.status(), StatusCode::NO_CONTENT);
    let value = header(&idle, "X-GitLab-Last-Update");
    assert!(!value.is_empty());
    let idle = runner.poll(Some(&value));
    assert_eq!(idle.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&idle, "X-GitLab-Last-Update"), value);

    // The user sees what the runner did.
    let pipeline_json = json_of(
        v4(
            &client,
            &base,
            Method::GET,
            &format!("/projects/{project}/pipelines/{pipeline}"),
        )
        .send()
        .unwrap(),
        StatusCode::OK,
    );
    assert_eq!(pipeline_json["status"], "success");
    for (id, _, log) in &logs {
        let job = json_of(
            v4(
                &client,
                &base,
                Method::GET,
                &format!("/projects/{project}/jobs/{id}"),
            )
            .send()
            .unwrap(),
            StatusCode::OK,
        );
        assert_eq!(job["status"], "success");
        assert_eq!(job["runner"]["id"], runner_id);
        let stored = v4(
            &client,
            &base,
            Method::GET,
            &format!("/projects/{project}/jobs/{id}/trace"),
        )
        .send()
        .unwrap();
        assert_eq!(stored.status(), StatusCode::OK);
        assert_eq!(&stored.text().unwrap(), log);
    }
    let details = json_of(
        v4(
            &client,
            &base,
            Method::GET,
            &format!("/runners/{runner_id}"),
        )
        .send()
        .unwrap(),
        StatusCode::OK,
    );
    assert_eq!(details["version"], "1.2.0");

    // `gitlab-ci-multi-runner unregister`.
    let response = client
        .delete(format!("{base}/ci/api/v1/runners/delete"))
        .header("User-Agent", RUNNER_1X)
        .form(&[("token", runner.token.as_str())])
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(runner.poll(None).status(), StatusCode::FORBIDDEN);

    let (status, log) = server.terminate();
    assert!(status.success(), "paddock exits cleanly: {log}");
    assert!(
        !log.contains(&runner.token),
        "the runner token is in the server log"
    );
    for (_, token, _) in &logs {
        assert!(
            !log.contains(token.as_str()),
            "a build token is in the server log"
        );
    }
}

#[test]
fn a_2016_runner_runs_a_pipeline_on_sqlite() {
    run_against(None);
}

#[test]
fn a_2016_runner_runs_a_pipeline_on_postgres() {
    let Some(database) = paddock_db::testing::postgres() else {
        return;
    };
    run_against(Some(database.url()));
}
