//! Users.

use chrono::{DateTime, Utc};

use crate::UserId;
use crate::permission::Actor;

/// Whether a user may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    Active,
    Blocked,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Blocked => "blocked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(UserState::Active),
            "blocked" => Some(UserState::Blocked),
            _ => None,
        }
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub state: UserState,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.id,
            admin: self.admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in [UserState::Active, UserState::Blocked] {
            assert_eq!(UserState::parse(s.as_str()), Some(s));
        }
        assert_eq!(UserState::parse("deleted"), None);
    }
}
