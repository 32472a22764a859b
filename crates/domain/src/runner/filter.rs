//! The filters of runner lists: `scope` (deprecated), `type`, `status`, `paused`, `tag_list`
//! and `version_prefix`. Filters select by GitLab's scopes, not by the displayed status: a
//! paused runner contacted a minute ago is `online` for `status=online`.

use chrono::{DateTime, Utc};

use super::status::{ONLINE_CONTACT_TIMEOUT, STALE_TIMEOUT};
use super::{RunnerType, Tags};

/// `status=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Online,
    Offline,
    Active,
    Paused,
    /// Also spelled `never_contacted`.
    NotConnected,
    Stale,
}

impl StatusFilter {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "online" => Some(StatusFilter::Online),
            "offline" => Some(StatusFilter::Offline),
            "active" => Some(StatusFilter::Active),
            "paused" => Some(StatusFilter::Paused),
            "not_connected" | "never_contacted" => Some(StatusFilter::NotConnected),
            "stale" => Some(StatusFilter::Stale),
            _ => None,
        }
    }
}

/// `scope=` values (deprecated in GitLab, still sent by clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeFilter {
    /// Group and project runners.
    Specific,
    /// Instance runners.
    Shared,
    Type(RunnerType),
    Status(StatusFilter),
}

impl ScopeFilter {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "specific" => Some(ScopeFilter::Specific),
            "shared" => Some(ScopeFilter::Shared),
            other => RunnerType::parse(other)
                .map(ScopeFilter::Type)
                .or_else(|| StatusFilter::parse(other).map(ScopeFilter::Status)),
        }
    }

    /// `GET /runners` accepts only the status-like scopes.
    pub fn allowed_for_own_runners(self) -> bool {
        matches!(self, ScopeFilter::Status(_))
    }
}

/// A constraint on the contact time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactFilter {
    /// `contacted_at > since`.
    ContactedAfter(DateTime<Utc>),
    /// `contacted_at <= at` (never-contacted runners are not offline).
    ContactedAtOrBefore(DateTime<Utc>),
    /// `contacted_at IS NULL`.
    NeverContacted,
    /// `created_at <= deadline AND (contacted_at IS NULL OR contacted_at <= deadline)`.
    Stale(DateTime<Utc>),
}

impl ContactFilter {
    pub fn matches(self, created_at: DateTime<Utc>, contacted_at: Option<DateTime<Utc>>) -> bool {
        match self {
            ContactFilter::ContactedAfter(since) => contacted_at.is_some_and(|at| at > since),
            ContactFilter::ContactedAtOrBefore(limit) => contacted_at.is_some_and(|at| at <= limit),
            ContactFilter::NeverContacted => contacted_at.is_none(),
            ContactFilter::Stale(deadline) => {
                created_at <= deadline && contacted_at.is_none_or(|at| at <= deadline)
            }
        }
    }
}

/// `version_prefix`: digits and dots, matched against the runner managers' versions at the
/// level of detail given (`15` matches `15.x.y`, `15.0` matches `15.0.y`, `15.0.3` matches
/// `15.0.3` and `15.0.3~beta` but not `15.0.30`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionPrefix {
    /// What a matching version starts with.
    pub starts_with: String,
    /// Whether the character after that may not be a digit.
    pub complete: bool,
}

impl VersionPrefix {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || !text.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        if !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        let parts: Vec<&str> = text.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() >= 3 {
            Some(Self {
                starts_with: parts[..3].join("."),
                complete: true,
            })
        } else {
            Some(Self {
                starts_with: format!("{}.", parts.join(".")),
                complete: false,
            })
        }
    }

    pub fn matches(&self, version: &str) -> bool {
        match version.strip_prefix(&self.starts_with) {
            None => false,
            Some(rest) => !self.complete || !rest.starts_with(|c: char| c.is_ascii_digit()),
        }
    }
}

/// The filters of one list request, combined (every given filter must hold).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunnerFilter {
    /// Allowed types; `None` is any.
    pub types: Option<Vec<RunnerType>>,
    /// The active flag; `None` is either.
    pub active: Option<bool>,
    pub contact: Vec<ContactFilter>,
    /// Every one of these tags.
    pub tags: Tags,
    pub version_prefix: Option<VersionPrefix>,
    /// Two filters contradict each other: nothing matches.
    pub nothing: bool,
}

impl RunnerFilter {
    fn restrict_types(&mut self, allowed: &[RunnerType]) {
        let current = self
            .types
            .take()
            .unwrap_or_else(|| RunnerType::ALL.to_vec());
        let kept: Vec<RunnerType> = current
            .into_iter()
            .filter(|t| allowed.contains(t))
            .collect();
        if kept.is_empty() {
            self.nothing = true;
        }
        self.types = Some(kept);
    }

    fn restrict_active(&mut self, active: bool) {
        match self.active {
            Some(current) if current != active => self.nothing = true,
            _ => self.active = Some(active),
        }
    }

    pub fn with_type(mut self, runner_type: RunnerType) -> Self {
        self.restrict_types(&[runner_type]);
        self
    }

    pub fn with_paused(mut self, paused: bool) -> Self {
        self.restrict_active(!paused);
        self
    }

    pub fn with_status(mut self, status: StatusFilter, now: DateTime<Utc>) -> Self {
        match status {
            StatusFilter::Active => self.restrict_active(true),
            StatusFilter::Paused => self.restrict_active(false),
            StatusFilter::Online => self
                .contact
                .push(ContactFilter::ContactedAfter(now - ONLINE_CONTACT_TIMEOUT)),
            StatusFilter::Offline => self.contact.push(ContactFilter::ContactedAtOrBefore(
                now - ONLINE_CONTACT_TIMEOUT,
            )),
            StatusFilter::NotConnected => self.contact.push(ContactFilter::NeverContacted),
            StatusFilter::Stale => self.contact.push(ContactFilter::Stale(now - STALE_TIMEOUT)),
        }
        self
    }

    pub fn with_scope(mut self, scope: ScopeFilter, now: DateTime<Utc>) -> Self {
        match scope {
            ScopeFilter::Specific => self.restrict_types(&[RunnerType::Group, RunnerType::Project]),
            ScopeFilter::Shared => self.restrict_types(&[RunnerType::Instance]),
            ScopeFilter::Type(t) => self.restrict_types(&[t]),
            ScopeFilter::Status(status) => return self.with_status(status, now),
        }
        self
    }

    /// Runners carrying every one of `tags`; more tags than a runner may have select nothing.
    pub fn with_tags(mut self, tags: Tags) -> Self {
        if tags.len() > super::MAX_TAGS {
            self.nothing = true;
        }
        self.tags = tags;
        self
    }

    pub fn with_version_prefix(mut self, prefix: VersionPrefix) -> Self {
        self.version_prefix = Some(prefix);
        self
    }

    /// Whether a runner passes (for in-memory lists; the database applies the same rules).
    pub fn matches(
        &self,
        runner_type: RunnerType,
        active: bool,
        created_at: DateTime<Utc>,
        contacted_at: Option<DateTime<Utc>>,
        tags: &Tags,
        manager_versions: &[&str],
    ) -> bool {
        !self.nothing
            && self
                .types
                .as_ref()
                .is_none_or(|types| types.contains(&runner_type))
            && self.active.is_none_or(|a| a == active)
            && self
                .contact
                .iter()
                .all(|c| c.matches(created_at, contacted_at))
            && tags.contains_all(&self.tags)
            && self
                .version_prefix
                .as_ref()
                .is_none_or(|prefix| manager_versions.iter().any(|v| prefix.matches(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 15, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn parsing_statuses_and_scopes() {
        assert_eq!(
            StatusFilter::parse("never_contacted"),
            Some(StatusFilter::NotConnected)
        );
        assert_eq!(
            StatusFilter::parse("not_connected"),
            Some(StatusFilter::NotConnected)
        );
        assert_eq!(StatusFilter::parse("bogus"), None);
        assert_eq!(ScopeFilter::parse("shared"), Some(ScopeFilter::Shared));
        assert_eq!(
            ScopeFilter::parse("project_type"),
            Some(ScopeFilter::Type(RunnerType::Project))
        );
        assert_eq!(
            ScopeFilter::parse("paused"),
            Some(ScopeFilter::Status(StatusFilter::Paused))
        );
        assert_eq!(ScopeFilter::parse("unknown"), None);
        assert!(!ScopeFilter::Specific.allowed_for_own_runners());
        assert!(ScopeFilter::Status(StatusFilter::Stale).allowed_for_own_runners());
    }

    #[test]
    fn version_prefixes() {
        let table = [
            ("15.0", "15.0.3", true),
            ("15.0.", "15.0.3", true),
            ("15.0", "15.01.3", false),
            ("16", "16.0.1", true),
            ("16", "160.0.1", false),
            ("25", "15.0.3", false),
            ("15.0.3", "15.0.3", true),
            ("15.0.3", "15.0.3~beta.1.gabc", true),
            ("15.0.3", "15.0.30", false),
            ("15.0.3.4", "15.0.3", true),
        ];
        for (prefix, version, want) in table {
            let parsed = VersionPrefix::parse(prefix).unwrap_or_else(|| panic!("{prefix} parses"));
            assert_eq!(parsed.matches(version), want, "{prefix} vs {version}");
        }
        for bad in ["V15", "", "abc", "15a", "-1", ".5"] {
            assert_eq!(VersionPrefix::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn filters_select_by_scope_not_by_displayed_status() {
        let now = now();
        let created = now - Duration::days(1);
        let recent = Some(now - Duration::minutes(1));
        let tags = Tags::default();
        let online = RunnerFilter::default().with_status(StatusFilter::Online, now);
        // A paused runner contacted a minute ago is online for the filter.
        assert!(online.matches(RunnerType::Project, false, created, recent, &tags, &[]));
        assert!(!online.matches(RunnerType::Project, true, created, None, &tags, &[]));
        let offline = RunnerFilter::default().with_status(StatusFilter::Offline, now);
        assert!(
            !offline.matches(RunnerType::Project, true, created, None, &tags, &[]),
            "never contacted is not offline"
        );
        assert!(offline.matches(
            RunnerType::Project,
            true,
            created,
            Some(now - Duration::hours(3)),
            &tags,
            &[]
        ));
        let stale = RunnerFilter::default().with_status(StatusFilter::Stale, now);
        assert!(stale.matches(
            RunnerType::Project,
            true,
            now - Duration::days(8),
            None,
            &tags,
            &[]
        ));
        assert!(!stale.matches(
            RunnerType::Project,
            true,
            now - Duration::days(8),
            recent,
            &tags,
            &[]
        ));
    }

    #[test]
    fn filters_combine_and_contradictions_select_nothing() {
        let now = now();
        let created = now - Duration::days(1);
        let tags = Tags::parse(["a", "b"]);
        let specific = RunnerFilter::default().with_scope(ScopeFilter::Specific, now);
        assert!(specific.matches(RunnerType::Group, true, created, None, &tags, &[]));
        assert!(!specific.matches(RunnerType::Instance, true, created, None, &tags, &[]));
        let contradiction = RunnerFilter::default()
            .with_scope(ScopeFilter::Shared, now)
            .with_type(RunnerType::Project);
        assert!(contradiction.nothing);
        let active_and_paused = RunnerFilter::default()
            .with_status(StatusFilter::Active, now)
            .with_paused(true);
        assert!(active_and_paused.nothing);
        let too_many =
            RunnerFilter::default().with_tags(Tags::parse((0..51).map(|i| format!("t{i}"))));
        assert!(too_many.nothing, "no runner carries more than 50 tags");
        let tagged = RunnerFilter::default().with_tags(Tags::parse(["a", "b"]));
        assert!(tagged.matches(RunnerType::Project, true, created, None, &tags, &[]));
        assert!(!tagged.matches(
            RunnerType::Project,
            true,
            created,
            None,
            &Tags::parse(["b"]),
            &[]
        ));
        let versioned = RunnerFilter::default()
            .with_version_prefix(VersionPrefix::parse("16").unwrap_or_else(|| panic!("parses")));
        assert!(versioned.matches(
            RunnerType::Project,
            true,
            created,
            None,
            &tags,
            &["15.0.3", "16.0.1"]
        ));
        assert!(!versioned.matches(RunnerType::Project, true, created, None, &tags, &[]));
    }
}
