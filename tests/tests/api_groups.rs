#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Groups with subgroups, visibility, and the group registration token.

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::json;
use paddock_tests::{expect_json, expect_status, on_both_backends};

on_both_backends! {
    fn creating_a_group_makes_the_creator_its_owner(server) {
        let alice = server.user("alice");
        let group = server.group_as(&alice.token, "acme", None);
        assert_eq!(group["path"], "acme");
        assert_eq!(group["full_path"], "acme");
        assert_eq!(group["visibility"], "private");
        assert_eq!(group["parent_id"], json!(null));
        assert_eq!(group["web_url"], format!("{}/groups/acme", server.base));
        assert!(group["runners_token"].as_str().is_some_and(|t| t.starts_with("GR1348941")));
        let id = group["id"].as_i64().unwrap();
        let members = expect_json(server.as_token(&alice.token, Method::GET, &format!("/groups/{id}/members")), 200);
        assert_eq!(members[0]["username"], "alice");
        assert_eq!(members[0]["access_level"], 50);
    }

    fn subgroups_have_full_paths_and_are_found_by_path(server) {
        let acme = server.group_as(&server.root_token, "acme", None);
        let acme_id = acme["id"].as_i64().unwrap();
        let sub = server.group_as(&server.root_token, "platform", Some(acme_id));
        assert_eq!(sub["full_path"], "acme/platform");
        assert_eq!(sub["full_name"], "acme / platform");
        assert_eq!(sub["parent_id"], acme_id);
        let by_path = expect_json(server.get("/groups/acme%2Fplatform"), 200);
        assert_eq!(by_path["id"], sub["id"]);
        let subgroups = expect_json(server.get(&format!("/groups/{acme_id}/subgroups")), 200);
        assert_eq!(subgroups.as_array().map(Vec::len), Some(1));
        assert_eq!(subgroups[0]["path"], "platform");
        let top = expect_json(server.get("/groups?top_level_only=true"), 200);
        assert_eq!(top.as_array().map(Vec::len), Some(1));
    }

    fn group_attributes_are_validated(server) {
        let body = expect_json(server.post("/groups").json(&json!({"path": "x"})), 400);
        assert_eq!(body, json!({"error": "name is missing"}));
        let body = expect_json(server.post("/groups").json(&json!({"name": "x", "path": "bad path"})), 400);
        assert!(body["message"]["path"].is_array(), "{body}");
        server.group_as(&server.root_token, "taken", None);
        let body = expect_json(server.post("/groups").json(&json!({"name": "Taken", "path": "TAKEN"})), 400);
        assert_eq!(body, json!({"message": {"path": ["has already been taken"]}}));
        // A user's namespace takes the path too.
        let body = expect_json(server.post("/groups").json(&json!({"name": "root", "path": "root"})), 400);
        assert_eq!(body, json!({"message": {"path": ["has already been taken"]}}));
        let body = expect_json(server.post("/groups").json(&json!({"name": "v", "path": "v", "visibility": "secret"})), 400);
        assert_eq!(body, json!({"error": "visibility does not have a valid value"}));
    }

    fn a_subgroup_is_never_more_visible_than_its_parent(server) {
        let parent = server.group_as(&server.root_token, "private-parent", None);
        let body = expect_json(
            server
                .post("/groups")
                .json(&json!({"name": "c", "path": "c", "parent_id": parent["id"], "visibility": "public"})),
            400,
        );
        assert!(body["message"]["visibility_level"].is_array(), "{body}");
    }

    fn private_groups_are_hidden_from_non_members(server) {
        let alice = server.user("alice");
        let bob = server.user("bob");
        let private = server.group_as(&alice.token, "secret", None);
        let id = private["id"].as_i64().unwrap();
        let body = expect_json(server.as_token(&bob.token, Method::GET, &format!("/groups/{id}")), 404);
        assert_eq!(body, json!({"message": "404 Group Not Found"}));
        expect_json(server.anonymous(Method::GET, &format!("/groups/{id}")), 404);
        let listed = expect_json(server.as_token(&bob.token, Method::GET, "/groups"), 200);
        assert_eq!(listed, json!([]));
        // Internal groups are visible to signed-in users, public ones to everybody.
        expect_json(server.as_token(&alice.token, Method::PUT, &format!("/groups/{id}")).json(&json!({"visibility": "internal"})), 200);
        expect_json(server.as_token(&bob.token, Method::GET, &format!("/groups/{id}")), 200);
        expect_json(server.anonymous(Method::GET, &format!("/groups/{id}")), 404);
        expect_json(server.as_token(&alice.token, Method::PUT, &format!("/groups/{id}")).json(&json!({"visibility": "public"})), 200);
        let anonymous = expect_json(server.anonymous(Method::GET, &format!("/groups/{id}")), 200);
        assert!(anonymous.get("runners_token").is_none(), "{anonymous}");
    }

    fn membership_of_a_parent_reaches_subgroups(server) {
        let alice = server.user("alice");
        let top = server.group_as(&server.root_token, "top", None);
        let top_id = top["id"].as_i64().unwrap();
        let child = server.group_as(&server.root_token, "child", Some(top_id));
        let child_id = child["id"].as_i64().unwrap();
        expect_json(server.as_token(&alice.token, Method::GET, &format!("/groups/{child_id}")), 404);
        server.add_member(&format!("groups/{top_id}"), alice.id, 30);
        let seen = expect_json(server.as_token(&alice.token, Method::GET, &format!("/groups/{child_id}")), 200);
        assert!(seen.get("runners_token").is_none(), "developers do not see the token");
        let listed = expect_json(server.as_token(&alice.token, Method::GET, "/groups"), 200);
        assert_eq!(listed.as_array().map(Vec::len), Some(2));
        let owned = expect_json(server.as_token(&alice.token, Method::GET, "/groups?owned=true"), 200);
        assert_eq!(owned, json!([]));
    }

    fn only_owners_update_and_delete_groups(server) {
        let alice = server.user("alice");
        let group = server.group_as(&server.root_token, "g", None);
        let id = group["id"].as_i64().unwrap();
        server.add_member(&format!("groups/{id}"), alice.id, 40);
        expect_json(server.as_token(&alice.token, Method::PUT, &format!("/groups/{id}")).json(&json!({"name": "x"})), 403);
        expect_json(server.as_token(&alice.token, Method::DELETE, &format!("/groups/{id}")), 403);
        let updated = expect_json(server.put(&format!("/groups/{id}")).json(&json!({"description": "d"})), 200);
        assert_eq!(updated["description"], "d");
        let deleted = expect_json(server.delete(&format!("/groups/{id}")), 202);
        assert_eq!(deleted, json!({"message": "202 Accepted"}));
        expect_json(server.get(&format!("/groups/{id}")), 404);
    }

    fn renaming_a_group_moves_everything_below_it(server) {
        let top = server.group_as(&server.root_token, "old", None);
        let top_id = top["id"].as_i64().unwrap();
        let sub = server.group_as(&server.root_token, "sub", Some(top_id));
        let project = server.project_as(&server.root_token, "app", Some(sub["id"].as_i64().unwrap()));
        assert_eq!(project["path_with_namespace"], "old/sub/app");
        let renamed = expect_json(server.put(&format!("/groups/{top_id}")).json(&json!({"path": "new", "name": "New"})), 200);
        assert_eq!(renamed["full_path"], "new");
        let sub = expect_json(server.get(&format!("/groups/{}", sub["id"])), 200);
        assert_eq!(sub["full_path"], "new/sub");
        assert_eq!(sub["full_name"], "New / sub");
        let project = expect_json(server.get("/projects/new%2Fsub%2Fapp"), 200);
        assert_eq!(project["name_with_namespace"], "New / sub / app");
        expect_json(server.get("/projects/old%2Fsub%2Fapp"), 404);
    }

    fn deleting_a_group_deletes_its_subgroups_and_projects(server) {
        let top = server.group_as(&server.root_token, "doomed", None);
        let top_id = top["id"].as_i64().unwrap();
        let sub = server.group_as(&server.root_token, "sub", Some(top_id));
        let project = server.project_as(&server.root_token, "app", Some(sub["id"].as_i64().unwrap()));
        expect_json(server.delete(&format!("/groups/{top_id}")), 202);
        expect_json(server.get(&format!("/groups/{}", sub["id"])), 404);
        expect_json(server.get(&format!("/projects/{}", project["id"])), 404);
    }

    fn owners_reset_the_group_registration_token(server) {
        let alice = server.user("alice");
        let group = server.group_as(&server.root_token, "g", None);
        let id = group["id"].as_i64().unwrap();
        let old = group["runners_token"].as_str().unwrap().to_owned();
        let reset = expect_json(server.post(&format!("/groups/{id}/runners/reset_registration_token")), 201);
        let new = reset["token"].as_str().unwrap();
        assert!(new.starts_with("GR1348941"));
        assert_ne!(new, old);
        assert_eq!(reset["token_expires_at"], json!(null));
        let shown = expect_json(server.get(&format!("/groups/{id}")), 200);
        assert_eq!(shown["runners_token"], new);
        server.add_member(&format!("groups/{id}"), alice.id, 40);
        expect_json(server.as_token(&alice.token, Method::POST, &format!("/groups/{id}/runners/reset_registration_token")), 403);
        let other = server.user("bob");
        expect_json(server.as_token(&other.token, Method::POST, &format!("/groups/{id}/runners/reset_registration_token")), 404);
        expect_status(server.anonymous(Method::POST, &format!("/groups/{id}/runners/reset_registration_token")), 401);
    }
}
