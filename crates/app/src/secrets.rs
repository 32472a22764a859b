//! The values a job's log must not show (masked variables, the job token). They are sealed
//! into the database when a runner takes the job, so that any process can hide them, and kept
//! in memory for a while so that a log append does not read and decrypt them again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use paddock_domain::JobId;
use paddock_domain::job::Job;
use paddock_domain::token::PlainToken;
use paddock_ports::RepoResult;

use crate::runners::Ctx;
use crate::variables::masked_values;

/// How long secrets stay in memory after they were last read.
const KEEP: Duration = Duration::minutes(10);

/// Secrets of one job.
pub type Secrets = Arc<Vec<Vec<u8>>>;

/// Masked values by job, each with when it was last used.
#[derive(Debug, Default)]
pub struct JobSecrets {
    jobs: Mutex<HashMap<JobId, (Secrets, DateTime<Utc>)>>,
}

impl JobSecrets {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, (Secrets, DateTime<Utc>)>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, job: JobId, now: DateTime<Utc>) -> Option<Secrets> {
        let mut jobs = self.lock();
        let (secrets, used) = jobs.get_mut(&job)?;
        *used = now;
        Some(secrets.clone())
    }

    fn put(&self, job: JobId, secrets: Vec<Vec<u8>>, now: DateTime<Utc>) -> Secrets {
        let secrets = Arc::new(secrets);
        self.lock().insert(job, (secrets.clone(), now));
        secrets
    }

    pub fn forget(&self, job: JobId) {
        self.lock().remove(&job);
    }

    /// Drops what was not used for a while (jobs finished elsewhere, deleted, or abandoned).
    pub fn evict_unused(&self, now: DateTime<Utc>) {
        self.lock().retain(|_, (_, used)| now - *used < KEEP);
    }
}

/// The secrets of a job a runner just took: kept sealed in the database and in memory.
pub fn keep(ctx: &Ctx<'_>, job: JobId, secrets: Vec<Vec<u8>>) -> RepoResult<()> {
    // Masked values are single lines (and the job token has no newline): one per line.
    let joined: Vec<u8> = secrets.join(&b'\n');
    let sealed = ctx
        .out
        .cipher
        .seal(&PlainToken::from_user(String::from_utf8_lossy(&joined)));
    ctx.out.jobs.set_job_secrets(job, &sealed)?;
    ctx.secrets.put(job, secrets, ctx.now());
    Ok(())
}

/// The secrets of a job: from memory, else from the database, else (a job taken before they
/// were kept, or whose seal cannot be opened) the project's masked values now.
pub fn of_job(ctx: &Ctx<'_>, job: &Job) -> RepoResult<Secrets> {
    let now = ctx.now();
    if let Some(secrets) = ctx.secrets.get(job.id, now) {
        return Ok(secrets);
    }
    let stored = ctx.out.jobs.job_secrets(job.id)?.and_then(|sealed| {
        match ctx.out.cipher.open(&sealed) {
            Ok(plain) => Some(
                plain
                    .expose()
                    .split('\n')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_bytes().to_vec())
                    .collect::<Vec<_>>(),
            ),
            Err(error) => {
                tracing::error!(%error, job.id = job.id.0, "a job's secrets cannot be decrypted");
                None
            }
        }
    });
    let secrets = match stored {
        Some(secrets) => secrets,
        None => masked_values(ctx, job.project_id)?,
    };
    Ok(ctx.secrets.put(job.id, secrets, now))
}
