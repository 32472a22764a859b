#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Job artifacts (reference §2.7 "dependencies", §2.11, §2.12, §8.9; client-wire-formats §1):
//! `POST /jobs/:id/artifacts` (multipart `file`, options in the query or as form fields before
//! or after the file, chunked bodies, the size limit, type/format pairs, `expire_in`, the same
//! type twice), `GET /jobs/:id/artifacts` (the job's own token or a dependent job's), the
//! payload's `dependencies[].artifacts_file`, the job JSON, and the user-facing
//! `GET`/`DELETE /projects/:id/jobs/:job_id/artifacts`, and the files going with deleted
//! pipelines, projects, groups and users.

use std::io::Cursor;

use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::multipart::{Form, Part};
use paddock_tests::reqwest::blocking::{Body, Response};
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, assert_json, expect_json, header, on_both_backends};

const ONE_JOB: &str = "build:\n  script: make\n";

/// `build` and `other` in stage build; `test` (every earlier job) and `isolated`
/// (`dependencies: []`) in stage test.
const STAGES: &str = "\
stages: [build, test]
build:
  stage: build
  script: make
  artifacts:
    paths: [out/]
other:
  stage: build
  script: make other
test:
  stage: test
  script: make test
isolated:
  stage: test
  dependencies: []
  script: echo alone
";

fn id(job: &Value) -> i64 {
    job["id"].as_i64().unwrap()
}

fn token(job: &Value) -> &str {
    job["token"].as_str().unwrap()
}

/// A project with `ci_config`, a pipeline, and an instance runner: `(project, runner)`.
fn project_and_runner(server: &TestServer, ci_config: &str) -> (i64, String) {
    let project = server.ci_project("app", None, ci_config);
    server.create_pipeline(project, "main");
    let (_, runner) = server.instance_runner(json!(null));
    (project, runner)
}

/// Some bytes that are not all alike (so that a lost or reordered piece shows).
fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// `POST /jobs/:id/artifacts?<query>` with `JOB-TOKEN` (unless `None`), text fields `before`,
/// the file `artifacts.zip`, and text fields `after`.
fn upload_with(
    server: &TestServer,
    job: i64,
    job_token: Option<&str>,
    query: &str,
    before: &[(&str, &str)],
    file: &[u8],
    after: &[(&str, &str)],
) -> Response {
    let mut form = Form::new();
    for (k, v) in before {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "file",
        Part::bytes(file.to_vec())
            .file_name("artifacts.zip")
            .mime_str("application/zip")
            .unwrap(),
    );
    for (k, v) in after {
        form = form.text(k.to_string(), v.to_string());
    }
    let mut request = server
        .anonymous(Method::POST, &format!("/jobs/{job}/artifacts{query}"))
        .multipart(form);
    if let Some(t) = job_token {
        request = request.header("JOB-TOKEN", t);
    }
    request.send().unwrap()
}

/// The job's archive upload with its own token and no options.
fn upload(server: &TestServer, job: &Value, file: &[u8]) -> Response {
    upload_with(server, id(job), Some(token(job)), "", &[], file, &[])
}

/// The job's archive upload as a body of unknown length: reqwest sends it with
/// `Transfer-Encoding: chunked`, as gitlab-runner does.
fn chunked_upload(server: &TestServer, job: &Value, file: &[u8]) -> Response {
    let boundary = "paddock-boundary-42";
    let mut body = Vec::new();
    body.extend_from_slice(format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"artifacts.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    ).as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    server
        .anonymous(
            Method::POST,
            &format!(
                "/jobs/{}/artifacts?artifact_format=zip&artifact_type=archive",
                id(job)
            ),
        )
        .header("JOB-TOKEN", token(job))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::new(Cursor::new(body)))
        .send()
        .unwrap()
}

#[track_caller]
fn assert_created(response: Response) {
    assert_eq!(response.status(), 201);
    assert_eq!(response.text().unwrap(), "201");
}

/// `GET /jobs/:id/artifacts` with `JOB-TOKEN: token`.
fn download(server: &TestServer, job: i64, token: &str) -> Response {
    server
        .anonymous(Method::GET, &format!("/jobs/{job}/artifacts"))
        .header("JOB-TOKEN", token)
        .send()
        .unwrap()
}

/// Asserts a 200 with the archive's bytes and headers.
#[track_caller]
fn assert_file(response: Response, want: &[u8]) {
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "Content-Type"), "application/zip");
    assert_eq!(header(&response, "Content-Length"), want.len().to_string());
    let disposition = header(&response, "Content-Disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"artifacts.zip\""),
        "{disposition}"
    );
    assert_eq!(response.bytes().unwrap().to_vec(), want);
}

#[track_caller]
fn assert_no_artifacts(response: Response) {
    assert_eq!(
        assert_json(response, 404),
        json!({"message": "404 Not found"})
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
    fn options_come_from_the_query_or_from_form_fields_around_the_file(server) {
        let (project, runner) = project_and_runner(&server, "a:\n  script: x\nb:\n  script: y\n");
        let a = server.take_job(&runner);
        let b = server.take_job(&runner);
        // gitlab-runner: options in the query.
        let file = content(1000);
        assert_created(upload_with(
            &server, id(&a), Some(token(&a)),
            "?artifact_type=archive&artifact_format=zip&expire_in=1%20week",
            &[], &file, &[],
        ));
        let shown = server.job(project, id(&a));
        assert_eq!(shown["artifacts_file"], json!({"filename": "artifacts.zip", "size": 1000}));
        assert_eq!(
            shown["artifacts"],
            json!([{"file_type": "archive", "size": 1000, "filename": "artifacts.zip", "file_format": "zip"}])
        );
        assert!(shown["artifacts_expire_at"].is_string(), "{shown}");
        // gitlab-python-runner: options as form fields, before and after the file; a report
        // of another type beside the archive.
        assert_created(upload_with(
            &server, id(&a), Some(token(&a)), "",
            &[("artifact_type", "junit")], b"<testsuite/>", &[("artifact_format", "gzip"), ("expire_in", "never")],
        ));
        let shown = server.job(project, id(&a));
        let types: Vec<&str> = shown["artifacts"].as_array().unwrap().iter().map(|x| x["file_type"].as_str().unwrap()).collect();
        assert_eq!(types, ["archive", "junit"]);
        // Form fields win over the query; no expiry when none is given.
        assert_created(upload_with(
            &server, id(&b), Some(token(&b)), "?artifact_type=junit&artifact_format=gzip",
            &[("artifact_type", "archive")], b"zip", &[("artifact_format", "zip")],
        ));
        let shown = server.job(project, id(&b));
        assert_eq!(shown["artifacts_file"]["size"], 3);
        assert_eq!(shown["artifacts_expire_at"], Value::Null);
        // The job list shows them too; a job without any has none.
        let list = expect_json(server.get(&format!("/projects/{project}/jobs")), 200);
        let sizes: Vec<Value> = list.as_array().unwrap().iter().map(|j| j["artifacts_file"]["size"].clone()).collect();
        assert_eq!(sizes, [json!(3), json!(1000)]);
        // The token as a form field (after the file) instead of JOB-TOKEN.
        server.create_pipeline(project, "main");
        let next = server.take_job(&runner);
        assert_created(upload_with(&server, id(&next), None, "", &[], b"x", &[("token", token(&next))]));
    }

    fn chunked_bodies_are_streamed_to_the_store(server) {
        let (_, runner) = project_and_runner(&server, ONE_JOB);
        let job = server.take_job(&runner);
        let file = content(300 * 1024 + 17);
        let response = chunked_upload(&server, &job, &file);
        assert_created(response);
        assert_file(download(&server, id(&job), token(&job)), &file);
        // Nothing is left half-written.
        let tmp = server.data_dir().join("artifacts").join("tmp");
        assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);
    }

    fn bad_uploads_are_refused_with_400_and_nothing_is_kept(server) {
        let (_, runner) = project_and_runner(&server, ONE_JOB);
        let job = server.take_job(&runner);
        let (j, t) = (id(&job), token(&job));
        // No file.
        let response = server
            .anonymous(Method::POST, &format!("/jobs/{j}/artifacts"))
            .header("JOB-TOKEN", t)
            .multipart(Form::new().text("artifact_type", "archive"))
            .send()
            .unwrap();
        assert_eq!(assert_json(response, 400), json!({"error": "file is missing"}));
        for (query, want) in [
            ("?artifact_type=archive&artifact_format=gzip", json!({"message": "Validation failed: File format Invalid file format with specified file type"})),
            ("?artifact_type=junit&artifact_format=raw", json!({"message": "Validation failed: File format Invalid file format with specified file type"})),
            ("?artifact_type=binary", json!({"error": "artifact_type does not have a valid value"})),
            ("?artifact_format=tar", json!({"error": "artifact_format does not have a valid value"})),
            ("?expire_in=forever", json!({"error": "expire_in is invalid"})),
            ("?expire_in=7%20parsecs", json!({"error": "expire_in is invalid"})),
        ] {
            let response = upload_with(&server, j, Some(t), query, &[], b"zip", &[]);
            assert_eq!(assert_json(response, 400), want, "{query}");
        }
        assert_no_artifacts(download(&server, j, t));
        let tmp = server.data_dir().join("artifacts").join("tmp");
        assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);
    }

    fn uploads_need_the_token_of_a_job_a_runner_works_on(server) {
        let (project, runner) = project_and_runner(&server, "a:\n  script: x\nb:\n  script: y\n");
        let a = server.take_job(&runner);
        let b = server.take_job(&runner);
        // Another job's token, a made-up one, none at all, a job that does not exist.
        assert_forbidden(upload_with(&server, id(&a), Some(token(&b)), "", &[], b"x", &[]));
        assert_forbidden(upload_with(&server, id(&a), Some("glcbt-made-up"), "", &[], b"x", &[]));
        assert_forbidden(upload_with(&server, id(&a), None, "", &[], b"x", &[]));
        assert_forbidden(upload_with(&server, 999_999, Some(token(&a)), "", &[], b"x", &[]));
        assert_forbidden(upload_with(&server, id(&a), None, &format!("?token={}", token(&b)), &[], b"x", &[]));
        // A finished job: 403 saying what it became, as PUT answers.
        server.finish_job(&a, "success");
        let response = upload(&server, &a, b"late");
        assert_eq!(response.status(), 403);
        assert_eq!(header(&response, "Job-Status"), "success");
        assert_eq!(
            assert_json(response, 403),
            json!({"message": "403 Forbidden - Job is not processing on runner"})
        );
        assert_eq!(server.job(project, id(&a))["artifacts"], json!([]));
        assert_created(upload(&server, &b, b"b"));
    }

    fn the_same_type_twice_is_ignored_with_the_same_content_and_refused_with_another(server) {
        let (_, runner) = project_and_runner(&server, ONE_JOB);
        let job = server.take_job(&runner);
        assert_created(upload(&server, &job, b"first"));
        assert_created(upload(&server, &job, b"first"));
        let response = upload(&server, &job, b"second");
        assert_eq!(
            assert_json(response, 400),
            json!({"message": "another artifact of the same type already exists"})
        );
        assert_file(download(&server, id(&job), token(&job)), b"first");
    }

    fn dependencies_carry_their_archive_and_their_token_downloads_it(server) {
        let (project, runner) = project_and_runner(&server, STAGES);
        let build = server.take_job(&runner);
        let other = server.take_job(&runner);
        assert_eq!(build["job_info"]["name"], "build");
        let file = content(4096);
        assert_created(upload(&server, &build, &file));
        server.finish_job(&build, "success");
        server.finish_job(&other, "success");
        let test = server.take_job(&runner);
        let isolated = server.take_job(&runner);
        assert_eq!(test["job_info"]["name"], "test");
        // Only a dependency with an archive has `artifacts_file`.
        assert_eq!(
            test["dependencies"],
            json!([
                {"id": id(&build), "name": "build", "token": token(&test), "artifacts_file": {"filename": "artifacts.zip", "size": 4096}},
                {"id": id(&other), "name": "other", "token": token(&test)},
            ])
        );
        assert_eq!(isolated["dependencies"], json!([]));
        // The dependent job's token, and the job's own (no running requirement).
        assert_file(download(&server, id(&build), token(&test)), &file);
        let by_query = server
            .anonymous(Method::GET, &format!("/jobs/{}/artifacts?token={}", id(&build), token(&test)))
            .send()
            .unwrap();
        assert_file(by_query, &file);
        assert_file(download(&server, id(&build), token(&build)), &file);
        // A job of the same pipeline that does not depend on it, a made-up token, none.
        assert_forbidden(download(&server, id(&build), token(&isolated)));
        assert_forbidden(download(&server, id(&build), token(&other)));
        assert_forbidden(download(&server, id(&build), "glcbt-made-up"));
        assert_forbidden(server.anonymous(Method::GET, &format!("/jobs/{}/artifacts", id(&build))).send().unwrap());
        assert_forbidden(download(&server, 999_999, token(&test)));
        // A dependency without an archive.
        assert_no_artifacts(download(&server, id(&other), token(&test)));
        // Once the dependent job has finished its token no longer reaches others' files.
        server.finish_job(&test, "success");
        assert_forbidden(download(&server, id(&build), token(&test)));
        assert_eq!(server.job(project, id(&build))["artifacts_file"]["size"], 4096);
    }

    fn expired_artifacts_are_absent(server) {
        let (project, runner) = project_and_runner(&server, STAGES);
        let build = server.take_job(&runner);
        let other = server.take_job(&runner);
        assert_created(upload_with(&server, id(&build), Some(token(&build)), "?expire_in=1%20second", &[], b"soon gone", &[]));
        // Only a lower bound is waited for: the artifact has expired afterwards, whatever the
        // machine's speed.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_no_artifacts(download(&server, id(&build), token(&build)));
        let shown = server.job(project, id(&build));
        assert_eq!(shown["artifacts"], json!([]));
        assert!(shown.get("artifacts_file").is_none(), "{shown}");
        server.finish_job(&build, "success");
        server.finish_job(&other, "success");
        let test = server.take_job(&runner);
        assert!(test["dependencies"][0].get("artifacts_file").is_none(), "{}", test["dependencies"]);
        let response = server.get(&format!("/projects/{project}/jobs/{}/artifacts", id(&build))).send().unwrap();
        assert_no_artifacts(response);
    }

    fn users_download_with_read_access_and_maintainers_delete(server) {
        let (project, runner) = project_and_runner(&server, ONE_JOB);
        let job = server.take_job(&runner);
        let file = content(2000);
        assert_created(upload(&server, &job, &file));
        let path = format!("/projects/{project}/jobs/{}/artifacts", id(&job));
        let reporter = server.user("reporter");
        let developer = server.user("developer");
        let maintainer = server.user("maintainer");
        let stranger = server.user("stranger");
        server.add_member(&format!("projects/{project}"), reporter.id, 20);
        server.add_member(&format!("projects/{project}"), developer.id, 30);
        server.add_member(&format!("projects/{project}"), maintainer.id, 40);
        assert_file(server.get(&path).send().unwrap(), &file);
        assert_file(server.as_token(&reporter.token, Method::GET, &path).send().unwrap(), &file);
        // The project is private: others do not see it.
        let response = server.as_token(&stranger.token, Method::GET, &path).send().unwrap();
        assert_eq!(assert_json(response, 404), json!({"message": "404 Project Not Found"}));
        let response = server.anonymous(Method::GET, &path).send().unwrap();
        assert_eq!(assert_json(response, 404), json!({"message": "404 Project Not Found"}));
        // A job of no such id.
        let response = server.get(&format!("/projects/{project}/jobs/999999/artifacts")).send().unwrap();
        assert_eq!(assert_json(response, 404), json!({"message": "404 Not found"}));
        // Deleting: maintainers only.
        assert_forbidden(server.as_token(&developer.token, Method::DELETE, &path).send().unwrap());
        let response = server.anonymous(Method::DELETE, &path).send().unwrap();
        assert_eq!(response.status(), 401);
        let response = server.as_token(&maintainer.token, Method::DELETE, &path).send().unwrap();
        assert_eq!(response.status(), 204);
        assert_no_artifacts(server.get(&path).send().unwrap());
        assert_no_artifacts(download(&server, id(&job), token(&job)));
        assert_eq!(server.job(project, id(&job))["artifacts"], json!([]));
        // The file is gone from the data directory too.
        let stored = walk(&server.data_dir().join("artifacts"));
        assert!(stored.is_empty(), "{stored:?}");
        // Deleting again is fine: nothing left.
        let response = server.delete(&path).send().unwrap();
        assert_eq!(response.status(), 204);
    }
}

mod deletions {
    use super::*;

    on_both_backends! {
        fn deleting_a_pipeline_or_a_project_removes_its_artifact_files(server) {
            let project = server.ci_project("app", None, ONE_JOB);
            let (_, runner) = server.instance_runner(json!(null));
            let first = server.create_pipeline(project, "main")["id"].as_i64().unwrap();
            let job = server.take_job(&runner);
            assert_created(upload(&server, &job, b"one"));
            let files = server.data_dir().join("artifacts");
            assert_eq!(walk(&files).len(), 1);
            let response = server.delete(&format!("/projects/{project}/pipelines/{first}")).send().unwrap();
            assert_eq!(response.status(), 204);
            assert!(walk(&files).is_empty(), "{:?}", walk(&files));
            server.create_pipeline(project, "main");
            let job = server.take_job(&runner);
            assert_created(upload(&server, &job, b"two"));
            assert_eq!(walk(&files).len(), 1);
            let response = server.delete(&format!("/projects/{project}")).send().unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            assert!(walk(&files).is_empty(), "{:?}", walk(&files));
        }

        fn deleting_a_group_or_a_user_removes_their_projects_artifact_files(server) {
            let (_, runner) = server.instance_runner(json!(null));
            let files = server.data_dir().join("artifacts");
            // A project in a subgroup of the group deleted.
            let team = server.group_as(&server.root_token, "team", None)["id"].as_i64().unwrap();
            let sub = server.group_as(&server.root_token, "sub", Some(team))["id"].as_i64().unwrap();
            let project = server.ci_project("app", Some(sub), ONE_JOB);
            server.create_pipeline(project, "main");
            let job = server.take_job(&runner);
            assert_created(upload(&server, &job, b"group"));
            assert_eq!(walk(&files).len(), 1);
            let response = server.delete(&format!("/groups/{team}")).send().unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            assert!(walk(&files).is_empty(), "{:?}", walk(&files));
            // A user's personal project.
            let dev = server.user("dev");
            let mine = server.project_as(&dev.token, "mine", None)["id"].as_i64().unwrap();
            expect_json(
                server.put(&format!("/projects/{mine}")).json(&json!({"ci_config": ONE_JOB})),
                200,
            );
            server.create_pipeline(mine, "main");
            let job = server.take_job(&runner);
            assert_created(upload(&server, &job, b"user"));
            assert_eq!(walk(&files).len(), 1);
            let response = server.delete(&format!("/users/{}", dev.id)).send().unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            assert!(walk(&files).is_empty(), "{:?}", walk(&files));
        }
    }
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

mod size_limit {
    use super::*;

    on_both_backends! {
        flags: ["--max-artifact-size", "4096"];

        fn uploads_past_the_limit_get_413_and_leave_nothing(server) {
            let (project, runner) = project_and_runner(&server, ONE_JOB);
            let job = server.take_job(&runner);
            let response = upload(&server, &job, &content(4097));
            assert_eq!(
                assert_json(response, 413),
                json!({"message": "413 Request Entity Too Large"})
            );
            // Far past the limit: answered as soon as the limit is passed, not after the whole
            // body, and the client still reads the 413.
            let response = upload(&server, &job, &content(8 * 1024 * 1024));
            assert_eq!(
                assert_json(response, 413),
                json!({"message": "413 Request Entity Too Large"})
            );
            let response = chunked_upload(&server, &job, &content(2 * 1024 * 1024));
            assert_eq!(
                assert_json(response, 413),
                json!({"message": "413 Request Entity Too Large"})
            );
            assert_eq!(server.job(project, id(&job))["artifacts"], json!([]));
            let stored = walk(&server.data_dir().join("artifacts"));
            assert!(stored.is_empty(), "{stored:?}");
            // Exactly the limit is fine.
            let file = content(4096);
            assert_created(upload(&server, &job, &file));
            assert_file(download(&server, id(&job), token(&job)), &file);
        }
    }
}
