//! `POST /runners/:id/reset_authentication_token`.

use paddock_domain::permission::Actor;
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::may_update;
use paddock_ports::inbound::{IssuedToken, RunnerError, What};

use super::Ctx;

pub fn execute(ctx: &Ctx<'_>, actor: &Actor, id: RunnerId) -> Result<IssuedToken, RunnerError> {
    let (_, standing) = ctx.load(actor, id)?;
    if !may_update(actor, &standing) {
        return Err(RunnerError::Forbidden(Some("No access granted")));
    }
    let (token, expires_at) = ctx.new_token();
    if !ctx
        .out
        .runners
        .set_runner_token(id, &token.digest(), expires_at, None)?
    {
        return Err(RunnerError::NotFound(What::Runner));
    }
    ctx.queues.forget(id);
    Ok(IssuedToken {
        runner: id,
        token,
        expires_at,
    })
}
