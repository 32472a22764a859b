//! Pipelines in memory: created with their jobs, numbered per project, listed with the API's
//! filters, their status written over the version it was computed from.

use std::cmp::Ordering;

use paddock_domain::job::{Job, JobStatus, Pipeline};
use paddock_domain::pagination::PageRequest;
use paddock_domain::{JobId, PipelineId, ProjectId};
use paddock_ports::outbound::{
    NewJob, NewPipeline, PipelineFilter, PipelineOrder, PipelineRepository, PipelineStatusUpdate,
};
use paddock_ports::{Page, RepoResult};

use super::jobs::StoredJob;
use super::{MemoryStore, State, conflict, directed, paginate};

impl State {
    pub(super) fn project_exists(&self, id: ProjectId) -> bool {
        self.projects.iter().any(|(p, _)| p.id == id)
    }

    /// A job of the pipeline as it is created: its ref, commit and user are the pipeline's.
    fn job_of(&mut self, pipeline: &Pipeline, new: NewJob) -> StoredJob {
        self.next_job += 1;
        let at = pipeline.created_at;
        StoredJob::new(Job {
            id: JobId(self.next_job),
            pipeline_id: pipeline.id,
            project_id: pipeline.project_id,
            name: new.name,
            stage: new.stage,
            stage_index: new.stage_index,
            status: new.status,
            when: new.when,
            allow_failure: new.allow_failure,
            definition: new.definition,
            tags: new.tags,
            protected: pipeline.protected,
            ref_name: pipeline.ref_name.clone(),
            tag: pipeline.tag,
            sha: pipeline.sha.clone(),
            runner_id: None,
            runner_system_id: None,
            failure_reason: None,
            exit_code: None,
            retried: false,
            user_id: pipeline.user_id,
            trace_size: 0,
            created_at: at,
            queued_at: (new.status == JobStatus::Pending).then_some(at),
            started_at: None,
            finished_at: None,
            updated_at: at,
        })
    }
}

fn matches(pipeline: &Pipeline, filter: &PipelineFilter) -> bool {
    filter.status.is_none_or(|s| pipeline.status == s)
        && filter
            .ref_name
            .as_deref()
            .is_none_or(|r| pipeline.ref_name == r)
        && filter.sha.as_deref().is_none_or(|s| pipeline.sha == s)
        && filter
            .source
            .as_deref()
            .is_none_or(|s| pipeline.source == s)
        && filter.user_id.is_none_or(|u| pipeline.user_id == Some(u))
        && filter
            .updated_after
            .is_none_or(|at| pipeline.updated_at > at)
        && filter
            .updated_before
            .is_none_or(|at| pipeline.updated_at < at)
}

fn compare(a: &Pipeline, b: &Pipeline, order: PipelineOrder) -> Ordering {
    match order {
        PipelineOrder::Id => Ordering::Equal,
        // The databases store the status as its name.
        PipelineOrder::Status => a.status.as_str().cmp(b.status.as_str()),
        PipelineOrder::Ref => a.ref_name.cmp(&b.ref_name),
        PipelineOrder::UpdatedAt => a.updated_at.cmp(&b.updated_at),
        // Pipelines without a user come last going up, first going down (PostgreSQL's
        // default place for NULL).
        PipelineOrder::UserId => match (a.user_id, b.user_id) {
            (Some(a), Some(b)) => a.cmp(&b),
            (a, b) => a.is_none().cmp(&b.is_none()),
        },
    }
}

impl PipelineRepository for MemoryStore {
    fn create_pipeline(&self, new: NewPipeline) -> RepoResult<(Pipeline, Vec<Job>)> {
        self.with(|s| {
            // Foreign keys in the databases.
            let user_missing = new
                .user_id
                .is_some_and(|u| !s.users.iter().any(|x| x.id == u));
            if !s.project_exists(new.project_id) || user_missing {
                return conflict("reference");
            }
            s.next_pipeline += 1;
            let iid = s.pipeline_iids.entry(new.project_id).or_insert(0);
            *iid += 1;
            let pipeline = Pipeline {
                id: PipelineId(s.next_pipeline),
                iid: *iid,
                project_id: new.project_id,
                ref_name: new.ref_name,
                sha: new.sha,
                before_sha: new.before_sha,
                tag: new.tag,
                protected: new.protected,
                source: new.source,
                status: new.status,
                user_id: new.user_id,
                variables: new.variables,
                commit: new.commit,
                created_at: new.created_at,
                updated_at: new.created_at,
                started_at: None,
                finished_at: None,
                lock_version: 0,
            };
            let mut jobs = Vec::with_capacity(new.jobs.len());
            for job in new.jobs {
                let stored = s.job_of(&pipeline, job);
                jobs.push(stored.job.clone());
                s.jobs.push(stored);
            }
            s.pipelines.push(pipeline.clone());
            Ok((pipeline, jobs))
        })
    }

    fn pipeline(&self, id: PipelineId) -> RepoResult<Option<Pipeline>> {
        Ok(self.with(|s| s.pipelines.iter().find(|p| p.id == id).cloned()))
    }

    fn pipelines(
        &self,
        project: ProjectId,
        filter: &PipelineFilter,
        page: PageRequest,
    ) -> RepoResult<Page<Pipeline>> {
        Ok(self.with(|s| {
            let mut found: Vec<Pipeline> = s
                .pipelines
                .iter()
                .filter(|p| p.project_id == project && matches(p, filter))
                .cloned()
                .collect();
            found.sort_by(|a, b| {
                let primary = compare(a, b, filter.order);
                directed(primary.then(a.id.cmp(&b.id)), filter.sort)
            });
            paginate(found, page)
        }))
    }

    fn update_pipeline_status(
        &self,
        id: PipelineId,
        lock_version: i64,
        update: &PipelineStatusUpdate,
    ) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let Some(pipeline) = s
                .pipelines
                .iter_mut()
                .find(|p| p.id == id && p.lock_version == lock_version)
            else {
                return false;
            };
            pipeline.status = update.status;
            pipeline.started_at = update.started_at;
            pipeline.finished_at = update.finished_at;
            pipeline.updated_at = update.updated_at;
            pipeline.lock_version += 1;
            true
        }))
    }

    fn delete_pipeline(&self, id: PipelineId) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.pipelines.len();
            s.pipelines.retain(|p| p.id != id);
            s.jobs.retain(|j| j.job.pipeline_id != id);
            s.remove_orphaned_artifacts();
            s.pipelines.len() != before
        }))
    }
}
