//! Resolving a personal access token to its user.

use chrono::Duration;
use paddock_domain::token::PlainToken;
use paddock_domain::user::UserState;
use paddock_ports::inbound::{AuthError, Authenticated};
use paddock_ports::outbound::Outbound;

/// `last_used_at` is written at most this often per token.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(10);

pub fn execute(out: &Outbound, token: &PlainToken) -> Result<Authenticated, AuthError> {
    if token.is_empty() {
        return Err(AuthError::Invalid);
    }
    let now = out.clock.now();
    let stored = out
        .tokens
        .token_by_digest(&token.digest())?
        .ok_or(AuthError::Invalid)?;
    if !stored.is_active(now) {
        return Err(AuthError::Invalid);
    }
    let user = out.users.user(stored.user_id)?.ok_or(AuthError::Invalid)?;
    if user.state != UserState::Active {
        return Err(AuthError::Invalid);
    }
    let stale = stored
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION);
    if stale {
        // Bookkeeping only: a failure here must not refuse a valid token.
        if let Err(error) = out.tokens.touch_token(stored.id, now) {
            tracing::warn!(%error, token.id = stored.id.0, "could not record token use");
        }
    }
    Ok(Authenticated {
        user,
        scopes: stored.scopes,
    })
}
