//! `DELETE /runners/:id`.

use paddock_domain::permission::Actor;
use paddock_domain::precondition::unmodified_since;
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::may_delete;
use paddock_ports::inbound::{RunnerError, UnmodifiedSince, What};

use super::Ctx;

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: RunnerId,
    since: UnmodifiedSince,
) -> Result<(), RunnerError> {
    let (runner, standing) = ctx.load(actor, id)?;
    may_delete(actor, &standing).map_err(|denied| RunnerError::Forbidden(Some(denied.reason())))?;
    if !unmodified_since(runner.updated_at, since) {
        return Err(RunnerError::PreconditionFailed);
    }
    if !ctx.out.runners.delete_runner(id)? {
        return Err(RunnerError::NotFound(What::Runner));
    }
    ctx.live.forget(id, None);
    ctx.queues.forget(id);
    tracing::info!(runner.id = id.0, user.id = actor.user.0, "runner deleted");
    Ok(())
}
