//! What only a real database can show: the job repository's rules hold when many
//! connections race, on SQLite (one file, many pooled connections) and on PostgreSQL.
//!
//! Each case runs on a fresh database of each backend; without a PostgreSQL server the
//! `postgres` half passes without running (see `paddock_db::testing`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::thread;

use chrono::{DateTime, TimeZone, Utc};
use paddock_db::{Database, DatabaseUrl, DbStore};
use paddock_domain::ci::{AllowFailure, JobDefinition, When};
use paddock_domain::job::trace::Append;
use paddock_domain::job::{Job, JobStatus};
use paddock_domain::project::Project;
use paddock_domain::runner::{RegistrationType, Runner, RunnerSettings, RunnerType};
use paddock_domain::token::TokenDigest;
use paddock_domain::{JobId, Visibility};
use paddock_ports::outbound::{
    Assignment, JobRepository, NamespaceRepository, NewGroup, NewJob, NewPipeline, NewProject,
    NewRunner, NewUser, PipelineRepository, ProjectRepository, QueueQuery, QueueScope,
    RunnerRepository, SealedToken, UserRepository,
};

const THREADS: usize = 8;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap()
}

fn store(url: &str) -> Arc<DbStore> {
    let db = Database::open(&DatabaseUrl::parse(url).unwrap(), THREADS as u32).unwrap();
    db.migrate().unwrap();
    Arc::new(DbStore::new(db))
}

/// Runs `case` on a fresh SQLite file and, when a server answers, a fresh PostgreSQL database.
fn on_both(case: fn(Arc<DbStore>)) {
    let dir = tempfile::tempdir().unwrap();
    case(store(&format!(
        "sqlite://{}",
        dir.path().join("paddock.db").display()
    )));
    if let Some(database) = paddock_db::testing::postgres() {
        case(store(database.url()));
    }
}

fn sealed(label: &str) -> SealedToken {
    SealedToken {
        ciphertext: label.as_bytes().to_vec(),
        digest: TokenDigest::of(label),
    }
}

/// A project that allows instance runners.
fn project(store: &DbStore, path: &str) -> Project {
    let owner = store
        .create_user(NewUser {
            username: format!("{path}-owner"),
            name: "Owner".to_owned(),
            email: format!("{path}@example.com"),
            admin: false,
            created_at: at(),
        })
        .unwrap();
    let group = store
        .create_group(NewGroup {
            name: format!("{path}-group"),
            path: format!("{path}-group"),
            parent_id: None,
            description: String::new(),
            visibility: Visibility::Private,
            runners_token: sealed(&format!("group-{path}")),
            created_at: at(),
            creator: owner.id,
        })
        .unwrap();
    store
        .create_project(NewProject {
            name: path.to_owned(),
            path: path.to_owned(),
            description: String::new(),
            namespace_id: group.id,
            visibility: Visibility::Private,
            default_branch: "main".to_owned(),
            repository_url: None,
            ci_config: None,
            shared_runners_enabled: true,
            group_runners_enabled: true,
            creator_id: owner.id,
            runners_token: sealed(&format!("project-{path}")),
            created_at: at(),
            creator_role: None,
        })
        .unwrap()
}

fn instance_runner(store: &DbStore, label: &str) -> Runner {
    store
        .create_runner(NewRunner {
            runner_type: RunnerType::Instance,
            group_id: None,
            project_id: None,
            settings: RunnerSettings::default(),
            name: None,
            token_digest: TokenDigest::of(&format!("glrt-{label}")),
            token_expires_at: None,
            registration_type: RegistrationType::AuthenticatedUser,
            creator_id: None,
            created_at: at(),
        })
        .unwrap()
}

fn new_job(name: &str) -> NewJob {
    NewJob {
        name: name.to_owned(),
        stage: "test".to_owned(),
        stage_index: 0,
        status: JobStatus::Pending,
        when: When::OnSuccess,
        allow_failure: false,
        definition: JobDefinition {
            name: name.to_owned(),
            stage: "test".to_owned(),
            stage_index: 0,
            script: vec!["true".to_owned()],
            before_script: Vec::new(),
            after_script: Vec::new(),
            image: None,
            services: Vec::new(),
            variables: Vec::new(),
            tags: Vec::new(),
            artifacts: None,
            cache: Vec::new(),
            dependencies: None,
            needs: None,
            timeout: None,
            allow_failure: AllowFailure::No,
            when: When::OnSuccess,
        },
        tags: Vec::new(),
    }
}

fn pipeline(project: &Project, jobs: Vec<NewJob>) -> NewPipeline {
    NewPipeline {
        project_id: project.id,
        ref_name: "main".to_owned(),
        sha: "a".repeat(40),
        before_sha: "0".repeat(40),
        tag: false,
        protected: false,
        source: "api".to_owned(),
        status: JobStatus::Pending,
        user_id: None,
        variables: Vec::new(),
        commit: None,
        created_at: at(),
        jobs,
    }
}

/// Many runners poll one queue at once: every job goes to exactly one of them.
fn every_job_is_taken_exactly_once(store: Arc<DbStore>) {
    let app = project(&store, "app");
    let jobs: Vec<NewJob> = (0..40).map(|i| new_job(&format!("job{i}"))).collect();
    let (_, created) = store.create_pipeline(pipeline(&app, jobs)).unwrap();
    let runners: Vec<Runner> = (0..THREADS)
        .map(|i| instance_runner(&store, &format!("r{i}")))
        .collect();
    let handles: Vec<_> = runners
        .into_iter()
        .enumerate()
        .map(|(n, runner)| {
            let store = Arc::clone(&store);
            thread::spawn(move || {
                let query = QueueQuery {
                    scope: QueueScope::ProjectRunner(runner.id),
                    tags: Vec::new(),
                    run_untagged: true,
                    protected_only: false,
                };
                // Project runners see the project's whole queue (instance runners one job
                // per project): every runner races for every job.
                store.assign_runner(runner.id, app.id, at()).ok();
                let mut taken: Vec<Job> = Vec::new();
                let mut attempt = 0;
                loop {
                    let candidates = store.queue(&query, 5).unwrap();
                    if candidates.is_empty() {
                        return taken;
                    }
                    for candidate in candidates {
                        attempt += 1;
                        let assignment = Assignment {
                            job: candidate.job,
                            runner: runner.id,
                            instance_runner: false,
                            system_id: format!("m{n}"),
                            token_digest: TokenDigest::of(&format!("glcbt-{n}-{attempt}")),
                            at: at(),
                            cancel_gracefully: false,
                        };
                        if let Some(job) = store.assign_job(&assignment).unwrap() {
                            taken.push(job);
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    let mut owners: HashMap<JobId, usize> = HashMap::new();
    for handle in handles {
        for job in handle.join().unwrap() {
            assert_eq!(job.status, JobStatus::Running);
            *owners.entry(job.id).or_default() += 1;
        }
    }
    let expected: BTreeSet<JobId> = created.iter().map(|j| j.id).collect();
    assert_eq!(owners.keys().copied().collect::<BTreeSet<_>>(), expected);
    assert!(owners.values().all(|n| *n == 1), "{owners:?}");
    // What each runner was told it took is what is stored.
    for job in &created {
        let stored = store.job(job.id).unwrap().unwrap();
        assert_eq!(stored.status, JobStatus::Running);
        let (_, digest) = store.job_with_token(job.id).unwrap().unwrap();
        let digest = digest.expect("a token");
        assert_eq!(
            store.job_by_token(&digest).unwrap().map(|j| j.id),
            Some(job.id)
        );
    }
}

#[test]
fn every_job_is_taken_exactly_once_on_both_databases() {
    on_both(every_job_is_taken_exactly_once);
}

/// Pipelines created at once in one project get distinct numbers, one after another.
fn concurrent_pipelines_are_numbered_without_gaps_or_repeats(store: Arc<DbStore>) {
    let app = project(&store, "app");
    let other = project(&store, "other");
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = Arc::clone(&store);
            let (app, other) = (app.clone(), other.clone());
            thread::spawn(move || {
                let mut iids = Vec::new();
                for _ in 0..5 {
                    let (made, _) = store
                        .create_pipeline(pipeline(&app, vec![new_job("build")]))
                        .unwrap();
                    iids.push(made.iid);
                    store.create_pipeline(pipeline(&other, Vec::new())).unwrap();
                }
                iids
            })
        })
        .collect();
    let mut iids: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    iids.sort_unstable();
    let expected: Vec<i64> = (1..=(THREADS as i64 * 5)).collect();
    assert_eq!(iids, expected);
    let next = store.create_pipeline(pipeline(&other, Vec::new())).unwrap();
    assert_eq!(next.0.iid, THREADS as i64 * 5 + 1);
}

#[test]
fn concurrent_pipelines_are_numbered_without_gaps_or_repeats_on_both_databases() {
    on_both(concurrent_pipelines_are_numbered_without_gaps_or_repeats);
}

/// Appends racing for the same offset: one is written, the others are told the new size.
fn racing_appends_write_once_at_each_offset(store: Arc<DbStore>) {
    let app = project(&store, "app");
    let (_, jobs) = store
        .create_pipeline(pipeline(&app, vec![new_job("build")]))
        .unwrap();
    let job = jobs[0].id;
    let mut expected: Vec<u8> = Vec::new();
    for round in 0..5_u8 {
        let start = expected.len() as u64;
        let handles: Vec<_> = (0..THREADS)
            .map(|n| {
                let store = Arc::clone(&store);
                let data = vec![b'a' + n as u8; 3 + round as usize];
                thread::spawn(move || {
                    let result = store.append_trace(job, start, &data, 10_000).unwrap();
                    (data, result)
                })
            })
            .collect();
        let results: Vec<(Vec<u8>, Option<Append>)> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        let written: Vec<&Vec<u8>> = results
            .iter()
            .filter(|(_, r)| matches!(r, Some(Append::Written(_))))
            .map(|(data, _)| data)
            .collect();
        assert_eq!(written.len(), 1, "{results:?}");
        expected.extend_from_slice(written[0]);
        let size = expected.len() as u64;
        for (_, result) in &results {
            assert!(
                matches!(result, Some(Append::Written(n)) | Some(Append::Mismatch(n)) if *n == size),
                "{result:?} after a log of {size} bytes"
            );
        }
    }
    assert_eq!(store.trace(job).unwrap(), Some(expected.clone()));
    let stored = store.job(job).unwrap().unwrap();
    assert_eq!(stored.trace_size, expected.len() as i64);
}

#[test]
fn racing_appends_write_once_at_each_offset_on_both_databases() {
    on_both(racing_appends_write_once_at_each_offset);
}
