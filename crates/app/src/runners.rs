//! Runners: the runner-facing API (registration and runner tokens) and their management with
//! personal access tokens. Shared pieces live here; each verb has its file.

mod agent;
mod assign;
mod create;
mod delete;
mod flush;
mod list;
mod managers;
mod register;
mod reset_token;
mod show;
mod unassign;
mod update;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::runner::permission::RunnerStanding;
use paddock_domain::runner::status::Liveness;
use paddock_domain::runner::{
    LEGACY_SYSTEM_ID, Runner, RunnerId, RunnerManager, RunnerSettings, RunnerType, Tags,
};
use paddock_domain::token::{PlainToken, TokenKind};
use paddock_ports::Page;
use paddock_ports::inbound::*;
use paddock_ports::outbound::Outbound;

use crate::access::{namespace_role, project_roles};
use crate::job_agent::claims::JobClaims;
use crate::live::LiveRunners;
use crate::queue::RunnerQueues;
use crate::secrets::JobSecrets;
use crate::{AppConfig, Paddock};

/// What every runner and job use case works with.
pub(crate) struct Ctx<'a> {
    pub out: &'a Outbound,
    pub config: &'a AppConfig,
    pub live: &'a LiveRunners,
    pub queues: &'a RunnerQueues,
    pub secrets: &'a JobSecrets,
    pub claims: &'a JobClaims,
}

impl Paddock {
    pub(crate) fn runner_ctx(&self) -> Ctx<'_> {
        Ctx {
            out: &self.out,
            config: &self.config,
            live: &self.live,
            queues: &self.queues,
            secrets: &self.secrets,
            claims: &self.claims,
        }
    }
}

impl Ctx<'_> {
    pub fn now(&self) -> DateTime<Utc> {
        self.out.clock.now()
    }

    /// The runner of a runner token that has not expired.
    pub fn authenticate(&self, token: &PlainToken) -> Result<Runner, RunnerAuthError> {
        if token.is_empty() {
            return Err(RunnerAuthError::Forbidden);
        }
        let runner = self
            .out
            .runners
            .runner_by_token(&token.digest())?
            .ok_or(RunnerAuthError::Forbidden)?;
        if paddock_domain::token::is_expired(runner.token_expires_at, self.now()) {
            return Err(RunnerAuthError::Forbidden);
        }
        Ok(runner)
    }

    /// Records a contact in memory; with `manager`, also of the machine (`system_id`,
    /// `<legacy>` when the runner sends none).
    pub fn touch(&self, runner: &Runner, contact: Option<&RunnerContact>) {
        let manager = contact.map(|c| {
            (
                c.system_id
                    .clone()
                    .unwrap_or_else(|| LEGACY_SYSTEM_ID.to_owned()),
                c.info.clone(),
                c.ip_address.clone(),
            )
        });
        self.live.touch(runner, self.now(), manager);
    }

    /// A fresh runner authentication token and its expiry.
    pub fn new_token(&self) -> (PlainToken, Option<DateTime<Utc>>) {
        let token = self
            .out
            .token_generator
            .generate(TokenKind::RunnerAuthentication);
        let now = self.now();
        let expires_at = self.config.runner_token_lifetime.map(|life| {
            now.checked_add_signed(life)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        });
        (token, expires_at)
    }

    /// The contact time readers see: the live one when newer than the stored one.
    pub fn contacted_at(&self, runner: &Runner) -> Option<DateTime<Utc>> {
        runner.contacted_at.max(self.live.contacted_at(runner.id))
    }

    /// A runner as lists show it.
    pub fn view(&self, runner: Runner, ip_address: Option<String>) -> RunnerView {
        let now = self.now();
        let contacted_at = self.contacted_at(&runner);
        let liveness = Liveness {
            created_at: runner.created_at,
            contacted_at,
            active: runner.settings.active,
        };
        RunnerView {
            status: liveness.status(now),
            online: liveness.online(now),
            contacted_at,
            ip_address,
            runner,
        }
    }

    /// The most recently contacted of a runner's managers (the live time counts).
    pub fn latest<'m>(&self, managers: &'m [RunnerManager]) -> Option<&'m RunnerManager> {
        managers.iter().max_by_key(|m| {
            self.live
                .manager_contacted_at(m.runner_id, &m.system_id)
                .max(m.contacted_at)
        })
    }

    /// Views of a page of runners. The address of a runner's latest manager is shown to
    /// administrators only in lists (GitLab shows none).
    pub fn views(
        &self,
        actor: &Actor,
        page: Page<Runner>,
    ) -> Result<Page<RunnerView>, RunnerError> {
        if !actor.admin {
            return Ok(page.map(|runner| self.view(runner, None)));
        }
        let ids: Vec<RunnerId> = page.items.iter().map(|r| r.id).collect();
        let mut managers: HashMap<RunnerId, Vec<RunnerManager>> = HashMap::new();
        for manager in self.out.runners.managers_of_runners(&ids)? {
            managers.entry(manager.runner_id).or_default().push(manager);
        }
        Ok(page.map(|runner| {
            let ip = managers
                .get(&runner.id)
                .and_then(|list| self.latest(list))
                .and_then(|m| m.ip_address.clone());
            self.view(runner, ip)
        }))
    }

    /// Writes due contacts, so that lists filtered by contact time see them.
    pub fn flush(&self) {
        if let Err(error) = flush::execute(self, false) {
            tracing::warn!(%error, "could not write runner contacts; they will be retried");
        }
    }

    /// A runner the actor can be told about, with the actor's standing towards it.
    pub fn load(
        &self,
        actor: &Actor,
        id: RunnerId,
    ) -> Result<(Runner, RunnerStanding), RunnerError> {
        let runner = self
            .out
            .runners
            .runner(id)?
            .ok_or(RunnerError::NotFound(What::Runner))?;
        let standing = self.standing(actor, &runner)?;
        Ok((runner, standing))
    }

    /// The actor's roles where the runner belongs.
    pub fn standing(&self, actor: &Actor, runner: &Runner) -> Result<RunnerStanding, RunnerError> {
        Ok(match runner.runner_type {
            RunnerType::Instance => RunnerStanding::Instance,
            RunnerType::Group => {
                let role = match runner.group_id {
                    Some(group) => match self.out.namespaces.namespace(group)? {
                        Some(namespace) => namespace_role(self.out, Some(actor), &namespace)?,
                        None => None,
                    },
                    None => None,
                };
                RunnerStanding::Group(role)
            }
            RunnerType::Project => {
                let mut roles = Vec::new();
                for project_id in self.out.runners.runner_project_ids(runner.id)? {
                    let Some(project) = self.out.projects.project(project_id)? else {
                        continue;
                    };
                    let Some(namespace) = self.out.namespaces.namespace(project.namespace_id)?
                    else {
                        continue;
                    };
                    roles.push(
                        project_roles(self.out, Some(actor), &project, &namespace)?.effective(),
                    );
                }
                RunnerStanding::Project(roles)
            }
        })
    }
}

/// New settings: the input over GitLab's defaults.
pub(crate) fn settings_from(input: &RunnerSettingsInput) -> RunnerSettings {
    apply(RunnerSettings::default(), input)
}

/// The input over existing settings.
pub(crate) fn apply(mut settings: RunnerSettings, input: &RunnerSettingsInput) -> RunnerSettings {
    if let Some(v) = &input.description {
        settings.description = v.clone();
    }
    if let Some(v) = &input.maintenance_note {
        settings.maintenance_note = v.clone();
    }
    if let Some(v) = input.active {
        settings.active = v;
    }
    if let Some(v) = input.locked {
        settings.locked = v;
    }
    if let Some(v) = input.run_untagged {
        settings.run_untagged = v;
    }
    if let Some(v) = input.access_level {
        settings.access_level = v;
    }
    if let Some(v) = input.maximum_timeout {
        settings.maximum_timeout = v;
    }
    if let Some(tags) = &input.tags {
        settings.tags = Tags::parse(tags);
    }
    settings
}

impl RunnerAgentUseCases for Paddock {
    fn register_runner(
        &self,
        request: RegisterRunnerRequest,
    ) -> Result<IssuedToken, RegisterError> {
        register::execute(&self.runner_ctx(), request)
    }

    fn verify_runner(
        &self,
        token: &PlainToken,
        contact: RunnerContact,
    ) -> Result<IssuedToken, RunnerAuthError> {
        agent::verify(&self.runner_ctx(), token, contact)
    }

    fn unregister_runner(
        &self,
        token: &PlainToken,
        since: UnmodifiedSince,
    ) -> Result<RunnerView, RunnerAuthError> {
        agent::unregister(&self.runner_ctx(), token, since)
    }

    fn reset_own_runner_token(
        &self,
        token: &PlainToken,
        contact: RunnerContact,
    ) -> Result<IssuedToken, RunnerAuthError> {
        agent::reset_own_token(&self.runner_ctx(), token, contact)
    }

    fn remove_runner_manager(
        &self,
        token: &PlainToken,
        system_id: &str,
        since: UnmodifiedSince,
    ) -> Result<(), RemoveManagerError> {
        agent::remove_manager(&self.runner_ctx(), token, system_id, since)
    }

    fn flush_runner_contacts(&self, everything: bool) -> Result<usize, String> {
        flush::execute(&self.runner_ctx(), everything)
    }
}

impl RunnerUseCases for Paddock {
    fn runners(
        &self,
        actor: &Actor,
        list: RunnerList,
        query: RunnerListQuery,
        page: PageRequest,
    ) -> Result<Page<RunnerView>, RunnerError> {
        list::runners(&self.runner_ctx(), actor, list, &query, page)
    }

    fn project_runners(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        query: RunnerListQuery,
        page: PageRequest,
    ) -> Result<Page<RunnerView>, RunnerError> {
        list::of_project(&self.runner_ctx(), actor, project, &query, page)
    }

    fn group_runners(
        &self,
        actor: &Actor,
        group: &GroupRef,
        query: RunnerListQuery,
        page: PageRequest,
    ) -> Result<Page<RunnerView>, RunnerError> {
        list::of_group(&self.runner_ctx(), actor, group, &query, page)
    }

    fn runner(
        &self,
        actor: &Actor,
        id: RunnerId,
        include_projects: bool,
    ) -> Result<RunnerDetails, RunnerError> {
        show::execute(&self.runner_ctx(), actor, id, include_projects)
    }

    fn update_runner(
        &self,
        actor: &Actor,
        id: RunnerId,
        changes: RunnerSettingsInput,
    ) -> Result<RunnerDetails, RunnerError> {
        update::execute(&self.runner_ctx(), actor, id, changes)
    }

    fn delete_runner(
        &self,
        actor: &Actor,
        id: RunnerId,
        since: UnmodifiedSince,
    ) -> Result<(), RunnerError> {
        delete::execute(&self.runner_ctx(), actor, id, since)
    }

    fn runner_managers(
        &self,
        actor: &Actor,
        id: RunnerId,
    ) -> Result<Vec<RunnerManagerView>, RunnerError> {
        managers::execute(&self.runner_ctx(), actor, id)
    }

    fn reset_runner_token(&self, actor: &Actor, id: RunnerId) -> Result<IssuedToken, RunnerError> {
        reset_token::execute(&self.runner_ctx(), actor, id)
    }

    fn assign_runner(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: RunnerId,
    ) -> Result<RunnerView, RunnerError> {
        assign::execute(&self.runner_ctx(), actor, project, id)
    }

    fn unassign_runner(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        id: RunnerId,
        since: UnmodifiedSince,
    ) -> Result<(), RunnerError> {
        unassign::execute(&self.runner_ctx(), actor, project, id, since)
    }

    fn create_runner(
        &self,
        actor: &Actor,
        request: CreateRunnerRequest,
    ) -> Result<IssuedToken, RunnerError> {
        create::execute(&self.runner_ctx(), actor, request)
    }
}
