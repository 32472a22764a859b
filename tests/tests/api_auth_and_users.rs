#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Authentication, scopes, users and personal access tokens, over HTTP.

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::json;
use paddock_tests::{expect_json, on_both_backends};

on_both_backends! {
    fn root_is_the_first_user_and_an_administrator(server) {
        let me = expect_json(server.get("/user"), 200);
        assert_eq!(me["id"], 1);
        assert_eq!(me["username"], "root");
        assert_eq!(me["is_admin"], true);
        assert_eq!(me["state"], "active");
        assert_eq!(me["web_url"], format!("{}/root", server.base));
        assert!(me["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    }

    fn every_token_location_is_accepted(server) {
        let token = &server.root_token;
        let header = expect_json(server.anonymous(Method::GET, "/user").header("PRIVATE-TOKEN", token), 200);
        let bearer = expect_json(server.anonymous(Method::GET, "/user").bearer_auth(token), 200);
        let query = expect_json(server.anonymous(Method::GET, &format!("/user?private_token={token}")), 200);
        assert_eq!(header["id"], 1);
        assert_eq!(bearer["id"], 1);
        assert_eq!(query["id"], 1);
    }

    fn missing_or_wrong_tokens_get_401(server) {
        for path in ["/user", "/version", "/users"] {
            let body = expect_json(server.anonymous(Method::GET, path), 401);
            assert_eq!(body, json!({"message": "401 Unauthorized"}), "{path}");
            let body = expect_json(server.as_token("glpat-nope", Method::GET, path), 401);
            assert_eq!(body, json!({"message": "401 Unauthorized"}), "{path}");
        }
        // A wrong token is refused even where anonymous access is allowed.
        expect_json(server.as_token("glpat-nope", Method::GET, "/projects"), 401);
    }

    fn version_answers_with_the_followed_gitlab_version(server) {
        let version = expect_json(server.get("/version"), 200);
        assert!(version["version"].as_str().is_some_and(|v| v.starts_with("18.")));
        assert!(version["revision"].as_str().is_some());
    }

    fn administrators_create_users(server) {
        let created = expect_json(
            server.post("/users").json(&json!({"username": "alice", "name": "Alice", "email": "alice@example.com"})),
            201,
        );
        assert_eq!(created["username"], "alice");
        assert_eq!(created["email"], "alice@example.com");
        assert_eq!(created["is_admin"], false);
        let id = created["id"].as_i64().unwrap();
        let fetched = expect_json(server.get(&format!("/users/{id}")), 200);
        assert_eq!(fetched["name"], "Alice");
        let listed = expect_json(server.get("/users?username=ALICE"), 200);
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
    }

    fn taken_usernames_and_emails_conflict(server) {
        server.user("bob");
        let body = expect_json(
            server.post("/users").json(&json!({"username": "BOB", "name": "x", "email": "other@example.com"})),
            409,
        );
        assert_eq!(body, json!({"message": "Username has already been taken"}));
        let body = expect_json(
            server.post("/users").json(&json!({"username": "bobby", "name": "x", "email": "bob@example.com"})),
            409,
        );
        assert_eq!(body, json!({"message": "Email has already been taken"}));
    }

    fn user_attributes_are_validated(server) {
        let body = expect_json(server.post("/users").json(&json!({"name": "x", "email": "x@example.com"})), 400);
        assert_eq!(body, json!({"error": "username is missing"}));
        let body = expect_json(
            server.post("/users").json(&json!({"username": "-bad", "name": "x", "email": "nope"})),
            400,
        );
        assert!(body["message"]["username"].is_array(), "{body}");
        assert_eq!(body["message"]["email"], json!(["is invalid"]));
    }

    fn only_administrators_manage_users(server) {
        let alice = server.user("alice");
        let body = expect_json(
            server
                .as_token(&alice.token, Method::POST, "/users")
                .json(&json!({"username": "eve", "name": "Eve", "email": "eve@example.com"})),
            403,
        );
        assert_eq!(body, json!({"message": "403 Forbidden"}));
        expect_json(server.as_token(&alice.token, Method::DELETE, "/users/1"), 403);
        expect_json(
            server
                .as_token(&alice.token, Method::POST, "/users/1/personal_access_tokens")
                .json(&json!({"name": "steal", "scopes": ["api"]})),
            403,
        );
    }

    fn users_see_basic_fields_of_others_and_private_fields_of_themselves(server) {
        let alice = server.user("alice");
        let root = expect_json(server.as_token(&alice.token, Method::GET, "/users/1"), 200);
        assert_eq!(root["username"], "root");
        assert!(root.get("email").is_none(), "{root}");
        let me = expect_json(server.as_token(&alice.token, Method::GET, &format!("/users/{}", alice.id)), 200);
        assert_eq!(me["email"], "alice@example.com");
        let list = expect_json(server.as_token(&alice.token, Method::GET, "/users"), 200);
        assert!(list.as_array().unwrap().iter().all(|u| u.get("email").is_none()), "{list}");
    }

    fn unknown_users_are_404(server) {
        let body = expect_json(server.get("/users/9999"), 404);
        assert_eq!(body, json!({"message": "404 User Not Found"}));
        expect_json(server.get("/users/not-a-number"), 404);
        expect_json(server.delete("/users/9999"), 404);
    }

    fn deleting_a_user_revokes_their_access(server) {
        let alice = server.user("alice");
        expect_json(server.as_token(&alice.token, Method::GET, "/user"), 200);
        let response = server.delete(&format!("/users/{}", alice.id)).send().unwrap();
        assert_eq!(response.status(), 204);
        expect_json(server.get(&format!("/users/{}", alice.id)), 404);
        expect_json(server.as_token(&alice.token, Method::GET, "/user"), 401);
    }

    fn personal_access_tokens_are_shown_once_and_work(server) {
        let alice = server.user("alice");
        let created = expect_json(
            server
                .post(&format!("/users/{}/personal_access_tokens", alice.id))
                .json(&json!({"name": "ci", "scopes": ["read_api", "api"], "expires_at": "2999-12-31"})),
            201,
        );
        let token = created["token"].as_str().unwrap();
        assert!(token.starts_with("glpat-"), "{token}");
        assert_eq!(created["scopes"], json!(["api", "read_api"]));
        assert_eq!(created["expires_at"], "2999-12-31");
        assert_eq!(created["active"], true);
        assert_eq!(created["user_id"], alice.id);
        let me = expect_json(server.as_token(token, Method::GET, "/user"), 200);
        assert_eq!(me["username"], "alice");
        // The secret is never listed back.
        let users = server.get("/users").send().unwrap().text().unwrap();
        assert!(!users.contains(token));
    }

    fn token_requests_are_validated(server) {
        let body = expect_json(
            server.post("/users/1/personal_access_tokens").json(&json!({"name": "x", "scopes": ["sudo"]})),
            400,
        );
        assert_eq!(body, json!({"error": "scopes does not have a valid value"}));
        let body = expect_json(server.post("/users/1/personal_access_tokens").json(&json!({"name": "x"})), 400);
        assert_eq!(body, json!({"error": "scopes is missing"}));
        let body = expect_json(
            server
                .post("/users/1/personal_access_tokens")
                .json(&json!({"name": "x", "scopes": ["api"], "expires_at": "2001-01-01"})),
            400,
        );
        assert!(body["message"]["expires_at"].is_array(), "{body}");
        let body = expect_json(
            server
                .post("/users/1/personal_access_tokens")
                .json(&json!({"name": "x", "scopes": ["api"], "expires_at": "tomorrow"})),
            400,
        );
        assert_eq!(body, json!({"error": "expires_at is invalid"}));
    }

    fn a_read_api_token_reads_but_cannot_write(server) {
        let reader = server.user_with_scopes("reader", &["read_api"]);
        expect_json(server.as_token(&reader.token, Method::GET, "/projects"), 200);
        expect_json(server.as_token(&reader.token, Method::GET, "/user"), 200);
        let body = expect_json(
            server
                .as_token(&reader.token, Method::POST, "/groups")
                .json(&json!({"name": "g", "path": "g"})),
            403,
        );
        assert_eq!(body["error"], "insufficient_scope");
        assert_eq!(body["scope"], "api");
    }

    fn a_read_user_token_reads_users_only(server) {
        let reader = server.user_with_scopes("reader", &["read_user"]);
        expect_json(server.as_token(&reader.token, Method::GET, "/user"), 200);
        expect_json(server.as_token(&reader.token, Method::GET, "/users"), 200);
        expect_json(server.as_token(&reader.token, Method::GET, "/projects"), 403);
    }
}
