//! Jobs: conditional status changes, lists, retries, the queue, assignment, logs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use paddock_domain::ci::When;
use paddock_domain::job::queue::Candidate;
use paddock_domain::job::trace::Append;
use paddock_domain::job::{FailureReason, Job, JobStatus};
use paddock_domain::namespace::Namespace;
use paddock_domain::project::Project;
use paddock_domain::runner::{Runner, RunnerType};
use paddock_domain::token::TokenDigest;
use paddock_domain::user::User;
use paddock_domain::{JobId, ProjectId, Visibility};
use paddock_ports::outbound::{
    Assignment, JobChange, JobFilter, JobSet, NewJob, NewPipeline, NewProject, Outbound,
    ProjectChanges, QueueQuery, QueueScope, Retry, Sort, Unassigned,
};

use super::pipelines::{
    create_pipeline, definition, job_ids, jobs_of, listed_jobs, new_job, new_pipeline, one_job,
    pending_job, pipeline_with, reread_job, tagged_job,
};
use super::{
    assign, everything, group, instance_runner, new_project, now, page, project, project_runner,
    secs, strings, subgroup, user,
};

// ----------------------------------------------------------------------------------------
// Builders
// ----------------------------------------------------------------------------------------

/// The digest of the job token `glcbt-<label>`.
pub(super) fn job_digest(label: &str) -> TokenDigest {
    TokenDigest::of(&format!("glcbt-{label}"))
}

/// The runner takes the job now on machine `m1`, with the token `glcbt-<label>`.
fn assignment(out: &Outbound, job: &Job, runner: &Runner, label: &str) -> Assignment {
    Assignment {
        job: job.id,
        runner: runner.id,
        instance_runner: runner.runner_type == RunnerType::Instance,
        system_id: "m1".to_owned(),
        token_digest: job_digest(label),
        at: now(out),
        cancel_gracefully: false,
    }
}

/// The runner takes the pending job (see [`assignment`]).
pub(super) fn take(out: &Outbound, job: &Job, runner: &Runner, label: &str) -> Job {
    out.jobs
        .assign_job(&assignment(out, job, runner, label))
        .expect("assign a job")
        .expect("the job was pending")
}

fn change(from: &[JobStatus], to: JobStatus, at: DateTime<Utc>) -> JobChange {
    JobChange {
        from: from.to_vec(),
        to,
        at,
        failure_reason: None,
        exit_code: None,
        allow_failure: None,
        graceful: None,
    }
}

fn retry_at(at: DateTime<Utc>) -> Retry {
    Retry {
        status: JobStatus::Pending,
        allow_failure: false,
        user_id: None,
        at,
    }
}

/// A query for untagged jobs of any ref.
fn untagged(scope: QueueScope) -> QueueQuery {
    QueueQuery {
        scope,
        tags: Vec::new(),
        run_untagged: true,
        protected_only: false,
    }
}

/// What the query offers, at most 100 jobs.
fn offered(out: &Outbound, query: &QueueQuery) -> Vec<JobId> {
    let found = out.jobs.queue(query, 100).expect("read the queue");
    found.into_iter().map(|c| c.job).collect()
}

fn candidate(job: &Job) -> Candidate {
    Candidate {
        project: job.project_id,
        job: job.id,
    }
}

/// A project with the given runner settings.
fn project_allowing(
    out: &Outbound,
    owner: &User,
    namespace: &Namespace,
    path: &str,
    shared: bool,
    grouped: bool,
) -> Project {
    let new = NewProject {
        shared_runners_enabled: shared,
        group_runners_enabled: grouped,
        ..new_project(out, owner, namespace, path, path, Visibility::Private)
    };
    out.projects.create_project(new).expect("create a project")
}

// ----------------------------------------------------------------------------------------
// Status changes
// ----------------------------------------------------------------------------------------

pub fn a_job_changes_status_only_from_the_given_statuses(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let other = pending_job(out, &app, "test");
    let at = now(out) + secs(5);

    let refused = change(
        &[JobStatus::Created, JobStatus::Running],
        JobStatus::Canceled,
        at,
    );
    assert_eq!(out.jobs.change_job(job.id, &refused), Ok(None));
    assert_eq!(reread_job(out, &job), job);
    let nothing = change(&[], JobStatus::Canceled, at);
    assert_eq!(out.jobs.change_job(job.id, &nothing), Ok(None));
    assert_eq!(reread_job(out, &job), job);

    let run = change(
        &[JobStatus::Pending, JobStatus::Running],
        JobStatus::Running,
        at,
    );
    let expected = Job {
        status: JobStatus::Running,
        updated_at: at,
        ..job.clone()
    };
    assert_eq!(
        out.jobs.change_job(job.id, &run),
        Ok(Some(expected.clone()))
    );
    assert_eq!(reread_job(out, &job), expected);
    // The same change again finds it running: it applies, since running is among `from`.
    let later = change(
        &[JobStatus::Pending, JobStatus::Running],
        JobStatus::Running,
        at + secs(1),
    );
    let again = out.jobs.change_job(job.id, &later).unwrap();
    assert_eq!(again.map(|j| j.updated_at), Some(at + secs(1)));
    let again = change(&[JobStatus::Pending], JobStatus::Running, at + secs(2));
    assert_eq!(out.jobs.change_job(job.id, &again), Ok(None));

    assert_eq!(reread_job(out, &other), other);
    let missing = JobId(other.id.0 + 1000);
    assert_eq!(out.jobs.change_job(missing, &run), Ok(None));
}

pub fn changing_a_job_records_when_it_was_queued_and_finished(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let (_, jobs) = pipeline_with(
        out,
        &app,
        vec![
            new_job("build", JobStatus::Created),
            new_job("manual", JobStatus::Manual),
            new_job("skipped", JobStatus::Created),
            new_job("canceled", JobStatus::Pending),
        ],
    );
    let [build, manual, skipped, canceled] = [0, 1, 2, 3].map(|i| jobs[i].clone());
    let at = now(out);
    assert_eq!(build.queued_at, None);
    assert_eq!(manual.queued_at, None);

    // Becoming pending: queued then.
    let queue = change(&[JobStatus::Created], JobStatus::Pending, at + secs(1));
    let queued = out
        .jobs
        .change_job(build.id, &queue)
        .unwrap()
        .expect("queued");
    let expected = Job {
        status: JobStatus::Pending,
        queued_at: Some(at + secs(1)),
        updated_at: at + secs(1),
        ..build.clone()
    };
    assert_eq!(queued, expected);
    let play = change(&[JobStatus::Manual], JobStatus::Pending, at + secs(2));
    let played = out
        .jobs
        .change_job(manual.id, &play)
        .unwrap()
        .expect("played");
    assert_eq!(played.queued_at, Some(at + secs(2)));

    // Running is not complete; success is.
    let running = take(out, &queued, &runner, "build");
    let succeed = change(&[JobStatus::Running], JobStatus::Success, at + secs(10));
    let done = out
        .jobs
        .change_job(build.id, &succeed)
        .unwrap()
        .expect("done");
    let expected = Job {
        status: JobStatus::Success,
        finished_at: Some(at + secs(10)),
        updated_at: at + secs(10),
        ..running
    };
    assert_eq!(done, expected);
    assert_eq!(done.queued_at, Some(at + secs(1)));
    assert_eq!(done.started_at, Some(at));

    let skip = change(&[JobStatus::Created], JobStatus::Skipped, at + secs(3));
    let skipped = out
        .jobs
        .change_job(skipped.id, &skip)
        .unwrap()
        .expect("skipped");
    assert_eq!(skipped.finished_at, Some(at + secs(3)));
    assert_eq!(skipped.queued_at, None);

    // Canceling waits for the runner; canceled is complete.
    take(out, &canceled, &runner, "canceled");
    let cancel = change(&[JobStatus::Running], JobStatus::Canceling, at + secs(4));
    let canceling = out
        .jobs
        .change_job(canceled.id, &cancel)
        .unwrap()
        .expect("canceling");
    assert_eq!(canceling.finished_at, None);
    let stop = change(&[JobStatus::Canceling], JobStatus::Canceled, at + secs(5));
    let stopped = out
        .jobs
        .change_job(canceled.id, &stop)
        .unwrap()
        .expect("canceled");
    assert_eq!(stopped.finished_at, Some(at + secs(5)));
    assert_eq!(stopped.status, JobStatus::Canceled);
}

pub fn a_failing_change_records_the_reason_exit_code_and_allowed_failure(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let allowed = NewJob {
        allow_failure: true,
        ..new_job("allowed", JobStatus::Pending)
    };
    let (_, jobs) = pipeline_with(
        out,
        &app,
        vec![
            new_job("build", JobStatus::Pending),
            allowed,
            new_job("ok", JobStatus::Pending),
        ],
    );
    let at = now(out) + secs(30);
    let running: Vec<Job> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| take(out, j, &runner, &format!("t{i}")))
        .collect();

    let fail = JobChange {
        failure_reason: Some(FailureReason::ScriptFailure),
        exit_code: Some(42),
        allow_failure: Some(true),
        ..change(&[JobStatus::Running], JobStatus::Failed, at)
    };
    let failed = out.jobs.change_job(running[0].id, &fail).unwrap();
    let expected = Job {
        status: JobStatus::Failed,
        failure_reason: Some(FailureReason::ScriptFailure),
        exit_code: Some(42),
        allow_failure: true,
        finished_at: Some(at),
        updated_at: at,
        ..running[0].clone()
    };
    assert_eq!(failed, Some(expected.clone()));
    assert_eq!(reread_job(out, &running[0]), expected);

    // Without `allow_failure`, the job keeps its own; `Some(false)` takes it away.
    let fail = JobChange {
        failure_reason: Some(FailureReason::RunnerSystemFailure),
        ..change(&[JobStatus::Running], JobStatus::Failed, at)
    };
    let failed = out
        .jobs
        .change_job(running[1].id, &fail)
        .unwrap()
        .expect("failed");
    assert!(failed.allow_failure);
    assert_eq!(
        failed.failure_reason,
        Some(FailureReason::RunnerSystemFailure)
    );
    assert_eq!(failed.exit_code, None);

    let succeed = JobChange {
        exit_code: Some(0),
        allow_failure: Some(false),
        ..change(&[JobStatus::Running], JobStatus::Success, at)
    };
    let done = out
        .jobs
        .change_job(running[2].id, &succeed)
        .unwrap()
        .expect("done");
    assert_eq!(done.exit_code, Some(0));
    assert_eq!(done.failure_reason, None);
    assert!(!done.allow_failure);
}

// ----------------------------------------------------------------------------------------
// Lists and retries
// ----------------------------------------------------------------------------------------

pub fn jobs_are_listed_by_project_or_pipeline_with_a_status_filter_in_pages(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let (_, first) = pipeline_with(
        out,
        &app,
        vec![
            new_job("a", JobStatus::Pending),
            new_job("b", JobStatus::Created),
            new_job("c", JobStatus::Success),
        ],
    );
    let (second, later) = pipeline_with(
        out,
        &app,
        vec![
            new_job("d", JobStatus::Failed),
            new_job("e", JobStatus::Pending),
        ],
    );
    let f = pending_job(out, &lib, "f");
    let [a, b, c] = [0, 1, 2].map(|i| first[i].id);
    let [d, e] = [0, 1].map(|i| later[i].id);

    let in_app = jobs_of(JobSet::Project(app.id));
    assert_eq!(listed_jobs(out, &in_app), [a, b, c, d, e]);
    assert_eq!(
        listed_jobs(out, &jobs_of(JobSet::Pipeline(second.id))),
        [d, e]
    );
    assert_eq!(listed_jobs(out, &jobs_of(JobSet::Project(lib.id))), [f.id]);
    let with = |statuses: &[JobStatus]| JobFilter {
        statuses: statuses.to_vec(),
        ..in_app.clone()
    };
    assert_eq!(listed_jobs(out, &with(&[JobStatus::Pending])), [a, e]);
    assert_eq!(
        listed_jobs(out, &with(&[JobStatus::Failed, JobStatus::Pending])),
        [a, d, e]
    );
    assert!(listed_jobs(out, &with(&[JobStatus::Running])).is_empty());
    let newest_first = JobFilter {
        sort: Sort::Desc,
        ..in_app.clone()
    };
    assert_eq!(listed_jobs(out, &newest_first), [e, d, c, b, a]);

    // Lists carry whole jobs; pages count what passes the filter.
    let list = |filter: &JobFilter, page| {
        let found = out.jobs.jobs(filter, page).unwrap();
        (found.items, found.total)
    };
    assert_eq!(
        list(&in_app, page(2, 2)),
        (vec![first[2].clone(), later[0].clone()], 5)
    );
    assert_eq!(list(&in_app, page(4, 2)), (vec![], 5));
    let pending = with(&[JobStatus::Pending]);
    assert_eq!(list(&pending, page(2, 1)), (vec![later[1].clone()], 2));
    let missing = jobs_of(JobSet::Project(ProjectId(lib.id.0 + 1000)));
    assert!(listed_jobs(out, &missing).is_empty());
}

pub fn retried_jobs_are_listed_only_when_asked(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let (pipeline, jobs) = pipeline_with(
        out,
        &app,
        vec![
            new_job("a", JobStatus::Failed),
            new_job("b", JobStatus::Success),
        ],
    );
    let [a, b] = [0, 1].map(|i| jobs[i].id);
    let again = out
        .jobs
        .retry_job(a, &retry_at(now(out)))
        .unwrap()
        .expect("a new try")
        .id;
    let latest = jobs_of(JobSet::Pipeline(pipeline.id));
    let every = JobFilter {
        include_retried: true,
        ..latest.clone()
    };
    assert_eq!(listed_jobs(out, &latest), [b, again]);
    assert_eq!(listed_jobs(out, &every), [a, b, again]);
    let in_project = jobs_of(JobSet::Project(app.id));
    assert_eq!(listed_jobs(out, &in_project), [b, again]);
    let failed = JobFilter {
        statuses: vec![JobStatus::Failed],
        ..every.clone()
    };
    assert_eq!(listed_jobs(out, &failed), [a]);
    let failed = JobFilter {
        include_retried: false,
        ..failed
    };
    assert!(listed_jobs(out, &failed).is_empty());
    // The pipeline's jobs are every try.
    let all = out.jobs.pipeline_jobs(pipeline.id).unwrap();
    assert_eq!(job_ids(&all), [a, b, again]);
    assert!(all[0].retried && !all[1].retried && !all[2].retried);
}

pub fn jobs_of_a_runner_are_listed_optionally_restricted_to_projects(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let runner = instance_runner(out, "shared");
    let other = instance_runner(out, "other");
    let j1 = take(out, &pending_job(out, &app, "j1"), &runner, "j1");
    let j2 = take(out, &pending_job(out, &lib, "j2"), &other, "j2");
    let j3 = take(out, &pending_job(out, &lib, "j3"), &runner, "j3");
    let j4 = take(out, &pending_job(out, &app, "j4"), &runner, "j4");
    pending_job(out, &app, "waiting");
    let finish = change(&[JobStatus::Running], JobStatus::Success, now(out));
    out.jobs.change_job(j4.id, &finish).unwrap();

    let of_runner = jobs_of(JobSet::Runner(runner.id));
    assert_eq!(listed_jobs(out, &of_runner), [j1.id, j3.id, j4.id]);
    assert_eq!(
        listed_jobs(out, &jobs_of(JobSet::Runner(other.id))),
        [j2.id]
    );
    let within = |projects: Option<Vec<ProjectId>>| JobFilter {
        projects,
        ..of_runner.clone()
    };
    assert_eq!(
        listed_jobs(out, &within(Some(vec![app.id]))),
        [j1.id, j4.id]
    );
    assert_eq!(listed_jobs(out, &within(Some(vec![lib.id]))), [j3.id]);
    assert_eq!(
        listed_jobs(out, &within(Some(vec![lib.id, app.id]))),
        [j1.id, j3.id, j4.id]
    );
    assert!(listed_jobs(out, &within(Some(Vec::new()))).is_empty());
    let running_in_app = JobFilter {
        statuses: vec![JobStatus::Running],
        ..within(Some(vec![app.id]))
    };
    assert_eq!(listed_jobs(out, &running_in_app), [j1.id]);
    let newest_first = JobFilter {
        sort: Sort::Desc,
        ..of_runner
    };
    assert_eq!(listed_jobs(out, &newest_first), [j4.id, j3.id, j1.id]);
}

pub fn retrying_a_job_makes_a_new_try_and_marks_the_old_one_retried(out: &Outbound) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let build = NewJob {
        stage: "build".to_owned(),
        stage_index: 0,
        when: When::Always,
        definition: definition("build", "build", 0),
        tags: strings(&["docker"]),
        ..new_job("build", JobStatus::Pending)
    };
    let new = NewPipeline {
        ref_name: "release".to_owned(),
        tag: true,
        protected: true,
        user_id: Some(owner.id),
        ..new_pipeline(out, &app, vec![build])
    };
    let (_, jobs) = create_pipeline(out, new);
    take(out, &jobs[0], &runner, "first");
    out.jobs
        .append_trace(jobs[0].id, 0, b"first try", 1000)
        .unwrap();
    let fail = JobChange {
        failure_reason: Some(FailureReason::ScriptFailure),
        exit_code: Some(1),
        ..change(&[JobStatus::Running], JobStatus::Failed, now(out) + secs(5))
    };
    let old = out
        .jobs
        .change_job(jobs[0].id, &fail)
        .unwrap()
        .expect("failed");

    let at = now(out) + secs(60);
    let retry = Retry {
        status: JobStatus::Pending,
        allow_failure: true,
        user_id: Some(alice.id),
        at,
    };
    let new = out
        .jobs
        .retry_job(old.id, &retry)
        .unwrap()
        .expect("a new try");
    assert!(new.id > old.id);
    let expected = Job {
        id: new.id,
        status: JobStatus::Pending,
        allow_failure: true,
        runner_id: None,
        runner_system_id: None,
        failure_reason: None,
        exit_code: None,
        retried: false,
        user_id: Some(alice.id),
        trace_size: 0,
        created_at: at,
        queued_at: Some(at),
        started_at: None,
        finished_at: None,
        updated_at: at,
        ..old.clone()
    };
    assert_eq!(new, expected);
    assert_eq!(out.jobs.job(new.id), Ok(Some(expected)));
    assert_eq!(
        out.jobs.job_with_token(new.id).unwrap().map(|(_, t)| t),
        Some(None)
    );
    assert_eq!(out.jobs.trace(new.id), Ok(Some(Vec::new())));
    // The old try changes only in being retried; its log stays.
    let retried = Job {
        retried: true,
        ..old.clone()
    };
    assert_eq!(reread_job(out, &old), retried);
    assert_eq!(out.jobs.trace(old.id), Ok(Some(b"first try".to_vec())));

    // A try may be made to wait (created) instead; it is not queued then.
    let waiting = Retry {
        status: JobStatus::Created,
        allow_failure: false,
        user_id: None,
        at: at + secs(1),
    };
    let newest = out
        .jobs
        .retry_job(new.id, &waiting)
        .unwrap()
        .expect("a new try");
    assert_eq!(newest.status, JobStatus::Created);
    assert_eq!(newest.queued_at, None);
    assert_eq!(newest.user_id, None);
    assert!(!newest.allow_failure);
    assert_eq!(newest.tags, strings(&["docker"]));
    assert!(reread_job(out, &new).retried);
}

pub fn a_job_is_retried_only_once(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = one_job(out, &app, new_job("build", JobStatus::Failed));
    let at = now(out);
    let first = out.jobs.retry_job(job.id, &retry_at(at)).unwrap();
    assert!(first.is_some());
    assert_eq!(
        out.jobs.retry_job(job.id, &retry_at(at + secs(1))),
        Ok(None)
    );
    let every = JobFilter {
        include_retried: true,
        ..jobs_of(JobSet::Project(app.id))
    };
    assert_eq!(listed_jobs(out, &every).len(), 2);
    let missing = JobId(job.id.0 + 1000);
    assert_eq!(out.jobs.retry_job(missing, &retry_at(at)), Ok(None));
    assert_eq!(listed_jobs(out, &every).len(), 2);
}

// ----------------------------------------------------------------------------------------
// The queue
// ----------------------------------------------------------------------------------------

pub fn project_runners_are_offered_the_pending_jobs_of_their_projects(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let other = project(out, &owner, &team, "other");
    let closed = project_allowing(out, &owner, &team, "closed", false, false);
    let runner = project_runner(out, &app, "on-app");
    assign(out, &runner, &lib);
    assign(out, &runner, &closed);
    let of_other = project_runner(out, &other, "on-other");

    let j1 = pending_job(out, &app, "j1");
    let j2 = pending_job(out, &other, "j2");
    let j3 = pending_job(out, &lib, "j3");
    one_job(out, &app, new_job("created", JobStatus::Created));
    one_job(out, &app, new_job("manual", JobStatus::Manual));
    let taken = pending_job(out, &app, "taken");
    take(out, &taken, &runner, "taken");
    // A project's own runners serve it whatever its settings for shared and group runners.
    let j4 = pending_job(out, &closed, "j4");

    let scope = QueueScope::ProjectRunner(runner.id);
    let found = out.jobs.queue(&untagged(scope), 100).unwrap();
    assert_eq!(found, [candidate(&j1), candidate(&j3), candidate(&j4)]);
    let other_scope = QueueScope::ProjectRunner(of_other.id);
    assert_eq!(offered(out, &untagged(other_scope)), [j2.id]);

    // Unassigned, the project's jobs are not offered any more.
    let unassigned = out
        .runners
        .unassign_runner(runner.id, lib.id, now(out))
        .unwrap();
    assert_eq!(unassigned, Unassigned::Done);
    assert_eq!(
        offered(out, &untagged(QueueScope::ProjectRunner(runner.id))),
        [j1.id, j4.id]
    );
}

pub fn group_runners_are_offered_jobs_of_the_group_and_its_subgroups_that_allow_group_runners(
    out: &Outbound,
) {
    let owner = user(out, "owner");
    let top = group(out, &owner, "top");
    let sub = subgroup(out, &owner, &top, "sub");
    let deep = subgroup(out, &owner, &sub, "deep");
    let other = group(out, &owner, "other");
    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    let in_top = project(out, &owner, &top, "in-top");
    let in_sub = project(out, &owner, &sub, "in-sub");
    let in_deep = project(out, &owner, &deep, "in-deep");
    let in_other = project(out, &owner, &other, "in-other");
    let refusing = project_allowing(out, &owner, &sub, "refusing", true, false);
    // Neither a project outside the groups nor one in a personal namespace.
    let personal = project(out, &owner, &home, "personal");
    let j_top = pending_job(out, &in_top, "top");
    let j_deep = pending_job(out, &in_deep, "deep");
    let j_sub = pending_job(out, &in_sub, "sub");
    let j_other = pending_job(out, &in_other, "other");
    pending_job(out, &refusing, "refused");
    pending_job(out, &personal, "personal");
    let j_sub_later = pending_job(out, &in_sub, "sub-later");

    let of = |g: &Namespace| offered(out, &untagged(QueueScope::GroupRunner(g.id)));
    assert_eq!(of(&top), [j_top.id, j_deep.id, j_sub.id, j_sub_later.id]);
    assert_eq!(of(&sub), [j_deep.id, j_sub.id, j_sub_later.id]);
    assert_eq!(of(&deep), [j_deep.id]);
    assert_eq!(of(&other), [j_other.id]);

    // Group runners switched off in a project: its jobs leave the queue.
    let off = ProjectChanges {
        group_runners_enabled: Some(false),
        ..ProjectChanges::default()
    };
    out.projects.update_project(in_sub.id, &off).unwrap();
    assert_eq!(of(&top), [j_top.id, j_deep.id]);
    let found = out
        .jobs
        .queue(&untagged(QueueScope::GroupRunner(sub.id)), 100)
        .unwrap();
    assert_eq!(found, [candidate(&j_deep)]);
}

pub fn instance_runners_are_offered_the_oldest_matching_job_of_each_project_that_allows_shared_runners(
    out: &Outbound,
) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let closed = project_allowing(out, &owner, &team, "closed", false, true);
    let runner = instance_runner(out, "shared");
    let gpu = one_job(out, &app, tagged_job("gpu", &["gpu"]));
    let a1 = pending_job(out, &app, "a1");
    let c1 = pending_job(out, &closed, "c1");
    let l1 = pending_job(out, &lib, "l1");
    let a2 = pending_job(out, &app, "a2");
    let l2 = pending_job(out, &lib, "l2");

    let instance = |tags: &[&str]| QueueQuery {
        tags: strings(tags),
        ..untagged(QueueScope::InstanceRunner)
    };
    let heads = |query: &QueueQuery| -> Vec<JobId> {
        let found = out.jobs.queue_heads(query, 100).expect("read the queue");
        found.into_iter().map(|c| c.job).collect()
    };
    // Every job the runner can take, oldest first; and the oldest of each project.
    assert_eq!(offered(out, &instance(&[])), [a1.id, l1.id, a2.id, l2.id]);
    let found = out.jobs.queue_heads(&instance(&[]), 100).unwrap();
    assert_eq!(found, [candidate(&a1), candidate(&l1)]);
    let found = out.jobs.queue_heads(&instance(&["gpu"]), 100).unwrap();
    assert_eq!(found, [candidate(&gpu), candidate(&l1)]);
    assert_eq!(
        out.jobs.queue_heads(&instance(&[]), 1).unwrap(),
        [candidate(&a1)]
    );

    // Once taken, the next one of the project comes up.
    take(out, &gpu, &runner, "gpu");
    take(out, &a1, &runner, "a1");
    assert_eq!(heads(&instance(&["gpu"])), [l1.id, a2.id]);
    take(out, &l1, &runner, "l1");
    assert_eq!(heads(&instance(&[])), [a2.id, l2.id]);

    // Shared runners switched on in a project: its jobs join the queue.
    let on = ProjectChanges {
        shared_runners_enabled: Some(true),
        ..ProjectChanges::default()
    };
    out.projects.update_project(closed.id, &on).unwrap();
    assert_eq!(heads(&instance(&[])), [c1.id, a2.id, l2.id]);
    assert_eq!(offered(out, &instance(&[])), [c1.id, a2.id, l2.id]);
}

pub fn the_queue_offers_only_jobs_whose_tags_the_runner_has(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = project_runner(out, &app, "on-app");
    let docker = one_job(out, &app, tagged_job("docker", &["docker"]));
    let both = one_job(out, &app, tagged_job("both", &["docker", "linux"]));
    let gpu = one_job(out, &app, tagged_job("gpu", &["gpu"]));
    let mixed = one_job(out, &app, tagged_job("mixed", &["docker", "gpu"]));
    pending_job(out, &app, "untagged");
    let with = |tags: &[&str]| {
        let query = QueueQuery {
            tags: strings(tags),
            run_untagged: false,
            ..untagged(QueueScope::ProjectRunner(runner.id))
        };
        offered(out, &query)
    };
    assert_eq!(with(&["docker", "linux"]), [docker.id, both.id]);
    assert_eq!(with(&["linux", "docker", "arm"]), [docker.id, both.id]);
    assert_eq!(with(&["docker"]), [docker.id]);
    assert_eq!(
        with(&["docker", "linux", "gpu"]),
        [docker.id, both.id, gpu.id, mixed.id]
    );
    assert_eq!(with(&["gpu"]), [gpu.id]);
    assert!(with(&[]).is_empty());
    // Whole tag names only.
    assert!(with(&["dock", "gp"]).is_empty());
}

pub fn untagged_jobs_are_offered_only_to_runners_that_run_untagged(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = project_runner(out, &app, "on-app");
    let u1 = pending_job(out, &app, "u1");
    let docker = one_job(out, &app, tagged_job("docker", &["docker"]));
    let u2 = pending_job(out, &app, "u2");
    let query = |tags: &[&str], run_untagged: bool| QueueQuery {
        tags: strings(tags),
        run_untagged,
        ..untagged(QueueScope::ProjectRunner(runner.id))
    };
    assert_eq!(offered(out, &query(&[], true)), [u1.id, u2.id]);
    assert_eq!(
        offered(out, &query(&["docker"], true)),
        [u1.id, docker.id, u2.id]
    );
    assert_eq!(offered(out, &query(&["docker"], false)), [docker.id]);
    assert!(offered(out, &query(&[], false)).is_empty());
}

pub fn protected_only_runners_are_offered_only_jobs_of_protected_refs(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = project_runner(out, &app, "on-app");
    let open = pending_job(out, &app, "open");
    let new = NewPipeline {
        protected: true,
        ..new_pipeline(out, &app, vec![new_job("guarded", JobStatus::Pending)])
    };
    let guarded = create_pipeline(out, new).1[0].clone();
    assert!(guarded.protected && !open.protected);
    let query = |protected_only: bool| QueueQuery {
        protected_only,
        ..untagged(QueueScope::ProjectRunner(runner.id))
    };
    assert_eq!(offered(out, &query(true)), [guarded.id]);
    assert_eq!(offered(out, &query(false)), [open.id, guarded.id]);
}

pub fn the_queue_is_oldest_first_by_id_and_limited(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let runner = project_runner(out, &app, "on-app");
    assign(out, &runner, &lib);
    // The first job is queued last: the order is still by id.
    let first = one_job(out, &app, new_job("first", JobStatus::Created));
    let j2 = pending_job(out, &lib, "j2");
    let j3 = pending_job(out, &app, "j3");
    let j4 = pending_job(out, &lib, "j4");
    let queue = change(
        &[JobStatus::Created],
        JobStatus::Pending,
        now(out) + secs(60),
    );
    out.jobs
        .change_job(first.id, &queue)
        .unwrap()
        .expect("queued");
    let query = untagged(QueueScope::ProjectRunner(runner.id));
    assert_eq!(offered(out, &query), [first.id, j2.id, j3.id, j4.id]);
    let limited = |limit: usize| {
        let found = out.jobs.queue(&query, limit).unwrap();
        found.into_iter().map(|c| c.job).collect::<Vec<_>>()
    };
    assert_eq!(limited(2), [first.id, j2.id]);
    assert_eq!(limited(1), [first.id]);
    assert!(limited(0).is_empty());
    let grouped = untagged(QueueScope::GroupRunner(team.id));
    let found = out.jobs.queue(&grouped, 3).unwrap();
    assert_eq!(found, [candidate(&first), candidate(&j2), candidate(&j3)]);
}

// ----------------------------------------------------------------------------------------
// Assignment
// ----------------------------------------------------------------------------------------

pub fn a_pending_job_is_assigned_exactly_once(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let shared = instance_runner(out, "shared");
    let rival = project_runner(out, &app, "rival");
    let job = pending_job(out, &app, "build");
    let created = one_job(out, &app, new_job("later", JobStatus::Created));
    let at = now(out) + secs(3);

    let won = Assignment {
        system_id: "s_0123456789ab".to_owned(),
        at,
        ..assignment(out, &job, &shared, "first")
    };
    let expected = Job {
        status: JobStatus::Running,
        runner_id: Some(shared.id),
        runner_system_id: Some("s_0123456789ab".to_owned()),
        started_at: Some(at),
        updated_at: at,
        ..job.clone()
    };
    assert_eq!(out.jobs.assign_job(&won), Ok(Some(expected.clone())));
    assert_eq!(reread_job(out, &job), expected);

    // The loser of the race gets nothing, and changes nothing.
    let lost = Assignment {
        at: at + secs(1),
        ..assignment(out, &job, &rival, "second")
    };
    assert_eq!(out.jobs.assign_job(&lost), Ok(None));
    assert_eq!(reread_job(out, &job), expected);
    assert_eq!(
        out.jobs.job_with_token(job.id),
        Ok(Some((expected, Some(job_digest("first")))))
    );
    assert_eq!(out.jobs.job_by_token(&job_digest("second")), Ok(None));

    // Only pending jobs are given.
    assert_eq!(
        out.jobs
            .assign_job(&assignment(out, &created, &rival, "third")),
        Ok(None)
    );
    assert_eq!(reread_job(out, &created), created);
    let missing = Job {
        id: JobId(created.id.0 + 1000),
        ..created.clone()
    };
    assert_eq!(
        out.jobs
            .assign_job(&assignment(out, &missing, &rival, "fourth")),
        Ok(None)
    );
    let scope = untagged(QueueScope::ProjectRunner(rival.id));
    assert!(offered(out, &scope).is_empty());
}

pub fn assigned_jobs_are_found_by_their_token_digest(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let first = pending_job(out, &app, "first");
    let second = pending_job(out, &app, "second");
    assert_eq!(out.jobs.job_by_token(&job_digest("first")), Ok(None));
    assert_eq!(
        out.jobs.job_with_token(first.id),
        Ok(Some((first.clone(), None)))
    );
    let taken_first = take(out, &first, &runner, "first");
    let taken_second = take(out, &second, &runner, "second");
    assert_eq!(
        out.jobs.job_by_token(&job_digest("first")),
        Ok(Some(taken_first.clone()))
    );
    assert_eq!(
        out.jobs.job_by_token(&job_digest("second")),
        Ok(Some(taken_second))
    );
    assert_eq!(out.jobs.job_by_token(&job_digest("third")), Ok(None));
    // The token stays with the job when it completes.
    let finish = change(
        &[JobStatus::Running],
        JobStatus::Success,
        now(out) + secs(9),
    );
    let done = out
        .jobs
        .change_job(first.id, &finish)
        .unwrap()
        .expect("done");
    assert_eq!(
        out.jobs.job_by_token(&job_digest("first")),
        Ok(Some(done.clone()))
    );
    assert_eq!(
        out.jobs.job_with_token(first.id),
        Ok(Some((done, Some(job_digest("first")))))
    );
}

pub fn jobs_running_on_instance_runners_are_counted_per_project(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let other = project(out, &owner, &team, "other");
    let idle = project(out, &owner, &team, "idle");
    let shared = instance_runner(out, "shared");
    let own = project_runner(out, &app, "own");
    assign(out, &own, &other);
    let a1 = take(out, &pending_job(out, &app, "a1"), &shared, "a1");
    take(out, &pending_job(out, &app, "a2"), &shared, "a2");
    take(out, &pending_job(out, &app, "a3"), &own, "a3");
    take(out, &pending_job(out, &lib, "l1"), &shared, "l1");
    take(out, &pending_job(out, &other, "o1"), &own, "o1");
    pending_job(out, &idle, "waiting");

    let counts = |projects: &[&Project]| {
        let ids: Vec<ProjectId> = projects.iter().map(|p| p.id).collect();
        out.jobs.running_on_instance(&ids).unwrap()
    };
    let all = [&app, &lib, &other, &idle];
    assert_eq!(counts(&all), HashMap::from([(app.id, 2), (lib.id, 1)]));
    assert_eq!(counts(&[&app]), HashMap::from([(app.id, 2)]));
    assert_eq!(counts(&[&other, &idle]), HashMap::new());
    assert_eq!(counts(&[]), HashMap::new());

    // Finished jobs run no more.
    let finish = change(
        &[JobStatus::Running],
        JobStatus::Success,
        now(out) + secs(1),
    );
    out.jobs.change_job(a1.id, &finish).unwrap().expect("done");
    assert_eq!(counts(&all), HashMap::from([(app.id, 1), (lib.id, 1)]));
}

pub fn deleting_a_runner_keeps_the_jobs_it_took_without_it(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let shared = instance_runner(out, "shared");
    let other = instance_runner(out, "other");
    let job = take(out, &pending_job(out, &app, "build"), &shared, "build");
    let kept = take(out, &pending_job(out, &app, "kept"), &other, "kept");
    assert_eq!(out.runners.delete_runner(shared.id), Ok(true));
    let expected = Job {
        runner_id: None,
        ..job
    };
    assert_eq!(out.jobs.job(expected.id), Ok(Some(expected)));
    assert_eq!(reread_job(out, &kept), kept);
    assert!(listed_jobs(out, &jobs_of(JobSet::Runner(shared.id))).is_empty());
}

// ----------------------------------------------------------------------------------------
// Logs
// ----------------------------------------------------------------------------------------

pub fn logs_are_appended_only_at_their_end(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let other = pending_job(out, &app, "other");
    let append = |start: u64, data: &[u8]| out.jobs.append_trace(job.id, start, data, 1000);
    let log = || out.jobs.trace(job.id).unwrap().expect("a log");

    assert_eq!(append(0, b"hello "), Ok(Some(Append::Written(6))));
    assert_eq!(append(6, b"world\n"), Ok(Some(Append::Written(12))));
    assert_eq!(log(), b"hello world\n");
    assert_eq!(reread_job(out, &job).trace_size, 12);
    // Anywhere but the end: nothing is written, and the size is told.
    assert_eq!(append(3, b"xx"), Ok(Some(Append::Mismatch(12))));
    assert_eq!(append(20, b"xx"), Ok(Some(Append::Mismatch(12))));
    assert_eq!(
        append(0, b"hello world\nmore"),
        Ok(Some(Append::Mismatch(12)))
    );
    assert_eq!(log(), b"hello world\n");
    // Nothing to append is a write of nothing, at the end only.
    assert_eq!(append(12, b""), Ok(Some(Append::Written(12))));
    assert_eq!(append(5, b""), Ok(Some(Append::Mismatch(12))));
    // Any bytes, not only text.
    let binary = [0xff, 0x00, 0xfe, b'\r', b'\n'];
    assert_eq!(append(12, &binary), Ok(Some(Append::Written(17))));
    let mut expected = b"hello world\n".to_vec();
    expected.extend_from_slice(&binary);
    assert_eq!(log(), expected);
    assert_eq!(reread_job(out, &job).trace_size, 17);
    // Other logs are their own.
    assert_eq!(out.jobs.trace(other.id), Ok(Some(Vec::new())));
    assert_eq!(
        out.jobs.append_trace(other.id, 0, b"x", 1000),
        Ok(Some(Append::Written(1)))
    );
    assert_eq!(log(), expected);
}

pub fn an_append_past_the_limit_writes_nothing(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let append = |start: u64, data: &[u8]| out.jobs.append_trace(job.id, start, data, 10);
    assert_eq!(append(0, b"12345678"), Ok(Some(Append::Written(8))));
    assert_eq!(append(8, b"9ab"), Ok(Some(Append::TooLarge)));
    assert_eq!(out.jobs.trace(job.id), Ok(Some(b"12345678".to_vec())));
    assert_eq!(reread_job(out, &job).trace_size, 8);
    // Up to the limit exactly is fine.
    assert_eq!(append(8, b"9a"), Ok(Some(Append::Written(10))));
    assert_eq!(append(10, b""), Ok(Some(Append::Written(10))));
    assert_eq!(append(10, b"b"), Ok(Some(Append::TooLarge)));
    // Too large wins over a wrong start.
    assert_eq!(append(100, b"x"), Ok(Some(Append::TooLarge)));
    assert_eq!(out.jobs.trace(job.id), Ok(Some(b"123456789a".to_vec())));
}

pub fn replacing_a_log_overwrites_it(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let other = pending_job(out, &app, "other");
    out.jobs.append_trace(job.id, 0, b"partial", 1000).unwrap();
    out.jobs.append_trace(other.id, 0, b"other", 1000).unwrap();

    assert_eq!(out.jobs.replace_trace(job.id, b"the whole log\n"), Ok(true));
    assert_eq!(
        out.jobs.trace(job.id),
        Ok(Some(b"the whole log\n".to_vec()))
    );
    assert_eq!(reread_job(out, &job).trace_size, 14);
    // Appends go on from the new end.
    assert_eq!(
        out.jobs.append_trace(job.id, 7, b"x", 1000),
        Ok(Some(Append::Mismatch(14)))
    );
    assert_eq!(
        out.jobs.append_trace(job.id, 14, b"more", 1000),
        Ok(Some(Append::Written(18)))
    );
    // A shorter log, even an empty one, replaces a longer one.
    assert_eq!(out.jobs.replace_trace(job.id, b"short"), Ok(true));
    assert_eq!(out.jobs.trace(job.id), Ok(Some(b"short".to_vec())));
    assert_eq!(out.jobs.replace_trace(job.id, b""), Ok(true));
    assert_eq!(out.jobs.trace(job.id), Ok(Some(Vec::new())));
    assert_eq!(reread_job(out, &job).trace_size, 0);
    assert_eq!(out.jobs.trace(other.id), Ok(Some(b"other".to_vec())));
}

pub fn logs_of_missing_jobs_are_none(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let missing = JobId(job.id.0 + 1000);
    assert_eq!(out.jobs.trace(missing), Ok(None));
    assert_eq!(out.jobs.append_trace(missing, 0, b"x", 1000), Ok(None));
    assert_eq!(out.jobs.append_trace(missing, 0, b"", 1000), Ok(None));
    assert_eq!(out.jobs.replace_trace(missing, b"x"), Ok(false));
    assert_eq!(out.jobs.trace(job.id), Ok(Some(Vec::new())));
    let listed = out
        .jobs
        .jobs(&jobs_of(JobSet::Project(app.id)), everything());
    assert_eq!(listed.map(|p| p.total), Ok(1));
}

pub fn job_secrets_are_kept_replaced_and_go_with_the_job(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    assert_eq!(out.jobs.job_secrets(job.id), Ok(None));
    assert_eq!(out.jobs.set_job_secrets(job.id, b"sealed-1"), Ok(true));
    assert_eq!(out.jobs.job_secrets(job.id), Ok(Some(b"sealed-1".to_vec())));
    assert_eq!(out.jobs.set_job_secrets(job.id, b"sealed-2"), Ok(true));
    assert_eq!(out.jobs.job_secrets(job.id), Ok(Some(b"sealed-2".to_vec())));
    let missing = JobId(job.id.0 + 1000);
    assert_eq!(out.jobs.set_job_secrets(missing, b"x"), Ok(false));
    assert_eq!(out.jobs.job_secrets(missing), Ok(None));
    assert_eq!(out.pipelines.delete_pipeline(job.pipeline_id), Ok(true));
    assert_eq!(out.jobs.job_secrets(job.id), Ok(None));
}
