#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Use cases over the in-memory fakes: the rules that need a controlled clock or a failing
//! store to be seen.

use chrono::Duration;
use paddock_app::Paddock;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_domain::{NamespaceId, Role, Scope, UserId};
use paddock_ports::inbound::*;
use paddock_ports::outbound::{Outbound, SealedToken};
use paddock_testkit::{FailingStore, FixedClock, memory_outbound, outbound_over};
use std::sync::Arc;

const ROOT: Actor = Actor {
    user: UserId(1),
    admin: true,
};

fn app() -> (Paddock, Outbound, Arc<FixedClock>) {
    let (out, _, clock) = memory_outbound();
    let app = Paddock::new(out.clone());
    app.bootstrap(BootstrapRequest {
        root_token: Some(PlainToken::from_user("glpat-root")),
        registration_token: None,
    })
    .expect("bootstrap");
    (app, out, clock)
}

fn user(app: &Paddock, name: &str) -> Actor {
    let user = app
        .create_user(
            &ROOT,
            CreateUserRequest {
                username: name.into(),
                name: name.into(),
                email: format!("{name}@example.com"),
                admin: false,
            },
        )
        .expect("user");
    user.actor()
}

fn token(
    app: &Paddock,
    user: UserId,
    scopes: &[Scope],
    expires_in: Option<Duration>,
    now: chrono::DateTime<chrono::Utc>,
) -> PlainToken {
    app.create_personal_access_token(
        &ROOT,
        user,
        CreateTokenRequest {
            name: "t".into(),
            scopes: scopes.to_vec(),
            expires_at: expires_in.map(|d| now + d),
        },
    )
    .expect("token")
    .secret
}

#[test]
fn bootstrap_creates_root_once_and_reports_only_generated_secrets() {
    let (out, _, _) = memory_outbound();
    let app = Paddock::new(out.clone());
    let first = app
        .bootstrap(BootstrapRequest::default())
        .expect("bootstrap");
    assert!(first.root_created);
    assert!(first.registration_token_created);
    let root_token = first.generated_root_token.expect("a generated root token");
    assert!(root_token.expose().starts_with("glpat-"));
    assert!(
        first
            .generated_registration_token
            .expect("generated")
            .expose()
            .starts_with("GR1348941")
    );
    let root = app.authenticate(&root_token).expect("the token works");
    assert_eq!(root.user.id, UserId(1));
    assert!(root.user.admin);

    let second = app
        .bootstrap(BootstrapRequest {
            root_token: Some(PlainToken::from_user("glpat-other")),
            registration_token: Some(PlainToken::from_user("GR1348941other")),
        })
        .expect("bootstrap again");
    assert!(!second.root_created && !second.registration_token_created);
    assert!(second.generated_root_token.is_none() && second.generated_registration_token.is_none());
    assert!(
        app.authenticate(&PlainToken::from_user("glpat-other"))
            .is_err(),
        "a later start changes nothing"
    );
    assert!(app.authenticate(&root_token).is_ok());
}

#[test]
fn operator_chosen_tokens_are_used_and_not_repeated() {
    let (out, _, _) = memory_outbound();
    let app = Paddock::new(out.clone());
    let report = app
        .bootstrap(BootstrapRequest {
            root_token: Some(PlainToken::from_user("glpat-chosen")),
            registration_token: Some(PlainToken::from_user("GR1348941chosen")),
        })
        .expect("bootstrap");
    assert!(report.generated_root_token.is_none() && report.generated_registration_token.is_none());
    assert!(
        app.authenticate(&PlainToken::from_user("glpat-chosen"))
            .is_ok()
    );
    let stored = out
        .settings
        .instance_runners_token()
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.digest,
        PlainToken::from_user("GR1348941chosen").digest()
    );
}

#[test]
fn expired_and_revoked_tokens_are_refused() {
    let (app, out, clock) = app();
    let alice = user(&app, "alice");
    let now = out.clock.now();
    let short = token(
        &app,
        alice.user,
        &[Scope::Api],
        Some(Duration::hours(1)),
        now,
    );
    assert!(app.authenticate(&short).is_ok());
    clock.advance(Duration::hours(1));
    assert_eq!(
        app.authenticate(&short),
        Err(AuthError::Invalid),
        "expired at its instant"
    );
    let revoked = token(&app, alice.user, &[Scope::Api], None, out.clock.now());
    let id = out
        .tokens
        .token_by_digest(&revoked.digest())
        .expect("read")
        .expect("stored")
        .id;
    out.tokens.revoke_token(id).expect("revoke");
    assert_eq!(app.authenticate(&revoked), Err(AuthError::Invalid));
    assert_eq!(
        app.authenticate(&PlainToken::from_user("")),
        Err(AuthError::Invalid)
    );
}

#[test]
fn token_use_is_recorded_at_most_every_ten_minutes() {
    let (app, out, clock) = app();
    let root_token = PlainToken::from_user("glpat-root");
    let last_used = || {
        out.tokens
            .token_by_digest(&root_token.digest())
            .expect("read")
            .expect("stored")
            .last_used_at
    };
    assert_eq!(last_used(), None);
    app.authenticate(&root_token).expect("valid");
    let first = last_used().expect("recorded");
    clock.advance(Duration::minutes(5));
    app.authenticate(&root_token).expect("valid");
    assert_eq!(last_used(), Some(first));
    clock.advance(Duration::minutes(5));
    app.authenticate(&root_token).expect("valid");
    assert_eq!(last_used(), Some(first + Duration::minutes(10)));
}

#[test]
fn expired_memberships_grant_nothing() {
    let (app, out, clock) = app();
    let alice = user(&app, "alice");
    let group = app
        .create_group(
            &ROOT,
            CreateGroupRequest {
                name: "g".into(),
                path: "g".into(),
                parent_id: None,
                description: None,
                visibility: None,
            },
        )
        .expect("group");
    let target = MemberTarget::Group(GroupRef::Id(group.group.id));
    app.add_member(
        &ROOT,
        &target,
        AddMemberRequest {
            user: alice.user,
            role: Role::Developer,
            expires_at: Some(out.clock.now() + Duration::days(1)),
        },
    )
    .expect("member");
    assert!(
        app.group(Some(&alice), &GroupRef::Id(group.group.id))
            .is_ok()
    );
    clock.advance(Duration::days(1));
    assert_eq!(
        app.group(Some(&alice), &GroupRef::Id(group.group.id)),
        Err(FindError::NotFound(What::Group))
    );
}

#[test]
fn roles_needed_to_create_projects_in_a_group() {
    let (app, _, _) = app();
    let group = app
        .create_group(
            &ROOT,
            CreateGroupRequest {
                name: "g".into(),
                path: "g".into(),
                parent_id: None,
                description: None,
                visibility: None,
            },
        )
        .expect("group");
    let target = MemberTarget::Group(GroupRef::Id(group.group.id));
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let member = user(&app, &format!("user{i}"));
        app.add_member(
            &ROOT,
            &target,
            AddMemberRequest {
                user: member.user,
                role,
                expires_at: None,
            },
        )
        .expect("member");
        let created = app.create_project(
            &member,
            CreateProjectRequest {
                name: Some(format!("p{i}")),
                namespace: Some(NamespaceRef::Id(group.group.id)),
                ..Default::default()
            },
        );
        assert_eq!(
            created.is_ok(),
            role >= Role::Developer,
            "{role:?}: {created:?}"
        );
        if let Ok(project) = created {
            let expected = if role >= Role::Maintainer {
                None
            } else {
                Some(Role::Maintainer)
            };
            assert_eq!(project.project_access, expected, "{role:?}");
        }
    }
}

#[test]
fn a_registration_token_that_cannot_be_decrypted_is_hidden_not_fatal() {
    let (app, out, _) = app();
    let project = app
        .create_project(
            &ROOT,
            CreateProjectRequest {
                name: Some("p".into()),
                ..Default::default()
            },
        )
        .expect("project");
    out.projects
        .set_project_runners_token(
            project.project.id,
            &SealedToken {
                ciphertext: b"sealed with another key".to_vec(),
                digest: PlainToken::from_user("x").digest(),
            },
        )
        .expect("store");
    let shown = app
        .project(Some(&ROOT), &ProjectRef::Id(project.project.id))
        .expect("still readable");
    assert_eq!(shown.runners_token, None);
}

#[test]
fn storage_failures_are_internal_errors() {
    let out = outbound_over(Arc::new(FailingStore), Arc::new(FixedClock::default()));
    let app = Paddock::new(out);
    assert!(matches!(
        app.authenticate(&PlainToken::from_user("glpat-x")),
        Err(AuthError::Internal(_))
    ));
    assert!(matches!(
        app.project(Some(&ROOT), &ProjectRef::Id(paddock_domain::ProjectId(1))),
        Err(FindError::Internal(_))
    ));
    assert!(matches!(
        app.create_group(
            &ROOT,
            CreateGroupRequest {
                name: "g".into(),
                path: "g".into(),
                parent_id: Some(NamespaceId(1)),
                description: None,
                visibility: None
            }
        ),
        Err(CreateError::Internal(_))
    ));
    assert!(app.ready().is_err());
}
