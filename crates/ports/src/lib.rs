//! Paddock's ports: the traits the application core is reached through (inbound use cases)
//! and the traits it reaches the world through (outbound repositories and services).
//!
//! Only traits, the records they exchange and their error enums live here. Adapters (diesel,
//! actix-web) implement or call them; no adapter type crosses these signatures.

pub mod inbound;
pub mod outbound;

pub use outbound::{Page, RepoError, RepoResult};
