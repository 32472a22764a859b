//! GitLab's JSON for pipelines, jobs, CI/CD variables, and the job payload runners receive.

use chrono::{DateTime, Utc};
use paddock_domain::ci::{Artifacts, Cache, Image};
use paddock_domain::job::artifact::{Artifact, ArtifactType};
use paddock_domain::job::{FailureReason, Job, JobStatus, Pipeline};
use paddock_domain::project::Project;
use paddock_domain::variable::ProjectVariable;
use paddock_ports::inbound::{JobPayload, JobView, PipelineView};
use serde_json::{Value, json};

use super::{opt_time, runner, time, user_basic};

fn project_url(project: &Project, base: &str) -> String {
    format!("{base}/{}", project.path_with_namespace)
}

/// GitLab's name of a status in `detailed_status`.
fn status_text(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Success => "passed",
        JobStatus::Manual => "manual",
        other => other.as_str(),
    }
}

fn detailed_status(status: JobStatus, path: String) -> Value {
    let text = status_text(status);
    json!({
        "icon": format!("status_{}", status.as_str()),
        "text": text,
        "label": text,
        "group": status.as_str(),
        "tooltip": text,
        "has_details": true,
        "details_path": path,
        "illustration": null,
        "favicon": format!("favicon_status_{}", status.as_str()),
    })
}

/// `PipelineBasic`: a pipeline in lists and inside jobs.
pub fn pipeline_basic(pipeline: &Pipeline, project: &Project, base: &str) -> Value {
    json!({
        "id": pipeline.id.0,
        "iid": pipeline.iid,
        "project_id": pipeline.project_id.0,
        "sha": pipeline.sha,
        "ref": pipeline.ref_name,
        "status": pipeline.status.as_str(),
        "source": pipeline.source,
        "created_at": time(pipeline.created_at),
        "updated_at": time(pipeline.updated_at),
        "web_url": format!("{}/-/pipelines/{}", project_url(project, base), pipeline.id),
    })
}

/// `Pipeline`: one pipeline.
pub fn pipeline(view: &PipelineView, base: &str, now: DateTime<Utc>) -> Value {
    let p = &view.pipeline;
    let mut value = pipeline_basic(p, &view.project, base);
    if let Value::Object(map) = &mut value {
        let queued = p
            .started_at
            .map(|started| (started - p.created_at).num_milliseconds().max(0) as f64 / 1000.0);
        let extra = json!({
            "before_sha": p.before_sha,
            "tag": p.tag,
            "yaml_errors": null,
            "user": view.user.as_ref().map(|u| user_basic(u, base)),
            "started_at": opt_time(p.started_at),
            "finished_at": opt_time(p.finished_at),
            "committed_at": p.commit.as_ref().map(|c| time(c.committed_date)),
            "duration": p.duration(now),
            "queued_duration": queued,
            "coverage": null,
            "detailed_status": detailed_status(
                p.status,
                format!("/{}/-/pipelines/{}", view.project.path_with_namespace, p.id),
            ),
        });
        if let Value::Object(extra) = extra {
            map.extend(extra);
        }
    }
    value
}

/// `Commit` as jobs show it: what the repository said of it, or just its id.
fn commit(pipeline: &Pipeline, project: &Project, base: &str) -> Value {
    let short: String = pipeline.sha.chars().take(8).collect();
    let web_url = format!("{}/-/commit/{}", project_url(project, base), pipeline.sha);
    match &pipeline.commit {
        Some(c) => json!({
            "id": pipeline.sha,
            "short_id": short,
            "created_at": time(c.committed_date),
            "parent_ids": c.parent_ids,
            "title": c.title,
            "message": c.message,
            "author_name": c.author_name,
            "author_email": c.author_email,
            "authored_date": time(c.authored_date),
            "committer_name": c.committer_name,
            "committer_email": c.committer_email,
            "committed_date": time(c.committed_date),
            "trailers": {},
            "web_url": web_url,
        }),
        None => json!({
            "id": pipeline.sha,
            "short_id": short,
            "created_at": null,
            "parent_ids": [],
            "title": null,
            "message": null,
            "author_name": null,
            "author_email": null,
            "authored_date": null,
            "committer_name": null,
            "committer_email": null,
            "committed_date": null,
            "trailers": {},
            "web_url": web_url,
        }),
    }
}

/// A job's archive among its artifacts.
fn archive(artifacts: &[Artifact]) -> Option<&Artifact> {
    artifacts
        .iter()
        .find(|a| a.artifact_type == ArtifactType::Archive)
}

/// `artifacts_file` of a job with an archive.
fn artifacts_file(archive: &Artifact) -> Value {
    json!({ "filename": archive.filename, "size": archive.size })
}

/// A job's tags as GitLab lists them: sorted.
fn sorted_tags(tags: &[String]) -> Vec<&str> {
    let mut sorted: Vec<&str> = tags.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted
}

/// `Job`; with `with_project`, `JobBasicWithProject` as runner job lists show it.
pub fn job(view: &JobView, base: &str, now: DateTime<Utc>, with_project: bool) -> Value {
    let j = &view.job;
    let project = &view.project;
    let mut value = json!({
        "id": j.id.0,
        "status": j.status.as_str(),
        "stage": j.stage,
        "name": j.name,
        "ref": j.ref_name,
        "tag": j.tag,
        "coverage": null,
        "allow_failure": j.allow_failure,
        "created_at": time(j.created_at),
        "started_at": opt_time(j.started_at),
        "finished_at": opt_time(j.finished_at),
        "erased_at": null,
        "duration": j.duration(now),
        "queued_duration": j.queued_duration(now),
        "user": view.user.as_ref().map(|u| user_basic(u, base)),
        "commit": commit(&view.pipeline, project, base),
        "pipeline": pipeline_basic(&view.pipeline, project, base),
        "web_url": format!("{}/-/jobs/{}", project_url(project, base), j.id),
        "artifacts": view.artifacts.iter().map(|a| json!({
            "file_type": a.artifact_type.as_str(),
            "size": a.size,
            "filename": a.filename,
            "file_format": a.format.as_str(),
        })).collect::<Vec<_>>(),
        "artifacts_expire_at": archive(&view.artifacts).and_then(|a| a.expire_at).map(time),
        "tag_list": sorted_tags(&j.tags),
        "runner": view.runner.as_ref().map(runner),
        "runner_manager": null,
        "archived": false,
        "retried": j.retried,
    });
    if let Value::Object(map) = &mut value {
        if let Some(a) = archive(&view.artifacts) {
            map.insert("artifacts_file".into(), artifacts_file(a));
        }
        if let Some(reason) = j.failure_reason {
            map.insert("failure_reason".into(), json!(reason.as_str()));
        }
        if with_project {
            map.insert(
                "project".into(),
                json!({
                    "id": project.id.0,
                    "description": project.description,
                    "name": project.name,
                    "name_with_namespace": project.name_with_namespace,
                    "path": project.path,
                    "path_with_namespace": project.path_with_namespace,
                    "created_at": time(project.created_at),
                }),
            );
        } else {
            map.insert(
                "project".into(),
                json!({ "ci_job_token_scope_enabled": false }),
            );
        }
    }
    value
}

/// A project's CI/CD variable.
pub fn variable(v: &ProjectVariable) -> Value {
    json!({
        "variable_type": v.variable_type.as_str(),
        "key": v.key,
        "value": v.value,
        "protected": v.protected,
        "masked": v.masked,
        "hidden": false,
        "raw": v.raw,
        "environment_scope": v.environment_scope,
        "description": v.description,
    })
}

fn image(image: &Image, service: bool) -> Value {
    let mut value = json!({
        "name": image.name,
        "entrypoint": image.entrypoint,
        "ports": [],
        "executor_opts": {},
        "pull_policy": null,
    });
    if service && let Value::Object(map) = &mut value {
        map.insert("alias".into(), json!(image.alias));
        map.insert("command".into(), json!(image.command));
        map.insert("variables".into(), json!([]));
    }
    value
}

fn artifacts(a: &Artifacts) -> Value {
    let mut value = json!({
        "name": a.name,
        "untracked": a.untracked,
        "paths": a.paths,
        "when": a.when.as_str(),
        "expire_in": a.expire_in,
        "artifact_type": "archive",
        "artifact_format": "zip",
    });
    if !a.exclude.is_empty()
        && let Value::Object(map) = &mut value
    {
        map.insert("exclude".into(), json!(a.exclude));
    }
    value
}

fn cache(c: &Cache) -> Value {
    json!({
        "key": c.key.as_deref().unwrap_or("default"),
        "untracked": c.untracked,
        "paths": c.paths,
        "policy": c.policy,
        "when": c.when,
        "fallback_keys": c.fallback_keys,
    })
}

fn steps(job: &Job, timeout: u64) -> Value {
    let d = &job.definition;
    let mut script = d.before_script.clone();
    script.extend(d.script.iter().cloned());
    let mut steps = vec![json!({
        "name": "script",
        "script": script,
        "timeout": timeout,
        "when": "on_success",
        "allow_failure": false,
    })];
    if !d.after_script.is_empty() {
        steps.push(json!({
            "name": "after_script",
            "script": d.after_script,
            "timeout": timeout,
            "when": "always",
            "allow_failure": true,
        }));
    }
    Value::Array(steps)
}

/// The body of `POST /jobs/request`'s 201: everything the runner needs, never `run: null`.
pub fn job_payload(payload: &JobPayload) -> Value {
    let job = &payload.job;
    let pipeline = &payload.pipeline;
    let project = &payload.project;
    let token = payload.token.expose();
    let ref_type = if pipeline.tag { "tag" } else { "branch" };
    let mut refspecs = Vec::new();
    match payload.git_depth {
        Some(_) if pipeline.tag => {
            refspecs.push(format!("+refs/tags/{0}:refs/tags/{0}", pipeline.ref_name))
        }
        Some(_) => refspecs.push(format!(
            "+refs/heads/{0}:refs/remotes/origin/{0}",
            pipeline.ref_name
        )),
        None => {
            refspecs.push("+refs/tags/*:refs/tags/*".to_owned());
            refspecs.push("+refs/heads/*:refs/remotes/origin/*".to_owned());
        }
    }
    let d = &job.definition;
    json!({
        "id": job.id.0,
        "token": token,
        "allow_git_fetch": true,
        "job_info": {
            "id": job.id.0,
            "name": job.name,
            "stage": job.stage,
            "project_id": project.id.0,
            "project_name": project.name,
            "project_full_path": project.path_with_namespace,
            "pipeline_id": pipeline.id.0,
            "namespace_id": project.namespace_id.0,
            "user_id": pipeline.user_id.map(|u| u.0),
            "time_in_queue_seconds": payload.time_in_queue_seconds,
            "project_jobs_running_on_instance_runners_count": payload.running_on_instance,
        },
        "git_info": {
            "repo_url": payload.repo_url,
            "repo_object_format": if pipeline.sha.len() == 64 { "sha256" } else { "sha1" },
            "ref": pipeline.ref_name,
            "sha": pipeline.sha,
            "before_sha": pipeline.before_sha,
            "ref_type": ref_type,
            "refspecs": refspecs,
            "depth": payload.git_depth,
            "protected": pipeline.protected,
        },
        "runner_info": {
            "timeout": payload.timeout,
            "runner_session_url": null,
        },
        "variables": payload.variables.iter().map(|v| json!({
            "key": v.key,
            "value": v.value,
            "public": v.public,
            "masked": v.masked,
            "file": v.file,
            "raw": v.raw,
        })).collect::<Vec<_>>(),
        "steps": steps(job, payload.timeout),
        "hooks": [],
        "image": d.image.as_ref().map(|i| image(i, false)),
        "services": d.services.iter().map(|s| image(s, true)).collect::<Vec<_>>(),
        "artifacts": d.artifacts.iter().map(artifacts).collect::<Vec<_>>(),
        "cache": d.cache.iter().map(cache).collect::<Vec<_>>(),
        "credentials": [],
        "dependencies": payload.dependencies.iter().map(|dep| {
            let mut entry = json!({
                "id": dep.id.0,
                "name": dep.name,
                "token": token,
            });
            if let (Some(a), Value::Object(map)) = (&dep.archive, &mut entry) {
                map.insert("artifacts_file".into(), artifacts_file(a));
            }
            entry
        }).collect::<Vec<_>>(),
        "features": {
            "trace_sections": true,
            "failure_reasons": FailureReason::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        },
    })
}
