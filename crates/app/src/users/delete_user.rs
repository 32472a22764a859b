use paddock_domain::UserId;
use paddock_domain::permission::Actor;
use paddock_ports::inbound::{DeleteError, What};
use paddock_ports::outbound::Outbound;

/// Administrators delete users, with their personal projects, memberships and tokens.
pub fn execute(out: &Outbound, actor: &Actor, id: UserId) -> Result<(), DeleteError> {
    if !actor.admin {
        return Err(DeleteError::Forbidden(None));
    }
    if out.users.delete_user(id)? {
        Ok(())
    } else {
        Err(DeleteError::NotFound(What::User))
    }
}
