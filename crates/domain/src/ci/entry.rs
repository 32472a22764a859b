//! The entries a job (or `default:`) is made of, each checked on its own. Every function takes
//! the entry's location (`jobs:build:artifacts`) for its messages, adds what is wrong to
//! `errors`, and returns what could be read.

use serde_yaml::{Mapping, Value};

use super::value::{Errors, check_keys, commands, field, key_text, scalar_text, strings};
use super::{
    AllowFailure, Artifacts, ArtifactsWhen, Cache, Image, Need, Variable, When, parse_duration,
};

/// GitLab's longest job timeout: one month (`Project::MAX_BUILD_TIMEOUT`).
const MAX_TIMEOUT: u64 = 2_629_746;
/// GitLab's limit of caches per job.
const MAX_CACHES: usize = 4;
/// GitLab's limit of `cache:fallback_keys`.
const MAX_FALLBACK_KEYS: usize = 5;
/// GitLab's limit of `cache:key:files`.
const MAX_KEY_FILES: usize = 2;

const IMAGE_KEYS: [&str; 2] = ["name", "entrypoint"];
const SERVICE_KEYS: [&str; 4] = ["name", "entrypoint", "alias", "command"];
const ARTIFACTS_KEYS: [&str; 6] = ["name", "paths", "exclude", "untracked", "when", "expire_in"];
const CACHE_KEYS: [&str; 6] = [
    "key",
    "paths",
    "policy",
    "untracked",
    "when",
    "fallback_keys",
];
const CACHE_POLICIES: [&str; 3] = ["pull-push", "pull", "push"];
const CACHE_WHEN: [&str; 3] = ["on_success", "on_failure", "always"];
const NEED_KEYS: [&str; 2] = ["job", "artifacts"];

/// Which data keys a variable given as a mapping may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VariableData {
    /// Global variables: `value` and `description`.
    Global,
    /// Job variables: `value` only.
    Job,
}

/// `before_script`, `after_script` (and `script`, which has its own blank rule).
pub(super) fn script(value: &Value, location: &str, errors: &mut Errors) -> Option<Vec<String>> {
    let lines = commands(value);
    if lines.is_none() {
        errors.add(format!(
            "{location} config should be a string or a nested array of strings up to 10 levels deep"
        ));
    }
    lines
}

/// `image`: a name, or `{name, entrypoint}`.
pub(super) fn image(value: &Value, location: &str, errors: &mut Errors) -> Option<Image> {
    imageable(value, &IMAGE_KEYS, location, errors)
}

/// `services`: a list of names or `{name, alias, entrypoint, command}`.
pub(super) fn services(value: &Value, location: &str, errors: &mut Errors) -> Option<Vec<Image>> {
    let Some(items) = value.as_sequence() else {
        errors.add(format!("{location} config should be an array"));
        return None;
    };
    let location = format!("{location}:service");
    let services: Vec<Option<Image>> = items
        .iter()
        .map(|item| imageable(item, &SERVICE_KEYS, &location, errors))
        .collect();
    services.into_iter().collect()
}

fn imageable(
    value: &Value,
    allowed: &[&str],
    location: &str,
    errors: &mut Errors,
) -> Option<Image> {
    let map = match value {
        Value::String(name) if name.is_empty() => {
            errors.add(format!("{location} name can't be blank"));
            return None;
        }
        Value::String(name) => {
            return Some(Image {
                name: name.clone(),
                alias: None,
                entrypoint: None,
                command: None,
            });
        }
        Value::Mapping(map) => map,
        _ => {
            errors.add(format!("{location} config should be a hash or a string"));
            return None;
        }
    };
    let before = errors.len();
    check_keys(map, allowed, location, errors);
    let name = match field(map, "name") {
        Some(Value::String(name)) if !name.is_empty() => Some(name.clone()),
        None | Some(Value::String(_)) => {
            errors.add(format!("{location} name can't be blank"));
            None
        }
        Some(_) => {
            errors.add(format!("{location} name should be a string"));
            None
        }
    };
    let alias = optional_string(map, "alias", location, errors);
    let entrypoint = optional_strings(map, "entrypoint", location, errors);
    let command = optional_strings(map, "command", location, errors);
    (errors.len() == before).then_some(Image {
        name: name?,
        alias,
        entrypoint,
        command,
    })
}

/// `variables`: a mapping of names to scalars or `{value, description}`.
pub(super) fn variables(
    value: &Value,
    data: VariableData,
    location: &str,
    errors: &mut Errors,
) -> Vec<Variable> {
    let Some(map) = value.as_mapping() else {
        errors.add(format!(
            "{location} config should be a hash of key value pairs"
        ));
        return Vec::new();
    };
    let mut variables = Vec::new();
    for (key, value) in map {
        let Some(key) = key
            .as_str()
            .map(str::to_owned)
            .or_else(|| key.as_i64().map(|n| n.to_string()))
        else {
            errors.add(format!(
                "{location} config should be a hash of key value pairs"
            ));
            continue;
        };
        let here = format!("{location}:{key}");
        let value = match value {
            Value::Mapping(m) => complex_variable(m, data, &here, errors),
            other => scalar_text(other).or_else(|| {
                errors.add(format!("{here} config must be either a string or a hash"));
                None
            }),
        };
        if let Some(value) = value {
            variables.push(Variable { key, value });
        }
    }
    variables
}

fn complex_variable(
    map: &Mapping,
    data: VariableData,
    location: &str,
    errors: &mut Errors,
) -> Option<String> {
    let allowed: &[&str] = match data {
        VariableData::Global => &["value", "description"],
        VariableData::Job => &["value"],
    };
    let mut extra: Vec<String> = map
        .keys()
        .filter(|k| !k.as_str().is_some_and(|k| allowed.contains(&k)))
        .map(key_text)
        .collect();
    let mut valid = true;
    if !extra.is_empty() {
        extra.sort();
        errors.add(format!(
            "{location} config uses invalid data keys: {}",
            extra.join(", ")
        ));
        valid = false;
    }
    if let Some(description) = field(map, "description")
        && !(description.is_string() || description.is_i64() || description.is_u64())
    {
        errors.add(format!(
            "{location} config description must be an alphanumeric string"
        ));
        valid = false;
    }
    let value = match field(map, "value") {
        None => Some(String::new()),
        Some(v) => scalar_text(v).or_else(|| {
            errors.add(format!("{location} config value must be a scalar"));
            None
        }),
    };
    value.filter(|_| valid)
}

/// `artifacts`.
pub(super) fn artifacts(value: &Value, location: &str, errors: &mut Errors) -> Option<Artifacts> {
    let Some(map) = value.as_mapping() else {
        errors.add(format!("{location} config should be a hash"));
        return None;
    };
    let before = errors.len();
    check_keys(map, &ARTIFACTS_KEYS, location, errors);
    let name = optional_string(map, "name", location, errors);
    let paths = optional_strings(map, "paths", location, errors).unwrap_or_default();
    let exclude = optional_strings(map, "exclude", location, errors).unwrap_or_default();
    let untracked = optional_bool(map, "untracked", location, errors).unwrap_or(false);
    let when = match field(map, "when") {
        None => ArtifactsWhen::OnSuccess,
        Some(v) => v
            .as_str()
            .and_then(ArtifactsWhen::parse)
            .unwrap_or_else(|| {
                errors.add(format!(
                    "{location} when should be one of: on_success, on_failure, always"
                ));
                ArtifactsWhen::OnSuccess
            }),
    };
    let expire_in = field(map, "expire_in").and_then(|v| {
        let text = scalar_text(v)
            .filter(|t| t.eq_ignore_ascii_case("never") || parse_duration(t).is_some());
        if text.is_none() {
            errors.add(format!("{location} expire_in should be a duration"));
        }
        text
    });
    (errors.len() == before).then_some(Artifacts {
        name,
        paths,
        exclude,
        untracked,
        when,
        expire_in,
    })
}

/// `cache`: one mapping or a list of them.
pub(super) fn caches(value: &Value, location: &str, errors: &mut Errors) -> Option<Vec<Cache>> {
    let items: Vec<&Value> = match value {
        Value::Mapping(_) => vec![value],
        Value::Sequence(items) => items.iter().collect(),
        _ => {
            errors.add(format!(
                "{location} config should be a hash or an array of hashes"
            ));
            return None;
        }
    };
    if items.len() > MAX_CACHES {
        errors.add(format!(
            "{location} config no more than {MAX_CACHES} caches can be created"
        ));
        return None;
    }
    let caches: Vec<Option<Cache>> = items
        .into_iter()
        .map(|item| cache(item, location, errors))
        .collect();
    caches.into_iter().collect()
}

fn cache(value: &Value, location: &str, errors: &mut Errors) -> Option<Cache> {
    let Some(map) = value.as_mapping() else {
        errors.add(format!(
            "{location} config should be a hash or an array of hashes"
        ));
        return None;
    };
    let before = errors.len();
    check_keys(map, &CACHE_KEYS, location, errors);
    let key = field(map, "key").and_then(|k| cache_key(k, &format!("{location}:key"), errors));
    let paths = match field(map, "paths") {
        None => Vec::new(),
        Some(v) => strings(v).unwrap_or_else(|| {
            errors.add(format!(
                "{location}:paths config should be an array of strings"
            ));
            Vec::new()
        }),
    };
    let untracked = match field(map, "untracked") {
        None => false,
        Some(v) => v.as_bool().unwrap_or_else(|| {
            errors.add(format!(
                "{location}:untracked config should be a boolean value"
            ));
            false
        }),
    };
    let policy = match field(map, "policy") {
        None => "pull-push".to_owned(),
        Some(v) => match v.as_str() {
            Some(p) if CACHE_POLICIES.contains(&p) || is_variable(p) => p.to_owned(),
            _ => {
                errors.add(format!(
                    "{location} policy should be a variable or one of: pull-push, push, pull"
                ));
                String::new()
            }
        },
    };
    let when = match field(map, "when") {
        None => "on_success".to_owned(),
        Some(v) => match v.as_str() {
            Some(w) if CACHE_WHEN.contains(&w) => w.to_owned(),
            _ => {
                errors.add(format!(
                    "{location} when should be one of: on_success, on_failure, always"
                ));
                String::new()
            }
        },
    };
    let fallback_keys = match field(map, "fallback_keys") {
        None => Vec::new(),
        Some(v) => match strings(v) {
            Some(keys) if keys.len() > MAX_FALLBACK_KEYS => {
                errors.add(format!(
                    "{location} fallback_keys has too many entries (maximum {MAX_FALLBACK_KEYS})"
                ));
                Vec::new()
            }
            Some(keys) => keys,
            None => {
                errors.add(format!(
                    "{location}:fallback_keys config should be an array of strings"
                ));
                Vec::new()
            }
        },
    };
    (errors.len() == before).then_some(Cache {
        key,
        paths,
        untracked,
        policy,
        when,
        fallback_keys,
    })
}

/// `$NAME` or `${NAME}`: a policy that the runner resolves.
fn is_variable(text: &str) -> bool {
    let name = text.strip_prefix('$').map(|n| {
        n.strip_prefix('{')
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(n)
    });
    name.is_some_and(|n| {
        !n.is_empty() && n.len() <= 255 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `cache:key`: a string, or `{files: [one or two paths]}` (kept as the paths joined by `,`).
fn cache_key(value: &Value, location: &str, errors: &mut Errors) -> Option<String> {
    match value {
        Value::String(key) => {
            let decoded = key.replace("%2F", "/").replace("%2f", "/");
            if decoded.contains('/') {
                errors.add(format!(
                    "{location} config cannot contain the \"/\" character"
                ));
                None
            } else if decoded == "." || decoded == ".." {
                errors.add(format!("{location} config cannot be \".\" or \"..\""));
                None
            } else {
                Some(key.clone())
            }
        }
        Value::Mapping(map) => {
            check_keys(map, &["files"], location, errors);
            let files_location = format!("{location}:files");
            match field(map, "files") {
                None => {
                    errors.add(format!("{location} config missing required keys: files"));
                    None
                }
                Some(files) => match strings(files) {
                    None => {
                        errors.add(format!(
                            "{files_location} config should be an array of strings"
                        ));
                        None
                    }
                    Some(files) if files.is_empty() => {
                        errors.add(format!("{files_location} config requires at least 1 item"));
                        None
                    }
                    Some(files) if files.len() > MAX_KEY_FILES => {
                        errors.add(format!(
                            "{files_location} config has too many items (maximum is {MAX_KEY_FILES})"
                        ));
                        None
                    }
                    Some(files) => Some(files.join(",")),
                },
            }
        }
        _ => {
            errors.add(format!("{location} config should be a hash or a string"));
            None
        }
    }
}

/// `needs`: a list of job names or `{job, artifacts}`.
pub(super) fn needs(value: &Value, location: &str, errors: &mut Errors) -> Option<Vec<Need>> {
    let items: Vec<&Value> = match value {
        Value::Sequence(items) => items.iter().collect(),
        Value::Mapping(_) => vec![value],
        _ => {
            errors.add(format!("{location} config can only be a hash or an array"));
            return None;
        }
    };
    let location = format!("{location}:need");
    let needs: Vec<Option<Need>> = items
        .into_iter()
        .map(|item| need(item, &location, errors))
        .collect();
    needs.into_iter().collect()
}

fn need(value: &Value, location: &str, errors: &mut Errors) -> Option<Need> {
    match value {
        Value::String(job) if job.is_empty() => {
            errors.add(format!("{location} config can't be blank"));
            None
        }
        Value::String(job) => Some(Need {
            job: job.clone(),
            artifacts: true,
        }),
        Value::Mapping(map) => {
            let before = errors.len();
            check_keys(map, &NEED_KEYS, location, errors);
            let job = match field(map, "job") {
                Some(Value::String(job)) if !job.is_empty() => Some(job.clone()),
                None | Some(Value::String(_)) => {
                    errors.add(format!("{location} job can't be blank"));
                    None
                }
                Some(_) => {
                    errors.add(format!("{location} job should be a string"));
                    None
                }
            };
            let artifacts = optional_bool(map, "artifacts", location, errors).unwrap_or(true);
            (errors.len() == before).then_some(Need {
                job: job?,
                artifacts,
            })
        }
        _ => {
            errors.add(format!("{location} has an unsupported type"));
            None
        }
    }
}

/// `allow_failure`: a boolean or `{exit_codes: code | [codes]}`.
pub(super) fn allow_failure(
    value: &Value,
    location: &str,
    errors: &mut Errors,
) -> Option<AllowFailure> {
    match value {
        Value::Bool(true) => Some(AllowFailure::Yes),
        Value::Bool(false) => Some(AllowFailure::No),
        Value::Mapping(map) => {
            check_keys(map, &["exit_codes"], location, errors);
            let codes = match field(map, "exit_codes") {
                None => Some(Vec::new()),
                Some(Value::Number(n)) => n.as_i64().map(|c| vec![c]),
                Some(Value::Sequence(items)) => items.iter().map(Value::as_i64).collect(),
                Some(_) => None,
            };
            match codes {
                None => {
                    errors.add(format!(
                        "{location} exit codes should be an array of integers or an integer"
                    ));
                    None
                }
                Some(codes) if codes.is_empty() => Some(AllowFailure::No),
                Some(codes) => Some(AllowFailure::ExitCodes(codes)),
            }
        }
        _ => {
            errors.add(format!(
                "{location} config should be a hash or a boolean value"
            ));
            None
        }
    }
}

/// `timeout`: a duration, at most [`MAX_TIMEOUT`]; a bare integer is seconds.
pub(super) fn timeout(value: &Value, location: &str, errors: &mut Errors) -> Option<u64> {
    let seconds = match value {
        Value::String(text) => parse_duration(text),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    match seconds {
        None => {
            errors.add(format!("{location} config should be a duration"));
            None
        }
        Some(s) if s > MAX_TIMEOUT => {
            errors.add(format!("{location} config should not exceed the limit"));
            None
        }
        Some(s) => Some(s),
    }
}

/// `when`.
pub(super) fn when(value: &Value, location: &str, errors: &mut Errors) -> Option<When> {
    let when = value.as_str().and_then(When::parse);
    if when.is_none() {
        errors.add(format!(
            "{location} when should be one of: on_success, on_failure, always, manual"
        ));
    }
    when
}

/// `tags`.
pub(super) fn tags(value: &Value, location: &str, errors: &mut Errors) -> Option<Vec<String>> {
    let tags = strings(value);
    if tags.is_none() {
        errors.add(format!("{location} config should be an array of strings"));
    }
    tags
}

fn optional_string(
    map: &Mapping,
    key: &str,
    location: &str,
    errors: &mut Errors,
) -> Option<String> {
    let value = field(map, key)?;
    let text = value.as_str().map(str::to_owned);
    if text.is_none() {
        errors.add(format!("{location} {key} should be a string"));
    }
    text
}

fn optional_strings(
    map: &Mapping,
    key: &str,
    location: &str,
    errors: &mut Errors,
) -> Option<Vec<String>> {
    let value = field(map, key)?;
    let list = strings(value);
    if list.is_none() {
        errors.add(format!("{location} {key} should be an array of strings"));
    }
    list
}

fn optional_bool(map: &Mapping, key: &str, location: &str, errors: &mut Errors) -> Option<bool> {
    let value = field(map, key)?;
    let flag = value.as_bool();
    if flag.is_none() {
        errors.add(format!("{location} {key} should be a boolean value"));
    }
    flag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_policies_may_be_variables() {
        let table = [
            ("$POLICY", true),
            ("${POLICY}", true),
            ("$CACHE_POLICY_1", true),
            ("$", false),
            ("${}", false),
            ("${POLICY", false),
            ("$POL-ICY", false),
            ("POLICY", false),
        ];
        for (text, want) in table {
            assert_eq!(is_variable(text), want, "{text}");
        }
    }
}
