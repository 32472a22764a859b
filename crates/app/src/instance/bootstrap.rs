//! The first start on an empty database: `root` and the instance registration token.

use paddock_domain::token::{PlainToken, TokenKind};
use paddock_domain::{Scope, Scopes};
use paddock_ports::RepoError;
use paddock_ports::inbound::{BootstrapError, BootstrapReport, BootstrapRequest};
use paddock_ports::outbound::{NewPersonalAccessToken, NewUser, Outbound};

use crate::access::seal;

pub const ROOT_USERNAME: &str = "root";
pub const ROOT_EMAIL: &str = "root@paddock.invalid";
pub const ROOT_TOKEN_NAME: &str = "paddock-bootstrap";

/// Idempotent: what exists is left alone, so a later start never changes a token, and
/// several processes starting on one database at once create everything exactly once.
pub fn execute(
    out: &Outbound,
    request: BootstrapRequest,
) -> Result<BootstrapReport, BootstrapError> {
    let mut report = BootstrapReport::default();
    let now = out.clock.now();

    let root = match out.users.user_by_username(ROOT_USERNAME)? {
        Some(root) => root,
        None => match out.users.create_user(NewUser {
            username: ROOT_USERNAME.into(),
            name: "Administrator".into(),
            email: ROOT_EMAIL.into(),
            admin: true,
            created_at: now,
        }) {
            Ok(root) => {
                report.root_created = true;
                root
            }
            // Another process created it a moment ago.
            Err(RepoError::Conflict(_)) => out
                .users
                .user_by_username(ROOT_USERNAME)?
                .ok_or_else(|| BootstrapError::Internal("root vanished during bootstrap".into()))?,
            Err(other) => return Err(other.into()),
        },
    };

    // The root token is created once: a root without any token (never bootstrapped, or a
    // crash between the two steps) gets one.
    if out.tokens.tokens_of_user(root.id)?.is_empty() {
        let (secret, generated) =
            chosen_or_generated(out, request.root_token, TokenKind::PersonalAccess);
        let scopes = Scopes::new([
            Scope::Api,
            Scope::ReadApi,
            Scope::ReadUser,
            Scope::CreateRunner,
            Scope::ManageRunner,
            Scope::AdminMode,
        ])
        .map_err(|e| BootstrapError::Internal(e.to_string()))?;
        match out.tokens.create_token(NewPersonalAccessToken {
            user_id: root.id,
            name: ROOT_TOKEN_NAME.into(),
            scopes,
            digest: secret.digest(),
            expires_at: None,
            created_at: now,
        }) {
            Ok(_) => {
                if generated {
                    report.generated_root_token = Some(secret);
                }
            }
            Err(RepoError::Conflict(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }

    if out.settings.instance_runners_token()?.is_none() {
        let (secret, generated) = chosen_or_generated(
            out,
            request.registration_token,
            TokenKind::RunnerRegistration,
        );
        if out
            .settings
            .init_instance_runners_token(&seal(out, &secret))?
        {
            report.registration_token_created = true;
            if generated {
                report.generated_registration_token = Some(secret);
            }
        }
    }
    Ok(report)
}

fn chosen_or_generated(
    out: &Outbound,
    chosen: Option<PlainToken>,
    kind: TokenKind,
) -> (PlainToken, bool) {
    match chosen.filter(|t| !t.is_empty()) {
        Some(token) => (token, false),
        None => (out.token_generator.generate(kind), true),
    }
}
