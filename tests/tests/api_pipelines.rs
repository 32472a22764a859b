#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Pipelines and jobs for users: `POST /projects/:id/ci/lint`, `POST /projects/:id/pipeline`
//! (the Paddock extensions `sha` and `ci_config`), `GET /projects/:id/pipelines`,
//! `GET /projects/:id/pipelines/:id`, `GET /projects/:id/pipelines/:id/jobs`,
//! `GET /projects/:id/jobs` and `GET /projects/:id/jobs/:id`: GitLab's JSON, errors and
//! permissions. (How pipelines move on is in `api_pipeline_progress.rs`.)

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{SHA, TestServer, assert_keys, expect_json, header, ids, on_both_backends};

const TWO_STAGES: &str = "\
stages: [build, test]
build:
  stage: build
  script: echo build
test:
  stage: test
  script: echo test
";

/// GitLab's `PipelineBasic`.
const PIPELINE_BASIC_KEYS: &[&str] = &[
    "id",
    "iid",
    "project_id",
    "sha",
    "ref",
    "status",
    "source",
    "created_at",
    "updated_at",
    "web_url",
];

/// GitLab's `Pipeline`: `PipelineBasic` and these.
const PIPELINE_KEYS: &[&str] = &[
    "id",
    "iid",
    "project_id",
    "sha",
    "ref",
    "status",
    "source",
    "created_at",
    "updated_at",
    "web_url",
    "before_sha",
    "tag",
    "yaml_errors",
    "user",
    "started_at",
    "finished_at",
    "committed_at",
    "duration",
    "queued_duration",
    "coverage",
    "detailed_status",
];

/// GitLab's `Job` (`failure_reason` only on failed jobs).
const JOB_KEYS: &[&str] = &[
    "id",
    "status",
    "stage",
    "name",
    "ref",
    "tag",
    "coverage",
    "allow_failure",
    "created_at",
    "started_at",
    "finished_at",
    "erased_at",
    "duration",
    "queued_duration",
    "user",
    "commit",
    "pipeline",
    "web_url",
    "project",
    "artifacts",
    "artifacts_expire_at",
    "tag_list",
    "runner",
    "runner_manager",
    "archived",
    "retried",
];

fn lint(server: &TestServer, project: i64, content: &str) -> Value {
    expect_json(
        server
            .post(&format!("/projects/{project}/ci/lint"))
            .json(&json!({"content": content})),
        200,
    )
}

fn iso_time(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|t| t.len() == 24 && t.contains('T') && t.ends_with('Z'))
}

/// Runs git in `dir`, asserting success; returns its output.
fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A local repository with a commit on `main` tagged `v1.0`; returns its path and the commit.
fn repository() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(dir.path().join("README"), "hello\n").unwrap();
    git(dir.path(), &["add", "README"]);
    git(
        dir.path(),
        &[
            "commit",
            "--quiet",
            "-m",
            "First commit",
            "-m",
            "With a body.",
        ],
    );
    git(dir.path(), &["tag", "v1.0"]);
    let sha = git(dir.path(), &["rev-parse", "HEAD"]);
    (dir, sha)
}

/// A job without what changes with the clock while it waits.
fn without_clock(mut job: Value) -> Value {
    job.as_object_mut().unwrap().remove("queued_duration");
    job
}

/// A private project of root's with a developer, a reporter, a guest and an outsider.
struct Team {
    project: i64,
    developer: String,
    reporter: String,
    guest: String,
    outsider: String,
}

fn team(server: &TestServer) -> Team {
    let project = server.ci_project("app", None, TWO_STAGES);
    let mut tokens = Vec::new();
    for (name, level) in [("dev", 30), ("rep", 20), ("gue", 10)] {
        let user = server.user(name);
        server.add_member(&format!("projects/{project}"), user.id, level);
        tokens.push(user.token);
    }
    let outsider = server.user("out").token;
    let guest = tokens.pop().unwrap();
    let reporter = tokens.pop().unwrap();
    let developer = tokens.pop().unwrap();
    Team {
        project,
        developer,
        reporter,
        guest,
        outsider,
    }
}

on_both_backends! {
    fn ci_lint_answers_gitlabs_messages(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let valid = lint(&server, project, TWO_STAGES);
        assert_eq!(
            valid,
            json!({"valid": true, "errors": [], "warnings": [], "merged_yaml": TWO_STAGES, "includes": []})
        );
        let table: [(&str, Vec<&str>); 5] = [
            (
                "build:\n  script: echo\n  colour: blue\n",
                vec!["jobs:build config contains unknown keys: colour"],
            ),
            (
                "build:\n  stage: package\n  script: echo\n",
                vec!["build job: chosen stage package does not exist; available stages are .pre, build, test, deploy, .post"],
            ),
            (
                "test:\n  script: echo\n  needs: [compile]\n",
                vec!["test job: undefined need: compile"],
            ),
            ("build:\n  script: []\n", vec!["jobs:build script can't be blank"]),
            (
                "build:\n  stage: build\n",
                vec!["jobs build config should implement the script: keyword"],
            ),
        ];
        for (content, errors) in table {
            let answer = lint(&server, project, content);
            assert_eq!(
                answer,
                json!({"valid": false, "errors": errors, "warnings": [], "merged_yaml": null, "includes": []}),
                "{content}"
            );
        }
        // Every error is reported, not just the first.
        let answer = lint(&server, project, "a:\n  script: []\nb:\n  script: x\n  when: later\n  needs: [c]\n");
        assert_eq!(answer["valid"], false);
        assert!(answer["errors"].as_array().unwrap().len() >= 3, "{answer}");
        // `content` is required.
        let missing = expect_json(server.post(&format!("/projects/{project}/ci/lint")).json(&json!({})), 400);
        assert_eq!(missing, json!({"error": "content is missing"}));
    }

    fn ci_lint_is_for_developers_and_above(server) {
        let team = team(&server);
        let path = format!("/projects/{}/ci/lint", team.project);
        let body = json!({"content": TWO_STAGES});
        let ok = expect_json(server.as_token(&team.developer, Method::POST, &path).json(&body), 200);
        assert_eq!(ok["valid"], true);
        for token in [&team.reporter, &team.guest] {
            let refused = expect_json(server.as_token(token, Method::POST, &path).json(&body), 403);
            assert_eq!(refused, json!({"message": "403 Forbidden"}));
        }
        let hidden = expect_json(server.as_token(&team.outsider, Method::POST, &path).json(&body), 404);
        assert_eq!(hidden, json!({"message": "404 Project Not Found"}));
        let anonymous = expect_json(server.anonymous(Method::POST, &path).json(&body), 401);
        assert_eq!(anonymous, json!({"message": "401 Unauthorized"}));
        let unknown = expect_json(server.post("/projects/999999/ci/lint").json(&body), 404);
        assert_eq!(unknown, json!({"message": "404 Project Not Found"}));
    }

    fn a_pipeline_is_created_with_gitlabs_json(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let created = server.create_pipeline(project, "main");
        assert_keys(&created, PIPELINE_KEYS);
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["iid"], 1);
        assert_eq!(created["project_id"], project);
        assert_eq!(created["sha"], SHA);
        assert_eq!(created["ref"], "main");
        assert_eq!(created["status"], "pending", "the first stage waits for a runner");
        assert_eq!(created["source"], "api");
        assert_eq!(created["before_sha"], "0000000000000000000000000000000000000000");
        assert_eq!(created["tag"], false);
        assert_eq!(created["yaml_errors"], Value::Null);
        assert_eq!(created["user"]["id"], 1);
        assert_eq!(created["user"]["username"], "root");
        assert_eq!(created["started_at"], Value::Null);
        assert_eq!(created["finished_at"], Value::Null);
        assert_eq!(created["duration"], Value::Null);
        assert_eq!(created["coverage"], Value::Null);
        assert!(iso_time(&created["created_at"]), "{created}");
        assert!(iso_time(&created["updated_at"]), "{created}");
        assert_eq!(created["web_url"], format!("{}/root/app/-/pipelines/{id}", server.base));
        assert_eq!(created["detailed_status"]["group"], "pending");
        assert_eq!(created["detailed_status"]["details_path"], format!("/root/app/-/pipelines/{id}"));
        // The same pipeline is shown, and a second one gets the next iid.
        let shown = server.pipeline(project, id);
        assert_eq!(shown["id"], id);
        assert_eq!(shown["created_at"], created["created_at"]);
        let second = server.create_pipeline_with(project, json!({"ref": "v1.0", "tag": true}));
        assert_eq!(second["iid"], 2);
        assert_eq!(second["tag"], true);
        // Its jobs: the first stage pending, the next one created.
        assert_eq!(
            server.job_statuses(project, id).into_iter().collect::<Vec<_>>(),
            vec![("build".to_owned(), "pending".to_owned()), ("test".to_owned(), "created".to_owned())]
        );
        // By the project's path too, and with a form body.
        let by_path = expect_json(
            server.post("/projects/root%2Fapp/pipeline").form(&[("ref", "main"), ("sha", SHA)]),
            201,
        );
        assert_eq!(by_path["project_id"], project);
    }

    fn pipeline_requests_that_cannot_be_run_get_400(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let path = format!("/projects/{project}/pipeline");
        let missing = expect_json(server.post(&path).json(&json!({"sha": SHA})), 400);
        assert_eq!(missing, json!({"error": "ref is missing"}));
        // No configuration at all.
        let bare = server.project_as(&server.root_token, "bare", None)["id"].as_i64().unwrap();
        let none = expect_json(
            server.post(&format!("/projects/{bare}/pipeline")).json(&json!({"ref": "main", "sha": SHA})),
            400,
        );
        assert_eq!(none, json!({"message": {"base": ["Missing CI config file"]}}));
        // A configuration that does not lint: its errors.
        let broken = server.ci_project("broken", None, "build:\n  script: []\n  colour: blue\n");
        let invalid = expect_json(
            server.post(&format!("/projects/{broken}/pipeline")).json(&json!({"ref": "main", "sha": SHA})),
            400,
        );
        assert_eq!(
            invalid,
            json!({"message": {"base": ["jobs:build config contains unknown keys: colour", "jobs:build script can't be blank"]}})
        );
        // No sha and no repository to resolve the ref in.
        let unresolved = expect_json(server.post(&path).json(&json!({"ref": "main"})), 400);
        assert_eq!(
            unresolved,
            json!({"message": {"base": ["Reference not found: the project has no repository_url to resolve it in, so give the commit as sha"]}})
        );
        let short = expect_json(server.post(&path).json(&json!({"ref": "main", "sha": "abc123"})), 400);
        assert_eq!(
            short,
            json!({"message": {"base": ["sha is invalid: give the full commit id (40 or 64 hexadecimal characters)"]}})
        );
        // Nothing was created.
        let list = expect_json(server.get(&format!("/projects/{project}/pipelines")), 200);
        assert_eq!(list, json!([]));
        let unknown = expect_json(server.post("/projects/999999/pipeline").json(&json!({"ref": "main", "sha": SHA})), 404);
        assert_eq!(unknown, json!({"message": "404 Project Not Found"}));
    }

    fn the_commit_is_resolved_from_the_projects_repository(server) {
        let (repo, sha) = repository();
        let url = repo.path().to_str().unwrap().to_owned();
        let created = expect_json(
            server.post("/projects").json(&json!({"name": "app", "path": "app", "ci_config": TWO_STAGES, "repository_url": url})),
            201,
        );
        let project = created["id"].as_i64().unwrap();
        let path = format!("/projects/{project}/pipeline");
        let branch = expect_json(server.post(&path).json(&json!({"ref": "main"})), 201);
        assert_eq!(branch["sha"], sha);
        assert_eq!(branch["tag"], false);
        assert!(iso_time(&branch["committed_at"]), "what the repository says: {branch}");
        let tag = expect_json(server.post(&path).json(&json!({"ref": "v1.0"})), 201);
        assert_eq!(tag["sha"], sha);
        assert_eq!(tag["tag"], true, "a tag in the repository");
        let job = server.pipeline_jobs(project, tag["id"].as_i64().unwrap()).remove(0);
        assert_eq!(job["tag"], true);
        assert_eq!(job["commit"]["title"], "First commit");
        assert_eq!(job["commit"]["author_name"], "Ada");
        // The runner clones that repository, at that ref.
        let (_, runner) = server.instance_runner(json!(null));
        let payload = server.take_job(&runner);
        assert_eq!(payload["git_info"]["repo_url"], url);
        assert_eq!(payload["git_info"]["sha"], sha);
        let missing = expect_json(server.post(&path).json(&json!({"ref": "no-such-branch"})), 400);
        assert_eq!(missing, json!({"message": {"base": ["Reference not found"]}}));
    }

    fn owners_delete_pipelines(server) {
        let team = team(&server);
        let pipeline = server.create_pipeline(team.project, "main")["id"].as_i64().unwrap();
        let path = format!("/projects/{}/pipelines/{pipeline}", team.project);
        let refused = expect_json(server.as_token(&team.developer, Method::DELETE, &path), 403);
        assert_eq!(refused, json!({"message": "403 Forbidden"}));
        paddock_tests::expect_status(server.delete(&path), 204);
        assert_eq!(expect_json(server.get(&path), 404), json!({"message": "404 Not found"}));
        assert_eq!(expect_json(server.get(&format!("/projects/{}/jobs", team.project)), 200), json!([]));
        assert_eq!(expect_json(server.delete(&path), 404), json!({"message": "404 Not found"}));
    }

    fn the_ci_config_of_the_request_overrides_the_projects(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let other = "lint:\n  stage: .pre\n  script: echo lint\npackage:\n  stage: deploy\n  script: echo package\n";
        let created = server.create_pipeline_with(project, json!({"ref": "main", "ci_config": other}));
        let id = created["id"].as_i64().unwrap();
        let names: Vec<String> = server.job_statuses(project, id).into_keys().collect();
        assert_eq!(names, vec!["lint".to_owned(), "package".to_owned()]);
        assert_eq!(server.job_named(project, id, "lint")["stage"], ".pre");
        assert_eq!(server.job_named(project, id, "lint")["status"], "pending");
        assert_eq!(server.job_named(project, id, "package")["status"], "created");
        // A project without configuration runs one given with the request.
        let bare = server.project_as(&server.root_token, "bare", None)["id"].as_i64().unwrap();
        server.create_pipeline_with(bare, json!({"ref": "main", "ci_config": other}));
        // An override that does not lint is refused.
        let invalid = expect_json(
            server.post(&format!("/projects/{project}/pipeline"))
                .json(&json!({"ref": "main", "sha": SHA, "ci_config": "x:\n  script: []\n"})),
            400,
        );
        assert_eq!(invalid, json!({"message": {"base": ["jobs:x script can't be blank"]}}));
        // The project's configuration is unchanged.
        let project_json = expect_json(server.get(&format!("/projects/{project}")), 200);
        assert_eq!(project_json["ci_config"], TWO_STAGES);
    }

    fn pipeline_variables_must_be_well_formed(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let created = server.create_pipeline_with(
            project,
            json!({"ref": "main", "variables": [
                {"key": "GREETING", "value": "hello"},
                {"key": "CONFIG", "value": "a=b", "variable_type": "file"},
            ]}),
        );
        assert_eq!(created["status"], "pending");
        let path = format!("/projects/{project}/pipeline");
        for variables in [
            json!("GREETING=hello"),
            json!([{"value": "no key"}]),
            json!([{"key": "BAD-KEY", "value": "x"}]),
            json!([{"key": "K", "value": "x", "variable_type": "folder"}]),
        ] {
            let refused = expect_json(
                server.post(&path).json(&json!({"ref": "main", "sha": SHA, "variables": variables})),
                400,
            );
            assert_eq!(refused, json!({"error": "variables is invalid"}), "{variables}");
        }
    }

    fn developers_create_pipelines_reporters_do_not(server) {
        let team = team(&server);
        let path = format!("/projects/{}/pipeline", team.project);
        let body = json!({"ref": "main", "sha": SHA});
        let created = expect_json(server.as_token(&team.developer, Method::POST, &path).json(&body), 201);
        assert_eq!(created["user"]["username"], "dev");
        for token in [&team.reporter, &team.guest] {
            let refused = expect_json(server.as_token(token, Method::POST, &path).json(&body), 403);
            assert_eq!(refused, json!({"message": "403 Forbidden"}));
        }
        let hidden = expect_json(server.as_token(&team.outsider, Method::POST, &path).json(&body), 404);
        assert_eq!(hidden, json!({"message": "404 Project Not Found"}));
        let anonymous = expect_json(server.anonymous(Method::POST, &path).json(&body), 401);
        assert_eq!(anonymous, json!({"message": "401 Unauthorized"}));
        // Reporters and guests may read what developers ran; outsiders see nothing.
        let list_path = format!("/projects/{}/pipelines", team.project);
        for token in [&team.developer, &team.reporter, &team.guest] {
            let list = expect_json(server.as_token(token, Method::GET, &list_path), 200);
            assert_eq!(ids(&list), vec![created["id"].as_i64().unwrap()]);
        }
        let hidden = expect_json(server.as_token(&team.outsider, Method::GET, &list_path), 404);
        assert_eq!(hidden, json!({"message": "404 Project Not Found"}));
    }

    fn pipelines_are_listed_newest_first_and_filtered(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let first = server.create_pipeline(project, "main")["id"].as_i64().unwrap();
        let other_sha = "fedcba9876543210fedcba9876543210fedcba98";
        let second = server.create_pipeline_with(project, json!({"ref": "feature", "sha": other_sha}))["id"].as_i64().unwrap();
        let third = server.create_pipeline(project, "main")["id"].as_i64().unwrap();
        expect_json(server.post(&format!("/projects/{project}/pipelines/{third}/cancel")), 201);
        let list_path = format!("/projects/{project}/pipelines");
        let response = server.get(&list_path).send().unwrap();
        assert_eq!(header(&response, "X-Total"), "3");
        assert_eq!(header(&response, "X-Page"), "1");
        let list = paddock_tests::assert_json(response, 200);
        for item in list.as_array().unwrap() {
            assert_keys(item, PIPELINE_BASIC_KEYS);
        }
        let order: Vec<i64> = list.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(order, vec![third, second, first], "newest first");
        assert_eq!(list[0]["status"], "canceled");
        assert_eq!(list[0]["web_url"], format!("{}/root/app/-/pipelines/{third}", server.base));
        let listed = |query: &str| -> Vec<i64> {
            let list = expect_json(server.get(&format!("{list_path}?{query}")), 200);
            list.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
        };
        assert_eq!(listed("ref=feature"), vec![second]);
        assert_eq!(listed(&format!("sha={other_sha}")), vec![second]);
        assert_eq!(listed("status=canceled"), vec![third]);
        assert_eq!(listed("status=pending"), vec![second, first]);
        assert_eq!(listed("scope=pending"), vec![second, first]);
        assert_eq!(listed("scope=finished"), vec![third], "canceled is finished");
        assert_eq!(listed("scope=finished&status=canceled"), vec![third]);
        assert!(listed("scope=finished&status=pending").is_empty(), "both filters apply");
        let bad = expect_json(server.get(&format!("{list_path}?scope=branches")), 400);
        assert_eq!(bad, json!({"error": "scope: branches and tags are not supported yet"}));
        assert_eq!(listed("sort=asc"), vec![first, second, third]);
        assert_eq!(listed("order_by=id&sort=asc"), vec![first, second, third]);
        assert_eq!(listed("source=api").len(), 3);
        assert_eq!(listed("user_id=1").len(), 3);
        assert_eq!(listed("per_page=1&page=2"), vec![second]);
        let bad = expect_json(server.get(&format!("{list_path}?status=bogus")), 400);
        assert_eq!(bad, json!({"error": "status does not have a valid value"}));
        let bad = expect_json(server.get(&format!("{list_path}?order_by=colour")), 400);
        assert_eq!(bad, json!({"error": "order_by does not have a valid value"}));
    }

    fn jobs_are_listed_and_shown_with_gitlabs_json(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let pipeline = server.create_pipeline(project, "main");
        let pid = pipeline["id"].as_i64().unwrap();
        let jobs = server.pipeline_jobs(project, pid);
        assert_eq!(jobs.len(), 2);
        let build = &jobs[0];
        assert_keys(build, JOB_KEYS);
        let build_id = build["id"].as_i64().unwrap();
        assert_eq!(build["name"], "build");
        assert_eq!(build["stage"], "build");
        assert_eq!(build["status"], "pending");
        assert_eq!(build["ref"], "main");
        assert_eq!(build["tag"], false);
        assert_eq!(build["allow_failure"], false);
        assert_eq!(build["coverage"], Value::Null);
        assert_eq!(build["started_at"], Value::Null);
        assert_eq!(build["finished_at"], Value::Null);
        assert_eq!(build["duration"], Value::Null);
        assert!(build["queued_duration"].is_number(), "a pending job has been queued: {build}");
        assert_eq!(build["runner"], Value::Null);
        assert_eq!(build["retried"], false);
        assert_eq!(build["tag_list"], json!([]));
        assert_eq!(build["user"]["username"], "root");
        assert_eq!(build["commit"]["id"], SHA);
        assert_eq!(build["commit"]["short_id"], &SHA[..8]);
        assert_keys(&build["pipeline"], PIPELINE_BASIC_KEYS);
        assert_eq!(build["pipeline"]["id"], pid);
        assert_eq!(build["web_url"], format!("{}/root/app/-/jobs/{build_id}", server.base));
        assert!(iso_time(&build["created_at"]), "{build}");
        assert_eq!(
            without_clock(server.job(project, build_id)),
            without_clock(build.clone()),
            "a job is shown as it is listed"
        );

        // Pipeline jobs: oldest first, `scope[]` filters by status.
        let path = format!("/projects/{project}/pipelines/{pid}/jobs");
        let pending = expect_json(server.get(&format!("{path}?scope[]=pending")), 200);
        assert_eq!(ids(&pending), vec![build_id]);
        let both = expect_json(server.get(&format!("{path}?scope[]=pending&scope[]=created")), 200);
        assert_eq!(both.as_array().unwrap().len(), 2);
        let single = expect_json(server.get(&format!("{path}?scope=created")), 200);
        assert_eq!(single.as_array().unwrap().len(), 1);
        assert_eq!(single[0]["name"], "test");
        let none = expect_json(server.get(&format!("{path}?scope[]=success")), 200);
        assert_eq!(none, json!([]));
        let bad = expect_json(server.get(&format!("{path}?scope[]=bogus")), 400);
        assert_eq!(bad, json!({"error": "scope does not have a valid value"}));

        // Project jobs: newest first, across pipelines.
        let second = server.create_pipeline(project, "main")["id"].as_i64().unwrap();
        let all = expect_json(server.get(&format!("/projects/{project}/jobs")), 200);
        assert_eq!(all.as_array().unwrap().len(), 4);
        let order: Vec<i64> = all.as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect();
        let mut newest_first = order.clone();
        newest_first.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(order, newest_first);
        assert_eq!(all[0]["pipeline"]["id"], second);
        let pending = expect_json(server.get(&format!("/projects/{project}/jobs?scope[]=pending")), 200);
        assert_eq!(pending.as_array().unwrap().len(), 2);
        assert!(pending.as_array().unwrap().iter().all(|j| j["status"] == "pending"));
    }

    fn unknown_pipelines_and_jobs_are_404(server) {
        let project = server.ci_project("app", None, TWO_STAGES);
        let other = server.ci_project("other", None, TWO_STAGES);
        let pipeline = server.create_pipeline(other, "main")["id"].as_i64().unwrap();
        let job = server.pipeline_jobs(other, pipeline)[0]["id"].as_i64().unwrap();
        let not_found = json!({"message": "404 Not found"});
        for path in [
            "/pipelines/999999".to_owned(),
            "/pipelines/999999/jobs".to_owned(),
            "/jobs/999999".to_owned(),
            // Another project's pipeline and job.
            format!("/pipelines/{pipeline}"),
            format!("/pipelines/{pipeline}/jobs"),
            format!("/jobs/{job}"),
            format!("/jobs/{job}/trace"),
        ] {
            let body = expect_json(server.get(&format!("/projects/{project}{path}")), 404);
            assert_eq!(body, not_found, "{path}");
        }
        for path in [
            format!("/pipelines/{pipeline}/cancel"),
            format!("/pipelines/{pipeline}/retry"),
            format!("/jobs/{job}/cancel"),
            format!("/jobs/{job}/retry"),
            format!("/jobs/{job}/play"),
        ] {
            let body = expect_json(server.post(&format!("/projects/{project}{path}")), 404);
            assert_eq!(body, not_found, "{path}");
        }
        let project_missing = expect_json(server.get("/projects/999999/pipelines"), 404);
        assert_eq!(project_missing, json!({"message": "404 Project Not Found"}));
    }

    fn protected_branches_are_run_only_by_those_who_may_update_them(server) {
        let config = "build:\n  script: echo build\ndeploy:\n  stage: deploy\n  script: echo deploy\n  when: manual\n  needs: []\n";
        let project = server.ci_project("guarded", None, config);
        server.protect_branch(project, "main");
        let developer = server.user("dev");
        server.add_member(&format!("projects/{project}"), developer.id, 30);
        let as_developer = |method: reqwest::Method, path: &str| {
            server.as_token(&developer.token, method, path)
        };
        // A developer may not run a pipeline for a branch only maintainers may push to.
        let refused = expect_json(
            as_developer(reqwest::Method::POST, &format!("/projects/{project}/pipeline"))
                .json(&json!({"ref": "main", "sha": SHA, "ci_config": "steal:\n  script: env\n"})),
            400,
        );
        assert_eq!(
            refused,
            json!({"message": {"base": ["Insufficient permissions for protected ref"]}})
        );
        // An unprotected branch is fine.
        let feature = expect_json(
            as_developer(reqwest::Method::POST, &format!("/projects/{project}/pipeline"))
                .json(&json!({"ref": "feature", "sha": SHA})),
            201,
        );
        assert_eq!(feature["ref"], "feature");
        // The maintainer's pipeline on main: the developer may not cancel, retry or play it.
        let pipeline = server.create_pipeline(project, "main");
        let id = pipeline["id"].as_i64().unwrap();
        let build = server.job_named(project, id, "build");
        let deploy = server.job_named(project, id, "deploy");
        for (path, job) in [
            ("cancel", &build),
            ("play", &deploy),
        ] {
            let job_id = job["id"].as_i64().unwrap();
            let answer = expect_json(
                as_developer(
                    reqwest::Method::POST,
                    &format!("/projects/{project}/jobs/{job_id}/{path}"),
                ),
                403,
            );
            assert_eq!(answer, json!({"message": "403 Forbidden"}), "{path}");
        }
        expect_json(
            as_developer(
                reqwest::Method::POST,
                &format!("/projects/{project}/pipelines/{id}/cancel"),
            ),
            403,
        );
        assert_eq!(server.job_named(project, id, "build")["status"], "pending");
        // The maintainer may.
        let played = expect_json(
            server.post(&format!(
                "/projects/{project}/jobs/{}/play",
                deploy["id"].as_i64().unwrap()
            )),
            200,
        );
        assert_eq!(played["status"], "pending");
    }
}
