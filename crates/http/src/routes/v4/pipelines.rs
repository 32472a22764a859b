//! Pipelines and jobs for users: `/projects/:id/ci/lint`, `/projects/:id/pipeline(s)...`,
//! `/projects/:id/jobs...` and `/runners/:id/jobs`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use paddock_domain::job::{JobStatus, PipelineVariable};
use paddock_domain::runner::RunnerId;
use paddock_domain::variable::VariableType;
use paddock_domain::{JobId, PipelineId, UserId};
use paddock_ports::Page;
use paddock_ports::inbound::{
    CreatePipelineRequest, JobListQuery, JobView, PipelineView, ProjectRef, What,
};
use paddock_ports::outbound::{PipelineFilter, PipelineOrder, Sort};
use serde_json::{Value, json};

use super::{numeric_id, sort};
use crate::auth::{Auth, MaybeAuth};
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/projects/{id}/ci/lint").route(web::post().to(lint)))
        .service(resource("/projects/{id}/pipeline").route(web::post().to(create)))
        .service(resource("/projects/{id}/pipelines").route(web::get().to(list)))
        .service(
            resource("/projects/{id}/pipelines/{pipeline_id}")
                .route(web::get().to(show))
                .route(web::delete().to(delete)),
        )
        .service(
            resource("/projects/{id}/pipelines/{pipeline_id}/jobs")
                .route(web::get().to(pipeline_jobs)),
        )
        .service(
            resource("/projects/{id}/pipelines/{pipeline_id}/cancel")
                .route(web::post().to(cancel_pipeline)),
        )
        .service(
            resource("/projects/{id}/pipelines/{pipeline_id}/retry")
                .route(web::post().to(retry_pipeline)),
        )
        .service(resource("/projects/{id}/jobs").route(web::get().to(project_jobs)))
        .service(resource("/projects/{id}/jobs/{job_id}").route(web::get().to(show_job)))
        .service(resource("/projects/{id}/jobs/{job_id}/trace").route(web::get().to(trace)))
        .service(resource("/projects/{id}/jobs/{job_id}/cancel").route(web::post().to(cancel_job)))
        .service(resource("/projects/{id}/jobs/{job_id}/retry").route(web::post().to(retry_job)))
        .service(resource("/projects/{id}/jobs/{job_id}/play").route(web::post().to(play_job)));
}

/// Job statuses GitLab knows; those Paddock never uses match nothing.
const GITLAB_JOB_STATUSES: [&str; 13] = [
    "created",
    "waiting_for_resource",
    "preparing",
    "waiting_for_callback",
    "pending",
    "running",
    "success",
    "failed",
    "canceling",
    "canceled",
    "skipped",
    "manual",
    "scheduled",
];

/// The statuses a job list is limited to (`scope`, or `status` for runner jobs): `None` when
/// only statuses Paddock never uses were asked for (the list is empty).
pub(crate) fn job_statuses(
    params: &Params,
    name: &str,
) -> Result<Option<Vec<JobStatus>>, ApiError> {
    let Some(names) = params.list(name)? else {
        return Ok(Some(Vec::new()));
    };
    if names.is_empty() {
        return Ok(Some(Vec::new()));
    }
    if names
        .iter()
        .any(|n| !GITLAB_JOB_STATUSES.contains(&n.as_str()))
    {
        return Err(ApiError::not_valid_value(name));
    }
    let known: Vec<JobStatus> = names.iter().filter_map(|n| JobStatus::parse(n)).collect();
    Ok((!known.is_empty()).then_some(known))
}

/// `/projects/:id/pipelines/:pipeline_id`: the project and the pipeline's id (404 unless
/// numeric).
fn project_pipeline(
    path: web::Path<(String, String)>,
) -> Result<(ProjectRef, PipelineId), ApiError> {
    let (project, id) = path.into_inner();
    Ok((
        ProjectRef::parse(&project),
        PipelineId(numeric_id(&id, What::Pipeline)?),
    ))
}

/// `/projects/:id/jobs/:job_id`: the project and the job's id (404 unless numeric).
pub(super) fn project_job(
    path: web::Path<(String, String)>,
) -> Result<(ProjectRef, JobId), ApiError> {
    let (project, id) = path.into_inner();
    Ok((
        ProjectRef::parse(&project),
        JobId(numeric_id(&id, What::Job)?),
    ))
}

fn pipeline_json(view: &PipelineView, state: &ApiState) -> Value {
    entities::pipeline(view, &state.config.external_url, Utc::now())
}

fn job_json(view: &JobView, state: &ApiState) -> Value {
    entities::job(view, &state.config.external_url, Utc::now(), false)
}

fn empty_page<T>() -> Page<T> {
    Page {
        items: Vec::new(),
        total: 0,
    }
}

async fn lint(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let content = params.required_string("content")?;
    let actor = auth.actor();
    let text = content.clone();
    let lint = state
        .call(move |uc| uc.lint_ci(&actor, &project, &text))
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "valid": lint.valid,
        "errors": lint.errors,
        "warnings": lint.warnings,
        "merged_yaml": if lint.valid { Value::String(content) } else { Value::Null },
        "includes": [],
    })))
}

/// `variables`: an array of `{key, value, variable_type}`.
fn pipeline_variables(params: &Params) -> Result<Vec<PipelineVariable>, ApiError> {
    let invalid = || ApiError::invalid("variables");
    let Some(raw) = params.raw("variables") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = raw else {
        return Err(invalid());
    };
    items
        .iter()
        .map(|item| {
            let key = item
                .get("key")
                .and_then(Value::as_str)
                .ok_or_else(invalid)?;
            let value = match item.get("value") {
                Some(Value::String(v)) => v.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                None | Some(Value::Null) => String::new(),
                Some(_) => return Err(invalid()),
            };
            let variable_type = match item.get("variable_type").and_then(Value::as_str) {
                None => VariableType::EnvVar,
                Some(t) => VariableType::parse(t).ok_or_else(invalid)?,
            };
            paddock_domain::variable::validate_key(key).map_err(|_| invalid())?;
            if key.contains('\0') || value.contains('\0') {
                return Err(invalid());
            }
            Ok(PipelineVariable {
                key: key.to_owned(),
                value,
                variable_type,
            })
        })
        .collect()
}

async fn create(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let ref_name = params.required_string("ref")?;
    if ref_name.trim().is_empty() {
        return Err(ApiError::Param("ref is empty".into()));
    }
    let request = CreatePipelineRequest {
        ref_name,
        sha: params.string("sha")?.filter(|s| !s.is_empty()),
        tag: params.bool("tag")?,
        variables: pipeline_variables(&params)?,
        ci_config: params.string("ci_config")?.filter(|s| !s.is_empty()),
    };
    let actor = auth.actor();
    let view = state
        .call(move |uc| uc.create_pipeline(&actor, &project, request))
        .await?;
    Ok(HttpResponse::Created().json(pipeline_json(&view, &state)))
}

fn pipeline_filter(params: &Params) -> Result<PipelineFilter, ApiError> {
    let status = params.one_of("status", JobStatus::parse)?;
    let scope = params.one_of("scope", |s| match s {
        "running" => Some(Some(vec![JobStatus::Running])),
        "pending" => Some(Some(vec![JobStatus::Pending])),
        "finished" => Some(Some(
            JobStatus::ALL
                .into_iter()
                .filter(|s| s.is_complete())
                .collect(),
        )),
        "branches" | "tags" => Some(None),
        _ => None,
    })?;
    let scope = match scope {
        Some(Some(statuses)) => Some(statuses),
        Some(None) => {
            return Err(ApiError::Param(
                "scope: branches and tags are not supported yet".into(),
            ));
        }
        None => None,
    };
    // `status` and `scope` both apply.
    let statuses = match (status, scope) {
        (Some(status), Some(scope)) => Some(scope.into_iter().filter(|s| *s == status).collect()),
        (Some(status), None) => Some(vec![status]),
        (None, scope) => scope,
    };
    let order = params
        .one_of("order_by", |o| match o {
            "id" => Some(PipelineOrder::Id),
            "status" => Some(PipelineOrder::Status),
            "ref" => Some(PipelineOrder::Ref),
            "updated_at" => Some(PipelineOrder::UpdatedAt),
            "user_id" => Some(PipelineOrder::UserId),
            _ => None,
        })?
        .unwrap_or_default();
    let time = |name: &str| -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
        params
            .string(name)?
            .map(|t| {
                chrono::DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| ApiError::invalid(name))
            })
            .transpose()
    };
    Ok(PipelineFilter {
        statuses,
        ref_name: params.string("ref")?,
        sha: params.string("sha")?,
        source: params.string("source")?,
        user_id: params.int("user_id")?.map(UserId),
        updated_after: time("updated_after")?,
        updated_before: time("updated_before")?,
        order,
        sort: sort(params)?.unwrap_or(Sort::Desc),
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let filter = pipeline_filter(&params)?;
    let page = page_request(&params)?;
    let actor = auth.actor();
    let found = state
        .call(move |uc| uc.pipelines(actor.as_ref(), &project, filter, page))
        .await?;
    let base = &state.config.external_url;
    let items = found
        .items
        .iter()
        .map(|v| entities::pipeline_basic(&v.pipeline, &v.project, base))
        .collect();
    Ok(paginated(&req, &state, page, found.total, items))
}

async fn show(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_pipeline(path)?;
    let actor = auth.actor();
    let view = state
        .call(move |uc| uc.pipeline(actor.as_ref(), &project, id))
        .await?;
    Ok(HttpResponse::Ok().json(pipeline_json(&view, &state)))
}

async fn delete(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_pipeline(path)?;
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_pipeline(&actor, &project, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A job list's filters; `None` when only statuses Paddock never uses were asked for.
fn job_query(params: &Params, sort: Sort) -> Result<Option<JobListQuery>, ApiError> {
    let include_retried = params.bool("include_retried")?.unwrap_or(false);
    Ok(job_statuses(params, "scope")?.map(|statuses| JobListQuery {
        statuses,
        include_retried,
        sort,
    }))
}

async fn pipeline_jobs(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_pipeline(path)?;
    let page = page_request(&params)?;
    let query = job_query(&params, Sort::Asc)?;
    let actor = auth.actor();
    let found = state
        .call(move |uc| match query {
            Some(query) => uc.pipeline_jobs(actor.as_ref(), &project, id, query, page),
            // Only statuses Paddock never uses: still check the pipeline is there.
            None => uc
                .pipeline(actor.as_ref(), &project, id)
                .map(|_| empty_page()),
        })
        .await?;
    let items = found.items.iter().map(|v| job_json(v, &state)).collect();
    Ok(paginated(&req, &state, page, found.total, items))
}

async fn project_jobs(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let page = page_request(&params)?;
    let query = job_query(&params, Sort::Desc)?;
    let actor = auth.actor();
    let found = state
        .call(move |uc| match query {
            Some(query) => uc.project_jobs(actor.as_ref(), &project, query, page),
            None => uc
                .pipelines(actor.as_ref(), &project, PipelineFilter::default(), page)
                .map(|_| empty_page()),
        })
        .await?;
    let items = found.items.iter().map(|v| job_json(v, &state)).collect();
    Ok(paginated(&req, &state, page, found.total, items))
}

async fn show_job(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_job(path)?;
    let actor = auth.actor();
    let view = state
        .call(move |uc| uc.job(actor.as_ref(), &project, id))
        .await?;
    Ok(HttpResponse::Ok().json(job_json(&view, &state)))
}

async fn trace(
    state: web::Data<ApiState>,
    auth: MaybeAuth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_job(path)?;
    let actor = auth.actor();
    let log = state
        .call(move |uc| uc.job_trace(actor.as_ref(), &project, id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(log))
}

async fn cancel_pipeline(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_pipeline(path)?;
    let actor = auth.actor();
    let view = state
        .call(move |uc| uc.cancel_pipeline(&actor, &project, id))
        .await?;
    Ok(HttpResponse::Created().json(pipeline_json(&view, &state)))
}

async fn retry_pipeline(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_pipeline(path)?;
    let actor = auth.actor();
    let view = state
        .call(move |uc| uc.retry_pipeline(&actor, &project, id))
        .await?;
    Ok(HttpResponse::Created().json(pipeline_json(&view, &state)))
}

/// Which action a job route takes.
#[derive(Debug, Clone, Copy)]
enum JobAction {
    Cancel,
    Retry,
    Play,
}

async fn job_action(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    action: JobAction,
) -> Result<HttpResponse, ApiError> {
    let (project, id) = project_job(path)?;
    let actor = auth.actor();
    let view = state
        .call(move |uc| match action {
            JobAction::Cancel => uc.cancel_job(&actor, &project, id),
            JobAction::Retry => uc.retry_job(&actor, &project, id),
            JobAction::Play => uc.play_job(&actor, &project, id),
        })
        .await?;
    // GitLab answers a play with 200 (`status 200`), a cancel or a retry with 201.
    let mut response = match action {
        JobAction::Play => HttpResponse::Ok(),
        JobAction::Cancel | JobAction::Retry => HttpResponse::Created(),
    };
    Ok(response.json(job_json(&view, &state)))
}

async fn cancel_job(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    job_action(state, auth, path, JobAction::Cancel).await
}

async fn retry_job(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    job_action(state, auth, path, JobAction::Retry).await
}

async fn play_job(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    job_action(state, auth, path, JobAction::Play).await
}

/// `GET /runners/:id/jobs`.
pub(crate) async fn runner_jobs(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    id: RunnerId,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let statuses = job_statuses(&params, "status")?;
    params.one_of("order_by", |s| (s == "id").then_some(()))?;
    let explicit_sort = sort(&params)?;
    // GitLab's `RunnerJobsFinder`: without order_by the list is ascending and `sort` is
    // ignored; with it, descending unless `sort` says otherwise.
    let sort = match (params.has("order_by"), explicit_sort) {
        (true, Some(sort)) => sort,
        (true, None) => Sort::Desc,
        (false, _) => Sort::Asc,
    };
    let page = page_request(&params)?;
    let actor = auth.actor();
    let found = state
        .call(move |uc| match statuses {
            Some(statuses) => uc.runner_jobs(
                &actor,
                id,
                JobListQuery {
                    statuses,
                    include_retried: true,
                    sort,
                },
                page,
            ),
            None => uc
                .runner_jobs(
                    &actor,
                    id,
                    JobListQuery {
                        statuses: vec![JobStatus::Created],
                        include_retried: true,
                        sort,
                    },
                    page,
                )
                .map(|_| empty_page()),
        })
        .await?;
    let base = &state.config.external_url;
    let items = found
        .items
        .iter()
        .map(|v| entities::job(v, base, Utc::now(), true))
        .collect();
    Ok(paginated(&req, &state, page, found.total, items))
}
