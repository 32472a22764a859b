//! From text to a YAML mapping: syntax errors, merge keys (`<<`) and YAML tags.

use serde_yaml::{Mapping, Value};

use super::value::{Errors, key_text};

/// GitLab's answer to an empty configuration.
pub(super) const EMPTY_CONFIG: &str = "Please provide content of .gitlab-ci.yml";
/// GitLab's answer to a document that is not a mapping.
pub(super) const INVALID_FORMAT: &str = "Invalid configuration format";

/// The configuration's top-level mapping with merge keys applied, or the one error that stops
/// everything (empty text, invalid YAML, not a mapping).
pub(super) fn load(text: &str) -> Result<Mapping, String> {
    if text.trim().is_empty() {
        return Err(EMPTY_CONFIG.to_owned());
    }
    let mut value: Value = serde_yaml::from_str(text).map_err(|e| format!("Invalid YAML: {e}"))?;
    apply_merge(&mut value).map_err(|e| format!("Invalid YAML: {e}"))?;
    match value {
        Value::Mapping(map) => Ok(map),
        _ => Err(INVALID_FORMAT.to_owned()),
    }
}

/// Applies YAML merge keys everywhere, merge sources first, so that a template built on
/// another template (`.b: {<<: *a}` then `job: {<<: *b}`) gets both. Keys written in the
/// mapping win over merged ones, and earlier sources win over later ones.
fn apply_merge(value: &mut Value) -> Result<(), &'static str> {
    match value {
        Value::Mapping(map) => {
            if let Some(mut source) = map.remove("<<") {
                apply_merge(&mut source)?;
                let sources = match source {
                    Value::Mapping(m) => vec![m],
                    Value::Sequence(items) => items
                        .into_iter()
                        .map(|item| match item {
                            Value::Mapping(m) => Ok(m),
                            _ => Err("expected a mapping or a list of mappings for merging, \
                                 but found a list containing something else"),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(
                            "expected a mapping or a list of mappings for merging, but found \
                             something else",
                        );
                    }
                };
                for source in sources {
                    for (k, v) in source {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            map.values_mut().try_for_each(apply_merge)
        }
        Value::Sequence(items) => items.iter_mut().try_for_each(apply_merge),
        Value::Tagged(tagged) => apply_merge(&mut tagged.value),
        _ => Ok(()),
    }
}

/// Replaces tagged values (`!reference [.setup, script]`) by their untagged content and adds
/// one error for each: Paddock does not evaluate YAML tags.
pub(super) fn strip_tags(value: &mut Value, location: &str, errors: &mut Errors) {
    match value {
        Value::Tagged(tagged) => {
            errors.add(format!(
                "{location} uses the YAML tag {}, which is not supported by Paddock",
                tagged.tag
            ));
            let inner = std::mem::take(&mut tagged.value);
            *value = inner;
            strip_tags(value, location, errors);
        }
        Value::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                strip_tags(v, &format!("{location}:{}", key_text(k)), errors);
            }
        }
        Value::Sequence(items) => {
            for item in items {
                strip_tags(item, location, errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(text: &str) -> Value {
        Value::Mapping(load(text).unwrap())
    }

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn the_stopping_errors() {
        let table = [
            ("", EMPTY_CONFIG.to_owned()),
            ("  \n\n", EMPTY_CONFIG.to_owned()),
            ("# only a comment\n", INVALID_FORMAT.to_owned()),
            ("just text", INVALID_FORMAT.to_owned()),
            ("[a, b]", INVALID_FORMAT.to_owned()),
            (
                "a: [\n",
                "Invalid YAML: did not find expected node content at line 2 column 1, \
                 while parsing a flow node"
                    .to_owned(),
            ),
            (
                "a: b: c\n",
                "Invalid YAML: mapping values are not allowed in this context at line 1 column 5"
                    .to_owned(),
            ),
            (
                "a: 1\na: 2\n",
                "Invalid YAML: duplicate entry with key \"a\"".to_owned(),
            ),
            (
                "a: *nope\n",
                "Invalid YAML: unknown anchor at line 1 column 4".to_owned(),
            ),
            (
                "a: {<<: 1}\n",
                "Invalid YAML: expected a mapping or a list of mappings for merging, but found \
                 something else"
                    .to_owned(),
            ),
            (
                "a: {<<: [{x: 1}, 2]}\n",
                "Invalid YAML: expected a mapping or a list of mappings for merging, but found \
                 a list containing something else"
                    .to_owned(),
            ),
        ];
        for (text, want) in table {
            assert_eq!(load(text), Err(want), "{text:?}");
        }
        let multi = load("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(multi.starts_with("Invalid YAML: "), "{multi}");
    }

    #[test]
    fn merge_keys_are_applied_through_templates() {
        let text = "
.common: &common {image: ruby, tags: [a]}
.base: &base {<<: *common, stage: build, tags: [b]}
job:
  <<: *base
  script: make
  stage: test
";
        let want = yaml(
            "
.common: {image: ruby, tags: [a]}
.base: {image: ruby, tags: [b], stage: build}
job: {script: make, stage: test, image: ruby, tags: [b]}
",
        );
        assert_eq!(loaded(text), want);
    }

    #[test]
    fn earlier_merge_sources_win() {
        let text = "
.a: &a {x: 1, y: 1}
.b: &b {x: 2, z: 2}
job: {<<: [*a, *b], y: 3}
";
        let job = loaded(text)["job"].clone();
        assert_eq!(job, yaml("{x: 1, y: 3, z: 2}"));
    }

    #[test]
    fn tags_are_reported_and_stripped() {
        let mut value = yaml("{script: !reference [.setup, script], image: !custom ruby}");
        let mut errors = Errors::default();
        strip_tags(&mut value, "jobs:build", &mut errors);
        assert_eq!(value, yaml("{script: [.setup, script], image: ruby}"));
        assert_eq!(
            errors.into_vec(),
            [
                "jobs:build:script uses the YAML tag !reference, which is not supported by Paddock",
                "jobs:build:image uses the YAML tag !custom, which is not supported by Paddock",
            ]
        );
    }
}
