#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The sweep of overdue jobs (GitLab's stuck and timed-out builds workers), with small ages
//! set through the documented flags: a running job past its timeout and grace fails with
//! `job_execution_timeout`; a running job its runner stopped talking about fails with
//! `stuck_or_timeout_failure`; a pending job no runner takes fails the same way. Each moves
//! its pipeline on, and the runner's next `PUT`/`PATCH` gets 403 with `Job-Status: failed`.
//!
//! The sweep runs every second here; the tests wait (up to a minute) for what it does,
//! without asserting how fast.

use std::time::{Duration, Instant};

use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, header, on_both_backends};

/// Waits until the job leaves `status`; returns it then.
#[track_caller]
fn once_not(server: &TestServer, project: i64, job: i64, status: &str) -> Value {
    let begun = Instant::now();
    loop {
        let found = server.job(project, job);
        if found["status"] != status {
            println!("job {job} left {status} after {:?}", begun.elapsed());
            return found;
        }
        assert!(
            begun.elapsed() < Duration::from_secs(60),
            "job {job} still {status} after a minute"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Asserts that the runner is told the job failed.
#[track_caller]
fn runner_is_told_it_failed(server: &TestServer, job: &Value) {
    let put = server.update_job(job, json!({"state": "running"}));
    assert_eq!(put.status(), 403);
    assert_eq!(header(&put, "Job-Status"), "failed");
    let patch = server.patch_trace(job, 0, b"late");
    assert_eq!(patch.status(), 403);
    assert_eq!(header(&patch, "Job-Status"), "failed");
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

on_both_backends! {
    flags: [
        "--job-sweep-interval", "1",
        "--job-timeout-grace", "0",
        "--stuck-running-timeout", "3",
        "--stuck-pending-timeout", "2",
    ];

    fn a_running_job_past_its_timeout_fails_with_job_execution_timeout(server) {
        // The runner keeps the job alive (a contact every loop), so only the timeout ends it.
        let project = server.ci_project("app", None, "build:\n  stage: build\n  script: make\n  timeout: 2\ntest:\n  stage: test\n  script: make\n");
        let pipeline = id(&server.create_pipeline(project, "main"));
        let (_, runner) = server.instance_runner(json!(null));
        let job = server.take_job(&runner);
        assert_eq!(job["runner_info"]["timeout"], 2);
        let begun = Instant::now();
        loop {
            let put = server.update_job(&job, json!({"state": "running"}));
            if put.status() == 403 {
                break;
            }
            assert_eq!(put.status(), 200);
            assert!(begun.elapsed() < Duration::from_secs(60), "still running after a minute");
            std::thread::sleep(Duration::from_millis(200));
        }
        let failed = server.job(project, id(&job));
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["failure_reason"], "job_execution_timeout");
        runner_is_told_it_failed(&server, &job);
        // The pipeline moved on: the next stage is skipped, the pipeline failed.
        assert_eq!(server.job_named(project, pipeline, "test")["status"], "skipped");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
    }

    fn a_running_job_its_runner_is_silent_about_fails_as_stuck(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let pipeline = id(&server.create_pipeline(project, "main"));
        let (_, runner) = server.instance_runner(json!(null));
        let job = server.take_job(&runner);
        let failed = once_not(&server, project, id(&job), "running");
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["failure_reason"], "stuck_or_timeout_failure");
        runner_is_told_it_failed(&server, &job);
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
    }

    fn a_pending_job_no_runner_takes_fails_as_stuck(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n  tags: [nobody]\n");
        let pipeline = id(&server.create_pipeline(project, "main"));
        let job = server.job_named(project, pipeline, "build");
        assert_eq!(job["status"], "pending");
        let failed = once_not(&server, project, id(&job), "pending");
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["failure_reason"], "stuck_or_timeout_failure");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
    }

    fn a_canceling_job_its_runner_is_silent_about_is_canceled(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let pipeline = id(&server.create_pipeline(project, "main"));
        let (_, runner) = server.instance_runner(json!(null));
        let job = server
            .request_job_with(&runner, json!({"info": {"features": {"cancel_gracefully": true}}}))
            .expect("a job");
        let canceling = paddock_tests::expect_json(
            server.post(&format!("/projects/{project}/jobs/{}/cancel", id(&job))),
            201,
        );
        assert_eq!(canceling["status"], "canceling");
        let ended = once_not(&server, project, id(&job), "canceling");
        assert_eq!(ended["status"], "canceled");
        assert_eq!(server.pipeline_status(project, pipeline), "canceled");
        let put = server.update_job(&job, json!({"state": "failed"}));
        assert_eq!(put.status(), 403);
        assert_eq!(header(&put, "Job-Status"), "canceled");
    }

    fn jobs_that_end_in_time_keep_their_outcome(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let pipeline = id(&server.create_pipeline(project, "main"));
        let (_, runner) = server.instance_runner(json!(null));
        let job = server.take_job(&runner);
        server.finish_job(&job, "success");
        // Several sweeps later, still a success.
        std::thread::sleep(Duration::from_secs(4));
        let done = server.job(project, id(&job));
        assert_eq!(done["status"], "success");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
    }
}
