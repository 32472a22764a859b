//! `POST /jobs/request`: the runner is authenticated (from memory when it polled lately), its
//! contact recorded, and, unless its `last_update` is still current or its queue was read
//! empty at its current value, it is offered the pending jobs it may take, in GitLab's order,
//! until one conditional update gives it one.

use std::collections::HashMap;

use paddock_domain::job::queue::{Candidate, fair_order};
use paddock_domain::job::{FailureReason, Job};
use paddock_domain::runner::{AccessLevel, Runner, RunnerType};
use paddock_domain::token::{TokenDigest, TokenKind, is_expired};
use paddock_domain::{JobId, ProjectId};
use paddock_ports::RepoError;
use paddock_ports::inbound::{JobPayload, JobRequest, JobRequestOutcome, RunnerAuthError};
use paddock_ports::outbound::{Assignment, JobChange, QueueQuery, QueueScope};

use super::payload;
use crate::queue::Known;
use crate::runners::Ctx;

/// GitLab's `MAX_QUEUE_DEPTH`: how many pending jobs one request tries before answering 409.
pub const MAX_QUEUE_DEPTH: usize = 45;

/// The answer when memory alone gives it: a runner known and fresh here that is paused, polls
/// with its current value, or whose queue was read empty at that value.
pub fn from_memory(
    ctx: &Ctx<'_>,
    request: &JobRequest,
) -> Option<Result<JobRequestOutcome, RunnerAuthError>> {
    let known = match remembered(ctx, request, &request.token.digest()) {
        Ok(known) => known?,
        Err(error) => return Some(Err(error)),
    };
    let answer = idle(&known, request)?;
    ctx.touch(&known.runner, Some(&request.contact));
    Some(Ok(answer))
}

/// The runner of the request's token as this process remembers it (`None`: not known, or
/// not fresh); refused when there is no token or the remembered one has expired.
fn remembered(
    ctx: &Ctx<'_>,
    request: &JobRequest,
    digest: &TokenDigest,
) -> Result<Option<Known>, RunnerAuthError> {
    if request.token.is_empty() {
        return Err(RunnerAuthError::Forbidden);
    }
    let now = ctx.now();
    match ctx.queues.known(digest, now, ctx.config.queue_refresh) {
        Some(known) if is_expired(known.runner.token_expires_at, now) => {
            Err(RunnerAuthError::Forbidden)
        }
        known => Ok(known),
    }
}

/// "No job" without reading the queue, when that is the answer.
fn idle(known: &Known, request: &JobRequest) -> Option<JobRequestOutcome> {
    let last_update = known.value.clone();
    if !known.runner.settings.active {
        Some(JobRequestOutcome::Paused { last_update })
    } else if known.empty || request.last_update.as_deref() == Some(known.value.as_str()) {
        Some(JobRequestOutcome::NoJob { last_update })
    } else {
        None
    }
}

/// At most this many jobs beyond [`MAX_QUEUE_DEPTH`] are read to make up for leased ones.
const LEASED_EXTRA: usize = 3 * MAX_QUEUE_DEPTH;

pub fn execute(ctx: &Ctx<'_>, request: JobRequest) -> Result<JobRequestOutcome, RunnerAuthError> {
    let digest = request.token.digest();
    let now = ctx.now();
    let known = match remembered(ctx, &request, &digest)? {
        Some(known) => known,
        None => {
            // A runner changed while it is read here must not be remembered as it was.
            let epoch = ctx.queues.epoch();
            let runner = ctx.authenticate(&request.token)?;
            let projects = match runner.runner_type {
                RunnerType::Project => ctx.out.runners.runner_project_ids(runner.id)?,
                _ => Vec::new(),
            };
            let value = ctx
                .queues
                .remember(digest, runner.clone(), projects, now, epoch);
            Known {
                runner,
                value,
                empty: false,
            }
        }
    };
    ctx.touch(&known.runner, Some(&request.contact));
    if let Some(answer) = idle(&known, &request) {
        return Ok(answer);
    }
    // The value is taken before the queue is read: a job queued meanwhile changes it, so the
    // runner's next poll reads the queue again.
    let Known { runner, value, .. } = known;
    let (order, running) = offers(ctx, &runner)?;
    if order.is_empty() {
        ctx.queues.read_empty(&digest, &value);
        return Ok(JobRequestOutcome::NoJob { last_update: value });
    }
    // Only a lost race makes the answer a 409 (the runner retries at once): a job leased by
    // another request, or taken by another since the queue was read. Jobs dropped because
    // this runner cannot run them leave it a plain "no job".
    let mut lost = false;
    let mut tried = 0;
    for job in order {
        if tried == MAX_QUEUE_DEPTH {
            break;
        }
        if !ctx.claims.claim(job, now) {
            lost = true;
            continue;
        }
        tried += 1;
        let token = ctx.out.token_generator.generate(TokenKind::Job);
        let assignment = Assignment {
            job,
            runner: runner.id,
            instance_runner: runner.runner_type == RunnerType::Instance,
            system_id: request
                .contact
                .system_id
                .clone()
                .unwrap_or_else(|| paddock_domain::runner::LEGACY_SYSTEM_ID.to_owned()),
            token_digest: token.digest(),
            at: now,
            cancel_gracefully: request.features.iter().any(|f| f == CANCEL_GRACEFULLY),
        };
        // The lease stays on a job that is not pending any more (taken, here or elsewhere),
        // so that requests that read the queue before pass over it.
        let job = match ctx.out.jobs.assign_job(&assignment) {
            Ok(Some(job)) => job,
            Ok(None) => {
                lost = true;
                continue;
            }
            // The runner was deleted (by another process; this one forgets it at once).
            Err(RepoError::Conflict(_)) => {
                ctx.claims.release(job);
                ctx.queues.forget(runner.id);
                return Err(RunnerAuthError::Forbidden);
            }
            Err(other) => {
                ctx.claims.release(job);
                return Err(other.into());
            }
        };
        if let Some(missing) = unsupported(&job, &request.features) {
            // GitLab drops a job the runner cannot run and offers the next one.
            tracing::info!(
                job.id = job.id.0,
                runner.id = runner.id.0,
                feature = missing,
                "job needs a feature the runner lacks"
            );
            fail_unsupported(ctx, &job)?;
            continue;
        }
        tracing::info!(job.id = job.id.0, runner.id = runner.id.0, "job assigned");
        let pipeline = job.pipeline_id;
        let running_before = running.get(&job.project_id).copied().unwrap_or(0);
        match payload::build(ctx, job, token, runner.clone(), running_before) {
            Ok(payload) => {
                keep_deadline(ctx, &payload);
                // The pipeline is running now (read after the job was taken, so a pipeline
                // shown running was moved by this or an earlier assignment); if that cannot
                // be written, the next event writes it.
                if !payload.pipeline.unchanged_by_assignment()
                    && let Err(error) = crate::pipelines::progress::process(ctx, pipeline)
                {
                    tracing::warn!(%error, pipeline.id = pipeline.0, "could not move the pipeline on");
                }
                return Ok(JobRequestOutcome::Job(Box::new(payload)));
            }
            // The job was dropped with `scheduler_failure` and the cause logged; as GitLab,
            // the runner is offered the next one.
            Err(_) => continue,
        }
    }
    if lost {
        Ok(JobRequestOutcome::Conflict)
    } else {
        Ok(JobRequestOutcome::NoJob { last_update: value })
    }
}

/// The runner feature that lets a canceled job finish (`canceling`) rather than stop at once.
const CANCEL_GRACEFULLY: &str = "cancel_gracefully";

/// Records when the job's timeout ends (the timeout sweep fails it some grace after); if
/// that cannot be written, only the silence rule ends the job.
fn keep_deadline(ctx: &Ctx<'_>, payload: &JobPayload) {
    let timeout = i64::try_from(payload.timeout).unwrap_or(i64::MAX);
    let started = payload.job.started_at.unwrap_or_else(|| ctx.now());
    let deadline = chrono::Duration::try_seconds(timeout)
        .and_then(|timeout| started.checked_add_signed(timeout))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    if let Err(error) = ctx.out.jobs.set_deadline(payload.job.id, deadline) {
        tracing::warn!(%error, job.id = payload.job.id.0, "could not record the job's deadline");
    }
}

/// A feature the job needs that the runner did not advertise.
fn unsupported(job: &Job, features: &[String]) -> Option<&'static str> {
    let has = |name: &str| features.iter().any(|f| f == name);
    let excludes = job
        .definition
        .artifacts
        .as_ref()
        .is_some_and(|a| !a.exclude.is_empty());
    (excludes && !has("artifacts_exclude")).then_some("artifacts_exclude")
}

fn fail_unsupported(ctx: &Ctx<'_>, job: &Job) -> Result<(), RunnerAuthError> {
    let change = JobChange::failure(FailureReason::RunnerUnsupported, ctx.now());
    ctx.out.jobs.change_job(job.id, &change)?;
    if let Err(error) = crate::pipelines::progress::process(ctx, job.pipeline_id) {
        tracing::warn!(%error, pipeline.id = job.pipeline_id.0, "could not move the pipeline on");
    }
    Ok(())
}

/// The jobs to offer, in order, and (for an instance runner) how many jobs each of their
/// projects runs on instance runners.
fn offers(
    ctx: &Ctx<'_>,
    runner: &Runner,
) -> Result<(Vec<JobId>, HashMap<ProjectId, u64>), RunnerAuthError> {
    let scope = match runner.runner_type {
        RunnerType::Project => QueueScope::ProjectRunner(runner.id),
        RunnerType::Group => match runner.group_id {
            Some(group) => QueueScope::GroupRunner(group),
            None => return Ok((Vec::new(), HashMap::new())),
        },
        RunnerType::Instance => QueueScope::InstanceRunner,
    };
    let query = QueueQuery {
        scope,
        tags: runner.settings.tags.as_slice().to_vec(),
        run_untagged: runner.settings.run_untagged,
        protected_only: runner.settings.access_level == AccessLevel::RefProtected,
    };
    // Jobs leased by other requests are passed over: as many more are read (up to a bound),
    // so that a runner polling among many still finds one to try.
    let limit = MAX_QUEUE_DEPTH + ctx.claims.held(ctx.now()).min(LEASED_EXTRA);
    let mut candidates: Vec<Candidate> = ctx.out.jobs.queue(&query, limit)?;
    if runner.runner_type != RunnerType::Instance {
        return Ok((candidates.iter().map(|c| c.job).collect(), HashMap::new()));
    }
    // Fairness looks at every project's oldest job; the oldest jobs overall give a runner that
    // loses a race the next job of a busy project rather than a 409. When the queue holds
    // fewer jobs than were asked for, every project's oldest job is among them already.
    if candidates.len() == limit {
        for head in ctx.out.jobs.queue_heads(&query, MAX_QUEUE_DEPTH)? {
            if !candidates.contains(&head) {
                candidates.push(head);
            }
        }
    }
    let mut projects: Vec<ProjectId> = candidates.iter().map(|c| c.project).collect();
    projects.sort();
    projects.dedup();
    let running = ctx.out.jobs.running_on_instance(&projects)?;
    Ok((fair_order(candidates, &running), running))
}
