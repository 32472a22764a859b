//! What a runner receives with a job it took.

use paddock_domain::GITLAB_VERSION;
use paddock_domain::job::artifact::ArtifactType;
use paddock_domain::job::queue::{effective_timeout, running_on_instance_label};
use paddock_domain::job::variables::{JobContext, JobVariable, job_variables, secrets};
use paddock_domain::job::{FailureReason, Job};
use paddock_domain::runner::{Runner, RunnerType};
use paddock_domain::token::PlainToken;
use paddock_ports::RepoResult;
use paddock_ports::inbound::{Dependency, JobPayload, RunnerAuthError};
use paddock_ports::outbound::JobChange;

use crate::artifacts::live_artifacts;
use crate::pipelines::progress::{self, latest};
use crate::runners::Ctx;
use crate::variables::project_variables;

/// The payload of a job just assigned to `runner`. If it cannot be built, the job fails with
/// `scheduler_failure` (the runner never hears of it) and the error is returned.
pub fn build(
    ctx: &Ctx<'_>,
    job: Job,
    token: PlainToken,
    runner: Runner,
    running_before: u64,
) -> Result<JobPayload, RunnerAuthError> {
    let id = job.id;
    let pipeline_id = job.pipeline_id;
    match assemble(ctx, job, token, runner, running_before, true) {
        Ok(Some(payload)) => Ok(payload),
        outcome => {
            let detail = match outcome {
                Err(error) => error.to_string(),
                _ => "its pipeline or project is gone".to_owned(),
            };
            tracing::error!(job.id = id.0, error = %detail, "a job taken by a runner cannot be handed to it");
            let change = JobChange::failure(FailureReason::SchedulerFailure, ctx.now());
            if ctx.out.jobs.change_job(id, &change).is_ok() {
                let _ = progress::process(ctx, pipeline_id);
            }
            Err(RunnerAuthError::Internal(detail))
        }
    }
}

/// The payload of a build its runner holds already, shown again (the v1 API's answer to an
/// upload); its secrets were kept when it was taken. `None` when its runner, pipeline or
/// project is gone.
pub(crate) fn shown_again(
    ctx: &Ctx<'_>,
    job: Job,
    token: PlainToken,
) -> RepoResult<Option<JobPayload>> {
    let Some(runner_id) = job.runner_id else {
        return Ok(None);
    };
    let Some(runner) = ctx.out.runners.runner(runner_id)? else {
        return Ok(None);
    };
    assemble(ctx, job, token, runner, 0, false)
}

/// The payload; `keep_secrets` when the runner takes the job now.
fn assemble(
    ctx: &Ctx<'_>,
    job: Job,
    token: PlainToken,
    runner: Runner,
    running_before: u64,
    keep_secrets: bool,
) -> RepoResult<Option<JobPayload>> {
    let Some(pipeline) = ctx.out.pipelines.pipeline(job.pipeline_id)? else {
        return Ok(None);
    };
    let Some(project) = ctx.out.projects.project(job.project_id)? else {
        return Ok(None);
    };
    let user = match pipeline.user_id {
        Some(id) => ctx.out.users.user(id)?,
        None => None,
    };
    let project_variables = project_variables(ctx, project.id)?;
    let timeout = effective_timeout(
        job.definition.timeout,
        ctx.config.default_job_timeout,
        runner.settings.maximum_timeout,
    );
    let variables = job_variables(&JobContext {
        server_url: &ctx.config.external_url,
        server_version: GITLAB_VERSION,
        project: &project,
        pipeline: &pipeline,
        job: &job,
        job_token: token.expose(),
        runner: &runner,
        user: user.as_ref(),
        project_variables: &project_variables,
        timeout,
    });
    if keep_secrets {
        crate::secrets::keep(
            ctx,
            job.id,
            secrets(&variables)
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect(),
        )?;
    }
    let dependencies = dependencies_of(ctx, &job)?;
    let repo_url = project.repository_url.clone().unwrap_or_else(|| {
        format!(
            "{}/{}.git",
            ctx.config.external_url, project.path_with_namespace
        )
    });
    let now = ctx.now();
    Ok(Some(JobPayload {
        time_in_queue_seconds: job.queued_duration(now).unwrap_or(0.0),
        running_on_instance: running_on_instance_label(
            runner.runner_type == RunnerType::Instance,
            running_before,
        ),
        git_depth: git_depth(&variables),
        dependencies,
        repo_url,
        timeout,
        variables,
        user,
        runner,
        project,
        pipeline,
        token,
        job,
    }))
}

/// `GIT_DEPTH` as the last definition sets it; 0 or garbage: a full clone.
fn git_depth(variables: &[JobVariable]) -> Option<u32> {
    variables
        .iter()
        .rev()
        .find(|v| v.key == "GIT_DEPTH")
        .and_then(|v| v.value.trim().parse::<u32>().ok())
        .filter(|depth| *depth > 0)
}

/// The jobs whose artifacts this one downloads: those `dependencies` names, else the `needs`
/// that want artifacts, else every job of the earlier stages.
pub(crate) fn dependency_jobs(ctx: &Ctx<'_>, job: &Job) -> RepoResult<Vec<Job>> {
    let named: Option<Vec<String>> = job.definition.dependencies.clone().or_else(|| {
        job.definition.needs.as_ref().map(|needs| {
            needs
                .iter()
                .filter(|n| n.artifacts)
                .map(|n| n.job.clone())
                .collect()
        })
    });
    // Nothing named, or no earlier stage: no job of the pipeline to read.
    let none = match &named {
        Some(names) => names.is_empty(),
        None => job.stage_index == 0,
    };
    if none {
        return Ok(Vec::new());
    }
    Ok(latest(ctx.out.jobs.pipeline_jobs(job.pipeline_id)?)
        .into_iter()
        .filter(|other| other.id != job.id)
        .filter(|other| match &named {
            Some(names) => names.contains(&other.name),
            None => other.stage_index < job.stage_index,
        })
        .collect())
}

/// The dependencies of a job, each with its archive when it has one.
fn dependencies_of(ctx: &Ctx<'_>, job: &Job) -> RepoResult<Vec<Dependency>> {
    let jobs = dependency_jobs(ctx, job)?;
    let ids: Vec<_> = jobs.iter().map(|j| j.id).collect();
    let mut archives = live_artifacts(ctx, &ids)?;
    archives.retain(|a| a.artifact_type == ArtifactType::Archive);
    Ok(jobs
        .into_iter()
        .map(|other| Dependency {
            archive: archives.iter().find(|a| a.job_id == other.id).cloned(),
            id: other.id,
            name: other.name,
            stage: other.stage,
            status: other.status,
        })
        .collect())
}
