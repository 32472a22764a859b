#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `GET /runners/:id/jobs` with real jobs (reference §1.10, the seed's example): each job
//! with its user, commit, pipeline and project, filtered by status, in GitLab's order, and
//! for users who are not administrators only the jobs of projects they report on.
//! (Who may list a runner's jobs at all is in `api_runner_permissions.rs`.)

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{SHA, TestServer, assert_keys, expect_json, header, on_both_backends};

const ONE_JOB: &str = "build:\n  script: make\n";

/// The ids of a runner's jobs as `token` lists them with `query`, in the order given.
#[track_caller]
fn listed_as(server: &TestServer, token: &str, runner: i64, query: &str) -> Vec<i64> {
    let list = expect_json(
        server.as_token(
            token,
            Method::GET,
            &format!("/runners/{runner}/jobs?{query}"),
        ),
        200,
    );
    list.as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect()
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

on_both_backends! {
    fn runner_jobs_look_like_the_seeds_example(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let project_json = expect_json(server.get(&format!("/projects/{project}")), 200);
        let pipeline = server.create_pipeline(project, "main");
        let (runner_id, runner) = server.instance_runner(json!(null));
        let taken = server.take_job(&runner);
        server.finish_job(&taken, "success");
        let response = server.get(&format!("/runners/{runner_id}/jobs")).send().unwrap();
        assert_eq!(header(&response, "X-Total"), "1");
        let list = paddock_tests::assert_json(response, 200);
        let job = &list[0];
        // The fields of the seed's example (and GitLab's JobBasicWithProject).
        for key in ["id", "status", "stage", "name", "ref", "tag", "coverage", "created_at", "started_at", "finished_at", "duration", "user", "commit", "pipeline", "project"] {
            assert!(job.get(key).is_some(), "{key} in {job}");
        }
        assert_eq!(job["id"], taken["id"]);
        assert_eq!(job["status"], "success");
        assert_eq!(job["stage"], "test");
        assert_eq!(job["name"], "build");
        assert_eq!(job["ref"], "main");
        assert_eq!(job["tag"], false);
        assert_eq!(job["coverage"], Value::Null);
        for key in ["created_at", "started_at", "finished_at"] {
            assert!(job[key].as_str().is_some_and(|t| t.ends_with('Z')), "{key}: {job}");
        }
        assert!(job["duration"].as_f64().is_some_and(|d| d >= 0.0), "{job}");
        assert_eq!(job["user"]["id"], 1);
        assert_eq!(job["user"]["username"], "root");
        assert_eq!(job["commit"]["id"], SHA);
        assert_eq!(job["commit"]["short_id"], &SHA[..8]);
        assert_eq!(job["pipeline"]["id"], pipeline["id"]);
        assert_eq!(job["pipeline"]["sha"], SHA);
        assert_eq!(job["pipeline"]["ref"], "main");
        assert_eq!(job["pipeline"]["status"], "success");
        assert_keys(&job["project"], &["id", "description", "name", "name_with_namespace", "path", "path_with_namespace", "created_at"]);
        for key in ["id", "description", "name", "name_with_namespace", "path", "path_with_namespace", "created_at"] {
            assert_eq!(job["project"][key], project_json[key], "project {key}");
        }
    }

    fn runner_jobs_are_filtered_by_status_and_ordered_as_gitlab_does(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let (runner_id, runner) = server.instance_runner(json!(null));
        let mut taken = Vec::new();
        for _ in 0..4 {
            server.create_pipeline(project, "main");
            taken.push(server.take_job(&runner));
        }
        server.finish_job(&taken[0], "success");
        server.finish_job(&taken[1], "failed");
        let ids: Vec<i64> = taken.iter().map(id).collect();
        let root = server.root_token.clone();
        // No order_by: ascending; order_by=id: descending unless sort says otherwise.
        assert_eq!(listed_as(&server, &root, runner_id, ""), ids);
        let mut descending = ids.clone();
        descending.reverse();
        assert_eq!(listed_as(&server, &root, runner_id, "order_by=id"), descending);
        assert_eq!(listed_as(&server, &root, runner_id, "order_by=id&sort=asc"), ids);
        assert_eq!(listed_as(&server, &root, runner_id, "order_by=id&sort=desc"), descending);
        // Without order_by, `sort` changes nothing (GitLab's RunnerJobsFinder).
        assert_eq!(listed_as(&server, &root, runner_id, "sort=desc"), ids);
        // Status filters.
        assert_eq!(listed_as(&server, &root, runner_id, "status=running"), vec![ids[2], ids[3]]);
        assert_eq!(listed_as(&server, &root, runner_id, "status=success"), vec![ids[0]]);
        assert_eq!(listed_as(&server, &root, runner_id, "status=failed"), vec![ids[1]]);
        assert_eq!(listed_as(&server, &root, runner_id, "status=canceled"), Vec::<i64>::new());
        assert_eq!(listed_as(&server, &root, runner_id, "status=running&order_by=id"), vec![ids[3], ids[2]]);
        // Pagination.
        let response = server.get(&format!("/runners/{runner_id}/jobs?per_page=3&page=2")).send().unwrap();
        assert_eq!(header(&response, "X-Total"), "4");
        assert_eq!(header(&response, "X-Total-Pages"), "2");
        let page = paddock_tests::assert_json(response, 200);
        assert_eq!(page.as_array().unwrap().len(), 1);
        assert_eq!(page[0]["id"], ids[3]);
        // Jobs of other runners are not listed.
        let (other_id, other) = server.instance_runner(json!(null));
        server.create_pipeline(project, "main");
        server.take_job(&other);
        assert_eq!(listed_as(&server, &root, runner_id, "").len(), 4);
        assert_eq!(listed_as(&server, &root, other_id, "").len(), 1);
    }

    fn users_see_only_jobs_of_projects_they_report_on(server) {
        let first = server.ci_project("first", None, ONE_JOB);
        let second = server.ci_project("second", None, ONE_JOB);
        let user = server.user("alice");
        server.add_member(&format!("projects/{first}"), user.id, 10);
        server.add_member(&format!("projects/{second}"), user.id, 40);
        let (runner_id, runner) = server.register_runner_id(&server.project_registration_token(second), json!(null));
        expect_json(server.post(&format!("/projects/{first}/runners")).json(&json!({"runner_id": runner_id})), 201);
        server.create_pipeline(first, "main");
        let in_first = server.take_job(&runner);
        server.create_pipeline(second, "main");
        let in_second = server.take_job(&runner);
        assert_eq!(in_first["job_info"]["project_id"], first);
        assert_eq!(in_second["job_info"]["project_id"], second);
        // A guest in the first project, a maintainer of the second.
        assert_eq!(listed_as(&server, &user.token, runner_id, ""), vec![id(&in_second)]);
        let response = server.as_token(&user.token, Method::GET, &format!("/runners/{runner_id}/jobs")).send().unwrap();
        assert_eq!(header(&response, "X-Total"), "1");
        // A reporter in the first project sees its job too.
        expect_json(
            server.put(&format!("/projects/{first}/members/{}", user.id)).json(&json!({"access_level": 20})),
            200,
        );
        assert_eq!(listed_as(&server, &user.token, runner_id, ""), vec![id(&in_first), id(&in_second)]);
        // Administrators see everything.
        assert_eq!(listed_as(&server, &server.root_token, runner_id, "").len(), 2);
    }
}
