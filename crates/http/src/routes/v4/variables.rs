//! `/projects/:id/variables`: a project's CI/CD variables, for its maintainers.

use actix_web::{HttpRequest, HttpResponse, web};
use paddock_domain::variable::VariableType;
use paddock_ports::inbound::{ProjectRef, VariableInput};

use crate::auth::Auth;
use crate::entities;
use crate::error::ApiError;
use crate::pagination::{page_request, paginated};
use crate::params::Params;
use crate::routes::resource;
use crate::state::ApiState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/projects/{id}/variables")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/projects/{id}/variables/{key}")
            .route(web::get().to(show))
            .route(web::put().to(update))
            .route(web::delete().to(delete)),
    );
}

fn input(params: &Params) -> Result<VariableInput, ApiError> {
    Ok(VariableInput {
        key: params.string("key")?,
        value: params.string("value")?,
        variable_type: params.one_of("variable_type", VariableType::parse)?,
        protected: params.bool("protected")?,
        masked: params.bool("masked")?,
        raw: params.bool("raw")?,
        description: params.nullable_string("description")?,
        environment_scope: params.string("environment_scope")?,
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    let page = page_request(&params)?;
    let actor = auth.actor();
    let found = state
        .call(move |uc| uc.variables(&actor, &project, page))
        .await?;
    let items = found.items.iter().map(entities::variable).collect();
    Ok(paginated(&req, &state, page, found.total, items))
}

async fn show(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, key) = path.into_inner();
    let project = ProjectRef::parse(&project);
    let actor = auth.actor();
    let variable = state
        .call(move |uc| uc.variable(&actor, &project, &key))
        .await?;
    Ok(HttpResponse::Ok().json(entities::variable(&variable)))
}

async fn create(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let project = ProjectRef::parse(&path);
    params.required_string("key")?;
    params.required_string("value")?;
    let input = input(&params)?;
    let actor = auth.actor();
    let variable = state
        .call(move |uc| uc.create_variable(&actor, &project, input))
        .await?;
    Ok(HttpResponse::Created().json(entities::variable(&variable)))
}

async fn update(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let (project, key) = path.into_inner();
    let project = ProjectRef::parse(&project);
    let input = input(&params)?;
    let actor = auth.actor();
    let variable = state
        .call(move |uc| uc.update_variable(&actor, &project, &key, input))
        .await?;
    Ok(HttpResponse::Ok().json(entities::variable(&variable)))
}

async fn delete(
    state: web::Data<ApiState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (project, key) = path.into_inner();
    let project = ProjectRef::parse(&project);
    let actor = auth.actor();
    state
        .call(move |uc| uc.delete_variable(&actor, &project, &key))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
