//! Artifact use cases over the in-memory fakes: uploads past the limit leave nothing behind,
//! expired artifacts are removed (records and files) in bounded batches.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::Duration;
use paddock_app::{AppConfig, Paddock};
use paddock_domain::UserId;
use paddock_domain::job::artifact::{ArtifactFormat, ArtifactType, ExpireIn};
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::*;
use paddock_ports::outbound::Outbound;
use paddock_testkit::{FixedClock, MemoryArtifactStore, memory_outbound};

const ROOT: Actor = Actor {
    user: UserId(1),
    admin: true,
};
const REGISTRATION: &str = "GR1348941instance";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const CONFIG: &str = "a:\n  script: x\nb:\n  script: y\nc:\n  script: z\n";

struct World {
    app: Paddock,
    out: Outbound,
    clock: Arc<FixedClock>,
    files: MemoryArtifactStore,
}

fn world(max_artifact_size: u64) -> World {
    let (out, _, clock) = memory_outbound();
    let files = MemoryArtifactStore::default();
    let out = Outbound {
        artifact_store: Arc::new(files.clone()),
        ..out
    };
    let app = Paddock::with_config(
        out.clone(),
        AppConfig {
            max_artifact_size,
            ..AppConfig::default()
        },
    );
    app.bootstrap(BootstrapRequest {
        root_token: Some(PlainToken::from_user("glpat-root")),
        registration_token: Some(PlainToken::from_user(REGISTRATION)),
    })
    .expect("bootstrap");
    World {
        app,
        out,
        clock,
        files,
    }
}

/// Every job of a fresh pipeline of [`CONFIG`], taken by a runner.
fn running_jobs(app: &Paddock) -> Vec<JobPayload> {
    let project = app
        .create_project(
            &ROOT,
            CreateProjectRequest {
                name: Some("app".into()),
                ci_config: Some(CONFIG.into()),
                ..CreateProjectRequest::default()
            },
        )
        .expect("project");
    app.create_pipeline(
        &ROOT,
        &ProjectRef::Id(project.project.id),
        CreatePipelineRequest {
            ref_name: "main".into(),
            sha: Some(SHA.into()),
            ..CreatePipelineRequest::default()
        },
    )
    .expect("pipeline");
    let runner = app
        .register_runner(RegisterRunnerRequest {
            registration_token: PlainToken::from_user(REGISTRATION),
            settings: RunnerSettingsInput::default(),
            contact: RunnerContact::default(),
        })
        .expect("registered")
        .token;
    (0..3)
        .map(|_| {
            match app
                .request_job(JobRequest {
                    token: runner.clone(),
                    contact: RunnerContact::default(),
                    last_update: None,
                    features: Vec::new(),
                })
                .expect("a poll")
            {
                JobRequestOutcome::Job(payload) => *payload,
                other => panic!("expected a job, got {other:?}"),
            }
        })
        .collect()
}

fn upload(
    app: &Paddock,
    job: &JobPayload,
    data: &[u8],
    expire_in: Option<ExpireIn>,
) -> Result<(), ArtifactUploadError> {
    let mut receiver = app.receive_artifact()?;
    receiver.write(data)?;
    let file = receiver.finish(Some("artifacts.zip".into()));
    app.upload_artifact(
        job.job.id,
        ArtifactUpload {
            token: job.token.clone(),
            artifact_type: ArtifactType::Archive,
            format: ArtifactFormat::Zip,
            expire_in,
            file,
        },
    )
}

#[test]
fn an_upload_past_the_limit_is_refused_as_it_arrives_and_leaves_no_file() {
    let w = world(10);
    let mut receiver = w.app.receive_artifact().unwrap();
    receiver.write(b"0123456789").unwrap();
    assert_eq!(receiver.write(b"x"), Err(ArtifactUploadError::TooLarge));
    drop(receiver);
    assert_eq!(w.files.open_files(), 0);
    assert!(w.files.keys().is_empty());
    // Exactly the limit is kept.
    let jobs = running_jobs(&w.app);
    upload(&w.app, &jobs[0], b"0123456789", None).unwrap();
    assert_eq!(w.files.keys().len(), 1);
}

#[test]
fn a_refused_upload_keeps_no_file() {
    let w = world(1000);
    let jobs = running_jobs(&w.app);
    upload(&w.app, &jobs[0], b"first", None).unwrap();
    assert_eq!(
        upload(&w.app, &jobs[0], b"second", None),
        Err(ArtifactUploadError::Exists)
    );
    let mut receiver = w.app.receive_artifact().unwrap();
    receiver.write(b"x").unwrap();
    let wrong_token = ArtifactUpload {
        token: PlainToken::from_user("glcbt-wrong"),
        artifact_type: ArtifactType::Archive,
        format: ArtifactFormat::Zip,
        expire_in: None,
        file: receiver.finish(None),
    };
    assert_eq!(
        w.app.upload_artifact(jobs[1].job.id, wrong_token),
        Err(ArtifactUploadError::Auth(JobAuthError::Forbidden))
    );
    assert_eq!(w.files.keys().len(), 1);
    assert_eq!(w.files.open_files(), 0);
}

#[test]
fn expired_artifacts_are_removed_in_bounded_batches_with_their_files() {
    let w = world(1000);
    let jobs = running_jobs(&w.app);
    let hour = Some(ExpireIn::After(Duration::hours(1)));
    upload(&w.app, &jobs[0], b"a", hour).unwrap();
    upload(&w.app, &jobs[1], b"b", hour).unwrap();
    upload(&w.app, &jobs[2], b"c", Some(ExpireIn::Never)).unwrap();
    assert_eq!(w.app.remove_expired_artifacts(10), Ok(0));
    w.clock.advance(Duration::minutes(61));
    // Expired artifacts are absent before they are removed.
    assert_eq!(
        w.app
            .download_artifact(jobs[0].job.id, &jobs[0].token)
            .map(|_| ()),
        Err(ArtifactDownloadError::NotFound)
    );
    assert_eq!(w.app.remove_expired_artifacts(1), Ok(1));
    assert_eq!(w.files.keys().len(), 2);
    assert_eq!(w.app.remove_expired_artifacts(10), Ok(1));
    assert_eq!(w.app.remove_expired_artifacts(10), Ok(0));
    assert_eq!(w.files.keys().len(), 1);
    let left = w
        .out
        .artifacts
        .artifacts_of(&[jobs[0].job.id, jobs[1].job.id, jobs[2].job.id])
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].job_id, jobs[2].job.id);
    assert!(
        w.app
            .download_artifact(jobs[2].job.id, &jobs[2].token)
            .is_ok()
    );
}

#[test]
fn an_expired_artifact_is_replaced_by_a_new_upload_of_its_type() {
    let w = world(1000);
    let jobs = running_jobs(&w.app);
    let hour = Some(ExpireIn::After(Duration::hours(1)));
    upload(&w.app, &jobs[0], b"old", hour).unwrap();
    w.clock.advance(Duration::hours(2));
    upload(&w.app, &jobs[0], b"new", None).unwrap();
    let mut content = Vec::new();
    std::io::Read::read_to_end(
        &mut w
            .app
            .download_artifact(jobs[0].job.id, &jobs[0].token)
            .unwrap()
            .content,
        &mut content,
    )
    .unwrap();
    assert_eq!(content, b"new");
    assert_eq!(w.files.keys().len(), 1);
}
