//! Tokens: their kinds and prefixes, SHA-256 digests, constant-time comparison and expiry.
//!
//! A plain token exists only in the response that creates it; everything stored is a digest
//! (registration tokens are also kept encrypted, because users must be able to read them
//! again). `PlainToken`'s `Debug` never prints the secret.

use std::fmt;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The kinds of tokens Paddock issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A user's personal access token.
    PersonalAccess,
    /// A runner's authentication token.
    RunnerAuthentication,
    /// A job's token (`CI_JOB_TOKEN`).
    Job,
    /// A registration token of the instance, a group or a project.
    RunnerRegistration,
}

/// Characters of randomness after the prefix.
pub const TOKEN_BODY_LEN: usize = 20;

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::PersonalAccess => "glpat-",
            TokenKind::RunnerAuthentication => "glrt-",
            TokenKind::Job => "glcbt-",
            TokenKind::RunnerRegistration => "GR1348941",
        }
    }
}

/// A token in plain text. Never logged: `Debug` and `Display` print `[REDACTED]`.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainToken(String);

impl PlainToken {
    /// A new token of `kind` whose random part is `body` (from the token generator port).
    pub fn compose(kind: TokenKind, body: &str) -> Self {
        Self(format!("{}{}", kind.prefix(), body))
    }

    /// A token given by a user or an operator (say, `PADDOCK_ROOT_TOKEN`).
    pub fn from_user(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself, for the one response that shows it or for sealing it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> TokenDigest {
        TokenDigest::of(&self.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainToken([REDACTED])")
    }
}

impl fmt::Display for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// The SHA-256 digest of a token: what is stored and looked up. Compared in constant time.
#[derive(Clone, Copy, Eq)]
pub struct TokenDigest([u8; 32]);

impl std::hash::Hash for TokenDigest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// The text is not 64 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a token digest is 64 hexadecimal digits")]
pub struct BadDigest;

impl TokenDigest {
    pub fn of(plain: &str) -> Self {
        Self(Sha256::digest(plain.as_bytes()).into())
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<Self, BadDigest> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| BadDigest)?;
        Ok(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl PartialEq for TokenDigest {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenDigest([REDACTED])")
    }
}

/// Constant-time equality of two byte strings (the length is not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Whether a token with this expiry is expired at `now`. No expiry means never.
pub fn is_expired(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires_at.is_some_and(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn prefixes_per_kind() {
        let table = [
            (TokenKind::PersonalAccess, "glpat-"),
            (TokenKind::RunnerAuthentication, "glrt-"),
            (TokenKind::Job, "glcbt-"),
            (TokenKind::RunnerRegistration, "GR1348941"),
        ];
        for (kind, prefix) in table {
            assert_eq!(kind.prefix(), prefix);
            assert!(
                PlainToken::compose(kind, "abc")
                    .expose()
                    .starts_with(prefix)
            );
        }
    }

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let token = PlainToken::from_user("glpat-supersecret");
        assert!(!format!("{token:?}").contains("supersecret"));
        assert!(!format!("{token}").contains("supersecret"));
        assert!(!format!("{:?}", token.digest()).contains(&token.digest().to_hex()));
    }

    #[test]
    fn digest_is_sha256_hex_and_round_trips() {
        let d = TokenDigest::of("abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TokenDigest::from_hex(&d.to_hex()), Ok(d));
        assert_eq!(TokenDigest::from_hex("zz"), Err(BadDigest));
        assert_ne!(TokenDigest::of("abc"), TokenDigest::of("abd"));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sane"));
        assert!(!constant_time_eq(b"short", b"longer"));
    }

    #[test]
    fn expiry_is_inclusive_of_the_instant() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).single();
        let before = Utc.with_ymd_and_hms(2026, 1, 1, 23, 59, 59).single();
        let (Some(at), Some(before)) = (at, before) else {
            panic!("valid dates");
        };
        assert!(!is_expired(None, at));
        assert!(!is_expired(Some(at), before));
        assert!(is_expired(Some(at), at));
    }
}
