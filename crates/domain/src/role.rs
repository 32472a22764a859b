//! Membership roles (GitLab's member access levels).

use std::fmt;

/// A member's role in a group or project. Ordered: a higher role can do what a lower one can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Guest,
    Reporter,
    Developer,
    Maintainer,
    Owner,
}

/// The integer is not one of GitLab's member access levels (10, 20, 30, 40, 50).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a member access level")]
pub struct UnknownRole(pub i64);

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Guest,
        Role::Reporter,
        Role::Developer,
        Role::Maintainer,
        Role::Owner,
    ];

    /// GitLab's integer access level.
    pub fn level(self) -> i64 {
        match self {
            Role::Guest => 10,
            Role::Reporter => 20,
            Role::Developer => 30,
            Role::Maintainer => 40,
            Role::Owner => 50,
        }
    }

    pub fn from_level(level: i64) -> Result<Self, UnknownRole> {
        match level {
            10 => Ok(Role::Guest),
            20 => Ok(Role::Reporter),
            30 => Ok(Role::Developer),
            40 => Ok(Role::Maintainer),
            50 => Ok(Role::Owner),
            other => Err(UnknownRole(other)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::Reporter => "reporter",
            Role::Developer => "developer",
            Role::Maintainer => "maintainer",
            Role::Owner => "owner",
        }
    }

    /// The effective role from a direct role and roles inherited from ancestor groups:
    /// the highest of them (GitLab's inheritance down the group tree).
    pub fn effective(roles: impl IntoIterator<Item = Role>) -> Option<Role> {
        roles.into_iter().max()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_level(role.level()), Ok(role));
        }
        for bad in [0, 5, 15, 45, 60, -10] {
            assert_eq!(Role::from_level(bad), Err(UnknownRole(bad)));
        }
    }

    #[test]
    fn roles_are_ordered_by_level() {
        let mut sorted = Role::ALL;
        sorted.sort_by_key(|r| r.level());
        assert_eq!(sorted, Role::ALL);
        assert!(Role::Owner > Role::Maintainer);
    }

    #[test]
    fn effective_role_is_the_highest_inherited_or_direct() {
        assert_eq!(Role::effective([]), None);
        assert_eq!(
            Role::effective([Role::Guest, Role::Maintainer, Role::Developer]),
            Some(Role::Maintainer)
        );
    }
}
