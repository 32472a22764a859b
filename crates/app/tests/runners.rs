//! Runner use cases over the in-memory fakes, with a clock that moves: statuses over time,
//! token expiry, and contact writes kept in memory between flushes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::Duration;
use paddock_app::{AppConfig, Paddock};
use paddock_domain::UserId;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::runner::filter::StatusFilter;
use paddock_domain::runner::status::RunnerStatus;
use paddock_domain::runner::{RunnerId, RunnerInfo};
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::*;
use paddock_ports::outbound::Outbound;
use paddock_testkit::{FixedClock, memory_outbound};

const ROOT: Actor = Actor {
    user: UserId(1),
    admin: true,
};
const REGISTRATION: &str = "GR1348941instance";

fn app(config: AppConfig) -> (Paddock, Outbound, Arc<FixedClock>) {
    let (out, _, clock) = memory_outbound();
    let app = Paddock::with_config(out.clone(), config);
    app.bootstrap(BootstrapRequest {
        root_token: Some(PlainToken::from_user("glpat-root")),
        registration_token: Some(PlainToken::from_user(REGISTRATION)),
    })
    .expect("bootstrap");
    (app, out, clock)
}

fn register(app: &Paddock) -> IssuedToken {
    app.register_runner(RegisterRunnerRequest {
        registration_token: PlainToken::from_user(REGISTRATION),
        settings: RunnerSettingsInput::default(),
        contact: RunnerContact::default(),
    })
    .expect("registered")
}

fn contact(system_id: &str, version: &str) -> RunnerContact {
    RunnerContact {
        system_id: Some(system_id.into()),
        info: Some(RunnerInfo {
            version: Some(version.into()),
            ..RunnerInfo::default()
        }),
        ip_address: Some("10.0.0.1".into()),
    }
}

fn status(app: &Paddock, id: RunnerId) -> (RunnerStatus, Option<bool>) {
    let details = app.runner(&ROOT, id, false).expect("readable");
    (details.view.status, details.view.online)
}

fn listed(app: &Paddock, status: StatusFilter) -> Vec<RunnerId> {
    let query = RunnerListQuery {
        status: Some(status),
        ..RunnerListQuery::default()
    };
    app.runners(&ROOT, RunnerList::All, query, PageRequest::default())
        .expect("listed")
        .items
        .into_iter()
        .map(|v| v.runner.id)
        .collect()
}

#[test]
fn status_follows_contacts_and_time() {
    let (app, _, clock) = app(AppConfig::default());
    let runner = register(&app);
    assert_eq!(
        status(&app, runner.runner),
        (RunnerStatus::NotConnected, None)
    );
    assert_eq!(listed(&app, StatusFilter::NotConnected), [runner.runner]);
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    assert_eq!(
        status(&app, runner.runner),
        (RunnerStatus::Online, Some(true))
    );
    assert_eq!(listed(&app, StatusFilter::Online), [runner.runner]);
    clock.advance(Duration::hours(2));
    assert_eq!(
        status(&app, runner.runner),
        (RunnerStatus::Offline, Some(false))
    );
    assert_eq!(listed(&app, StatusFilter::Offline), [runner.runner]);
    assert!(listed(&app, StatusFilter::Online).is_empty());
    clock.advance(Duration::days(7));
    assert_eq!(
        status(&app, runner.runner),
        (RunnerStatus::Stale, Some(false))
    );
    assert_eq!(listed(&app, StatusFilter::Stale), [runner.runner]);
}

#[test]
fn a_paused_runner_in_contact_is_paused_but_online() {
    let (app, _, _) = app(AppConfig::default());
    let runner = register(&app);
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    let paused = RunnerSettingsInput {
        active: Some(false),
        ..RunnerSettingsInput::default()
    };
    app.update_runner(&ROOT, runner.runner, paused)
        .expect("paused");
    assert_eq!(
        status(&app, runner.runner),
        (RunnerStatus::Paused, Some(true))
    );
    assert_eq!(
        listed(&app, StatusFilter::Online),
        [runner.runner],
        "filters select by contact time"
    );
    assert_eq!(listed(&app, StatusFilter::Paused), [runner.runner]);
}

#[test]
fn tokens_expire_after_the_configured_lifetime() {
    let config = AppConfig {
        runner_token_lifetime: Some(Duration::hours(1)),
        ..AppConfig::default()
    };
    let (app, out, clock) = app(config);
    let runner = register(&app);
    assert_eq!(
        runner.expires_at,
        Some(out.clock.now() + Duration::hours(1))
    );
    assert!(
        app.verify_runner(&runner.token, RunnerContact::default())
            .is_ok()
    );
    clock.advance(Duration::minutes(30));
    let reset = app
        .reset_own_runner_token(&runner.token, RunnerContact::default())
        .expect("reset");
    assert_eq!(
        reset.expires_at,
        Some(out.clock.now() + Duration::hours(1)),
        "a reset token lives a full lifetime"
    );
    assert_eq!(
        app.verify_runner(&runner.token, RunnerContact::default()),
        Err(RunnerAuthError::Forbidden),
        "the old token is gone"
    );
    clock.advance(Duration::hours(1));
    assert_eq!(
        app.verify_runner(&reset.token, RunnerContact::default()),
        Err(RunnerAuthError::Forbidden),
        "expired"
    );
    assert_eq!(
        app.reset_own_runner_token(&reset.token, RunnerContact::default()),
        Err(RunnerAuthError::Forbidden)
    );
}

#[test]
fn contacts_are_written_at_most_once_per_interval_but_read_live() {
    let (app, out, clock) = app(AppConfig::default());
    let runner = register(&app);
    let t0 = out.clock.now();
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    assert_eq!(
        app.flush_runner_contacts(false),
        Ok(2),
        "the runner and its new manager"
    );
    clock.advance(Duration::minutes(1));
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    assert_eq!(
        app.flush_runner_contacts(false),
        Ok(0),
        "written a minute ago"
    );
    let stored = out
        .runners
        .runner(runner.runner)
        .expect("read")
        .expect("exists");
    assert_eq!(stored.contacted_at, Some(t0));
    let shown = app.runner(&ROOT, runner.runner, false).expect("readable");
    assert_eq!(
        shown.view.contacted_at,
        Some(t0 + Duration::minutes(1)),
        "readers see the live value"
    );
    clock.advance(Duration::minutes(5));
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    assert_eq!(app.flush_runner_contacts(false), Ok(2));
    let stored = out
        .runners
        .runner(runner.runner)
        .expect("read")
        .expect("exists");
    assert_eq!(stored.contacted_at, Some(t0 + Duration::minutes(6)));
}

#[test]
fn details_report_the_most_recently_contacted_manager() {
    let (app, _, clock) = app(AppConfig::default());
    let runner = register(&app);
    app.verify_runner(&runner.token, contact("s_old", "16.0.0"))
        .expect("verified");
    clock.advance(Duration::minutes(1));
    app.verify_runner(&runner.token, contact("s_new", "17.1.0"))
        .expect("verified");
    let details = app.runner(&ROOT, runner.runner, false).expect("readable");
    let latest = details.latest_manager.expect("a manager");
    assert_eq!(latest.system_id, "s_new");
    assert_eq!(latest.info.version.as_deref(), Some("17.1.0"));
    let managers = app.runner_managers(&ROOT, runner.runner).expect("listed");
    assert_eq!(managers.len(), 2);
    app.remove_runner_manager(&runner.token, "s_old", None)
        .expect("removed");
    assert_eq!(
        app.runner_managers(&ROOT, runner.runner)
            .expect("listed")
            .len(),
        1
    );
    assert_eq!(
        app.remove_runner_manager(&runner.token, "s_old", None),
        Err(RemoveManagerError::NotFound)
    );
}

#[test]
fn a_deleted_runner_leaves_nothing_to_write() {
    let (app, out, _) = app(AppConfig::default());
    let runner = register(&app);
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    app.unregister_runner(&runner.token, None)
        .expect("unregistered");
    assert_eq!(app.flush_runner_contacts(false), Ok(0));
    assert_eq!(out.runners.runner(runner.runner).expect("read"), None);
    assert_eq!(
        app.verify_runner(&runner.token, RunnerContact::default()),
        Err(RunnerAuthError::Forbidden)
    );
}

#[test]
fn registration_tokens_of_projects_and_groups_make_their_runners() {
    let (app, _, _) = app(AppConfig::default());
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
    let project = app
        .create_project(
            &ROOT,
            CreateProjectRequest {
                name: Some("p".into()),
                ..CreateProjectRequest::default()
            },
        )
        .expect("project");
    for (token, expected) in [
        (
            group.runners_token.expect("owner sees it"),
            paddock_domain::runner::RunnerType::Group,
        ),
        (
            project.runners_token.expect("owner sees it"),
            paddock_domain::runner::RunnerType::Project,
        ),
    ] {
        let issued = app
            .register_runner(RegisterRunnerRequest {
                registration_token: token,
                settings: RunnerSettingsInput::default(),
                contact: RunnerContact::default(),
            })
            .expect("registered");
        let details = app.runner(&ROOT, issued.runner, true).expect("readable");
        assert_eq!(details.view.runner.runner_type, expected);
    }
    let wrong = app.register_runner(RegisterRunnerRequest {
        registration_token: PlainToken::from_user("GR1348941wrong"),
        settings: RunnerSettingsInput::default(),
        contact: RunnerContact::default(),
    });
    assert_eq!(wrong, Err(RegisterError::InvalidToken));
}

#[test]
fn deletes_honour_if_unmodified_since() {
    let (app, out, clock) = app(AppConfig::default());
    let runner = register(&app);
    let seen = out.clock.now();
    clock.advance(Duration::seconds(5));
    let changed = RunnerSettingsInput {
        description: Some("changed".into()),
        ..RunnerSettingsInput::default()
    };
    app.update_runner(&ROOT, runner.runner, changed)
        .expect("updated");
    assert_eq!(
        app.delete_runner(&ROOT, runner.runner, Some(seen)),
        Err(RunnerError::PreconditionFailed)
    );
    assert_eq!(
        app.unregister_runner(&runner.token, Some(seen)),
        Err(RunnerAuthError::PreconditionFailed)
    );
    app.verify_runner(&runner.token, contact("s_1", "17.0.0"))
        .expect("verified");
    assert_eq!(
        app.remove_runner_manager(&runner.token, "s_1", Some(seen)),
        Err(RemoveManagerError::PreconditionFailed)
    );
    let now = out.clock.now();
    assert_eq!(
        app.remove_runner_manager(&runner.token, "s_1", Some(now)),
        Ok(())
    );
    assert!(app.delete_runner(&ROOT, runner.runner, Some(now)).is_ok());
}
