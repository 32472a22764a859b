//! A project's CI/CD variables: maintainers read and change them; values are stored encrypted
//! with the instance's secret key; jobs receive them, and their logs hide the masked ones.

use paddock_domain::ProjectId;
use paddock_domain::names::FieldError;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::{Actor, ProjectAction};
use paddock_domain::project::Project;
use paddock_domain::token::PlainToken;
use paddock_domain::variable::{ALL_ENVIRONMENTS, ProjectVariable, validate_key, validate_value};
use paddock_ports::inbound::{ProjectRef, VariableError, VariableInput, VariableUseCases, What};
use paddock_ports::outbound::{NewVariable, StoredVariable, VariableChanges};
use paddock_ports::{Page, RepoError, RepoResult};

use crate::Paddock;
use crate::pipelines::project_for;
use crate::runners::Ctx;

/// Opens a stored variable. A value that cannot be decrypted (the secret key changed) is
/// logged and given as empty rather than failing every job of the project.
pub(crate) fn open(ctx: &Ctx<'_>, stored: StoredVariable) -> ProjectVariable {
    let value = match ctx.out.cipher.open(&stored.sealed_value) {
        Ok(plain) => plain.expose().to_owned(),
        Err(error) => {
            tracing::error!(%error, variable.key = %stored.key, "a CI/CD variable cannot be decrypted");
            String::new()
        }
    };
    ProjectVariable {
        id: stored.id,
        project_id: stored.project_id,
        key: stored.key,
        value,
        variable_type: stored.variable_type,
        protected: stored.protected,
        masked: stored.masked,
        raw: stored.raw,
        environment_scope: stored.environment_scope,
        description: stored.description,
    }
}

/// Every variable of a project, opened.
pub(crate) fn project_variables(
    ctx: &Ctx<'_>,
    project: ProjectId,
) -> RepoResult<Vec<ProjectVariable>> {
    Ok(ctx
        .out
        .variables
        .all_variables(project)?
        .into_iter()
        .map(|v| open(ctx, v))
        .collect())
}

/// The values a project's job logs must not show.
pub(crate) fn masked_values(ctx: &Ctx<'_>, project: ProjectId) -> RepoResult<Vec<Vec<u8>>> {
    Ok(project_variables(ctx, project)?
        .into_iter()
        .filter(|v| v.masked && !v.value.is_empty())
        .map(|v| v.value.into_bytes())
        .collect())
}

fn seal(ctx: &Ctx<'_>, value: &str) -> Vec<u8> {
    ctx.out.cipher.seal(&PlainToken::from_user(value))
}

/// The project, if the actor may manage its variables; `NotFound` for those who cannot see
/// it, `Forbidden` for the others.
fn managed(ctx: &Ctx<'_>, actor: &Actor, project: &ProjectRef) -> Result<Project, VariableError> {
    let (project, _, allowed) =
        project_for(ctx, Some(actor), project, ProjectAction::ManageVariables)?;
    if allowed {
        Ok(project)
    } else {
        Err(VariableError::Forbidden)
    }
}

fn check_scope(scope: Option<&str>) -> Result<(), FieldError> {
    match scope {
        None | Some(ALL_ENVIRONMENTS) => Ok(()),
        Some(_) => Err(FieldError::new(
            "environment_scope",
            "only * is supported: Paddock has no environments",
        )),
    }
}

fn create(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    input: VariableInput,
) -> Result<ProjectVariable, VariableError> {
    let project = managed(ctx, actor, project)?;
    let key = input.key.unwrap_or_default();
    let value = input.value.unwrap_or_default();
    let masked = input.masked.unwrap_or(false);
    let raw = input.raw.unwrap_or(false);
    let mut errors: Vec<FieldError> = Vec::new();
    errors.extend(validate_key(&key).err());
    errors.extend(validate_value(&value, masked, raw).err());
    errors.extend(check_scope(input.environment_scope.as_deref()).err());
    if !errors.is_empty() {
        return Err(VariableError::Invalid(errors));
    }
    let new = NewVariable {
        project_id: project.id,
        sealed_value: seal(ctx, &value),
        key: key.clone(),
        variable_type: input.variable_type.unwrap_or_default(),
        protected: input.protected.unwrap_or(false),
        masked,
        raw,
        environment_scope: ALL_ENVIRONMENTS.to_owned(),
        description: input.description.flatten(),
    };
    match ctx.out.variables.create_variable(new) {
        Ok(stored) => Ok(open(ctx, stored)),
        Err(RepoError::Conflict(rule)) if rule == "variable_key" => {
            Err(VariableError::Invalid(vec![FieldError::new(
                "key",
                format!("({key}) has already been taken"),
            )]))
        }
        // The project was deleted meanwhile.
        Err(RepoError::Conflict(_)) => Err(VariableError::NotFound(What::Project)),
        Err(other) => Err(other.into()),
    }
}

fn update(
    ctx: &Ctx<'_>,
    actor: &Actor,
    project: &ProjectRef,
    key: &str,
    input: VariableInput,
) -> Result<ProjectVariable, VariableError> {
    let project = managed(ctx, actor, project)?;
    let current = ctx
        .out
        .variables
        .variable(project.id, key)?
        .map(|v| open(ctx, v))
        .ok_or(VariableError::NotFound(What::Variable))?;
    let value = input.value.clone().unwrap_or_else(|| current.value.clone());
    let masked = input.masked.unwrap_or(current.masked);
    let raw = input.raw.unwrap_or(current.raw);
    let mut errors: Vec<FieldError> = Vec::new();
    errors.extend(validate_value(&value, masked, raw).err());
    errors.extend(check_scope(input.environment_scope.as_deref()).err());
    if !errors.is_empty() {
        return Err(VariableError::Invalid(errors));
    }
    let changes = VariableChanges {
        sealed_value: input.value.as_deref().map(|v| seal(ctx, v)),
        variable_type: input.variable_type,
        protected: input.protected,
        masked: input.masked,
        raw: input.raw,
        description: input.description,
    };
    let stored = ctx
        .out
        .variables
        .update_variable(project.id, key, &changes)?
        .ok_or(VariableError::NotFound(What::Variable))?;
    Ok(open(ctx, stored))
}

impl VariableUseCases for Paddock {
    fn variables(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        page: PageRequest,
    ) -> Result<Page<ProjectVariable>, VariableError> {
        let ctx = self.runner_ctx();
        let project = managed(&ctx, actor, project)?;
        Ok(ctx
            .out
            .variables
            .variables(project.id, page)?
            .map(|v| open(&ctx, v)))
    }

    fn variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        key: &str,
    ) -> Result<ProjectVariable, VariableError> {
        let ctx = self.runner_ctx();
        let project = managed(&ctx, actor, project)?;
        ctx.out
            .variables
            .variable(project.id, key)?
            .map(|v| open(&ctx, v))
            .ok_or(VariableError::NotFound(What::Variable))
    }

    fn create_variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        input: VariableInput,
    ) -> Result<ProjectVariable, VariableError> {
        create(&self.runner_ctx(), actor, project, input)
    }

    fn update_variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        key: &str,
        input: VariableInput,
    ) -> Result<ProjectVariable, VariableError> {
        update(&self.runner_ctx(), actor, project, key, input)
    }

    fn delete_variable(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        key: &str,
    ) -> Result<(), VariableError> {
        let ctx = self.runner_ctx();
        let project = managed(&ctx, actor, project)?;
        if ctx.out.variables.delete_variable(project.id, key)? {
            Ok(())
        } else {
            Err(VariableError::NotFound(What::Variable))
        }
    }
}
