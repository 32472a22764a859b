//! Pipelines and jobs with what the API shows beside them (project, user, runner), each
//! record read once per request however many rows refer to it.

use std::collections::HashMap;

use paddock_domain::job::artifact::Artifact;
use paddock_domain::job::{Job, Pipeline};
use paddock_domain::project::Project;
use paddock_domain::runner::RunnerId;
use paddock_domain::user::User;
use paddock_domain::{JobId, PipelineId, ProjectId, UserId};
use paddock_ports::RepoResult;
use paddock_ports::inbound::{JobView, PipelineView, RunnerView};

use crate::artifacts::live_artifacts;
use crate::runners::Ctx;

/// Records read so far while building views.
pub struct Views<'c, 'a> {
    ctx: &'c Ctx<'a>,
    users: HashMap<UserId, Option<User>>,
    projects: HashMap<ProjectId, Option<Project>>,
    pipelines: HashMap<PipelineId, Option<Pipeline>>,
    runners: HashMap<RunnerId, Option<RunnerView>>,
}

impl<'c, 'a> Views<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>) -> Self {
        Self {
            ctx,
            users: HashMap::new(),
            projects: HashMap::new(),
            pipelines: HashMap::new(),
            runners: HashMap::new(),
        }
    }

    /// Starts with a project already read.
    pub fn knowing(ctx: &'c Ctx<'a>, project: &Project) -> Self {
        let mut views = Self::new(ctx);
        views.projects.insert(project.id, Some(project.clone()));
        views
    }

    fn user(&mut self, id: Option<UserId>) -> RepoResult<Option<User>> {
        let Some(id) = id else { return Ok(None) };
        if let Some(found) = self.users.get(&id) {
            return Ok(found.clone());
        }
        let user = self.ctx.out.users.user(id)?;
        self.users.insert(id, user.clone());
        Ok(user)
    }

    fn project(&mut self, id: ProjectId) -> RepoResult<Option<Project>> {
        if let Some(found) = self.projects.get(&id) {
            return Ok(found.clone());
        }
        let project = self.ctx.out.projects.project(id)?;
        self.projects.insert(id, project.clone());
        Ok(project)
    }

    fn pipeline_of(&mut self, id: PipelineId) -> RepoResult<Option<Pipeline>> {
        if let Some(found) = self.pipelines.get(&id) {
            return Ok(found.clone());
        }
        let pipeline = self.ctx.out.pipelines.pipeline(id)?;
        self.pipelines.insert(id, pipeline.clone());
        Ok(pipeline)
    }

    fn runner(&mut self, id: Option<RunnerId>) -> RepoResult<Option<RunnerView>> {
        let Some(id) = id else { return Ok(None) };
        if let Some(found) = self.runners.get(&id) {
            return Ok(found.clone());
        }
        let view = self
            .ctx
            .out
            .runners
            .runner(id)?
            .map(|runner| self.ctx.view(runner, None));
        self.runners.insert(id, view.clone());
        Ok(view)
    }

    /// `None` when its project is gone (deleted meanwhile).
    pub fn pipeline(&mut self, pipeline: Pipeline) -> RepoResult<Option<PipelineView>> {
        let Some(project) = self.project(pipeline.project_id)? else {
            return Ok(None);
        };
        let user = self.user(pipeline.user_id)?;
        self.pipelines.insert(pipeline.id, Some(pipeline.clone()));
        Ok(Some(PipelineView {
            pipeline,
            project,
            user,
        }))
    }

    /// `None` when its pipeline or project is gone (deleted meanwhile).
    pub fn job(&mut self, job: Job) -> RepoResult<Option<JobView>> {
        let artifacts = live_artifacts(self.ctx, &[job.id])?;
        self.job_with(job, artifacts)
    }

    fn job_with(&mut self, job: Job, artifacts: Vec<Artifact>) -> RepoResult<Option<JobView>> {
        let Some(pipeline) = self.pipeline_of(job.pipeline_id)? else {
            return Ok(None);
        };
        let Some(project) = self.project(job.project_id)? else {
            return Ok(None);
        };
        let user = self.user(job.user_id)?;
        let runner = self.runner(job.runner_id)?;
        Ok(Some(JobView {
            job,
            pipeline,
            project,
            user,
            runner,
            artifacts,
        }))
    }

    /// The artifacts of every job are read at once.
    pub fn jobs(&mut self, jobs: Vec<Job>) -> RepoResult<Vec<JobView>> {
        let ids: Vec<JobId> = jobs.iter().map(|j| j.id).collect();
        let mut artifacts = live_artifacts(self.ctx, &ids)?;
        let mut views = Vec::with_capacity(jobs.len());
        for job in jobs {
            let (own, rest) = artifacts.into_iter().partition(|a| a.job_id == job.id);
            artifacts = rest;
            views.extend(self.job_with(job, own)?);
        }
        Ok(views)
    }
}
