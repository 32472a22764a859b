//! Protected branches: who may push and merge, and which refs a rule protects.

/// Push and merge access levels of a protected branch rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BranchAccessLevel {
    NoOne,
    Developer,
    Maintainer,
    Admin,
}

/// The integer is not one of 0, 30, 40, 60.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a protected branch access level")]
pub struct UnknownBranchAccessLevel(pub i64);

impl BranchAccessLevel {
    pub const ALL: [BranchAccessLevel; 4] = [
        BranchAccessLevel::NoOne,
        BranchAccessLevel::Developer,
        BranchAccessLevel::Maintainer,
        BranchAccessLevel::Admin,
    ];

    pub fn level(self) -> i64 {
        match self {
            BranchAccessLevel::NoOne => 0,
            BranchAccessLevel::Developer => 30,
            BranchAccessLevel::Maintainer => 40,
            BranchAccessLevel::Admin => 60,
        }
    }

    pub fn from_level(level: i64) -> Result<Self, UnknownBranchAccessLevel> {
        BranchAccessLevel::ALL
            .into_iter()
            .find(|l| l.level() == level)
            .ok_or(UnknownBranchAccessLevel(level))
    }

    /// GitLab's `access_level_description`.
    pub fn description(self) -> &'static str {
        match self {
            BranchAccessLevel::NoOne => "No one",
            BranchAccessLevel::Developer => "Developers + Maintainers",
            BranchAccessLevel::Maintainer => "Maintainers",
            BranchAccessLevel::Admin => "Admins",
        }
    }
}

/// Whether a protected branch rule `pattern` (a name, possibly with `*` wildcards) covers
/// the branch `name`.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = match parts.split_first() {
        Some(split) => split,
        None => return false,
    };
    let Some(mut remaining) = name.strip_prefix(first) else {
        return false;
    };
    let (last, middle) = match rest.split_last() {
        Some(split) => split,
        None => return remaining.is_empty(),
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// Whether any of the rules protects `name`.
pub fn is_protected<'a>(patterns: impl IntoIterator<Item = &'a str>, name: &str) -> bool {
    patterns.into_iter().any(|p| pattern_matches(p, name))
}

/// Whether someone with `role` may update the branch `name` that these rules protect
/// (GitLab's `can_update_branch?`): one matching rule whose push or merge level the role
/// reaches suffices; `No one` lets nobody. Administrators are let through by the caller.
pub fn may_update(rules: &[ProtectedBranch], name: &str, role: Option<crate::Role>) -> bool {
    let Some(role) = role else { return false };
    rules
        .iter()
        .filter(|rule| pattern_matches(&rule.name, name))
        .any(|rule| {
            [rule.push_access_level, rule.merge_access_level]
                .into_iter()
                .any(|level| level != BranchAccessLevel::NoOne && role.level() >= level.level())
        })
}

/// The longest ref name Paddock takes.
pub const MAX_REF_LENGTH: usize = 255;

/// Whether `name` can be a branch or tag name (git's `check-ref-format` rules, at most 255
/// bytes).
pub fn is_valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_REF_LENGTH
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && !name.contains("/.")
        && name != "@"
        && !name
            .chars()
            .any(|c| c.is_control() || c == ' ' || "~^:?*[\\".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        for good in ["main", "release/1.0", "v1.2.3", "feature_x-y"] {
            assert!(is_valid_ref_name(good), "{good}");
        }
        for bad in [
            "", "-x", "a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", "/a", "a/",
            "a.lock", "a//b", "a@{1}", "@", ".a", "a/.b", "a.",
        ] {
            assert!(!is_valid_ref_name(bad), "{bad:?}");
        }
        assert!(!is_valid_ref_name(&"a".repeat(256)));
    }

    #[test]
    fn protected_branches_are_updated_by_the_levels_they_allow() {
        use crate::{ProjectId, ProtectedBranchId, Role};
        let rule = |name: &str, push, merge| ProtectedBranch {
            id: ProtectedBranchId(1),
            project_id: ProjectId(1),
            name: name.to_owned(),
            push_access_level: push,
            merge_access_level: merge,
            allow_force_push: false,
            created_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        };
        let maintainers = [rule(
            "main",
            BranchAccessLevel::Maintainer,
            BranchAccessLevel::Maintainer,
        )];
        assert!(may_update(&maintainers, "main", Some(Role::Maintainer)));
        assert!(!may_update(&maintainers, "main", Some(Role::Developer)));
        assert!(!may_update(&maintainers, "main", None));
        let developers_merge = [rule(
            "rel/*",
            BranchAccessLevel::NoOne,
            BranchAccessLevel::Developer,
        )];
        assert!(may_update(
            &developers_merge,
            "rel/1",
            Some(Role::Developer)
        ));
        let nobody = [rule(
            "main",
            BranchAccessLevel::NoOne,
            BranchAccessLevel::NoOne,
        )];
        assert!(!may_update(&nobody, "main", Some(Role::Owner)));
    }

    #[test]
    fn levels_round_trip() {
        for l in BranchAccessLevel::ALL {
            assert_eq!(BranchAccessLevel::from_level(l.level()), Ok(l));
        }
        assert!(BranchAccessLevel::from_level(10).is_err());
    }

    #[test]
    fn wildcard_matching() {
        let table = [
            ("main", "main", true),
            ("main", "main2", false),
            ("release/*", "release/1.0", true),
            ("release/*", "release/", true),
            ("release/*", "releases/1.0", false),
            ("*-stable", "13-stable", true),
            ("*-stable", "13-stable-x", false),
            ("*", "anything", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXcYYb", false),
            ("a*a", "a", false),
        ];
        for (pattern, name, want) in table {
            assert_eq!(pattern_matches(pattern, name), want, "{pattern} {name}");
        }
        assert!(is_protected(["main", "release/*"], "release/2"));
        assert!(!is_protected(["main"], "dev"));
    }
}

/// A protected branch rule of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedBranch {
    pub id: crate::ProtectedBranchId,
    pub project_id: crate::ProjectId,
    /// A branch name or a wildcard pattern (`release/*`).
    pub name: String,
    pub push_access_level: BranchAccessLevel,
    pub merge_access_level: BranchAccessLevel,
    pub allow_force_push: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
