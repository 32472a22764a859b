//! The runner-facing job protocol: a runner asks for a job with its runner token, then
//! reports the job's log and outcome with the job's token.

pub(crate) mod claims;
mod overdue;
pub(crate) mod payload;
mod request;
pub(crate) mod running;
mod update_build;

use paddock_domain::JobId;
use paddock_domain::token::PlainToken;
use paddock_ports::RepoError;
use paddock_ports::inbound::{
    BuildView, JobAgentUseCases, JobHousekeeping, JobRequest, JobRequestOutcome, JobUpdate,
    JobUpdateError, JobUpdated, OverdueReport, QueueWatch, RunnerAuthError, TraceAppend,
    TraceAppended, TraceError,
};

use crate::Paddock;

impl JobAgentUseCases for Paddock {
    fn request_job(&self, request: JobRequest) -> Result<JobRequestOutcome, RunnerAuthError> {
        request::execute(&self.runner_ctx(), request)
    }

    fn request_job_from_memory(
        &self,
        request: &JobRequest,
    ) -> Option<Result<JobRequestOutcome, RunnerAuthError>> {
        request::from_memory(&self.runner_ctx(), request)
    }

    fn watch_queue(&self, token: &PlainToken, last_update: &str) -> Option<QueueWatch> {
        if token.is_empty() {
            return None;
        }
        let now = self.out.clock.now();
        self.queues
            .watch(&token.digest(), last_update, now, self.config.queue_refresh)
    }

    fn update_job(&self, id: JobId, update: JobUpdate) -> Result<JobUpdated, JobUpdateError> {
        running::update(&self.runner_ctx(), id, update)
    }

    fn append_trace(&self, id: JobId, append: TraceAppend) -> Result<TraceAppended, TraceError> {
        running::append_trace(&self.runner_ctx(), id, append)
    }

    fn update_build(&self, id: JobId, update: JobUpdate) -> Result<BuildView, JobUpdateError> {
        update_build::execute(&self.runner_ctx(), id, update)
    }
}

impl JobHousekeeping for Paddock {
    fn end_overdue_jobs(&self, limit: usize) -> Result<OverdueReport, RepoError> {
        overdue::execute(&self.runner_ctx(), limit)
    }
}
