//! The small outbound adapters that are not storage: the system clock, the token generator
//! and the AES-256-GCM cipher for registration tokens.

mod cipher;
mod clock;
mod tokens;

pub use cipher::{AesGcmCipher, SecretKey, SecretKeyError};
pub use clock::SystemClock;
pub use tokens::RandomTokens;
