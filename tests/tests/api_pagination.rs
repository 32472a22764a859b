#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Offset pagination headers and the absolute `Link` header on every list.

use paddock_tests::{expect_json, header, on_both_backends};

on_both_backends! {
    fn lists_are_paginated_with_gitlabs_headers(server) {
        for i in 0..5 {
            server.group_as(&server.root_token, &format!("g{i}"), None);
        }
        let response = server.get("/groups?per_page=2&page=2&search=g").send().unwrap();
        assert_eq!(header(&response, "x-total"), "5");
        assert_eq!(header(&response, "x-total-pages"), "3");
        assert_eq!(header(&response, "x-page"), "2");
        assert_eq!(header(&response, "x-per-page"), "2");
        assert_eq!(header(&response, "x-next-page"), "3");
        assert_eq!(header(&response, "x-prev-page"), "1");
        let link = header(&response, "link");
        let base = format!("{}/api/v4/groups", server.base);
        assert!(link.contains(&format!("<{base}?page=1&per_page=2&search=g>; rel=\"prev\"")), "{link}");
        assert!(link.contains(&format!("<{base}?page=3&per_page=2&search=g>; rel=\"next\"")), "{link}");
        assert!(link.contains(&format!("<{base}?page=1&per_page=2&search=g>; rel=\"first\"")), "{link}");
        assert!(link.contains(&format!("<{base}?page=3&per_page=2&search=g>; rel=\"last\"")), "{link}");
        let body: paddock_tests::serde_json::Value = response.json().unwrap();
        let paths: Vec<&str> = body.as_array().unwrap().iter().map(|g| g["path"].as_str().unwrap()).collect();
        assert_eq!(paths, ["g2", "g3"]);
    }

    fn the_last_page_has_no_next(server) {
        for i in 0..3 {
            server.project_as(&server.root_token, &format!("p{i}"), None);
        }
        let response = server.get("/projects?per_page=2&page=2").send().unwrap();
        assert_eq!(header(&response, "x-next-page"), "");
        assert!(!header(&response, "link").contains("rel=\"next\""));
        let beyond = server.get("/projects?per_page=2&page=9").send().unwrap();
        assert_eq!(header(&beyond, "x-next-page"), "");
        let body: paddock_tests::serde_json::Value = beyond.json().unwrap();
        assert_eq!(body.as_array().map(Vec::len), Some(0));
    }

    fn per_page_defaults_to_20_and_stops_at_100(server) {
        let response = server.get("/users").send().unwrap();
        assert_eq!(header(&response, "x-per-page"), "20");
        assert_eq!(header(&response, "x-page"), "1");
        assert_eq!(header(&response, "x-total"), "1");
        assert_eq!(header(&response, "x-total-pages"), "1");
        assert_eq!(header(&response, "x-prev-page"), "");
        let response = server.get("/users?per_page=500").send().unwrap();
        assert_eq!(header(&response, "x-per-page"), "100");
        let response = server.get("/users?per_page=0&page=0").send().unwrap();
        assert_eq!(header(&response, "x-per-page"), "20");
        assert_eq!(header(&response, "x-page"), "1");
        expect_json(server.get("/users?per_page=x"), 400);
    }

    fn every_list_is_paginated(server) {
        let group = server.group_as(&server.root_token, "g", None);
        let project = server.project_as(&server.root_token, "p", group["id"].as_i64());
        for path in [
            "/users".to_owned(),
            "/groups".to_owned(),
            format!("/groups/{}/subgroups", group["id"]),
            format!("/groups/{}/projects", group["id"]),
            format!("/groups/{}/members", group["id"]),
            "/projects".to_owned(),
            format!("/projects/{}/members", project["id"]),
            format!("/projects/{}/protected_branches", project["id"]),
            "/users/1/projects".to_owned(),
        ] {
            let response = server.get(&path).send().unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert!(!header(&response, "x-total").is_empty(), "{path}");
            assert!(header(&response, "link").contains("rel=\"first\""), "{path}");
        }
    }
}
