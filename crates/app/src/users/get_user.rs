use paddock_domain::UserId;
use paddock_domain::permission::Actor;
use paddock_domain::user::{User, UserState};
use paddock_ports::inbound::{FindError, What};
use paddock_ports::outbound::Outbound;

/// Any signed-in user may read a user; blocked users are visible to administrators only.
pub fn execute(out: &Outbound, actor: &Actor, id: UserId) -> Result<User, FindError> {
    let user = out.users.user(id)?.ok_or(FindError::NotFound(What::User))?;
    if user.state == UserState::Blocked && !actor.admin && actor.user != user.id {
        return Err(FindError::NotFound(What::User));
    }
    Ok(user)
}
