#![allow(clippy::unwrap_used, clippy::expect_used)]

//! What a runner reports on a job it took (reference §2.8, §2.9, §6, §8.7, §8.8):
//! `PUT /jobs/:id` (state, failure reason, exit code, keep-alive) and
//! `PATCH /jobs/:id/trace` (appends by the start of `Content-Range`, 416 with `Range`, masked
//! values, the size limit), with the job token in `JOB-TOKEN` or the `token` parameter; and
//! the log as users read it, `GET /projects/:id/jobs/:job_id/trace`.

use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::{Body, Response};
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, assert_json, expect_json, header, on_both_backends};

const ONE_JOB: &str = "build:\n  script: make\n";

/// A project with `ci_config`, a pipeline of it, and the first job taken by an instance
/// runner: `(project, pipeline, job)`.
fn running_job(server: &TestServer, ci_config: &str) -> (i64, i64, Value) {
    let project = server.ci_project("app", None, ci_config);
    let pipeline = server.create_pipeline(project, "main")["id"]
        .as_i64()
        .unwrap();
    let (_, runner) = server.instance_runner(json!(null));
    let job = server.take_job(&runner);
    (project, pipeline, job)
}

fn job_id(job: &Value) -> i64 {
    job["id"].as_i64().unwrap()
}

/// `PATCH /jobs/:id/trace` with a raw `Content-Range` header (or none).
fn patch_with_range(
    server: &TestServer,
    job: &Value,
    range: Option<&str>,
    data: &[u8],
) -> Response {
    let mut request = server
        .anonymous(Method::PATCH, &format!("/jobs/{}/trace", job_id(job)))
        .header("JOB-TOKEN", job["token"].as_str().unwrap())
        .body(data.to_vec());
    if let Some(range) = range {
        request = request.header("Content-Range", range);
    }
    request.send().unwrap()
}

/// Asserts a 202 of a log append: `Job-Status`, `Range: 0-<size>`, the update interval.
#[track_caller]
fn assert_appended(response: Response, size: usize) {
    assert_eq!(response.status(), 202);
    assert_eq!(header(&response, "Job-Status"), "running");
    assert_eq!(header(&response, "Range"), format!("0-{size}"));
    assert_eq!(header(&response, "X-GitLab-Trace-Update-Interval"), "60");
}

/// Asserts a 416 with `Range: 0-<size>`.
#[track_caller]
fn assert_mismatch(response: Response, size: usize) {
    assert_eq!(response.status(), 416);
    assert_eq!(header(&response, "Range"), format!("0-{size}"));
    assert_eq!(
        assert_json(response, 416),
        json!({"message": "416 Range Not Satisfiable"})
    );
}

/// Asserts a 403 of a job no runner works on, naming what became of it.
#[track_caller]
fn assert_not_processing(response: Response, status: &str) {
    assert_eq!(response.status(), 403);
    assert_eq!(header(&response, "Job-Status"), status);
    assert_eq!(
        assert_json(response, 403),
        json!({"message": "403 Forbidden - Job is not processing on runner"})
    );
}

on_both_backends! {
    fn put_changes_the_state_with_the_job_token(server) {
        let (project, pipeline, job) = running_job(&server, ONE_JOB);
        let id = job_id(&job);
        let path = format!("/jobs/{id}");
        // `running` (and no state at all) keep the job alive: 200, unchanged.
        for body in [json!({"state": "running"}), json!({}), json!({"output": {"checksum": "crc32:01234567", "bytesize": 3}})] {
            let response = server.update_job(&job, body.clone());
            assert_eq!(response.status(), 200, "{body}");
            assert_eq!(header(&response, "Job-Status"), "running");
            assert_eq!(header(&response, "X-GitLab-Trace-Update-Interval"), "", "only on 202");
            assert_eq!(response.text().unwrap(), "200");
        }
        assert_eq!(server.job(project, id)["status"], "running");
        // An unknown state: 400 with the code as the body; nothing changes.
        let response = server.update_job(&job, json!({"state": "finished"}));
        assert_eq!(response.status(), 400);
        assert_eq!(response.text().unwrap(), "400");
        assert_eq!(server.job(project, id)["status"], "running");
        // The token in the body only (gitlab-python-runner), unknown fields ignored.
        let response = server
            .anonymous(Method::PUT, &path)
            .json(&json!({
                "token": job["token"],
                "state": "success",
                "output": {"checksum": "crc32:89abcdef", "bytesize": 0},
                "info": {"name": "gitlab-runner", "features": {"trace_checksum": true}},
                "a_field_from_the_future": {"nested": [1, 2, 3]},
            }))
            .send()
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "Job-Status"), "success");
        let done = server.job(project, id);
        assert_eq!(done["status"], "success");
        assert!(done["finished_at"].is_string());
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        // A finished job is no longer the runner's: 403 saying what it became.
        assert_not_processing(server.update_job(&job, json!({"state": "failed"})), "success");
        assert_eq!(server.job(project, id)["status"], "success");
    }

    fn failures_keep_their_reason(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let (_, runner) = server.instance_runner(json!(null));
        for (given, stored) in [
            (Some("script_failure"), "script_failure"),
            (Some("runner_system_failure"), "runner_system_failure"),
            (Some("job_execution_timeout"), "job_execution_timeout"),
            (Some("unmet_prerequisites"), "unmet_prerequisites"),
            (Some("cosmic_rays"), "unknown_failure"),
            (None, "unknown_failure"),
        ] {
            let pipeline = server.create_pipeline(project, "main")["id"].as_i64().unwrap();
            let job = server.take_job(&runner);
            let mut body = json!({"state": "failed", "exit_code": 1});
            if let Some(reason) = given {
                body["failure_reason"] = json!(reason);
            }
            let response = server.update_job(&job, body);
            assert_eq!(response.status(), 200);
            assert_eq!(header(&response, "Job-Status"), "failed");
            let failed = server.job(project, job_id(&job));
            assert_eq!(failed["status"], "failed");
            assert_eq!(failed["failure_reason"], stored, "{given:?}");
            assert_eq!(failed["allow_failure"], false);
            assert_eq!(server.pipeline_status(project, pipeline), "failed");
            assert_not_processing(server.update_job(&job, json!({"state": "success"})), "failed");
            assert_eq!(server.job(project, job_id(&job))["status"], "failed");
        }
    }

    fn allowed_exit_codes_make_a_failure_allowed(server) {
        let config = "build:\n  script: make\n  allow_failure:\n    exit_codes: [1, 3]\n";
        let project = server.ci_project("app", None, config);
        let (_, runner) = server.instance_runner(json!(null));
        for (exit_code, allowed, pipeline_status) in [(1, true, "success"), (2, false, "failed")] {
            let pipeline = server.create_pipeline(project, "main")["id"].as_i64().unwrap();
            let job = server.take_job(&runner);
            let response = server.update_job(&job, json!({"state": "failed", "failure_reason": "script_failure", "exit_code": exit_code}));
            assert_eq!(response.status(), 200);
            let failed = server.job(project, job_id(&job));
            assert_eq!(failed["status"], "failed");
            assert_eq!(failed["allow_failure"], allowed, "exit code {exit_code}");
            assert_eq!(server.pipeline_status(project, pipeline), pipeline_status);
        }
    }

    fn job_updates_with_a_wrong_token_are_forbidden(server) {
        let (project, _, job) = running_job(&server, ONE_JOB);
        let id = job_id(&job);
        let forbidden = json!({"message": "403 Forbidden"});
        for (path, token) in [
            (format!("/jobs/{id}"), "glcbt-wrong"),
            (format!("/jobs/{id}"), ""),
            ("/jobs/999999".to_owned(), job["token"].as_str().unwrap()),
            ("/jobs/not-a-number".to_owned(), job["token"].as_str().unwrap()),
        ] {
            let body = expect_json(
                server.anonymous(Method::PUT, &path).header("JOB-TOKEN", token).json(&json!({"state": "success"})),
                403,
            );
            assert_eq!(body, forbidden, "PUT {path} with {token:?}");
            let response = server
                .anonymous(Method::PATCH, &format!("{path}/trace"))
                .header("JOB-TOKEN", token)
                .header("Content-Range", "0-3")
                .body("log")
                .send()
                .unwrap();
            assert_eq!(assert_json(response, 403), forbidden, "PATCH {path} with {token:?}");
        }
        // Another job's token does not do either.
        let (_, runner) = server.instance_runner(json!(null));
        server.create_pipeline(project, "main");
        let other = server.take_job(&runner);
        let body = expect_json(
            server.anonymous(Method::PUT, &format!("/jobs/{id}")).header("JOB-TOKEN", other["token"].as_str().unwrap()).json(&json!({"state": "success"})),
            403,
        );
        assert_eq!(body, forbidden);
        assert_eq!(server.job(project, id)["status"], "running");
    }

    fn a_canceled_job_is_refused_with_its_status(server) {
        let (project, _, job) = running_job(&server, ONE_JOB);
        let id = job_id(&job);
        expect_json(server.post(&format!("/projects/{project}/jobs/{id}/cancel")), 201);
        assert_not_processing(server.update_job(&job, json!({"state": "running"})), "canceled");
        assert_not_processing(server.patch_trace(&job, 0, b"late output"), "canceled");
        assert_eq!(server.job(project, id)["status"], "canceled");
        assert_eq!(server.job_log(project, id), "");
    }

    fn the_log_is_appended_where_it_ends(server) {
        let (project, _, job) = running_job(&server, ONE_JOB);
        let id = job_id(&job);
        assert_eq!(server.job_log(project, id), "", "no log yet");
        assert_appended(server.patch_trace(&job, 0, b"BUILD TRACE"), 11);
        assert_eq!(server.job_log(project, id), "BUILD TRACE");
        // Only the start counts: too far, or too early, is 416 with the size.
        assert_mismatch(patch_with_range(&server, &job, Some("15-20/6"), b"ignore"), 11);
        assert_mismatch(patch_with_range(&server, &job, Some("8-20/13"), b"ignored bytes"), 11);
        assert_eq!(server.job_log(project, id), "BUILD TRACE");
        // Whatever end a runner sends (inclusive, exclusive, nonsense), the start decides.
        assert_appended(patch_with_range(&server, &job, Some("11-19"), b" appended"), 20);
        assert_appended(patch_with_range(&server, &job, Some("20-21/2"), b"!!"), 22);
        assert_appended(patch_with_range(&server, &job, Some("22-0"), b"\n"), 23);
        assert_eq!(server.job_log(project, id), "BUILD TRACE appended!!\n");
        // An empty patch at the end changes nothing.
        assert_appended(patch_with_range(&server, &job, Some("23-23"), b""), 23);
        // The token may come as a parameter, and the body with no Content-Type.
        let response = server
            .anonymous(Method::PATCH, &format!("/jobs/{id}/trace?token={}", job["token"].as_str().unwrap()))
            .header("Content-Range", "23-26")
            .body("end")
            .send()
            .unwrap();
        assert_appended(response, 26);
        // No Content-Range: 400.
        let response = patch_with_range(&server, &job, None, b"more");
        assert_eq!(assert_json(response, 400), json!({"message": "400 Missing header Content-Range"}));
        let log = server
            .get(&format!("/projects/{project}/jobs/{id}/trace"))
            .send()
            .unwrap();
        assert_eq!(log.status(), 200);
        assert!(header(&log, "Content-Type").starts_with("text/plain"), "{}", header(&log, "Content-Type"));
        assert_eq!(log.text().unwrap(), "BUILD TRACE appended!!\nend");
        // Finished: no more appends.
        server.finish_job(&job, "success");
        assert_not_processing(server.patch_trace(&job, 26, b"after"), "success");
        // A trace given with PUT (GitLab 12 and the v1 API) replaces the whole log.
        let (_, runner) = server.instance_runner(json!(null));
        server.create_pipeline(project, "main");
        let legacy = server.take_job(&runner);
        assert_appended(server.patch_trace(&legacy, 0, b"partial"), 7);
        let response = server.update_job(&legacy, json!({"state": "success", "trace": "the whole log\n"}));
        assert_eq!(response.status(), 200);
        assert_eq!(server.job_log(project, job_id(&legacy)), "the whole log\n");
    }

    fn masked_values_never_reach_the_stored_log(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let secret = "s3cr3t-value-123";
        expect_json(
            server.post(&format!("/projects/{project}/variables"))
                .json(&json!({"key": "DEPLOY_KEY", "value": secret, "masked": true})),
            201,
        );
        expect_json(
            server.post(&format!("/projects/{project}/variables"))
                .json(&json!({"key": "PLAIN", "value": "visible-value"})),
            201,
        );
        server.create_pipeline(project, "main");
        let (_, runner) = server.instance_runner(json!(null));
        let job = server.take_job(&runner);
        let id = job_id(&job);
        let token = job["token"].as_str().unwrap().to_owned();
        let line = format!("key={secret} plain=visible-value token={token}\n");
        assert_appended(server.patch_trace(&job, 0, line.as_bytes()), line.len());
        // A value split between two appends is hidden too.
        let (head, tail) = secret.split_at(6);
        let second = format!("again {head}");
        let mut size = line.len();
        assert_appended(server.patch_trace(&job, size, second.as_bytes()), size + second.len());
        size += second.len();
        let third = format!("{tail} done\n");
        assert_appended(server.patch_trace(&job, size, third.as_bytes()), size + third.len());
        let log = server.job_log(project, id);
        let hidden = format!("[MASKED]{}", "x".repeat(secret.len() - 8));
        let hidden_token = format!("[MASKED]{}", "x".repeat(token.len() - 8));
        assert_eq!(
            log,
            format!("key={hidden} plain=visible-value token={hidden_token}\nagain {hidden} done\n")
        );
        assert_eq!(log.len(), line.len() + second.len() + third.len(), "masking keeps the length");
        assert!(!log.contains(secret) && !log.contains(&token));
    }

    fn large_and_chunked_patches_are_stored_whole(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        expect_json(
            server.post(&format!("/projects/{project}/variables"))
                .json(&json!({"key": "REPEATING", "value": "abababab", "masked": true})),
            201,
        );
        server.create_pipeline(project, "main");
        let (_, runner) = server.instance_runner(json!(null));
        let job = server.take_job(&runner);
        let id = job_id(&job);
        // A large patch with its Content-Length, read in many pieces.
        let first: Vec<u8> = (0..600_001).map(|i| b"0123456789\n"[i % 11]).collect();
        assert_appended(server.patch_trace(&job, 0, &first), first.len());
        // One without a length (chunked transfer encoding), where the masked value occurs
        // overlapping itself: every occurrence is hidden.
        let second = b"x ababababab y".to_vec();
        let response = server
            .anonymous(Method::PATCH, &format!("/jobs/{id}/trace"))
            .header("JOB-TOKEN", job["token"].as_str().unwrap())
            .header("Content-Range", format!("{}-{}", first.len(), first.len() + second.len() - 1))
            .body(Body::new(std::io::Cursor::new(second.clone())))
            .send()
            .unwrap();
        assert_appended(response, first.len() + second.len());
        let log = server.job_log(project, id);
        assert_eq!(log.len(), first.len() + second.len(), "masking keeps the length");
        assert_eq!(log.as_bytes()[..first.len()], first[..]);
        let tail = &log[first.len()..];
        assert!(tail.starts_with("x ") && tail.ends_with(" y"), "{tail}");
        assert!(!tail.contains("ab"), "{tail}");
        // A patch at another offset, empty or not, is still 416 with the size.
        let size = first.len() + second.len();
        assert_mismatch(patch_with_range(&server, &job, Some("3-3"), b""), size);
        assert_mismatch(patch_with_range(&server, &job, Some("0-3"), b"more"), size);
        assert_eq!(server.job_log(project, id).len(), size);
    }
}

mod size_limit {
    use super::*;

    on_both_backends! {
        flags: ["--max-trace-size", "32"];

        fn a_log_over_the_limit_fails_the_job(server) {
            let (project, pipeline, job) = running_job(&server, ONE_JOB);
            let id = job_id(&job);
            assert_appended(server.patch_trace(&job, 0, &[b'a'; 20]), 20);
            let response = server.patch_trace(&job, 20, &[b'b'; 20]);
            assert_eq!(assert_json(response, 403), json!({"message": "403 Forbidden"}));
            let failed = server.job(project, id);
            assert_eq!(failed["status"], "failed");
            assert_eq!(failed["failure_reason"], "trace_size_exceeded");
            assert_eq!(server.pipeline_status(project, pipeline), "failed");
            assert_eq!(server.job_log(project, id), "a".repeat(20), "nothing of the refused patch is kept");
            assert_not_processing(server.update_job(&job, json!({"state": "success"})), "failed");
        }
    }
}
