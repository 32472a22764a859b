#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The runner-facing runner endpoints, which carry no personal access token: registration with
//! an instance, group or project registration token (`POST /api/v4/runners`, and the legacy
//! `POST /ci/api/v1/runners/register`), unregistering (`DELETE /api/v4/runners`, legacy
//! `DELETE /ci/api/v1/runners/delete`), `POST /runners/verify`, runner managers
//! (`DELETE /runners/managers`) and `POST /runners/reset_authentication_token`; in every
//! encoding real clients send (client-wire-formats §6).

use std::time::Duration;

use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::RequestBuilder;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{
    Backend, Options, RUNNER_DETAILS_KEYS, RUNNER_KEYS, TestServer, assert_keys, expect_json,
    expect_status, ids, on_both_backends,
};

/// `GET /runners/:id` as root.
fn details(server: &TestServer, id: i64) -> Value {
    expect_json(server.get(&format!("/runners/{id}")), 200)
}

/// `GET /runners/:id/managers` as root.
fn managers(server: &TestServer, id: i64) -> Value {
    expect_json(server.get(&format!("/runners/{id}/managers")), 200)
}

/// A request to the legacy CI API v1 (`/ci/api/v1<path>`), no credentials.
fn v1(server: &TestServer, method: Method, path: &str) -> RequestBuilder {
    server.raw(method, &format!("/ci/api/v1{path}"))
}

/// The raw text of a response with the expected status (for "this secret appears nowhere"
/// checks).
#[track_caller]
fn text_of(request: RequestBuilder, status: u16) -> String {
    let response = request.send().expect("answered");
    let got = response.status().as_u16();
    let text = response.text().expect("a body");
    assert_eq!(got, status, "status (body: {text})");
    text
}

fn runner_gone(server: &TestServer, id: i64) {
    let body = expect_json(server.get(&format!("/runners/{id}")), 404);
    assert_eq!(
        body,
        json!({"message": "404 Runner Not Found"}),
        "runner {id} is gone"
    );
}

fn token_refused(server: &TestServer, token: &str) {
    let body = expect_json(
        server
            .anonymous(Method::POST, "/runners/verify")
            .json(&json!({"token": token})),
        403,
    );
    assert_eq!(
        body,
        json!({"message": "403 Forbidden"}),
        "the token {token:?} is refused"
    );
}

fn the_project_entry(project: &Value) -> Value {
    json!({
        "id": project["id"],
        "description": project["description"],
        "name": project["name"],
        "name_with_namespace": project["name_with_namespace"],
        "path": project["path"],
        "path_with_namespace": project["path_with_namespace"],
        "created_at": project["created_at"],
    })
}

fn sorted_strings(value: &Value) -> Vec<String> {
    let mut items: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("an array: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("a string: {v}"))
                .to_owned()
        })
        .collect();
    items.sort();
    items
}

on_both_backends! {
    fn the_instance_registration_token_registers_an_instance_runner_with_gitlabs_defaults(server) {
        let registered = expect_json(
            server
                .anonymous(Method::POST, "/runners")
                .json(&json!({"token": server.registration_token, "description": "first"})),
            201,
        );
        assert_keys(&registered, &["id", "token", "token_expires_at"]);
        let id = registered["id"].as_i64().expect("an integer id");
        let token = registered["token"].as_str().unwrap();
        assert!(token.starts_with("glrt-") && token.len() > 20, "{token}");
        assert_ne!(token, server.registration_token);
        assert_eq!(registered["token_expires_at"], json!(null));

        let shown = details(&server, id);
        assert_keys(&shown, RUNNER_DETAILS_KEYS);
        assert_eq!(shown["id"], id);
        assert_eq!(shown["description"], "first");
        assert_eq!(shown["runner_type"], "instance_type");
        assert_eq!(shown["is_shared"], true);
        assert_eq!(shown["active"], true);
        assert_eq!(shown["paused"], false);
        assert_eq!(shown["run_untagged"], true);
        assert_eq!(shown["locked"], false);
        assert_eq!(shown["access_level"], "not_protected");
        assert_eq!(shown["maximum_timeout"], json!(null));
        assert_eq!(shown["tag_list"], json!([]));
        assert_eq!(shown["name"], json!(null));
        // Never set: GitLab answers null; the brief does not decide, so "" is accepted too.
        assert!(
            shown["maintenance_note"].is_null() || shown["maintenance_note"] == "",
            "an unset maintenance_note: {shown}"
        );
        assert_eq!(shown["status"], "not_connected");
        assert_eq!(shown["online"], json!(null), "never contacted: online is null");
        assert_eq!(shown["contacted_at"], json!(null));
        for field in ["version", "revision", "platform", "architecture"] {
            assert_eq!(shown[field], json!(null), "{field}: no manager has contacted yet");
        }
        assert_eq!(shown["projects"], json!([]));
        assert_eq!(shown["groups"], json!([]));
        assert_eq!(managers(&server, id), json!([]), "registration creates no runner manager");
    }

    fn every_registration_gets_the_next_id_and_its_own_token(server) {
        let first = server.register_runner(&server.registration_token, json!({"description": "a"}));
        let second = server.register_runner(&server.registration_token, json!({"description": "b"}));
        let (first_id, second_id) = (first["id"].as_i64().unwrap(), second["id"].as_i64().unwrap());
        assert!(first_id >= 1, "{first}");
        assert_eq!(second_id, first_id + 1, "runner ids are sequential");
        assert_ne!(first["token"], second["token"], "each runner gets its own token");
        for registered in [&first, &second] {
            assert!(registered["token"].as_str().unwrap().starts_with("glrt-"), "{registered}");
        }
        let all = expect_json(server.get("/runners/all"), 200);
        assert_eq!(ids(&all), [first_id, second_id]);
    }

    fn a_project_registration_token_registers_a_runner_of_that_project(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let project = server.project_as(&server.root_token, "app", group["id"].as_i64());
        let pid = project["id"].as_i64().unwrap();
        let project = expect_json(server.get(&format!("/projects/{pid}")), 200);
        let registration = server.project_registration_token(pid);
        assert!(registration.starts_with("GR1348941"), "{registration}");
        let registered = server.register_runner(&registration, json!({"description": "project runner"}));
        assert_keys(&registered, &["id", "token", "token_expires_at"]);
        assert!(registered["token"].as_str().unwrap().starts_with("glrt-"));
        assert_ne!(registered["token"], json!(registration), "the runner token is not the registration token");
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["runner_type"], "project_type");
        assert_eq!(shown["is_shared"], false);
        assert_eq!(shown["description"], "project runner");
        assert_eq!(shown["projects"], json!([the_project_entry(&project)]));
        assert_eq!(shown["groups"], json!([]));
        assert_eq!(shown["status"], "not_connected");
    }

    fn a_group_registration_token_registers_a_runner_of_that_group(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = group["id"].as_i64().unwrap();
        let sub = server.group_as(&server.root_token, "sub", Some(gid));
        let sub_id = sub["id"].as_i64().unwrap();
        let registered = server.register_runner(&server.group_registration_token(gid), json!({"description": "group runner"}));
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["runner_type"], "group_type");
        assert_eq!(shown["is_shared"], false);
        assert_eq!(shown["groups"], json!([{"id": gid, "web_url": group["web_url"], "name": group["name"]}]));
        assert_eq!(shown["projects"], json!([]));
        let in_sub = server.register_runner(&server.group_registration_token(sub_id), json!(null));
        let shown = details(&server, in_sub["id"].as_i64().unwrap());
        assert_eq!(shown["runner_type"], "group_type");
        assert_eq!(shown["groups"], json!([{"id": sub_id, "web_url": sub["web_url"], "name": sub["name"]}]));
    }

    fn registration_needs_a_valid_registration_token(server) {
        let body = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"description": "x"})), 400);
        assert_eq!(body, json!({"error": "token is missing"}));
        let body = expect_json(server.anonymous(Method::POST, "/runners"), 400);
        assert_eq!(body, json!({"error": "token is missing"}), "no body at all");
        let invalid = json!({"message": "403 Forbidden - invalid token supplied"});
        let body = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"token": "GR1348941nope"})), 403);
        assert_eq!(body, invalid);
        // A runner's authentication token and a personal access token are not registration tokens.
        let (_, runner_token) = server.register_runner_id(&server.registration_token, json!(null));
        for token in [runner_token.as_str(), server.root_token.as_str()] {
            let body = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"token": token})), 403);
            assert_eq!(body, invalid, "token {token:?}");
        }
        // A registration token differing only in case is another token.
        let upper = server.registration_token.to_uppercase();
        if upper != server.registration_token {
            let body = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"token": upper})), 403);
            assert_eq!(body, invalid);
        }
        let all = expect_json(server.get("/runners/all"), 200);
        assert_eq!(all.as_array().map(Vec::len), Some(1), "only the one valid registration: {all}");
    }

    fn registration_stores_the_given_attributes(server) {
        let project = server.project_as(&server.root_token, "app", None);
        let registration = server.project_registration_token(project["id"].as_i64().unwrap());
        let registered = server.register_runner(&registration, json!({
            "description": "full",
            "paused": true,
            "locked": true,
            "access_level": "ref_protected",
            "run_untagged": false,
            "tag_list": ["docker", "linux"],
            "maximum_timeout": 9000,
            "maintenance_note": "rack 4",
            "info": {"name": "my-runner", "version": "16.1.0", "revision": "abc123", "platform": "linux", "architecture": "amd64"},
        }));
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["description"], "full");
        assert_eq!(shown["active"], false);
        assert_eq!(shown["paused"], true);
        assert_eq!(shown["status"], "not_connected", "never contacted comes before paused");
        assert_eq!(shown["online"], json!(null));
        assert_eq!(shown["locked"], true);
        assert_eq!(shown["access_level"], "ref_protected");
        assert_eq!(shown["run_untagged"], false);
        assert_eq!(shown["tag_list"], json!(["docker", "linux"]));
        assert_eq!(shown["maximum_timeout"], 9000);
        assert_eq!(shown["maintenance_note"], "rack 4", "root may update the runner, so sees the note");
        assert_eq!(shown["name"], "my-runner", "info.name is stored as name");
        assert_eq!(shown["version"], json!(null), "versions come from managers, and registering makes none");
    }

    fn active_false_registers_a_paused_runner(server) {
        let (paused, _) = server.register_runner_id(&server.registration_token, json!({"active": false}));
        let shown = details(&server, paused);
        assert_eq!((shown["active"].clone(), shown["paused"].clone()), (json!(false), json!(true)));
        let (active, _) = server.register_runner_id(&server.registration_token, json!({"active": true}));
        let shown = details(&server, active);
        assert_eq!((shown["active"].clone(), shown["paused"].clone()), (json!(true), json!(false)));
        let (unpaused, _) = server.register_runner_id(&server.registration_token, json!({"paused": false}));
        assert_eq!(details(&server, unpaused)["active"], true);
    }

    fn active_and_paused_are_mutually_exclusive(server) {
        for (active, paused) in [(true, false), (false, true), (true, true)] {
            let body = expect_json(
                server
                    .anonymous(Method::POST, "/runners")
                    .json(&json!({"token": server.registration_token, "active": active, "paused": paused})),
                400,
            );
            assert_eq!(body, json!({"error": "active, paused are mutually exclusive"}), "active={active} paused={paused}");
        }
        assert_eq!(expect_json(server.get("/runners/all"), 200), json!([]), "nothing was registered");
    }

    fn a_runner_that_refuses_untagged_jobs_needs_tags(server) {
        let needs_tags = json!({"message": {"tags_list": ["can not be empty when runner is not allowed to pick untagged jobs"]}});
        for extra in [json!({}), json!({"tag_list": ""}), json!({"tag_list": []})] {
            let mut body = json!({"token": server.registration_token, "run_untagged": false});
            for (key, value) in extra.as_object().unwrap() {
                body[key] = value.clone();
            }
            let answer = expect_json(server.anonymous(Method::POST, "/runners").json(&body), 400);
            assert_eq!(answer, needs_tags, "{body}");
        }
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"run_untagged": false, "tag_list": ["x"]}));
        let shown = details(&server, id);
        assert_eq!(shown["run_untagged"], false);
        assert_eq!(shown["tag_list"], json!(["x"]));
    }

    fn at_most_fifty_tags(server) {
        let tags: Vec<String> = (0..51).map(|i| format!("t{i:02}")).collect();
        let body = expect_json(
            server
                .anonymous(Method::POST, "/runners")
                .json(&json!({"token": server.registration_token, "tag_list": tags})),
            400,
        );
        assert_eq!(body, json!({"message": {"tags_list": ["Too many tags specified. Please limit the number of tags to 50"]}}));
        let body = expect_json(
            server
                .anonymous(Method::POST, "/runners")
                .json(&json!({"token": server.registration_token, "tag_list": tags.join(",")})),
            400,
        );
        assert_eq!(body["message"]["tags_list"], json!(["Too many tags specified. Please limit the number of tags to 50"]), "as a comma string too");
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"tag_list": tags[..50]}));
        assert_eq!(sorted_strings(&details(&server, id)["tag_list"]), tags[..50].to_vec());
    }

    fn maximum_timeout_is_at_least_ten_minutes_and_empty_means_none(server) {
        let body = expect_json(
            server
                .anonymous(Method::POST, "/runners")
                .json(&json!({"token": server.registration_token, "maximum_timeout": 599})),
            400,
        );
        assert_eq!(body, json!({"message": {"maximum_timeout": ["needs to be at least 10 minutes"]}}));
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"maximum_timeout": 600}));
        assert_eq!(details(&server, id)["maximum_timeout"], 600);
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"maximum_timeout": ""}));
        assert_eq!(details(&server, id)["maximum_timeout"], json!(null));
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"maximum_timeout": "3600"}));
        assert_eq!(details(&server, id)["maximum_timeout"], 3600, "an integer given as a string");
    }

    fn descriptions_are_at_most_1024_characters(server) {
        let body = expect_json(
            server
                .anonymous(Method::POST, "/runners")
                .json(&json!({"token": server.registration_token, "description": "d".repeat(1025)})),
            400,
        );
        assert_eq!(body, json!({"message": {"description": ["is too long (maximum is 1024 characters)"]}}));
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"description": "d".repeat(1024)}));
        assert_eq!(details(&server, id)["description"], "d".repeat(1024));
    }

    fn tags_are_trimmed_and_deduplicated(server) {
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"tag_list": "tag1, tag2"}));
        assert_eq!(details(&server, id)["tag_list"], json!(["tag1", "tag2"]));
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"tag_list": ["a", " a ", "b", "b"]}));
        assert_eq!(details(&server, id)["tag_list"], json!(["a", "b"]));
        let (id, _) = server.register_runner_id(&server.registration_token, json!({"tag_list": " x ,, y ,x"}));
        assert_eq!(details(&server, id)["tag_list"], json!(["x", "y"]));
    }

    fn python_gitlab_registers_with_json_and_a_tag_array(server) {
        let registered = expect_json(
            server.anonymous(Method::POST, "/runners").json(&json!({
                "token": server.registration_token,
                "description": "from python-gitlab",
                "tag_list": ["ruby", "mysql"],
                "run_untagged": true,
                "locked": false,
                "active": true,
                "info": {"name": "gl-runner"},
            })),
            201,
        );
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(sorted_strings(&shown["tag_list"]), ["mysql", "ruby"]);
        assert_eq!(shown["description"], "from python-gitlab");
        assert_eq!(shown["name"], "gl-runner");
    }

    fn gitlab_runner_registers_with_a_comma_string_and_its_runner_token_header(server) {
        let registered = expect_json(
            server
                .anonymous(Method::POST, "/runners")
                .header("RUNNER-TOKEN", &server.registration_token)
                .header("User-Agent", "gitlab-runner 19.4.0 (main; go1.24.6; linux/amd64)")
                .header("X-Request-Id", "0123456789abcdef0123456789abcdef")
                .header("Accept", "application/json")
                .json(&json!({
                    "description": "go runner",
                    "tag_list": "docker,linux",
                    "run_untagged": false,
                    "locked": true,
                    "paused": false,
                    "maximum_timeout": 3600,
                    "access_level": "not_protected",
                    "info": {
                        "name": "gitlab-runner", "version": "19.4.0", "revision": "d79f3e7",
                        "platform": "linux", "architecture": "amd64", "executor": "shell", "shell": "bash",
                        "features": {"variables": true, "artifacts": true, "cache": true, "shared": true},
                        "config": {"gpus": ""},
                    },
                    "token": server.registration_token,
                })),
            201,
        );
        assert_keys(&registered, &["id", "token", "token_expires_at"]);
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["tag_list"], json!(["docker", "linux"]));
        assert_eq!(shown["run_untagged"], false);
        assert_eq!(shown["locked"], true);
        assert_eq!(shown["active"], true);
        assert_eq!(shown["maximum_timeout"], 3600);
        assert_eq!(shown["name"], "gitlab-runner");
    }

    fn gitlab_python_runner_registers_with_a_form_of_repeated_keys_and_capitalised_false(server) {
        let registered = expect_json(
            server.anonymous(Method::POST, "/runners").form(&[
                ("token", server.registration_token.as_str()),
                ("description", "pyrunner"),
                ("run_untagged", "False"),
                ("tag_list", "t1"),
                ("tag_list", "t2"),
            ]),
            201,
        );
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["description"], "pyrunner");
        assert_eq!(shown["run_untagged"], false);
        assert_eq!(shown["tag_list"], json!(["t1", "t2"]));
        // Booleans are case-insensitive and 1/0 count, as in Grape.
        let registered = expect_json(
            server.anonymous(Method::POST, "/runners").form(&[
                ("token", server.registration_token.as_str()),
                ("run_untagged", "True"),
                ("locked", "1"),
                ("paused", "TRUE"),
                ("tag_list", "only"),
            ]),
            201,
        );
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["run_untagged"], true);
        assert_eq!(shown["locked"], true);
        assert_eq!(shown["paused"], true);
        assert_eq!(shown["tag_list"], json!(["only"]), "one repeated key is a one-element list");
    }

    fn bracket_keys_and_comma_strings_in_a_form_make_tag_lists(server) {
        let registered = expect_json(
            server.anonymous(Method::POST, "/runners").form(&[
                ("token", server.registration_token.as_str()),
                ("tag_list[]", "a"),
                ("tag_list[]", "b"),
            ]),
            201,
        );
        assert_eq!(details(&server, registered["id"].as_i64().unwrap())["tag_list"], json!(["a", "b"]));
        let registered = expect_json(
            server.anonymous(Method::POST, "/runners").form(&[
                ("token", server.registration_token.as_str()),
                ("tag_list", "x,y"),
                ("maximum_timeout", "700"),
                ("access_level", "ref_protected"),
            ]),
            201,
        );
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["tag_list"], json!(["x", "y"]));
        assert_eq!(shown["maximum_timeout"], 700);
        assert_eq!(shown["access_level"], "ref_protected");
    }

    fn a_trailing_slash_is_accepted_as_gitlab_runner_api_sends_it(server) {
        let registered = expect_json(
            server.anonymous(Method::POST, "/runners/").json(&json!({
                "token": server.registration_token,
                "info": {"name": "gra", "version": "1.0.4", "access_level": "not_protected"},
                "description": "gra",
                "tag_list": "p,q",
                "run_untagged": false,
            })),
            201,
        );
        assert_keys(&registered, &["id", "token", "token_expires_at"]);
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["description"], "gra");
        assert_eq!(shown["tag_list"], json!(["p", "q"]));
        assert_eq!(shown["name"], "gra");
    }

    fn the_registration_tokens_never_appear_in_any_response(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = group["id"].as_i64().unwrap();
        let project = server.project_as(&server.root_token, "app", Some(gid));
        let pid = project["id"].as_i64().unwrap();
        let group_token = server.group_registration_token(gid);
        let project_token = server.project_registration_token(pid);
        let secrets = [server.registration_token.clone(), group_token.clone(), project_token.clone()];
        let mut texts = Vec::new();
        let mut runners = Vec::new();
        for registration in &secrets {
            let response = text_of(server.anonymous(Method::POST, "/runners").json(&json!({"token": registration, "description": "r"})), 201);
            let registered: Value = paddock_tests::serde_json::from_str(&response).unwrap();
            let id = registered["id"].as_i64().unwrap();
            let token = registered["token"].as_str().unwrap().to_owned();
            texts.push(response);
            texts.push(text_of(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": token, "system_id": "s_0123456789ab"})), 200));
            runners.push((id, token));
        }
        let mut management = Vec::new();
        for (id, _) in &runners {
            management.push(text_of(server.get(&format!("/runners/{id}")), 200));
            management.push(text_of(server.get(&format!("/runners/{id}/managers")), 200));
            management.push(text_of(server.get(&format!("/runners/{id}/jobs")), 200));
            management.push(text_of(server.put(&format!("/runners/{id}")).json(&json!({"description": "renamed"})), 200));
        }
        for path in ["/runners/all".to_owned(), "/runners".to_owned(), format!("/projects/{pid}/runners"), format!("/groups/{gid}/runners")] {
            management.push(text_of(server.get(&path), 200));
        }
        // Assigning the project runner to its own project again: 400, already assigned.
        management.push(text_of(server.post(&format!("/projects/{pid}/runners")).json(&json!({"runner_id": runners[2].0})), 400));
        for text in texts.iter().chain(&management) {
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "a registration token leaked into {text}");
            }
        }
        // Management answers never carry a runner's authentication token either.
        for text in &management {
            for (_, token) in &runners {
                assert!(!text.contains(token.as_str()), "a runner token leaked into {text}");
            }
            assert!(!text.contains("\"token\""), "no token field in {text}");
        }
    }

    fn unregistering_with_the_token_in_a_json_body_a_form_body_or_the_query(server) {
        for encoding in ["json", "form", "query"] {
            let (id, token) = server.register_runner_id(&server.registration_token, json!({"description": encoding}));
            let request = match encoding {
                "json" => server.anonymous(Method::DELETE, "/runners").json(&json!({"token": token})),
                "form" => server.anonymous(Method::DELETE, "/runners").form(&[("token", token.as_str())]),
                _ => server.anonymous(Method::DELETE, &format!("/runners?token={token}")),
            };
            let response = expect_status(request, 204);
            assert_eq!(response.text().unwrap(), "", "204 has no body ({encoding})");
            runner_gone(&server, id);
            token_refused(&server, &token);
            let body = expect_json(server.anonymous(Method::DELETE, "/runners").json(&json!({"token": token})), 403);
            assert_eq!(body, json!({"message": "403 Forbidden"}), "a second unregister ({encoding})");
        }
        assert_eq!(expect_json(server.get("/runners/all"), 200), json!([]));
    }

    fn unregistering_needs_a_valid_runner_token(server) {
        let (id, _) = server.register_runner_id(&server.registration_token, json!(null));
        let body = expect_json(server.anonymous(Method::DELETE, "/runners"), 400);
        assert_eq!(body, json!({"error": "token is missing"}));
        for token in ["glrt-nope", server.registration_token.as_str(), server.root_token.as_str()] {
            let body = expect_json(server.anonymous(Method::DELETE, "/runners").json(&json!({"token": token})), 403);
            assert_eq!(body, json!({"message": "403 Forbidden"}), "token {token:?}");
        }
        assert_eq!(details(&server, id)["id"], id, "the runner is still there");
    }

    fn unregistering_removes_the_runner_and_its_managers(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        server.verify_runner(&token, json!({"system_id": "s_aaaaaaaaaaaa"}));
        server.verify_runner(&token, json!({"system_id": "s_bbbbbbbbbbbb"}));
        assert_eq!(managers(&server, id).as_array().map(Vec::len), Some(2));
        expect_status(server.anonymous(Method::DELETE, "/runners").json(&json!({"token": token})), 204);
        runner_gone(&server, id);
        let body = expect_json(server.get(&format!("/runners/{id}/managers")), 404);
        assert_eq!(body, json!({"message": "404 Runner Not Found"}));
    }

    fn verify_answers_with_the_runner_and_counts_as_a_contact(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        let verified = expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": token})), 200);
        assert_keys(&verified, &["id", "token", "token_expires_at"]);
        assert_eq!(verified, json!({"id": id, "token": token, "token_expires_at": null}));
        let shown = details(&server, id);
        assert_eq!(shown["status"], "online");
        assert_eq!(shown["online"], true);
        assert!(shown["contacted_at"].as_str().is_some_and(|t| t.contains('T')), "{shown}");
        let listed = expect_json(server.get("/runners/all"), 200);
        assert_keys(&listed[0], RUNNER_KEYS);
        assert_eq!(listed[0]["status"], "online");
        assert_eq!(listed[0]["online"], true);
    }

    fn verify_takes_the_token_from_a_form_body_or_the_query(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        let by_form = expect_json(server.anonymous(Method::POST, "/runners/verify").form(&[("token", token.as_str())]), 200);
        assert_eq!(by_form["id"], id);
        let by_query = expect_json(server.anonymous(Method::POST, &format!("/runners/verify?token={token}")), 200);
        assert_eq!(by_query["id"], id);
        assert_eq!(by_query["token"], token);
    }

    fn verify_needs_a_valid_runner_token(server) {
        let body = expect_json(server.anonymous(Method::POST, "/runners/verify"), 400);
        assert_eq!(body, json!({"error": "token is missing"}));
        let body = expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"system_id": "s_aaaaaaaaaaaa"})), 400);
        assert_eq!(body, json!({"error": "token is missing"}));
        for token in ["glrt-nope", server.registration_token.as_str(), server.root_token.as_str()] {
            token_refused(&server, token);
        }
    }

    fn verify_keeps_one_manager_per_system_id_with_the_runners_info(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        server.verify_runner(&token, json!(null));
        let list = managers(&server, id);
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["system_id"], "<legacy>", "no system_id is the legacy manager");
        assert!(list[0]["id"].is_i64(), "{list}");
        let info = json!({"name": "gitlab-runner", "version": "17.2.1", "revision": "f1e2d3c4", "platform": "linux", "architecture": "arm64", "executor": "shell"});
        server.verify_runner(&token, json!({"system_id": "s_0123456789ab", "info": info}));
        server.verify_runner(&token, json!({"system_id": "s_0123456789ab", "info": info}));
        let list = managers(&server, id);
        assert_eq!(list.as_array().map(Vec::len), Some(2), "one manager per system_id: {list}");
        let manager = list.as_array().unwrap().iter().find(|m| m["system_id"] == "s_0123456789ab").expect("the s_ manager");
        assert_eq!(manager["version"], "17.2.1");
        assert_eq!(manager["revision"], "f1e2d3c4");
        assert_eq!(manager["platform"], "linux");
        assert_eq!(manager["architecture"], "arm64");
        assert_eq!(manager["executor"], "shell");
        assert!(manager["contacted_at"].is_string(), "{manager}");
        assert_ne!(list[0]["id"], list[1]["id"]);
    }

    fn the_first_forwarded_address_is_the_managers_ip_address(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        expect_json(
            server
                .anonymous(Method::POST, "/runners/verify")
                .header("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
                .json(&json!({"token": token, "system_id": "s_forwarded01"})),
            200,
        );
        let list = managers(&server, id);
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["system_id"], "s_forwarded01");
        assert_eq!(list[0]["ip_address"], "203.0.113.9");
        expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": token, "system_id": "s_direct00001"})), 200);
        let list = managers(&server, id);
        let direct = list.as_array().unwrap().iter().find(|m| m["system_id"] == "s_direct00001").expect("the direct manager");
        assert_eq!(direct["ip_address"], "127.0.0.1", "without the header, the peer address");
    }

    fn runner_details_show_the_most_recently_contacted_manager(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        let info = |version: &str, arch: &str| json!({"version": version, "revision": format!("rev-{version}"), "platform": "linux", "architecture": arch});
        server.verify_runner(&token, json!({"system_id": "s_old000000001", "info": info("16.0.0", "amd64")}));
        let shown = details(&server, id);
        assert_eq!((shown["version"].clone(), shown["revision"].clone()), (json!("16.0.0"), json!("rev-16.0.0")));
        assert_eq!(shown["platform"], "linux");
        assert_eq!(shown["architecture"], "amd64");
        std::thread::sleep(Duration::from_millis(1100));
        server.verify_runner(&token, json!({"system_id": "s_new000000001", "info": info("17.1.0", "arm64")}));
        let shown = details(&server, id);
        assert_eq!(shown["version"], "17.1.0");
        assert_eq!(shown["revision"], "rev-17.1.0");
        assert_eq!(shown["architecture"], "arm64");
        std::thread::sleep(Duration::from_millis(1100));
        server.verify_runner(&token, json!({"system_id": "s_old000000001", "info": info("16.0.0", "amd64")}));
        let shown = details(&server, id);
        assert_eq!(shown["version"], "16.0.0", "the old manager contacted last");
        assert_eq!(shown["architecture"], "amd64");
    }

    fn deleting_a_manager_keeps_the_runner(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        server.verify_runner(&token, json!({"system_id": "s_one000000001"}));
        server.verify_runner(&token, json!({"system_id": "s_two000000002"}));
        let response = expect_status(
            server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"token": token, "system_id": "s_one000000001"})),
            204,
        );
        assert_eq!(response.text().unwrap(), "");
        let list = managers(&server, id);
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list[0]["system_id"], "s_two000000002");
        assert_eq!(details(&server, id)["id"], id, "the runner stays");
        server.verify_runner(&token, json!(null));
        // Gone now: a second delete of the same manager is 404. Form and query encodings work too.
        let body = expect_json(
            server.anonymous(Method::DELETE, "/runners/managers").form(&[("token", token.as_str()), ("system_id", "s_one000000001")]),
            404,
        );
        assert_eq!(body, json!({"message": "404 Runner manager not found Not Found"}));
        expect_status(server.anonymous(Method::DELETE, &format!("/runners/managers?token={token}&system_id=s_two000000002")), 204);
        let list = managers(&server, id);
        assert_eq!(list.as_array().map(Vec::len), Some(1), "only <legacy> is left: {list}");
        assert_eq!(list[0]["system_id"], "<legacy>");
    }

    fn deleting_a_manager_needs_the_token_and_a_known_system_id(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        server.verify_runner(&token, json!({"system_id": "s_kept00000001"}));
        let body = expect_json(server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"system_id": "s_kept00000001"})), 400);
        assert_eq!(body, json!({"error": "token is missing"}));
        let body = expect_json(server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"token": token})), 400);
        assert_eq!(body, json!({"error": "system_id is missing"}));
        let body = expect_json(
            server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"token": "glrt-nope", "system_id": "s_kept00000001"})),
            403,
        );
        assert_eq!(body, json!({"message": "403 Forbidden"}));
        let body = expect_json(
            server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"token": token, "system_id": "s_unknown0001"})),
            404,
        );
        assert_eq!(body, json!({"message": "404 Runner manager not found Not Found"}));
        // Another runner's manager is not this runner's.
        let (_, other) = server.register_runner_id(&server.registration_token, json!(null));
        let body = expect_json(
            server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"token": other, "system_id": "s_kept00000001"})),
            404,
        );
        assert_eq!(body, json!({"message": "404 Runner manager not found Not Found"}));
        assert_eq!(managers(&server, id).as_array().map(Vec::len), Some(1));
    }

    fn a_runner_resets_its_own_authentication_token(server) {
        let (id, old) = server.register_runner_id(&server.registration_token, json!(null));
        let reset = expect_json(server.anonymous(Method::POST, "/runners/reset_authentication_token").json(&json!({"token": old})), 201);
        assert_keys(&reset, &["token", "token_expires_at"]);
        let new = reset["token"].as_str().unwrap().to_owned();
        assert!(new.starts_with("glrt-"), "{new}");
        assert_ne!(new, old);
        assert_eq!(reset["token_expires_at"], json!(null));
        token_refused(&server, &old);
        let body = expect_json(server.anonymous(Method::POST, "/runners/reset_authentication_token").json(&json!({"token": old})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}));
        let body = expect_json(server.anonymous(Method::DELETE, "/runners").json(&json!({"token": old})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}));
        let verified = server.verify_runner(&new, json!(null));
        assert_eq!(verified["id"], id, "the same runner, a new token");
        let by_form = expect_json(server.anonymous(Method::POST, "/runners/reset_authentication_token").form(&[("token", new.as_str())]), 201);
        assert_ne!(by_form["token"], json!(new));
        token_refused(&server, &new);
    }

    fn resetting_the_authentication_token_needs_a_valid_one(server) {
        let body = expect_json(server.anonymous(Method::POST, "/runners/reset_authentication_token"), 400);
        assert_eq!(body, json!({"error": "token is missing"}));
        for token in ["glrt-nope", server.registration_token.as_str()] {
            let body = expect_json(server.anonymous(Method::POST, "/runners/reset_authentication_token").json(&json!({"token": token})), 403);
            assert_eq!(body, json!({"message": "403 Forbidden"}), "token {token:?}");
        }
    }

    fn a_reset_registration_token_stops_registering_and_leaves_runners_alone(server) {
        let invalid = json!({"message": "403 Forbidden - invalid token supplied"});
        let group = server.group_as(&server.root_token, "team", None);
        let gid = group["id"].as_i64().unwrap();
        let project = server.project_as(&server.root_token, "app", Some(gid));
        let pid = project["id"].as_i64().unwrap();
        let resets = [
            (server.registration_token.clone(), "/runners/reset_registration_token".to_owned(), "instance_type"),
            (server.group_registration_token(gid), format!("/groups/{gid}/runners/reset_registration_token"), "group_type"),
            (server.project_registration_token(pid), format!("/projects/{pid}/runners/reset_registration_token"), "project_type"),
        ];
        for (old, reset_path, runner_type) in resets {
            let (id, runner_token) = server.register_runner_id(&old, json!(null));
            let reset = expect_json(server.post(&reset_path), 201);
            let new = reset["token"].as_str().unwrap().to_owned();
            assert_ne!(new, old);
            let body = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"token": old})), 403);
            assert_eq!(body, invalid, "the old {runner_type} registration token");
            let (new_id, _) = server.register_runner_id(&new, json!(null));
            assert_eq!(details(&server, new_id)["runner_type"], runner_type);
            assert_eq!(server.verify_runner(&runner_token, json!(null))["id"], id, "registered runners keep working");
        }
    }

    fn deleted_runners_tokens_are_refused_everywhere(server) {
        let (id, token) = server.register_runner_id(&server.registration_token, json!(null));
        server.verify_runner(&token, json!({"system_id": "s_gone00000001"}));
        expect_status(server.delete(&format!("/runners/{id}")), 204);
        token_refused(&server, &token);
        let forbidden = json!({"message": "403 Forbidden"});
        assert_eq!(expect_json(server.anonymous(Method::DELETE, "/runners").json(&json!({"token": token})), 403), forbidden);
        assert_eq!(expect_json(server.anonymous(Method::POST, "/runners/reset_authentication_token").json(&json!({"token": token})), 403), forbidden);
        assert_eq!(
            expect_json(server.anonymous(Method::DELETE, "/runners/managers").json(&json!({"token": token, "system_id": "s_gone00000001"})), 403),
            forbidden
        );
        assert_eq!(expect_json(v1(&server, Method::DELETE, "/runners/delete").json(&json!({"token": token})), 403), forbidden);
    }

    fn legacy_registration_with_the_instance_token_makes_a_shared_runner(server) {
        let registered = expect_json(
            v1(&server, Method::POST, "/runners/register")
                .json(&json!({"token": server.registration_token, "description": "old runner", "tag_list": "ruby, mysql"})),
            201,
        );
        assert_keys(&registered, &["id", "token"]);
        let token = registered["token"].as_str().unwrap();
        assert!(token.starts_with("glrt-"), "{token}");
        assert_ne!(token, server.registration_token);
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["is_shared"], true);
        assert_eq!(shown["runner_type"], "instance_type");
        assert_eq!(shown["description"], "old runner");
        assert_eq!(sorted_strings(&shown["tag_list"]), ["mysql", "ruby"]);
        assert_eq!(shown["status"], "not_connected");
        // The same runner talks to the v4 API.
        assert_eq!(server.verify_runner(token, json!(null))["id"], registered["id"]);
    }

    fn legacy_registration_with_a_project_token_makes_a_runner_of_that_project(server) {
        let project = server.project_as(&server.root_token, "app", None);
        let pid = project["id"].as_i64().unwrap();
        let registration = server.project_registration_token(pid);
        let registered = expect_json(
            v1(&server, Method::POST, "/runners/register").form(&[
                ("token", registration.as_str()),
                ("description", "specific"),
                ("run_untagged", "false"),
                ("tag_list", "a,b"),
                ("locked", "true"),
            ]),
            201,
        );
        assert_keys(&registered, &["id", "token"]);
        let shown = details(&server, registered["id"].as_i64().unwrap());
        assert_eq!(shown["is_shared"], false);
        assert_eq!(shown["runner_type"], "project_type");
        assert_eq!(ids(&shown["projects"]), [pid]);
        assert_eq!(shown["run_untagged"], false);
        assert_eq!(shown["locked"], true);
        assert_eq!(shown["tag_list"], json!(["a", "b"]));
    }

    fn legacy_registration_refuses_a_bad_token(server) {
        for token in ["nope", "glrt-nope", server.root_token.as_str()] {
            let body = expect_json(v1(&server, Method::POST, "/runners/register").json(&json!({"token": token})), 403);
            assert_eq!(body, json!({"message": "403 Forbidden"}), "token {token:?}");
        }
        assert_eq!(expect_json(server.get("/runners/all"), 200), json!([]));
    }

    fn legacy_unregistering_answers_with_the_deleted_runner(server) {
        let registered = expect_json(
            v1(&server, Method::POST, "/runners/register").json(&json!({"token": server.registration_token, "description": "bye"})),
            201,
        );
        let id = registered["id"].as_i64().unwrap();
        let token = registered["token"].as_str().unwrap().to_owned();
        let deleted = expect_json(v1(&server, Method::DELETE, "/runners/delete").json(&json!({"token": token})), 200);
        assert_keys(&deleted, RUNNER_KEYS);
        assert_eq!(deleted["id"], id);
        assert_eq!(deleted["description"], "bye");
        assert_eq!(deleted["is_shared"], true);
        assert_eq!(deleted["runner_type"], "instance_type");
        runner_gone(&server, id);
        let body = expect_json(v1(&server, Method::DELETE, "/runners/delete").json(&json!({"token": token})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}));
        // A runner registered through v4 unregisters through v1, with a form body.
        let (v4_id, v4_token) = server.register_runner_id(&server.registration_token, json!({"description": "v4"}));
        let deleted = expect_json(v1(&server, Method::DELETE, "/runners/delete").form(&[("token", v4_token.as_str())]), 200);
        assert_eq!(deleted["id"], v4_id);
        runner_gone(&server, v4_id);
        let body = expect_json(v1(&server, Method::DELETE, "/runners/delete").json(&json!({"token": "glrt-nope"})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}));
    }
}

/// With `--runner-token-expiration-interval`, new and reset tokens carry `token_expires_at`,
/// and an expired token is refused like an unknown one on every runner-facing endpoint.
fn expired_runner_tokens_are_refused_everywhere(backend: Backend) {
    let Some(server) = TestServer::start_with_flags(
        backend,
        Options::default(),
        &["--runner-token-expiration-interval", "2"],
    ) else {
        return;
    };
    let registered = server.register_runner(&server.registration_token, json!(null));
    let expires = registered["token_expires_at"].clone();
    assert!(
        expires
            .as_str()
            .is_some_and(|t| t.contains('T') && t.ends_with('Z')),
        "an ISO 8601 expiry: {registered}"
    );
    let id = registered["id"].as_i64().unwrap();
    let token = registered["token"].as_str().unwrap().to_owned();
    let verified = server.verify_runner(&token, json!({"system_id": "s_expiring0001"}));
    assert_eq!(verified["token_expires_at"], expires);
    let reset = expect_json(
        server
            .anonymous(Method::POST, "/runners/reset_authentication_token")
            .json(&json!({"token": token})),
        201,
    );
    assert!(
        reset["token_expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{reset}"
    );
    let token = reset["token"].as_str().unwrap().to_owned();
    let by_id = expect_json(
        server.post(&format!("/runners/{id}/reset_authentication_token")),
        201,
    );
    assert!(by_id["token_expires_at"].is_string(), "{by_id}");
    token_refused(&server, &token);
    let token = by_id["token"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_millis(3100));
    let forbidden = json!({"message": "403 Forbidden"});
    token_refused(&server, &token);
    for request in [
        server
            .anonymous(Method::POST, "/runners/reset_authentication_token")
            .json(&json!({"token": token})),
        server
            .anonymous(Method::DELETE, "/runners/managers")
            .json(&json!({"token": token, "system_id": "s_expiring0001"})),
        server
            .anonymous(Method::DELETE, "/runners")
            .json(&json!({"token": token})),
        v1(&server, Method::DELETE, "/runners/delete").json(&json!({"token": token})),
    ] {
        assert_eq!(expect_json(request, 403), forbidden);
    }
    assert_eq!(
        details(&server, id)["id"],
        id,
        "an expired runner still exists"
    );
}

#[test]
fn expired_runner_tokens_are_refused_everywhere_on_sqlite() {
    expired_runner_tokens_are_refused_everywhere(Backend::Sqlite);
}

#[test]
fn expired_runner_tokens_are_refused_everywhere_on_postgres() {
    expired_runner_tokens_are_refused_everywhere(Backend::Postgres);
}

mod conditional {
    use paddock_tests::reqwest::Method;
    use paddock_tests::serde_json::json;
    use paddock_tests::{expect_json, expect_status, on_both_backends};

    const LONG_AGO: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
    const FAR_AHEAD: &str = "Fri, 01 Jan 2100 00:00:00 GMT";

    on_both_backends! {
        fn deletes_with_an_older_if_unmodified_since_get_412(server) {
            let registered = expect_json(
                server.anonymous(Method::POST, "/runners").json(&json!({"token": server.registration_token})),
                201,
            );
            let token = registered["token"].as_str().unwrap().to_owned();
            let id = registered["id"].as_i64().unwrap();
            expect_json(
                server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": token, "system_id": "s_cond00000001"})),
                200,
            );
            let failed = expect_json(
                server
                    .anonymous(Method::DELETE, "/runners/managers")
                    .header("If-Unmodified-Since", LONG_AGO)
                    .json(&json!({"token": token, "system_id": "s_cond00000001"})),
                412,
            );
            assert_eq!(failed, json!({"message": "412 Precondition Failed"}));
            let failed = expect_json(
                server.delete(&format!("/runners/{id}")).header("If-Unmodified-Since", LONG_AGO),
                412,
            );
            assert_eq!(failed, json!({"message": "412 Precondition Failed"}));
            expect_json(
                server
                    .anonymous(Method::DELETE, "/runners")
                    .header("If-Unmodified-Since", LONG_AGO)
                    .json(&json!({"token": token})),
                412,
            );
            // The runner is still there; a later date lets the deletes through.
            expect_status(
                server
                    .anonymous(Method::DELETE, "/runners/managers")
                    .header("If-Unmodified-Since", FAR_AHEAD)
                    .json(&json!({"token": token, "system_id": "s_cond00000001"})),
                204,
            );
            expect_status(
                server.anonymous(Method::DELETE, "/runners").header("If-Unmodified-Since", FAR_AHEAD).json(&json!({"token": token})),
                204,
            );
            expect_json(server.get(&format!("/runners/{id}")), 404);
        }

        fn unassigning_with_an_older_if_unmodified_since_gets_412(server) {
            let first = server.project_as(&server.root_token, "first", None);
            let second = server.project_as(&server.root_token, "second", None);
            let registration = first["runners_token"].as_str().unwrap().to_owned();
            let registered = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"token": registration})), 201);
            let id = registered["id"].as_i64().unwrap();
            expect_json(server.post(&format!("/projects/{}/runners", second["id"])).json(&json!({"runner_id": id})), 201);
            let path = format!("/projects/{}/runners/{id}", second["id"]);
            expect_json(server.delete(&path).header("If-Unmodified-Since", LONG_AGO), 412);
            expect_status(server.delete(&path).header("If-Unmodified-Since", FAR_AHEAD), 204);
        }
    }
}
