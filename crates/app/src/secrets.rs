//! The values each running job's log must not show (masked variables, the job token), kept in
//! memory from the moment a runner takes the job until it finishes, so that a log append does
//! not read and decrypt the project's variables again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use paddock_domain::JobId;

/// Masked values by running job.
#[derive(Debug, Default)]
pub struct JobSecrets {
    jobs: Mutex<HashMap<JobId, Arc<Vec<Vec<u8>>>>>,
}

impl JobSecrets {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Arc<Vec<Vec<u8>>>>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, job: JobId) -> Option<Arc<Vec<Vec<u8>>>> {
        self.lock().get(&job).cloned()
    }

    pub fn put(&self, job: JobId, secrets: Vec<Vec<u8>>) -> Arc<Vec<Vec<u8>>> {
        let secrets = Arc::new(secrets);
        self.lock().insert(job, secrets.clone());
        secrets
    }

    pub fn forget(&self, job: JobId) {
        self.lock().remove(&job);
    }
}
