//! `POST /projects/:id/ci/lint`.

use paddock_domain::ci::{self, Lint};
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_ports::inbound::{CreatePipelineError, ProjectRef};

use crate::runners::Ctx;

/// Lints a configuration for those who may create pipelines in the project (GitLab's
/// `create_pipeline`).
pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    content: &str,
) -> Result<Lint, CreatePipelineError> {
    let (_, _, allowed) =
        super::project_for(ctx, Some(actor), project, ProjectAction::RunPipelines)?;
    if !allowed {
        return Err(CreatePipelineError::Forbidden);
    }
    Ok(ci::lint(content))
}
