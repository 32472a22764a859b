//! Personal access tokens.

use chrono::{DateTime, Utc};

use crate::{Scopes, TokenId, UserId};

/// A personal access token as stored (its digest stays in the repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalAccessToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
    /// The token stops working at this instant (GitLab takes a date: its midnight, UTC).
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl PersonalAccessToken {
    /// Usable: not revoked and not expired.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && !crate::token::is_expired(self.expires_at, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn active_unless_revoked_or_expired() {
        let now = Utc::now();
        let token = PersonalAccessToken {
            id: TokenId(1),
            user_id: UserId(1),
            name: "t".into(),
            scopes: Scopes::default(),
            created_at: now,
            expires_at: None,
            revoked: false,
            last_used_at: None,
        };
        assert!(token.is_active(now));
        let revoked = PersonalAccessToken {
            revoked: true,
            ..token.clone()
        };
        assert!(!revoked.is_active(now));
        let expired = PersonalAccessToken {
            expires_at: Some(now - Duration::seconds(1)),
            ..token.clone()
        };
        assert!(!expired.is_active(now));
        let later = PersonalAccessToken {
            expires_at: Some(now + Duration::days(1)),
            ..token
        };
        assert!(later.is_active(now));
    }
}
