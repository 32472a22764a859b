//! Pipelines: creation with their jobs, numbering, lists, status versions, deletion.

use chrono::{DateTime, Duration, Utc};
use paddock_domain::ci::{
    AllowFailure, Artifacts, ArtifactsWhen, Cache, Image, JobDefinition, Need, Variable, When,
};
use paddock_domain::job::{Commit, Job, JobStatus, Pipeline, PipelineVariable};
use paddock_domain::namespace::Namespace;
use paddock_domain::pagination::PageRequest;
use paddock_domain::project::Project;
use paddock_domain::user::User;
use paddock_domain::variable::VariableType;
use paddock_domain::{JobId, PipelineId, ProjectId, UserId};
use paddock_ports::outbound::{
    JobFilter, JobSet, NewJob, NewPipeline, Outbound, PipelineFilter, PipelineOrder,
    PipelineStatusUpdate, Retry, Sort,
};

use super::jobs::{job_digest, take};
use super::variables::variable;
use super::{
    conflict, everything, group, instance_runner, now, page, project, secs, strings, user,
};

// ----------------------------------------------------------------------------------------
// Builders (shared with the job and variable cases)
// ----------------------------------------------------------------------------------------

/// A commit id made of one repeated character.
pub(super) fn sha(c: char) -> String {
    c.to_string().repeat(40)
}

/// The smallest definition of a job: one script line.
pub(super) fn definition(name: &str, stage: &str, stage_index: usize) -> JobDefinition {
    JobDefinition {
        name: name.to_owned(),
        stage: stage.to_owned(),
        stage_index,
        script: vec![format!("make {name}")],
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
    }
}

/// An untagged job of the `test` stage in this status.
pub(super) fn new_job(name: &str, status: JobStatus) -> NewJob {
    NewJob {
        name: name.to_owned(),
        stage: "test".to_owned(),
        stage_index: 1,
        status,
        when: When::OnSuccess,
        allow_failure: false,
        definition: definition(name, "test", 1),
        tags: Vec::new(),
    }
}

/// A pending job with these tags.
pub(super) fn tagged_job(name: &str, names: &[&str]) -> NewJob {
    NewJob {
        tags: strings(names),
        ..new_job(name, JobStatus::Pending)
    }
}

/// A pending, unprotected pipeline of `main` made now through the API, without user.
pub(super) fn new_pipeline(out: &Outbound, project: &Project, jobs: Vec<NewJob>) -> NewPipeline {
    NewPipeline {
        project_id: project.id,
        ref_name: "main".to_owned(),
        sha: sha('a'),
        before_sha: sha('0'),
        tag: false,
        protected: false,
        source: "api".to_owned(),
        status: JobStatus::Pending,
        user_id: None,
        variables: Vec::new(),
        commit: None,
        created_at: now(out),
        jobs,
    }
}

pub(super) fn create_pipeline(out: &Outbound, new: NewPipeline) -> (Pipeline, Vec<Job>) {
    out.pipelines
        .create_pipeline(new)
        .expect("create a pipeline")
}

/// A new pipeline of the project with these jobs.
pub(super) fn pipeline_with(
    out: &Outbound,
    project: &Project,
    jobs: Vec<NewJob>,
) -> (Pipeline, Vec<Job>) {
    create_pipeline(out, new_pipeline(out, project, jobs))
}

/// A new pipeline of the project with this one job.
pub(super) fn one_job(out: &Outbound, project: &Project, job: NewJob) -> Job {
    let (_, jobs) = pipeline_with(out, project, vec![job]);
    jobs.into_iter().next().expect("one job")
}

/// A pending untagged job in a new pipeline of the project.
pub(super) fn pending_job(out: &Outbound, project: &Project, name: &str) -> Job {
    one_job(out, project, new_job(name, JobStatus::Pending))
}

/// The job as stored now.
pub(super) fn reread_job(out: &Outbound, job: &Job) -> Job {
    out.jobs.job(job.id).unwrap().expect("the job exists")
}

pub(super) fn job_ids(jobs: &[Job]) -> Vec<JobId> {
    jobs.iter().map(|j| j.id).collect()
}

/// A job list of one set, any status, retried tries left out, by id.
pub(super) fn jobs_of(set: JobSet) -> JobFilter {
    JobFilter {
        set,
        statuses: Vec::new(),
        include_retried: false,
        projects: None,
        sort: Sort::Asc,
    }
}

/// The ids of a whole job list, checking that its total counts it.
pub(super) fn listed_jobs(out: &Outbound, filter: &JobFilter) -> Vec<JobId> {
    let found = out.jobs.jobs(filter, everything()).expect("list jobs");
    assert_eq!(
        found.total,
        found.items.len() as u64,
        "the total counts the list"
    );
    job_ids(&found.items)
}

/// A project with a pipeline holding one job, and its variable `KEY`: what a project's
/// deletion must take along.
fn busy_project(out: &Outbound, owner: &User, namespace: &Namespace, path: &str) -> (Project, Job) {
    let p = project(out, owner, namespace, path);
    let job = pending_job(out, &p, "build");
    out.jobs
        .append_trace(job.id, 0, b"log", 1000)
        .expect("append a log");
    variable(out, &p, "KEY");
    (p, reread_job(out, &job))
}

fn status_update(status: JobStatus, at: DateTime<Utc>) -> PipelineStatusUpdate {
    PipelineStatusUpdate {
        status,
        started_at: None,
        finished_at: None,
        updated_at: at,
    }
}

/// The pipeline as stored now.
fn stored_pipeline(out: &Outbound, id: PipelineId) -> Pipeline {
    out.pipelines
        .pipeline(id)
        .unwrap()
        .expect("the pipeline exists")
}

/// Writes a status over the pipeline's current version.
fn set_status(out: &Outbound, pipeline: &Pipeline, update: &PipelineStatusUpdate) {
    let current = stored_pipeline(out, pipeline.id);
    let written = out
        .pipelines
        .update_pipeline_status(pipeline.id, current.lock_version, update);
    assert_eq!(written, Ok(true));
}

/// Every pipeline id of the project passing the filter, checking that the total counts them.
fn pipeline_ids(out: &Outbound, project: &Project, filter: &PipelineFilter) -> Vec<PipelineId> {
    let found = out
        .pipelines
        .pipelines(project.id, filter, everything())
        .expect("list pipelines");
    assert_eq!(
        found.total,
        found.items.len() as u64,
        "the total counts the list"
    );
    found.items.into_iter().map(|p| p.id).collect()
}

// ----------------------------------------------------------------------------------------
// Pipelines
// ----------------------------------------------------------------------------------------

pub fn pipelines_are_created_with_their_jobs_and_read_back(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let at = now(out);
    let commit = Commit {
        title: "Add the release job".to_owned(),
        message: "Add the release job\n\nWith a body: ünïcode too.\n".to_owned(),
        parent_ids: vec![sha('b'), sha('c')],
        author_name: "Alice".to_owned(),
        author_email: "alice@example.com".to_owned(),
        authored_date: at - secs(7200),
        committer_name: "Bob".to_owned(),
        committer_email: "bob@example.com".to_owned(),
        committed_date: at - secs(3600),
    };
    let full = JobDefinition {
        before_script: strings(&["echo before"]),
        after_script: strings(&["echo after"]),
        image: Some(Image {
            name: "rust:1.90".to_owned(),
            alias: None,
            entrypoint: Some(strings(&["/bin/sh", "-c"])),
            command: None,
        }),
        services: vec![Image {
            name: "postgres:17".to_owned(),
            alias: Some("db".to_owned()),
            entrypoint: None,
            command: Some(strings(&["postgres", "-c", "fsync=off"])),
        }],
        variables: vec![Variable {
            key: "RUST_LOG".to_owned(),
            value: "debug".to_owned(),
        }],
        tags: strings(&["docker", "linux"]),
        artifacts: Some(Artifacts {
            name: Some("binaries".to_owned()),
            paths: strings(&["target/release/app"]),
            exclude: strings(&["target/release/*.d"]),
            untracked: false,
            when: ArtifactsWhen::Always,
            expire_in: Some("1 week".to_owned()),
        }),
        cache: vec![Cache {
            key: Some("cargo".to_owned()),
            paths: strings(&["~/.cargo"]),
            untracked: false,
            policy: "pull-push".to_owned(),
            when: "on_success".to_owned(),
            fallback_keys: Vec::new(),
        }],
        dependencies: Some(Vec::new()),
        needs: Some(vec![Need {
            job: "lint".to_owned(),
            artifacts: false,
        }]),
        timeout: Some(1800),
        ..definition("build", "build", 0)
    };
    let build = NewJob {
        name: "build".to_owned(),
        stage: "build".to_owned(),
        stage_index: 0,
        status: JobStatus::Pending,
        when: When::OnSuccess,
        allow_failure: false,
        definition: full,
        tags: strings(&["docker", "linux"]),
    };
    let deploy = NewJob {
        name: "deploy".to_owned(),
        stage: "deploy".to_owned(),
        stage_index: 1,
        status: JobStatus::Created,
        when: When::Manual,
        allow_failure: true,
        definition: JobDefinition {
            allow_failure: AllowFailure::ExitCodes(vec![3, 42]),
            when: When::Manual,
            ..definition("deploy", "deploy", 1)
        },
        tags: Vec::new(),
    };
    let variables = vec![
        PipelineVariable {
            key: "DEPLOY".to_owned(),
            value: "yes".to_owned(),
            variable_type: VariableType::EnvVar,
        },
        PipelineVariable {
            key: "CONFIG".to_owned(),
            value: "a = 1\n".to_owned(),
            variable_type: VariableType::File,
        },
    ];
    let new = NewPipeline {
        ref_name: "v1.0".to_owned(),
        sha: sha('d'),
        before_sha: sha('c'),
        tag: true,
        protected: true,
        source: "api".to_owned(),
        status: JobStatus::Pending,
        user_id: Some(owner.id),
        variables: variables.clone(),
        commit: Some(commit.clone()),
        ..new_pipeline(out, &app, vec![build.clone(), deploy.clone()])
    };
    let (pipeline, jobs) = create_pipeline(out, new);

    let expected = Pipeline {
        id: pipeline.id,
        iid: 1,
        project_id: app.id,
        ref_name: "v1.0".to_owned(),
        sha: sha('d'),
        before_sha: sha('c'),
        tag: true,
        protected: true,
        source: "api".to_owned(),
        status: JobStatus::Pending,
        user_id: Some(owner.id),
        variables,
        commit: Some(commit),
        created_at: at,
        updated_at: at,
        started_at: None,
        finished_at: None,
        lock_version: 0,
    };
    assert_eq!(pipeline, expected);
    assert_eq!(out.pipelines.pipeline(pipeline.id), Ok(Some(expected)));

    // Jobs come back in the order given; they take the pipeline's ref, commit, protection
    // and user. A job created pending was queued when it was created.
    assert_eq!(jobs.len(), 2);
    assert!(jobs[0].id < jobs[1].id);
    let made = |new: &NewJob, id: JobId, queued: bool| Job {
        id,
        pipeline_id: pipeline.id,
        project_id: app.id,
        name: new.name.clone(),
        stage: new.stage.clone(),
        stage_index: new.stage_index,
        status: new.status,
        when: new.when,
        allow_failure: new.allow_failure,
        definition: new.definition.clone(),
        tags: new.tags.clone(),
        protected: true,
        ref_name: "v1.0".to_owned(),
        tag: true,
        sha: sha('d'),
        runner_id: None,
        runner_system_id: None,
        failure_reason: None,
        exit_code: None,
        retried: false,
        user_id: Some(owner.id),
        trace_size: 0,
        created_at: at,
        queued_at: queued.then_some(at),
        started_at: None,
        finished_at: None,
        updated_at: at,
    };
    let expected_jobs = vec![
        made(&build, jobs[0].id, true),
        made(&deploy, jobs[1].id, false),
    ];
    assert_eq!(jobs, expected_jobs);
    for job in &expected_jobs {
        assert_eq!(out.jobs.job(job.id), Ok(Some(job.clone())));
        assert_eq!(
            out.jobs.job_with_token(job.id),
            Ok(Some((job.clone(), None)))
        );
        assert_eq!(out.jobs.trace(job.id), Ok(Some(Vec::new())));
    }
    assert_eq!(out.jobs.pipeline_jobs(pipeline.id), Ok(expected_jobs));

    // The least a pipeline holds.
    let (bare, none) = pipeline_with(out, &app, Vec::new());
    assert!(none.is_empty());
    let expected = Pipeline {
        id: bare.id,
        iid: 2,
        project_id: app.id,
        ref_name: "main".to_owned(),
        sha: sha('a'),
        before_sha: sha('0'),
        tag: false,
        protected: false,
        source: "api".to_owned(),
        status: JobStatus::Pending,
        user_id: None,
        variables: Vec::new(),
        commit: None,
        created_at: at,
        updated_at: at,
        started_at: None,
        finished_at: None,
        lock_version: 0,
    };
    assert_eq!(bare, expected);
    assert_eq!(out.pipelines.pipeline(bare.id), Ok(Some(expected)));
    assert_eq!(out.jobs.pipeline_jobs(bare.id), Ok(Vec::new()));

    let missing = PipelineId(bare.id.0 + 1000);
    assert_eq!(out.pipelines.pipeline(missing), Ok(None));
    assert_eq!(out.jobs.pipeline_jobs(missing), Ok(Vec::new()));
    assert_eq!(out.jobs.job(JobId(jobs[1].id.0 + 1000)), Ok(None));
    assert_eq!(
        out.jobs.job_with_token(JobId(jobs[1].id.0 + 1000)),
        Ok(None)
    );
}

pub fn pipeline_numbers_count_within_each_project(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let made = |p: &Project| pipeline_with(out, p, Vec::new()).0;
    let first = made(&app);
    assert_eq!(first.iid, 1);
    assert_eq!(made(&app).iid, 2);
    assert_eq!(made(&lib).iid, 1);
    let (third, _) = pipeline_with(out, &app, vec![new_job("build", JobStatus::Pending)]);
    assert_eq!(third.iid, 3);
    assert_eq!(made(&lib).iid, 2);
    assert_eq!(stored_pipeline(out, third.id).iid, 3);
    // Deleting a pipeline gives no number back.
    assert_eq!(out.pipelines.delete_pipeline(first.id), Ok(true));
    assert_eq!(made(&app).iid, 4);
}

pub fn creating_a_pipeline_in_a_missing_project_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let gone = project(out, &owner, &team, "gone");
    assert_eq!(out.projects.delete_project(gone.id), Ok(true));
    let missing = Project {
        id: ProjectId(app.id.0 + 1000),
        ..app.clone()
    };
    for p in [&gone, &missing] {
        let new = new_pipeline(out, p, vec![new_job("build", JobStatus::Pending)]);
        assert_eq!(
            out.pipelines.create_pipeline(new),
            Err(conflict("reference"))
        );
        let listed = out
            .pipelines
            .pipelines(p.id, &PipelineFilter::default(), everything())
            .unwrap();
        assert_eq!(listed.total, 0);
    }
    // Nothing was half made.
    let (pipeline, jobs) = pipeline_with(out, &app, vec![new_job("build", JobStatus::Pending)]);
    assert_eq!(pipeline.iid, 1);
    assert_eq!(
        listed_jobs(out, &jobs_of(JobSet::Project(app.id))),
        job_ids(&jobs)
    );
}

pub fn pipelines_are_filtered_by_status_ref_sha_source_user_and_update_time(out: &Outbound) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let at = now(out);
    let made = |p: &Project, ref_name: &str, c: char, source: &str, by: Option<&User>| {
        let new = NewPipeline {
            ref_name: ref_name.to_owned(),
            sha: sha(c),
            source: source.to_owned(),
            user_id: by.map(|u| u.id),
            ..new_pipeline(out, p, Vec::new())
        };
        create_pipeline(out, new).0
    };
    let p1 = made(&app, "main", 'a', "api", Some(&alice));
    let p2 = made(&app, "main", 'b', "web", Some(&bob));
    let p3 = made(&app, "feature", 'b', "api", Some(&alice));
    let p4 = {
        let new = NewPipeline {
            ref_name: "feature".to_owned(),
            sha: sha('c'),
            created_at: at + secs(5),
            ..new_pipeline(out, &app, Vec::new())
        };
        create_pipeline(out, new).0
    };
    made(&lib, "main", 'a', "api", Some(&alice));
    set_status(out, &p2, &status_update(JobStatus::Success, at + secs(10)));
    set_status(out, &p3, &status_update(JobStatus::Failed, at + secs(20)));

    let ids = |filter: PipelineFilter| pipeline_ids(out, &app, &filter);
    let all = PipelineFilter::default;
    assert_eq!(ids(all()), [p1.id, p2.id, p3.id, p4.id]);
    let with_status = |status| PipelineFilter {
        statuses: Some(vec![status]),
        ..all()
    };
    assert_eq!(ids(with_status(JobStatus::Pending)), [p1.id, p4.id]);
    assert_eq!(ids(with_status(JobStatus::Success)), [p2.id]);
    assert!(ids(with_status(JobStatus::Running)).is_empty());
    let finished = PipelineFilter {
        statuses: Some(vec![JobStatus::Success, JobStatus::Failed]),
        ..all()
    };
    assert_eq!(ids(finished), [p2.id, p3.id]);
    let nothing = PipelineFilter {
        statuses: Some(Vec::new()),
        ..all()
    };
    assert!(ids(nothing).is_empty(), "no status allowed: no pipeline");
    let on_ref = |name: &str| PipelineFilter {
        ref_name: Some(name.to_owned()),
        ..all()
    };
    assert_eq!(ids(on_ref("main")), [p1.id, p2.id]);
    assert_eq!(ids(on_ref("feature")), [p3.id, p4.id]);
    // Whole names only.
    assert!(ids(on_ref("mai")).is_empty());
    let of_sha = |c: char| PipelineFilter {
        sha: Some(sha(c)),
        ..all()
    };
    assert_eq!(ids(of_sha('b')), [p2.id, p3.id]);
    assert!(ids(of_sha('e')).is_empty());
    let from = |source: &str| PipelineFilter {
        source: Some(source.to_owned()),
        ..all()
    };
    assert_eq!(ids(from("web")), [p2.id]);
    assert_eq!(ids(from("api")), [p1.id, p3.id, p4.id]);
    let by = |u: &User| PipelineFilter {
        user_id: Some(u.id),
        ..all()
    };
    assert_eq!(ids(by(&alice)), [p1.id, p3.id]);
    assert_eq!(ids(by(&bob)), [p2.id]);
    assert!(ids(by(&owner)).is_empty());
    // Update times are compared strictly, to the second given.
    let after = |d: i64| PipelineFilter {
        updated_after: Some(at + secs(d)),
        ..all()
    };
    let before = |d: i64| PipelineFilter {
        updated_before: Some(at + secs(d)),
        ..all()
    };
    assert_eq!(ids(after(5)), [p2.id, p3.id]);
    assert_eq!(ids(after(10)), [p3.id]);
    assert_eq!(ids(before(10)), [p1.id, p4.id]);
    assert_eq!(ids(before(0)), Vec::<PipelineId>::new());
    let between = PipelineFilter {
        updated_after: Some(at),
        updated_before: Some(at + secs(20)),
        ..all()
    };
    assert_eq!(ids(between), [p2.id, p4.id]);
    // Every filter given holds.
    let combined = PipelineFilter {
        ref_name: Some("feature".to_owned()),
        source: Some("api".to_owned()),
        user_id: Some(alice.id),
        ..all()
    };
    assert_eq!(ids(combined), [p3.id]);
}

pub fn pipelines_are_ordered_by_id_status_ref_update_time_or_user_in_either_direction(
    out: &Outbound,
) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let at = now(out);
    let made = |ref_name: &str, by: &User, status: JobStatus, updated: i64| {
        let new = NewPipeline {
            ref_name: ref_name.to_owned(),
            user_id: Some(by.id),
            ..new_pipeline(out, &app, Vec::new())
        };
        let (pipeline, _) = create_pipeline(out, new);
        set_status(out, &pipeline, &status_update(status, at + secs(updated)));
        pipeline
    };
    let p1 = made("main", &bob, JobStatus::Success, 30);
    let p2 = made("feature", &alice, JobStatus::Failed, 10);
    let p3 = made("main", &alice, JobStatus::Running, 10);
    let p4 = made("develop", &bob, JobStatus::Canceled, 20);
    let ordered = |order: PipelineOrder, sort: Sort| {
        let filter = PipelineFilter {
            order,
            sort,
            ..PipelineFilter::default()
        };
        pipeline_ids(out, &app, &filter)
    };
    use PipelineOrder as O;
    assert_eq!(ordered(O::Id, Sort::Asc), [p1.id, p2.id, p3.id, p4.id]);
    assert_eq!(ordered(O::Id, Sort::Desc), [p4.id, p3.id, p2.id, p1.id]);
    // Statuses sort by their names; equal values are ordered by id, in the same direction.
    assert_eq!(ordered(O::Status, Sort::Asc), [p4.id, p2.id, p3.id, p1.id]);
    assert_eq!(ordered(O::Status, Sort::Desc), [p1.id, p3.id, p2.id, p4.id]);
    assert_eq!(ordered(O::Ref, Sort::Asc), [p4.id, p2.id, p1.id, p3.id]);
    assert_eq!(ordered(O::Ref, Sort::Desc), [p3.id, p1.id, p2.id, p4.id]);
    assert_eq!(
        ordered(O::UpdatedAt, Sort::Asc),
        [p2.id, p3.id, p4.id, p1.id]
    );
    assert_eq!(
        ordered(O::UpdatedAt, Sort::Desc),
        [p1.id, p4.id, p3.id, p2.id]
    );
    assert!(alice.id < bob.id);
    assert_eq!(ordered(O::UserId, Sort::Asc), [p2.id, p3.id, p1.id, p4.id]);
    assert_eq!(ordered(O::UserId, Sort::Desc), [p4.id, p1.id, p3.id, p2.id]);

    // Pipelines without a user come after the others going up, before them going down.
    let lib = project(out, &owner, &team, "lib");
    let anonymous = pipeline_with(out, &lib, Vec::new()).0;
    let by = |u: &User| {
        let new = NewPipeline {
            user_id: Some(u.id),
            ..new_pipeline(out, &lib, Vec::new())
        };
        create_pipeline(out, new).0.id
    };
    let by_bob = by(&bob);
    let by_alice = by(&alice);
    let by_user = |sort: Sort| {
        let filter = PipelineFilter {
            order: O::UserId,
            sort,
            ..PipelineFilter::default()
        };
        pipeline_ids(out, &lib, &filter)
    };
    assert_eq!(by_user(Sort::Asc), [by_alice, by_bob, anonymous.id]);
    assert_eq!(by_user(Sort::Desc), [anonymous.id, by_bob, by_alice]);
}

pub fn pipeline_lists_are_paginated_with_totals(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let ids: Vec<PipelineId> = (0..5)
        .map(|_| pipeline_with(out, &app, Vec::new()).0.id)
        .collect();
    pipeline_with(out, &lib, Vec::new());
    set_status(
        out,
        &stored_pipeline(out, ids[1]),
        &status_update(JobStatus::Success, now(out)),
    );
    set_status(
        out,
        &stored_pipeline(out, ids[3]),
        &status_update(JobStatus::Success, now(out)),
    );
    let list = |filter: &PipelineFilter, page: PageRequest| {
        let found = out.pipelines.pipelines(app.id, filter, page).unwrap();
        let ids: Vec<PipelineId> = found.items.iter().map(|p| p.id).collect();
        (ids, found.total)
    };
    let all = PipelineFilter::default();
    assert_eq!(list(&all, page(1, 2)), (vec![ids[0], ids[1]], 5));
    assert_eq!(list(&all, page(3, 2)), (vec![ids[4]], 5));
    assert_eq!(list(&all, page(4, 2)), (vec![], 5));
    let newest_first = PipelineFilter {
        sort: Sort::Desc,
        ..PipelineFilter::default()
    };
    assert_eq!(list(&newest_first, page(1, 2)), (vec![ids[4], ids[3]], 5));
    // The total counts what passes the filter.
    let succeeded = PipelineFilter {
        statuses: Some(vec![JobStatus::Success]),
        ..PipelineFilter::default()
    };
    assert_eq!(list(&succeeded, page(2, 1)), (vec![ids[3]], 2));
    assert_eq!(list(&succeeded, page(3, 1)), (vec![], 2));
}

pub fn a_pipeline_status_is_written_only_over_the_version_it_was_computed_from(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let (created, _) = pipeline_with(out, &app, vec![new_job("build", JobStatus::Pending)]);
    let (other, _) = pipeline_with(out, &app, Vec::new());
    assert_eq!(created.lock_version, 0);
    let at = now(out);

    let running = PipelineStatusUpdate {
        status: JobStatus::Running,
        started_at: Some(at + secs(1)),
        finished_at: None,
        updated_at: at + secs(1),
    };
    assert_eq!(
        out.pipelines
            .update_pipeline_status(created.id, 0, &running),
        Ok(true)
    );
    let after_first = Pipeline {
        status: JobStatus::Running,
        started_at: Some(at + secs(1)),
        updated_at: at + secs(1),
        lock_version: 1,
        ..created.clone()
    };
    assert_eq!(stored_pipeline(out, created.id), after_first);

    // A status computed from version 0 is stale now: nothing is written.
    let stale = PipelineStatusUpdate {
        status: JobStatus::Failed,
        started_at: Some(at + secs(1)),
        finished_at: Some(at + secs(2)),
        updated_at: at + secs(2),
    };
    assert_eq!(
        out.pipelines.update_pipeline_status(created.id, 0, &stale),
        Ok(false)
    );
    assert_eq!(stored_pipeline(out, created.id), after_first);
    // Nor over a version not reached yet.
    assert_eq!(
        out.pipelines.update_pipeline_status(created.id, 2, &stale),
        Ok(false)
    );
    assert_eq!(stored_pipeline(out, created.id), after_first);

    // Over the current version it is, exactly as given (times included).
    let success = PipelineStatusUpdate {
        status: JobStatus::Success,
        started_at: Some(at + secs(1)),
        finished_at: Some(at + secs(3) + Duration::microseconds(7)),
        updated_at: at + secs(3) + Duration::microseconds(7),
    };
    assert_eq!(
        out.pipelines
            .update_pipeline_status(created.id, 1, &success),
        Ok(true)
    );
    let after_second = Pipeline {
        status: JobStatus::Success,
        finished_at: success.finished_at,
        updated_at: success.updated_at,
        lock_version: 2,
        ..after_first
    };
    assert_eq!(stored_pipeline(out, created.id), after_second);
    let cleared = PipelineStatusUpdate {
        status: JobStatus::Pending,
        started_at: None,
        finished_at: None,
        updated_at: at + secs(4),
    };
    assert_eq!(
        out.pipelines
            .update_pipeline_status(created.id, 2, &cleared),
        Ok(true)
    );
    let after_third = Pipeline {
        status: JobStatus::Pending,
        started_at: None,
        finished_at: None,
        updated_at: at + secs(4),
        lock_version: 3,
        ..after_second
    };
    assert_eq!(stored_pipeline(out, created.id), after_third);

    // Other pipelines keep their own versions; a missing one is never written.
    assert_eq!(stored_pipeline(out, other.id), other);
    let missing = PipelineId(other.id.0 + 1000);
    assert_eq!(
        out.pipelines.update_pipeline_status(missing, 0, &running),
        Ok(false)
    );
}

pub fn deleting_a_pipeline_removes_its_jobs_and_their_logs(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let (doomed, doomed_jobs) = pipeline_with(
        out,
        &app,
        vec![
            new_job("build", JobStatus::Pending),
            new_job("test", JobStatus::Failed),
        ],
    );
    let (kept, kept_jobs) = pipeline_with(out, &app, vec![new_job("build", JobStatus::Pending)]);
    let taken = take(out, &doomed_jobs[0], &runner, "doomed");
    out.jobs
        .append_trace(taken.id, 0, b"doomed log", 1000)
        .unwrap();
    out.jobs
        .append_trace(kept_jobs[0].id, 0, b"kept log", 1000)
        .unwrap();
    let retry = Retry {
        status: JobStatus::Pending,
        allow_failure: false,
        user_id: None,
        at: now(out),
    };
    let second_try = out
        .jobs
        .retry_job(doomed_jobs[1].id, &retry)
        .unwrap()
        .expect("a new try");

    assert_eq!(out.pipelines.delete_pipeline(doomed.id), Ok(true));

    assert_eq!(out.pipelines.pipeline(doomed.id), Ok(None));
    for id in [doomed_jobs[0].id, doomed_jobs[1].id, second_try.id] {
        assert_eq!(out.jobs.job(id), Ok(None));
        assert_eq!(out.jobs.trace(id), Ok(None));
        assert_eq!(out.jobs.append_trace(id, 0, b"late", 1000), Ok(None));
    }
    assert_eq!(out.jobs.job_by_token(&job_digest("doomed")), Ok(None));
    assert_eq!(out.jobs.pipeline_jobs(doomed.id), Ok(Vec::new()));
    let everything_listed = JobFilter {
        include_retried: true,
        ..jobs_of(JobSet::Project(app.id))
    };
    assert_eq!(listed_jobs(out, &everything_listed), job_ids(&kept_jobs));
    let on_runner = jobs_of(JobSet::Runner(runner.id));
    assert!(listed_jobs(out, &on_runner).is_empty());

    // The other pipeline is whole.
    assert_eq!(out.pipelines.pipeline(kept.id), Ok(Some(kept)));
    assert_eq!(
        out.jobs.trace(kept_jobs[0].id),
        Ok(Some(b"kept log".to_vec()))
    );
    assert_eq!(out.pipelines.delete_pipeline(doomed.id), Ok(false));
}

pub fn deleting_a_project_or_group_removes_its_pipelines_jobs_and_variables(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let doomed = group(out, &owner, "doomed");
    let (app, app_job) = busy_project(out, &owner, &team, "app");
    let (lib, lib_job) = busy_project(out, &owner, &team, "lib");
    let (tool, tool_job) = busy_project(out, &owner, &doomed, "tool");

    assert_eq!(out.projects.delete_project(app.id), Ok(true));
    assert_eq!(out.namespaces.delete_group(doomed.id), Ok(true));

    for (p, job) in [(&app, &app_job), (&tool, &tool_job)] {
        assert_eq!(out.pipelines.pipeline(job.pipeline_id), Ok(None));
        let listed = out
            .pipelines
            .pipelines(p.id, &PipelineFilter::default(), everything())
            .unwrap();
        assert_eq!(listed.total, 0);
        assert_eq!(out.jobs.job(job.id), Ok(None));
        assert_eq!(out.jobs.trace(job.id), Ok(None));
        assert!(listed_jobs(out, &jobs_of(JobSet::Project(p.id))).is_empty());
        assert_eq!(out.variables.variable(p.id, "KEY"), Ok(None));
        assert_eq!(out.variables.all_variables(p.id), Ok(Vec::new()));
    }
    assert_eq!(out.jobs.job(lib_job.id), Ok(Some(lib_job.clone())));
    assert_eq!(out.jobs.trace(lib_job.id), Ok(Some(b"log".to_vec())));
    assert!(
        out.pipelines
            .pipeline(lib_job.pipeline_id)
            .unwrap()
            .is_some()
    );
    assert!(out.variables.variable(lib.id, "KEY").unwrap().is_some());
}

pub fn deleting_a_user_keeps_pipelines_and_jobs_without_their_user(out: &Outbound) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let new = NewPipeline {
        user_id: Some(alice.id),
        ..new_pipeline(out, &app, vec![new_job("build", JobStatus::Pending)])
    };
    let (pipeline, jobs) = create_pipeline(out, new);
    let new = NewPipeline {
        user_id: Some(owner.id),
        ..new_pipeline(out, &app, vec![new_job("build", JobStatus::Pending)])
    };
    let (other, other_jobs) = create_pipeline(out, new);

    assert_eq!(out.users.delete_user(alice.id), Ok(true));

    let expected = Pipeline {
        user_id: None,
        ..pipeline
    };
    assert_eq!(out.pipelines.pipeline(expected.id), Ok(Some(expected)));
    let expected = Job {
        user_id: None,
        ..jobs[0].clone()
    };
    assert_eq!(out.jobs.job(expected.id), Ok(Some(expected)));
    assert_eq!(out.pipelines.pipeline(other.id), Ok(Some(other)));
    assert_eq!(reread_job(out, &other_jobs[0]), other_jobs[0]);
    let by_alice = PipelineFilter {
        user_id: Some(alice.id),
        ..PipelineFilter::default()
    };
    assert!(pipeline_ids(out, &app, &by_alice).is_empty());
    // A user id nobody has is not a user.
    let ghost = NewPipeline {
        user_id: Some(UserId(alice.id.0 + 1000)),
        ..new_pipeline(out, &app, Vec::new())
    };
    assert_eq!(
        out.pipelines.create_pipeline(ghost),
        Err(conflict("reference"))
    );
}
