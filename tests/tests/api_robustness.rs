//! Bad input never gets a 5xx: every runner endpoint (and the resources around them) fed with
//! malformed bodies, wrong types and oversized values answers a 4xx with a JSON body.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use paddock_tests::reqwest::Method;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, on_both_backends};

/// Bodies that are wrong in every way we could think of.
fn garbage() -> Vec<Value> {
    let long = "x".repeat(5000);
    vec![
        json!({}),
        json!({"token": 123}),
        json!({"token": ["a", "b"]}),
        json!({"token": {"nested": true}}),
        json!({"token": null}),
        json!({"token": "", "system_id": ""}),
        json!({"token": "glrt-nope", "system_id": long}),
        json!({"token": "glrt-nope", "info": "not a hash"}),
        json!({"token": "glrt-nope", "info": {"version": ["17"], "name": {"x": 1}}}),
        json!({"token": "GR1348941nope", "tag_list": {"a": 1}, "maximum_timeout": "soon"}),
        json!({"runner_id": "abc", "runner_type": "bogus", "group_id": "x", "project_id": [1]}),
        json!({"active": "maybe", "paused": 3, "locked": "perhaps", "run_untagged": []}),
        json!({"access_level": "everyone", "maximum_timeout": 1e30, "tag_list": [[1]]}),
        json!({"description": long, "maintenance_note": long, "tag_list": (0..500).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
        json!({"status": "sideways", "type": 7, "scope": ["a"], "version_prefix": "v1", "page": "one"}),
    ]
}

fn endpoints(runner: i64, project: i64, group: i64) -> Vec<(Method, String)> {
    vec![
        (Method::POST, "/runners".into()),
        (Method::DELETE, "/runners".into()),
        (Method::POST, "/runners/verify".into()),
        (Method::POST, "/runners/reset_authentication_token".into()),
        (Method::DELETE, "/runners/managers".into()),
        (Method::GET, "/runners".into()),
        (Method::GET, "/runners/all".into()),
        (Method::GET, format!("/runners/{runner}")),
        (Method::PUT, format!("/runners/{runner}")),
        (Method::GET, format!("/runners/{runner}/jobs")),
        (Method::GET, format!("/runners/{runner}/managers")),
        (Method::GET, "/runners/99999999999999999999".into()),
        (Method::GET, "/runners/-1".into()),
        (Method::GET, format!("/projects/{project}/runners")),
        (Method::POST, format!("/projects/{project}/runners")),
        (Method::DELETE, format!("/projects/{project}/runners/abc")),
        (Method::GET, format!("/groups/{group}/runners")),
        (Method::POST, "/user/runners".into()),
    ]
}

fn assert_no_5xx(
    server: &TestServer,
    method: Method,
    url: &str,
    body: Option<&Value>,
    raw: Option<&str>,
) {
    let mut request = server
        .as_token(&server.root_token, method.clone(), url)
        .header("X-Forwarded-For", "not-an-address, 1.2.3.4");
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(raw) = raw {
        request = request
            .header("Content-Type", "application/json")
            .body(raw.to_owned());
    }
    let response = request.send().expect("answered");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().unwrap_or_default();
    assert!(
        status < 500,
        "{method} {url} {body:?} {raw:?} -> {status}: {text}"
    );
    if status != 204 {
        assert!(
            content_type.starts_with("application/json"),
            "{method} {url} -> {content_type}: {text}"
        );
    }
}

on_both_backends! {
    fn runner_endpoints_never_answer_5xx(server) {
        let group = server.group_as(&server.root_token, "g", None);
        let project = server.project_as(&server.root_token, "p", group["id"].as_i64());
        let registered = paddock_tests::expect_json(
            server.anonymous(Method::POST, "/runners").json(&json!({"token": server.registration_token})),
            201,
        );
        let runner = registered["id"].as_i64().unwrap();
        for (method, url) in endpoints(runner, project["id"].as_i64().unwrap(), group["id"].as_i64().unwrap()) {
            for body in garbage() {
                assert_no_5xx(&server, method.clone(), &url, Some(&body), None);
            }
            for raw in ["{", "[1,2]", "\"text\"", "null", "{\"token\": \"\\u0000\"}"] {
                assert_no_5xx(&server, method.clone(), &url, None, Some(raw));
            }
            let query = format!("{url}?token=%FF%FE&tag_list[]=a&tag_list=b&info[name]=x&page=-1&per_page=abc");
            assert_no_5xx(&server, method.clone(), &query, None, None);
        }
        for (url, raw) in [
            ("/ci/api/v1/runners/register", "{\"token\": 5}"),
            ("/ci/api/v1/runners/delete", "{\"token\": [\"x\"]}"),
        ] {
            let response = server
                .raw(Method::POST, url)
                .header("Content-Type", "application/json")
                .body(raw)
                .send()
                .expect("answered");
            assert!(response.status().as_u16() < 500, "{url}");
        }
    }
}

mod writes {
    use super::*;

    /// Values that pass as strings but that databases refuse or cannot index.
    fn hostile_strings() -> Vec<String> {
        vec![
            "nul\u{0}inside".to_owned(),
            "界".repeat(2000),
            "x".repeat(3000),
            "\u{0}".to_owned(),
        ]
    }

    on_both_backends! {
        fn writes_with_valid_tokens_never_answer_5xx(server) {
            let project = server.project_as(&server.root_token, "p", None);
            let registered = paddock_tests::expect_json(
                server.anonymous(Method::POST, "/runners").json(&json!({"token": server.registration_token})),
                201,
            );
            let runner = registered["id"].as_i64().unwrap();
            let token = registered["token"].as_str().unwrap().to_owned();
            for text in hostile_strings() {
                let registration = json!({"token": server.registration_token});
                let bodies = [
                    json!({"description": text}),
                    json!({"maintenance_note": text}),
                    json!({"tag_list": [text]}),
                    json!({"tag_list": format!("a,{text}")}),
                    json!({"info": {"name": text, "version": text, "platform": text}}),
                ];
                for body in &bodies {
                    let mut with_token = registration.clone();
                    if let (Some(target), Some(extra)) = (with_token.as_object_mut(), body.as_object()) {
                        target.extend(extra.clone());
                    }
                    assert_no_5xx(&server, Method::POST, "/runners", Some(&with_token), None);
                    assert_no_5xx(&server, Method::PUT, &format!("/runners/{runner}"), Some(body), None);
                    let mut created = body.clone();
                    if let Some(map) = created.as_object_mut() {
                        map.insert("runner_type".into(), json!("project_type"));
                        map.insert("project_id".into(), project["id"].clone());
                    }
                    assert_no_5xx(&server, Method::POST, "/user/runners", Some(&created), None);
                }
                let contact = json!({"token": token, "system_id": text, "info": {"version": text, "name": text}});
                assert_no_5xx(&server, Method::POST, "/runners/verify", Some(&contact), None);
                assert_no_5xx(&server, Method::POST, "/projects", Some(&json!({"name": "n", "description": text})), None);
            }
            // A manager with a huge version from one runner must not stop the others' contacts.
            let other = paddock_tests::expect_json(
                server.anonymous(Method::POST, "/runners").json(&json!({"token": server.registration_token})),
                201,
            );
            paddock_tests::expect_json(
                server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": other["token"], "system_id": "s_fine00000001"})),
                200,
            );
            let online = paddock_tests::expect_json(server.get("/runners/all?status=online"), 200);
            assert!(
                online.as_array().unwrap().iter().any(|r| r["id"] == other["id"]),
                "the well-behaved runner is online: {online}"
            );
        }
    }
}
