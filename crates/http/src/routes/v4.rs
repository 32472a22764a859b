//! The REST v4 API under `/api/v4`.

mod artifacts;
mod groups;
mod jobs;
mod members;
mod pipelines;
mod projects;
mod protected_branches;
mod runners;
mod user;
mod users;
mod variables;
mod version;

use actix_web::web;
use paddock_domain::{Role, Visibility};
use paddock_ports::outbound::Sort;

use crate::error::ApiError;
use crate::params::Params;

pub fn configure(cfg: &mut web::ServiceConfig) {
    version::configure(cfg);
    user::configure(cfg);
    users::configure(cfg);
    groups::configure(cfg);
    projects::configure(cfg);
    members::configure(cfg);
    protected_branches::configure(cfg);
    runners::configure(cfg);
    jobs::configure(cfg);
    artifacts::configure(cfg);
    pipelines::configure(cfg);
    variables::configure(cfg);
}

pub(crate) fn visibility(params: &Params) -> Result<Option<Visibility>, ApiError> {
    params.one_of("visibility", |v| Visibility::parse(v).ok())
}

pub(crate) fn sort(params: &Params) -> Result<Option<Sort>, ApiError> {
    params.one_of("sort", |v| match v {
        "asc" => Some(Sort::Asc),
        "desc" => Some(Sort::Desc),
        _ => None,
    })
}

pub(crate) fn role(params: &Params, name: &str) -> Result<Option<Role>, ApiError> {
    match params.int(name)? {
        None => Ok(None),
        Some(level) => Role::from_level(level)
            .map(Some)
            .map_err(|_| ApiError::not_valid_value(name)),
    }
}

/// A GitLab date parameter (`2026-12-31`) as the instant it takes effect: its midnight, UTC.
/// An empty string is `Some(None)`: "clear it".
pub(crate) fn date(
    params: &Params,
    name: &str,
) -> Result<Option<Option<chrono::DateTime<chrono::Utc>>>, ApiError> {
    match params.string(name)? {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(Some(None)),
        Some(text) => {
            let day = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| ApiError::invalid(name))?;
            let midnight = day
                .and_hms_opt(0, 0, 0)
                .ok_or_else(|| ApiError::invalid(name))?;
            Ok(Some(Some(midnight.and_utc())))
        }
    }
}

/// A numeric path segment, or the resource's 404.
pub(crate) fn numeric_id(
    segment: &str,
    what: paddock_ports::inbound::What,
) -> Result<i64, ApiError> {
    segment.parse().map_err(|_| ApiError::not_found(what))
}
