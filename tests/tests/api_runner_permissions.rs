#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Who may do what with runners: every management endpoint, for every kind of actor (anonymous,
//! an unrelated user, a direct maintainer of one project, the guest, reporter, developer,
//! maintainer and owner of a group, and an administrator), on an instance runner, a runner of
//! the group, a runner of its subgroup, a runner of a project in the group and a runner of a
//! project in the subgroup (roles are inherited down the tree).
//!
//! The rules (the design brief, after GitLab): an instance runner is readable by every signed-in
//! user; group runners by maintainers and owners of the group or an ancestor; project runners by
//! maintainers (and up) of one of their projects; administrators read everything. Updating,
//! resetting the token and deleting need an administrator, the owner for group runners, a
//! maintainer for project runners. Runner ids are small sequential integers, so nothing is hidden
//! behind a 404: an unknown id is 404, an existing runner the caller may not touch is 403.

use paddock_tests::reqwest::Method;
use paddock_tests::reqwest::blocking::RequestBuilder;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, expect_json, expect_status, ids, on_both_backends};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    /// A signed-in user with no membership anywhere.
    Stranger,
    /// A direct maintainer of the `app` project only.
    ProjectMaintainer,
    Guest,
    Reporter,
    Developer,
    Maintainer,
    Owner,
    Admin,
}

use Actor::*;

const ACTORS: [Actor; 9] = [
    Anonymous,
    Stranger,
    ProjectMaintainer,
    Guest,
    Reporter,
    Developer,
    Maintainer,
    Owner,
    Admin,
];

/// The kind of runner, by where it was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Instance,
    /// A runner of the top group `acme`.
    Group,
    /// A runner of the subgroup `acme/sub`.
    Subgroup,
    /// A runner of the project `acme/app`.
    Project,
    /// A runner of the project `acme/sub/deep`.
    SubgroupProject,
}

use Kind::*;

const KINDS: [Kind; 5] = [Instance, Group, Subgroup, Project, SubgroupProject];

/// May `actor` read a runner of `kind` (`GET /runners/:id`, `/managers`)?
fn may_read(actor: Actor, kind: Kind) -> bool {
    match (actor, kind) {
        (Anonymous, _) => false,
        (Admin, _) | (_, Instance) => true,
        (Maintainer | Owner, _) => true,
        (ProjectMaintainer, Project) => true,
        _ => false,
    }
}

/// May `actor` update, reset the token of, or delete a (single-project) runner of `kind`?
fn may_manage(actor: Actor, kind: Kind) -> bool {
    match (actor, kind) {
        (Admin, _) => true,
        (_, Instance) => false,
        (Owner, _) => true,
        (Maintainer, Project | SubgroupProject) => true,
        (ProjectMaintainer, Project) => true,
        _ => false,
    }
}

#[derive(Debug)]
struct World {
    group: i64,
    sub: i64,
    app: i64,
    deep: i64,
    second: i64,
    tokens: Vec<(Actor, String)>,
}

impl World {
    fn new(server: &TestServer) -> Self {
        // The owner creates the tree, so root is an administrator but no member.
        let owner = server.user("owner");
        let group = server.group_as(&owner.token, "acme", None);
        let group_id = group["id"].as_i64().unwrap();
        let sub = server.group_as(&owner.token, "sub", Some(group_id));
        let sub_id = sub["id"].as_i64().unwrap();
        let app = server.project_as(&owner.token, "app", Some(group_id));
        let deep = server.project_as(&owner.token, "deep", Some(sub_id));
        let second = server.project_as(&owner.token, "second", Some(group_id));
        let mut tokens = vec![(Owner, owner.token), (Admin, server.root_token.clone())];
        for (actor, name, level) in [
            (Guest, "guest", 10),
            (Reporter, "reporter", 20),
            (Developer, "developer", 30),
            (Maintainer, "maintainer", 40),
        ] {
            let user = server.user(name);
            server.add_member(&format!("groups/{group_id}"), user.id, level);
            tokens.push((actor, user.token));
        }
        let project_maintainer = server.user("project-maintainer");
        server.add_member(
            &format!("projects/{}", app["id"]),
            project_maintainer.id,
            40,
        );
        tokens.push((ProjectMaintainer, project_maintainer.token));
        tokens.push((Stranger, server.user("stranger").token));
        Self {
            group: group_id,
            sub: sub_id,
            app: app["id"].as_i64().unwrap(),
            deep: deep["id"].as_i64().unwrap(),
            second: second["id"].as_i64().unwrap(),
            tokens,
        }
    }

    /// A request to `/api/v4<path>` as `actor`.
    fn request(
        &self,
        server: &TestServer,
        actor: Actor,
        method: Method,
        path: &str,
    ) -> RequestBuilder {
        match self.tokens.iter().find(|(a, _)| *a == actor) {
            Some((_, token)) => server.as_token(token, method, path),
            None => server.anonymous(method, path),
        }
    }

    fn registration_token(&self, server: &TestServer, kind: Kind) -> String {
        match kind {
            Instance => server.registration_token.clone(),
            Group => server.group_registration_token(self.group),
            Subgroup => server.group_registration_token(self.sub),
            Project => server.project_registration_token(self.app),
            SubgroupProject => server.project_registration_token(self.deep),
        }
    }

    fn register(&self, server: &TestServer, kind: Kind, description: &str) -> (i64, String) {
        server.register_runner_id(
            &self.registration_token(server, kind),
            json!({"description": description, "maintenance_note": "secret plans"}),
        )
    }
}

/// Asserts the refusal of a request `actor` may not make: 401 when anonymous, else 403 with
/// `message`.
#[track_caller]
fn expect_refused(request: RequestBuilder, actor: Actor, message: &str, context: &str) {
    if actor == Anonymous {
        let body = expect_json(request, 401);
        assert_eq!(body, json!({"message": "401 Unauthorized"}), "{context}");
    } else {
        let body = expect_json(request, 403);
        assert_eq!(body, json!({"message": message}), "{context}");
    }
}

const NO_ACCESS: &str = "403 Forbidden - No access granted";

on_both_backends! {
    fn reading_a_runner_follows_the_role_matrix(server) {
        let world = World::new(&server);
        let runners: Vec<(Kind, i64)> = KINDS
            .iter()
            .map(|&kind| {
                let (id, token) = world.register(&server, kind, &format!("{kind:?}"));
                server.verify_runner(&token, json!({"system_id": "s_matrix000001", "info": {"version": "17.0.0"}}));
                (kind, id)
            })
            .collect();
        for actor in ACTORS {
            for &(kind, id) in &runners {
                let context = format!("{actor:?} reads the {kind:?} runner {id}");
                let path = format!("/runners/{id}");
                if may_read(actor, kind) {
                    let shown = expect_json(world.request(&server, actor, Method::GET, &path), 200);
                    assert_eq!(shown["id"], id, "{context}");
                    assert_eq!(shown["description"], format!("{kind:?}"), "{context}");
                    let note = if may_manage(actor, kind) { json!("secret plans") } else { json!(null) };
                    assert_eq!(shown["maintenance_note"], note, "{context}: the note is for those who may update");
                    assert!(shown.get("token").is_none(), "{context}");
                    let managers = expect_json(world.request(&server, actor, Method::GET, &format!("{path}/managers")), 200);
                    assert_eq!(managers.as_array().map(Vec::len), Some(1), "{context}: managers {managers}");
                    assert_eq!(managers[0]["system_id"], "s_matrix000001", "{context}");
                } else {
                    expect_refused(world.request(&server, actor, Method::GET, &path), actor, NO_ACCESS, &context);
                    expect_refused(world.request(&server, actor, Method::GET, &format!("{path}/managers")), actor, NO_ACCESS, &format!("{context} managers"));
                }
                // Jobs: for those who may manage the runner (a shared runner's jobs belong to
                // many projects, so only administrators see them).
                let jobs = world.request(&server, actor, Method::GET, &format!("{path}/jobs")).send().unwrap();
                let status = jobs.status().as_u16();
                let body: Value = jobs.json().unwrap_or_else(|e| panic!("{context} jobs: JSON ({e})"));
                match actor {
                    Anonymous => assert_eq!((status, body), (401, json!({"message": "401 Unauthorized"})), "{context} jobs"),
                    _ if may_manage(actor, kind) => assert_eq!((status, body), (200, json!([])), "{context} jobs"),
                    _ => assert_eq!((status, body), (403, json!({"message": NO_ACCESS})), "{context} jobs"),
                }
            }
        }
    }

    fn updating_and_resetting_a_token_follow_the_role_matrix(server) {
        let world = World::new(&server);
        let mut runners: Vec<(Kind, i64, String)> = KINDS
            .iter()
            .map(|&kind| {
                let (id, token) = world.register(&server, kind, "original");
                (kind, id, token)
            })
            .collect();
        for actor in ACTORS {
            for (kind, id, token) in runners.iter_mut() {
                let (kind, id) = (*kind, *id);
                let context = format!("{actor:?} updates the {kind:?} runner {id}");
                let path = format!("/runners/{id}");
                let description = format!("by {actor:?}");
                let before = expect_json(server.get(&path), 200)["description"].clone();
                let request = world.request(&server, actor, Method::PUT, &path).json(&json!({"description": description}));
                if may_manage(actor, kind) {
                    let updated = expect_json(request, 200);
                    assert_eq!(updated["description"], description, "{context}");
                    assert_eq!(expect_json(server.get(&path), 200)["description"], description, "{context}: stored");
                } else {
                    expect_refused(request, actor, NO_ACCESS, &context);
                    assert_eq!(expect_json(server.get(&path), 200)["description"], before, "{context}: unchanged");
                }
                let context = format!("{actor:?} resets the token of the {kind:?} runner {id}");
                let request = world.request(&server, actor, Method::POST, &format!("{path}/reset_authentication_token"));
                if may_manage(actor, kind) {
                    let reset = expect_json(request, 201);
                    let new = reset["token"].as_str().unwrap().to_owned();
                    assert!(new.starts_with("glrt-"), "{context}: {reset}");
                    let body = expect_json(server.anonymous(Method::POST, "/runners/verify").json(&json!({"token": token})), 403);
                    assert_eq!(body, json!({"message": "403 Forbidden"}), "{context}: the old token is dead");
                    *token = new;
                } else {
                    expect_refused(request, actor, NO_ACCESS, &context);
                }
                assert_eq!(server.verify_runner(token, json!(null))["id"], id, "{context}: the current token works");
            }
        }
    }

    fn deleting_follows_the_role_matrix(server) {
        let world = World::new(&server);
        for actor in ACTORS {
            for kind in KINDS {
                let (id, token) = world.register(&server, kind, "doomed");
                let context = format!("{actor:?} deletes the {kind:?} runner {id}");
                let path = format!("/runners/{id}");
                let request = world.request(&server, actor, Method::DELETE, &path);
                if may_manage(actor, kind) {
                    let response = expect_status(request, 204);
                    assert_eq!(response.text().unwrap(), "", "{context}");
                    let body = expect_json(server.get(&path), 404);
                    assert_eq!(body, json!({"message": "404 Runner Not Found"}), "{context}: gone");
                } else {
                    expect_refused(request, actor, NO_ACCESS, &context);
                    assert_eq!(server.verify_runner(&token, json!(null))["id"], id, "{context}: still there");
                    expect_status(server.delete(&path), 204);
                }
            }
        }
    }

    fn a_runner_of_several_projects_is_deleted_by_administrators_only(server) {
        let world = World::new(&server);
        for actor in ACTORS {
            let (id, token) = world.register(&server, Project, "two projects");
            expect_json(server.post(&format!("/projects/{}/runners", world.second)).json(&json!({"runner_id": id})), 201);
            let context = format!("{actor:?} deletes the two-project runner {id}");
            let request = world.request(&server, actor, Method::DELETE, &format!("/runners/{id}"));
            if actor == Admin {
                expect_status(request, 204);
                assert_eq!(expect_json(server.get(&format!("/runners/{id}")), 404), json!({"message": "404 Runner Not Found"}));
            } else {
                // The project count is checked before the role, so everybody signed in hears it.
                expect_refused(request, actor, "403 Forbidden - Runner associated with more than one project", &context);
                assert_eq!(server.verify_runner(&token, json!(null))["id"], id, "{context}: still there");
            }
        }
    }

    fn unknown_runner_ids_are_404_for_everybody_signed_in(server) {
        let world = World::new(&server);
        let last = KINDS.iter().map(|&kind| world.register(&server, kind, "r").0).max().unwrap();
        for unknown in [last + 1, 999_999] {
            for actor in ACTORS {
                for (method, path) in [
                    (Method::GET, format!("/runners/{unknown}")),
                    (Method::PUT, format!("/runners/{unknown}")),
                    (Method::DELETE, format!("/runners/{unknown}")),
                    (Method::GET, format!("/runners/{unknown}/jobs")),
                    (Method::GET, format!("/runners/{unknown}/managers")),
                    (Method::POST, format!("/runners/{unknown}/reset_authentication_token")),
                ] {
                    let request = world.request(&server, actor, method.clone(), &path).json(&json!({"description": "x"}));
                    let context = format!("{actor:?} {method} {path}");
                    if actor == Anonymous {
                        assert_eq!(expect_json(request, 401), json!({"message": "401 Unauthorized"}), "{context}");
                    } else {
                        assert_eq!(expect_json(request, 404), json!({"message": "404 Runner Not Found"}), "{context}");
                    }
                }
            }
        }
    }

    fn listing_runners_follows_the_role_matrix(server) {
        let world = World::new(&server);
        let id = |kind: Kind| world.register(&server, kind, "listed").0;
        let (instance, group, sub, project, deep) = (id(Instance), id(Group), id(Subgroup), id(Project), id(SubgroupProject));
        let sorted = |mut list: Vec<i64>| {
            list.sort_unstable();
            list
        };
        let listed = |actor: Actor, path: &str| ids(&expect_json(world.request(&server, actor, Method::GET, path), 200));

        // GET /runners: project runners of maintained projects and group runners of owned groups.
        for (actor, want) in [
            (Stranger, vec![]),
            (ProjectMaintainer, vec![project]),
            (Guest, vec![]),
            (Reporter, vec![]),
            (Developer, vec![]),
            (Maintainer, vec![project, deep]),
            (Owner, vec![group, sub, project, deep]),
            (Admin, vec![]),
        ] {
            assert_eq!(listed(actor, "/runners"), sorted(want), "{actor:?} GET /runners (never instance runners; root is no member)");
        }
        expect_refused(world.request(&server, Anonymous, Method::GET, "/runners"), Anonymous, "", "anonymous GET /runners");

        // GET /runners/all: administrators only.
        assert_eq!(listed(Admin, "/runners/all"), sorted(vec![instance, group, sub, project, deep]));
        for actor in ACTORS.into_iter().filter(|a| *a != Admin) {
            expect_refused(world.request(&server, actor, Method::GET, "/runners/all"), actor, "403 Forbidden", &format!("{actor:?} GET /runners/all"));
        }

        // GET /projects/:id/runners: maintainers of the project; 404 where it is invisible.
        let project_lists = [
            (world.app, sorted(vec![instance, group, project])),
            (world.deep, sorted(vec![instance, group, sub, deep])),
        ];
        for (pid, want) in &project_lists {
            let path = format!("/projects/{pid}/runners");
            for actor in ACTORS {
                let context = format!("{actor:?} GET {path}");
                let visible = !matches!(actor, Stranger | ProjectMaintainer) || (actor == ProjectMaintainer && *pid == world.app);
                match actor {
                    Maintainer | Owner | Admin => assert_eq!(listed(actor, &path), *want, "{context}"),
                    ProjectMaintainer if visible => assert_eq!(listed(actor, &path), *want, "{context}"),
                    Anonymous => expect_refused(world.request(&server, actor, Method::GET, &path), actor, "", &context),
                    _ if !visible => {
                        let body = expect_json(world.request(&server, actor, Method::GET, &path), 404);
                        assert_eq!(body, json!({"message": "404 Project Not Found"}), "{context}");
                    }
                    _ => expect_refused(world.request(&server, actor, Method::GET, &path), actor, "403 Forbidden", &context),
                }
            }
        }

        // GET /groups/:id/runners: maintainers of the group; the group's and its ancestors' runners.
        for (gid, want) in [(world.group, sorted(vec![instance, group])), (world.sub, sorted(vec![instance, group, sub]))] {
            let path = format!("/groups/{gid}/runners");
            for actor in ACTORS {
                let context = format!("{actor:?} GET {path}");
                match actor {
                    Maintainer | Owner | Admin => assert_eq!(listed(actor, &path), want, "{context}"),
                    Anonymous => expect_refused(world.request(&server, actor, Method::GET, &path), actor, "", &context),
                    Stranger => {
                        let body = expect_json(world.request(&server, actor, Method::GET, &path), 404);
                        assert_eq!(body, json!({"message": "404 Group Not Found"}), "{context}");
                    }
                    // Whether a project member sees the project's private group is not settled here.
                    ProjectMaintainer => {}
                    Guest | Reporter | Developer => expect_refused(world.request(&server, actor, Method::GET, &path), actor, "403 Forbidden", &context),
                }
            }
        }
    }

    fn assigning_and_unassigning_follow_the_role_matrix(server) {
        let world = World::new(&server);
        // A runner of `second`, offered to `app`: group maintainers maintain both projects.
        let (runner, _) = server.register_runner_id(&server.project_registration_token(world.second), json!({"description": "movable"}));
        let path = format!("/projects/{}/runners", world.app);
        let unassign = format!("{path}/{runner}");
        let assigned = |expected: bool, context: &str| {
            let projects = ids(&expect_json(server.get(&format!("/runners/{runner}")), 200)["projects"]);
            assert!(projects.contains(&world.second), "{context}: still a runner of second: {projects:?}");
            assert_eq!(projects.contains(&world.app), expected, "{context}: assigned to app? {projects:?}");
        };
        assigned(false, "set-up");

        for actor in ACTORS {
            let context = format!("{actor:?} assigns runner {runner} to app");
            let request = world.request(&server, actor, Method::POST, &path).json(&json!({"runner_id": runner}));
            match actor {
                Maintainer | Owner | Admin => {
                    let body = expect_json(request, 201);
                    assert_eq!(body["id"], runner, "{context}");
                    assigned(true, &context);
                    expect_status(server.delete(&unassign), 204);
                }
                Stranger => {
                    let body = expect_json(request, 404);
                    assert_eq!(body, json!({"message": "404 Project Not Found"}), "{context}");
                }
                // A maintainer of app who maintains no project of the runner.
                ProjectMaintainer => expect_refused(request, actor, NO_ACCESS, &context),
                Anonymous | Guest | Reporter | Developer => expect_refused(request, actor, "403 Forbidden", &context),
            }
            assigned(false, &context);
        }

        expect_json(server.post(&path).json(&json!({"runner_id": runner})), 201);
        for actor in ACTORS {
            let context = format!("{actor:?} unassigns runner {runner} from app");
            let request = world.request(&server, actor, Method::DELETE, &unassign);
            match actor {
                Maintainer | Owner | Admin | ProjectMaintainer => {
                    expect_status(request, 204);
                    assigned(false, &context);
                    expect_json(server.post(&path).json(&json!({"runner_id": runner})), 201);
                }
                Stranger => {
                    let body = expect_json(request, 404);
                    assert_eq!(body, json!({"message": "404 Project Not Found"}), "{context}");
                }
                Anonymous | Guest | Reporter | Developer => expect_refused(request, actor, "403 Forbidden", &context),
            }
            assigned(true, &context);
        }
    }

    fn creating_runners_follows_the_role_matrix(server) {
        let world = World::new(&server);
        let targets = [
            ("instance_type", json!({"runner_type": "instance_type"})),
            ("group_type", json!({"runner_type": "group_type", "group_id": world.group})),
            ("group_type", json!({"runner_type": "group_type", "group_id": world.sub})),
            ("project_type", json!({"runner_type": "project_type", "project_id": world.app})),
            ("project_type", json!({"runner_type": "project_type", "project_id": world.deep})),
        ];
        for actor in ACTORS {
            for (index, (runner_type, body)) in targets.iter().enumerate() {
                let allowed = matches!(
                    (actor, index),
                    (Admin, _) | (Owner, 1..) | (Maintainer, 3..) | (ProjectMaintainer, 3)
                );
                let context = format!("{actor:?} POST /user/runners {body}");
                let request = world.request(&server, actor, Method::POST, "/user/runners").json(body);
                if allowed {
                    let created = expect_json(request, 201);
                    assert!(created["token"].as_str().unwrap().starts_with("glrt-"), "{context}: {created}");
                    let shown = expect_json(server.get(&format!("/runners/{}", created["id"])), 200);
                    assert_eq!(shown["runner_type"], *runner_type, "{context}");
                    assert_eq!(shown["status"], "not_connected", "{context}");
                } else {
                    expect_refused(request, actor, "403 Forbidden", &context);
                }
            }
        }
    }
}
