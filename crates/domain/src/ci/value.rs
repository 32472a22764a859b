//! Shape checks over YAML values, shared by every entry of the configuration, and the list of
//! lint errors they add to.

use serde_yaml::{Mapping, Value};

/// How deep GitLab lets script and stage lists nest.
pub(super) const MAX_NESTING_LEVEL: usize = 10;

/// The lint errors found so far, in the order found.
#[derive(Debug, Default)]
pub(super) struct Errors(Vec<String>);

impl Errors {
    pub(super) fn add(&mut self, message: String) {
        self.0.push(message);
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn into_vec(self) -> Vec<String> {
        self.0
    }
}

/// A mapping key as it is named in messages.
pub(super) fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        other => scalar_text(other).unwrap_or_else(|| {
            serde_yaml::to_string(other)
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        }),
    }
}

/// A scalar's text: strings as they are, numbers and booleans as YAML writes them.
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value under `key`; YAML null counts as absent, as GitLab treats it as unspecified.
pub(super) fn field<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

/// Adds `<location> config contains unknown keys: a, b` (sorted) when `map` has keys outside
/// `allowed`.
pub(super) fn check_keys(map: &Mapping, allowed: &[&str], location: &str, errors: &mut Errors) {
    let mut unknown: Vec<String> = map
        .keys()
        .filter(|k| !k.as_str().is_some_and(|k| allowed.contains(&k)))
        .map(key_text)
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        errors.add(format!(
            "{location} config contains unknown keys: {}",
            unknown.join(", ")
        ));
    }
}

/// A list of strings, or `None` for any other shape.
pub(super) fn strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_sequence()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A string or a list of strings nested up to [`MAX_NESTING_LEVEL`] levels deep, flattened.
pub(super) fn commands(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Sequence(_) => nested_strings(value),
        _ => None,
    }
}

/// A list of strings nested up to [`MAX_NESTING_LEVEL`] levels deep, flattened.
pub(super) fn nested_strings(value: &Value) -> Option<Vec<String>> {
    fn flatten(items: &[Value], level: usize, out: &mut Vec<String>) -> bool {
        items.iter().all(|item| match item {
            Value::String(s) => {
                out.push(s.clone());
                true
            }
            Value::Sequence(inner) if level < MAX_NESTING_LEVEL => flatten(inner, level + 1, out),
            _ => false,
        })
    }
    let mut out = Vec::new();
    flatten(value.as_sequence()?, 1, &mut out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn command_shapes() {
        let table: [(&str, Option<&[&str]>); 9] = [
            ("echo hi", Some(&["echo hi"])),
            ("[a, b]", Some(&["a", "b"])),
            ("[a, [b, c], d]", Some(&["a", "b", "c", "d"])),
            ("[[[[[[[[[[a]]]]]]]]]]", Some(&["a"])),
            ("[[[[[[[[[[[a]]]]]]]]]]]", None),
            ("[]", Some(&[])),
            ("[a, 1]", None),
            ("{a: b}", None),
            ("42", None),
        ];
        for (text, want) in table {
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(commands(&yaml(text)), want, "{text}");
        }
    }

    #[test]
    fn unknown_keys_are_sorted_and_named_as_written() {
        let map = yaml("{script: x, zeta: 1, alpha: 2, 3: c, true: d}");
        let mut errors = Errors::default();
        check_keys(
            map.as_mapping().unwrap(),
            &["script"],
            "jobs:a",
            &mut errors,
        );
        assert_eq!(
            errors.into_vec(),
            ["jobs:a config contains unknown keys: 3, alpha, true, zeta"]
        );
    }

    #[test]
    fn scalars_are_written_as_yaml_writes_them() {
        let table = [
            ("text", Some("text")),
            ("12", Some("12")),
            ("1.5", Some("1.5")),
            ("true", Some("true")),
            ("~", None),
            ("[a]", None),
        ];
        for (text, want) in table {
            assert_eq!(scalar_text(&yaml(text)).as_deref(), want, "{text}");
        }
    }
}
