#![allow(clippy::unwrap_used, clippy::expect_used)]

//! How pipelines move on as runners finish their jobs: stage by stage or by `needs`,
//! `when: on_failure/always/manual`, `allow_failure`, the pipeline's status derived from its
//! jobs as GitLab composes it, and what users do: play, cancel and retry jobs and pipelines.

use std::collections::BTreeMap;

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, expect_json, on_both_backends};

/// `name: status` pairs, for comparing with [`TestServer::job_statuses`].
fn statuses(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect()
}

/// Takes the next job with the runner and finishes it with `state`; returns the job's name.
#[track_caller]
fn run_next(server: &TestServer, runner: &str, state: &str) -> String {
    let job = server.take_job(runner);
    server.finish_job(&job, state);
    job["job_info"]["name"].as_str().unwrap().to_owned()
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

/// A project with `ci_config`, a pipeline of it on `main`, and an instance runner.
fn pipeline_of(server: &TestServer, ci_config: &str) -> (i64, i64, String) {
    let project = server.ci_project("app", None, ci_config);
    let pipeline = id(&server.create_pipeline(project, "main"));
    let (_, runner) = server.instance_runner(json!({"description": "runner"}));
    (project, pipeline, runner)
}

on_both_backends! {
    fn stages_run_one_after_another(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test]
build:
  stage: build
  script: make
test:
  stage: test
  script: make test
");
        assert_eq!(server.job_statuses(project, pipeline), statuses(&[("build", "pending"), ("test", "created")]));
        assert_eq!(server.pipeline_status(project, pipeline), "pending");
        let build = server.take_job(&runner);
        assert_eq!(build["job_info"]["name"], "build");
        let shown = server.pipeline(project, pipeline);
        assert_eq!(shown["status"], "running");
        assert!(shown["started_at"].is_string(), "{shown}");
        assert_eq!(shown["finished_at"], Value::Null);
        let job = server.job(project, id(&build));
        assert_eq!(job["status"], "running");
        assert!(job["started_at"].is_string(), "{job}");
        assert_eq!(job["runner"]["description"], "runner");
        // The second stage waits: nothing else to take.
        assert!(server.request_job(&runner).is_none());
        server.finish_job(&build, "success");
        assert_eq!(server.job_statuses(project, pipeline), statuses(&[("build", "success"), ("test", "pending")]));
        // GitLab's composite status: a success and a pending job make a running pipeline.
        assert_eq!(server.pipeline_status(project, pipeline), "running");
        let job = server.job(project, id(&build));
        assert!(job["finished_at"].is_string() && job["duration"].is_number(), "{job}");
        assert_eq!(run_next(&server, &runner, "success"), "test");
        let done = server.pipeline(project, pipeline);
        assert_eq!(done["status"], "success");
        assert!(done["finished_at"].is_string(), "{done}");
        assert!(done["duration"].is_number(), "{done}");
        assert_eq!(done["detailed_status"]["text"], "passed");
    }

    fn a_failure_skips_later_jobs_and_starts_on_failure_and_always_jobs(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test, cleanup]
build:
  stage: build
  script: make
test:
  stage: test
  script: make test
notify:
  stage: test
  script: notify
  when: on_failure
cleanup:
  stage: cleanup
  script: rm -rf
  when: always
");
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("build", "pending"), ("test", "created"), ("notify", "created"), ("cleanup", "created")])
        );
        let build = server.take_job(&runner);
        let response = server.update_job(&build, json!({"state": "failed", "failure_reason": "script_failure", "exit_code": 2}));
        assert_eq!(response.status(), 200);
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("build", "failed"), ("test", "skipped"), ("notify", "pending"), ("cleanup", "created")])
        );
        let failed = server.job(project, id(&build));
        assert_eq!(failed["failure_reason"], "script_failure");
        assert_eq!(server.pipeline_status(project, pipeline), "running");
        assert_eq!(run_next(&server, &runner, "success"), "notify");
        assert_eq!(server.job_named(project, pipeline, "cleanup")["status"], "pending");
        assert_eq!(run_next(&server, &runner, "success"), "cleanup");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
        // `failure_reason` is shown only on failed jobs.
        let skipped = server.job_named(project, pipeline, "test");
        assert!(skipped.get("failure_reason").is_none(), "{skipped}");
    }

    fn an_allowed_failure_lets_the_pipeline_pass(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test]
flaky:
  stage: build
  script: maybe
  allow_failure: true
test:
  stage: test
  script: make test
");
        assert_eq!(run_next(&server, &runner, "failed"), "flaky");
        let flaky = server.job_named(project, pipeline, "flaky");
        assert_eq!(flaky["status"], "failed");
        assert_eq!(flaky["allow_failure"], true);
        assert_eq!(server.job_named(project, pipeline, "test")["status"], "pending");
        assert_eq!(run_next(&server, &runner, "success"), "test");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
    }

    fn needs_start_a_job_before_its_stage_is_reached(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test, deploy]
build_a:
  stage: build
  script: make a
build_b:
  stage: build
  script: make b
test_a:
  stage: test
  script: test a
  needs: [build_a]
early:
  stage: deploy
  script: at once
  needs: []
deploy:
  stage: deploy
  script: deploy
");
        // `needs: []`: no waiting at all.
        assert_eq!(server.job_named(project, pipeline, "early")["status"], "pending");
        let a = server.take_job(&runner);
        assert_eq!(a["job_info"]["name"], "build_a");
        let b = server.take_job(&runner);
        assert_eq!(b["job_info"]["name"], "build_b");
        server.finish_job(&a, "success");
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("build_a", "success"), ("build_b", "running"), ("test_a", "pending"), ("early", "pending"), ("deploy", "created")])
        );
        assert_eq!(run_next(&server, &runner, "success"), "test_a");
        assert_eq!(run_next(&server, &runner, "success"), "early");
        assert_eq!(server.job_named(project, pipeline, "deploy")["status"], "created", "deploy waits for build_b");
        server.finish_job(&b, "success");
        assert_eq!(run_next(&server, &runner, "success"), "deploy");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        // A job whose need failed is skipped, even with a later stage still to come.
        let failing = server.create_pipeline(project, "main");
        let failing = id(&failing);
        assert_eq!(run_next(&server, &runner, "failed"), "build_a");
        assert_eq!(server.job_named(project, failing, "test_a")["status"], "skipped");
    }

    fn manual_jobs_wait_until_played(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, deploy]
build:
  stage: build
  script: make
deploy:
  stage: deploy
  script: deploy
  when: manual
");
        assert_eq!(run_next(&server, &runner, "success"), "build");
        let deploy = server.job_named(project, pipeline, "deploy");
        assert_eq!(deploy["status"], "manual");
        // A manual job may fail by default: it does not hold the pipeline.
        assert_eq!(deploy["allow_failure"], true);
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        assert!(server.request_job(&runner).is_none(), "a manual job is not offered");
        let played = expect_json(server.post(&format!("/projects/{project}/jobs/{}/play", id(&deploy))), 200);
        assert_eq!(played["id"], deploy["id"]);
        assert_eq!(played["status"], "pending");
        assert_eq!(run_next(&server, &runner, "success"), "deploy");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        // Playing a job that is not manual is refused.
        let refused = expect_json(server.post(&format!("/projects/{project}/jobs/{}/play", id(&deploy))), 400);
        assert_eq!(refused, json!({"message": "400 Bad request - Unplayable Job"}));
    }

    fn a_blocking_manual_job_makes_the_pipeline_manual(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, deploy, verify]
build:
  stage: build
  script: make
deploy:
  stage: deploy
  script: deploy
  when: manual
  allow_failure: false
verify:
  stage: verify
  script: verify
");
        assert_eq!(run_next(&server, &runner, "success"), "build");
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("build", "success"), ("deploy", "manual"), ("verify", "created")])
        );
        assert_eq!(server.pipeline_status(project, pipeline), "manual");
        let deploy = server.job_named(project, pipeline, "deploy");
        let played = expect_json(server.post(&format!("/projects/{project}/jobs/{}/play", id(&deploy))), 200);
        assert_eq!(played["status"], "pending");
        assert_eq!(server.pipeline_status(project, pipeline), "running");
        assert_eq!(run_next(&server, &runner, "success"), "deploy");
        assert_eq!(run_next(&server, &runner, "success"), "verify");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
    }

    fn only_developers_play_cancel_and_retry(server) {
        let project = server.ci_project("app", None, "deploy:\n  script: deploy\n  when: manual\n");
        let pipeline = id(&server.create_pipeline(project, "main"));
        let deploy = id(&server.job_named(project, pipeline, "deploy"));
        let reporter = server.user("rep");
        server.add_member(&format!("projects/{project}"), reporter.id, 20);
        for action in ["play", "cancel", "retry"] {
            let path = format!("/projects/{project}/jobs/{deploy}/{action}");
            let refused = expect_json(server.as_token(&reporter.token, Method::POST, &path), 403);
            assert_eq!(refused, json!({"message": "403 Forbidden"}), "{action}");
            let anonymous = expect_json(server.anonymous(Method::POST, &path), 401);
            assert_eq!(anonymous, json!({"message": "401 Unauthorized"}), "{action}");
        }
        for action in ["cancel", "retry"] {
            let path = format!("/projects/{project}/pipelines/{pipeline}/{action}");
            let refused = expect_json(server.as_token(&reporter.token, Method::POST, &path), 403);
            assert_eq!(refused, json!({"message": "403 Forbidden"}), "{action}");
        }
        assert_eq!(server.job(project, deploy)["status"], "manual");
    }

    fn canceling_stops_jobs_and_the_pipeline(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test]
build:
  stage: build
  script: make
lint:
  stage: build
  script: lint
test:
  stage: test
  script: make test
");
        let build = server.take_job(&runner);
        // Cancel one pending job: the pipeline goes on.
        let lint = server.job_named(project, pipeline, "lint");
        let canceled = expect_json(server.post(&format!("/projects/{project}/jobs/{}/cancel", id(&lint))), 201);
        assert_eq!(canceled["status"], "canceled");
        assert_eq!(server.pipeline_status(project, pipeline), "running");
        // Canceling a finished job changes nothing.
        let again = expect_json(server.post(&format!("/projects/{project}/jobs/{}/cancel", id(&lint))), 201);
        assert_eq!(again["status"], "canceled");
        // Cancel the pipeline: the running job and the waiting one.
        let pipeline_json = expect_json(server.post(&format!("/projects/{project}/pipelines/{pipeline}/cancel")), 201);
        assert_eq!(pipeline_json["status"], "canceled");
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("build", "canceled"), ("lint", "canceled"), ("test", "canceled")])
        );
        // The runner hears of it at its next update.
        let response = server.update_job(&build, json!({"state": "success"}));
        assert_eq!(response.status(), 403);
        assert_eq!(paddock_tests::header(&response, "Job-Status"), "canceled");
        assert!(server.request_job(&runner).is_none());
    }

    fn retrying_a_job_makes_a_new_try(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test]
build:
  stage: build
  script: make
test:
  stage: test
  script: make test
");
        assert_eq!(run_next(&server, &runner, "failed"), "build");
        let old = server.job_named(project, pipeline, "build");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
        assert_eq!(server.job_named(project, pipeline, "test")["status"], "skipped");
        let retried = expect_json(server.post(&format!("/projects/{project}/jobs/{}/retry", id(&old))), 201);
        assert_ne!(retried["id"], old["id"], "a retry is a new job");
        assert_eq!(retried["name"], "build");
        assert_eq!(retried["status"], "pending");
        assert_eq!(retried["retried"], false);
        assert_eq!(retried["pipeline"]["id"], pipeline);
        let old_now = server.job(project, id(&old));
        assert_eq!(old_now["status"], "failed");
        assert_eq!(old_now["retried"], true);
        // The pipeline shows the latest tries; include_retried shows the old one too.
        assert_eq!(server.job_statuses(project, pipeline), statuses(&[("build", "pending"), ("test", "created")]));
        let all = expect_json(server.get(&format!("/projects/{project}/pipelines/{pipeline}/jobs?include_retried=true")), 200);
        assert_eq!(all.as_array().unwrap().len(), 3);
        assert_eq!(server.pipeline_status(project, pipeline), "pending");
        let taken = server.take_job(&runner);
        assert_eq!(taken["id"], retried["id"]);
        server.finish_job(&taken, "success");
        assert_eq!(run_next(&server, &runner, "success"), "test");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
        // An old try, and a job that has not finished, cannot be retried.
        let refused = expect_json(server.post(&format!("/projects/{project}/jobs/{}/retry", id(&old))), 403);
        assert_eq!(refused, json!({"message": "403 Forbidden - Job is not retryable"}));
    }

    fn retrying_a_pipeline_retries_its_failed_and_canceled_jobs(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
stages: [build, test]
good:
  stage: build
  script: make
bad:
  stage: build
  script: make bad
test:
  stage: test
  script: make test
");
        assert_eq!(run_next(&server, &runner, "success"), "good");
        assert_eq!(run_next(&server, &runner, "failed"), "bad");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
        let good = id(&server.job_named(project, pipeline, "good"));
        let retried = expect_json(server.post(&format!("/projects/{project}/pipelines/{pipeline}/retry")), 201);
        assert_eq!(retried["id"], pipeline);
        // A success beside a pending job: running, as GitLab composes it.
        assert_eq!(retried["status"], "running");
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("good", "success"), ("bad", "pending"), ("test", "created")])
        );
        assert_eq!(id(&server.job_named(project, pipeline, "good")), good, "a success is kept");
        assert_eq!(run_next(&server, &runner, "success"), "bad");
        assert_eq!(run_next(&server, &runner, "success"), "test");
        assert_eq!(server.pipeline_status(project, pipeline), "success");
    }

    fn taking_more_jobs_of_a_running_pipeline_keeps_it_running_from_its_start(server) {
        let (project, pipeline, runner) = pipeline_of(&server, "\
a:
  script: a
b:
  script: b
c:
  script: c
");
        assert_eq!(server.pipeline_status(project, pipeline), "pending");
        let first = server.take_job(&runner);
        let started = server.pipeline(project, pipeline);
        assert_eq!(started["status"], "running");
        assert!(started["started_at"].is_string(), "{started}");
        let second = server.take_job(&runner);
        let shown = server.pipeline(project, pipeline);
        assert_eq!(shown["status"], "running");
        assert_eq!(shown["started_at"], started["started_at"], "the start is the first job's");
        assert_eq!(shown["finished_at"], Value::Null);
        assert_eq!(
            server.job_statuses(project, pipeline),
            statuses(&[("a", "running"), ("b", "running"), ("c", "pending")])
        );
        server.finish_job(&first, "success");
        server.finish_job(&second, "failed");
        // The last job taken: still running, then failed with the failure.
        let third = server.take_job(&runner);
        assert_eq!(third["job_info"]["name"], "c");
        assert_eq!(server.pipeline_status(project, pipeline), "running");
        server.finish_job(&third, "success");
        let done = server.pipeline(project, pipeline);
        assert_eq!(done["status"], "failed");
        assert_eq!(done["started_at"], started["started_at"]);
        assert!(done["finished_at"].is_string(), "{done}");
    }
}
