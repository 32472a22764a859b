//! The runner-facing job protocol: a runner asks for a job with its runner token, then
//! reports the job's log and outcome with the job's token.

pub(crate) mod payload;
mod request;
pub(crate) mod running;

use paddock_domain::JobId;
use paddock_domain::job::JobStatus;
use paddock_ports::inbound::{
    JobAgentUseCases, JobRequest, JobRequestOutcome, JobUpdate, JobUpdateError, RunnerAuthError,
    TraceAppend, TraceAppended, TraceError,
};

use crate::Paddock;

impl JobAgentUseCases for Paddock {
    fn request_job(&self, request: JobRequest) -> Result<JobRequestOutcome, RunnerAuthError> {
        request::execute(&self.runner_ctx(), request)
    }

    fn update_job(&self, id: JobId, update: JobUpdate) -> Result<JobStatus, JobUpdateError> {
        running::update(&self.runner_ctx(), id, update)
    }

    fn append_trace(&self, id: JobId, append: TraceAppend) -> Result<TraceAppended, TraceError> {
        running::append_trace(&self.runner_ctx(), id, append)
    }
}
