//! `POST /user/runners`: a user creates a runner and gets its `glrt-` token.

use paddock_domain::permission::Actor;
use paddock_domain::runner::permission::may_create;
use paddock_domain::runner::{RegistrationType, RunnerType};
use paddock_ports::inbound::{CreateRunnerRequest, GroupRef, IssuedToken, ProjectRef, RunnerError};
use paddock_ports::outbound::NewRunner;

use super::{Ctx, settings_from};
use crate::access::{visible_group, visible_project};

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    request: CreateRunnerRequest,
) -> Result<IssuedToken, RunnerError> {
    let out = ctx.out;
    // A group or project the actor cannot see is refused like one they cannot manage.
    let (role, group_id, project_id) = match request.runner_type {
        RunnerType::Instance => (None, None, None),
        RunnerType::Group => {
            let id = request.group_id.ok_or(RunnerError::Forbidden(None))?;
            let (group, role) = visible_group(out, Some(actor), &GroupRef::Id(id))
                .map_err(|_| RunnerError::Forbidden(None))?;
            (role, Some(group.id), None)
        }
        RunnerType::Project => {
            let id = request.project_id.ok_or(RunnerError::Forbidden(None))?;
            let (project, _, roles) = visible_project(out, Some(actor), &ProjectRef::Id(id))
                .map_err(|_| RunnerError::Forbidden(None))?;
            (roles.effective(), None, Some(project.id))
        }
    };
    if !may_create(actor, request.runner_type, role) {
        return Err(RunnerError::Forbidden(None));
    }
    let settings = settings_from(&request.settings);
    let errors = settings.validate(true);
    if !errors.is_empty() {
        return Err(RunnerError::Invalid(errors));
    }
    let (token, expires_at) = ctx.new_token();
    let runner = out
        .runners
        .create_runner(NewRunner {
            runner_type: request.runner_type,
            group_id,
            project_id,
            settings,
            name: None,
            token_digest: token.digest(),
            token_expires_at: expires_at,
            registration_type: RegistrationType::AuthenticatedUser,
            creator_id: Some(actor.user),
            created_at: ctx.now(),
        })
        .map_err(|error| match error {
            // The group or project was deleted meanwhile.
            paddock_ports::RepoError::Conflict(_) => RunnerError::Forbidden(None),
            other => other.into(),
        })?;
    tracing::info!(
        runner.id = runner.id.0,
        user.id = actor.user.0,
        "runner created"
    );
    Ok(IssuedToken {
        runner: runner.id,
        token,
        expires_at,
    })
}
