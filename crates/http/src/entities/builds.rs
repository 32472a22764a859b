//! The legacy CI API v1's build entities (GitLab 8.x `Ci::API::Entities`): `Build` and
//! `BuildDetails`, rendered from the same job payload as v4's `POST /jobs/request`.

use paddock_domain::ci::{Artifacts, Cache, JobDefinition};
use paddock_domain::job::{Job, JobStatus};
use paddock_domain::project::Project;
use paddock_ports::inbound::{BuildDetailsArtifacts, BuildView, Dependency, JobPayload};
use serde_json::{Map, Value, json};

use super::jobs::artifacts_file;
use super::opt_time;

/// What `Build` shows of one build; `ref`, `tag` and `sha` come from `source`, a build of
/// the same pipeline.
struct Fields<'a> {
    id: i64,
    name: &'a str,
    stage: &'a str,
    status: JobStatus,
    source: &'a Job,
    project: &'a Project,
    token: Option<&'a str>,
}

/// `Build`; the token only where the runner is meant to receive it.
fn fields(f: Fields<'_>) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("id".into(), json!(f.id));
    map.insert("ref".into(), json!(f.source.ref_name));
    map.insert("tag".into(), json!(f.source.tag));
    map.insert("sha".into(), json!(f.source.sha));
    map.insert("status".into(), json!(f.status.as_str()));
    map.insert("name".into(), json!(f.name));
    if let Some(token) = f.token {
        map.insert("token".into(), json!(token));
    }
    map.insert("stage".into(), json!(f.stage));
    map.insert("project_id".into(), json!(f.project.id.0));
    map.insert("project_name".into(), json!(f.project.name));
    map
}

/// `Build` after `PUT /ci/api/v1/builds/:id`; its token is not shown again.
pub fn build(view: &BuildView) -> Value {
    let job = &view.job;
    Value::Object(fields(Fields {
        id: job.id.0,
        name: &job.name,
        stage: &job.stage,
        status: job.status,
        source: job,
        project: &view.project,
        token: None,
    }))
}

/// A build whose artifacts this one downloads, with the token that downloads them (the
/// build's own, as v4 gives it).
fn dependency(dependency: &Dependency, payload: &JobPayload) -> Value {
    let mut map = fields(Fields {
        id: dependency.id.0,
        name: &dependency.name,
        stage: &dependency.stage,
        status: dependency.status,
        source: &payload.job,
        project: &payload.project,
        token: Some(payload.token.expose()),
    });
    if let Some(archive) = &dependency.archive {
        map.insert("artifacts_file".into(), artifacts_file(archive));
    }
    Value::Object(map)
}

/// `options.artifacts` as 8.x passed it on: the keys the configuration sets.
fn artifacts(a: &Artifacts) -> Value {
    let mut map = Map::new();
    if let Some(name) = &a.name {
        map.insert("name".into(), json!(name));
    }
    map.insert("untracked".into(), json!(a.untracked));
    map.insert("paths".into(), json!(a.paths));
    map.insert("when".into(), json!(a.when.as_str()));
    if let Some(expire_in) = &a.expire_in {
        map.insert("expire_in".into(), json!(expire_in));
    }
    Value::Object(map)
}

fn cache(c: &Cache) -> Value {
    let mut map = Map::new();
    if let Some(key) = &c.key {
        map.insert("key".into(), json!(key));
    }
    map.insert("untracked".into(), json!(c.untracked));
    map.insert("paths".into(), json!(c.paths));
    Value::Object(map)
}

/// `options`: image and services by name, as 2016 runners read them; keys left out when the
/// configuration does not set them. 8.x knew one cache per job: the first.
fn options(d: &JobDefinition) -> Value {
    let mut map = Map::new();
    if let Some(image) = &d.image {
        map.insert("image".into(), json!(image.name));
    }
    if !d.services.is_empty() {
        let names: Vec<&str> = d.services.iter().map(|s| s.name.as_str()).collect();
        map.insert("services".into(), json!(names));
    }
    if let Some(a) = &d.artifacts {
        map.insert("artifacts".into(), artifacts(a));
    }
    if let Some(c) = d.cache.first() {
        map.insert("cache".into(), cache(c));
    }
    if let Some(dependencies) = &d.dependencies {
        map.insert("dependencies".into(), json!(dependencies));
    }
    if !d.after_script.is_empty() {
        map.insert("after_script".into(), json!(d.after_script));
    }
    Value::Object(map)
}

/// `BuildDetails` with, when the build has an archive, `artifacts_file` and
/// `artifacts_expire_at`: the body of `POST /ci/api/v1/builds/:id/artifacts`'s 201.
pub fn build_details_artifacts(b: &BuildDetailsArtifacts) -> Value {
    let mut map = details_fields(&b.details);
    if let Some(archive) = &b.archive {
        map.insert("artifacts_file".into(), artifacts_file(archive));
        map.insert("artifacts_expire_at".into(), opt_time(archive.expire_at));
    }
    Value::Object(map)
}

/// `BuildDetails`: the body of `POST /ci/api/v1/builds/register`'s 201 (a build just taken
/// has no artifacts).
pub fn build_details(payload: &JobPayload) -> Value {
    Value::Object(details_fields(payload))
}

fn details_fields(payload: &JobPayload) -> Map<String, Value> {
    let job = &payload.job;
    let d = &job.definition;
    let token = payload.token.expose();
    let mut map = fields(Fields {
        id: job.id.0,
        name: &job.name,
        stage: &job.stage,
        status: job.status,
        source: job,
        project: &payload.project,
        token: Some(token),
    });
    let commands: Vec<&str> = d
        .before_script
        .iter()
        .chain(&d.script)
        .map(String::as_str)
        .collect();
    let details = json!({
        "commands": commands.join("\n"),
        "repo_url": payload.repo_url,
        "before_sha": payload.pipeline.before_sha,
        "allow_git_fetch": true,
        "options": options(d),
        "timeout": payload.timeout,
        "variables": payload.variables.iter().map(|v| json!({
            "key": v.key,
            "value": v.value,
            "public": v.public,
        })).collect::<Vec<_>>(),
        "depends_on_builds": payload
            .dependencies
            .iter()
            .map(|dep| dependency(dep, payload))
            .collect::<Vec<_>>(),
        "credentials": [],
    });
    if let Value::Object(details) = details {
        map.extend(details);
    }
    map
}
