//! `POST /runners` and `POST /ci/api/v1/runners/register`: a runner registers with the
//! registration token of the instance, a group or a project.

use paddock_domain::runner::{RegistrationType, RunnerType};
use paddock_ports::inbound::{IssuedToken, RegisterError, RegisterRunnerRequest};
use paddock_ports::outbound::NewRunner;

use super::{Ctx, settings_from};

pub fn execute(
    ctx: &Ctx<'_>,
    request: RegisterRunnerRequest,
) -> Result<IssuedToken, RegisterError> {
    let out = ctx.out;
    let digest = request.registration_token.digest();
    if request.registration_token.is_empty() {
        return Err(RegisterError::InvalidToken);
    }
    let (runner_type, group_id, project_id) = if out
        .settings
        .instance_runners_token()?
        .is_some_and(|stored| stored.digest == digest)
    {
        (RunnerType::Instance, None, None)
    } else if let Some(project) = out.projects.project_by_runners_token(&digest)? {
        (RunnerType::Project, None, Some(project.id))
    } else if let Some(group) = out.namespaces.group_by_runners_token(&digest)? {
        (RunnerType::Group, Some(group.id), None)
    } else {
        return Err(RegisterError::InvalidToken);
    };
    let settings = settings_from(&request.settings);
    let errors = settings.validate(true);
    if !errors.is_empty() {
        return Err(RegisterError::Invalid(errors));
    }
    let (token, expires_at) = ctx.new_token();
    let runner = out.runners.create_runner(NewRunner {
        runner_type,
        group_id,
        project_id,
        settings,
        name: request.contact.info.as_ref().and_then(|i| i.name.clone()),
        token_digest: token.digest(),
        token_expires_at: expires_at,
        registration_type: RegistrationType::RegistrationToken,
        creator_id: None,
        created_at: ctx.now(),
    })?;
    tracing::info!(runner.id = runner.id.0, runner.type = runner_type.as_str(), "runner registered");
    Ok(IssuedToken {
        runner: runner.id,
        token,
        expires_at,
    })
}
