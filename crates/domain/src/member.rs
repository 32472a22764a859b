//! Memberships of users in groups and projects.

use chrono::{DateTime, Utc};

use crate::{MemberSource, Role, UserId};

/// A user's direct membership of a group or project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub source: MemberSource,
    pub user_id: UserId,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// The membership ends at this instant (GitLab takes a date: its midnight, UTC).
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<UserId>,
}

impl Membership {
    /// An expired membership grants nothing.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        !crate::token::is_expired(self.expires_at, now)
    }
}
