#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Members of groups and projects.

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::json;
use paddock_tests::{expect_json, expect_status, on_both_backends};

on_both_backends! {
    fn members_are_added_listed_changed_and_removed(server) {
        for source in ["groups", "projects"] {
            let id = if source == "groups" {
                server.group_as(&server.root_token, "g", None)["id"].as_i64().unwrap()
            } else {
                server.project_as(&server.root_token, "p", None)["id"].as_i64().unwrap()
            };
            let alice = server.user(&format!("alice-{source}"));
            let added = expect_json(
                server
                    .post(&format!("/{source}/{id}/members"))
                    .json(&json!({"user_id": alice.id, "access_level": 30, "expires_at": "2999-01-01"})),
                201,
            );
            assert_eq!(added["id"], alice.id);
            assert_eq!(added["username"], alice.username);
            assert_eq!(added["access_level"], 30);
            assert_eq!(added["expires_at"], "2999-01-01");
            let body = expect_json(
                server.post(&format!("/{source}/{id}/members")).json(&json!({"user_id": alice.id, "access_level": 30})),
                409,
            );
            assert_eq!(body, json!({"message": "Member already exists"}));
            let one = expect_json(server.get(&format!("/{source}/{id}/members/{}", alice.id)), 200);
            assert_eq!(one["access_level"], 30);
            let changed = expect_json(
                server.put(&format!("/{source}/{id}/members/{}", alice.id)).json(&json!({"access_level": 40, "expires_at": ""})),
                200,
            );
            assert_eq!(changed["access_level"], 40);
            assert_eq!(changed["expires_at"], json!(null));
            let list = expect_json(server.get(&format!("/{source}/{id}/members?query=alice")), 200);
            assert_eq!(list.as_array().map(Vec::len), Some(1));
            expect_status(server.delete(&format!("/{source}/{id}/members/{}", alice.id)), 204);
            let body = expect_json(server.get(&format!("/{source}/{id}/members/{}", alice.id)), 404);
            assert_eq!(body, json!({"message": "404 Member Not Found"}));
        }
    }

    fn member_parameters_are_validated(server) {
        let group = server.group_as(&server.root_token, "g", None);
        let id = group["id"].as_i64().unwrap();
        let body = expect_json(server.post(&format!("/groups/{id}/members")).json(&json!({"access_level": 30})), 400);
        assert_eq!(body, json!({"error": "user_id is missing"}));
        let body = expect_json(server.post(&format!("/groups/{id}/members")).json(&json!({"user_id": 1, "access_level": 35})), 400);
        assert_eq!(body, json!({"error": "access_level does not have a valid value"}));
        let body = expect_json(server.post(&format!("/groups/{id}/members")).json(&json!({"user_id": 9999, "access_level": 30})), 404);
        assert_eq!(body, json!({"message": "404 User Not Found"}));
        let alice = server.user("alice");
        let body = expect_json(
            server
                .post(&format!("/groups/{id}/members"))
                .json(&json!({"user_id": alice.id, "access_level": 30, "expires_at": "2000-01-01"})),
            400,
        );
        assert!(body["message"]["expires_at"].is_array(), "{body}");
    }

    fn maintainers_manage_project_members_but_not_owners(server) {
        let project = server.project_as(&server.root_token, "p", None);
        let pid = project["id"].as_i64().unwrap();
        let maintainer = server.user("maintainer");
        let guest = server.user("guest");
        let other = server.user("other");
        server.add_member(&format!("projects/{pid}"), maintainer.id, 40);
        server.add_member(&format!("projects/{pid}"), guest.id, 10);
        let path = format!("/projects/{pid}/members");
        expect_json(server.as_token(&maintainer.token, Method::POST, &path).json(&json!({"user_id": other.id, "access_level": 30})), 201);
        expect_json(server.as_token(&maintainer.token, Method::PUT, &format!("{path}/{}", other.id)).json(&json!({"access_level": 50})), 403);
        expect_json(server.as_token(&guest.token, Method::POST, &path).json(&json!({"user_id": other.id, "access_level": 10})), 403);
        // Anyone may leave.
        expect_status(server.as_token(&guest.token, Method::DELETE, &format!("{path}/{}", guest.id)), 204);
    }

    fn a_group_keeps_an_owner(server) {
        let alice = server.user("alice");
        let group = server.group_as(&alice.token, "g", None);
        let gid = group["id"].as_i64().unwrap();
        let path = format!("/groups/{gid}/members/{}", alice.id);
        let body = expect_json(server.as_token(&alice.token, Method::DELETE, &path), 403);
        assert_eq!(body, json!({"message": "403 Forbidden - A group must always have an owner"}));
        expect_json(server.as_token(&alice.token, Method::PUT, &path).json(&json!({"access_level": 40})), 403);
        let bob = server.user("bob");
        server.add_member(&format!("groups/{gid}"), bob.id, 50);
        expect_status(server.as_token(&alice.token, Method::DELETE, &path), 204);
    }

    fn only_group_owners_manage_group_members(server) {
        let group = server.group_as(&server.root_token, "g", None);
        let gid = group["id"].as_i64().unwrap();
        let maintainer = server.user("maintainer");
        let other = server.user("other");
        server.add_member(&format!("groups/{gid}"), maintainer.id, 40);
        expect_json(
            server.as_token(&maintainer.token, Method::POST, &format!("/groups/{gid}/members")).json(&json!({"user_id": other.id, "access_level": 10})),
            403,
        );
        let list = expect_json(server.as_token(&maintainer.token, Method::GET, &format!("/groups/{gid}/members")), 200);
        assert_eq!(list.as_array().map(Vec::len), Some(2));
        expect_json(server.as_token(&other.token, Method::GET, &format!("/groups/{gid}/members")), 404);
    }
}
