use super::{RepoResult, SealedToken};

/// Instance-wide settings.
pub trait InstanceSettingsRepository: Send + Sync {
    fn instance_runners_token(&self) -> RepoResult<Option<SealedToken>>;
    /// Stores the token only if none is stored yet (safe when several processes bootstrap
    /// one database at once); returns whether it was stored.
    fn init_instance_runners_token(&self, token: &SealedToken) -> RepoResult<bool>;
    fn set_instance_runners_token(&self, token: &SealedToken) -> RepoResult<()>;
}

/// Whether the storage answers (readiness).
pub trait HealthCheck: Send + Sync {
    fn ping(&self) -> RepoResult<()>;
}
