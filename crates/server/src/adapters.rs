//! The outbound adapters that are not the database: the system clock, the token generator,
//! the AES-256-GCM cipher for stored secrets, and `git` for project repositories.

mod cipher;
mod clock;
mod git;
mod tokens;

pub use cipher::{AesGcmCipher, SecretKey, SecretKeyError};
pub use clock::SystemClock;
pub use git::GitCli;
pub use tokens::RandomTokens;
