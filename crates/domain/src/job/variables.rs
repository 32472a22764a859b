//! The variables a job runs with, in GitLab's order (a later definition of a key wins in the
//! runner): predefined variables, the configuration's variables (a job's definition holds the
//! global ones followed by its own), the project's CI/CD variables, then the pipeline's own.

use chrono::SecondsFormat;

use super::{Job, Pipeline};
use crate::ci;
use crate::project::Project;
use crate::runner::Runner;
use crate::user::User;
use crate::variable::{ProjectVariable, VariableType};

/// One variable as the runner receives it. `Debug` hides the value of a variable that is not
/// public.
#[derive(Clone, PartialEq, Eq)]
pub struct JobVariable {
    pub key: String,
    pub value: String,
    /// Predefined and configuration variables are public; secrets are not.
    pub public: bool,
    pub masked: bool,
    /// Exposed as a file whose path is the variable's value.
    pub file: bool,
    /// Not expanded by the runner.
    pub raw: bool,
}

impl std::fmt::Debug for JobVariable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobVariable")
            .field("key", &self.key)
            .field(
                "value",
                &if self.public {
                    self.value.as_str()
                } else {
                    "[REDACTED]"
                },
            )
            .field("public", &self.public)
            .field("masked", &self.masked)
            .field("file", &self.file)
            .field("raw", &self.raw)
            .finish()
    }
}

impl JobVariable {
    fn public(key: &str, value: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            value: value.into(),
            public: true,
            masked: false,
            file: false,
            raw: false,
        }
    }
}

/// Everything the variables of one job are made of.
#[derive(Debug, Clone, Copy)]
pub struct JobContext<'a> {
    /// The external URL, without a trailing slash.
    pub server_url: &'a str,
    pub server_version: &'a str,
    pub project: &'a Project,
    pub pipeline: &'a Pipeline,
    pub job: &'a Job,
    /// The job token, in plain text (the runner needs it).
    pub job_token: &'a str,
    pub runner: &'a Runner,
    /// Who created the pipeline.
    pub user: Option<&'a User>,
    /// The project's variables; protected ones are given only to protected refs.
    pub project_variables: &'a [ProjectVariable],
    /// The job's timeout in seconds.
    pub timeout: u64,
}

/// The job's variables.
pub fn job_variables(ctx: &JobContext<'_>) -> Vec<JobVariable> {
    let mut vars = predefined(ctx);
    vars.extend(
        ctx.job
            .definition
            .variables
            .iter()
            .map(|v| JobVariable::public(&v.key, v.value.clone())),
    );
    vars.extend(
        ctx.project_variables
            .iter()
            .filter(|v| !v.protected || ctx.job.protected)
            .map(|v| JobVariable {
                key: v.key.clone(),
                value: v.value.clone(),
                public: false,
                masked: v.masked,
                file: v.variable_type == VariableType::File,
                raw: v.raw,
            }),
    );
    vars.extend(ctx.pipeline.variables.iter().map(|v| JobVariable {
        key: v.key.clone(),
        value: v.value.clone(),
        public: false,
        masked: false,
        file: v.variable_type == VariableType::File,
        raw: false,
    }));
    vars
}

/// The values of masked variables a job's log must not show (the job token among them).
pub fn secrets(vars: &[JobVariable]) -> Vec<&[u8]> {
    vars.iter()
        .filter(|v| v.masked && !v.value.is_empty())
        .map(|v| v.value.as_bytes())
        .collect()
}

fn predefined(ctx: &JobContext<'_>) -> Vec<JobVariable> {
    let JobContext {
        project,
        pipeline,
        job,
        runner,
        ..
    } = *ctx;
    let server = ctx.server_url.trim_end_matches('/');
    let (protocol, host, port) = split_url(server);
    let project_url = format!("{server}/{}", project.path_with_namespace);
    let namespace = project
        .path_with_namespace
        .rsplit_once('/')
        .map_or("", |(ns, _)| ns);
    let root_namespace = namespace.split('/').next().unwrap_or("");
    let short_sha: String = pipeline.sha.chars().take(8).collect();
    let ref_slug = slug(&pipeline.ref_name);
    let mut vars = vec![
        JobVariable::public("CI", "true"),
        JobVariable::public("GITLAB_CI", "true"),
        JobVariable::public("CI_SERVER", "yes"),
        JobVariable::public("CI_SERVER_URL", server),
        JobVariable::public("CI_SERVER_HOST", host),
        JobVariable::public("CI_SERVER_PORT", port),
        JobVariable::public("CI_SERVER_PROTOCOL", protocol),
        JobVariable::public("CI_SERVER_NAME", "GitLab"),
        JobVariable::public("CI_SERVER_VERSION", ctx.server_version),
        JobVariable::public("CI_API_V4_URL", format!("{server}/api/v4")),
        JobVariable::public("CI_PROJECT_ID", project.id.to_string()),
        JobVariable::public("CI_PROJECT_NAME", project.path.clone()),
        JobVariable::public("CI_PROJECT_TITLE", project.name.clone()),
        JobVariable::public("CI_PROJECT_DESCRIPTION", project.description.clone()),
        JobVariable::public("CI_PROJECT_PATH", project.path_with_namespace.clone()),
        JobVariable::public("CI_PROJECT_PATH_SLUG", slug(&project.path_with_namespace)),
        JobVariable::public("CI_PROJECT_NAMESPACE", namespace),
        JobVariable::public("CI_PROJECT_ROOT_NAMESPACE", root_namespace),
        JobVariable::public("CI_PROJECT_URL", project_url.clone()),
        JobVariable::public("CI_PROJECT_VISIBILITY", project.visibility.as_str()),
        JobVariable::public("CI_DEFAULT_BRANCH", project.default_branch.clone()),
        JobVariable::public("CI_CONFIG_PATH", ".gitlab-ci.yml"),
        JobVariable::public("CI_PIPELINE_ID", pipeline.id.to_string()),
        JobVariable::public("CI_PIPELINE_IID", pipeline.iid.to_string()),
        JobVariable::public("CI_PIPELINE_SOURCE", pipeline.source.clone()),
        JobVariable::public(
            "CI_PIPELINE_URL",
            format!("{project_url}/-/pipelines/{}", pipeline.id),
        ),
        JobVariable::public(
            "CI_PIPELINE_CREATED_AT",
            pipeline
                .created_at
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
        JobVariable::public("CI_COMMIT_SHA", pipeline.sha.clone()),
        JobVariable::public("CI_COMMIT_SHORT_SHA", short_sha),
        JobVariable::public("CI_COMMIT_BEFORE_SHA", pipeline.before_sha.clone()),
        JobVariable::public("CI_COMMIT_REF_NAME", pipeline.ref_name.clone()),
        JobVariable::public("CI_COMMIT_REF_SLUG", ref_slug),
        JobVariable::public("CI_COMMIT_REF_PROTECTED", pipeline.protected.to_string()),
    ];
    if pipeline.tag {
        vars.push(JobVariable::public(
            "CI_COMMIT_TAG",
            pipeline.ref_name.clone(),
        ));
    } else {
        vars.push(JobVariable::public(
            "CI_COMMIT_BRANCH",
            pipeline.ref_name.clone(),
        ));
    }
    if let Some(commit) = &pipeline.commit {
        vars.push(JobVariable::public("CI_COMMIT_TITLE", commit.title.clone()));
        vars.push(JobVariable::public(
            "CI_COMMIT_MESSAGE",
            commit.message.clone(),
        ));
        vars.push(JobVariable::public(
            "CI_COMMIT_AUTHOR",
            format!("{} <{}>", commit.author_name, commit.author_email),
        ));
        vars.push(JobVariable::public(
            "CI_COMMIT_TIMESTAMP",
            commit
                .committed_date
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        ));
    }
    vars.extend([
        JobVariable::public("CI_JOB_ID", job.id.to_string()),
        JobVariable::public("CI_JOB_NAME", job.name.clone()),
        JobVariable::public("CI_JOB_NAME_SLUG", slug(&job.name)),
        JobVariable::public("CI_JOB_STAGE", job.stage.clone()),
        JobVariable::public("CI_JOB_URL", format!("{project_url}/-/jobs/{}", job.id)),
        JobVariable::public("CI_JOB_TIMEOUT", ctx.timeout.to_string()),
        JobVariable::public("CI_JOB_MANUAL", "true"),
        JobVariable {
            key: "CI_JOB_TOKEN".to_owned(),
            value: ctx.job_token.to_owned(),
            public: false,
            masked: true,
            file: false,
            raw: false,
        },
        JobVariable {
            key: "CI_BUILD_TOKEN".to_owned(),
            value: ctx.job_token.to_owned(),
            public: false,
            masked: true,
            file: false,
            raw: false,
        },
        JobVariable::public("CI_REGISTRY_USER", "gitlab-ci-token"),
        JobVariable::public("CI_NODE_TOTAL", "1"),
        JobVariable::public("CI_RUNNER_ID", runner.id.to_string()),
        JobVariable::public("CI_RUNNER_DESCRIPTION", runner.settings.description.clone()),
        JobVariable::public("CI_RUNNER_TAGS", runner_tags(runner)),
    ]);
    if job.when != ci::When::Manual {
        vars.retain(|v| v.key != "CI_JOB_MANUAL");
    }
    if let Some(user) = ctx.user {
        vars.extend([
            JobVariable::public("GITLAB_USER_ID", user.id.to_string()),
            JobVariable::public("GITLAB_USER_LOGIN", user.username.clone()),
            JobVariable::public("GITLAB_USER_NAME", user.name.clone()),
            JobVariable::public("GITLAB_USER_EMAIL", user.email.clone()),
        ]);
    }
    vars
}

/// GitLab's `CI_RUNNER_TAGS`: the tags as a JSON array of strings.
fn runner_tags(runner: &Runner) -> String {
    let quoted: Vec<String> = runner
        .settings
        .tags
        .as_slice()
        .iter()
        .map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// GitLab's slug: lower-cased, every character outside `a-z0-9` replaced by `-`, at most 63
/// characters, no `-` at either end.
pub fn slug(text: &str) -> String {
    let replaced: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(63)
        .collect();
    replaced.trim_matches('-').to_owned()
}

/// Protocol, host and port of an `http(s)://host[:port]/...` URL.
fn split_url(url: &str) -> (String, String, String) {
    let (protocol, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split('/').next().unwrap_or("");
    let default_port = if protocol == "https" { "443" } else { "80" };
    // A bracketed IPv6 host keeps its colons.
    let port_at = match authority.rfind(']') {
        Some(close) => authority[close..].find(':').map(|i| close + i),
        None => authority.rfind(':'),
    };
    let (host, port) = match port_at {
        Some(at)
            if authority[at + 1..].bytes().all(|b| b.is_ascii_digit())
                && at + 1 < authority.len() =>
        {
            (&authority[..at], &authority[at + 1..])
        }
        _ => (authority, default_port),
    };
    (protocol.to_owned(), host.to_owned(), port.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("feature/New_Thing"), "feature-new-thing");
        assert_eq!(slug("-main-"), "main");
        assert_eq!(slug(&"a".repeat(70)).len(), 63);
    }

    #[test]
    fn url_parts() {
        assert_eq!(
            split_url("http://127.0.0.1:8080"),
            ("http".into(), "127.0.0.1".into(), "8080".into())
        );
        assert_eq!(
            split_url("https://ci.example.com/gitlab"),
            ("https".into(), "ci.example.com".into(), "443".into())
        );
        assert_eq!(
            split_url("http://[::1]:9000"),
            ("http".into(), "[::1]".into(), "9000".into())
        );
    }
}
