//! Jobs and pipelines: statuses, the job state machine, how a pipeline's status follows from
//! its jobs ([`pipeline_status`]), how a pipeline progresses ([`progress`]), which runner may
//! take which job ([`queue`]), job logs ([`trace`]) and the variables a job runs with
//! ([`variables`]).

pub mod artifact;
pub mod progress;
pub mod queue;
pub mod trace;
pub mod variables;

use std::fmt;

use chrono::{DateTime, Utc};

use crate::ci::{JobDefinition, When};
use crate::runner::RunnerId;
use crate::{JobId, PipelineId, ProjectId, UserId};

/// A pipeline: one run of a project's CI configuration for one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub id: PipelineId,
    /// The pipeline's number within its project.
    pub iid: i64,
    pub project_id: ProjectId,
    /// The branch or tag.
    pub ref_name: String,
    pub sha: String,
    pub before_sha: String,
    /// Whether `ref_name` is a tag.
    pub tag: bool,
    /// Whether `ref_name` is protected (jobs of `ref_protected` runners need this).
    pub protected: bool,
    /// `api` for pipelines created through the API.
    pub source: String,
    pub status: JobStatus,
    pub user_id: Option<UserId>,
    /// Variables given when the pipeline was created.
    pub variables: Vec<PipelineVariable>,
    /// What is known of the commit (from the repository, when it could be read).
    pub commit: Option<Commit>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Bumped by every change of status; a status is written only over the version it was
    /// computed from.
    pub lock_version: i64,
}

impl Pipeline {
    /// Whether a runner taking one of its pending jobs (which becomes `running`) leaves the
    /// pipeline as it is, so that it need not be computed again from all its jobs: with a job
    /// running, [`pipeline_status`] is `running` whatever the other jobs are; no waiting job
    /// starts or is skipped (a pending job was not complete before and a running one is not
    /// now); and a pipeline keeps its start time once it has one. So a pipeline already
    /// running, started and not finished is unchanged.
    pub fn unchanged_by_assignment(&self) -> bool {
        self.status == JobStatus::Running && self.started_at.is_some() && self.finished_at.is_none()
    }

    /// Seconds from start to finish (to `now` while running).
    pub fn duration(&self, now: DateTime<Utc>) -> Option<i64> {
        let started = self.started_at?;
        let end = self.finished_at.unwrap_or(now);
        Some((end - started).num_seconds().max(0))
    }
}

/// A variable given to one pipeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PipelineVariable {
    pub key: String,
    pub value: String,
    /// `env_var` or `file`.
    pub variable_type: crate::variable::VariableType,
}

/// A commit as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Commit {
    pub title: String,
    pub message: String,
    pub parent_ids: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    pub authored_date: DateTime<Utc>,
    pub committer_name: String,
    pub committer_email: String,
    pub committed_date: DateTime<Utc>,
}

/// A job (GitLab's build).
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub pipeline_id: PipelineId,
    pub project_id: ProjectId,
    pub name: String,
    pub stage: String,
    pub stage_index: i32,
    pub status: JobStatus,
    pub when: When,
    /// Whether a failure of this job is allowed (from the definition, or from its exit code).
    pub allow_failure: bool,
    /// What the job runs: its definition from the CI configuration.
    pub definition: JobDefinition,
    pub tags: Vec<String>,
    /// Whether its ref is protected.
    pub protected: bool,
    pub ref_name: String,
    pub tag: bool,
    pub sha: String,
    pub runner_id: Option<RunnerId>,
    /// The machine of the runner that took it.
    pub runner_system_id: Option<String>,
    pub failure_reason: Option<FailureReason>,
    pub exit_code: Option<i64>,
    /// Replaced by a newer try.
    pub retried: bool,
    pub user_id: Option<UserId>,
    /// Bytes of log stored.
    pub trace_size: i64,
    pub created_at: DateTime<Utc>,
    pub queued_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Job {
    /// Seconds from start to finish (to `now` while running); GitLab shows fractions.
    pub fn duration(&self, now: DateTime<Utc>) -> Option<f64> {
        let started = self.started_at?;
        let end = self.finished_at.unwrap_or(now);
        Some(((end - started).num_milliseconds().max(0) as f64) / 1000.0)
    }

    /// Seconds from queueing to start (to `now` while pending).
    pub fn queued_duration(&self, now: DateTime<Utc>) -> Option<f64> {
        let queued = self.queued_at?;
        let end = self.started_at.unwrap_or(now);
        Some(((end - queued).num_milliseconds().max(0) as f64) / 1000.0)
    }

    /// What the pipeline's progression needs to know of this job.
    pub fn outcome(&self) -> JobOutcome {
        JobOutcome {
            status: self.status,
            allow_failure: self.allow_failure,
        }
    }
}

/// A job's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Waiting for earlier jobs.
    Created,
    /// Waiting for a runner.
    Pending,
    Running,
    Success,
    Failed,
    /// Cancel requested; the runner is finishing (`cancel_gracefully`).
    Canceling,
    Canceled,
    /// Never ran: its condition (`when`) did not hold.
    Skipped,
    /// Waits for a user to play it.
    Manual,
}

impl JobStatus {
    pub const ALL: [JobStatus; 9] = [
        JobStatus::Created,
        JobStatus::Pending,
        JobStatus::Running,
        JobStatus::Success,
        JobStatus::Failed,
        JobStatus::Canceling,
        JobStatus::Canceled,
        JobStatus::Skipped,
        JobStatus::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Created => "created",
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Success => "success",
            JobStatus::Failed => "failed",
            JobStatus::Canceling => "canceling",
            JobStatus::Canceled => "canceled",
            JobStatus::Skipped => "skipped",
            JobStatus::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        JobStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Finished for good.
    pub fn is_complete(self) -> bool {
        matches!(
            self,
            JobStatus::Success | JobStatus::Failed | JobStatus::Canceled | JobStatus::Skipped
        )
    }

    /// Held by a runner that still works on it.
    pub fn is_processing(self) -> bool {
        matches!(self, JobStatus::Running | JobStatus::Canceling)
    }

    /// Whether the state machine allows going from `self` to `to`: progression starts,
    /// skips or holds created jobs, a user plays manual jobs and cancels what has not finished
    /// (GitLab's cancelable statuses: not manual jobs), a runner takes pending jobs and ends
    /// running ones, a pending job nobody takes fails, and a retry makes skipped jobs wait
    /// again.
    pub fn can_become(self, to: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, to),
            (Created, Pending | Skipped | Manual | Canceled)
                | (Manual, Pending)
                | (Pending, Running | Canceled | Failed)
                | (Running, Success | Failed | Canceled | Canceling)
                | (Canceling, Canceled | Failed | Success)
                | (Skipped, Created)
        )
    }

    /// Every status the state machine allows to become `self`: the statuses a change to
    /// `self` is applied from.
    pub fn sources(self) -> Vec<JobStatus> {
        JobStatus::ALL
            .into_iter()
            .filter(|from| from.can_become(self))
            .collect()
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a job failed (GitLab's `failure_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    ScriptFailure,
    RunnerSystemFailure,
    JobExecutionTimeout,
    UnmetPrerequisites,
    StuckOrTimeoutFailure,
    RunnerUnsupported,
    MissingDependencyFailure,
    TraceSizeExceeded,
    JobTokenExpired,
    /// Paddock could not hand the job to the runner that took it.
    SchedulerFailure,
    UnknownFailure,
}

impl FailureReason {
    pub const ALL: [FailureReason; 11] = [
        FailureReason::ScriptFailure,
        FailureReason::RunnerSystemFailure,
        FailureReason::JobExecutionTimeout,
        FailureReason::UnmetPrerequisites,
        FailureReason::StuckOrTimeoutFailure,
        FailureReason::RunnerUnsupported,
        FailureReason::MissingDependencyFailure,
        FailureReason::TraceSizeExceeded,
        FailureReason::JobTokenExpired,
        FailureReason::SchedulerFailure,
        FailureReason::UnknownFailure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureReason::ScriptFailure => "script_failure",
            FailureReason::RunnerSystemFailure => "runner_system_failure",
            FailureReason::JobExecutionTimeout => "job_execution_timeout",
            FailureReason::UnmetPrerequisites => "unmet_prerequisites",
            FailureReason::StuckOrTimeoutFailure => "stuck_or_timeout_failure",
            FailureReason::RunnerUnsupported => "runner_unsupported",
            FailureReason::MissingDependencyFailure => "missing_dependency_failure",
            FailureReason::TraceSizeExceeded => "trace_size_exceeded",
            FailureReason::JobTokenExpired => "job_token_expired",
            FailureReason::SchedulerFailure => "scheduler_failure",
            FailureReason::UnknownFailure => "unknown_failure",
        }
    }

    /// A reason reported by a runner; anything unknown (or missing) is `unknown_failure`.
    pub fn from_runner(text: Option<&str>) -> Self {
        text.and_then(|t| FailureReason::ALL.into_iter().find(|r| r.as_str() == t))
            .unwrap_or(FailureReason::UnknownFailure)
    }
}

/// What a pipeline's status is made of: each job's status, and whether its failure is
/// allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobOutcome {
    pub status: JobStatus,
    pub allow_failure: bool,
}

/// A pipeline's status, as GitLab composes it from its jobs (`Gitlab::Ci::Status::Composite`):
/// a failure that is allowed counts as a success with warnings, a manual job that may fail is
/// ignored; `created` and `pending` need every job to be so (or skipped), a mix with finished
/// jobs is `running`.
pub fn pipeline_status(jobs: &[JobOutcome]) -> JobStatus {
    use JobStatus::*;
    let warnings = jobs.iter().any(|j| j.allow_failure && j.status == Failed);
    let effective: Vec<JobStatus> = jobs
        .iter()
        .filter(|j| !(j.allow_failure && matches!(j.status, Failed | Manual)))
        .map(|j| j.status)
        .collect();
    let only = |allowed: &[JobStatus]| effective.iter().all(|s| allowed.contains(s));
    let any = |wanted: &[JobStatus]| effective.iter().any(|s| wanted.contains(s));
    if only(&[Skipped]) && !warnings {
        Skipped
    } else if only(&[Success, Skipped]) {
        Success
    } else if only(&[Created]) {
        Created
    } else if only(&[Canceled, Success, Skipped]) {
        Canceled
    } else if only(&[Pending, Created, Skipped]) {
        Pending
    } else if any(&[Running, Pending, Canceling]) {
        Running
    } else if any(&[Manual]) {
        Manual
    } else if any(&[Created]) {
        Running
    } else {
        Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobStatus::*;

    #[test]
    fn names_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("bogus"), None);
        for r in FailureReason::ALL {
            assert_eq!(FailureReason::from_runner(Some(r.as_str())), r);
        }
        assert_eq!(
            FailureReason::from_runner(Some("cosmic_rays")),
            FailureReason::UnknownFailure
        );
        assert_eq!(
            FailureReason::from_runner(None),
            FailureReason::UnknownFailure
        );
    }

    #[test]
    fn state_machine() {
        let allowed = [
            (Created, Pending),
            (Created, Skipped),
            (Created, Manual),
            (Manual, Pending),
            (Pending, Running),
            (Pending, Canceled),
            (Pending, Failed),
            (Running, Success),
            (Running, Failed),
            (Running, Canceling),
            (Canceling, Canceled),
        ];
        for (from, to) in allowed {
            assert!(from.can_become(to), "{from} -> {to}");
        }
        let refused = [
            (Success, Running),
            (Failed, Success),
            (Canceled, Pending),
            (Created, Running),
            (Pending, Success),
            (Skipped, Pending),
        ];
        for (from, to) in refused {
            assert!(!from.can_become(to), "{from} -> {to}");
        }
        assert!(!Manual.can_become(Canceled), "a manual job stays manual");
        assert_eq!(Canceled.sources(), [Created, Pending, Running, Canceling]);
        assert_eq!(Success.sources(), [Running, Canceling]);
        assert_eq!(Pending.sources(), [Created, Manual]);
        assert_eq!(Created.sources(), [Skipped]);
        assert!(Success.is_complete() && Skipped.is_complete() && !Manual.is_complete());
    }

    fn job(status: JobStatus) -> JobOutcome {
        JobOutcome {
            status,
            allow_failure: false,
        }
    }

    fn allowed(status: JobStatus) -> JobOutcome {
        JobOutcome {
            status,
            allow_failure: true,
        }
    }

    /// The premise of [`Pipeline::unchanged_by_assignment`]: a running job makes the
    /// pipeline running, whatever the other jobs are.
    #[test]
    fn a_running_job_makes_a_running_pipeline() {
        let outcomes: Vec<JobOutcome> = JobStatus::ALL
            .iter()
            .flat_map(|s| [job(*s), allowed(*s)])
            .collect();
        for a in &outcomes {
            for b in &outcomes {
                for running in [job(Running), allowed(Running)] {
                    let jobs = [*a, *b, running];
                    assert_eq!(pipeline_status(&jobs), Running, "{jobs:?}");
                }
            }
        }
    }

    #[test]
    fn pipeline_status_from_jobs() {
        let table: [(&[JobOutcome], JobStatus); 18] = [
            (&[], Skipped),
            (&[job(Skipped), job(Skipped)], Skipped),
            (&[job(Success), job(Success)], Success),
            (&[job(Success), allowed(Failed)], Success),
            (&[job(Success), job(Skipped)], Success),
            (&[job(Created), job(Created)], Created),
            (&[job(Pending), job(Created)], Pending),
            (&[job(Success), job(Pending)], Running),
            (&[job(Success), job(Created)], Running),
            (&[job(Running), job(Created)], Running),
            (&[job(Success), job(Failed), job(Created)], Running),
            (&[job(Success), job(Failed)], Failed),
            (&[job(Success), job(Canceled)], Canceled),
            (&[job(Success), job(Manual)], Manual),
            (&[job(Success), allowed(Manual)], Success),
            (&[allowed(Failed)], Success),
            (&[allowed(Manual)], Skipped),
            (&[job(Pending), job(Skipped)], Pending),
        ];
        for (jobs, want) in table {
            assert_eq!(pipeline_status(jobs), want, "{jobs:?}");
        }
        assert_eq!(pipeline_status(&[job(Failed), job(Canceled)]), Failed);
    }
}
