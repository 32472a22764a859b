//! `/runners...`, `/projects/:id/runners...`, `/groups/:id/runners` and `/user/runners`: the
//! runner-facing calls (authenticated by registration or runner tokens) and runner
//! management (authenticated by personal access tokens).

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::filter::{ScopeFilter, StatusFilter, VersionPrefix};
use paddock_domain::runner::{AccessLevel, RunnerType};
use paddock_domain::{NamespaceId, ProjectId};
use paddock_ports::inbound::{
    CreateRunnerRequest, GroupRef, ProjectRef, RegisterRunnerRequest, RunnerList, RunnerListQuery,
    RunnerSettingsInput,
};
use serde_json::Value;

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::routes::runner_agent::{contact, runner_token, unmodified_since};
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Static paths before `/runners/{id}`.
    cfg.service(
        resource("/runners")
            .route(web::get().to(list_managed))
            .route(web::post().to(register))
            .route(web::delete().to(unregister)),
    )
    .service(resource("/runners/all").route(web::get().to(list_all)))
    .service(resource("/runners/verify").route(web::post().to(verify)))
    .service(resource("/runners/reset_authentication_token").route(web::post().to(reset_own_token)))
    .service(resource("/runners/managers").route(web::delete().to(remove_manager)))
    .service(
        resource("/runners/reset_registration_token")
            .route(web::post().to(reset_registration_token)),
    )
    .service(
        resource("/runners/{id}")
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    )
    .service(resource("/runners/{id}/jobs").route(web::get().to(jobs)))
    .service(resource("/runners/{id}/managers").route(web::get().to(managers)))
    .service(
        resource("/runners/{id}/reset_authentication_token").route(web::post().to(reset_token)),
    )
    .service(
        resource("/projects/{id}/runners")
            .route(web::get().to(project_runners))
            .route(web::post().to(assign)),
    )
    .service(resource("/projects/{id}/runners/{runner_id}").route(web::delete().to(unassign)))
    .service(resource("/groups/{id}/runners").route(web::get().to(group_runners)))
    .service(resource("/user/runners").route(web::post().to(create)));
}

/// Validation errors as Rails' `full_messages`: `Tags list can not be empty ...`.
fn full_messages(errors: &[paddock_domain::names::FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            let mut field = e.field.replace('_', " ");
            if let Some(first) = field.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("{field} {}", e.message)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The settings of `POST /runners`, `POST /user/runners` and `PUT /runners/:id`.
pub(crate) fn settings_input(params: &Params) -> Result<RunnerSettingsInput, ApiError> {
    if params.has("active") && params.has("paused") {
        return Err(ApiError::Param(
            "active, paused are mutually exclusive".into(),
        ));
    }
    if params.has("maintainer_note") && params.has("maintenance_note") {
        return Err(ApiError::Param(
            "maintainer_note, maintenance_note are mutually exclusive".into(),
        ));
    }
    let active = match params.bool("active")? {
        Some(active) => Some(active),
        None => params.bool("paused")?.map(|paused| !paused),
    };
    let maximum_timeout = if params.has("maximum_timeout") {
        Some(params.int("maximum_timeout")?)
    } else {
        None
    };
    Ok(RunnerSettingsInput {
        description: params.string("description")?,
        maintenance_note: match params.string("maintenance_note")? {
            Some(note) => Some(note),
            None => params.string("maintainer_note")?,
        },
        active,
        locked: params.bool("locked")?,
        run_untagged: params.bool("run_untagged")?,
        access_level: params.one_of("access_level", AccessLevel::parse)?,
        maximum_timeout,
        tags: params.list("tag_list")?,
    })
}

/// Which list a filter set is for: `GET /runners` narrows `scope`, groups take none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListRoute {
    Managed,
    All,
    Project,
    Group,
}

fn list_query(params: &Params, route: ListRoute) -> Result<RunnerListQuery, ApiError> {
    let scope = if route == ListRoute::Group {
        None
    } else {
        params.one_of("scope", ScopeFilter::parse)?
    };
    if route == ListRoute::Managed && scope.is_some_and(|s| !s.allowed_for_own_runners()) {
        return Err(ApiError::Message("Scope contains invalid value".into()));
    }
    let version_prefix = match params.string("version_prefix")? {
        None => None,
        Some(text) => {
            Some(VersionPrefix::parse(&text).ok_or_else(|| ApiError::invalid("version_prefix"))?)
        }
    };
    Ok(RunnerListQuery {
        scope,
        runner_type: params.one_of("type", RunnerType::parse)?,
        status: params.one_of("status", StatusFilter::parse)?,
        paused: params.bool("paused")?,
        tags: params.list("tag_list")?,
        version_prefix,
    })
}

/// A runner id in the path; GitLab's 400 `id is invalid` when it is not a number.
fn runner_id(segment: &str, param: &str) -> Result<RunnerId, ApiError> {
    segment
        .parse()
        .map(RunnerId)
        .map_err(|_| ApiError::invalid(param))
}

async fn list(
    req: &HttpRequest,
    state: &web::Data<ApiState>,
    auth: Auth,
    params: Params,
    list: RunnerList,
    route: ListRoute,
) -> Result<HttpResponse, ApiError> {
    let query = list_query(&params, route)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let runners = state
        .call(move |uc| uc.runners(&actor, list, query, page))
        .await?;
    let items: Vec<Value> = runners.items.iter().map(entities::runner).collect();
    Ok(paginated(req, state, page, runners.total, items))
}

async fn list_managed(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    list(
        &req,
        &state,
        auth,
        params,
        RunnerList::Managed,
        ListRoute::Managed,
    )
    .await
}

async fn list_all(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    list(&req, &state, auth, params, RunnerList::All, ListRoute::All).await
}

async fn project_runners(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let query = list_query(&params, ListRoute::Project)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let runners = state
        .call(move |uc| uc.project_runners(&actor, &project, query, page))
        .await?;
    let items: Vec<Value> = runners.items.iter().map(entities::runner).collect();
    Ok(paginated(&req, &state, page, runners.total, items))
}

async fn group_runners(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let group = GroupRef::parse(&path);
    let query = list_query(&params, ListRoute::Group)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let runners = state
        .call(move |uc| uc.group_runners(&actor, &group, query, page))
        .await?;
    let items: Vec<Value> = runners.items.iter().map(entities::runner).collect();
    Ok(paginated(&req, &state, page, runners.total, items))
}

async fn show(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = runner_id(&path, "id")?;
    let include_projects = params.bool("include_projects")?.unwrap_or(true);
    let actor = auth.actor();
    let details = state
        .call(move |uc| uc.runner(&actor, id, include_projects))
        .await?;
    Ok(HttpResponse::Ok().json(entities::runner_details(
        &details,
        &state.config.external_url,
    )))
}

const AT_LEAST_ONE: &str = "description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided";

async fn update(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = runner_id(&path, "id")?;
    let changes = settings_input(&params)?;
    if changes.is_empty() {
        return Err(ApiError::Param(AT_LEAST_ONE.into()));
    }
    let actor = auth.actor();
    let details = state
        .call(move |uc| uc.update_runner(&actor, id, changes))
        .await?;
    Ok(HttpResponse::Ok().json(entities::runner_details(
        &details,
        &state.config.external_url,
    )))
}

async fn delete(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = runner_id(&path, "id")?;
    let since = unmodified_since(&req);
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_runner(&actor, id, since))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The runner's jobs, for those who may change the runner.
async fn jobs(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let id = runner_id(&path, "id")?;
    super::pipelines::runner_jobs(req, state, auth, id, params).await
}

async fn managers(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = runner_id(&path, "id")?;
    let actor = auth.actor();
    let managers = state.call(move |uc| uc.runner_managers(&actor, id)).await?;
    let items: Vec<Value> = managers.iter().map(entities::runner_manager).collect();
    Ok(HttpResponse::Ok().json(items))
}

async fn reset_token(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = runner_id(&path, "id")?;
    let actor = auth.actor();
    let issued = state
        .call(move |uc| uc.reset_runner_token(&actor, id))
        .await?;
    Ok(HttpResponse::Created().json(entities::runner_token(&issued)))
}

async fn assign(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let id = RunnerId(params.required_int("runner_id")?);
    let actor = auth.actor();
    let view = state
        .call(move |uc| uc.assign_runner(&actor, &project, id))
        .await?;
    Ok(HttpResponse::Created().json(entities::runner(&view)))
}

async fn unassign(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, runner) = path.into_inner();
    let project = ProjectRef::parse(&project);
    let id = runner_id(&runner, "runner_id")?;
    let since = unmodified_since(&req);
    let actor = auth.actor();
    state
        .call(move |uc| uc.unassign_runner(&actor, &project, id, since))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn create(
    state: web::Data<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let runner_type = params
        .one_of("runner_type", RunnerType::parse)?
        .ok_or_else(|| ApiError::missing("runner_type"))?;
    let group_id = match runner_type {
        RunnerType::Group => Some(NamespaceId(params.required_int("group_id")?)),
        _ => None,
    };
    let project_id = match runner_type {
        RunnerType::Project => Some(ProjectId(params.required_int("project_id")?)),
        _ => None,
    };
    let request = CreateRunnerRequest {
        runner_type,
        group_id,
        project_id,
        settings: settings_input(&params)?,
    };
    let actor = auth.actor();
    // GitLab answers this endpoint's validation errors as one sentence.
    let issued = state
        .call(move |uc| uc.create_runner(&actor, request))
        .await
        .map_err(|error| match error {
            ApiError::Validation(errors) => ApiError::BadRequest(full_messages(&errors)),
            other => other,
        })?;
    Ok(HttpResponse::Created().json(entities::runner_registration(&issued)))
}

async fn reset_registration_token(
    state: web::Data<ApiState>,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.actor();
    let token = state
        .call(move |uc| uc.reset_instance_runners_token(&actor))
        .await?;
    Ok(HttpResponse::Created().json(entities::reset_token(&token)))
}

// The runner-facing calls on the same paths.

async fn register(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let registration_token = runner_token(&req, &params)?;
    let request = RegisterRunnerRequest {
        registration_token,
        settings: settings_input(&params)?,
        contact: contact(&req, &params)?,
    };
    let issued = state.call(move |uc| uc.register_runner(request)).await?;
    Ok(HttpResponse::Created().json(entities::runner_registration(&issued)))
}

async fn unregister(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let token = runner_token(&req, &params)?;
    let since = unmodified_since(&req);
    state
        .call(move |uc| uc.unregister_runner(&token, since))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn verify(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let token = runner_token(&req, &params)?;
    let contact = contact(&req, &params)?;
    let issued = state
        .call(move |uc| uc.verify_runner(&token, contact))
        .await?;
    Ok(HttpResponse::Ok().json(entities::runner_registration(&issued)))
}

async fn reset_own_token(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let token = runner_token(&req, &params)?;
    let contact = contact(&req, &params)?;
    let issued = state
        .call(move |uc| uc.reset_own_runner_token(&token, contact))
        .await?;
    Ok(HttpResponse::Created().json(entities::runner_token(&issued)))
}

async fn remove_manager(
    req: HttpRequest,
    state: web::Data<ApiState>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let token = runner_token(&req, &params)?;
    let system_id = params.required_string("system_id")?;
    let since = unmodified_since(&req);
    state
        .call(move |uc| uc.remove_runner_manager(&token, &system_id, since))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
