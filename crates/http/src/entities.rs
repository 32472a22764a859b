//! GitLab's JSON shapes for the resources Paddock serves. Fields Paddock has no data for are
//! left out or null, as GitLab does for features that are off.

use chrono::{DateTime, Utc};
use paddock_domain::Role;
use paddock_domain::namespace::Namespace;
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::protected_branch::{BranchAccessLevel, ProtectedBranch};
use paddock_domain::token::PlainToken;
use paddock_domain::user::User;
use paddock_ports::inbound::{GroupDetails, ProjectDetails, ProjectListItem};
use paddock_ports::outbound::MemberWithUser;
use serde_json::{Value, json};

mod builds;
mod jobs;

pub use builds::{build, build_details, build_details_artifacts};
pub use jobs::{job, job_payload, pipeline, pipeline_basic, variable};

/// GitLab's timestamps: ISO 8601, milliseconds, UTC.
pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// GitLab's dates (token and membership expiry).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

pub(crate) fn opt_time(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| Value::String(time(at)))
}

fn opt_date(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| Value::String(date(at)))
}

/// `UserBasic`: what anyone may see of a user.
pub fn user_basic(user: &User, base: &str) -> Value {
    json!({
        "id": user.id.0,
        "username": user.username,
        "name": user.name,
        "state": user.state.as_str(),
        "locked": false,
        "avatar_url": null,
        "web_url": format!("{base}/{}", user.username),
    })
}

/// `User`, and with `private` the fields shown to the user themselves and to administrators
/// (`UserWithAdmin`): e-mail, `is_admin` and account settings.
pub fn user(user: &User, base: &str, private: bool) -> Value {
    let mut value = user_basic(user, base);
    if let Value::Object(map) = &mut value {
        let public = json!({
            "created_at": time(user.created_at),
            "bio": "",
            "location": "",
            "public_email": null,
            "skype": "",
            "linkedin": "",
            "twitter": "",
            "discord": "",
            "website_url": "",
            "organization": "",
            "job_title": "",
            "pronouns": null,
            "bot": false,
            "work_information": null,
            "followers": 0,
            "following": 0,
            "local_time": null,
        });
        if let Value::Object(extra) = public {
            map.extend(extra);
        }
        if private {
            let extra = json!({
                "email": user.email,
                "commit_email": user.email,
                "is_admin": user.admin,
                "last_sign_in_at": null,
                "confirmed_at": time(user.created_at),
                "last_activity_on": null,
                "theme_id": 1,
                "color_scheme_id": 1,
                "projects_limit": 100000,
                "current_sign_in_at": null,
                "identities": [],
                "can_create_group": true,
                "can_create_project": true,
                "two_factor_enabled": false,
                "external": false,
                "private_profile": false,
            });
            if let Value::Object(extra) = extra {
                map.extend(extra);
            }
        }
    }
    value
}

/// A personal access token; `active` as of the use case's clock.
pub fn personal_access_token(
    token: &PersonalAccessToken,
    active: bool,
    secret: Option<&PlainToken>,
) -> Value {
    let mut value = json!({
        "id": token.id.0,
        "name": token.name,
        "description": null,
        "revoked": token.revoked,
        "created_at": time(token.created_at),
        "scopes": token.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "user_id": token.user_id.0,
        "last_used_at": opt_time(token.last_used_at),
        "active": active,
        "expires_at": opt_date(token.expires_at),
    });
    if let (Some(secret), Value::Object(map)) = (secret, &mut value) {
        map.insert("token".into(), Value::String(secret.expose().to_owned()));
    }
    value
}

fn namespace_summary(namespace: &Namespace, base: &str) -> Value {
    let web_url = if namespace.is_group() {
        format!("{base}/groups/{}", namespace.full_path)
    } else {
        format!("{base}/{}", namespace.full_path)
    };
    json!({
        "id": namespace.id.0,
        "name": namespace.name,
        "path": namespace.path,
        "kind": namespace.kind.as_str(),
        "full_path": namespace.full_path,
        "parent_id": namespace.parent_id.map(|p| p.0),
        "avatar_url": null,
        "web_url": web_url,
    })
}

/// A group in lists.
pub fn group(group: &Namespace, base: &str) -> Value {
    json!({
        "id": group.id.0,
        "web_url": format!("{base}/groups/{}", group.full_path),
        "name": group.name,
        "path": group.path,
        "description": group.description,
        "visibility": group.visibility.as_str(),
        "share_with_group_lock": false,
        "require_two_factor_authentication": false,
        "two_factor_grace_period": 48,
        "project_creation_level": "developer",
        "auto_devops_enabled": null,
        "subgroup_creation_level": "maintainer",
        "emails_disabled": false,
        "emails_enabled": true,
        "mentions_disabled": null,
        "lfs_enabled": true,
        "default_branch_protection": 2,
        "avatar_url": null,
        "request_access_enabled": false,
        "full_name": group.full_name,
        "full_path": group.full_path,
        "created_at": time(group.created_at),
        "parent_id": group.parent_id.map(|p| p.0),
        "shared_runners_setting": "enabled",
    })
}

/// A single group: the list shape plus `runners_token` for those who manage its runners.
pub fn group_details(details: &GroupDetails, base: &str) -> Value {
    let mut value = group(&details.group, base);
    if let (Some(token), Value::Object(map)) = (&details.runners_token, &mut value) {
        map.insert(
            "runners_token".into(),
            Value::String(token.expose().to_owned()),
        );
    }
    value
}

fn access(role: Option<Role>) -> Value {
    role.map_or(
        Value::Null,
        |r| json!({ "access_level": r.level(), "notification_level": 3 }),
    )
}

/// A project in lists.
pub fn project(item: &ProjectListItem, base: &str) -> Value {
    let p = &item.project;
    json!({
        "id": p.id.0,
        "description": p.description,
        "name": p.name,
        "name_with_namespace": p.name_with_namespace,
        "path": p.path,
        "path_with_namespace": p.path_with_namespace,
        "created_at": time(p.created_at),
        "updated_at": time(p.updated_at),
        "last_activity_at": time(p.updated_at),
        "default_branch": p.default_branch,
        "tag_list": [],
        "topics": [],
        "ssh_url_to_repo": null,
        "http_url_to_repo": p.repository_url,
        "web_url": format!("{base}/{}", p.path_with_namespace),
        "readme_url": null,
        "forks_count": 0,
        "avatar_url": null,
        "star_count": 0,
        "namespace": namespace_summary(&item.namespace, base),
        "visibility": p.visibility.as_str(),
        "empty_repo": p.repository_url.is_none(),
        "archived": false,
        "jobs_enabled": true,
        "builds_access_level": "enabled",
        "shared_runners_enabled": p.shared_runners_enabled,
        "group_runners_enabled": p.group_runners_enabled,
        "creator_id": p.creator_id.map(|u| u.0),
        "import_status": "none",
        "repository_url": p.repository_url,
        "ci_config": p.ci_config,
    })
}

/// A single project: the list shape plus `owner` (personal namespaces), `permissions` and
/// `runners_token` for those who manage its runners.
pub fn project_details(details: &ProjectDetails, base: &str) -> Value {
    let item = ProjectListItem {
        project: details.project.clone(),
        namespace: details.namespace.clone(),
    };
    let mut value = project(&item, base);
    if let Value::Object(map) = &mut value {
        if let Some(owner) = &details.owner {
            map.insert("owner".into(), user_basic(owner, base));
        }
        map.insert(
            "permissions".into(),
            json!({
                "project_access": access(details.project_access),
                "group_access": access(details.group_access),
            }),
        );
        if let Some(token) = &details.runners_token {
            map.insert(
                "runners_token".into(),
                Value::String(token.expose().to_owned()),
            );
        }
    }
    value
}

pub fn member(member: &MemberWithUser, base: &str) -> Value {
    let mut value = user_basic(&member.user, base);
    if let Value::Object(map) = &mut value {
        map.insert("access_level".into(), json!(member.membership.role.level()));
        map.insert(
            "created_at".into(),
            json!(time(member.membership.created_at)),
        );
        map.insert("expires_at".into(), opt_date(member.membership.expires_at));
        map.insert("membership_state".into(), json!("active"));
    }
    value
}

fn branch_access(level: BranchAccessLevel) -> Value {
    json!([{
        "id": null,
        "access_level": level.level(),
        "access_level_description": level.description(),
        "deploy_key_id": null,
        "user_id": null,
        "group_id": null,
    }])
}

pub fn protected_branch(branch: &ProtectedBranch) -> Value {
    json!({
        "id": branch.id.0,
        "name": branch.name,
        "push_access_levels": branch_access(branch.push_access_level),
        "merge_access_levels": branch_access(branch.merge_access_level),
        "unprotect_access_levels": [],
        "allow_force_push": branch.allow_force_push,
        "code_owner_approval_required": false,
    })
}

/// `{"token": ..., "token_expires_at": null}` of a registration-token reset.
pub fn reset_token(token: &PlainToken) -> Value {
    json!({ "token": token.expose(), "token_expires_at": null })
}

/// `Runner`: a runner in lists.
pub fn runner(view: &paddock_ports::inbound::RunnerView) -> Value {
    let r = &view.runner;
    json!({
        "id": r.id.0,
        "description": r.settings.description,
        "ip_address": view.ip_address,
        "active": r.settings.active,
        "paused": !r.settings.active,
        "is_shared": r.runner_type.is_shared(),
        "runner_type": r.runner_type.as_str(),
        "name": r.name,
        "online": view.online,
        "status": view.status.as_str(),
    })
}

/// `RunnerDetails`: one runner.
pub fn runner_details(details: &paddock_ports::inbound::RunnerDetails, base: &str) -> Value {
    let mut value = runner(&details.view);
    let r = &details.view.runner;
    let manager = details.latest_manager.as_ref().map(|m| &m.info);
    let field = |f: fn(&paddock_domain::runner::RunnerInfo) -> &Option<String>| {
        manager.and_then(|i| f(i).clone())
    };
    if let Value::Object(map) = &mut value {
        map.insert("tag_list".into(), json!(r.settings.tags.as_slice()));
        map.insert("run_untagged".into(), json!(r.settings.run_untagged));
        map.insert("locked".into(), json!(r.settings.locked));
        map.insert("maximum_timeout".into(), json!(r.settings.maximum_timeout));
        map.insert(
            "access_level".into(),
            json!(r.settings.access_level.as_str()),
        );
        map.insert("version".into(), json!(field(|i| &i.version)));
        map.insert("revision".into(), json!(field(|i| &i.revision)));
        map.insert("platform".into(), json!(field(|i| &i.platform)));
        map.insert("architecture".into(), json!(field(|i| &i.architecture)));
        map.insert("contacted_at".into(), opt_time(details.view.contacted_at));
        map.insert(
            "maintenance_note".into(),
            if details.may_update {
                json!(r.settings.maintenance_note)
            } else {
                Value::Null
            },
        );
        if let Some(projects) = &details.projects {
            let projects: Vec<Value> = projects
                .iter()
                .map(|p| {
                    json!({
                        "id": p.id.0,
                        "description": p.description,
                        "name": p.name,
                        "name_with_namespace": p.name_with_namespace,
                        "path": p.path,
                        "path_with_namespace": p.path_with_namespace,
                        "created_at": time(p.created_at),
                    })
                })
                .collect();
            map.insert("projects".into(), Value::Array(projects));
        }
        let groups: Vec<Value> = details
            .groups
            .iter()
            .map(|g| json!({ "id": g.id.0, "web_url": format!("{base}/groups/{}", g.full_path), "name": g.name }))
            .collect();
        map.insert("groups".into(), Value::Array(groups));
    }
    value
}

/// `RunnerManager`.
pub fn runner_manager(view: &paddock_ports::inbound::RunnerManagerView) -> Value {
    let m = &view.manager;
    json!({
        "id": m.id,
        "system_id": m.system_id,
        "version": m.info.version,
        "revision": m.info.revision,
        "platform": m.info.platform,
        "architecture": m.info.architecture,
        "executor": m.info.executor,
        "ip_address": m.ip_address,
        "created_at": time(m.created_at),
        "contacted_at": opt_time(m.contacted_at),
        "online": view.online,
        "status": view.status.as_str(),
    })
}

/// `{id, token, token_expires_at}` of a new or verified runner.
pub fn runner_registration(issued: &paddock_ports::inbound::IssuedToken) -> Value {
    json!({
        "id": issued.runner.0,
        "token": issued.token.expose(),
        "token_expires_at": opt_time(issued.expires_at),
    })
}

/// `{token, token_expires_at}` of a runner token reset.
pub fn runner_token(issued: &paddock_ports::inbound::IssuedToken) -> Value {
    json!({ "token": issued.token.expose(), "token_expires_at": opt_time(issued.expires_at) })
}
