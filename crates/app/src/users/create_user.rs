use paddock_domain::names::{validate_email, validate_user_name, validate_username};
use paddock_domain::permission::Actor;
use paddock_domain::user::User;
use paddock_ports::RepoError;
use paddock_ports::inbound::{CreateError, CreateUserRequest};
use paddock_ports::outbound::{NewUser, Outbound};

/// Administrators create users. A taken username or e-mail is GitLab's 409.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    request: CreateUserRequest,
) -> Result<User, CreateError> {
    if !actor.admin {
        return Err(CreateError::Forbidden(None));
    }
    let errors: Vec<_> = [
        validate_username(&request.username),
        validate_user_name(&request.name),
        validate_email(&request.email),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if !errors.is_empty() {
        return Err(CreateError::Invalid(errors));
    }
    let new = NewUser {
        username: request.username,
        name: request.name,
        email: request.email,
        admin: request.admin,
        created_at: out.clock.now(),
    };
    out.users.create_user(new).map_err(|error| match error {
        RepoError::Conflict(field) if field == "email" => {
            CreateError::Conflict("Email has already been taken".into())
        }
        RepoError::Conflict(_) => CreateError::Conflict("Username has already been taken".into()),
        other => other.into(),
    })
}
