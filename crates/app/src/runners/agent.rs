//! The runner-facing calls made with a runner's own token: verify, unregister, reset the
//! token, remove a manager.

use paddock_domain::precondition::unmodified_since;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{
    IssuedToken, RemoveManagerError, RunnerAuthError, RunnerContact, RunnerView, UnmodifiedSince,
};

use super::Ctx;

/// `POST /runners/verify`: a contact of the runner and of its manager.
pub fn verify(
    ctx: &Ctx<'_>,
    token: &PlainToken,
    contact: RunnerContact,
) -> Result<IssuedToken, RunnerAuthError> {
    let runner = ctx.authenticate(token)?;
    ctx.touch(&runner, Some(&contact));
    Ok(IssuedToken {
        runner: runner.id,
        token: token.clone(),
        expires_at: runner.token_expires_at,
    })
}

/// `DELETE /runners`: the runner deletes itself (no manager is created on the way).
pub fn unregister(
    ctx: &Ctx<'_>,
    token: &PlainToken,
    since: UnmodifiedSince,
) -> Result<RunnerView, RunnerAuthError> {
    let runner = ctx.authenticate(token)?;
    if !unmodified_since(runner.updated_at, since) {
        return Err(RunnerAuthError::PreconditionFailed);
    }
    let view = ctx.view(runner.clone(), None);
    ctx.out.runners.delete_runner(runner.id)?;
    ctx.live.forget(runner.id, None);
    ctx.queues.forget(runner.id);
    tracing::info!(runner.id = runner.id.0, "runner unregistered itself");
    Ok(view)
}

/// `POST /runners/reset_authentication_token`: a new token; the old one stops working.
pub fn reset_own_token(
    ctx: &Ctx<'_>,
    token: &PlainToken,
    contact: RunnerContact,
) -> Result<IssuedToken, RunnerAuthError> {
    let runner = ctx.authenticate(token)?;
    ctx.touch(&runner, Some(&contact));
    let old = token.digest();
    let (token, expires_at) = ctx.new_token();
    // Only while the token is still the old one: two resets at once issue one new token.
    if !ctx
        .out
        .runners
        .set_runner_token(runner.id, &token.digest(), expires_at, Some(&old))?
    {
        return Err(RunnerAuthError::Forbidden);
    }
    ctx.queues.forget(runner.id);
    Ok(IssuedToken {
        runner: runner.id,
        token,
        expires_at,
    })
}

/// `DELETE /runners/managers`: removes one machine; the runner stays.
pub fn remove_manager(
    ctx: &Ctx<'_>,
    token: &PlainToken,
    system_id: &str,
    since: UnmodifiedSince,
) -> Result<(), RemoveManagerError> {
    let runner = ctx.authenticate(token).map_err(|e| match e {
        RunnerAuthError::Forbidden => RemoveManagerError::Forbidden,
        RunnerAuthError::PreconditionFailed => RemoveManagerError::PreconditionFailed,
        RunnerAuthError::Internal(text) => RemoveManagerError::Internal(text),
    })?;
    // A manager seen but not yet written down is written first, so that it can be removed.
    ctx.flush();
    let manager = ctx
        .out
        .runners
        .runner_managers(runner.id)?
        .into_iter()
        .find(|m| m.system_id == system_id)
        .ok_or(RemoveManagerError::NotFound)?;
    let changed_at = manager
        .contacted_at
        .unwrap_or(manager.created_at)
        .max(manager.created_at);
    if !unmodified_since(changed_at, since) {
        return Err(RemoveManagerError::PreconditionFailed);
    }
    if ctx
        .out
        .runners
        .delete_runner_manager(runner.id, system_id)?
    {
        ctx.live.forget(runner.id, Some(system_id));
        Ok(())
    } else {
        Err(RemoveManagerError::NotFound)
    }
}
