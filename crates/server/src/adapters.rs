//! The outbound adapters that are not the database: the system clock, the token generator,
//! the AES-256-GCM cipher for stored secrets, `git` for project repositories, and the artifact
//! files on disk.

mod artifact_files;
mod cipher;
mod clock;
mod git;
mod tokens;

pub use artifact_files::ArtifactFiles;
pub use cipher::{AesGcmCipher, SecretKey, SecretKeyError};
pub use clock::SystemClock;
pub use git::GitCli;
pub use tokens::RandomTokens;
