//! What a job needs while a runner holds it: its deadline, the runner's contacts, graceful
//! cancel, the first request to finish; and the sweeps that find overdue jobs.

use paddock_domain::job::JobStatus;
use paddock_ports::outbound::{Assignment, JobChange, JobClock, Outbound, Overdue};

use super::jobs::job_digest;
use super::pipelines::{pending_job, reread_job};
use super::{group, instance_runner, now, project, secs, user};

pub fn overdue_jobs_are_found_by_deadline_or_last_update_oldest_first(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let start = now(out);
    let jobs: Vec<_> = (0..3)
        .map(|i| pending_job(out, &app, &format!("job{i}")))
        .collect();
    let waiting = pending_job(out, &app, "waiting");
    for (i, job) in jobs.iter().enumerate() {
        let taken = out
            .jobs
            .assign_job(&Assignment {
                job: job.id,
                runner: runner.id,
                instance_runner: true,
                system_id: "m1".to_owned(),
                token_digest: job_digest(&format!("r{i}")),
                at: start,
                cancel_gracefully: false,
            })
            .unwrap();
        assert!(taken.is_some());
    }
    // Deadlines: job2 first, then job0; job1 has none.
    assert_eq!(
        out.jobs.set_deadline(jobs[0].id, start + secs(20)),
        Ok(true)
    );
    assert_eq!(
        out.jobs.set_deadline(jobs[2].id, start + secs(10)),
        Ok(true)
    );
    let past_deadline = |before| Overdue {
        statuses: vec![JobStatus::Running],
        clock: JobClock::Deadline,
        before,
    };
    assert_eq!(
        out.jobs.overdue_jobs(&past_deadline(start + secs(30)), 10),
        Ok(vec![jobs[2].id, jobs[0].id])
    );
    assert_eq!(
        out.jobs.overdue_jobs(&past_deadline(start + secs(15)), 10),
        Ok(vec![jobs[2].id])
    );
    assert_eq!(
        out.jobs.overdue_jobs(&past_deadline(start + secs(30)), 1),
        Ok(vec![jobs[2].id]),
        "bounded"
    );
    // Last update: a runner's contact moves it on; pending jobs are not touched.
    assert_eq!(out.jobs.touch_job(jobs[1].id, start + secs(5)), Ok(true));
    assert_eq!(reread_job(out, &jobs[1]).updated_at, start + secs(5));
    assert_eq!(out.jobs.touch_job(waiting.id, start + secs(5)), Ok(false));
    let silent = Overdue {
        statuses: vec![JobStatus::Running],
        clock: JobClock::Updated,
        before: start + secs(1),
    };
    let mut found = out.jobs.overdue_jobs(&silent, 10).unwrap();
    found.sort();
    assert_eq!(found, vec![jobs[0].id, jobs[2].id]);
    let stuck = Overdue {
        statuses: vec![JobStatus::Pending],
        clock: JobClock::Updated,
        before: waiting.updated_at + secs(1),
    };
    assert_eq!(out.jobs.overdue_jobs(&stuck, 10), Ok(vec![waiting.id]));
    assert_eq!(
        out.jobs.overdue_jobs(
            &Overdue {
                statuses: vec![],
                ..stuck
            },
            10
        ),
        Ok(vec![])
    );
}

pub fn a_graceful_cancel_applies_only_to_jobs_of_runners_that_support_it(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let runner = instance_runner(out, "shared");
    let at = now(out) + secs(1);
    let graceful = pending_job(out, &app, "graceful");
    let abrupt = pending_job(out, &app, "abrupt");
    for (job, cancel_gracefully) in [(&graceful, true), (&abrupt, false)] {
        out.jobs
            .assign_job(&Assignment {
                job: job.id,
                runner: runner.id,
                instance_runner: true,
                system_id: "m1".to_owned(),
                token_digest: job_digest(&job.name),
                at,
                cancel_gracefully,
            })
            .unwrap()
            .expect("taken");
    }
    let canceling = JobChange {
        graceful: Some(true),
        ..JobChange::between(&[JobStatus::Running], JobStatus::Canceling, at)
    };
    assert_eq!(out.jobs.change_job(abrupt.id, &canceling), Ok(None));
    assert_eq!(reread_job(out, &abrupt).status, JobStatus::Running);
    let changed = out.jobs.change_job(graceful.id, &canceling).unwrap();
    assert_eq!(changed.map(|j| j.status), Some(JobStatus::Canceling));
    // A canceling job is still held: its runner's contacts count.
    assert_eq!(out.jobs.touch_job(graceful.id, at + secs(2)), Ok(true));
}

pub fn the_first_request_to_finish_is_kept(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let job = pending_job(out, &app, "build");
    let first = now(out) + secs(1);
    assert_eq!(out.jobs.request_finish(job.id, first), Ok(Some(first)));
    assert_eq!(
        out.jobs.request_finish(job.id, first + secs(5)),
        Ok(Some(first))
    );
    assert_eq!(
        out.jobs
            .request_finish(paddock_domain::JobId(job.id.0 + 1000), first),
        Ok(None)
    );
    assert_eq!(
        out.jobs
            .set_deadline(paddock_domain::JobId(job.id.0 + 1000), first),
        Ok(false)
    );
}
