#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Request parsing shared by every endpoint (encodings, coercions, trailing slashes) and the
//! JSON error envelopes of unknown routes, bad methods and oversized bodies.

use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::multipart::Form;
use paddock_tests::serde_json::json;
use paddock_tests::{Backend, Options, TestServer, expect_json, header, on_both_backends};

on_both_backends! {
    fn bodies_in_every_encoding(server) {
        let json_body = expect_json(server.post("/groups").json(&json!({"name": "j", "path": "j"})), 201);
        assert_eq!(json_body["path"], "j");
        let form = expect_json(server.post("/groups").form(&[("name", "f"), ("path", "f")]), 201);
        assert_eq!(form["path"], "f");
        let multipart = expect_json(server.post("/groups").multipart(Form::new().text("name", "m").text("path", "m")), 201);
        assert_eq!(multipart["path"], "m");
        let query = expect_json(server.post("/groups?name=q&path=q"), 201);
        assert_eq!(query["path"], "q");
        // The body wins over the query string.
        let both = expect_json(server.post("/groups?name=query&path=query").form(&[("name", "b"), ("path", "b")]), 201);
        assert_eq!(both["path"], "b");
    }

    fn booleans_integers_and_arrays_in_every_spelling(server) {
        let spellings = [("True", true), ("False", false), ("1", true), ("0", false), ("true", true), ("FALSE", false)];
        for (i, (value, expected)) in spellings.into_iter().enumerate() {
            let project = expect_json(
                server.post("/projects").form(&[("name", format!("p{i}").as_str()), ("shared_runners_enabled", value)]),
                201,
            );
            assert_eq!(project["shared_runners_enabled"], expected, "{value}");
        }
        let parent = server.group_as(&server.root_token, "parent", None);
        let child = expect_json(
            server.post("/groups").json(&json!({"name": "c", "path": "c", "parent_id": parent["id"].to_string()})),
            201,
        );
        assert_eq!(child["parent_id"], parent["id"]);
        let alice = server.user("alice");
        let path = format!("/users/{}/personal_access_tokens", alice.id);
        let encodings: Vec<paddock_tests::reqwest::blocking::RequestBuilder> = vec![
            server.post(&path).json(&json!({"name": "a", "scopes": ["api", "read_user"]})),
            server.post(&path).form(&[("name", "b"), ("scopes", "api,read_user")]),
            server.post(&path).form(&[("name", "c"), ("scopes", "api"), ("scopes", "read_user")]),
            server.post(&path).form(&[("name", "d"), ("scopes[]", "api"), ("scopes[]", "read_user")]),
        ];
        for request in encodings {
            let token = expect_json(request, 201);
            assert_eq!(token["scopes"], json!(["api", "read_user"]));
        }
    }

    fn trailing_slashes_are_ignored(server) {
        let created = expect_json(server.post("/groups/").json(&json!({"name": "t", "path": "t"})), 201);
        let fetched = expect_json(server.get(&format!("/groups/{}/", created["id"])), 200);
        assert_eq!(fetched["id"], created["id"]);
        expect_json(server.get("/user/"), 200);
    }

    fn unknown_routes_and_methods_answer_json(server) {
        let body = expect_json(server.get("/no/such/route"), 404);
        assert_eq!(body, json!({"error": "404 Not Found"}));
        let body = expect_json(server.raw(Method::GET, "/nothing-here"), 404);
        assert_eq!(body, json!({"error": "404 Not Found"}));
        let body = expect_json(server.delete("/version"), 405);
        assert_eq!(body, json!({"message": "405 Method Not Allowed"}));
    }

    fn malformed_bodies_are_400_not_500(server) {
        let body = expect_json(
            server.post("/groups").header("Content-Type", "application/json").body("{not json"),
            400,
        );
        assert!(body["message"].as_str().is_some_and(|m| m.starts_with("400 Bad request")), "{body}");
        expect_json(server.post("/groups").header("Content-Type", "application/json").body("[1,2]"), 400);
        expect_json(server.post("/groups").json(&json!({"name": ["a"], "path": "x"})), 400);
        expect_json(server.get("/projects?page=abc"), 400);
    }

    fn health_endpoints_answer(server) {
        let health = server.raw(Method::GET, "/-/health").send().unwrap();
        assert_eq!(health.status(), 200);
        let liveness = expect_json(server.raw(Method::GET, "/-/liveness"), 200);
        assert_eq!(liveness["status"], "ok");
        let readiness = expect_json(server.raw(Method::GET, "/-/readiness"), 200);
        assert_eq!(readiness["status"], "ok");
        assert_eq!(readiness["db_check"][0]["status"], "ok");
    }
}

#[test]
fn bodies_over_the_limit_get_413() {
    let server = TestServer::start_with(
        Backend::Sqlite,
        Options {
            max_request_body: 1024,
        },
    )
    .unwrap();
    let description = "x".repeat(2048);
    let body = expect_json(
        server
            .post("/groups")
            .json(&json!({"name": "g", "path": "g", "description": description})),
        413,
    );
    assert_eq!(body, json!({"message": "413 Request Entity Too Large"}));
    let body = expect_json(
        server.post("/groups").form(&[
            ("name", "g"),
            ("path", "g"),
            ("description", description.as_str()),
        ]),
        413,
    );
    assert_eq!(body, json!({"message": "413 Request Entity Too Large"}));
    // Within the limit all is well.
    expect_json(
        server
            .post("/groups")
            .json(&json!({"name": "g", "path": "g"})),
        201,
    );
    let response = server.get("/user").send().unwrap();
    assert_eq!(header(&response, "content-type"), "application/json");
}
