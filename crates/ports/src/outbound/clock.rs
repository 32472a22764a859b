use chrono::{DateTime, Utc};
use paddock_domain::token::{PlainToken, TokenKind};

/// The current time. Implementations return microsecond precision (what both databases keep).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Fresh random tokens.
pub trait TokenGenerator: Send + Sync {
    /// A new token of `kind`: its prefix and [`paddock_domain::token::TOKEN_BODY_LEN`] random
    /// alphanumeric characters.
    fn generate(&self, kind: TokenKind) -> PlainToken;
}

/// The text could not be decrypted (wrong key or damaged ciphertext).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decrypt a stored secret (is PADDOCK_SECRET_KEY the one it was sealed with?)")]
pub struct CipherError;

/// Authenticated encryption of the secrets that must be readable again (registration tokens).
pub trait SecretCipher: Send + Sync {
    fn seal(&self, plain: &PlainToken) -> Vec<u8>;
    /// # Errors
    /// [`CipherError`] when the ciphertext was not sealed with this key or was altered.
    fn open(&self, sealed: &[u8]) -> Result<PlainToken, CipherError>;
}
