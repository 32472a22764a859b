use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::ResetTokenError;
use paddock_ports::outbound::Outbound;

use crate::access::new_registration_token;

/// Administrators reset the instance registration token.
pub fn execute(out: &Outbound, actor: &Actor) -> Result<PlainToken, ResetTokenError> {
    if !actor.admin {
        return Err(ResetTokenError::Forbidden);
    }
    let (plain, sealed) = new_registration_token(out);
    out.settings.set_instance_runners_token(&sealed)?;
    tracing::info!(user.id = actor.user.0, "instance registration token reset");
    Ok(plain)
}
