//! Jobs in memory: conditional status changes, retries, the queue a runner is offered,
//! exactly-once assignment and logs appended at their end.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use paddock_domain::job::queue::Candidate;
use paddock_domain::job::trace::{Append, plan_append};
use paddock_domain::job::{Job, JobStatus};
use paddock_domain::pagination::PageRequest;
use paddock_domain::token::TokenDigest;
use paddock_domain::{JobId, PipelineId, ProjectId};
use paddock_ports::outbound::{
    Assignment, JobChange, JobClock, JobFilter, JobRepository, JobSet, Overdue, QueueQuery,
    QueueScope, Retry,
};
use paddock_ports::{Page, RepoResult};

use super::{MemoryStore, State, conflict, directed, paginate};

/// A job with what only the store sees: its token, how it was taken, its log.
#[derive(Debug, Clone)]
pub(super) struct StoredJob {
    pub(super) job: Job,
    pub(super) token: Option<TokenDigest>,
    /// Taken by an instance runner.
    pub(super) instance_runner: bool,
    pub(super) trace: Vec<u8>,
    pub(super) secrets: Option<Vec<u8>>,
    pub(super) deadline: Option<DateTime<Utc>>,
    pub(super) cancel_gracefully: bool,
    pub(super) finish_requested_at: Option<DateTime<Utc>>,
}

impl StoredJob {
    pub(super) fn new(job: Job) -> Self {
        Self {
            job,
            token: None,
            instance_runner: false,
            trace: Vec::new(),
            secrets: None,
            deadline: None,
            cancel_gracefully: false,
            finish_requested_at: None,
        }
    }
}

impl State {
    fn stored_job(&self, id: JobId) -> Option<&StoredJob> {
        self.jobs.iter().find(|j| j.job.id == id)
    }

    fn stored_job_mut(&mut self, id: JobId) -> Option<&mut StoredJob> {
        self.jobs.iter_mut().find(|j| j.job.id == id)
    }

    fn in_list(&self, job: &Job, filter: &JobFilter) -> bool {
        let in_set = match filter.set {
            JobSet::Project(project) => job.project_id == project,
            JobSet::Pipeline(pipeline) => job.pipeline_id == pipeline,
            JobSet::Runner(runner) => job.runner_id == Some(runner),
        };
        in_set
            && (filter.statuses.is_empty() || filter.statuses.contains(&job.status))
            && (filter.include_retried || !job.retried)
            && filter
                .projects
                .as_ref()
                .is_none_or(|projects| projects.contains(&job.project_id))
    }

    /// Whether the scope lets the runner serve the job's project at all.
    fn in_scope(&self, scope: &QueueScope, project: ProjectId) -> bool {
        let Some((project, _)) = self.projects.iter().find(|(p, _)| p.id == project) else {
            return false;
        };
        match scope {
            QueueScope::ProjectRunner(runner) => {
                self.runner_projects.contains(&(*runner, project.id))
            }
            QueueScope::GroupRunner(group) => {
                project.group_runners_enabled
                    && self
                        .namespace(project.namespace_id)
                        .is_some_and(|n| n.is_within(*group))
            }
            QueueScope::InstanceRunner => project.shared_runners_enabled,
        }
    }
}

/// Whether the runner can take the job: every tag of the job among the runner's, untagged
/// jobs only with `run_untagged`, unprotected refs only without `protected_only`.
fn can_take(query: &QueueQuery, job: &Job) -> bool {
    let tags_fit = if job.tags.is_empty() {
        query.run_untagged
    } else {
        job.tags.iter().all(|t| query.tags.contains(t))
    };
    tags_fit && (job.protected || !query.protected_only)
}

impl JobRepository for MemoryStore {
    fn job(&self, id: JobId) -> RepoResult<Option<Job>> {
        Ok(self.with(|s| s.stored_job(id).map(|j| j.job.clone())))
    }

    fn job_with_token(&self, id: JobId) -> RepoResult<Option<(Job, Option<TokenDigest>)>> {
        Ok(self.with(|s| s.stored_job(id).map(|j| (j.job.clone(), j.token))))
    }

    fn job_by_token(&self, digest: &TokenDigest) -> RepoResult<Option<Job>> {
        Ok(self.with(|s| {
            s.jobs
                .iter()
                .find(|j| j.token.as_ref() == Some(digest))
                .map(|j| j.job.clone())
        }))
    }

    fn jobs(&self, filter: &JobFilter, page: PageRequest) -> RepoResult<Page<Job>> {
        Ok(self.with(|s| {
            let mut found: Vec<Job> = s
                .jobs
                .iter()
                .map(|j| &j.job)
                .filter(|j| s.in_list(j, filter))
                .cloned()
                .collect();
            found.sort_by(|a, b| directed(a.id.cmp(&b.id), filter.sort));
            paginate(found, page)
        }))
    }

    fn pipeline_jobs(&self, pipeline: PipelineId) -> RepoResult<Vec<Job>> {
        Ok(self.with(|s| {
            let mut found: Vec<Job> = s
                .jobs
                .iter()
                .map(|j| &j.job)
                .filter(|j| j.pipeline_id == pipeline)
                .cloned()
                .collect();
            found.sort_by_key(|j| j.id);
            found
        }))
    }

    fn change_job(&self, id: JobId, change: &JobChange) -> RepoResult<Option<Job>> {
        Ok(self.with(|s| {
            let stored = s.stored_job_mut(id)?;
            if change
                .graceful
                .is_some_and(|graceful| graceful != stored.cancel_gracefully)
            {
                return None;
            }
            let job = &mut stored.job;
            if !change.from.contains(&job.status) {
                return None;
            }
            job.status = change.to;
            job.updated_at = change.at;
            if change.to == JobStatus::Pending {
                job.queued_at = Some(change.at);
            }
            if change.to.is_complete() {
                job.finished_at = Some(change.at);
            }
            if let Some(reason) = change.failure_reason {
                job.failure_reason = Some(reason);
            }
            if let Some(code) = change.exit_code {
                job.exit_code = Some(code);
            }
            if let Some(allowed) = change.allow_failure {
                job.allow_failure = allowed;
            }
            Some(job.clone())
        }))
    }

    fn retry_job(&self, id: JobId, retry: &Retry) -> RepoResult<Option<Job>> {
        Ok(self.with(|s| {
            let old = s.stored_job(id).filter(|j| !j.job.retried)?.job.clone();
            s.next_job += 1;
            let job = Job {
                id: JobId(s.next_job),
                status: retry.status,
                allow_failure: retry.allow_failure,
                runner_id: None,
                runner_system_id: None,
                failure_reason: None,
                exit_code: None,
                retried: false,
                user_id: retry.user_id,
                trace_size: 0,
                created_at: retry.at,
                queued_at: (retry.status == JobStatus::Pending).then_some(retry.at),
                started_at: None,
                finished_at: None,
                updated_at: retry.at,
                ..old
            };
            if let Some(stored) = s.stored_job_mut(id) {
                stored.job.retried = true;
            }
            s.jobs.push(StoredJob::new(job.clone()));
            Some(job)
        }))
    }

    fn queue(&self, query: &QueueQuery, limit: usize) -> RepoResult<Vec<Candidate>> {
        self.pending_for(query, limit, false)
    }

    fn queue_heads(&self, query: &QueueQuery, limit: usize) -> RepoResult<Vec<Candidate>> {
        self.pending_for(query, limit, true)
    }

    fn running_on_instance(&self, projects: &[ProjectId]) -> RepoResult<HashMap<ProjectId, u64>> {
        Ok(self.with(|s| {
            let mut counts = HashMap::new();
            for stored in &s.jobs {
                let job = &stored.job;
                if stored.instance_runner
                    && job.status == JobStatus::Running
                    && projects.contains(&job.project_id)
                {
                    *counts.entry(job.project_id).or_insert(0) += 1;
                }
            }
            counts
        }))
    }

    fn assign_job(&self, assignment: &Assignment) -> RepoResult<Option<Job>> {
        self.with(|s| {
            let pending = s
                .stored_job(assignment.job)
                .is_some_and(|j| j.job.status == JobStatus::Pending);
            if !pending {
                return Ok(None);
            }
            if s.jobs
                .iter()
                .any(|j| j.token.as_ref() == Some(&assignment.token_digest))
            {
                return conflict("token");
            }
            let Some(stored) = s.stored_job_mut(assignment.job) else {
                return Ok(None);
            };
            stored.token = Some(assignment.token_digest);
            stored.instance_runner = assignment.instance_runner;
            stored.cancel_gracefully = assignment.cancel_gracefully;
            let job = &mut stored.job;
            job.status = JobStatus::Running;
            job.runner_id = Some(assignment.runner);
            job.runner_system_id = Some(assignment.system_id.clone());
            job.started_at = Some(assignment.at);
            job.updated_at = assignment.at;
            Ok(Some(job.clone()))
        })
    }

    fn append_trace(
        &self,
        id: JobId,
        start: u64,
        data: &[u8],
        limit: u64,
    ) -> RepoResult<Option<Append>> {
        Ok(self.with(|s| {
            let stored = s.stored_job_mut(id)?;
            let size = stored.trace.len() as u64;
            let append = plan_append(size, start, data.len() as u64, limit);
            if let Append::Written(_) = append {
                stored.trace.extend_from_slice(data);
                stored.job.trace_size = stored.trace.len() as i64;
            }
            Some(append)
        }))
    }

    fn replace_trace(&self, id: JobId, data: &[u8]) -> RepoResult<bool> {
        Ok(self.with(|s| match s.stored_job_mut(id) {
            Some(stored) => {
                stored.trace = data.to_vec();
                stored.job.trace_size = data.len() as i64;
                true
            }
            None => false,
        }))
    }

    fn set_job_secrets(&self, id: JobId, sealed: &[u8]) -> RepoResult<bool> {
        Ok(self.with(|s| match s.stored_job_mut(id) {
            Some(stored) => {
                stored.secrets = Some(sealed.to_vec());
                true
            }
            None => false,
        }))
    }

    fn job_secrets(&self, id: JobId) -> RepoResult<Option<Vec<u8>>> {
        Ok(self.with(|s| s.stored_job(id).and_then(|j| j.secrets.clone())))
    }

    fn trace(&self, id: JobId) -> RepoResult<Option<Vec<u8>>> {
        Ok(self.with(|s| s.stored_job(id).map(|j| j.trace.clone())))
    }

    fn overdue_jobs(&self, overdue: &Overdue, limit: usize) -> RepoResult<Vec<JobId>> {
        Ok(self.with(|s| {
            let mut due: Vec<(DateTime<Utc>, JobId)> = s
                .jobs
                .iter()
                .filter(|j| overdue.statuses.contains(&j.job.status))
                .filter_map(|j| {
                    let time = match overdue.clock {
                        JobClock::Deadline => j.deadline?,
                        JobClock::Updated => j.job.updated_at,
                    };
                    (time < overdue.before).then_some((time, j.job.id))
                })
                .collect();
            due.sort();
            due.into_iter().take(limit).map(|(_, id)| id).collect()
        }))
    }

    fn set_deadline(&self, id: JobId, deadline: DateTime<Utc>) -> RepoResult<bool> {
        Ok(self.with(|s| {
            s.stored_job_mut(id)
                .map(|stored| stored.deadline = Some(deadline))
                .is_some()
        }))
    }

    fn touch_job(&self, id: JobId, at: DateTime<Utc>) -> RepoResult<bool> {
        Ok(self.with(|s| {
            s.stored_job_mut(id)
                .filter(|stored| stored.job.status.is_processing())
                .map(|stored| stored.job.updated_at = at)
                .is_some()
        }))
    }

    fn request_finish(&self, id: JobId, at: DateTime<Utc>) -> RepoResult<Option<DateTime<Utc>>> {
        Ok(self.with(|s| {
            s.stored_job_mut(id)
                .map(|stored| *stored.finish_requested_at.get_or_insert(at))
        }))
    }
}

impl MemoryStore {
    /// Pending jobs the query allows, oldest first; with `heads`, only each project's oldest.
    fn pending_for(
        &self,
        query: &QueueQuery,
        limit: usize,
        heads: bool,
    ) -> RepoResult<Vec<Candidate>> {
        Ok(self.with(|s| {
            let mut pending: Vec<&Job> = s
                .jobs
                .iter()
                .map(|j| &j.job)
                .filter(|j| j.status == JobStatus::Pending && can_take(query, j))
                .filter(|j| s.in_scope(&query.scope, j.project_id))
                .collect();
            pending.sort_by_key(|j| j.id);
            if heads {
                // Oldest first, so the first job seen of a project is its oldest.
                let mut seen = HashSet::new();
                pending.retain(|j| seen.insert(j.project_id));
            }
            pending
                .into_iter()
                .take(limit)
                .map(|j| Candidate {
                    project: j.project_id,
                    job: j.id,
                })
                .collect()
        }))
    }
}
