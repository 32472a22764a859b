//! `POST /projects/:id/pipeline`: a pipeline from the project's CI configuration (or one given
//! with the request) for a commit given, or resolved from a branch or tag in the project's
//! repository.

use paddock_domain::ci::{self, AllowFailure, CiConfig, Variable};
use paddock_domain::job::{Commit, JobStatus};
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_domain::project::Project;
use paddock_domain::protected_branch::is_valid_ref_name;
use paddock_ports::inbound::{
    CreatePipelineError, CreatePipelineRequest, PipelineView, ProjectRef, What,
};
use paddock_ports::outbound::{NewJob, NewPipeline};

use super::progress;
use super::views::Views;
use crate::runners::Ctx;

/// `before_sha` of a pipeline not created by a push: GitLab's blank commit id.
pub const BLANK_SHA: &str = "0000000000000000000000000000000000000000";

pub const MISSING_CONFIG: &str = "Missing CI config file";
pub const NO_JOBS: &str = "No stages / jobs for this pipeline.";
pub const REFERENCE_NOT_FOUND: &str = "Reference not found";
pub const NO_REPOSITORY: &str = "Reference not found: the project has no repository_url to resolve it in, so give the commit as sha";
pub const PROTECTED_REF: &str = "Insufficient permissions for protected ref";
pub const BAD_REF: &str = "ref is invalid: not a branch or tag name git accepts";
pub const BAD_SHA: &str =
    "sha is invalid: give the full commit id (40 or 64 hexadecimal characters)";

fn rejected(reason: impl Into<String>) -> CreatePipelineError {
    CreatePipelineError::Rejected(vec![reason.into()])
}

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    request: CreatePipelineRequest,
) -> Result<PipelineView, CreatePipelineError> {
    let (project, _, allowed) =
        super::project_for(ctx, Some(actor), project, ProjectAction::RunPipelines)?;
    if !allowed {
        return Err(CreatePipelineError::Forbidden);
    }
    let text = request
        .ci_config
        .as_deref()
        .or(project.ci_config.as_deref())
        .ok_or_else(|| rejected(MISSING_CONFIG))?;
    if !is_valid_ref_name(&request.ref_name) {
        return Err(rejected(BAD_REF));
    }
    let config = ci::parse(text).map_err(CreatePipelineError::Rejected)?;
    if config.jobs.is_empty() {
        return Err(rejected(NO_JOBS));
    }
    let (sha, tag) = commit_of(ctx, &project, &request)?;
    let protected = !tag && super::ref_is_protected(ctx, &project, &request.ref_name)?;
    if protected && !super::may_update_ref(ctx, actor, &project, &request.ref_name)? {
        return Err(rejected(PROTECTED_REF));
    }
    let commit = project
        .repository_url
        .as_deref()
        .and_then(|url| read_commit(ctx, url, &sha));
    let new = NewPipeline {
        project_id: project.id,
        ref_name: request.ref_name,
        sha,
        before_sha: BLANK_SHA.to_owned(),
        tag,
        protected,
        source: "api".to_owned(),
        status: JobStatus::Created,
        user_id: Some(actor.user),
        variables: request.variables,
        commit,
        created_at: ctx.now(),
        jobs: new_jobs(config),
    };
    let (pipeline, _) = match ctx.out.pipelines.create_pipeline(new) {
        Ok(created) => created,
        // The project was deleted meanwhile.
        Err(paddock_ports::RepoError::Conflict(_)) => {
            return Err(CreatePipelineError::NotFound(What::Project));
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(
        pipeline.id = pipeline.id.0,
        project.id = project.id.0,
        user.id = actor.user.0,
        "pipeline created"
    );
    let pipeline = progress::process(ctx, pipeline.id)?.unwrap_or(pipeline);
    Views::knowing(ctx, &project)
        .pipeline(pipeline)?
        .ok_or(CreatePipelineError::NotFound(What::Project))
}

/// The jobs of a configuration; each job's variables are the global ones followed by its own.
fn new_jobs(config: CiConfig) -> Vec<NewJob> {
    let globals: Vec<Variable> = config.variables;
    config
        .jobs
        .into_iter()
        .map(|mut definition| {
            let mut variables = globals.clone();
            variables.append(&mut definition.variables);
            definition.variables = variables;
            NewJob {
                name: definition.name.clone(),
                stage: definition.stage.clone(),
                stage_index: i32::try_from(definition.stage_index).unwrap_or(i32::MAX),
                status: JobStatus::Created,
                when: definition.when,
                allow_failure: definition.allow_failure == AllowFailure::Yes,
                tags: distinct(&definition.tags),
                definition,
            }
        })
        .collect()
}

/// Tags without repeats, in the order first written.
fn distinct(tags: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        if !seen.contains(tag) {
            seen.push(tag.clone());
        }
    }
    seen
}

/// The commit and whether the ref is a tag: the `sha` given, else the ref resolved in the
/// project's repository.
fn commit_of(
    ctx: &Ctx<'_>,
    project: &Project,
    request: &CreatePipelineRequest,
) -> Result<(String, bool), CreatePipelineError> {
    let url = project.repository_url.as_deref();
    match (&request.sha, url) {
        (Some(sha), url) => {
            if !is_commit_id(sha) {
                return Err(rejected(BAD_SHA));
            }
            let tag = request.tag.unwrap_or_else(|| {
                url.and_then(|url| match ctx.out.git.is_tag(url, &request.ref_name) {
                    Ok(tag) => tag,
                    Err(error) => {
                        tracing::warn!(%error, project.id = project.id.0, "cannot tell whether the ref is a tag");
                        None
                    }
                })
                .unwrap_or(false)
            });
            Ok((sha.to_ascii_lowercase(), tag))
        }
        (None, Some(url)) => match ctx.out.git.resolve_ref(url, &request.ref_name) {
            Ok(Some(resolved)) => Ok((resolved.sha, request.tag.unwrap_or(resolved.tag))),
            Ok(None) => Err(rejected(REFERENCE_NOT_FOUND)),
            Err(error) => Err(rejected(format!(
                "{REFERENCE_NOT_FOUND}: the repository cannot be read ({error})"
            ))),
        },
        (None, None) => Err(rejected(NO_REPOSITORY)),
    }
}

/// A full commit id: 40 (SHA-1) or 64 (SHA-256) hexadecimal characters.
fn is_commit_id(sha: &str) -> bool {
    matches!(sha.len(), 40 | 64) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the repository says of the commit; nothing when it cannot tell.
fn read_commit(ctx: &Ctx<'_>, url: &str, sha: &str) -> Option<Commit> {
    match ctx.out.git.commit(url, sha) {
        Ok(commit) => commit,
        Err(error) => {
            tracing::warn!(%error, "cannot read the pipeline's commit");
            None
        }
    }
}
