//! Runners: their types, settings and validation, status at a given time, list filters, and
//! who may do what to them.

pub mod filter;
pub mod permission;
pub mod status;

use std::fmt;

use chrono::{DateTime, Utc};

use crate::names::{FieldError, validate_text};
use crate::{NamespaceId, UserId};

/// A runner's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunnerId(pub i64);

impl fmt::Display for RunnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Whose runner it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunnerType {
    /// Shared by every project that allows shared runners.
    Instance,
    /// Available to the projects of a group and its subgroups.
    Group,
    /// Assigned to one or more projects.
    Project,
}

impl RunnerType {
    pub const ALL: [RunnerType; 3] = [RunnerType::Instance, RunnerType::Group, RunnerType::Project];

    pub fn as_str(self) -> &'static str {
        match self {
            RunnerType::Instance => "instance_type",
            RunnerType::Group => "group_type",
            RunnerType::Project => "project_type",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        RunnerType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// GitLab's `is_shared`.
    pub fn is_shared(self) -> bool {
        self == RunnerType::Instance
    }
}

/// Which refs a runner runs jobs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AccessLevel {
    #[default]
    NotProtected,
    /// Only jobs of protected branches and tags.
    RefProtected,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::NotProtected => "not_protected",
            AccessLevel::RefProtected => "ref_protected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "not_protected" => Some(AccessLevel::NotProtected),
            "ref_protected" => Some(AccessLevel::RefProtected),
            _ => None,
        }
    }
}

/// How a runner came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationType {
    /// `POST /runners` with a registration token.
    RegistrationToken,
    /// `POST /user/runners` by a user.
    AuthenticatedUser,
}

impl RegistrationType {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationType::RegistrationToken => "registration_token",
            RegistrationType::AuthenticatedUser => "authenticated_user",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "registration_token" => Some(RegistrationType::RegistrationToken),
            "authenticated_user" => Some(RegistrationType::AuthenticatedUser),
            _ => None,
        }
    }
}

/// The most tags a runner may carry.
pub const MAX_TAGS: usize = 50;
/// Longest description and maintenance note.
pub const MAX_TEXT: usize = 1024;
/// Shortest `maximum_timeout`, in seconds.
pub const MIN_MAXIMUM_TIMEOUT: i64 = 600;

pub const TAGS_EMPTY_WHILE_UNTAGGED_DISALLOWED: &str =
    "can not be empty when runner is not allowed to pick untagged jobs";
pub const TOO_MANY_TAGS: &str = "Too many tags specified. Please limit the number of tags to 50";
pub const TAG_TOO_LONG: &str = "Tag names can be at most 255 bytes";

/// The longest tag name, in bytes.
pub const MAX_TAG_BYTES: usize = 255;
pub const MAXIMUM_TIMEOUT_TOO_SHORT: &str = "needs to be at least 10 minutes";

/// A runner's tags: trimmed, without empty or repeated names, in the order first given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tags(Vec<String>);

impl Tags {
    pub fn parse<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut tags: Vec<String> = Vec::new();
        for item in items {
            for part in item.as_ref().split(',') {
                let tag = part.trim();
                if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
                    tags.push(tag.to_owned());
                }
            }
        }
        Self(tags)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn contains(&self, tag: &str) -> bool {
        self.0.iter().any(|t| t == tag)
    }

    /// Whether every tag of `needed` is among these (a job's tags against a runner's).
    pub fn contains_all(&self, needed: &Tags) -> bool {
        needed.0.iter().all(|t| self.contains(t))
    }
}

/// The settings a user or a registering runner chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerSettings {
    pub description: String,
    pub maintenance_note: String,
    pub active: bool,
    pub locked: bool,
    pub run_untagged: bool,
    pub access_level: AccessLevel,
    /// Seconds; `None` means the job's own timeout applies.
    pub maximum_timeout: Option<i64>,
    pub tags: Tags,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self {
            description: String::new(),
            maintenance_note: String::new(),
            active: true,
            locked: false,
            run_untagged: true,
            access_level: AccessLevel::NotProtected,
            maximum_timeout: None,
            tags: Tags::default(),
        }
    }
}

impl RunnerSettings {
    /// The model's rules, with GitLab's attribute names and messages. The 50-tag limit is
    /// checked only when the tags change (`tags_changed`), as in GitLab.
    pub fn validate(&self, tags_changed: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.tags.is_empty() && !self.run_untagged {
            errors.push(FieldError::new(
                "tags_list",
                TAGS_EMPTY_WHILE_UNTAGGED_DISALLOWED,
            ));
        }
        if tags_changed && self.tags.len() > MAX_TAGS {
            errors.push(FieldError::new("tags_list", TOO_MANY_TAGS));
        }
        if tags_changed && self.tags.as_slice().iter().any(|t| t.len() > MAX_TAG_BYTES) {
            errors.push(FieldError::new("tags_list", TAG_TOO_LONG));
        }
        if self
            .maximum_timeout
            .is_some_and(|t| t < MIN_MAXIMUM_TIMEOUT)
        {
            errors.push(FieldError::new(
                "maximum_timeout",
                MAXIMUM_TIMEOUT_TOO_SHORT,
            ));
        }
        errors.extend(validate_text("description", &self.description, MAX_TEXT).err());
        errors.extend(validate_text("maintenance_note", &self.maintenance_note, MAX_TEXT).err());
        errors
    }
}

/// A runner as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runner {
    pub id: RunnerId,
    pub runner_type: RunnerType,
    /// The group of a group runner.
    pub group_id: Option<NamespaceId>,
    pub settings: RunnerSettings,
    /// `info.name` the runner reported at registration.
    pub name: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub registration_type: RegistrationType,
    pub contacted_at: Option<DateTime<Utc>>,
    pub creator_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a runner machine reported about itself (`info` of runner requests).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunnerInfo {
    pub name: Option<String>,
    pub version: Option<String>,
    pub revision: Option<String>,
    pub platform: Option<String>,
    pub architecture: Option<String>,
    pub executor: Option<String>,
}

/// A runner manager: one machine (`system_id`) running a runner's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerManager {
    pub id: i64,
    pub runner_id: RunnerId,
    pub system_id: String,
    pub info: RunnerInfo,
    pub ip_address: Option<String>,
    pub contacted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The `system_id` of a runner that does not send one.
pub const LEGACY_SYSTEM_ID: &str = "<legacy>";
/// The longest `system_id` accepted.
pub const MAX_SYSTEM_ID: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in RunnerType::ALL {
            assert_eq!(RunnerType::parse(t.as_str()), Some(t));
        }
        assert_eq!(RunnerType::parse("shared"), None);
        for a in [AccessLevel::NotProtected, AccessLevel::RefProtected] {
            assert_eq!(AccessLevel::parse(a.as_str()), Some(a));
        }
        for r in [
            RegistrationType::RegistrationToken,
            RegistrationType::AuthenticatedUser,
        ] {
            assert_eq!(RegistrationType::parse(r.as_str()), Some(r));
        }
        assert!(RunnerType::Instance.is_shared());
        assert!(!RunnerType::Project.is_shared());
    }

    #[test]
    fn tags_are_trimmed_split_and_deduplicated() {
        let table: [(&[&str], &[&str]); 5] = [
            (&["tag1, tag2"], &["tag1", "tag2"]),
            (&["a", "b", "a"], &["a", "b"]),
            (&[" a ", "", " "], &["a"]),
            (&["a,b", "b,c"], &["a", "b", "c"]),
            (&[], &[]),
        ];
        for (input, want) in table {
            assert_eq!(Tags::parse(input.iter()).as_slice(), want, "{input:?}");
        }
        let runner = Tags::parse(["docker", "linux", "x86"]);
        assert!(runner.contains_all(&Tags::parse(["linux", "docker"])));
        assert!(runner.contains_all(&Tags::default()));
        assert!(!runner.contains_all(&Tags::parse(["arm"])));
    }

    #[test]
    fn settings_validation() {
        let ok = RunnerSettings::default();
        assert!(ok.validate(true).is_empty());
        let untagged = RunnerSettings {
            run_untagged: false,
            ..RunnerSettings::default()
        };
        assert_eq!(
            untagged.validate(false),
            vec![FieldError::new(
                "tags_list",
                TAGS_EMPTY_WHILE_UNTAGGED_DISALLOWED
            )]
        );
        let tagged = RunnerSettings {
            run_untagged: false,
            tags: Tags::parse(["a"]),
            ..RunnerSettings::default()
        };
        assert!(tagged.validate(true).is_empty());
        let many = RunnerSettings {
            tags: Tags::parse((0..51).map(|i| format!("t{i}"))),
            ..RunnerSettings::default()
        };
        assert_eq!(
            many.validate(true),
            vec![FieldError::new("tags_list", TOO_MANY_TAGS)]
        );
        assert!(
            many.validate(false).is_empty(),
            "the limit holds only when tags change"
        );
        let long_tag = RunnerSettings {
            tags: Tags::parse(["x".repeat(256)]),
            ..RunnerSettings::default()
        };
        assert_eq!(
            long_tag.validate(true),
            vec![FieldError::new("tags_list", TAG_TOO_LONG)]
        );
        let fifty = RunnerSettings {
            tags: Tags::parse((0..50).map(|i| format!("t{i}"))),
            ..RunnerSettings::default()
        };
        assert!(fifty.validate(true).is_empty());
        for (timeout, valid) in [(599, false), (600, true), (3600, true), (0, false)] {
            let s = RunnerSettings {
                maximum_timeout: Some(timeout),
                ..RunnerSettings::default()
            };
            assert_eq!(s.validate(false).is_empty(), valid, "{timeout}");
        }
        let long = RunnerSettings {
            description: "x".repeat(1025),
            maintenance_note: "y".repeat(1025),
            ..RunnerSettings::default()
        };
        let fields: Vec<&str> = long.validate(false).iter().map(|e| e.field).collect();
        assert_eq!(fields, ["description", "maintenance_note"]);
    }
}
