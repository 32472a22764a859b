//! CI/CD variables of a project: their kinds, validation with GitLab's messages, and how a
//! masked value is hidden in a job log.

use crate::names::FieldError;
use crate::{ProjectId, VariableId};

/// How a runner exposes a variable.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum VariableType {
    /// An environment variable holding the value.
    #[default]
    EnvVar,
    /// An environment variable holding the path of a file with the value.
    File,
}

impl VariableType {
    pub fn as_str(self) -> &'static str {
        match self {
            VariableType::EnvVar => "env_var",
            VariableType::File => "file",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "env_var" => Some(VariableType::EnvVar),
            "file" => Some(VariableType::File),
            _ => None,
        }
    }
}

/// A project's CI/CD variable. `Debug` never prints the value.
#[derive(Clone, PartialEq, Eq)]
pub struct ProjectVariable {
    pub id: VariableId,
    pub project_id: ProjectId,
    pub key: String,
    pub value: String,
    pub variable_type: VariableType,
    /// Given only to jobs of protected refs.
    pub protected: bool,
    /// Hidden in job logs.
    pub masked: bool,
    /// Not expanded by the runner.
    pub raw: bool,
    /// Paddock has no environments: always `*`.
    pub environment_scope: String,
    pub description: Option<String>,
}

impl std::fmt::Debug for ProjectVariable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectVariable")
            .field("id", &self.id)
            .field("project_id", &self.project_id)
            .field("key", &self.key)
            .field("value", &"[REDACTED]")
            .field("variable_type", &self.variable_type)
            .field("protected", &self.protected)
            .field("masked", &self.masked)
            .field("raw", &self.raw)
            .finish_non_exhaustive()
    }
}

/// The only environment scope Paddock knows.
pub const ALL_ENVIRONMENTS: &str = "*";
/// Longest key.
pub const MAX_KEY_LENGTH: usize = 255;
/// Longest value, in bytes (GitLab's limit for variable values).
pub const MAX_VALUE_BYTES: usize = 10_000;
/// GitLab's rule for variable keys.
pub const KEY_RULE: &str = "can contain only letters, digits and '_'.";
/// Shortest value that can be masked.
pub const MIN_MASKED_LENGTH: usize = 8;

/// A key: letters, digits and `_`, at most 255 characters.
pub fn validate_key(key: &str) -> Result<(), FieldError> {
    if key.is_empty() {
        return Err(FieldError::new("key", "can't be blank"));
    }
    if key.chars().count() > MAX_KEY_LENGTH {
        return Err(FieldError::new(
            "key",
            format!("is too long (maximum is {MAX_KEY_LENGTH} characters)"),
        ));
    }
    if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(FieldError::new("key", KEY_RULE));
    }
    Ok(())
}

/// A value: at most [`MAX_VALUE_BYTES`]; a masked value must be one line of at least eight
/// characters, from the Base64 alphabet and `@:.~` (any non-blank characters when `raw`).
pub fn validate_value(value: &str, masked: bool, raw: bool) -> Result<(), FieldError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(FieldError::new(
            "value",
            format!("is too long (maximum is {MAX_VALUE_BYTES} characters)"),
        ));
    }
    if masked && !is_maskable(value, raw) {
        return Err(FieldError::new("value", "is invalid"));
    }
    Ok(())
}

/// Whether a value can be masked (GitLab's `Ci::Maskable`).
pub fn is_maskable(value: &str, raw: bool) -> bool {
    let long_enough = value.chars().count() >= MIN_MASKED_LENGTH;
    let allowed = |c: char| {
        if raw {
            !c.is_whitespace()
        } else {
            c.is_ascii_alphanumeric() || "_+=/@:.~-".contains(c)
        }
    };
    long_enough && value.chars().all(allowed)
}

/// Replaces every occurrence of each secret in `data` by text of the same length:
/// `[MASKED]` followed by `x`s, or only `x`s for a secret shorter than that. The length is
/// kept so that the offsets a runner counts stay true. Occurrences are found in the text as
/// given, longest secret first, so a secret that contains (or overlaps) another is hidden
/// whole.
pub fn mask_secrets(data: &mut [u8], secrets: &[&[u8]]) {
    const LABEL: &[u8] = b"[MASKED]";
    let mut ordered: Vec<&[u8]> = secrets
        .iter()
        .copied()
        .filter(|s| !s.is_empty() && s.len() <= data.len())
        .collect();
    if ordered.is_empty() {
        return;
    }
    ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let finders: Vec<memchr::memmem::Finder<'_>> =
        ordered.iter().map(memchr::memmem::Finder::new).collect();
    // Most logs hold no secret: then nothing is copied. Otherwise occurrences are looked for
    // in one copy of the text as given (memory stays that of the text, however many there
    // are) and hidden in `data`.
    if finders.iter().all(|finder| finder.find(data).is_none()) {
        return;
    }
    let given = data.to_vec();
    for finder in &finders {
        let len = finder.needle().len();
        // Overlapping occurrences too (`abab` twice in `ababab`).
        let mut at = 0;
        while let Some(offset) = finder.find(&given[at..]) {
            let start = at + offset;
            for (i, byte) in data[start..start + len].iter_mut().enumerate() {
                *byte = if len >= LABEL.len() && i < LABEL.len() {
                    LABEL[i]
                } else {
                    b'x'
                };
            }
            at = start + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(validate_key("DEPLOY_TOKEN_2").is_ok());
        assert_eq!(validate_key("").unwrap_err().message, "can't be blank");
        assert_eq!(validate_key("A-B").unwrap_err().message, KEY_RULE);
        assert_eq!(validate_key("A B").unwrap_err().message, KEY_RULE);
        assert!(validate_key(&"K".repeat(256)).is_err());
    }

    #[test]
    fn masked_values() {
        assert!(validate_value("hello", false, false).is_ok());
        assert!(validate_value("hello world", false, false).is_ok());
        assert!(validate_value("helloworld", true, false).is_ok());
        assert!(validate_value("Hello+World_123/@:-~.", true, false).is_ok());
        for bad in [
            "hello",
            "hello world",
            "hello$VARworld",
            "hello\rworld",
            "a\nbcdefghij",
        ] {
            assert_eq!(
                validate_value(bad, true, false).unwrap_err().message,
                "is invalid"
            );
        }
        assert!(validate_value("hello$VARworld", true, true).is_ok());
        assert!(validate_value("hello world", true, true).is_err());
        assert!(validate_value(&"v".repeat(10_001), false, false).is_err());
    }

    #[test]
    fn masking_keeps_the_length() {
        let mut data = b"value-to-be-masked and be-masked again".to_vec();
        mask_secrets(&mut data, &[b"be-masked"]);
        assert_eq!(data, b"value-to-[MASKED]x and [MASKED]x again");
        let mut short = b"token token".to_vec();
        mask_secrets(&mut short, &[b"oke"]);
        assert_eq!(short, b"txxxn txxxn");
        let mut nested = b"key abcdefgh12345678 and abcdefgh".to_vec();
        mask_secrets(&mut nested, &[b"abcdefgh", b"abcdefgh12345678"]);
        assert_eq!(nested, b"key [MASKED]xxxxxxxx and [MASKED]");
        let mut overlapping = b"ab ababab".to_vec();
        mask_secrets(&mut overlapping, &[b"abab"]);
        assert_eq!(overlapping, b"ab xxxxxx");
        let mut none = b"nothing here".to_vec();
        mask_secrets(&mut none, &[b"", b"a-much-longer-secret-than-the-data"]);
        assert_eq!(none, b"nothing here");
    }
}
