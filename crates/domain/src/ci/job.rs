//! One job: its keys checked, its defaults applied.

use serde_yaml::Value;

use super::entry::{self, VariableData};
use super::value::{Errors, check_keys, commands, field, strings};
use super::{AllowFailure, Cache, Image, JobDefinition, When};

/// The keys a job may have.
const JOB_KEYS: [&str; 15] = [
    "stage",
    "script",
    "before_script",
    "after_script",
    "image",
    "services",
    "variables",
    "tags",
    "artifacts",
    "cache",
    "dependencies",
    "needs",
    "timeout",
    "allow_failure",
    "when",
];

/// GitLab's longest job name.
const MAX_NAME_LENGTH: usize = 255;
/// The stage of a job that names none.
const DEFAULT_STAGE: &str = "test";

/// What jobs inherit: `default:` or, for compatibility, the top-level keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Defaults {
    pub image: Option<Image>,
    pub services: Option<Vec<Image>>,
    pub before_script: Option<Vec<String>>,
    pub after_script: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub timeout: Option<u64>,
    pub cache: Option<Vec<Cache>>,
}

/// A job as read, valid or not: the logical checks need every job's name and stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Draft {
    pub definition: JobDefinition,
    /// `None` when `stage` is not a string (already reported).
    pub stage: Option<String>,
}

/// Reads the job `name`; `None` when it is not a job at all (not a mapping).
pub(super) fn parse(
    name: &str,
    value: &Value,
    defaults: &Defaults,
    errors: &mut Errors,
) -> Option<Draft> {
    let location = format!("jobs:{name}");
    if name.chars().count() > MAX_NAME_LENGTH {
        errors.add(format!(
            "{location} name is too long (maximum is {MAX_NAME_LENGTH} characters)"
        ));
    }
    let Some(map) = value.as_mapping() else {
        errors.add(missing_script(name));
        return None;
    };
    check_keys(map, &JOB_KEYS, &location, errors);
    let at = |key: &str| format!("{location}:{key}");

    let script = match map.get("script") {
        None => {
            errors.add(missing_script(name));
            Vec::new()
        }
        Some(value) => match commands(value) {
            Some(lines) if !lines.is_empty() && value.as_str() != Some("") => lines,
            Some(_) => {
                errors.add(format!("{location} script can't be blank"));
                Vec::new()
            }
            None if value.is_null() => {
                errors.add(format!("{location} script can't be blank"));
                Vec::new()
            }
            None => {
                entry::script(value, &at("script"), errors);
                Vec::new()
            }
        },
    };
    let stage = match field(map, "stage") {
        None => Some(DEFAULT_STAGE.to_owned()),
        Some(Value::String(stage)) => Some(stage.clone()),
        Some(_) => {
            errors.add(format!("{} config should be a string", at("stage")));
            None
        }
    };
    let before_script = match field(map, "before_script") {
        Some(v) => entry::script(v, &at("before_script"), errors).unwrap_or_default(),
        None => defaults.before_script.clone().unwrap_or_default(),
    };
    let after_script = match field(map, "after_script") {
        Some(v) => entry::script(v, &at("after_script"), errors).unwrap_or_default(),
        None => defaults.after_script.clone().unwrap_or_default(),
    };
    let image = match field(map, "image") {
        Some(v) => entry::image(v, &at("image"), errors),
        None => defaults.image.clone(),
    };
    let services = match field(map, "services") {
        Some(v) => entry::services(v, &at("services"), errors).unwrap_or_default(),
        None => defaults.services.clone().unwrap_or_default(),
    };
    let variables = field(map, "variables")
        .map(|v| entry::variables(v, VariableData::Job, &at("variables"), errors))
        .unwrap_or_default();
    let tags = match field(map, "tags") {
        Some(v) => entry::tags(v, &at("tags"), errors).unwrap_or_default(),
        None => defaults.tags.clone().unwrap_or_default(),
    };
    let artifacts =
        field(map, "artifacts").and_then(|v| entry::artifacts(v, &at("artifacts"), errors));
    let cache = match field(map, "cache") {
        Some(v) => entry::caches(v, &at("cache"), errors).unwrap_or_default(),
        None => defaults.cache.clone().unwrap_or_default(),
    };
    let dependencies = field(map, "dependencies").and_then(|v| {
        let names = strings(v);
        if names.is_none() {
            errors.add(format!(
                "{location} dependencies should be an array of strings"
            ));
        }
        names
    });
    let needs = field(map, "needs").and_then(|v| entry::needs(v, &at("needs"), errors));
    let timeout = match field(map, "timeout") {
        Some(v) => entry::timeout(v, &at("timeout"), errors),
        None => defaults.timeout,
    };
    let when = field(map, "when")
        .map(|v| entry::when(v, &location, errors).unwrap_or_default())
        .unwrap_or_default();
    let allow_failure = match field(map, "allow_failure") {
        Some(v) => entry::allow_failure(v, &at("allow_failure"), errors).unwrap_or_default(),
        // A manual job does not block the pipeline unless it says so.
        None if when == When::Manual => AllowFailure::Yes,
        None => AllowFailure::No,
    };

    if let (Some(dependencies), Some(needs)) = (&dependencies, &needs) {
        let missing: Vec<&str> = dependencies
            .iter()
            .filter(|d| !needs.iter().any(|n| &n.job == *d))
            .map(String::as_str)
            .collect();
        if !needs.is_empty() && !missing.is_empty() {
            errors.add(format!(
                "{location} dependencies the {} should be part of needs",
                missing.join(", ")
            ));
        }
    }

    Some(Draft {
        definition: JobDefinition {
            name: name.to_owned(),
            stage: stage.clone().unwrap_or_default(),
            stage_index: 0,
            script,
            before_script,
            after_script,
            image,
            services,
            variables,
            tags,
            artifacts,
            cache,
            dependencies,
            needs,
            timeout,
            allow_failure,
            when,
        },
        stage,
    })
}

/// GitLab's message for a job without `script` (GitLab also names `run:` and `trigger:`,
/// which Paddock does not run).
fn missing_script(name: &str) -> String {
    format!("jobs {name} config should implement the script: keyword")
}
