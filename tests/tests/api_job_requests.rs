#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `POST /jobs/request` (reference §2.7, §3.7, §4, §8.6): the payload a runner receives, the
//! queue value in `X-GitLab-Last-Update`, which runner may take which job (scope, project
//! settings, tags, `run_untagged`, `ref_protected`), and in which order jobs are handed out.

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{
    SHA, TestServer, assert_keys, expect_json, expect_status, header, on_both_backends,
};

/// The keys of the 201 body: reference §2.7 and client-wire-formats §1, never `run`.
const PAYLOAD_KEYS: &[&str] = &[
    "id",
    "token",
    "allow_git_fetch",
    "job_info",
    "git_info",
    "runner_info",
    "variables",
    "steps",
    "hooks",
    "image",
    "services",
    "artifacts",
    "cache",
    "credentials",
    "dependencies",
    "features",
];

const FULL_CONFIG: &str = r#"
variables:
  GLOBAL_VAR: global
default:
  image: ruby:3.3
stages: [build, test]
build:
  stage: build
  image:
    name: alpine:3.20
    entrypoint: [""]
  services:
    - name: postgres:16
      alias: db
  before_script: [echo before]
  script: [echo one, echo two]
  after_script: [echo after]
  variables:
    JOB_VAR: job
  artifacts:
    name: bin
    paths: [bin/]
    when: always
    expire_in: 1 week
  cache:
    key: deps
    paths: [vendor/]
  timeout: 2h
  tags: [docker]
test:
  stage: test
  script: [echo test]
  dependencies: [build]
"#;

const ONE_JOB: &str = "build:\n  script: make\n";

/// A runner-facing `POST /jobs/request` with `body` as is.
fn poll(server: &TestServer, body: Value) -> paddock_tests::reqwest::blocking::Response {
    server
        .anonymous(Method::POST, "/jobs/request")
        .json(&body)
        .send()
        .unwrap()
}

/// A poll answered 204; returns its `X-GitLab-Last-Update`.
#[track_caller]
fn no_job(server: &TestServer, body: Value) -> String {
    let response = poll(server, body);
    assert_eq!(response.status(), 204);
    let value = header(&response, "X-GitLab-Last-Update");
    assert!(!value.is_empty(), "a 204 carries the queue value");
    assert_eq!(response.text().unwrap(), "", "a 204 has no body");
    value
}

/// The variable `key` of a payload, and its position.
#[track_caller]
fn variable<'a>(payload: &'a Value, key: &str) -> (usize, &'a Value) {
    payload["variables"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, v)| v["key"] == key)
        .unwrap_or_else(|| panic!("{key} in the job variables"))
}

fn value_of(payload: &Value, key: &str) -> String {
    variable(payload, key).1["value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

/// The name of the job taken, or `None`.
#[track_caller]
fn taken_name(server: &TestServer, token: &str) -> Option<String> {
    server
        .request_job(token)
        .map(|job| job["job_info"]["name"].as_str().unwrap().to_owned())
}

on_both_backends! {
    fn a_job_comes_with_everything_the_runner_needs(server) {
        let project = server.ci_project("app", None, FULL_CONFIG);
        expect_json(
            server.post(&format!("/projects/{project}/variables"))
                .json(&json!({"key": "SECRET_VAR", "value": "s3cr3t-value", "masked": true})),
            201,
        );
        let pipeline = server.create_pipeline_with(
            project,
            json!({"ref": "main", "variables": [{"key": "PIPE_VAR", "value": "from-the-pipeline"}]}),
        );
        let pipeline_id = id(&pipeline);
        let (runner_id, runner) = server.instance_runner(json!({"tag_list": ["docker"], "run_untagged": true, "maximum_timeout": 1800}));
        let response = poll(&server, json!({"token": runner, "info": {"features": {"artifacts": true}}}));
        assert_eq!(response.status(), 201);
        assert_eq!(header(&response, "Content-Type"), "application/json");
        assert_eq!(header(&response, "X-GitLab-Last-Update"), "", "no queue value with a job");
        let job: Value = response.json().unwrap();
        assert_keys(&job, PAYLOAD_KEYS);
        let job_id = id(&job);
        let token = job["token"].as_str().unwrap();
        assert!(token.starts_with("glcbt-"), "{token}");
        assert_eq!(job["allow_git_fetch"], true);

        let info = &job["job_info"];
        assert_eq!(info["id"], job_id);
        assert_eq!(info["name"], "build");
        assert_eq!(info["stage"], "build");
        assert_eq!(info["project_id"], project);
        assert_eq!(info["project_name"], "app");
        assert_eq!(info["pipeline_id"], pipeline_id);
        assert!(info["time_in_queue_seconds"].as_f64().is_some_and(|s| s >= 0.0), "{info}");
        assert_eq!(info["project_jobs_running_on_instance_runners_count"], "0");

        // No repository: the project's URL; no depth: every branch and tag.
        // (GitLab's first refspec, +refs/pipelines/<id>, names a ref only GitLab's own
        // repositories have; Paddock's runners clone the project's repository_url.)
        assert_eq!(
            job["git_info"],
            json!({
                "repo_url": format!("{}/root/app.git", server.base),
                "repo_object_format": "sha1",
                "ref": "main",
                "sha": SHA,
                "before_sha": "0000000000000000000000000000000000000000",
                "ref_type": "branch",
                "refspecs": ["+refs/tags/*:refs/tags/*", "+refs/heads/*:refs/remotes/origin/*"],
                "depth": null,
                "protected": false,
            })
        );
        // The job's 2 h, lowered to the runner's maximum.
        assert_eq!(job["runner_info"], json!({"timeout": 1800, "runner_session_url": null}));

        // Predefined variables first, then the configuration's, the project's, the pipeline's.
        for (key, value) in [
            ("CI_PROJECT_PATH", "root/app".to_owned()),
            ("CI_PROJECT_NAME", "app".to_owned()),
            ("CI_PROJECT_URL", format!("{}/root/app", server.base)),
            ("CI_COMMIT_SHA", SHA.to_owned()),
            ("CI_COMMIT_REF_NAME", "main".to_owned()),
            ("CI_CONFIG_PATH", ".gitlab-ci.yml".to_owned()),
            ("CI_JOB_ID", job_id.to_string()),
            ("CI_JOB_NAME", "build".to_owned()),
            ("CI_JOB_URL", format!("{}/root/app/-/jobs/{job_id}", server.base)),
            ("CI_PIPELINE_ID", pipeline_id.to_string()),
            ("CI_SERVER_URL", server.base.clone()),
            ("CI_RUNNER_ID", runner_id.to_string()),
        ] {
            let (_, found) = variable(&job, key);
            assert_eq!(
                *found,
                json!({"key": key, "value": value, "public": true, "masked": false, "file": false, "raw": false}),
                "{key}"
            );
        }
        let (_, job_token) = variable(&job, "CI_JOB_TOKEN");
        assert_eq!(
            *job_token,
            json!({"key": "CI_JOB_TOKEN", "value": token, "public": false, "masked": true, "file": false, "raw": false})
        );
        let (predefined, _) = variable(&job, "CI_RUNNER_ID");
        let (global, global_var) = variable(&job, "GLOBAL_VAR");
        let (own, _) = variable(&job, "JOB_VAR");
        let (secret, secret_var) = variable(&job, "SECRET_VAR");
        let (piped, pipe_var) = variable(&job, "PIPE_VAR");
        assert!(predefined < global && global < own && own < secret && secret < piped, "the order of the variables");
        assert_eq!(global_var["public"], true);
        assert_eq!(
            *secret_var,
            json!({"key": "SECRET_VAR", "value": "s3cr3t-value", "public": false, "masked": true, "file": false, "raw": false})
        );
        assert_eq!(pipe_var["value"], "from-the-pipeline");
        assert_eq!(pipe_var["public"], false);

        assert_eq!(
            job["steps"],
            json!([
                {"name": "script", "script": ["echo before", "echo one", "echo two"], "timeout": 1800, "when": "on_success", "allow_failure": false},
                {"name": "after_script", "script": ["echo after"], "timeout": 1800, "when": "always", "allow_failure": true},
            ])
        );
        assert_eq!(job["hooks"], json!([]));
        assert_eq!(
            job["image"],
            json!({"name": "alpine:3.20", "entrypoint": [""], "ports": [], "executor_opts": {}, "pull_policy": null})
        );
        assert_eq!(
            job["services"],
            json!([{"name": "postgres:16", "entrypoint": null, "ports": [], "executor_opts": {}, "pull_policy": null, "alias": "db", "command": null, "variables": []}])
        );
        assert_eq!(
            job["artifacts"],
            json!([{"name": "bin", "untracked": false, "paths": ["bin/"], "when": "always", "expire_in": "1 week", "artifact_type": "archive", "artifact_format": "zip"}])
        );
        assert_eq!(
            job["cache"],
            json!([{"key": "deps", "untracked": false, "paths": ["vendor/"], "policy": "pull-push", "when": "on_success", "fallback_keys": []}])
        );
        assert_eq!(job["credentials"], json!([]));
        assert_eq!(job["dependencies"], json!([]), "nothing before the first stage");
        assert_eq!(job["features"]["trace_sections"], true);
        let reasons = job["features"]["failure_reasons"].as_array().unwrap();
        for reason in ["script_failure", "runner_system_failure", "job_execution_timeout", "unknown_failure"] {
            assert!(reasons.contains(&json!(reason)), "{reason} in {reasons:?}");
        }

        // The job runs on this runner now.
        let shown = server.job(project, job_id);
        assert_eq!(shown["status"], "running");
        assert_eq!(shown["runner"]["id"], runner_id);

        // The next stage depends on it: its id and name, with a token to fetch artifacts.
        server.finish_job(&job, "success");
        let test = server.take_job(&runner);
        assert_eq!(test["job_info"]["name"], "test");
        assert_eq!(
            test["dependencies"],
            json!([{"id": job_id, "name": "build", "token": test["token"]}])
        );
        // The default image; no after_script step; the instance's default timeout.
        assert_eq!(test["image"]["name"], "ruby:3.3");
        assert_eq!(test["steps"].as_array().unwrap().len(), 1);
        assert_eq!(test["runner_info"]["timeout"], 1800);
        assert_eq!(test["artifacts"], json!([]));
        assert_eq!(test["cache"], json!([]));
        assert_eq!(test["services"], json!([]));
    }

    fn git_depth_and_tags_choose_the_refspecs(server) {
        let project = server.ci_project("app", None, "variables:\n  GIT_DEPTH: \"10\"\nbuild:\n  script: make\n");
        let (_, runner) = server.instance_runner(json!({"maximum_timeout": 10000}));
        server.create_pipeline(project, "main");
        let branch = server.take_job(&runner);
        assert_eq!(branch["git_info"]["depth"], 10);
        assert_eq!(branch["git_info"]["ref_type"], "branch");
        assert_eq!(branch["git_info"]["refspecs"], json!(["+refs/heads/main:refs/remotes/origin/main"]));
        assert_eq!(branch["runner_info"]["timeout"], 3600, "the default when the job sets none");
        server.create_pipeline_with(project, json!({"ref": "v1.0", "tag": true}));
        let tag = server.take_job(&runner);
        assert_eq!(tag["git_info"]["ref_type"], "tag");
        assert_eq!(tag["git_info"]["refspecs"], json!(["+refs/tags/v1.0:refs/tags/v1.0"]));
        assert_eq!(value_of(&tag, "CI_COMMIT_TAG"), "v1.0");
        // Without depth, a tag gets the wildcard refspecs.
        let plain = server.ci_project("plain", None, ONE_JOB);
        server.create_pipeline_with(plain, json!({"ref": "v2.0", "tag": true}));
        let tag = server.take_job(&runner);
        assert_eq!(tag["git_info"]["ref_type"], "tag");
        assert_eq!(tag["git_info"]["depth"], Value::Null);
        assert_eq!(tag["git_info"]["refspecs"], json!(["+refs/tags/*:refs/tags/*", "+refs/heads/*:refs/remotes/origin/*"]));
        // A runner whose maximum is above the job's timeout keeps the job's.
        let long = server.ci_project("long", None, "build:\n  script: make\n  timeout: 20m\n");
        server.create_pipeline(long, "main");
        assert_eq!(server.take_job(&runner)["runner_info"]["timeout"], 1200);
    }

    fn a_job_the_runner_cannot_run_is_dropped(server) {
        let config = "build:\n  script: make\n  artifacts:\n    paths: [out/]\n    exclude: [out/*.tmp]\n";
        let project = server.ci_project("app", None, config);
        let pipeline = id(&server.create_pipeline(project, "main"));
        let (_, runner) = server.instance_runner(json!(null));
        // `artifacts:exclude` needs the runner's `artifacts_exclude` feature.
        let response = poll(&server, json!({"token": runner, "info": {"features": {"artifacts": true}}}));
        assert_eq!(response.status(), 204);
        let dropped = server.job_named(project, pipeline, "build");
        assert_eq!(dropped["status"], "failed");
        assert_eq!(dropped["failure_reason"], "runner_unsupported");
        assert_eq!(server.pipeline_status(project, pipeline), "failed");
        server.create_pipeline(project, "main");
        let job = server
            .request_job_with(&runner, json!({"info": {"features": {"artifacts": true, "artifacts_exclude": true}}}))
            .expect("a runner with the feature");
        assert_eq!(job["artifacts"][0]["exclude"], json!(["out/*.tmp"]));
        assert_eq!(job["artifacts"][0]["paths"], json!(["out/"]));
    }

    fn idle_polls_get_204_with_the_queue_value(server) {
        let (_, runner) = server.instance_runner(json!(null));
        let first = no_job(&server, json!({"token": runner}));
        // The runner's value is echoed while nothing changes.
        assert_eq!(no_job(&server, json!({"token": runner, "last_update": first})), first);
        assert_eq!(no_job(&server, json!({"token": runner})), first);
        assert_eq!(no_job(&server, json!({"token": runner, "last_update": "outdated"})), first);
        // A job it cannot take (tagged) changes nothing.
        let tagged = server.ci_project("tagged", None, "build:\n  script: make\n  tags: [gpu]\n");
        server.create_pipeline(tagged, "main");
        assert_eq!(no_job(&server, json!({"token": runner, "last_update": first})), first);
        // A job it can take changes the value: the runner's stale value no longer short-cuts.
        let project = server.ci_project("app", None, ONE_JOB);
        server.create_pipeline(project, "main");
        let job = server.request_job_with(&runner, json!({"last_update": first})).expect("the new job");
        assert_eq!(job["job_info"]["project_id"], project);
        let second = no_job(&server, json!({"token": runner, "last_update": first}));
        assert_ne!(second, first, "a new value once a job became pending");
        assert_eq!(no_job(&server, json!({"token": runner, "last_update": second})), second);
        // The token may come in RUNNER-TOKEN too (gitlab-runner sends both).
        let response = server.anonymous(Method::POST, "/jobs/request").header("RUNNER-TOKEN", &runner).json(&json!({})).send().unwrap();
        assert_eq!(response.status(), 204);
        assert_eq!(header(&response, "X-GitLab-Last-Update"), second);
    }

    fn a_change_to_the_runner_changes_its_queue_value(server) {
        let first = server.ci_project("first", None, ONE_JOB);
        let second = server.ci_project("second", None, ONE_JOB);
        let (runner_id, runner) = server.register_runner_id(&server.project_registration_token(first), json!(null));
        let value = no_job(&server, json!({"token": runner}));
        // Updated through the API: a new value.
        expect_json(server.put(&format!("/runners/{runner_id}")).json(&json!({"description": "renamed"})), 200);
        let renamed = no_job(&server, json!({"token": runner, "last_update": value}));
        assert_ne!(renamed, value);
        // Assigned to another project: a new value, and that project's jobs.
        expect_json(server.post(&format!("/projects/{second}/runners")).json(&json!({"runner_id": runner_id})), 201);
        server.create_pipeline(second, "main");
        let job = server.request_job_with(&runner, json!({"last_update": renamed})).expect("the job of the new project");
        assert_eq!(job["job_info"]["project_id"], second);
        // Tags changed so that a waiting job fits: the runner hears of it at once.
        let tagged = server.ci_project("tagged", None, "build:\n  script: make\n  tags: [gpu]\n");
        expect_json(server.post(&format!("/projects/{tagged}/runners")).json(&json!({"runner_id": runner_id})), 201);
        server.create_pipeline(tagged, "main");
        let value = no_job(&server, json!({"token": runner}));
        expect_json(server.put(&format!("/runners/{runner_id}")).json(&json!({"tag_list": ["gpu"]})), 200);
        let job = server.request_job_with(&runner, json!({"last_update": value})).expect("the tagged job");
        assert_eq!(job["job_info"]["project_id"], tagged);
    }

    fn only_known_active_runners_get_jobs(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        server.create_pipeline(project, "main");
        let missing = expect_json(server.anonymous(Method::POST, "/jobs/request").json(&json!({})), 400);
        assert_eq!(missing, json!({"error": "token is missing"}));
        let forbidden = expect_json(server.anonymous(Method::POST, "/jobs/request").json(&json!({"token": "glrt-nope"})), 403);
        assert_eq!(forbidden, json!({"message": "403 Forbidden"}));
        // A paused runner hears of no job, and keeps its value.
        let (runner_id, runner) = server.instance_runner(json!({"paused": true}));
        let value = no_job(&server, json!({"token": runner}));
        assert_eq!(no_job(&server, json!({"token": runner})), value);
        expect_json(server.put(&format!("/runners/{runner_id}")).json(&json!({"paused": false})), 200);
        let job = server.take_job(&runner);
        assert_eq!(job["job_info"]["project_id"], project);
        // A deleted runner is forbidden.
        expect_status(server.delete(&format!("/runners/{runner_id}")), 204);
        let gone = expect_json(server.anonymous(Method::POST, "/jobs/request").json(&json!({"token": runner})), 403);
        assert_eq!(gone, json!({"message": "403 Forbidden"}));
    }

    fn runners_take_jobs_only_where_they_may_run(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let group_id = id(&group);
        let sub = server.group_as(&server.root_token, "sub", Some(group_id));
        let in_sub = server.ci_project("in-sub", Some(id(&sub)), ONE_JOB);
        let elsewhere = server.ci_project("elsewhere", None, ONE_JOB);
        let (_, group_runner) = server.register_runner_id(&server.group_registration_token(group_id), json!(null));
        let (_, project_runner) = server.register_runner_id(&server.project_registration_token(elsewhere), json!(null));
        let (_, instance_runner) = server.instance_runner(json!(null));

        // A group runner serves the projects of its group's descendants, not others.
        server.create_pipeline(elsewhere, "main");
        assert_eq!(taken_name(&server, &group_runner), None);
        server.create_pipeline(in_sub, "main");
        let job = server.take_job(&group_runner);
        assert_eq!(job["job_info"]["project_id"], in_sub);
        assert_eq!(job["job_info"]["project_jobs_running_on_instance_runners_count"], "+Inf");
        // A project runner serves its projects only.
        let job = server.take_job(&project_runner);
        assert_eq!(job["job_info"]["project_id"], elsewhere);
        assert!(server.request_job(&project_runner).is_none());

        // Group runners disabled in the project: the group runner gets nothing.
        expect_json(server.put(&format!("/projects/{in_sub}")).json(&json!({"group_runners_enabled": false})), 200);
        server.create_pipeline(in_sub, "main");
        assert!(server.request_job(&group_runner).is_none());
        // Shared runners disabled too: not the instance runner either.
        expect_json(server.put(&format!("/projects/{in_sub}")).json(&json!({"shared_runners_enabled": false})), 200);
        assert!(server.request_job(&instance_runner).is_none());
        let value = no_job(&server, json!({"token": instance_runner}));
        // Enabled again: the instance runner takes it, though it polls with the value it had
        // (its queue value moved on).
        expect_json(server.put(&format!("/projects/{in_sub}")).json(&json!({"shared_runners_enabled": true})), 200);
        let job = server.request_job_with(&instance_runner, json!({"last_update": value})).expect("the job of the reopened project");
        assert_eq!(job["job_info"]["project_id"], in_sub);
        // Sending a setting the project already has changes no runner's value.
        let value = no_job(&server, json!({"token": instance_runner}));
        expect_json(server.put(&format!("/projects/{in_sub}")).json(&json!({"shared_runners_enabled": true})), 200);
        assert_eq!(no_job(&server, json!({"token": instance_runner, "last_update": value})), value);
    }

    fn job_tags_must_be_a_subset_of_the_runners(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n  tags: [linux, docker]\n");
        let (_, docker_only) = server.instance_runner(json!({"tag_list": ["docker"]}));
        let (_, more) = server.instance_runner(json!({"tag_list": ["docker", "linux", "gpu"], "run_untagged": false}));
        server.create_pipeline(project, "main");
        assert!(server.request_job(&docker_only).is_none(), "linux is missing");
        assert_eq!(server.take_job(&more)["job_info"]["project_id"], project);
        // An untagged job needs a runner that runs untagged jobs.
        let untagged = server.ci_project("untagged", None, ONE_JOB);
        server.create_pipeline(untagged, "main");
        assert!(server.request_job(&more).is_none(), "run_untagged is false");
        let (_, untagged_runner) = server.instance_runner(json!({"tag_list": ["docker"], "run_untagged": true}));
        assert_eq!(server.take_job(&untagged_runner)["job_info"]["project_id"], untagged);
        // Tags appear on the job, sorted as GitLab lists them.
        let jobs = expect_json(server.get(&format!("/projects/{project}/jobs")), 200);
        assert_eq!(jobs[0]["tag_list"], json!(["docker", "linux"]));
    }

    fn ref_protected_runners_take_only_jobs_of_protected_branches(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let (_, protected_runner) = server.instance_runner(json!({"access_level": "ref_protected"}));
        let open = id(&server.create_pipeline(project, "main"));
        assert!(server.request_job(&protected_runner).is_none());
        server.protect_branch(project, "main");
        let protected = id(&server.create_pipeline(project, "main"));
        let job = server.take_job(&protected_runner);
        assert_eq!(job["git_info"]["protected"], true);
        assert_eq!(value_of(&job, "CI_COMMIT_REF_PROTECTED"), "true");
        assert_eq!(server.job_named(project, protected, "build")["id"], job["id"]);
        // The job of the unprotected pipeline is still waiting for another runner.
        assert!(server.request_job(&protected_runner).is_none());
        assert_eq!(server.job_named(project, open, "build")["status"], "pending");
        let (_, any) = server.instance_runner(json!(null));
        assert_eq!(server.take_job(&any)["job_info"]["pipeline_id"], open);
        // Wildcard protection covers matching branches.
        server.protect_branch(project, "release/*");
        server.create_pipeline(project, "release/1.0");
        let job = server.take_job(&protected_runner);
        assert_eq!(job["git_info"]["ref"], "release/1.0");
    }

    fn project_runners_take_the_oldest_job_first(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let (_, runner) = server.register_runner_id(&server.project_registration_token(project), json!(null));
        let first = id(&server.create_pipeline(project, "main"));
        let second = id(&server.create_pipeline(project, "main"));
        let third = id(&server.create_pipeline(project, "main"));
        let order: Vec<i64> = (0..3)
            .map(|_| server.take_job(&runner)["job_info"]["pipeline_id"].as_i64().unwrap())
            .collect();
        assert_eq!(order, vec![first, second, third]);
        assert!(server.request_job(&runner).is_none());
    }

    fn instance_runners_serve_the_least_busy_project_first(server) {
        let busy = server.ci_project("busy", None, ONE_JOB);
        let quiet = server.ci_project("quiet", None, ONE_JOB);
        let busy_first = id(&server.create_pipeline(busy, "main"));
        let busy_second = id(&server.create_pipeline(busy, "main"));
        let quiet_only = id(&server.create_pipeline(quiet, "main"));
        let (_, runner) = server.instance_runner(json!(null));
        let first = server.take_job(&runner);
        assert_eq!(first["job_info"]["pipeline_id"], busy_first, "no project runs anything: the oldest");
        assert_eq!(first["job_info"]["project_jobs_running_on_instance_runners_count"], "0");
        // `busy` runs a job on instance runners now: `quiet`'s younger job goes first.
        let second = server.take_job(&runner);
        assert_eq!(second["job_info"]["pipeline_id"], quiet_only);
        assert_eq!(second["job_info"]["project_jobs_running_on_instance_runners_count"], "0");
        let third = server.take_job(&runner);
        assert_eq!(third["job_info"]["pipeline_id"], busy_second);
        assert_eq!(third["job_info"]["project_jobs_running_on_instance_runners_count"], "1");
    }
}
