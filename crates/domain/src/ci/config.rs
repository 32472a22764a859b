//! The top level: stages, global variables, defaults, and which keys are jobs.

use serde_yaml::{Mapping, Value};

use super::entry::{self, VariableData};
use super::job::{self, Defaults};
use super::load::strip_tags;
use super::value::{Errors, check_keys, field, key_text, nested_strings};
use super::{CiConfig, graph};

/// The first stage of every pipeline.
const PRE_STAGE: &str = ".pre";
/// The last stage of every pipeline.
const POST_STAGE: &str = ".post";
/// The stages of a configuration that names none.
const DEFAULT_STAGES: [&str; 3] = ["build", "test", "deploy"];

/// Top-level keys that are not jobs.
const KEYWORDS: [&str; 8] = [
    "stages",
    "variables",
    "default",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
];
/// GitLab's top-level keywords that Paddock does not implement (they cannot be job names).
const UNSUPPORTED_KEYWORDS: [&str; 3] = ["include", "workflow", "spec"];
/// The keys of `default:`.
const DEFAULT_KEYS: [&str; 7] = [
    "image",
    "services",
    "before_script",
    "after_script",
    "tags",
    "timeout",
    "cache",
];

/// Reads the whole configuration; what is wrong goes to `errors`, and the result is only
/// meaningful when there is nothing there.
pub(super) fn interpret(mut root: Mapping, errors: &mut Errors) -> CiConfig {
    for (key, value) in root.iter_mut() {
        let name = key_text(key);
        match kind(&name) {
            Kind::Keyword => strip_tags(value, &name, errors),
            Kind::Job => strip_tags(value, &format!("jobs:{name}"), errors),
            Kind::Hidden | Kind::Unsupported => {}
        }
    }

    let stages = stages(field(&root, "stages"), errors);
    let variables = field(&root, "variables")
        .map(|v| entry::variables(v, VariableData::Global, "variables", errors))
        .unwrap_or_default();
    let defaults = defaults(&root, errors);

    let mut names = Vec::new();
    let mut drafts = Vec::new();
    for (key, value) in &root {
        let name = key_text(key);
        match kind(&name) {
            Kind::Keyword | Kind::Hidden => {}
            Kind::Unsupported => {
                errors.add(format!("{name} config is not supported by Paddock"));
            }
            Kind::Job => {
                drafts.extend(job::parse(&name, value, &defaults, errors));
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        errors.add("jobs config should contain at least one visible job".to_owned());
    }

    graph::check(stages.as_deref(), &names, &mut drafts, errors);
    CiConfig {
        stages: stages.unwrap_or_else(|| wrap_stages(DEFAULT_STAGES.map(String::from).to_vec())),
        variables,
        jobs: drafts.into_iter().map(|d| d.definition).collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Keyword,
    Unsupported,
    /// A template for anchors and merge keys: ignored.
    Hidden,
    Job,
}

fn kind(name: &str) -> Kind {
    if KEYWORDS.contains(&name) {
        Kind::Keyword
    } else if UNSUPPORTED_KEYWORDS.contains(&name) {
        Kind::Unsupported
    } else if name.starts_with('.') {
        Kind::Hidden
    } else {
        Kind::Job
    }
}

/// `stages`, with `.pre` and `.post` at the edges; `None` when invalid (reported).
fn stages(value: Option<&Value>, errors: &mut Errors) -> Option<Vec<String>> {
    let Some(value) = value else {
        return Some(wrap_stages(DEFAULT_STAGES.map(String::from).to_vec()));
    };
    match nested_strings(value) {
        Some(stages) => Some(wrap_stages(stages)),
        None => {
            errors.add(
                "stages config should be an array of strings or a nested array of strings up to \
                 10 levels deep"
                    .to_owned(),
            );
            None
        }
    }
}

/// `.pre` first, `.post` last, each stage once (where first written).
fn wrap_stages(stages: Vec<String>) -> Vec<String> {
    let mut wrapped = vec![PRE_STAGE.to_owned()];
    for stage in stages {
        if stage != PRE_STAGE && stage != POST_STAGE && !wrapped.contains(&stage) {
            wrapped.push(stage);
        }
    }
    wrapped.push(POST_STAGE.to_owned());
    wrapped
}

/// What jobs inherit. A key in `default:` wins over the same legacy top-level key.
fn defaults(root: &Mapping, errors: &mut Errors) -> Defaults {
    let default = match field(root, "default") {
        None => None,
        Some(Value::Mapping(map)) => {
            check_keys(map, &DEFAULT_KEYS, "default", errors);
            Some(map)
        }
        Some(_) => {
            errors.add("default config should be a hash".to_owned());
            None
        }
    };
    let in_default = |key: &str| default.and_then(|m| field(m, key));
    Defaults {
        image: inherited(root, default, "image", errors, entry::image),
        services: inherited(root, default, "services", errors, entry::services),
        before_script: inherited(root, default, "before_script", errors, entry::script),
        after_script: inherited(root, default, "after_script", errors, entry::script),
        cache: inherited(root, default, "cache", errors, entry::caches),
        tags: in_default("tags").and_then(|v| entry::tags(v, "default:tags", errors)),
        timeout: in_default("timeout").and_then(|v| entry::timeout(v, "default:timeout", errors)),
    }
}

/// A key both `default:` and the top level may set: both are checked, `default:` wins.
fn inherited<T>(
    root: &Mapping,
    default: Option<&Mapping>,
    key: &str,
    errors: &mut Errors,
    read: fn(&Value, &str, &mut Errors) -> Option<T>,
) -> Option<T> {
    let legacy = field(root, key).and_then(|v| read(v, key, errors));
    let default = default
        .and_then(|m| field(m, key))
        .and_then(|v| read(v, &format!("default:{key}"), errors));
    default.or(legacy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_wrapped_by_pre_and_post() {
        let table: [(&[&str], &[&str]); 5] = [
            (&["build"], &[".pre", "build", ".post"]),
            (&[], &[".pre", ".post"]),
            (&[".post", "a", ".pre", "b"], &[".pre", "a", "b", ".post"]),
            (&["a", "b", "a"], &[".pre", "a", "b", ".post"]),
            (
                &["build", "test", "deploy"],
                &[".pre", "build", "test", "deploy", ".post"],
            ),
        ];
        for (input, want) in table {
            let input = input.iter().map(|s| s.to_string()).collect();
            assert_eq!(wrap_stages(input), want, "{want:?}");
        }
    }

    #[test]
    fn top_level_keys_by_kind() {
        let table = [
            ("stages", Kind::Keyword),
            ("default", Kind::Keyword),
            ("before_script", Kind::Keyword),
            ("include", Kind::Unsupported),
            ("workflow", Kind::Unsupported),
            ("spec", Kind::Unsupported),
            (".template", Kind::Hidden),
            ("pages", Kind::Job),
            ("build", Kind::Job),
            ("types", Kind::Job),
        ];
        for (name, want) in table {
            assert_eq!(kind(name), want, "{name}");
        }
    }
}
