//! Job use cases over the in-memory fakes: the runner's queue value answered from memory,
//! pipelines moving on as runners report, and logs with masked values hidden.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::Duration;
use paddock_app::{AppConfig, Paddock};
use paddock_domain::job::JobStatus;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_domain::{JobId, UserId};
use paddock_ports::inbound::*;
use paddock_ports::outbound::Outbound;
use paddock_testkit::{FixedClock, memory_outbound};

const ROOT: Actor = Actor {
    user: UserId(1),
    admin: true,
};
const REGISTRATION: &str = "GR1348941instance";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const CONFIG: &str = "
stages: [build, test]
build:
  stage: build
  script: echo build
test:
  stage: test
  script: echo test
";

fn app() -> (Paddock, Outbound, Arc<FixedClock>) {
    let (out, _, clock) = memory_outbound();
    let app = Paddock::with_config(out.clone(), AppConfig::default());
    app.bootstrap(BootstrapRequest {
        root_token: Some(PlainToken::from_user("glpat-root")),
        registration_token: Some(PlainToken::from_user(REGISTRATION)),
    })
    .expect("bootstrap");
    (app, out, clock)
}

fn project(app: &Paddock) -> ProjectRef {
    let details = app
        .create_project(
            &ROOT,
            CreateProjectRequest {
                name: Some("app".into()),
                ci_config: Some(CONFIG.into()),
                ..CreateProjectRequest::default()
            },
        )
        .expect("project");
    ProjectRef::Id(details.project.id)
}

fn pipeline(app: &Paddock, project: &ProjectRef) -> PipelineView {
    app.create_pipeline(
        &ROOT,
        project,
        CreatePipelineRequest {
            ref_name: "main".into(),
            sha: Some(SHA.into()),
            ..CreatePipelineRequest::default()
        },
    )
    .expect("pipeline")
}

fn runner(app: &Paddock) -> PlainToken {
    app.register_runner(RegisterRunnerRequest {
        registration_token: PlainToken::from_user(REGISTRATION),
        settings: RunnerSettingsInput::default(),
        contact: RunnerContact::default(),
    })
    .expect("registered")
    .token
}

fn poll(app: &Paddock, token: &PlainToken, last_update: Option<&str>) -> JobRequestOutcome {
    app.request_job(JobRequest {
        token: token.clone(),
        contact: RunnerContact::default(),
        last_update: last_update.map(str::to_owned),
        features: Vec::new(),
    })
    .expect("a poll")
}

fn no_job(outcome: JobRequestOutcome) -> String {
    match outcome {
        JobRequestOutcome::NoJob { last_update } => last_update,
        other => panic!("expected no job, got {other:?}"),
    }
}

fn job(outcome: JobRequestOutcome) -> Box<JobPayload> {
    match outcome {
        JobRequestOutcome::Job(payload) => payload,
        other => panic!("expected a job, got {other:?}"),
    }
}

fn finish(app: &Paddock, payload: &JobPayload, state: &str) -> Result<JobStatus, JobUpdateError> {
    app.update_job(
        payload.job.id,
        JobUpdate {
            token: payload.token.clone(),
            state: Some(state.into()),
            failure_reason: Some("script_failure".into()),
            exit_code: Some(1),
            trace: None,
            checksum: None,
            log_bytesize: None,
        },
    )
    .map(|updated| match updated {
        JobUpdated::Applied(status) => status,
        other => panic!("expected the state applied, got {other:?}"),
    })
}

#[test]
fn an_idle_poll_with_the_current_value_is_answered_from_memory() {
    let (app, out, clock) = app();
    let token = runner(&app);
    let value = no_job(poll(&app, &token, None));
    // The runner disappears behind this process's back (another process deleted it): a poll
    // with the current value does not read the database, so it still gets "no job".
    let id = out
        .runners
        .runner_by_token(&token.digest())
        .unwrap()
        .unwrap()
        .id;
    assert!(out.runners.delete_runner(id).unwrap());
    assert_eq!(no_job(poll(&app, &token, Some(&value))), value);
    // Once the value is older than the refresh interval, the database is asked again.
    clock.advance(Duration::seconds(11));
    let refused = app.request_job(JobRequest {
        token: token.clone(),
        contact: RunnerContact::default(),
        last_update: Some(value),
        features: Vec::new(),
    });
    assert_eq!(refused, Err(RunnerAuthError::Forbidden));
}

#[test]
fn a_poll_after_an_empty_read_is_answered_from_memory_until_a_job_is_queued() {
    let (app, out, clock) = app();
    let token = runner(&app);
    let other = runner(&app);
    let value = no_job(poll(&app, &token, None));
    no_job(poll(&app, &other, None));
    // The queue was read empty at this value: a poll without `last_update` does not read the
    // database again (the runner deleted behind this process's back still gets "no job").
    let id = out
        .runners
        .runner_by_token(&token.digest())
        .unwrap()
        .unwrap()
        .id;
    assert!(out.runners.delete_runner(id).unwrap());
    assert_eq!(no_job(poll(&app, &token, None)), value);
    assert_eq!(no_job(poll(&app, &token, Some("outdated"))), value);
    // A job queued in this process moves the value on: the other runner reads the queue.
    let project = project(&app);
    pipeline(&app, &project);
    assert_eq!(job(poll(&app, &other, None)).job.name, "build");
    // Past the refresh interval the database is asked again.
    clock.advance(Duration::seconds(11));
    let refused = app.request_job(JobRequest {
        token: token.clone(),
        contact: RunnerContact::default(),
        last_update: None,
        features: Vec::new(),
    });
    assert_eq!(refused, Err(RunnerAuthError::Forbidden));
}

#[test]
fn a_job_becoming_pending_changes_the_value_of_runners_that_can_take_it() {
    let (app, _, _) = app();
    let token = runner(&app);
    let project = project(&app);
    let before = no_job(poll(&app, &token, None));
    pipeline(&app, &project);
    // The poll with the old value reads the queue and gets the job.
    let payload = job(poll(&app, &token, Some(&before)));
    assert_eq!(payload.job.name, "build");
    assert!(payload.token.expose().starts_with("glcbt-"));
    let after = no_job(poll(&app, &token, None));
    assert_ne!(before, after);
}

#[test]
fn stages_run_in_order_and_the_pipeline_follows_its_jobs() {
    let (app, _, _) = app();
    let token = runner(&app);
    let project = project(&app);
    let created = pipeline(&app, &project);
    assert_eq!(created.pipeline.status, JobStatus::Pending);
    let build = job(poll(&app, &token, None));
    no_job(poll(&app, &token, None));
    let running = app
        .pipeline(Some(&ROOT), &project, created.pipeline.id)
        .unwrap();
    assert_eq!(running.pipeline.status, JobStatus::Running);
    assert_eq!(finish(&app, &build, "success"), Ok(JobStatus::Success));
    let test = job(poll(&app, &token, None));
    assert_eq!(test.job.name, "test");
    assert_eq!(test.dependencies.len(), 1, "the build job");
    assert_eq!(finish(&app, &test, "failed"), Ok(JobStatus::Failed));
    let done = app
        .pipeline(Some(&ROOT), &project, created.pipeline.id)
        .unwrap();
    assert_eq!(done.pipeline.status, JobStatus::Failed);
    assert!(done.pipeline.finished_at.is_some());
    // A finished job refuses further updates and says what it is.
    assert_eq!(
        finish(&app, &test, "success"),
        Err(JobUpdateError::Auth(JobAuthError::NotRunning(
            JobStatus::Failed
        )))
    );
}

#[test]
fn a_failed_stage_skips_the_next_and_fails_the_pipeline_at_once() {
    let (app, _, _) = app();
    let token = runner(&app);
    let project = project(&app);
    let created = pipeline(&app, &project);
    let build = job(poll(&app, &token, None));
    assert_eq!(finish(&app, &build, "failed"), Ok(JobStatus::Failed));
    // Only jobs were skipped, none started: the pipeline's status still follows.
    let jobs = app
        .pipeline_jobs(
            Some(&ROOT),
            &project,
            created.pipeline.id,
            JobListQuery::default(),
            paddock_domain::pagination::PageRequest::new(None, None),
        )
        .unwrap();
    let statuses: Vec<JobStatus> = jobs.items.iter().map(|v| v.job.status).collect();
    assert_eq!(statuses, vec![JobStatus::Failed, JobStatus::Skipped]);
    let done = app
        .pipeline(Some(&ROOT), &project, created.pipeline.id)
        .unwrap();
    assert_eq!(done.pipeline.status, JobStatus::Failed);
    assert!(done.pipeline.finished_at.is_some());
}

#[test]
fn logs_hide_masked_values_and_append_only_at_their_end() {
    let (app, _, _) = app();
    let token = runner(&app);
    let project = project(&app);
    app.create_variable(
        &ROOT,
        &project,
        VariableInput {
            key: Some("SECRET".into()),
            value: Some("s3cr3t-value".into()),
            masked: Some(true),
            ..VariableInput::default()
        },
    )
    .unwrap();
    pipeline(&app, &project);
    let build = job(poll(&app, &token, None));
    assert!(
        build
            .variables
            .iter()
            .any(|v| v.key == "SECRET" && v.masked && !v.public)
    );
    let append = |start: u64, data: &str| {
        app.append_trace(
            build.job.id,
            TraceAppend {
                token: build.token.clone(),
                start: Some(start),
                data: data.as_bytes().to_vec(),
            },
        )
    };
    assert_eq!(
        append(0, "token s3cr3t-value\n"),
        Ok(TraceAppended::Appended {
            size: 19,
            status: JobStatus::Running
        })
    );
    assert_eq!(append(5, "again"), Ok(TraceAppended::Mismatch { size: 19 }));
    let log = app.job_trace(Some(&ROOT), &project, build.job.id).unwrap();
    assert_eq!(String::from_utf8(log).unwrap(), "token [MASKED]xxxx\n");
    // Someone else's token gets nothing.
    let stranger = app.append_trace(
        build.job.id,
        TraceAppend {
            token: PlainToken::from_user("glcbt-wrong"),
            start: Some(19),
            data: b"x".to_vec(),
        },
    );
    assert_eq!(stranger, Err(TraceError::Auth(JobAuthError::Forbidden)));
    let missing = app.append_trace(
        JobId(999),
        TraceAppend {
            token: build.token.clone(),
            start: Some(0),
            data: b"x".to_vec(),
        },
    );
    assert_eq!(missing, Err(TraceError::Auth(JobAuthError::NotFound)));
}

/// `PUT /ci/api/v1/builds/:id` with `token` and `state`.
fn update_build(
    app: &Paddock,
    id: JobId,
    token: &PlainToken,
    state: Option<&str>,
) -> Result<BuildView, JobUpdateError> {
    app.update_build(
        id,
        JobUpdate {
            token: token.clone(),
            state: state.map(str::to_owned),
            failure_reason: None,
            exit_code: None,
            trace: None,
            checksum: None,
            log_bytesize: None,
        },
    )
}

#[test]
fn a_legacy_build_update_takes_the_runner_token_or_the_build_token() {
    let (app, _, _) = app();
    let token = runner(&app);
    let other = runner(&app);
    let project = project(&app);
    pipeline(&app, &project);
    let build = job(poll(&app, &token, None));
    let id = build.job.id;
    // Another runner's token: as if the build did not exist; an unknown token: forbidden.
    let refused = |token: &str| {
        update_build(&app, id, &PlainToken::from_user(token), Some("success")).map(|v| v.job.status)
    };
    assert_eq!(
        update_build(&app, id, &other, Some("success")).map(|v| v.job.status),
        Err(JobUpdateError::Auth(JobAuthError::NotFound))
    );
    for unknown in ["", "glrt-unknown", "glcbt-unknown"] {
        assert_eq!(
            refused(unknown),
            Err(JobUpdateError::Auth(JobAuthError::Forbidden)),
            "{unknown:?}"
        );
    }
    assert_eq!(
        update_build(&app, JobId(-1), &token, None).map(|v| v.job.status),
        Err(JobUpdateError::Auth(JobAuthError::NotFound))
    );
    // The runner's token keeps the build alive and names its project.
    let alive = update_build(&app, id, &token, Some("running")).unwrap();
    assert_eq!(alive.job.status, JobStatus::Running);
    assert_eq!(alive.project.name, "app");
    // The build's own token finishes it; then it is no longer running.
    let done = update_build(&app, id, &build.token, Some("success")).unwrap();
    assert_eq!(done.job.status, JobStatus::Success);
    assert_eq!(
        update_build(&app, id, &token, Some("failed")).map(|v| v.job.status),
        Err(JobUpdateError::Auth(JobAuthError::NotRunning(
            JobStatus::Success
        )))
    );
}

#[test]
fn a_paused_runner_is_told_so() {
    let (app, out, _) = app();
    let token = runner(&app);
    let project = project(&app);
    pipeline(&app, &project);
    let runner = out
        .runners
        .runner_by_token(&token.digest())
        .unwrap()
        .unwrap();
    app.update_runner(
        &ROOT,
        runner.id,
        RunnerSettingsInput {
            active: Some(false),
            ..RunnerSettingsInput::default()
        },
    )
    .unwrap();
    assert!(matches!(
        poll(&app, &token, None),
        JobRequestOutcome::Paused { .. }
    ));
}

fn keep_alive(app: &Paddock, payload: &JobPayload) -> JobUpdated {
    app.update_job(
        payload.job.id,
        JobUpdate {
            token: payload.token.clone(),
            state: None,
            failure_reason: None,
            exit_code: None,
            trace: None,
            checksum: None,
            log_bytesize: None,
        },
    )
    .expect("a keep-alive")
}

#[test]
fn overdue_jobs_end_by_their_timeout_or_their_runners_silence_and_reports_keep_them_alive() {
    let (app, out, clock) = app();
    let token = runner(&app);
    let project = project(&app);
    pipeline(&app, &project);
    pipeline(&app, &project);
    let reported = job(poll(&app, &token, None));
    let silent = job(poll(&app, &token, None));
    assert_eq!(reported.timeout, 3600);
    let status = |payload: &JobPayload| out.jobs.job(payload.job.id).unwrap().unwrap();
    clock.advance(Duration::minutes(30));
    assert_eq!(
        keep_alive(&app, &reported),
        JobUpdated::Applied(JobStatus::Running)
    );
    // 62 minutes: the silent job's runner said nothing for over an hour; the other job's
    // contact 32 minutes ago counts, and its timeout (60 minutes) has 5 minutes of grace.
    clock.advance(Duration::minutes(32));
    let report = app.end_overdue_jobs(100).unwrap();
    assert_eq!(
        report,
        OverdueReport {
            silent: 1,
            ..OverdueReport::default()
        }
    );
    let ended = status(&silent);
    assert_eq!(ended.status, JobStatus::Failed);
    assert_eq!(
        ended.failure_reason.map(|r| r.as_str()),
        Some("stuck_or_timeout_failure")
    );
    assert_eq!(status(&reported).status, JobStatus::Running);
    clock.advance(Duration::minutes(4));
    let report = app.end_overdue_jobs(100).unwrap();
    assert_eq!(report.timed_out, 1);
    let ended = status(&reported);
    assert_eq!(
        ended.failure_reason.map(|r| r.as_str()),
        Some("job_execution_timeout")
    );
    assert_eq!(app.end_overdue_jobs(100).unwrap().total(), 0);
}

#[test]
fn a_final_state_waits_for_its_log_at_most_five_minutes() {
    let (app, out, clock) = app();
    let token = runner(&app);
    let project = project(&app);
    pipeline(&app, &project);
    let payload = job(poll(&app, &token, None));
    let finish = || {
        app.update_job(
            payload.job.id,
            JobUpdate {
                token: payload.token.clone(),
                state: Some("success".into()),
                failure_reason: None,
                exit_code: None,
                trace: None,
                checksum: Some("crc32:00000000".into()),
                log_bytesize: Some(10),
            },
        )
        .unwrap()
    };
    let waiting = |retry_in| JobUpdated::Waiting {
        status: JobStatus::Running,
        retry_in,
    };
    assert_eq!(finish(), waiting(1));
    clock.advance(Duration::seconds(3));
    assert_eq!(finish(), waiting(4));
    clock.advance(Duration::minutes(4));
    assert_eq!(finish(), waiting(60));
    clock.advance(Duration::minutes(1));
    assert_eq!(finish(), JobUpdated::Applied(JobStatus::Success));
    let done = out.jobs.job(payload.job.id).unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Success);
}
