//! Moving a pipeline on: after anything changes a job's status, the jobs waiting for it start,
//! become manual or are skipped, and the pipeline's status follows its jobs. Runners that can
//! take a job that became pending get a new queue value.
//!
//! Several requests (and processes) may move the same pipeline at once: job changes are
//! conditional (`created` → ...), and the pipeline's status is written only over the version
//! it was computed from, else computed again.

use chrono::{DateTime, Utc};
use paddock_domain::PipelineId;
use paddock_domain::job::progress::{Step, progress};
use paddock_domain::job::queue::{JobNeeds, ProjectScope};
use paddock_domain::job::{Job, JobOutcome, JobStatus, Pipeline, pipeline_status};
use paddock_ports::RepoResult;
use paddock_ports::outbound::{JobChange, PipelineStatusUpdate};

use crate::runners::Ctx;

/// How often a status write lost to a concurrent one is retried before giving up (the other
/// writer then holds a status at least as new).
const ROUNDS: usize = 8;

/// Moves the pipeline on; returns it as it is afterwards (`None` when it is gone).
pub fn process(ctx: &Ctx<'_>, id: PipelineId) -> RepoResult<Option<Pipeline>> {
    for _ in 0..ROUNDS {
        let Some(pipeline) = ctx.out.pipelines.pipeline(id)? else {
            return Ok(None);
        };
        let mut jobs = latest(ctx.out.jobs.pipeline_jobs(id)?);
        let Waiting { moved, started } = start_waiting(ctx, &jobs)?;
        // Jobs skipped or made manual change the pipeline's status as much as started ones.
        if moved {
            jobs = latest(ctx.out.jobs.pipeline_jobs(id)?);
        }
        tick(ctx, &started)?;
        let update = status_of(&pipeline, &jobs, ctx.now());
        if update.status == pipeline.status
            && update.started_at == pipeline.started_at
            && update.finished_at == pipeline.finished_at
        {
            return Ok(Some(pipeline));
        }
        if ctx
            .out
            .pipelines
            .update_pipeline_status(id, pipeline.lock_version, &update)?
        {
            return Ok(Some(Pipeline {
                status: update.status,
                started_at: update.started_at,
                finished_at: update.finished_at,
                updated_at: update.updated_at,
                lock_version: pipeline.lock_version + 1,
                ..pipeline
            }));
        }
    }
    ctx.out.pipelines.pipeline(id)
}

/// The latest try of each job.
pub fn latest(jobs: Vec<Job>) -> Vec<Job> {
    jobs.into_iter().filter(|j| !j.retried).collect()
}

/// What [`start_waiting`] did.
struct Waiting {
    /// Some job was due to change (by this request or, meanwhile, by another): the jobs
    /// read before are out of date.
    moved: bool,
    /// The jobs this request made pending.
    started: Vec<Job>,
}

/// Applies what the progression says to `created` jobs.
fn start_waiting(ctx: &Ctx<'_>, jobs: &[Job]) -> RepoResult<Waiting> {
    let steps: Vec<Step> = jobs.iter().map(step).collect();
    let now = ctx.now();
    let changes = progress(&steps);
    let moved = !changes.is_empty();
    let mut started = Vec::new();
    for (index, to) in changes {
        let change = JobChange::between(&[JobStatus::Created], to, now);
        // `None`: another request moved it first.
        if let Some(job) = ctx.out.jobs.change_job(jobs[index].id, &change)?
            && job.status == JobStatus::Pending
        {
            started.push(job);
        }
    }
    Ok(Waiting { moved, started })
}

fn step(job: &Job) -> Step {
    Step {
        name: job.name.clone(),
        stage_index: job.stage_index,
        status: job.status,
        when: job.when,
        allow_failure: job.allow_failure,
        needs: job
            .definition
            .needs
            .as_ref()
            .map(|needs| needs.iter().map(|n| n.job.clone()).collect()),
    }
}

/// The pipeline's status from its jobs: started when its first job started, finished when
/// its last job finished.
fn status_of(pipeline: &Pipeline, jobs: &[Job], now: DateTime<Utc>) -> PipelineStatusUpdate {
    let outcomes: Vec<JobOutcome> = jobs.iter().map(Job::outcome).collect();
    let status = pipeline_status(&outcomes);
    let started_at = pipeline
        .started_at
        .or_else(|| jobs.iter().filter_map(|j| j.started_at).min());
    let finished_at = if status.is_complete() {
        jobs.iter()
            .filter_map(|j| j.finished_at)
            .max()
            .or(Some(now))
    } else {
        None
    };
    PipelineStatusUpdate {
        status,
        started_at,
        finished_at,
        updated_at: now,
    }
}

/// Jobs became pending: the runners of this process that can take them get new queue values.
pub fn tick(ctx: &Ctx<'_>, jobs: &[Job]) -> RepoResult<()> {
    let Some(first) = jobs.first() else {
        return Ok(());
    };
    let Some(project) = ctx.out.projects.project(first.project_id)? else {
        return Ok(());
    };
    let namespaces = ctx
        .out
        .namespaces
        .namespace(project.namespace_id)?
        .map(|n| n.traversal_ids)
        .unwrap_or_default();
    let scope = ProjectScope {
        id: project.id,
        namespaces,
        shared_runners_enabled: project.shared_runners_enabled,
        group_runners_enabled: project.group_runners_enabled,
    };
    // Jobs with the same needs tick the same runners: once is enough (a pipeline's jobs mostly
    // share them, and each tick looks at every runner this process knows).
    let mut needs: Vec<JobNeeds<'_>> = Vec::with_capacity(jobs.len());
    for job in jobs {
        let need = JobNeeds {
            tags: &job.tags,
            protected: job.protected,
        };
        if !needs.contains(&need) {
            needs.push(need);
        }
    }
    for need in needs {
        ctx.queues.job_pending(&scope, need);
    }
    Ok(())
}
