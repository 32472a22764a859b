//! A project's CI configuration: the `.gitlab-ci.yml` subset that Paddock runs (DESIGN §5),
//! parsed into job definitions and checked with GitLab's lint rules and messages.
//!
//! [`parse`] gives the pipeline's stages, global variables and visible jobs, with defaults
//! (`default:` and the legacy top-level keys) already applied to each job; [`lint`] gives what
//! `POST /projects/:id/ci/lint` answers. Both report every error found, not just the first.

mod config;
mod duration;
mod entry;
mod graph;
mod job;
mod load;
mod value;

use serde::{Deserialize, Serialize};

pub use duration::parse_duration;

/// A valid CI configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiConfig {
    /// The pipeline's stages in order, `.pre` first and `.post` last.
    pub stages: Vec<String>,
    /// The global `variables`, in the order written.
    pub variables: Vec<Variable>,
    /// The visible jobs (hidden `.name` templates left out), in the order written.
    pub jobs: Vec<JobDefinition>,
}

/// A CI variable from the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    pub key: String,
    /// The value as text: numbers and booleans as YAML writes them.
    pub value: String,
}

/// One job, with its defaults applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDefinition {
    pub name: String,
    pub stage: String,
    /// The index of `stage` in [`CiConfig::stages`].
    pub stage_index: usize,
    pub script: Vec<String>,
    /// The job's own, else `default:before_script`, else the top-level `before_script`.
    pub before_script: Vec<String>,
    /// The job's own, else `default:after_script`, else the top-level `after_script`.
    pub after_script: Vec<String>,
    pub image: Option<Image>,
    pub services: Vec<Image>,
    /// The job's own variables only; the global ones stay in [`CiConfig::variables`].
    pub variables: Vec<Variable>,
    pub tags: Vec<String>,
    pub artifacts: Option<Artifacts>,
    pub cache: Vec<Cache>,
    /// `None`: the artifacts of every job of earlier stages.
    pub dependencies: Option<Vec<String>>,
    /// `None`: the job waits for the earlier stages; `Some` (even empty): only for these jobs.
    pub needs: Option<Vec<Need>>,
    /// Seconds.
    pub timeout: Option<u64>,
    /// Unset, a manual job may fail ([`AllowFailure::Yes`]), any other job may not.
    pub allow_failure: AllowFailure,
    pub when: When,
}

/// A Docker image or service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub name: String,
    /// Services only.
    pub alias: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    /// Services only.
    pub command: Option<Vec<String>>,
}

/// What a job uploads when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifacts {
    pub name: Option<String>,
    pub paths: Vec<String>,
    pub exclude: Vec<String>,
    pub untracked: bool,
    pub when: ArtifactsWhen,
    /// As written: a duration that [`parse_duration`] accepts, or `never`.
    pub expire_in: Option<String>,
}

/// When a job uploads its artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactsWhen {
    #[default]
    OnSuccess,
    OnFailure,
    Always,
}

impl ArtifactsWhen {
    pub const ALL: [ArtifactsWhen; 3] = [
        ArtifactsWhen::OnSuccess,
        ArtifactsWhen::OnFailure,
        ArtifactsWhen::Always,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactsWhen::OnSuccess => "on_success",
            ArtifactsWhen::OnFailure => "on_failure",
            ArtifactsWhen::Always => "always",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ArtifactsWhen::ALL.into_iter().find(|w| w.as_str() == text)
    }
}

/// A cache definition, passed through to the runner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    /// `None`: GitLab's `default` key. `key: {files: [a, b]}` gives `"a,b"`.
    pub key: Option<String>,
    pub paths: Vec<String>,
    pub untracked: bool,
    /// `pull-push` (the default), `pull`, `push`, or a `$VARIABLE`.
    pub policy: String,
    /// `on_success` (the default), `on_failure` or `always`.
    pub when: String,
    pub fallback_keys: Vec<String>,
}

/// A job that must finish before this one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub job: String,
    /// Whether this job downloads the needed job's artifacts (default true).
    pub artifacts: bool,
}

/// Whether a failure of the job fails the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowFailure {
    #[default]
    No,
    Yes,
    /// Allowed to fail with one of these exit codes only.
    ExitCodes(Vec<i64>),
}

impl AllowFailure {
    /// Whether a failure with `exit_code` (unknown: `None`) is allowed.
    pub fn allows(&self, exit_code: Option<i64>) -> bool {
        match self {
            AllowFailure::No => false,
            AllowFailure::Yes => true,
            AllowFailure::ExitCodes(codes) => exit_code.is_some_and(|c| codes.contains(&c)),
        }
    }
}

/// When a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// When every job of the earlier stages (or every need) succeeded.
    #[default]
    OnSuccess,
    /// When a job of the earlier stages failed.
    OnFailure,
    Always,
    /// When a user plays it.
    Manual,
}

impl When {
    pub const ALL: [When; 4] = [When::OnSuccess, When::OnFailure, When::Always, When::Manual];

    pub fn as_str(self) -> &'static str {
        match self {
            When::OnSuccess => "on_success",
            When::OnFailure => "on_failure",
            When::Always => "always",
            When::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        When::ALL.into_iter().find(|w| w.as_str() == text)
    }
}

/// What the CI lint answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint {
    pub valid: bool,
    pub errors: Vec<String>,
    /// GitLab's warnings concern keywords outside Paddock's subset (`rules`), so this is empty.
    pub warnings: Vec<String>,
}

/// Parses and validates a CI configuration.
///
/// # Errors
///
/// Every lint error found, in GitLab's words: a YAML error or a document that is not a mapping
/// stops at once; otherwise the structure of every entry is checked, then the stages, needs
/// and dependencies of every job.
pub fn parse(text: &str) -> Result<CiConfig, Vec<String>> {
    let root = load::load(text).map_err(|e| vec![e])?;
    let mut errors = value::Errors::default();
    let config = config::interpret(root, &mut errors);
    let errors = errors.into_vec();
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// Lints a CI configuration.
pub fn lint(text: &str) -> Lint {
    let errors = parse(text).err().unwrap_or_default();
    Lint {
        valid: errors.is_empty(),
        errors,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
