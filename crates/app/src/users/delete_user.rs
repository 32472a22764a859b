use paddock_domain::UserId;
use paddock_domain::permission::Actor;
use paddock_ports::inbound::{DeleteError, What};
use paddock_ports::outbound::Outbound;

/// Administrators delete users, with their personal projects, memberships and tokens.
pub fn execute(out: &Outbound, actor: &Actor, id: UserId) -> Result<(), DeleteError> {
    if !actor.admin {
        return Err(DeleteError::Forbidden(None));
    }
    let artifacts = match out.namespaces.user_namespace(id)? {
        Some(namespace) => crate::artifacts::namespace_artifacts(out, namespace.id, false)?,
        None => Vec::new(),
    };
    if out.users.delete_user(id)? {
        crate::artifacts::remove_files(out, &artifacts);
        Ok(())
    } else {
        Err(DeleteError::NotFound(What::User))
    }
}
