#![allow(clippy::unwrap_used, clippy::expect_used)]

//! How a job ends (reference §2.8, §2.9, §8.7, §8.8): the two-phase finish of
//! `PUT /jobs/:id` (a final state with a checksum waits, 202, until the log the runner says
//! it wrote is stored), and cancel: graceful (`canceling`, the runner finishes and reports)
//! for runners that advertise `cancel_gracefully`, at once for the others.

use std::sync::atomic::{AtomicUsize, Ordering};

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, expect_json, header, on_both_backends};

const ONE_JOB: &str = "build:\n  script: make\n";

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

/// A project with one job, taken by an instance runner advertising `features`:
/// `(project, pipeline, job)`.
fn taken(server: &TestServer, features: Value) -> (i64, i64, Value) {
    static PROJECTS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("app{}", PROJECTS.fetch_add(1, Ordering::Relaxed));
    let project = server.ci_project(&name, None, ONE_JOB);
    let pipeline = id(&server.create_pipeline(project, "main"));
    let (_, runner) = server.instance_runner(json!(null));
    let job = server
        .request_job_with(&runner, json!({"info": {"features": features}}))
        .expect("a job");
    (project, pipeline, job)
}

fn cancel(server: &TestServer, project: i64, job: &Value) -> Value {
    expect_json(
        server.post(&format!("/projects/{project}/jobs/{}/cancel", id(job))),
        201,
    )
}

on_both_backends! {
    fn a_final_state_waits_for_the_log_the_runner_wrote(server) {
        let (project, pipeline, job) = taken(&server, json!({}));
        assert_eq!(server.patch_trace(&job, 0, b"hello").status(), 202);
        let finish = json!({
            "state": "success",
            "checksum": "crc32:0d4a1185",
            "output": {"checksum": "crc32:0d4a1185", "bytesize": 11},
        });
        let first = server.update_job(&job, finish.clone());
        assert_eq!(first.status(), 202);
        assert_eq!(header(&first, "Job-Status"), "running");
        let interval: u64 = header(&first, "X-GitLab-Trace-Update-Interval").parse().unwrap();
        assert!(interval > 0);
        assert_eq!(first.text().unwrap(), "202");
        assert_eq!(server.job(project, id(&job))["status"], "running", "not finished yet");
        // The rest of the log arrives; the same update now finishes the job.
        assert_eq!(server.patch_trace(&job, 5, b" world").status(), 202);
        let second = server.update_job(&job, finish);
        assert_eq!(second.status(), 200);
        assert_eq!(header(&second, "Job-Status"), "success");
        assert_eq!(header(&second, "X-GitLab-Trace-Update-Interval"), "", "only on 202");
        assert_eq!(server.job(project, id(&job))["status"], "success");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        assert_eq!(server.job_log(project, id(&job)), "hello world");
    }

    fn form_fields_work_and_without_a_checksum_the_state_applies_at_once(server) {
        let (project, _, job) = taken(&server, json!({}));
        assert_eq!(server.patch_trace(&job, 0, b"abc").status(), 202);
        let form = |fields: &[(&str, &str)]| {
            server
                .anonymous(Method::PUT, &format!("/jobs/{}", id(&job)))
                .header("JOB-TOKEN", job["token"].as_str().unwrap())
                .form(fields)
                .send()
                .unwrap()
        };
        let waiting = form(&[("state", "failed"), ("output[checksum]", "crc32:1"), ("output[bytesize]", "9")]);
        assert_eq!(waiting.status(), 202);
        assert_eq!(header(&waiting, "Job-Status"), "running");
        // A bytesize without a checksum is no two-phase finish.
        let done = form(&[("state", "failed"), ("failure_reason", "script_failure"), ("output[bytesize]", "9")]);
        assert_eq!(done.status(), 200);
        assert_eq!(header(&done, "Job-Status"), "failed");
        let failed = server.job(project, id(&job));
        assert_eq!(failed["failure_reason"], "script_failure");
        let bad = form(&[("state", "failed"), ("output[bytesize]", "many")]);
        assert_eq!(bad.status(), 400, "parameters are checked first, as Grape does");
    }

    fn a_complete_log_finishes_at_once(server) {
        let (_, _, job) = taken(&server, json!({}));
        assert_eq!(server.patch_trace(&job, 0, b"abc").status(), 202);
        let done = server.update_job(&job, json!({"state": "success", "checksum": "crc32:x", "output": {"bytesize": 3}}));
        assert_eq!(done.status(), 200);
        assert_eq!(header(&done, "Job-Status"), "success");
        let bad = {
            let (_, _, other) = taken(&server, json!({}));
            server.update_job(&other, json!({"state": "success", "checksum": "crc32:x", "output": {"bytesize": -1}}))
        };
        assert_eq!(bad.status(), 400);
        assert_eq!(bad.json::<Value>().unwrap()["error"], "output[bytesize] is invalid");
    }

    fn a_graceful_runner_finishes_a_canceled_job(server) {
        let (project, pipeline, job) = taken(&server, json!({"cancel_gracefully": true}));
        let canceled = cancel(&server, project, &job);
        assert_eq!(canceled["status"], "canceling");
        // The runner is still heard: its log and keep-alives, with `Job-Status: canceling`.
        let patch = server.patch_trace(&job, 0, b"stopping\n");
        assert_eq!(patch.status(), 202);
        assert_eq!(header(&patch, "Job-Status"), "canceling");
        let alive = server.update_job(&job, json!({"state": "running"}));
        assert_eq!(alive.status(), 200);
        assert_eq!(header(&alive, "Job-Status"), "canceling");
        assert_eq!(server.pipeline_status(project, pipeline), "running");
        // Its final report ends the job canceled, whatever the state.
        let last = server.update_job(&job, json!({"state": "failed", "failure_reason": "script_failure"}));
        assert_eq!(last.status(), 200);
        assert_eq!(header(&last, "Job-Status"), "canceled");
        let ended = server.job(project, id(&job));
        assert_eq!(ended["status"], "canceled");
        assert_eq!(server.pipeline_status(project, pipeline), "canceled");
        assert_eq!(server.job_log(project, id(&job)), "stopping\n");
        let late = server.patch_trace(&job, 9, b"more");
        assert_eq!(late.status(), 403);
        assert_eq!(header(&late, "Job-Status"), "canceled");
    }

    fn a_canceling_job_may_be_reported_canceled(server) {
        let (project, _, job) = taken(&server, json!({"cancel_gracefully": true}));
        cancel(&server, project, &job);
        let last = server.update_job(&job, json!({"state": "canceled"}));
        assert_eq!(last.status(), 200);
        assert_eq!(header(&last, "Job-Status"), "canceled");
        // A running job may not be reported canceled.
        let (_, _, other) = taken(&server, json!({"cancel_gracefully": true}));
        let refused = server.update_job(&other, json!({"state": "canceled"}));
        assert_eq!(refused.status(), 400);
    }

    fn without_graceful_cancel_the_job_is_canceled_at_once(server) {
        let (project, pipeline, job) = taken(&server, json!({"cancel_gracefully": false}));
        let canceled = cancel(&server, project, &job);
        assert_eq!(canceled["status"], "canceled");
        assert_eq!(server.pipeline_status(project, pipeline), "canceled");
        let patch = server.patch_trace(&job, 0, b"late");
        assert_eq!(patch.status(), 403);
        assert_eq!(header(&patch, "Job-Status"), "canceled");
        let put = server.update_job(&job, json!({"state": "success"}));
        assert_eq!(put.status(), 403);
        assert_eq!(header(&put, "Job-Status"), "canceled");
    }

    fn canceling_again_cancels_at_once(server) {
        let (project, _, job) = taken(&server, json!({"cancel_gracefully": true}));
        assert_eq!(cancel(&server, project, &job)["status"], "canceling");
        assert_eq!(cancel(&server, project, &job)["status"], "canceled");
        let put = server.update_job(&job, json!({"state": "running"}));
        assert_eq!(put.status(), 403);
        assert_eq!(header(&put, "Job-Status"), "canceled");
    }
}
