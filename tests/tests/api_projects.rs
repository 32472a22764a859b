#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Projects: by id and URL-encoded path, the repository_url and ci_config extensions,
//! permissions inherited down the group tree, and the project registration token.

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::json;
use paddock_tests::{expect_json, expect_status, on_both_backends};

on_both_backends! {
    fn a_project_in_the_users_own_namespace(server) {
        let alice = server.user("alice");
        let created = expect_json(
            server.as_token(&alice.token, Method::POST, "/projects").json(&json!({"name": "My App"})),
            201,
        );
        assert_eq!(created["path"], "my-app");
        assert_eq!(created["path_with_namespace"], "alice/my-app");
        assert_eq!(created["namespace"]["kind"], "user");
        assert_eq!(created["owner"]["username"], "alice");
        assert_eq!(created["visibility"], "private");
        assert_eq!(created["default_branch"], "main");
        assert_eq!(created["shared_runners_enabled"], true);
        assert_eq!(created["group_runners_enabled"], true);
        assert_eq!(created["permissions"]["project_access"]["access_level"], 50);
        assert!(created["runners_token"].as_str().is_some_and(|t| t.starts_with("GR1348941")));
        assert_eq!(created["web_url"], format!("{}/alice/my-app", server.base));
    }

    fn projects_are_found_by_id_and_by_encoded_path(server) {
        let group = server.group_as(&server.root_token, "acme", None);
        let sub = server.group_as(&server.root_token, "sub", group["id"].as_i64());
        let project = server.project_as(&server.root_token, "web", sub["id"].as_i64());
        let by_id = expect_json(server.get(&format!("/projects/{}", project["id"])), 200);
        let by_path = expect_json(server.get("/projects/acme%2Fsub%2Fweb"), 200);
        let by_upper = expect_json(server.get("/projects/ACME%2Fsub%2Fweb"), 200);
        assert_eq!(by_id["id"], project["id"]);
        assert_eq!(by_path["id"], project["id"]);
        assert_eq!(by_upper["id"], project["id"]);
        assert_eq!(by_path["namespace"]["full_path"], "acme/sub");
        let body = expect_json(server.get("/projects/acme%2Fnope"), 404);
        assert_eq!(body, json!({"message": "404 Project Not Found"}));
        expect_json(server.get("/projects/999999"), 404);
    }

    fn namespace_may_be_given_by_id_or_path(server) {
        let group = server.group_as(&server.root_token, "acme", None);
        let by_id = expect_json(server.post("/projects").json(&json!({"path": "a", "namespace_id": group["id"]})), 201);
        assert_eq!(by_id["path_with_namespace"], "acme/a");
        let by_string_id = expect_json(
            server.post("/projects").json(&json!({"path": "b", "namespace_id": group["id"].to_string()})),
            201,
        );
        assert_eq!(by_string_id["path_with_namespace"], "acme/b");
        let by_path = expect_json(server.post("/projects").json(&json!({"path": "c", "namespace_id": "acme"})), 201);
        assert_eq!(by_path["path_with_namespace"], "acme/c");
        let body = expect_json(server.post("/projects").json(&json!({"path": "d", "namespace_id": 99999})), 404);
        assert_eq!(body, json!({"message": "404 Namespace Not Found"}));
    }

    fn repository_url_and_ci_config_are_kept_and_cleared(server) {
        let config = "stages: [test]\ntest:\n  script: [echo hi]\n";
        let created = expect_json(
            server.post("/projects").json(&json!({
                "name": "ci", "repository_url": "file:///srv/git/ci.git", "ci_config": config
            })),
            201,
        );
        assert_eq!(created["repository_url"], "file:///srv/git/ci.git");
        assert_eq!(created["ci_config"], config);
        let id = created["id"].as_i64().unwrap();
        let updated = expect_json(
            server.put(&format!("/projects/{id}")).json(&json!({"repository_url": "/srv/git/other.git"})),
            200,
        );
        assert_eq!(updated["repository_url"], "/srv/git/other.git");
        assert_eq!(updated["ci_config"], config);
        let cleared = expect_json(server.put(&format!("/projects/{id}")).json(&json!({"ci_config": null, "repository_url": ""})), 200);
        assert_eq!(cleared["ci_config"], json!(null));
        assert_eq!(cleared["repository_url"], json!(null));
        let body = expect_json(server.put(&format!("/projects/{id}")).json(&json!({"repository_url": "has space"})), 400);
        assert!(body["message"]["repository_url"].is_array(), "{body}");
    }

    fn project_attributes_are_validated(server) {
        let body = expect_json(server.post("/projects").json(&json!({"description": "x"})), 400);
        assert!(body["error"].as_str().is_some_and(|e| e.contains("missing")), "{body}");
        server.project_as(&server.root_token, "dup", None);
        let body = expect_json(server.post("/projects").json(&json!({"path": "DUP", "name": "other"})), 400);
        assert_eq!(body, json!({"message": {"path": ["has already been taken"]}}));
        let body = expect_json(server.post("/projects").json(&json!({"name": "x", "default_branch": "a..b"})), 400);
        assert!(body["message"]["default_branch"].is_array(), "{body}");
        let body = expect_json(server.post("/projects").json(&json!({"name": "y", "shared_runners_enabled": "maybe"})), 400);
        assert_eq!(body, json!({"error": "shared_runners_enabled is invalid"}));
    }

    fn roles_decide_who_creates_updates_and_deletes(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = group["id"].as_i64().unwrap();
        let reporter = server.user("reporter");
        let developer = server.user("developer");
        let maintainer = server.user("maintainer");
        server.add_member(&format!("groups/{gid}"), reporter.id, 20);
        server.add_member(&format!("groups/{gid}"), developer.id, 30);
        server.add_member(&format!("groups/{gid}"), maintainer.id, 40);
        let new = |name: &str| json!({"name": name, "namespace_id": gid});
        expect_json(server.as_token(&reporter.token, Method::POST, "/projects").json(&new("r")), 403);
        // A developer may create a project and becomes its maintainer.
        let dev_project = expect_json(server.as_token(&developer.token, Method::POST, "/projects").json(&new("d")), 201);
        assert_eq!(dev_project["permissions"]["project_access"]["access_level"], 40);
        let pid = dev_project["id"].as_i64().unwrap();
        expect_json(server.as_token(&developer.token, Method::PUT, &format!("/projects/{pid}")).json(&json!({"description": "ok"})), 200);
        expect_json(server.as_token(&reporter.token, Method::PUT, &format!("/projects/{pid}")).json(&json!({"description": "no"})), 403);
        // Deleting needs owner.
        expect_json(server.as_token(&maintainer.token, Method::DELETE, &format!("/projects/{pid}")), 403);
        let deleted = expect_json(server.delete(&format!("/projects/{pid}")), 202);
        assert_eq!(deleted, json!({"message": "202 Accepted"}));
        expect_json(server.get(&format!("/projects/{pid}")), 404);
    }

    fn the_registration_token_is_shown_to_maintainers_only(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let project = server.project_as(&server.root_token, "app", group["id"].as_i64());
        let pid = project["id"].as_i64().unwrap();
        let developer = server.user("developer");
        let maintainer = server.user("maintainer");
        server.add_member(&format!("projects/{pid}"), developer.id, 30);
        server.add_member(&format!("projects/{pid}"), maintainer.id, 40);
        let seen = expect_json(server.as_token(&developer.token, Method::GET, &format!("/projects/{pid}")), 200);
        assert!(seen.get("runners_token").is_none(), "{seen}");
        assert_eq!(seen["permissions"]["project_access"]["access_level"], 30);
        let seen = expect_json(server.as_token(&maintainer.token, Method::GET, &format!("/projects/{pid}")), 200);
        assert_eq!(seen["runners_token"], project["runners_token"]);
        expect_json(server.as_token(&developer.token, Method::POST, &format!("/projects/{pid}/runners/reset_registration_token")), 403);
        let reset = expect_json(server.as_token(&maintainer.token, Method::POST, &format!("/projects/{pid}/runners/reset_registration_token")), 201);
        assert_ne!(reset["token"], project["runners_token"]);
        let seen = expect_json(server.get(&format!("/projects/{pid}")), 200);
        assert_eq!(seen["runners_token"], reset["token"]);
    }

    fn group_members_reach_projects_of_subgroups(server) {
        let top = server.group_as(&server.root_token, "top", None);
        let sub = server.group_as(&server.root_token, "sub", top["id"].as_i64());
        let project = server.project_as(&server.root_token, "deep", sub["id"].as_i64());
        let alice = server.user("alice");
        let path = format!("/projects/{}", project["id"]);
        expect_json(server.as_token(&alice.token, Method::GET, &path), 404);
        server.add_member(&format!("groups/{}", top["id"]), alice.id, 40);
        let seen = expect_json(server.as_token(&alice.token, Method::GET, &path), 200);
        assert_eq!(seen["permissions"]["group_access"]["access_level"], 40);
        assert!(seen["runners_token"].is_string(), "inherited maintainers manage runners");
        let mine = expect_json(server.as_token(&alice.token, Method::GET, "/projects?membership=true"), 200);
        assert_eq!(mine.as_array().map(Vec::len), Some(1));
        let group_projects = expect_json(server.as_token(&alice.token, Method::GET, &format!("/groups/{}/projects?include_subgroups=true", top["id"])), 200);
        assert_eq!(group_projects.as_array().map(Vec::len), Some(1));
        let direct_only = expect_json(server.as_token(&alice.token, Method::GET, &format!("/groups/{}/projects", top["id"])), 200);
        assert_eq!(direct_only, json!([]));
    }

    fn lists_show_only_what_the_caller_may_see(server) {
        let alice = server.user("alice");
        let bob = server.user("bob");
        server.project_as(&alice.token, "private-one", None);
        let internal = server.project_as(&alice.token, "internal-one", None);
        let public = server.project_as(&alice.token, "public-one", None);
        expect_json(server.as_token(&alice.token, Method::PUT, &format!("/projects/{}", internal["id"])).json(&json!({"visibility": "internal"})), 200);
        expect_json(server.as_token(&alice.token, Method::PUT, &format!("/projects/{}", public["id"])).json(&json!({"visibility": "public"})), 200);
        let names = |list: paddock_tests::serde_json::Value| -> Vec<String> {
            let mut names: Vec<String> = list.as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap().to_owned()).collect();
            names.sort();
            names
        };
        assert_eq!(names(expect_json(server.as_token(&alice.token, Method::GET, "/projects"), 200)), ["internal-one", "private-one", "public-one"]);
        assert_eq!(names(expect_json(server.as_token(&bob.token, Method::GET, "/projects"), 200)), ["internal-one", "public-one"]);
        assert_eq!(names(expect_json(server.anonymous(Method::GET, "/projects"), 200)), ["public-one"]);
        assert_eq!(names(expect_json(server.get("/projects"), 200)), ["internal-one", "private-one", "public-one"]);
        assert_eq!(names(expect_json(server.as_token(&bob.token, Method::GET, &format!("/users/{}/projects", alice.id)), 200)), ["internal-one", "public-one"]);
        assert_eq!(names(expect_json(server.as_token(&bob.token, Method::GET, "/projects?search=PUBLIC"), 200)), ["public-one"]);
        assert_eq!(names(expect_json(server.as_token(&alice.token, Method::GET, "/projects?visibility=internal"), 200)), ["internal-one"]);
        let anonymous = expect_json(server.anonymous(Method::GET, &format!("/projects/{}", public["id"])), 200);
        assert!(anonymous.get("runners_token").is_none());
        assert_eq!(anonymous["permissions"]["project_access"], json!(null));
    }

    fn projects_are_ordered_as_asked(server) {
        for name in ["b", "c", "a"] {
            server.project_as(&server.root_token, name, None);
        }
        let paths = |query: &str| -> Vec<String> {
            expect_json(server.get(&format!("/projects?{query}")), 200)
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["path"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(paths(""), ["a", "c", "b"], "newest first by default");
        assert_eq!(paths("order_by=name&sort=asc"), ["a", "b", "c"]);
        assert_eq!(paths("order_by=path&sort=desc"), ["c", "b", "a"]);
        assert_eq!(paths("order_by=id&sort=asc"), ["b", "c", "a"]);
        expect_json(server.get("/projects?order_by=stars"), 400);
        expect_json(server.get("/projects?sort=up"), 400);
    }

    fn protected_branches_are_managed_by_maintainers(server) {
        let project = server.project_as(&server.root_token, "app", None);
        let pid = project["id"].as_i64().unwrap();
        let created = expect_json(server.post(&format!("/projects/{pid}/protected_branches")).json(&json!({"name": "release/*", "push_access_level": 0})), 201);
        assert_eq!(created["name"], "release/*");
        assert_eq!(created["push_access_levels"][0]["access_level"], 0);
        assert_eq!(created["push_access_levels"][0]["access_level_description"], "No one");
        assert_eq!(created["merge_access_levels"][0]["access_level"], 40);
        assert_eq!(created["allow_force_push"], false);
        let body = expect_json(server.post(&format!("/projects/{pid}/protected_branches")).json(&json!({"name": "release/*"})), 409);
        assert_eq!(body, json!({"message": "Protected branch 'release/*' already exists"}));
        expect_json(server.post(&format!("/projects/{pid}/protected_branches")).json(&json!({"name": "main"})), 201);
        let list = expect_json(server.get(&format!("/projects/{pid}/protected_branches")), 200);
        assert_eq!(list.as_array().map(Vec::len), Some(2));
        let one = expect_json(server.get(&format!("/projects/{pid}/protected_branches/release%2F*")), 200);
        assert_eq!(one["name"], "release/*");
        expect_status(server.delete(&format!("/projects/{pid}/protected_branches/main")), 204);
        expect_json(server.get(&format!("/projects/{pid}/protected_branches/main")), 404);
        let body = expect_json(server.post(&format!("/projects/{pid}/protected_branches")).json(&json!({"name": "x", "push_access_level": 15})), 400);
        assert_eq!(body, json!({"error": "push_access_level does not have a valid value"}));
        let developer = server.user("developer");
        server.add_member(&format!("projects/{pid}"), developer.id, 30);
        expect_json(server.as_token(&developer.token, Method::GET, &format!("/projects/{pid}/protected_branches")), 403);
        expect_json(server.as_token(&developer.token, Method::POST, &format!("/projects/{pid}/protected_branches")).json(&json!({"name": "dev"})), 403);
    }
}
