#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Managing runners with personal access tokens: `GET /runners`, `GET /runners/all`,
//! `GET/PUT/DELETE /runners/:id`, `GET /runners/:id/jobs`, `GET /runners/:id/managers`,
//! `POST /runners/:id/reset_authentication_token`, `GET/POST /projects/:id/runners`,
//! `DELETE /projects/:id/runners/:runner_id`, `GET /groups/:id/runners`, `POST /user/runners`;
//! the filters, the REST status rules, and the token scopes.
//! (Who may do what, actor by actor, is in `api_runner_permissions.rs`.)

use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::RequestBuilder;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{
    RUNNER_DETAILS_KEYS, RUNNER_KEYS, TestServer, assert_keys, expect_json, expect_status, header,
    ids, on_both_backends,
};

fn instance_runner(server: &TestServer, body: Value) -> (i64, String) {
    server.register_runner_id(&server.registration_token, body)
}

fn project_runner(server: &TestServer, project: i64, body: Value) -> (i64, String) {
    server.register_runner_id(&server.project_registration_token(project), body)
}

fn group_runner(server: &TestServer, group: i64, body: Value) -> (i64, String) {
    server.register_runner_id(&server.group_registration_token(group), body)
}

/// SQL cloning a runner `count` times (unique descriptions and token digests), with its tags
/// on every clone of an even id, as the benchmark seeds large fleets.
fn clone_runners(template: i64, count: u64) -> String {
    let columns = "runner_type, group_id, description, maintenance_note, active, locked, \
                   run_untagged, access_level, maximum_timeout, name, token_digest, \
                   token_expires_at, registration_type, contacted_at, creator_id, created_at, \
                   updated_at";
    format!(
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) \
         INSERT INTO runners ({columns}) \
         SELECT r.runner_type, r.group_id, 'clone-' || s.n, r.maintenance_note, r.active, \
                r.locked, r.run_untagged, r.access_level, r.maximum_timeout, r.name, \
                'clone-digest-' || s.n, r.token_expires_at, r.registration_type, \
                r.contacted_at, r.creator_id, r.created_at, r.updated_at \
         FROM runners r, s WHERE r.id = {template}; \
         INSERT INTO runner_tags (runner_id, name, position) \
         SELECT r.id, t.name, t.position FROM runners r, runner_tags t \
         WHERE t.runner_id = {template} AND r.description LIKE 'clone-%' AND r.id % 2 = 0"
    )
}

fn id_of(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("an id in {value}"))
}

fn sorted(mut list: Vec<i64>) -> Vec<i64> {
    list.sort_unstable();
    list
}

/// The sorted ids that `GET /api/v4<path>` lists as root; every item is a `Runner`.
#[track_caller]
fn listed(server: &TestServer, path: &str) -> Vec<i64> {
    listed_as(server, &server.root_token, path)
}

#[track_caller]
fn listed_as(server: &TestServer, token: &str, path: &str) -> Vec<i64> {
    let list = expect_json(server.as_token(token, Method::GET, path), 200);
    for item in list
        .as_array()
        .unwrap_or_else(|| panic!("a list from {path}: {list}"))
    {
        assert_keys(item, RUNNER_KEYS);
    }
    ids(&list)
}

#[track_caller]
fn details(server: &TestServer, id: i64) -> Value {
    expect_json(server.get(&format!("/runners/{id}")), 200)
}

#[track_caller]
fn update(server: &TestServer, id: i64, body: Value) -> Value {
    let updated = expect_json(server.put(&format!("/runners/{id}")).json(&body), 200);
    assert_keys(&updated, RUNNER_DETAILS_KEYS);
    updated
}

/// Adds a JSON body unless it is `null`.
fn with_body(request: RequestBuilder, body: Value) -> RequestBuilder {
    if body.is_null() {
        request
    } else {
        request.json(&body)
    }
}

/// 403 `insufficient_scope`, naming one of `scopes`.
#[track_caller]
fn assert_insufficient_scope(body: &Value, scopes: &[&str]) {
    assert_eq!(body["error"], "insufficient_scope", "{body}");
    assert!(
        body["scope"].as_str().is_some_and(|s| scopes.contains(&s)),
        "scope is one of {scopes:?}: {body}"
    );
}

fn project_entry(project: &Value) -> Value {
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

on_both_backends! {
    fn runner_details_have_exactly_gitlabs_fields(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let project = server.project_as(&server.root_token, "app", group["id"].as_i64());
        let pid = id_of(&project);
        let project = expect_json(server.get(&format!("/projects/{pid}")), 200);
        let (id, _) = project_runner(&server, pid, json!({"description": "d", "tag_list": ["b", "a"]}));
        let shown = details(&server, id);
        assert_keys(&shown, RUNNER_DETAILS_KEYS);
        assert!(shown.get("token").is_none());
        assert_eq!(shown["projects"], json!([project_entry(&project)]));
        assert_keys(&shown["projects"][0], &["id", "description", "name", "name_with_namespace", "path", "path_with_namespace", "created_at"]);
        assert_eq!(shown["groups"], json!([]));
        let without = expect_json(server.get(&format!("/runners/{id}?include_projects=false")), 200);
        let keys: Vec<&str> = RUNNER_DETAILS_KEYS.iter().copied().filter(|k| *k != "projects").collect();
        assert_keys(&without, &keys);
        let with = expect_json(server.get(&format!("/runners/{id}?include_projects=true")), 200);
        assert_eq!(with, shown);
        let (gr, _) = group_runner(&server, id_of(&group), json!(null));
        let shown = details(&server, gr);
        assert_eq!(shown["groups"], json!([{"id": group["id"], "web_url": group["web_url"], "name": group["name"]}]));
        assert_keys(&shown["groups"][0], &["id", "web_url", "name"]);
        assert_eq!(shown["projects"], json!([]));
    }

    fn unknown_runners_are_404_on_every_endpoint(server) {
        let project = server.project_as(&server.root_token, "app", None);
        let pid = id_of(&project);
        let alice = server.user("alice");
        let not_found = json!({"message": "404 Runner Not Found"});
        for token in [server.root_token.as_str(), alice.token.as_str()] {
            for (method, path) in [
                (Method::GET, "/runners/424242"),
                (Method::PUT, "/runners/424242"),
                (Method::DELETE, "/runners/424242"),
                (Method::GET, "/runners/424242/jobs"),
                (Method::GET, "/runners/424242/managers"),
                (Method::POST, "/runners/424242/reset_authentication_token"),
            ] {
                let body = expect_json(server.as_token(token, method.clone(), path).json(&json!({"description": "x"})), 404);
                assert_eq!(body, not_found, "{method} {path}");
            }
        }
        let body = expect_json(server.post(&format!("/projects/{pid}/runners")).json(&json!({"runner_id": 424242})), 404);
        assert_eq!(body, not_found);
        let body = expect_json(server.delete(&format!("/projects/{pid}/runners/424242")), 404);
        assert_eq!(body, not_found);
    }

    fn management_needs_a_signed_in_user(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let project = server.project_as(&server.root_token, "app", Some(gid));
        let pid = id_of(&project);
        let (id, _) = instance_runner(&server, json!(null));
        let unauthorized = json!({"message": "401 Unauthorized"});
        let routes = [
            (Method::GET, "/runners".to_owned()),
            (Method::GET, "/runners/all".to_owned()),
            (Method::GET, format!("/runners/{id}")),
            (Method::PUT, format!("/runners/{id}")),
            (Method::DELETE, format!("/runners/{id}")),
            (Method::GET, format!("/runners/{id}/jobs")),
            (Method::GET, format!("/runners/{id}/managers")),
            (Method::POST, format!("/runners/{id}/reset_authentication_token")),
            (Method::GET, format!("/projects/{pid}/runners")),
            (Method::POST, format!("/projects/{pid}/runners")),
            (Method::DELETE, format!("/projects/{pid}/runners/{id}")),
            (Method::GET, format!("/groups/{gid}/runners")),
            (Method::POST, "/user/runners".to_owned()),
        ];
        for (method, path) in &routes {
            let body = expect_json(server.anonymous(method.clone(), path).json(&json!({"description": "x", "runner_id": id, "runner_type": "instance_type"})), 401);
            assert_eq!(body, unauthorized, "anonymous {method} {path}");
            let body = expect_json(server.as_token("glpat-wrong", method.clone(), path), 401);
            assert_eq!(body, unauthorized, "a wrong token on {method} {path}");
        }
        // A runner's authentication token is not a personal access token.
        let (_, runner_token) = instance_runner(&server, json!(null));
        let body = expect_json(server.as_token(&runner_token, Method::GET, &format!("/runners/{id}")), 401);
        assert_eq!(body, unauthorized);
        let description = details(&server, id)["description"].clone();
        assert!(description.is_null() || description == "", "nothing changed: {description}");
    }

    fn status_follows_contact_and_pausing(server) {
        let (id, token) = instance_runner(&server, json!(null));
        let shown = details(&server, id);
        assert_eq!((shown["status"].clone(), shown["online"].clone()), (json!("not_connected"), json!(null)));
        server.verify_runner(&token, json!(null));
        let shown = details(&server, id);
        assert_eq!((shown["status"].clone(), shown["online"].clone()), (json!("online"), json!(true)));
        let paused = update(&server, id, json!({"paused": true}));
        assert_eq!(paused["status"], "paused");
        assert_eq!(paused["online"], true, "online does not depend on pausing");
        assert_eq!((paused["active"].clone(), paused["paused"].clone()), (json!(false), json!(true)));
        let listed = expect_json(server.get("/runners/all"), 200);
        assert_eq!(listed[0]["status"], "paused");
        assert_eq!(listed[0]["online"], true);
        let resumed = update(&server, id, json!({"paused": false}));
        assert_eq!((resumed["status"].clone(), resumed["online"].clone()), (json!("online"), json!(true)));
        // A paused runner that never contacted is not_connected.
        let (never, _) = instance_runner(&server, json!({"paused": true}));
        let shown = details(&server, never);
        assert_eq!((shown["status"].clone(), shown["online"].clone()), (json!("not_connected"), json!(null)));
    }

    fn status_filters_select_by_contact_time_and_by_the_paused_flag(server) {
        let (fresh, _) = instance_runner(&server, json!({"description": "fresh"}));
        let (contacted, token) = instance_runner(&server, json!({"description": "contacted"}));
        server.verify_runner(&token, json!(null));
        let (paused_contacted, token) = instance_runner(&server, json!({"description": "paused contacted"}));
        server.verify_runner(&token, json!(null));
        update(&server, paused_contacted, json!({"paused": true}));
        let (paused_fresh, _) = instance_runner(&server, json!({"paused": true}));
        let everything = sorted(vec![fresh, contacted, paused_contacted, paused_fresh]);
        assert_eq!(listed(&server, "/runners/all"), everything);
        for (query, want) in [
            ("status=online", vec![contacted, paused_contacted]),
            ("status=offline", vec![]),
            ("status=active", vec![fresh, contacted]),
            ("status=paused", vec![paused_contacted, paused_fresh]),
            ("status=not_connected", vec![fresh, paused_fresh]),
            ("status=never_contacted", vec![fresh, paused_fresh]),
            ("status=stale", vec![]),
            ("scope=online", vec![contacted, paused_contacted]),
            ("scope=offline", vec![]),
            ("scope=active", vec![fresh, contacted]),
            ("scope=paused", vec![paused_contacted, paused_fresh]),
            ("scope=never_contacted", vec![fresh, paused_fresh]),
            ("scope=not_connected", vec![fresh, paused_fresh]),
            ("scope=stale", vec![]),
            ("paused=true", vec![paused_contacted, paused_fresh]),
            ("paused=false", vec![fresh, contacted]),
            ("paused=False", vec![fresh, contacted]),
            ("status=online&paused=false", vec![contacted]),
        ] {
            assert_eq!(listed(&server, &format!("/runners/all?{query}")), sorted(want), "{query}");
        }
        let shown: Vec<(i64, Value)> = expect_json(server.get("/runners/all"), 200)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (id_of(r), r["status"].clone()))
            .collect();
        let mut want = vec![
            (fresh, json!("not_connected")),
            (contacted, json!("online")),
            (paused_contacted, json!("paused")),
            (paused_fresh, json!("not_connected")),
        ];
        want.sort_by_key(|(id, _)| *id);
        assert_eq!(shown, want, "the displayed status, in id order");
        for (query, error) in [
            ("status=bogus", "status does not have a valid value"),
            ("type=bogus", "type does not have a valid value"),
            ("scope=bogus", "scope does not have a valid value"),
            ("paused=maybe", "paused is invalid"),
        ] {
            let body = expect_json(server.get(&format!("/runners/all?{query}")), 400);
            assert_eq!(body, json!({"error": error}), "{query}");
        }
    }

    fn type_and_scope_filters_select_by_kind(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let project = server.project_as(&server.root_token, "app", Some(gid));
        let (instance, _) = instance_runner(&server, json!(null));
        let (grouped, _) = group_runner(&server, gid, json!(null));
        let (projected, _) = project_runner(&server, id_of(&project), json!(null));
        for (query, want) in [
            ("", vec![instance, grouped, projected]),
            ("type=instance_type", vec![instance]),
            ("type=group_type", vec![grouped]),
            ("type=project_type", vec![projected]),
            ("scope=shared", vec![instance]),
            ("scope=specific", vec![grouped, projected]),
            ("scope=instance_type", vec![instance]),
            ("scope=group_type", vec![grouped]),
            ("scope=project_type", vec![projected]),
            ("scope=specific&type=project_type", vec![projected]),
        ] {
            assert_eq!(listed(&server, &format!("/runners/all?{query}")), sorted(want), "/runners/all?{query}");
        }
        let all = expect_json(server.get("/runners/all"), 200);
        let kinds: Vec<(Value, Value)> = all.as_array().unwrap().iter().map(|r| (r["runner_type"].clone(), r["is_shared"].clone())).collect();
        assert_eq!(kinds, [
            (json!("instance_type"), json!(true)),
            (json!("group_type"), json!(false)),
            (json!("project_type"), json!(false)),
        ]);
    }

    fn tag_list_filters_need_every_tag(server) {
        let (both, _) = instance_runner(&server, json!({"tag_list": ["tag1", "tag2"]}));
        let (second, _) = instance_runner(&server, json!({"tag_list": ["tag2"]}));
        let (untagged, _) = instance_runner(&server, json!(null));
        for (query, want) in [
            ("tag_list=tag1,tag2", vec![both]),
            ("tag_list=tag2", vec![both, second]),
            ("tag_list=tag2,tag1", vec![both]),
            ("tag_list[]=tag1&tag_list[]=tag2", vec![both]),
            ("tag_list=tag1&tag_list=tag2", vec![both]),
            ("tag_list=tag3", vec![]),
        ] {
            assert_eq!(listed(&server, &format!("/runners/all?{query}")), sorted(want), "{query}");
        }
        assert_eq!(listed(&server, "/runners/all"), sorted(vec![both, second, untagged]));
    }

    fn version_prefix_filters_by_the_managers_versions(server) {
        let mut runners = Vec::new();
        for version in ["15.0.3", "16.0.1", "15.10.0"] {
            let (id, token) = instance_runner(&server, json!(null));
            server.verify_runner(&token, json!({"system_id": "s_versioned001", "info": {"version": version}}));
            runners.push(id);
        }
        let (unversioned, _) = instance_runner(&server, json!(null));
        let [v15_0_3, v16_0_1, v15_10_0] = runners[..] else { panic!("three runners") };
        for (prefix, want) in [
            ("15.0", vec![v15_0_3]),
            ("15.0.", vec![v15_0_3]),
            ("15.0.3", vec![v15_0_3]),
            ("16", vec![v16_0_1]),
            ("15", vec![v15_0_3, v15_10_0]),
            ("15.10", vec![v15_10_0]),
            ("25", vec![]),
        ] {
            assert_eq!(listed(&server, &format!("/runners/all?version_prefix={prefix}")), sorted(want), "version_prefix={prefix}");
        }
        assert_eq!(listed(&server, "/runners/all").len(), 4, "{unversioned} is listed without the filter");
        for prefix in ["V15", "abc", "x15.0"] {
            let body = expect_json(server.get(&format!("/runners/all?version_prefix={prefix}")), 400);
            assert_eq!(body, json!({"error": "version_prefix is invalid"}), "{prefix}");
        }
    }

    fn get_runners_lists_the_callers_project_and_group_runners(server) {
        let alice = server.user("alice");
        let bob = server.user("bob");
        // Alice owns group a (and so its subgroup and project).
        let a = server.group_as(&alice.token, "a", None);
        let a_sub = server.group_as(&alice.token, "a-sub", a["id"].as_i64());
        let pa = server.project_as(&alice.token, "pa", a["id"].as_i64());
        // She maintains project pb directly, and every project of group d through the group.
        let b = server.group_as(&server.root_token, "b", None);
        let pb = server.project_as(&server.root_token, "pb", b["id"].as_i64());
        server.add_member(&format!("projects/{}", pb["id"]), alice.id, 40);
        let d = server.group_as(&server.root_token, "d", None);
        server.add_member(&format!("groups/{}", d["id"]), alice.id, 40);
        let pd = server.project_as(&server.root_token, "pd", d["id"].as_i64());
        // She is only a developer of pc.
        let c = server.group_as(&server.root_token, "c", None);
        let pc = server.project_as(&server.root_token, "pc", c["id"].as_i64());
        server.add_member(&format!("projects/{}", pc["id"]), alice.id, 30);

        let (instance, _) = instance_runner(&server, json!(null));
        let (ra, _) = group_runner(&server, id_of(&a), json!(null));
        let (ra_sub, _) = group_runner(&server, id_of(&a_sub), json!(null));
        let (rpa, rpa_token) = project_runner(&server, id_of(&pa), json!(null));
        let (rpb, _) = project_runner(&server, id_of(&pb), json!({"tag_list": ["x"]}));
        let (_rd, _) = group_runner(&server, id_of(&d), json!(null));
        let (rpd, _) = project_runner(&server, id_of(&pd), json!(null));
        let (_rpc, _) = project_runner(&server, id_of(&pc), json!(null));
        let (_rc, _) = group_runner(&server, id_of(&c), json!(null));

        let mine = sorted(vec![ra, ra_sub, rpa, rpb, rpd]);
        assert_eq!(listed_as(&server, &alice.token, "/runners"), mine, "never the instance runner {instance}");
        assert_eq!(listed_as(&server, &bob.token, "/runners"), Vec::<i64>::new());
        let response = server.as_token(&alice.token, Method::GET, "/runners?per_page=2").send().unwrap();
        assert_eq!(header(&response, "x-total"), "5");
        assert_eq!(header(&response, "x-total-pages"), "3");
        assert_eq!(header(&response, "x-per-page"), "2");
        assert_eq!(header(&response, "x-next-page"), "2");
        assert!(header(&response, "link").contains("rel=\"next\""));
        let page: Value = response.json().unwrap();
        assert_eq!(ids(&page), mine[..2].to_vec(), "ordered by id");

        update(&server, rpb, json!({"paused": true}));
        server.verify_runner(&rpa_token, json!(null));
        for (query, want) in [
            ("type=group_type", vec![ra, ra_sub]),
            ("type=project_type", vec![rpa, rpb, rpd]),
            ("type=instance_type", vec![]),
            ("scope=paused", vec![rpb]),
            ("scope=active", vec![ra, ra_sub, rpa, rpd]),
            ("status=paused", vec![rpb]),
            ("paused=true", vec![rpb]),
            ("scope=online", vec![rpa]),
            ("scope=offline", vec![]),
            ("scope=never_contacted", vec![ra, ra_sub, rpb, rpd]),
            ("scope=not_connected", vec![ra, ra_sub, rpb, rpd]),
            ("scope=stale", vec![]),
            ("tag_list=x", vec![rpb]),
        ] {
            assert_eq!(listed_as(&server, &alice.token, &format!("/runners?{query}")), sorted(want), "/runners?{query}");
        }
        for scope in ["shared", "specific", "instance_type", "group_type", "project_type"] {
            let body = expect_json(server.as_token(&alice.token, Method::GET, &format!("/runners?scope={scope}")), 400);
            assert_eq!(body, json!({"message": "Scope contains invalid value"}), "scope={scope}");
        }
        let body = expect_json(server.as_token(&alice.token, Method::GET, "/runners?scope=bogus"), 400);
        assert_eq!(body, json!({"error": "scope does not have a valid value"}));
        let body = expect_json(server.as_token(&alice.token, Method::GET, "/runners?type=bogus"), 400);
        assert_eq!(body, json!({"error": "type does not have a valid value"}));
        let body = expect_json(server.as_token(&alice.token, Method::GET, "/runners?status=bogus"), 400);
        assert_eq!(body, json!({"error": "status does not have a valid value"}));
        let body = expect_json(server.as_token(&alice.token, Method::GET, "/runners?version_prefix=V15"), 400);
        assert_eq!(body, json!({"error": "version_prefix is invalid"}));
    }

    fn get_runners_all_is_for_administrators_and_paginated(server) {
        let alice = server.user("alice");
        let group = server.group_as(&alice.token, "mine", None);
        let (grouped, _) = group_runner(&server, id_of(&group), json!(null));
        let mut all = vec![grouped];
        for _ in 0..4 {
            all.push(instance_runner(&server, json!(null)).0);
        }
        assert_eq!(listed(&server, "/runners/all"), sorted(all.clone()));
        let body = expect_json(server.as_token(&alice.token, Method::GET, "/runners/all"), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}), "even a group owner");
        let response = server.get("/runners/all?per_page=2&page=3").send().unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-total"), "5");
        assert_eq!(header(&response, "x-total-pages"), "3");
        assert_eq!(header(&response, "x-page"), "3");
        assert_eq!(header(&response, "x-next-page"), "");
        assert_eq!(header(&response, "x-prev-page"), "2");
        let link = header(&response, "link");
        assert!(link.contains(&format!("<{}/api/v4/runners/all?page=2&per_page=2>; rel=\"prev\"", server.base)), "{link}");
        let page: Value = response.json().unwrap();
        assert_eq!(ids(&page), sorted(all)[4..].to_vec());
    }

    fn lists_of_more_than_ten_thousand_runners_have_no_totals(server) {
        // GitLab counts at most 10,000 items: past that it sends no `X-Total`, no
        // `X-Total-Pages` and no `last` link, and pages on without a count.
        let (template, _) = instance_runner(&server, json!({"tag_list": ["docker", "linux"]}));
        server.execute_sql(&clone_runners(template, 10_000));
        let absent = |response: &paddock_tests::reqwest::blocking::Response, name: &str| {
            assert!(response.headers().get(name).is_none(), "{name}: {:?}", response.headers().get(name));
        };
        let all = format!("{}/api/v4/runners/all", server.base);

        let first = server.get("/runners/all?per_page=20").send().unwrap();
        assert_eq!(first.status(), 200);
        absent(&first, "x-total");
        absent(&first, "x-total-pages");
        assert_eq!(header(&first, "x-page"), "1");
        assert_eq!(header(&first, "x-per-page"), "20");
        assert_eq!(header(&first, "x-next-page"), "2");
        assert_eq!(header(&first, "x-prev-page"), "");
        assert_eq!(
            header(&first, "link"),
            format!("<{all}?page=2&per_page=20>; rel=\"next\", <{all}?page=1&per_page=20>; rel=\"first\"")
        );
        let page: Value = first.json().unwrap();
        assert_eq!(ids(&page), (template..template + 20).collect::<Vec<_>>());

        // 10,001 runners, 100 a page: page 101 holds the last one.
        let last = server.get("/runners/all?per_page=100&page=101").send().unwrap();
        absent(&last, "x-total");
        absent(&last, "x-total-pages");
        assert_eq!(header(&last, "x-next-page"), "");
        assert_eq!(header(&last, "x-prev-page"), "100");
        assert_eq!(
            header(&last, "link"),
            format!("<{all}?page=100&per_page=100>; rel=\"prev\", <{all}?page=1&per_page=100>; rel=\"first\"")
        );
        let page: Value = last.json().unwrap();
        assert_eq!(ids(&page), vec![template + 10_000]);
        // Past the end the page is empty, with neither a next nor a previous page.
        let beyond = server.get("/runners/all?per_page=100&page=102").send().unwrap();
        absent(&beyond, "x-total");
        assert_eq!(header(&beyond, "x-next-page"), "");
        assert_eq!(header(&beyond, "x-prev-page"), "");
        assert_eq!(beyond.json::<Value>().unwrap(), json!([]));
        let filtered = server.get("/runners/all?type=instance_type&paused=false&status=never_contacted").send().unwrap();
        absent(&filtered, "x-total");
        assert_eq!(header(&filtered, "x-next-page"), "2");

        // Fewer matches are counted: the template and every other clone carry the tags,
        // counted from the tags alone or with other filters.
        for query in ["tag_list=docker", "tag_list=linux,docker&type=instance_type&paused=false"] {
            let response = server.get(&format!("/runners/all?{query}&page=2")).send().unwrap();
            assert_eq!(response.status(), 200, "{query}");
            assert_eq!(header(&response, "x-total"), "5001", "{query}");
            assert_eq!(header(&response, "x-total-pages"), "251", "{query}");
            assert!(header(&response, "link").contains("rel=\"last\""), "{query}");
            let page: Value = response.json().unwrap();
            assert_eq!(page.as_array().map(Vec::len), Some(20), "{query}");
        }

        // Exactly 10,000 are still counted.
        expect_status(server.delete(&format!("/runners/{}", template + 1)), 204);
        let response = server.get("/runners/all").send().unwrap();
        assert_eq!(header(&response, "x-total"), "10000");
        assert_eq!(header(&response, "x-total-pages"), "500");
        assert!(header(&response, "link").contains(&format!("<{all}?page=500&per_page=20>; rel=\"last\"")));
    }

    fn put_updates_each_attribute_and_answers_with_the_details(server) {
        let (id, _) = instance_runner(&server, json!({"tag_list": ["keep"]}));
        let checks: Vec<(Value, &str, Value)> = vec![
            (json!({"description": "renamed"}), "description", json!("renamed")),
            (json!({"paused": true}), "active", json!(false)),
            (json!({"paused": false}), "paused", json!(false)),
            (json!({"active": false}), "paused", json!(true)),
            (json!({"active": true}), "active", json!(true)),
            (json!({"tag_list": ["ruby", "mysql"]}), "tag_list", json!(["mysql", "ruby"])),
            (json!({"tag_list": "a, b"}), "tag_list", json!(["a", "b"])),
            (json!({"run_untagged": false}), "run_untagged", json!(false)),
            (json!({"run_untagged": true}), "run_untagged", json!(true)),
            (json!({"locked": true}), "locked", json!(true)),
            (json!({"access_level": "ref_protected"}), "access_level", json!("ref_protected")),
            (json!({"access_level": "not_protected"}), "access_level", json!("not_protected")),
            (json!({"maximum_timeout": 3600}), "maximum_timeout", json!(3600)),
            (json!({"maintenance_note": "swap the disk"}), "maintenance_note", json!("swap the disk")),
        ];
        for (body, field, want) in checks {
            let updated = update(&server, id, body.clone());
            let got = if field == "tag_list" {
                let mut tags: Vec<String> = updated[field].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
                tags.sort();
                json!(tags)
            } else {
                updated[field].clone()
            };
            assert_eq!(got, want, "PUT {body} answers {updated}");
            assert_eq!(details(&server, id)[field], updated[field], "PUT {body} is stored");
        }
        // A form body, as curl --form sends it.
        let updated = expect_json(server.put(&format!("/runners/{id}")).form(&[("description", "by form"), ("tag_list", "x,y"), ("locked", "false")]), 200);
        assert_eq!(updated["description"], "by form");
        assert_eq!(updated["tag_list"], json!(["x", "y"]));
        assert_eq!(updated["locked"], false);
        let shown = details(&server, id);
        assert_eq!(shown["maximum_timeout"], 3600, "untouched attributes stay");
        assert_eq!(shown["maintenance_note"], "swap the disk");
    }

    fn put_validates_its_parameters(server) {
        let (id, _) = instance_runner(&server, json!({"description": "before"}));
        let before = details(&server, id);
        let path = format!("/runners/{id}");
        let body = expect_json(server.put(&path), 400);
        let none = json!({"error": "description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided"});
        assert_eq!(body, none);
        assert_eq!(expect_json(server.put(&path).json(&json!({"unknown": 1})), 400), none, "unknown parameters do not count");
        let body = expect_json(server.put(&path).json(&json!({"active": true, "paused": true})), 400);
        assert_eq!(body, json!({"error": "active, paused are mutually exclusive"}));
        let body = expect_json(server.put(&path).json(&json!({"maximum_timeout": 599})), 400);
        assert_eq!(body, json!({"message": {"maximum_timeout": ["needs to be at least 10 minutes"]}}));
        let tags: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        let body = expect_json(server.put(&path).json(&json!({"tag_list": tags})), 400);
        assert_eq!(body, json!({"message": {"tags_list": ["Too many tags specified. Please limit the number of tags to 50"]}}));
        let body = expect_json(server.put(&path).json(&json!({"run_untagged": false})), 400);
        assert_eq!(body, json!({"message": {"tags_list": ["can not be empty when runner is not allowed to pick untagged jobs"]}}));
        let body = expect_json(server.put(&path).json(&json!({"description": "d".repeat(1025)})), 400);
        assert_eq!(body, json!({"message": {"description": ["is too long (maximum is 1024 characters)"]}}));
        let body = expect_json(server.put(&path).json(&json!({"access_level": "everything"})), 400);
        assert_eq!(body, json!({"error": "access_level does not have a valid value"}));
        assert_eq!(details(&server, id), before, "nothing changed");
    }

    fn delete_by_id_removes_the_runner(server) {
        let (id, token) = instance_runner(&server, json!(null));
        let (kept, _) = instance_runner(&server, json!(null));
        server.verify_runner(&token, json!({"system_id": "s_doomed000001"}));
        let response = expect_status(server.delete(&format!("/runners/{id}")), 204);
        assert_eq!(response.text().unwrap(), "");
        let body = expect_json(server.get(&format!("/runners/{id}")), 404);
        assert_eq!(body, json!({"message": "404 Runner Not Found"}));
        let body = expect_json(server.delete(&format!("/runners/{id}")), 404);
        assert_eq!(body, json!({"message": "404 Runner Not Found"}));
        assert_eq!(listed(&server, "/runners/all"), [kept]);
        let body = expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": token})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}));
    }

    fn runner_jobs_are_an_empty_paginated_list_with_validated_filters(server) {
        let (id, _) = instance_runner(&server, json!(null));
        let response = server.get(&format!("/runners/{id}/jobs")).send().unwrap();
        assert_eq!(response.status(), 200);
        assert!(header(&response, "content-type").starts_with("application/json"));
        assert_eq!(header(&response, "x-total"), "0");
        assert_eq!(header(&response, "x-total-pages"), "1");
        assert_eq!(header(&response, "x-page"), "1");
        assert_eq!(header(&response, "x-per-page"), "20");
        assert_eq!(header(&response, "x-next-page"), "");
        assert_eq!(header(&response, "x-prev-page"), "");
        assert!(header(&response, "link").contains("rel=\"first\""), "{}", header(&response, "link"));
        assert_eq!(response.json::<Value>().unwrap(), json!([]));
        for query in ["status=running", "status=success", "status=failed", "status=canceled", "status=pending", "order_by=id", "order_by=id&sort=asc", "sort=desc", "system_id=s_nobody0000001", "per_page=5&page=2"] {
            assert_eq!(expect_json(server.get(&format!("/runners/{id}/jobs?{query}")), 200), json!([]), "{query}");
        }
        for (query, error) in [
            ("status=bogus", "status does not have a valid value"),
            ("order_by=name", "order_by does not have a valid value"),
            ("sort=up", "sort does not have a valid value"),
        ] {
            let body = expect_json(server.get(&format!("/runners/{id}/jobs?{query}")), 400);
            assert_eq!(body, json!({"error": error}), "{query}");
        }
    }

    fn runner_managers_are_listed_by_id(server) {
        let (id, token) = instance_runner(&server, json!(null));
        assert_eq!(expect_json(server.get(&format!("/runners/{id}/managers")), 200), json!([]));
        server.verify_runner(&token, json!({"system_id": "s_0123456789ab", "info": {"version": "17.0.0", "architecture": "amd64"}}));
        let list = expect_json(server.get(&format!("/runners/{id}/managers")), 200);
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
        assert!(list[0]["id"].is_i64());
        assert_eq!(list[0]["system_id"], "s_0123456789ab");
        assert_eq!(list[0]["version"], "17.0.0");
        assert_eq!(list[0]["architecture"], "amd64");
        assert!(list[0].get("token").is_none());
    }

    fn resetting_a_runners_token_by_id_invalidates_the_old_one(server) {
        let (id, old) = instance_runner(&server, json!(null));
        let reset = expect_json(server.post(&format!("/runners/{id}/reset_authentication_token")), 201);
        assert_keys(&reset, &["token", "token_expires_at"]);
        assert_eq!(reset["token_expires_at"], json!(null));
        let new = reset["token"].as_str().unwrap();
        assert!(new.starts_with("glrt-"), "{new}");
        assert_ne!(new, old);
        let body = expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": old})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}));
        assert_eq!(server.verify_runner(new, json!(null))["id"], id);
        assert_eq!(details(&server, id)["id"], id);
    }

    fn project_runners_include_its_own_its_groups_and_the_instance_runners(server) {
        let top = server.group_as(&server.root_token, "top", None);
        let sub = server.group_as(&server.root_token, "sub", top["id"].as_i64());
        let sibling = server.group_as(&server.root_token, "sibling", top["id"].as_i64());
        let project = server.project_as(&server.root_token, "app", sub["id"].as_i64());
        let pid = id_of(&project);
        let other = server.project_as(&server.root_token, "other", sub["id"].as_i64());
        let (instance, _) = instance_runner(&server, json!(null));
        let (r_top, _) = group_runner(&server, id_of(&top), json!(null));
        let (r_sub, _) = group_runner(&server, id_of(&sub), json!({"tag_list": ["x"]}));
        let (_r_sibling, _) = group_runner(&server, id_of(&sibling), json!(null));
        let (mine, _) = project_runner(&server, pid, json!({"tag_list": ["x", "y"]}));
        let (_theirs, _) = project_runner(&server, id_of(&other), json!(null));
        let path = format!("/projects/{pid}/runners");
        let everything = sorted(vec![instance, r_top, r_sub, mine]);
        assert_eq!(listed(&server, &path), everything);
        assert_eq!(listed(&server, "/projects/top%2Fsub%2Fapp/runners"), everything, "by URL-encoded path");
        let response = server.get(&path).send().unwrap();
        assert_eq!(header(&response, "x-total"), "4");
        for (query, want) in [
            ("type=instance_type", vec![instance]),
            ("type=group_type", vec![r_top, r_sub]),
            ("type=project_type", vec![mine]),
            ("scope=specific", vec![r_top, r_sub, mine]),
            ("scope=shared", vec![instance]),
            ("tag_list=x", vec![r_sub, mine]),
            ("tag_list=x,y", vec![mine]),
            ("status=not_connected", vec![instance, r_top, r_sub, mine]),
            ("status=online", vec![]),
        ] {
            assert_eq!(listed(&server, &format!("{path}?{query}")), sorted(want), "{path}?{query}");
        }
        update(&server, r_top, json!({"paused": true}));
        assert_eq!(listed(&server, &format!("{path}?paused=true")), [r_top]);
        assert_eq!(listed(&server, &format!("{path}?status=paused")), [r_top]);
        for (query, error) in [("type=bogus", "type does not have a valid value"), ("status=bogus", "status does not have a valid value"), ("scope=bogus", "scope does not have a valid value")] {
            assert_eq!(expect_json(server.get(&format!("{path}?{query}")), 400), json!({"error": error}), "{query}");
        }
        // Instance runners are listed even with shared runners disabled (seed decision).
        expect_json(server.put(&format!("/projects/{pid}")).json(&json!({"shared_runners_enabled": false})), 200);
        assert_eq!(listed(&server, &path), everything, "shared_runners_enabled=false still lists instance runners");
        expect_json(server.put(&format!("/projects/{pid}")).json(&json!({"group_runners_enabled": false})), 200);
        assert_eq!(listed(&server, &path), sorted(vec![instance, mine]), "group runners follow group_runners_enabled");
        // A maintainer sees the same list.
        let alice = server.user("alice");
        server.add_member(&format!("projects/{pid}"), alice.id, 40);
        assert_eq!(listed_as(&server, &alice.token, &path), sorted(vec![instance, mine]));
    }

    fn assigning_a_runner_to_another_project(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let alice = server.user("alice");
        server.add_member(&format!("groups/{gid}"), alice.id, 40);
        let one = id_of(&server.project_as(&server.root_token, "one", Some(gid)));
        let two = id_of(&server.project_as(&server.root_token, "two", Some(gid)));
        let three = id_of(&server.project_as(&server.root_token, "three", Some(gid)));
        let (runner, _) = project_runner(&server, two, json!({"description": "shared by two"}));
        let assigned = expect_json(server.as_token(&alice.token, Method::POST, &format!("/projects/{one}/runners")).json(&json!({"runner_id": runner})), 201);
        assert_keys(&assigned, RUNNER_KEYS);
        assert_eq!(assigned["id"], runner);
        assert_eq!(assigned["description"], "shared by two");
        assert_eq!(assigned["runner_type"], "project_type");
        assert!(listed(&server, &format!("/projects/{one}/runners")).contains(&runner));
        assert_eq!(ids(&details(&server, runner)["projects"]), sorted(vec![one, two]));
        // runner_id as a string (the gitlab CLI) and in a form body (curl --form).
        let assigned = expect_json(server.as_token(&alice.token, Method::POST, &format!("/projects/{three}/runners")).json(&json!({"runner_id": runner.to_string()})), 201);
        assert_eq!(assigned["id"], runner);
        let (second, _) = project_runner(&server, two, json!(null));
        let assigned = expect_json(server.as_token(&alice.token, Method::POST, &format!("/projects/{one}/runners")).form(&[("runner_id", second.to_string())]), 201);
        assert_eq!(assigned["id"], second);
        assert_eq!(ids(&details(&server, runner)["projects"]), sorted(vec![one, two, three]));
    }

    fn assignment_is_refused_with_gitlabs_reasons(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let alice = server.user("alice");
        server.add_member(&format!("groups/{gid}"), alice.id, 40);
        let target = id_of(&server.project_as(&server.root_token, "target", Some(gid)));
        let source = id_of(&server.project_as(&server.root_token, "source", Some(gid)));
        let elsewhere = id_of(&server.project_as(&server.root_token, "elsewhere", None));
        let path = format!("/projects/{target}/runners");
        let as_alice = |body: Value, status: u16| expect_json(server.as_token(&alice.token, Method::POST, &path).json(&body), status);
        let as_root = |body: Value, status: u16| expect_json(server.post(&path).json(&body), status);

        assert_eq!(as_alice(json!({}), 400), json!({"error": "runner_id is missing"}));
        assert_eq!(as_alice(json!({"runner_id": 424242}), 404), json!({"message": "404 Runner Not Found"}));
        let (grouped, _) = group_runner(&server, gid, json!(null));
        let group_runner_refused = json!({"message": "403 Forbidden - Runner is a group runner"});
        assert_eq!(as_alice(json!({"runner_id": grouped}), 403), group_runner_refused);
        assert_eq!(as_root(json!({"runner_id": grouped}), 403), group_runner_refused, "admins too");
        let (locked, _) = project_runner(&server, source, json!({"locked": true}));
        assert_eq!(as_alice(json!({"runner_id": locked}), 403), json!({"message": "403 Forbidden - Runner is locked"}));
        let (instance, _) = instance_runner(&server, json!(null));
        assert_eq!(as_alice(json!({"runner_id": instance}), 403), json!({"message": "403 Forbidden - No access granted"}));
        assert_eq!(as_root(json!({"runner_id": instance}), 400), json!({"message": "400 Bad request - Runner is an instance runner"}));
        let (foreign, _) = project_runner(&server, elsewhere, json!(null));
        assert_eq!(as_alice(json!({"runner_id": foreign}), 403), json!({"message": "403 Forbidden - No access granted"}), "alice maintains no project of that runner");
        // Admins skip the lock and the ownership checks.
        assert_eq!(as_root(json!({"runner_id": locked}), 201)["id"], locked);
        assert_eq!(as_root(json!({"runner_id": foreign}), 201)["id"], foreign);
        let already = json!({"message": "400 Bad request - Runner is already assigned to this project"});
        assert_eq!(as_alice(json!({"runner_id": foreign}), 400), already);
        assert_eq!(as_root(json!({"runner_id": locked}), 400), already);
        assert_eq!(
            listed(&server, &format!("{path}?type=project_type")),
            sorted(vec![locked, foreign]),
            "only the successful assignments"
        );
        assert_eq!(as_alice(json!({"runner_id": "abc"}), 400), json!({"error": "runner_id is invalid"}));
    }

    fn unassigning_refuses_a_runners_only_project(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let alice = server.user("alice");
        server.add_member(&format!("groups/{gid}"), alice.id, 40);
        let owner_project = id_of(&server.project_as(&server.root_token, "owner", Some(gid)));
        let other = id_of(&server.project_as(&server.root_token, "other", Some(gid)));
        let (runner, _) = project_runner(&server, owner_project, json!(null));
        expect_json(server.post(&format!("/projects/{other}/runners")).json(&json!({"runner_id": runner})), 201);
        let response = expect_status(server.as_token(&alice.token, Method::DELETE, &format!("/projects/{other}/runners/{runner}")), 204);
        assert_eq!(response.text().unwrap(), "");
        assert!(!listed(&server, &format!("/projects/{other}/runners")).contains(&runner));
        assert_eq!(ids(&details(&server, runner)["projects"]), [owner_project]);
        let not_assigned = json!({"message": "404 Runner Not Found"});
        assert_eq!(expect_json(server.as_token(&alice.token, Method::DELETE, &format!("/projects/{other}/runners/{runner}")), 404), not_assigned);
        let only = json!({"message": "403 Forbidden - Only one project associated with the runner. Please remove the runner instead"});
        assert_eq!(expect_json(server.as_token(&alice.token, Method::DELETE, &format!("/projects/{owner_project}/runners/{runner}")), 403), only);
        assert_eq!(expect_json(server.delete(&format!("/projects/{owner_project}/runners/{runner}")), 403), only, "admins too");
        assert_eq!(ids(&details(&server, runner)["projects"]), [owner_project], "still assigned");
        let (instance, _) = instance_runner(&server, json!(null));
        assert_eq!(expect_json(server.delete(&format!("/projects/{owner_project}/runners/{instance}")), 404), not_assigned, "instance runners are not assigned");
        let (grouped, _) = group_runner(&server, gid, json!(null));
        assert_eq!(expect_json(server.delete(&format!("/projects/{owner_project}/runners/{grouped}")), 404), not_assigned);
        assert_eq!(expect_json(server.delete(&format!("/projects/{owner_project}/runners/424242")), 404), not_assigned);
    }

    fn group_runners_include_ancestors_and_instance_runners_but_not_subgroups(server) {
        let top = server.group_as(&server.root_token, "top", None);
        let sub = server.group_as(&server.root_token, "sub", top["id"].as_i64());
        let deeper = server.group_as(&server.root_token, "deeper", sub["id"].as_i64());
        let project = server.project_as(&server.root_token, "app", sub["id"].as_i64());
        let (instance, instance_token) = instance_runner(&server, json!({"tag_list": ["x"]}));
        let (r_top, _) = group_runner(&server, id_of(&top), json!(null));
        let (r_sub, r_sub_token) = group_runner(&server, id_of(&sub), json!({"tag_list": ["x"]}));
        let (r_deeper, _) = group_runner(&server, id_of(&deeper), json!(null));
        let (_in_project, _) = project_runner(&server, id_of(&project), json!(null));
        assert_eq!(listed(&server, &format!("/groups/{}/runners", top["id"])), sorted(vec![instance, r_top]));
        let path = format!("/groups/{}/runners", sub["id"]);
        assert_eq!(listed(&server, &path), sorted(vec![instance, r_top, r_sub]), "ancestors, not subgroups or projects");
        assert_eq!(listed(&server, "/groups/top%2Fsub/runners"), sorted(vec![instance, r_top, r_sub]));
        assert_eq!(listed(&server, &format!("/groups/{}/runners", deeper["id"])), sorted(vec![instance, r_top, r_sub, r_deeper]));
        server.verify_runner(&r_sub_token, json!({"system_id": "s_grouped00001", "info": {"version": "16.4.0"}}));
        server.verify_runner(&instance_token, json!({"system_id": "s_instance0001", "info": {"version": "17.0.0"}}));
        update(&server, r_top, json!({"paused": true}));
        for (query, want) in [
            ("type=group_type", vec![r_top, r_sub]),
            ("type=instance_type", vec![instance]),
            ("type=project_type", vec![]),
            ("paused=true", vec![r_top]),
            ("paused=false", vec![instance, r_sub]),
            ("status=paused", vec![r_top]),
            ("status=online", vec![instance, r_sub]),
            ("status=not_connected", vec![r_top]),
            ("tag_list=x", vec![instance, r_sub]),
            ("version_prefix=16", vec![r_sub]),
            ("version_prefix=17.0", vec![instance]),
        ] {
            assert_eq!(listed(&server, &format!("{path}?{query}")), sorted(want), "{path}?{query}");
        }
        for (query, body) in [
            ("type=bogus", json!({"error": "type does not have a valid value"})),
            ("status=bogus", json!({"error": "status does not have a valid value"})),
            ("version_prefix=V16", json!({"error": "version_prefix is invalid"})),
        ] {
            assert_eq!(expect_json(server.get(&format!("{path}?{query}")), 400), body, "{query}");
        }
    }

    fn user_runners_creates_runners_with_a_token(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let project = server.project_as(&server.root_token, "app", Some(gid));
        let pid = id_of(&project);
        let created = expect_json(server.post("/user/runners").json(&json!({"runner_type": "instance_type"})), 201);
        assert_keys(&created, &["id", "token", "token_expires_at"]);
        assert!(created["token"].as_str().unwrap().starts_with("glrt-"), "{created}");
        assert_eq!(created["token_expires_at"], json!(null));
        let id = id_of(&created);
        let shown = details(&server, id);
        assert_eq!(shown["runner_type"], "instance_type");
        assert_eq!((shown["status"].clone(), shown["online"].clone()), (json!("not_connected"), json!(null)));
        assert_eq!(shown["locked"], false);
        assert_eq!(shown["run_untagged"], true);
        assert_eq!(shown["paused"], false);
        assert_eq!(shown["access_level"], "not_protected");
        let verified = server.verify_runner(created["token"].as_str().unwrap(), json!({"system_id": "s_created00001"}));
        assert_eq!(verified["id"], id);
        assert_eq!(details(&server, id)["status"], "online", "online once it verifies");

        let created = expect_json(
            server.post("/user/runners").json(&json!({
                "runner_type": "group_type", "group_id": gid, "description": "made in the UI", "paused": true,
                "locked": true, "run_untagged": false, "tag_list": ["docker", "linux"], "access_level": "ref_protected",
                "maximum_timeout": 3600, "maintenance_note": "for the team",
            })),
            201,
        );
        let shown = details(&server, id_of(&created));
        assert_eq!(shown["runner_type"], "group_type");
        assert_eq!(ids(&shown["groups"]), [gid]);
        assert_eq!(shown["description"], "made in the UI");
        assert_eq!(shown["paused"], true);
        assert_eq!(shown["locked"], true);
        assert_eq!(shown["run_untagged"], false);
        assert_eq!(shown["tag_list"], json!(["docker", "linux"]));
        assert_eq!(shown["access_level"], "ref_protected");
        assert_eq!(shown["maximum_timeout"], 3600);
        assert_eq!(shown["maintenance_note"], "for the team");
        assert_eq!(shown["status"], "not_connected");

        let created = expect_json(server.post("/user/runners").json(&json!({"runner_type": "project_type", "project_id": pid, "tag_list": "a,b"})), 201);
        let shown = details(&server, id_of(&created));
        assert_eq!(shown["runner_type"], "project_type");
        assert_eq!(ids(&shown["projects"]), [pid]);
        assert_eq!(shown["tag_list"], json!(["a", "b"]));
        let created = expect_json(server.post("/user/runners").form(&[("runner_type", "project_type"), ("project_id", &pid.to_string()), ("paused", "True")]), 201);
        assert_eq!(details(&server, id_of(&created))["paused"], true);
    }

    fn user_runners_validates_its_parameters(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let project = server.project_as(&server.root_token, "app", group["id"].as_i64());
        for (body, error) in [
            (json!({}), "runner_type is missing"),
            (json!({"description": "x"}), "runner_type is missing"),
            (json!({"runner_type": "shared"}), "runner_type does not have a valid value"),
            (json!({"runner_type": "group_type"}), "group_id is missing"),
            (json!({"runner_type": "group_type", "project_id": project["id"]}), "group_id is missing"),
            (json!({"runner_type": "project_type"}), "project_id is missing"),
            (json!({"runner_type": "project_type", "group_id": group["id"]}), "project_id is missing"),
        ] {
            assert_eq!(expect_json(server.post("/user/runners").json(&body), 400), json!({"error": error}), "{body}");
        }
        let alice = server.user("alice");
        let body = expect_json(server.as_token(&alice.token, Method::POST, "/user/runners").json(&json!({"runner_type": "instance_type"})), 403);
        assert_eq!(body, json!({"message": "403 Forbidden"}), "instance runners need an administrator");
        assert_eq!(expect_json(server.get("/runners/all"), 200), json!([]), "nothing was created");
    }

    fn token_scopes_limit_what_a_token_may_do(server) {
        let group = server.group_as(&server.root_token, "team", None);
        let gid = id_of(&group);
        let project = server.project_as(&server.root_token, "app", Some(gid));
        let pid = id_of(&project);
        let reader = server.user_with_scopes("reader", &["read_api"]);
        let manager = server.user_with_scopes("manager", &["manage_runner"]);
        let creator = server.user_with_scopes("creator", &["create_runner"]);
        for user in [&reader, &manager, &creator] {
            server.add_member(&format!("groups/{gid}"), user.id, 50);
        }
        let (runner, _) = project_runner(&server, pid, json!(null));
        let (spare, _) = project_runner(&server, pid, json!(null));
        let (other_runner, _) = project_runner(&server, id_of(&server.project_as(&server.root_token, "other", Some(gid))), json!(null));
        let api_only = ["api"];
        let manage = ["api", "manage_runner"];
        let create = ["api", "create_runner"];

        // read_api: every GET; no write.
        for path in [format!("/runners/{runner}"), format!("/runners/{runner}/jobs"), format!("/runners/{runner}/managers"), "/runners".to_owned(), format!("/projects/{pid}/runners"), format!("/groups/{gid}/runners")] {
            expect_json(server.as_token(&reader.token, Method::GET, &path), 200);
        }
        for (method, path, body, scopes) in [
            (Method::PUT, format!("/runners/{runner}"), json!({"description": "x"}), &manage[..]),
            (Method::DELETE, format!("/runners/{runner}"), json!(null), &manage[..]),
            (Method::POST, format!("/runners/{runner}/reset_authentication_token"), json!(null), &manage[..]),
            (Method::POST, format!("/projects/{pid}/runners"), json!({"runner_id": other_runner}), &api_only[..]),
            (Method::DELETE, format!("/projects/{pid}/runners/{runner}"), json!(null), &api_only[..]),
            (Method::POST, "/user/runners".to_owned(), json!({"runner_type": "group_type", "group_id": gid}), &create[..]),
        ] {
            let body = expect_json(with_body(server.as_token(&reader.token, method.clone(), &path), body), 403);
            assert_insufficient_scope(&body, scopes);
            if scopes == api_only {
                assert_eq!(body["scope"], "api", "read_api on {method} {path}");
            }
        }

        // manage_runner: the /runners/:id routes only.
        expect_json(server.as_token(&manager.token, Method::GET, &format!("/runners/{runner}")), 200);
        expect_json(server.as_token(&manager.token, Method::GET, &format!("/runners/{runner}/jobs")), 200);
        expect_json(server.as_token(&manager.token, Method::GET, &format!("/runners/{runner}/managers")), 200);
        let updated = expect_json(server.as_token(&manager.token, Method::PUT, &format!("/runners/{runner}")).json(&json!({"description": "managed"})), 200);
        assert_eq!(updated["description"], "managed");
        expect_json(server.as_token(&manager.token, Method::POST, &format!("/runners/{runner}/reset_authentication_token")), 201);
        expect_status(server.as_token(&manager.token, Method::DELETE, &format!("/runners/{spare}")), 204);
        for (method, path, body) in [
            (Method::GET, "/runners".to_owned(), json!(null)),
            (Method::GET, "/runners/all".to_owned(), json!(null)),
            (Method::GET, format!("/projects/{pid}/runners"), json!(null)),
            (Method::GET, format!("/groups/{gid}/runners"), json!(null)),
            (Method::POST, format!("/projects/{pid}/runners"), json!({"runner_id": other_runner})),
            (Method::DELETE, format!("/projects/{pid}/runners/{runner}"), json!(null)),
        ] {
            let body = expect_json(with_body(server.as_token(&manager.token, method.clone(), &path), body), 403);
            assert_insufficient_scope(&body, &api_only);
            assert_eq!(body["scope"], "api", "manage_runner on {method} {path}");
        }
        let body = expect_json(server.as_token(&manager.token, Method::POST, "/user/runners").json(&json!({"runner_type": "group_type", "group_id": gid})), 403);
        assert_insufficient_scope(&body, &create);

        // create_runner: POST /user/runners only.
        let created = expect_json(server.as_token(&creator.token, Method::POST, "/user/runners").json(&json!({"runner_type": "group_type", "group_id": gid})), 201);
        assert!(created["token"].as_str().unwrap().starts_with("glrt-"));
        expect_json(server.as_token(&creator.token, Method::POST, "/user/runners").json(&json!({"runner_type": "project_type", "project_id": pid})), 201);
        for (method, path, scopes) in [
            (Method::GET, format!("/runners/{runner}"), &manage[..]),
            (Method::PUT, format!("/runners/{runner}"), &manage[..]),
            (Method::DELETE, format!("/runners/{runner}"), &manage[..]),
            (Method::GET, "/runners".to_owned(), &api_only[..]),
            (Method::GET, format!("/projects/{pid}/runners"), &api_only[..]),
            (Method::GET, format!("/groups/{gid}/runners"), &api_only[..]),
        ] {
            let body = expect_json(server.as_token(&creator.token, method.clone(), &path).json(&json!({"description": "x"})), 403);
            assert_insufficient_scope(&body, scopes);
        }
        assert_eq!(details(&server, runner)["description"], "managed");
    }
}

mod races {
    use paddock_tests::reqwest::Method;
    use paddock_tests::serde_json::json;
    use paddock_tests::{expect_json, on_both_backends};

    on_both_backends! {
        fn concurrent_unassigns_never_leave_a_runner_without_a_project(server) {
            let first = server.project_as(&server.root_token, "first", None);
            let second = server.project_as(&server.root_token, "second", None);
            for round in 0..8 {
                let registered = expect_json(
                    server
                        .anonymous(Method::POST, "/runners")
                        .json(&json!({"token": first["runners_token"], "description": format!("r{round}")})),
                    201,
                );
                let id = registered["id"].as_i64().unwrap();
                expect_json(server.post(&format!("/projects/{}/runners", second["id"])).json(&json!({"runner_id": id})), 201);
                let statuses: Vec<u16> = std::thread::scope(|scope| {
                    let handles: Vec<_> = [&first, &second]
                        .into_iter()
                        .map(|project| {
                            let request = server.delete(&format!("/projects/{}/runners/{id}", project["id"]));
                            scope.spawn(move || request.send().unwrap().status().as_u16())
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).collect()
                });
                let mut sorted = statuses.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, [204, 403], "round {round}: exactly one unassignment wins: {statuses:?}");
                let details = expect_json(server.get(&format!("/runners/{id}")), 200);
                assert_eq!(details["projects"].as_array().map(Vec::len), Some(1), "round {round}");
            }
        }

        fn a_contact_without_info_keeps_the_managers_details(server) {
            let registered = expect_json(server.anonymous(Method::POST, "/runners").json(&json!({"token": server.registration_token})), 201);
            let token = registered["token"].as_str().unwrap().to_owned();
            let id = registered["id"].as_i64().unwrap();
            expect_json(
                server.anonymous(Method::POST, "/runners/verify").json(&json!({
                    "token": token, "system_id": "s_keep00000001",
                    "info": {"version": "17.5.0", "platform": "linux", "architecture": "arm64"}
                })),
                200,
            );
            // gitlab-runner resets its token with nothing but the token.
            let reset = expect_json(
                server.anonymous(Method::POST, "/runners/reset_authentication_token").json(&json!({"token": token, "system_id": "s_keep00000001"})),
                201,
            );
            expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": reset["token"], "system_id": "s_keep00000001"})), 200);
            let details = expect_json(server.get(&format!("/runners/{id}")), 200);
            assert_eq!((details["version"].as_str(), details["architecture"].as_str()), (Some("17.5.0"), Some("arm64")));
        }
    }
}
