//! Paddock's pure rules.
//!
//! Everything here is deterministic and free of IO: no database, no clock, no network, no
//! randomness. Time is passed in (`now`), random material is produced by a port and handed
//! over. The crate is meant to be reusable on its own by tools that need GitLab's runner,
//! token and permission rules.

pub mod ci;
pub mod ids;
pub mod job;
pub mod member;
pub mod names;
pub mod namespace;
pub mod pagination;
pub mod permission;
pub mod personal_access_token;
pub mod precondition;
pub mod project;
pub mod protected_branch;
pub mod role;
pub mod runner;
pub mod scope;
pub mod token;
pub mod user;
pub mod variable;
pub mod visibility;

pub use ids::{
    JobId, MemberSource, NamespaceId, PipelineId, ProjectId, ProtectedBranchId, TokenId, UserId,
    VariableId,
};
pub use role::Role;

/// The GitLab API version whose behaviour Paddock follows (`GET /version`,
/// `CI_SERVER_VERSION`).
pub const GITLAB_VERSION: &str = "18.0.0";
pub use scope::{Scope, Scopes};
pub use visibility::Visibility;
