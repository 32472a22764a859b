//! Authentication extractors: a personal access token from the `PRIVATE-TOKEN` header,
//! `Authorization: Bearer`, or the `private_token` / `access_token` query parameter, checked
//! against the scopes the route needs.

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use paddock_domain::permission::Actor;
use paddock_domain::scope::RequiredAccess;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::Authenticated;

use crate::error::ApiError;
use crate::params::Params;
use crate::state::ApiState;

/// A signed-in caller; 401 without a valid token.
#[derive(Debug, Clone)]
pub struct Auth(pub Authenticated);

/// A caller who may be anonymous; a token that is present must still be valid (401).
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Authenticated>);

impl Auth {
    pub fn actor(&self) -> Actor {
        self.0.user.actor()
    }
}

impl MaybeAuth {
    pub fn actor(&self) -> Option<Actor> {
        self.0.as_ref().map(|a| a.user.actor())
    }
}

/// The scope a route needs, from its method and pattern.
pub fn required_access(method: &Method, pattern: &str) -> RequiredAccess {
    let read = matches!(*method, Method::GET | Method::HEAD);
    let route = pattern.strip_prefix("/api/v4").unwrap_or(pattern);
    if route == "/user/runners" && !read {
        RequiredAccess::CreateRunner
    } else if route.starts_with("/runners/{id}") {
        RequiredAccess::ManageRunner { write: !read }
    } else if read && matches!(route, "/user" | "/users" | "/users/{id}") {
        RequiredAccess::ReadUser
    } else if read {
        RequiredAccess::Read
    } else {
        RequiredAccess::Write
    }
}

fn token_of(req: &HttpRequest) -> Option<PlainToken> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(token) = header("private-token") {
        return Some(PlainToken::from_user(token));
    }
    if let Some(value) = header("authorization")
        && let Some((scheme, token)) = value.split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
    {
        return Some(PlainToken::from_user(token.trim()));
    }
    let query = Params::from_query(req.query_string()).ok()?;
    ["private_token", "access_token"]
        .into_iter()
        .find_map(|name| query.string(name).ok().flatten())
        .filter(|t| !t.is_empty())
        .map(PlainToken::from_user)
}

async fn resolve(req: HttpRequest) -> Result<Option<Authenticated>, ApiError> {
    let Some(token) = token_of(&req) else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<ApiState>>()
        .ok_or_else(|| ApiError::internal("authentication", "no API state registered"))?
        .clone();
    let authenticated = state.call(move |uc| uc.authenticate(&token)).await?;
    let pattern = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
    let access = required_access(req.method(), &pattern);
    if !authenticated.scopes.allow(access) {
        return Err(ApiError::InsufficientScope(access.wanted_scope()));
    }
    Ok(Some(authenticated))
}

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(req).await.map(MaybeAuth) })
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(req).await?.map(Auth).ok_or(ApiError::Unauthorized) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_need_their_scopes() {
        let table = [
            (Method::GET, "/api/v4/projects", RequiredAccess::Read),
            (Method::POST, "/api/v4/projects", RequiredAccess::Write),
            (Method::GET, "/api/v4/user", RequiredAccess::ReadUser),
            (Method::GET, "/api/v4/users/{id}", RequiredAccess::ReadUser),
            (
                Method::GET,
                "/api/v4/users/{id}/projects",
                RequiredAccess::Read,
            ),
            (Method::POST, "/api/v4/users", RequiredAccess::Write),
            (
                Method::POST,
                "/api/v4/user/runners",
                RequiredAccess::CreateRunner,
            ),
            (
                Method::GET,
                "/api/v4/runners/{id}",
                RequiredAccess::ManageRunner { write: false },
            ),
            (
                Method::PUT,
                "/api/v4/runners/{id}",
                RequiredAccess::ManageRunner { write: true },
            ),
            (
                Method::DELETE,
                "/api/v4/runners/{id}/jobs",
                RequiredAccess::ManageRunner { write: true },
            ),
            (Method::GET, "/api/v4/runners/all", RequiredAccess::Read),
        ];
        for (method, pattern, want) in table {
            assert_eq!(
                required_access(&method, pattern),
                want,
                "{method} {pattern}"
            );
        }
    }
}
