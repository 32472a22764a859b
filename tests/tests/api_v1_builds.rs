#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The legacy builds API (seed 002, reference §7.3–7.5): `POST /ci/api/v1/builds/register`
//! (runner token; `BuildDetails`; 204 or 404 when there is nothing, by `User-Agent`; 404 for
//! a paused runner; the `last_update` short-cut), `PUT /ci/api/v1/builds/:id` (runner token or
//! build token; state and whole trace; 404 for a build that is not running on this runner)
//! and `PATCH /ci/api/v1/builds/:id/trace.txt` (build token in `token` or `BUILD-TOKEN`; 202
//! with `Build-Status` and `Range`; 416; 400 without `Content-Range`).

use paddock_tests::legacy::{RUNNER_1X, as_runner_1x, register_v1_runner, v1};
use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::Response;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{
    SHA, TestServer, assert_json, assert_keys, expect_json, header, on_both_backends,
};

const ONE_JOB: &str = "build:\n  script: make\n";

const TWO_STAGES: &str = r#"
stages: [build, test]
variables:
  GLOBAL: "yes"
compile:
  stage: build
  image: ruby:2.1
  services: [postgres:9.5, redis]
  before_script: [bundle install]
  script: [make, make check]
  after_script: [echo done]
  artifacts:
    name: bin
    paths: [bin/]
    expire_in: 1 week
  cache:
    key: gems
    paths: [vendor/]
check:
  stage: test
  script: [make test]
  dependencies: [compile]
"#;

/// `POST /ci/api/v1/builds/register` as a 1.x runner, form-encoded.
fn poll(server: &TestServer, token: &str, last_update: Option<&str>) -> Response {
    let mut form = vec![("token", token)];
    if let Some(value) = last_update {
        form.push(("last_update", value));
    }
    as_runner_1x(server, Method::POST, "/builds/register")
        .form(&form)
        .send()
        .unwrap()
}

/// Takes the next build (asserting a 201).
#[track_caller]
fn take_build(server: &TestServer, token: &str) -> Value {
    assert_json(poll(server, token, None), 201)
}

/// A project, a pipeline of it and an instance runner registered through v1:
/// `(project, pipeline, runner token)`.
fn setup(server: &TestServer, ci_config: &str) -> (i64, i64, String) {
    let project = server.ci_project("app", None, ci_config);
    let pipeline = server.create_pipeline(project, "main")["id"]
        .as_i64()
        .unwrap();
    let (_, runner) = register_v1_runner(server, &server.registration_token);
    (project, pipeline, runner)
}

fn id_of(build: &Value) -> i64 {
    build["id"].as_i64().unwrap()
}

fn token_of(build: &Value) -> &str {
    build["token"].as_str().unwrap()
}

/// `PUT /ci/api/v1/builds/:id` with `form`.
fn put_build(server: &TestServer, id: i64, form: &[(&str, &str)]) -> Response {
    as_runner_1x(server, Method::PUT, &format!("/builds/{id}"))
        .form(form)
        .send()
        .unwrap()
}

/// `PATCH /ci/api/v1/builds/:id/trace.txt` with the build token in `BUILD-TOKEN`.
fn patch(server: &TestServer, build: &Value, range: Option<&str>, data: &str) -> Response {
    let mut request = as_runner_1x(
        server,
        Method::PATCH,
        &format!("/builds/{}/trace.txt", id_of(build)),
    )
    .header("BUILD-TOKEN", token_of(build))
    .header("Content-Type", "text/plain")
    .body(data.to_owned());
    if let Some(range) = range {
        request = request.header("Content-Range", range);
    }
    request.send().unwrap()
}

#[track_caller]
fn assert_accepted(response: Response, status: &str, size: usize) {
    assert_eq!(response.status(), 202);
    assert_eq!(header(&response, "Build-Status"), status);
    assert_eq!(header(&response, "Range"), format!("0-{size}"));
}

const BUILD_KEYS: &[&str] = &[
    "id",
    "ref",
    "tag",
    "sha",
    "status",
    "name",
    "stage",
    "project_id",
    "project_name",
];

on_both_backends! {
    fn register_hands_out_the_build_as_build_details(server) {
        let (project, pipeline, runner) = setup(&server, TWO_STAGES);
        let build = take_build(&server, &runner);
        let mut keys = BUILD_KEYS.to_vec();
        keys.extend(["token", "commands", "repo_url", "before_sha", "allow_git_fetch", "options",
            "timeout", "variables", "depends_on_builds", "credentials"]);
        assert_keys(&build, &keys);
        let compile = server.job_named(project, pipeline, "compile");
        assert_eq!(build["id"], compile["id"]);
        assert_eq!(build["name"], "compile");
        assert_eq!(build["stage"], "build");
        assert_eq!(build["status"], "running");
        assert_eq!(build["ref"], "main");
        assert_eq!(build["tag"], false);
        assert_eq!(build["sha"], SHA);
        assert_eq!(build["project_id"], project);
        assert_eq!(build["project_name"], "app");
        assert!(token_of(&build).starts_with("glcbt-"));
        // The script after the before_script, one command a line.
        assert_eq!(build["commands"], "bundle install\nmake\nmake check");
        assert_eq!(build["allow_git_fetch"], true);
        assert_eq!(build["timeout"], 3600);
        assert_eq!(build["options"], json!({
            "image": "ruby:2.1",
            "services": ["postgres:9.5", "redis"],
            "artifacts": {"name": "bin", "untracked": false, "paths": ["bin/"], "when": "on_success", "expire_in": "1 week"},
            "cache": {"key": "gems", "untracked": false, "paths": ["vendor/"]},
            "after_script": ["echo done"],
        }));
        let variables = build["variables"].as_array().unwrap();
        for variable in variables {
            assert_keys(variable, &["key", "value", "public"]);
        }
        let value_of = |key: &str| variables.iter().find(|v| v["key"] == key).map(|v| v["value"].clone());
        assert_eq!(value_of("GLOBAL"), Some(json!("yes")));
        assert_eq!(value_of("CI_JOB_ID"), Some(json!(id_of(&build).to_string())));
        assert_eq!(build["depends_on_builds"], json!([]));
        assert_eq!(build["credentials"], json!([]));
        assert_eq!(server.job(project, id_of(&build))["status"], "running");

        // The next stage's build names the build it depends on, with the token that
        // downloads its artifacts (its own).
        let response = put_build(&server, id_of(&build), &[("token", &runner), ("state", "success")]);
        assert_eq!(response.status(), 200);
        let check = take_build(&server, &runner);
        assert_eq!(check["name"], "check");
        assert_eq!(check["options"], json!({"dependencies": ["compile"]}));
        let token = token_of(&check);
        assert_eq!(check["depends_on_builds"], json!([{
            "id": id_of(&build), "ref": "main", "tag": false, "sha": SHA, "status": "success",
            "name": "compile", "token": token, "stage": "build", "project_id": project,
            "project_name": "app",
        }]));
    }

    fn register_accepts_json_and_the_json_suffix_as_1x_runners_sent_them(server) {
        let (_, _, runner) = setup(&server, ONE_JOB);
        let build = expect_json(
            as_runner_1x(&server, Method::POST, "/builds/register.json").json(&json!({
                "token": runner,
                "info": {"name": "gitlab-ci-multi-runner", "version": "1.2.0", "revision": "3a4fcd4",
                         "platform": "linux", "architecture": "amd64"},
            })),
            201,
        );
        assert_eq!(build["name"], "build");
        let runners = expect_json(server.get("/runners/all"), 200);
        let id = runners[0]["id"].as_i64().unwrap();
        let details = expect_json(server.get(&format!("/runners/{id}")), 200);
        assert_eq!(details["version"], "1.2.0");
    }

    fn no_build_is_204_for_runners_that_know_it_and_404_for_others(server) {
        let (_, runner) = register_v1_runner(&server, &server.registration_token);
        let response = poll(&server, &runner, None);
        assert_eq!(response.status(), 204);
        let value = header(&response, "X-GitLab-Last-Update");
        assert!(!value.is_empty());
        assert_eq!(response.text().unwrap(), "");
        // A client that is not a known runner (runners older than 8.x's 204) gets 404.
        for user_agent in [None, Some("gitlab-ci-multi-runner 0.7 (x)"), Some("curl/8.5.0")] {
            let mut request = v1(&server, Method::POST, "/builds/register").form(&[("token", &runner)]);
            if let Some(user_agent) = user_agent {
                request = request.header("User-Agent", user_agent);
            }
            let response = request.send().unwrap();
            assert_eq!(header(&response, "X-GitLab-Last-Update"), value, "{user_agent:?}");
            assert_eq!(assert_json(response, 404), json!({"message": "404 Not Found"}));
        }
        // The current gitlab-runner's agent is known too.
        let response = v1(&server, Method::POST, "/builds/register")
            .header("User-Agent", "gitlab-runner 17.0.0 (17-0-stable; go1.22.3; linux/amd64)")
            .form(&[("token", &runner)])
            .send()
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    fn an_unchanged_last_update_is_answered_without_a_build(server) {
        let (_, runner) = register_v1_runner(&server, &server.registration_token);
        let value = header(&poll(&server, &runner, None), "X-GitLab-Last-Update");
        let response = poll(&server, &runner, Some(&value));
        assert_eq!(response.status(), 204);
        assert_eq!(header(&response, "X-GitLab-Last-Update"), value);
        // A build queued since changes the value: the runner's stale value reads the queue.
        let project = server.ci_project("app", None, ONE_JOB);
        server.create_pipeline(project, "main");
        let build = assert_json(poll(&server, &runner, Some(&value)), 201);
        assert_eq!(build["name"], "build");
    }

    fn register_refuses_unknown_tokens_and_paused_runners(server) {
        let (project, pipeline, runner) = setup(&server, ONE_JOB);
        for form in [vec![("token", "glrt-unknown")], vec![("token", "")], vec![]] {
            let response = as_runner_1x(&server, Method::POST, "/builds/register").form(&form).send().unwrap();
            assert_eq!(assert_json(response, 403), json!({"message": "403 Forbidden"}), "{form:?}");
        }
        // The registration token is not a runner token.
        let response = poll(&server, &server.registration_token, None);
        assert_eq!(response.status(), 403);
        let runners = expect_json(server.get("/runners/all"), 200);
        let id = runners[0]["id"].as_i64().unwrap();
        expect_json(server.put(&format!("/runners/{id}")).json(&json!({"paused": true})), 200);
        let response = poll(&server, &runner, None);
        assert_eq!(header(&response, "X-GitLab-Last-Update"), "");
        assert_eq!(assert_json(response, 404), json!({"message": "404 Not Found"}));
        assert_eq!(server.job_named(project, pipeline, "build")["status"], "pending");
        expect_json(server.put(&format!("/runners/{id}")).json(&json!({"paused": false})), 200);
        assert_eq!(take_build(&server, &runner)["name"], "build");
    }

    fn put_reports_state_and_whole_trace_with_the_runner_token(server) {
        let (project, pipeline, runner) = setup(&server, ONE_JOB);
        let build = take_build(&server, &runner);
        let id = id_of(&build);
        // `running` (or no state) keeps the build running; the trace replaces the stored log.
        for (state, trace) in [(Some("running"), "first\n"), (None, "first\nsecond\n")] {
            let mut form = vec![("token", runner.as_str()), ("trace", trace)];
            if let Some(state) = state {
                form.push(("state", state));
            }
            let body = assert_json(put_build(&server, id, &form), 200);
            assert_keys(&body, BUILD_KEYS);
            assert_eq!(body["id"], id);
            assert_eq!(body["status"], "running");
            assert_eq!(body["project_name"], "app");
            assert_eq!(server.job_log(project, id), trace);
        }
        let body = assert_json(put_build(&server, id, &[("token", &runner), ("state", "success"), ("trace", "all done\n")]), 200);
        assert_eq!(body["status"], "success");
        assert_eq!(server.job(project, id)["status"], "success");
        assert_eq!(server.job_log(project, id), "all done\n");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        // A build that is not running any more: 404, nothing changes.
        let response = put_build(&server, id, &[("token", &runner), ("state", "failed")]);
        assert_eq!(assert_json(response, 404), json!({"message": "404 Not found"}));
        assert_eq!(server.job(project, id)["status"], "success");
    }

    fn put_accepts_the_build_token_and_fails_builds(server) {
        let (project, pipeline, runner) = setup(&server, ONE_JOB);
        let build = take_build(&server, &runner);
        let id = id_of(&build);
        // An unknown state is refused with Grape's parameter error.
        let response = put_build(&server, id, &[("token", token_of(&build)), ("state", "finished")]);
        assert_eq!(assert_json(response, 400), json!({"error": "state does not have a valid value"}));
        let body = assert_json(put_build(&server, id, &[("token", token_of(&build)), ("state", "failed")]), 200);
        assert_eq!(body["status"], "failed");
        assert!(body.get("token").is_none(), "the token is not shown again");
        let job = server.job(project, id);
        assert_eq!(job["status"], "failed");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
        // JSON to the `.json` path, as 1.x sent it: the build is gone for the runner.
        let response = as_runner_1x(&server, Method::PUT, &format!("/builds/{id}.json"))
            .json(&json!({"token": runner, "state": "success"}))
            .send()
            .unwrap();
        assert_eq!(response.status(), 404);
    }

    fn put_is_404_for_builds_of_other_runners_and_403_for_unknown_tokens(server) {
        let (project, _, runner) = setup(&server, ONE_JOB);
        let build = take_build(&server, &runner);
        let id = id_of(&build);
        let (_, other) = register_v1_runner(&server, &server.registration_token);
        let response = put_build(&server, id, &[("token", &other), ("state", "success")]);
        assert_eq!(assert_json(response, 404), json!({"message": "404 Not found"}));
        for token in ["glrt-unknown", "", "glcbt-unknown"] {
            let response = put_build(&server, id, &[("token", token), ("state", "success")]);
            assert_eq!(assert_json(response, 403), json!({"message": "403 Forbidden"}), "{token:?}");
        }
        let response = as_runner_1x(&server, Method::PUT, &format!("/builds/{id}")).send().unwrap();
        assert_eq!(response.status(), 403, "no token at all");
        assert_eq!(server.job(project, id)["status"], "running");
        // gitlab-ci-multi-runner's "verify": a build that cannot exist; 404 means the
        // runner is known, 403 that it was removed.
        assert_eq!(put_build(&server, -1, &[("token", &runner)]).status(), 404);
        assert_eq!(put_build(&server, -1, &[("token", "glrt-removed")]).status(), 403);
        assert_eq!(put_build(&server, 999_999, &[("token", &runner)]).status(), 404);
        let response = put_build(&server, 0, &[("token", &runner)]);
        assert_eq!(response.status(), 404);
        let response = as_runner_1x(&server, Method::PUT, "/builds/abc").form(&[("token", &runner)]).send().unwrap();
        assert_eq!(assert_json(response, 404), json!({"message": "404 Not found"}));
    }

    fn put_masks_secrets_in_the_trace(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let secret = "s3cr3t-value-123";
        expect_json(
            server.post(&format!("/projects/{project}/variables"))
                .json(&json!({"key": "DEPLOY_KEY", "value": secret, "masked": true})),
            201,
        );
        server.create_pipeline(project, "main");
        let (_, runner) = register_v1_runner(&server, &server.registration_token);
        let build = take_build(&server, &runner);
        let trace = format!("deploying with {secret}\n");
        assert_eq!(put_build(&server, id_of(&build), &[("token", &runner), ("trace", &trace)]).status(), 200);
        let log = server.job_log(project, id_of(&build));
        assert_eq!(log, format!("deploying with [MASKED]{}\n", "x".repeat(secret.len() - 8)));
    }

    fn trace_txt_appends_by_content_range_with_either_token_form(server) {
        let (project, _, runner) = setup(&server, ONE_JOB);
        let build = take_build(&server, &runner);
        let id = id_of(&build);
        assert_accepted(patch(&server, &build, Some("0-5"), "hello "), "running", 6);
        // The token as a parameter instead of the header.
        let response = as_runner_1x(&server, Method::PATCH, &format!("/builds/{id}/trace.txt?token={}", token_of(&build)))
            .header("Content-Range", "6-11")
            .body("world\n")
            .send()
            .unwrap();
        assert_accepted(response, "running", 12);
        // Only the start counts; a start that is not the log's end is 416 with the size.
        let response = patch(&server, &build, Some("3-20"), "again");
        assert_eq!(header(&response, "Range"), "0-12");
        assert_eq!(assert_json(response, 416), json!({"message": "416 Range Not Satisfiable"}));
        let response = patch(&server, &build, None, "again");
        assert_eq!(assert_json(response, 400), json!({"message": "400 Missing header Content-Range"}));
        assert_eq!(server.job_log(project, id), "hello world\n");
    }

    fn trace_txt_refuses_wrong_tokens_unknown_builds_and_finished_builds(server) {
        let (project, _, runner) = setup(&server, ONE_JOB);
        let build = take_build(&server, &runner);
        let id = id_of(&build);
        for token in ["glcbt-wrong", runner.as_str()] {
            let response = as_runner_1x(&server, Method::PATCH, &format!("/builds/{id}/trace.txt"))
                .header("BUILD-TOKEN", token)
                .header("Content-Range", "0-1")
                .body("xx")
                .send()
                .unwrap();
            assert_eq!(assert_json(response, 403), json!({"message": "403 Forbidden"}));
        }
        let response = as_runner_1x(&server, Method::PATCH, &format!("/builds/{id}/trace.txt"))
            .header("Content-Range", "0-1")
            .body("xx")
            .send()
            .unwrap();
        assert_eq!(response.status(), 403, "no token");
        for missing in ["999999", "abc"] {
            let response = as_runner_1x(&server, Method::PATCH, &format!("/builds/{missing}/trace.txt"))
                .header("BUILD-TOKEN", token_of(&build))
                .header("Content-Range", "0-1")
                .body("xx")
                .send()
                .unwrap();
            assert_eq!(assert_json(response, 404), json!({"message": "404 Not Found"}), "{missing}");
        }
        assert_eq!(put_build(&server, id, &[("token", &runner), ("state", "success")]).status(), 200);
        let response = patch(&server, &build, Some("0-1"), "xx");
        assert_eq!(header(&response, "Build-Status"), "success");
        assert_eq!(assert_json(response, 403), json!({"message": "403 Forbidden"}));
        assert_eq!(server.job_log(project, id), "");
    }

    fn a_build_canceled_by_a_user_is_gone_for_its_runner(server) {
        let (project, pipeline, runner) = setup(&server, ONE_JOB);
        let build = take_build(&server, &runner);
        let id = id_of(&build);
        assert_accepted(patch(&server, &build, Some("0-3"), "step"), "running", 4);
        expect_json(server.post(&format!("/projects/{project}/jobs/{id}/cancel")), 201);
        // The log patch tells the runner to stop, and what became of the build.
        let response = patch(&server, &build, Some("4-7"), "more");
        assert_eq!(header(&response, "Build-Status"), "canceled");
        assert_eq!(assert_json(response, 403), json!({"message": "403 Forbidden"}));
        // Its final report finds no running build: 1.x aborts on 404.
        let response = put_build(&server, id, &[("token", &runner), ("state", "success"), ("trace", "step more\n")]);
        assert_eq!(assert_json(response, 404), json!({"message": "404 Not found"}));
        assert_eq!(server.job(project, id)["status"], "canceled");
        assert_eq!(server.job_log(project, id), "step");
        assert_eq!(server.pipeline_status(project, pipeline), "canceled");
    }

    fn builds_routes_answer_json_errors_for_other_methods(server) {
        for (method, path) in [
            (Method::GET, "/builds/register"),
            (Method::GET, "/builds/1"),
            (Method::POST, "/builds/1"),
            (Method::GET, "/builds/1/trace.txt"),
            (Method::PUT, "/builds/1/artifacts"),
        ] {
            let response = v1(&server, method.clone(), path).send().unwrap();
            assert_eq!(assert_json(response, 405), json!({"message": "405 Method Not Allowed"}), "{method} {path}");
        }
        let response = v1(&server, Method::POST, "/builds/register")
            .header("User-Agent", RUNNER_1X)
            .header("Content-Type", "application/json")
            .body("{\"token\": [1]}")
            .send()
            .unwrap();
        assert_eq!(response.status(), 400);
        // Garbage never gets a 5xx.
        let (_, runner) = register_v1_runner(&server, &server.registration_token);
        for (method, path, body) in [
            (Method::POST, "/builds/register", "{\"token\": {\"a\": 1}, \"info\": [1]}"),
            (Method::POST, "/builds/register", "{"),
            (Method::PUT, "/builds/1", "{\"token\": 5, \"trace\": [\"x\"]}"),
            (Method::PUT, "/builds/99999999999999999999999", "{}"),
            (Method::PATCH, "/builds/-5/trace.txt?token=%FF", "x"),
            (Method::POST, "/builds/1/artifacts", "{\"file\": 1}"),
            (Method::POST, "/builds/x/artifacts?token=%FF", "x"),
            (Method::GET, "/builds/1/artifacts?token[]=1", ""),
            (Method::DELETE, "/builds/99999999999999999999999/artifacts", "{}"),
        ] {
            let response = v1(&server, method.clone(), path)
                .header("Content-Type", "application/json")
                .header("Content-Range", "0-0")
                .body(body)
                .send()
                .unwrap();
            assert!(response.status().is_client_error(), "{method} {path}: {}", response.status());
        }
        let response = put_build(&server, 1, &[("token", &runner), ("trace", "x"), ("state", "")]);
        assert!(response.status().is_client_error());
    }
}

/// `POST`, `GET` and `DELETE /ci/api/v1/builds/:id/artifacts` (seed 002, reference §7.6).
mod artifacts {
    use paddock_tests::reqwest::blocking::multipart::{Form, Part};

    use super::*;

    /// Some bytes that are not all alike.
    fn content(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// A multipart form: `fields`, then the file `artifacts.zip` when there is one.
    fn form(fields: &[(&str, &str)], file: Option<&[u8]>) -> Form {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some(file) = file {
            form = form.part(
                "file",
                Part::bytes(file.to_vec())
                    .file_name("artifacts.zip")
                    .mime_str("application/zip")
                    .unwrap(),
            );
        }
        form
    }

    /// `POST /ci/api/v1/builds/:id/artifacts` with `fields` and `file`, as the seed's curl.
    fn upload(
        server: &TestServer,
        id: i64,
        fields: &[(&str, &str)],
        file: Option<&[u8]>,
    ) -> Response {
        as_runner_1x(server, Method::POST, &format!("/builds/{id}/artifacts"))
            .multipart(form(fields, file))
            .send()
            .unwrap()
    }

    /// `GET /ci/api/v1/builds/:id/artifacts?token=<token>`.
    fn download(server: &TestServer, id: i64, token: &str) -> Response {
        as_runner_1x(
            server,
            Method::GET,
            &format!("/builds/{id}/artifacts?token={token}"),
        )
        .send()
        .unwrap()
    }

    /// `DELETE /ci/api/v1/builds/:id/artifacts` with the token as a form field, as the seed's curl.
    fn erase(server: &TestServer, id: i64, token: &str) -> Response {
        as_runner_1x(server, Method::DELETE, &format!("/builds/{id}/artifacts"))
            .multipart(form(&[("token", token)], None))
            .send()
            .unwrap()
    }

    #[track_caller]
    fn assert_file(response: Response, want: &[u8]) {
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "Content-Type"), "application/zip");
        assert_eq!(header(&response, "Content-Length"), want.len().to_string());
        assert!(
            header(&response, "Content-Disposition")
                .starts_with("attachment; filename=\"artifacts.zip\"")
        );
        assert_eq!(response.bytes().unwrap().to_vec(), want);
    }

    #[track_caller]
    fn assert_not_found(response: Response) {
        assert_eq!(
            assert_json(response, 404),
            json!({"message": "404 Not Found"})
        );
    }

    #[track_caller]
    fn assert_forbidden(response: Response) {
        assert_eq!(
            assert_json(response, 403),
            json!({"message": "403 Forbidden"})
        );
    }

    on_both_backends! {
        fn upload_answers_201_with_the_build_and_its_archive_and_the_build_downloads_it(server) {
            let (project, pipeline, runner) = setup(&server, TWO_STAGES);
            let build = take_build(&server, &runner);
            let id = id_of(&build);
            let file = content(70_000);
            let response = upload(&server, id, &[("token", token_of(&build)), ("expire_in", "1 week")], Some(&file));
            let body = assert_json(response, 201);
            let mut keys = BUILD_KEYS.to_vec();
            keys.extend(["token", "commands", "repo_url", "before_sha", "allow_git_fetch", "options",
                "timeout", "variables", "depends_on_builds", "credentials",
                "artifacts_file", "artifacts_expire_at"]);
            assert_keys(&body, &keys);
            // The build as the runner received it (its `BuildDetails`), now with its archive.
            let mut received = build.clone();
            received["artifacts_file"] = body["artifacts_file"].clone();
            received["artifacts_expire_at"] = body["artifacts_expire_at"].clone();
            assert_eq!(body, received);
            assert_eq!(body["artifacts_file"], json!({"filename": "artifacts.zip", "size": 70_000}));
            let job = server.job(project, id);
            assert_eq!(body["artifacts_expire_at"], job["artifacts_expire_at"]);
            assert!(body["artifacts_expire_at"].is_string());
            assert_file(download(&server, id, token_of(&build)), &file);
            // The build token in `BUILD-TOKEN` downloads it too.
            let response = as_runner_1x(&server, Method::GET, &format!("/builds/{id}/artifacts"))
                .header("BUILD-TOKEN", token_of(&build))
                .send()
                .unwrap();
            assert_file(response, &file);
            // The next stage's build lists it with its archive, and its token downloads it.
            assert_json(put_build(&server, id, &[("token", &runner), ("state", "success")]), 200);
            let check = take_build(&server, &runner);
            assert_eq!(check["name"], "check");
            let dependency = &check["depends_on_builds"][0];
            assert_eq!(dependency["id"], id);
            assert_eq!(dependency["artifacts_file"], json!({"filename": "artifacts.zip", "size": 70_000}));
            assert_file(download(&server, id, dependency["token"].as_str().unwrap()), &file);
            assert_eq!(server.pipeline_status(project, pipeline), "running");
        }

        fn upload_takes_the_token_from_the_query_or_build_token_and_never_expires_without_expire_in(server) {
            let (_, _, runner) = setup(&server, ONE_JOB);
            let build = take_build(&server, &runner);
            let id = id_of(&build);
            let response = as_runner_1x(&server, Method::POST, &format!("/builds/{id}/artifacts"))
                .header("BUILD-TOKEN", token_of(&build))
                .multipart(form(&[], Some(b"zip")))
                .send()
                .unwrap();
            let body = assert_json(response, 201);
            assert_eq!(body["artifacts_file"]["size"], 3);
            assert_eq!(body["artifacts_expire_at"], Value::Null);
            assert_eq!(body["token"], token_of(&build));
            // The same file again through the query's token is accepted.
            let response = as_runner_1x(&server, Method::POST, &format!("/builds/{id}/artifacts?token={}", token_of(&build)))
                .multipart(form(&[], Some(b"zip")))
                .send()
                .unwrap();
            assert_eq!(assert_json(response, 201)["artifacts_file"]["size"], 3);
        }

        fn upload_refuses_wrong_tokens_unknown_builds_missing_files_and_finished_builds(server) {
            let (project, _, runner) = setup(&server, ONE_JOB);
            let build = take_build(&server, &runner);
            let id = id_of(&build);
            assert_forbidden(upload(&server, id, &[("token", "wrong")], Some(b"zip")));
            assert_forbidden(upload(&server, id, &[], Some(b"zip")));
            assert_forbidden(upload(&server, id, &[("token", &runner)], Some(b"zip")));
            assert_not_found(upload(&server, id + 1000, &[("token", token_of(&build))], Some(b"zip")));
            let response = upload(&server, id, &[("token", token_of(&build))], None);
            assert_eq!(
                assert_json(response, 400),
                json!({"message": "400 (Bad request) \"Missing artifacts file!\" not given"})
            );
            let response = upload(&server, id, &[("token", token_of(&build)), ("expire_in", "soon-ish")], Some(b"zip"));
            assert_eq!(assert_json(response, 400), json!({"error": "expire_in is invalid"}));
            assert_eq!(server.job(project, id)["artifacts"], json!([]));
            assert_json(put_build(&server, id, &[("token", &runner), ("state", "success")]), 200);
            let response = upload(&server, id, &[("token", token_of(&build))], Some(b"zip"));
            assert_eq!(
                assert_json(response, 403),
                json!({"message": "403 Forbidden - Build is not running!"})
            );
            assert_eq!(server.job(project, id)["artifacts"], json!([]));
        }

        fn download_is_404_without_archive_and_403_for_other_tokens(server) {
            let (_, _, runner) = setup(&server, ONE_JOB);
            let build = take_build(&server, &runner);
            let id = id_of(&build);
            assert_not_found(download(&server, id, token_of(&build)));
            assert_json(upload(&server, id, &[("token", token_of(&build))], Some(b"zip")), 201);
            assert_forbidden(download(&server, id, "wrong"));
            assert_forbidden(download(&server, id, &runner));
            assert_file(download(&server, id, token_of(&build)), b"zip");
        }

        fn delete_erases_the_archive_and_answers_the_build(server) {
            let (project, _, runner) = setup(&server, ONE_JOB);
            let build = take_build(&server, &runner);
            let id = id_of(&build);
            assert_json(upload(&server, id, &[("token", token_of(&build))], Some(b"zip")), 201);
            assert_json(put_build(&server, id, &[("token", &runner), ("state", "success")]), 200);
            assert_forbidden(erase(&server, id, "wrong"));
            assert_not_found(erase(&server, id + 1000, token_of(&build)));
            assert_file(download(&server, id, token_of(&build)), b"zip");
            // A finished build's token still erases its artifacts.
            let body = assert_json(erase(&server, id, token_of(&build)), 200);
            assert_keys(&body, BUILD_KEYS);
            assert_eq!(body["id"], id);
            assert_eq!(body["status"], "success");
            assert_not_found(download(&server, id, token_of(&build)));
            assert_eq!(server.job(project, id)["artifacts"], json!([]));
            // Erasing nothing is fine.
            assert_eq!(assert_json(erase(&server, id, token_of(&build)), 200)["id"], id);
        }
    }

    mod size_limit {
        use super::*;

        on_both_backends! {
            flags: ["--max-artifact-size", "4096"];

            fn uploads_past_the_limit_get_413(server) {
                let (project, _, runner) = setup(&server, ONE_JOB);
                let build = take_build(&server, &runner);
                let id = id_of(&build);
                let response = upload(&server, id, &[("token", token_of(&build))], Some(&content(4097)));
                assert_eq!(assert_json(response, 413), json!({"message": "413 Request Entity Too Large"}));
                assert_eq!(server.job(project, id)["artifacts"], json!([]));
                let file = content(4096);
                assert_json(upload(&server, id, &[("token", token_of(&build))], Some(&file)), 201);
                assert_file(download(&server, id, token_of(&build)), &file);
            }
        }
    }
}
