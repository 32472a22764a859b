#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A project's CI/CD variables, `GET/POST /projects/:id/variables` and
//! `GET/PUT/DELETE /projects/:id/variables/:key`: GitLab's JSON and validation messages, for
//! maintainers only; and their values never reach the server's log.

use paddock_tests::binary;
use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::Client;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{SHA, assert_keys, expect_json, expect_status, header, on_both_backends};

const VARIABLE_KEYS: &[&str] = &[
    "variable_type",
    "key",
    "value",
    "protected",
    "masked",
    "hidden",
    "raw",
    "environment_scope",
    "description",
];

on_both_backends! {
    fn variables_are_created_read_changed_and_deleted(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let path = format!("/projects/{project}/variables");
        let created = expect_json(
            server.post(&path).json(&json!({"key": "DEPLOY_TOKEN", "value": "abcdefgh12345678", "masked": true, "protected": true, "description": "for deploys"})),
            201,
        );
        assert_keys(&created, VARIABLE_KEYS);
        assert_eq!(
            created,
            json!({
                "variable_type": "env_var",
                "key": "DEPLOY_TOKEN",
                "value": "abcdefgh12345678",
                "protected": true,
                "masked": true,
                "hidden": false,
                "raw": false,
                "environment_scope": "*",
                "description": "for deploys",
            })
        );
        // Defaults, a file variable, and a form body.
        let plain = expect_json(server.post(&path).form(&[("key", "PLAIN"), ("value", "hello world")]), 201);
        assert_eq!(plain["variable_type"], "env_var");
        assert_eq!(plain["masked"], false);
        assert_eq!(plain["protected"], false);
        assert_eq!(plain["description"], Value::Null);
        let file = expect_json(server.post(&path).json(&json!({"key": "KUBECONFIG", "value": "apiVersion: v1\n", "variable_type": "file"})), 201);
        assert_eq!(file["variable_type"], "file");

        let response = server.get(&path).send().unwrap();
        assert_eq!(header(&response, "X-Total"), "3");
        let list = paddock_tests::assert_json(response, 200);
        let keys: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["key"].as_str().unwrap()).collect();
        assert_eq!(keys.len(), 3);
        for key in ["DEPLOY_TOKEN", "PLAIN", "KUBECONFIG"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        assert_eq!(expect_json(server.get(&format!("{path}/DEPLOY_TOKEN")), 200), created);

        let updated = expect_json(server.put(&format!("{path}/PLAIN")).json(&json!({"value": "changed", "protected": true})), 200);
        assert_eq!(updated["value"], "changed");
        assert_eq!(updated["protected"], true);
        assert_eq!(updated["masked"], false);
        assert_eq!(expect_json(server.get(&format!("{path}/PLAIN")), 200), updated);

        expect_status(server.delete(&format!("{path}/PLAIN")), 204);
        let gone = expect_json(server.get(&format!("{path}/PLAIN")), 404);
        assert_eq!(gone, json!({"message": "404 Variable Not Found"}));
        for request in [
            server.put(&format!("{path}/PLAIN")).json(&json!({"value": "x"})),
            server.delete(&format!("{path}/PLAIN")),
        ] {
            assert_eq!(expect_json(request, 404), json!({"message": "404 Variable Not Found"}));
        }
        let list = expect_json(server.get(&path), 200);
        assert_eq!(list.as_array().unwrap().len(), 2);
        // Variables of another project are not these.
        let other = server.ci_project("other", None, "build:\n  script: make\n");
        assert_eq!(expect_json(server.get(&format!("/projects/{other}/variables")), 200), json!([]));
        assert_eq!(
            expect_json(server.get(&format!("/projects/{other}/variables/DEPLOY_TOKEN")), 404),
            json!({"message": "404 Variable Not Found"})
        );
    }

    fn variables_are_validated_with_gitlabs_messages(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let path = format!("/projects/{project}/variables");
        let table = [
            (json!({"value": "v"}), json!({"error": "key is missing"})),
            (json!({"key": "K"}), json!({"error": "value is missing"})),
            (json!({"key": "K", "value": "short", "masked": true}), json!({"message": {"value": ["is invalid"]}})),
            (json!({"key": "K", "value": "has spaces in it", "masked": true}), json!({"message": {"value": ["is invalid"]}})),
            (json!({"key": "BAD-KEY", "value": "v"}), json!({"message": {"key": ["can contain only letters, digits and '_'."]}})),
            (json!({"key": "K", "value": "v", "variable_type": "folder"}), json!({"error": "variable_type does not have a valid value"})),
        ];
        for (body, error) in table {
            assert_eq!(expect_json(server.post(&path).json(&body), 400), error, "{body}");
        }
        expect_json(server.post(&path).json(&json!({"key": "KEY", "value": "first"})), 201);
        let taken = expect_json(server.post(&path).json(&json!({"key": "KEY", "value": "second"})), 400);
        assert_eq!(taken, json!({"message": {"key": ["(KEY) has already been taken"]}}));
        // Masking an existing value that cannot be masked is refused too.
        let refused = expect_json(server.put(&format!("{path}/KEY")).json(&json!({"masked": true})), 400);
        assert_eq!(refused, json!({"message": {"value": ["is invalid"]}}));
        let kept = expect_json(server.get(&format!("{path}/KEY")), 200);
        assert_eq!(kept["value"], "first");
        assert_eq!(kept["masked"], false);
    }

    fn only_maintainers_manage_variables(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let path = format!("/projects/{project}/variables");
        expect_json(server.post(&path).json(&json!({"key": "SECRET", "value": "value-of-the-secret"})), 201);
        let maintainer = server.user("maint");
        server.add_member(&format!("projects/{project}"), maintainer.id, 40);
        let listed = expect_json(server.as_token(&maintainer.token, Method::GET, &path), 200);
        assert_eq!(listed[0]["value"], "value-of-the-secret");
        expect_json(
            server.as_token(&maintainer.token, Method::POST, &path).json(&json!({"key": "MINE", "value": "v"})),
            201,
        );
        let forbidden = json!({"message": "403 Forbidden"});
        for (name, level) in [("dev", 30), ("rep", 20), ("gue", 10)] {
            let user = server.user(name);
            server.add_member(&format!("projects/{project}"), user.id, level);
            for request in [
                server.as_token(&user.token, Method::GET, &path),
                server.as_token(&user.token, Method::GET, &format!("{path}/SECRET")),
                server.as_token(&user.token, Method::POST, &path).json(&json!({"key": "X", "value": "v"})),
                server.as_token(&user.token, Method::PUT, &format!("{path}/SECRET")).json(&json!({"value": "v"})),
                server.as_token(&user.token, Method::DELETE, &format!("{path}/SECRET")),
            ] {
                assert_eq!(expect_json(request, 403), forbidden, "{name}");
            }
        }
        let outsider = server.user("out");
        let hidden = expect_json(server.as_token(&outsider.token, Method::GET, &path), 404);
        assert_eq!(hidden, json!({"message": "404 Project Not Found"}));
        let anonymous = expect_json(server.anonymous(Method::GET, &path), 401);
        assert_eq!(anonymous, json!({"message": "401 Unauthorized"}));
        assert_eq!(expect_json(server.get(&format!("{path}/SECRET")), 200)["value"], "value-of-the-secret");
    }

    fn protected_variables_reach_only_jobs_of_protected_branches(server) {
        let project = server.ci_project("app", None, "build:\n  script: make\n");
        let path = format!("/projects/{project}/variables");
        expect_json(server.post(&path).json(&json!({"key": "OPEN", "value": "open-value"})), 201);
        expect_json(server.post(&path).json(&json!({"key": "GUARDED", "value": "guarded-value", "protected": true})), 201);
        let (_, runner) = server.instance_runner(json!(null));
        let has = |job: &Value, key: &str| job["variables"].as_array().unwrap().iter().any(|v| v["key"] == key);
        server.create_pipeline(project, "feature");
        let job = server.take_job(&runner);
        assert!(has(&job, "OPEN") && !has(&job, "GUARDED"), "an unprotected branch");
        server.protect_branch(project, "main");
        server.create_pipeline(project, "main");
        let job = server.take_job(&runner);
        assert!(has(&job, "OPEN") && has(&job, "GUARDED"), "a protected branch");
    }
}

/// The real binary, at debug level: no request, response or failure logs a variable's value.
#[test]
fn variable_values_never_reach_the_log() {
    let data = tempfile::tempdir().unwrap();
    let root = "glpat-root-for-the-log-test";
    let registration = "GR1348941logtest";
    let process = binary::serve(
        data.path(),
        None,
        &[
            ("PADDOCK_ROOT_TOKEN", root),
            ("PADDOCK_REGISTRATION_TOKEN", registration),
            ("RUST_LOG", "debug"),
        ],
    );
    let client = Client::new();
    let api = |method: Method, path: &str| {
        client
            .request(method, format!("{}/api/v4{path}", process.base))
            .header("PRIVATE-TOKEN", root)
    };
    let secrets = [
        "masked-secret-one",
        "plain-secret-two",
        "changed-secret-3",
        "pipeline-secret-4",
    ];
    let project = api(Method::POST, "/projects")
        .json(&json!({"name": "app", "path": "app", "ci_config": "build:\n  script: make\n"}))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/projects/{project}/variables");
    for (key, value, masked) in [("ONE", secrets[0], true), ("TWO", secrets[1], false)] {
        let response = api(Method::POST, &path)
            .json(&json!({"key": key, "value": value, "masked": masked}))
            .send()
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    // Refused and failing requests carry values too.
    let response = api(Method::POST, &path)
        .json(&json!({"key": "ONE", "value": secrets[0]}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = api(Method::PUT, &format!("{path}/TWO"))
        .json(&json!({"value": secrets[2]}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = api(Method::GET, &path).send().unwrap();
    assert_eq!(response.status(), 200);
    let response = api(Method::POST, &format!("/projects/{project}/pipeline"))
        .json(&json!({"ref": "main", "sha": SHA, "variables": [{"key": "PIPE", "value": secrets[3]}]}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    // A runner takes the job: the values travel in the payload only.
    let runner: Value = client
        .post(format!("{}/api/v4/runners", process.base))
        .json(&json!({"token": registration}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let response = client
        .post(format!("{}/api/v4/jobs/request", process.base))
        .json(&json!({"token": runner["token"]}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    let job: Value = response.json().unwrap();
    let payload = job.to_string();
    for secret in [secrets[0], secrets[2], secrets[3]] {
        assert!(payload.contains(secret), "{secret} is given to the job");
    }
    let job_token = job["token"].as_str().unwrap().to_owned();
    let response = client
        .patch(format!("{}/api/v4/jobs/{}/trace", process.base, job["id"]))
        .header("JOB-TOKEN", &job_token)
        .header("Content-Range", "0-10")
        .body(format!("{} {}\n", secrets[0], secrets[2]))
        .send()
        .unwrap();
    assert_eq!(response.status(), 202);
    let (status, log) = process.terminate();
    assert!(status.success(), "{log}");
    assert!(log.contains("/variables"), "requests are logged: {log}");
    for secret in secrets.iter().chain([&job_token.as_str()]) {
        assert!(!log.contains(secret), "{secret} reached the log:\n{log}");
    }
}
