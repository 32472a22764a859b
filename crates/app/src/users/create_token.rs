use paddock_domain::names::{FieldError, validate_text};
use paddock_domain::permission::Actor;
use paddock_domain::token::TokenKind;
use paddock_domain::{Scopes, UserId};
use paddock_ports::inbound::{CreateError, CreateTokenRequest, CreatedToken, What};
use paddock_ports::outbound::{NewPersonalAccessToken, Outbound};

/// Administrators create personal access tokens for any user. The secret is returned once.
pub fn execute(
    out: &Outbound,
    actor: &Actor,
    user: UserId,
    request: CreateTokenRequest,
) -> Result<CreatedToken, CreateError> {
    if !actor.admin {
        return Err(CreateError::Forbidden(None));
    }
    let user = out
        .users
        .user(user)?
        .ok_or(CreateError::NotFound(What::User))?;
    let now = out.clock.now();
    let mut errors = Vec::new();
    if request.name.trim().is_empty() {
        errors.push(FieldError::new("name", "can't be blank"));
    }
    if let Err(e) = validate_text("name", &request.name, 255) {
        errors.push(e);
    }
    let scopes = Scopes::new(request.scopes.iter().copied());
    if scopes.is_err() {
        errors.push(FieldError::new("scopes", "can't be blank"));
    }
    if request.expires_at.is_some_and(|at| at <= now) {
        errors.push(FieldError::new("expires_at", "must be in the future"));
    }
    let (true, Ok(scopes)) = (errors.is_empty(), scopes) else {
        return Err(CreateError::Invalid(errors));
    };
    let secret = out.token_generator.generate(TokenKind::PersonalAccess);
    let token = out.tokens.create_token(NewPersonalAccessToken {
        user_id: user.id,
        name: request.name,
        scopes,
        digest: secret.digest(),
        expires_at: request.expires_at,
        created_at: now,
    })?;
    Ok(CreatedToken { token, secret })
}
