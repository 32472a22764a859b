//! `PUT /runners/:id`.

use paddock_domain::permission::Actor;
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::may_update;
use paddock_ports::inbound::{RunnerDetails, RunnerError, RunnerSettingsInput, What};
use paddock_ports::outbound::RunnerChanges;

use super::{Ctx, apply};

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: RunnerId,
    input: RunnerSettingsInput,
) -> Result<RunnerDetails, RunnerError> {
    let (runner, standing) = ctx.load(actor, id)?;
    if !may_update(actor, &standing) {
        return Err(RunnerError::Forbidden(Some("No access granted")));
    }
    let settings = apply(runner.settings.clone(), &input);
    let errors = settings.validate(input.tags.is_some());
    if !errors.is_empty() {
        return Err(RunnerError::Invalid(errors));
    }
    let changes = RunnerChanges {
        description: input.description,
        maintenance_note: input.maintenance_note,
        active: input.active,
        locked: input.locked,
        run_untagged: input.run_untagged,
        access_level: input.access_level,
        maximum_timeout: input.maximum_timeout,
        tags: input.tags.is_some().then(|| settings.tags.clone()),
        updated_at: Some(ctx.now()),
    };
    let updated = ctx
        .out
        .runners
        .update_runner(id, &changes)?
        .ok_or(RunnerError::NotFound(What::Runner))?;
    ctx.queues.forget(id);
    super::show::details(ctx, actor, updated, &standing, true)
}
