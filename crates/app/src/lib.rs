//! Paddock's use cases, implemented over the outbound ports.
//!
//! [`Paddock`] implements every inbound trait of `paddock-ports`; each trait method delegates
//! to one function in `<noun>/<verb>.rs`. Use cases are synchronous (diesel is); the HTTP
//! adapter runs them on a blocking pool.

mod access;
mod auth;
mod groups;
mod instance;
mod members;
mod projects;
mod protected_branches;
mod users;

use paddock_ports::outbound::Outbound;

/// The application: every use case over one set of outbound ports.
#[derive(Debug, Clone)]
pub struct Paddock {
    out: Outbound,
}

impl Paddock {
    pub fn new(out: Outbound) -> Self {
        Self { out }
    }
}
