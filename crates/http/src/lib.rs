//! Paddock's actix-web adapter: GitLab's REST v4 API (and, later, the legacy CI v1 API) over
//! the inbound use cases of `paddock-ports`.
//!
//! [`configure`] registers every route; [`json_errors`] turns actix's own plain-text errors
//! (unknown routes, bad paths) into GitLab's JSON envelope. The server adds both to its `App`.

pub mod auth;
pub mod entities;
pub mod error;
mod long_poll;
pub mod pagination;
pub mod params;
mod routes;
pub mod state;

pub use error::ApiError;
pub use routes::{configure, no_route};
pub use state::{ApiState, HttpConfig};

use actix_web::web;

/// Extractor settings that make path errors answer GitLab's JSON 404.
pub fn json_errors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NoRoute.into()));
}
