//! Namespaces: groups (with subgroups) and users' personal namespaces.
//!
//! A namespace records its place in the tree as `traversal_ids`, the ids from the root down to
//! itself, so that ancestors and descendants are found without recursion.

use chrono::{DateTime, Utc};

use crate::{NamespaceId, UserId, Visibility};

/// A group, or a user's personal namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceKind {
    User,
    Group,
}

impl NamespaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NamespaceKind::User => "user",
            NamespaceKind::Group => "group",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "user" => Some(NamespaceKind::User),
            "group" => Some(NamespaceKind::Group),
            _ => None,
        }
    }
}

/// A namespace as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub id: NamespaceId,
    pub kind: NamespaceKind,
    pub name: String,
    pub path: String,
    /// Paths from the root down, joined with `/`: `group/subgroup`.
    pub full_path: String,
    /// Names from the root down, joined with ` / `: `Group / Subgroup`.
    pub full_name: String,
    pub parent_id: Option<NamespaceId>,
    /// The user of a personal namespace.
    pub owner_id: Option<UserId>,
    pub description: String,
    pub visibility: Visibility,
    /// Ids from the root down to this namespace, this one included.
    pub traversal_ids: Vec<NamespaceId>,
    pub created_at: DateTime<Utc>,
}

impl Namespace {
    pub fn is_group(&self) -> bool {
        self.kind == NamespaceKind::Group
    }

    /// Ids of the ancestors, from the root down, without this namespace.
    pub fn ancestor_ids(&self) -> &[NamespaceId] {
        match self.traversal_ids.split_last() {
            Some((_, ancestors)) => ancestors,
            None => &[],
        }
    }

    /// Whether this namespace is `other` or lies below it.
    pub fn is_within(&self, other: NamespaceId) -> bool {
        self.traversal_ids.contains(&other)
    }
}

/// `traversal_ids` as stored: `/1/5/9/`. The enclosing slashes let a prefix match
/// (`LIKE '/1/5/%'`) select a namespace and everything below it.
pub fn encode_traversal(ids: &[NamespaceId]) -> String {
    let mut out = String::from("/");
    for id in ids {
        out.push_str(&id.0.to_string());
        out.push('/');
    }
    out
}

/// The inverse of [`encode_traversal`]; `None` when the text is malformed.
pub fn decode_traversal(text: &str) -> Option<Vec<NamespaceId>> {
    if text == "/" {
        return Some(Vec::new());
    }
    let inner = text.strip_prefix('/')?.strip_suffix('/')?;
    inner
        .split('/')
        .map(|part| part.parse::<i64>().ok().map(NamespaceId))
        .collect()
}

/// The full path of a child named `path` under `parent_full_path`.
pub fn child_full_path(parent_full_path: Option<&str>, path: &str) -> String {
    match parent_full_path {
        Some(parent) => format!("{parent}/{path}"),
        None => path.to_owned(),
    }
}

/// The full name of a child named `name` under `parent_full_name`.
pub fn child_full_name(parent_full_name: Option<&str>, name: &str) -> String {
    match parent_full_name {
        Some(parent) => format!("{parent} / {name}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_round_trip() {
        let ids = vec![NamespaceId(1), NamespaceId(5), NamespaceId(9)];
        let text = encode_traversal(&ids);
        assert_eq!(text, "/1/5/9/");
        assert_eq!(decode_traversal(&text), Some(ids));
        assert_eq!(decode_traversal("/"), Some(vec![]));
        assert_eq!(decode_traversal("1/2"), None);
        assert_eq!(decode_traversal("/1/x/"), None);
    }

    #[test]
    fn prefix_of_a_parent_does_not_match_a_sibling() {
        // `/1/5/` must not be a prefix of `/1/50/`.
        let parent = encode_traversal(&[NamespaceId(1), NamespaceId(5)]);
        let sibling = encode_traversal(&[NamespaceId(1), NamespaceId(50)]);
        assert!(!sibling.starts_with(&parent));
    }

    #[test]
    fn children_paths_and_names() {
        assert_eq!(child_full_path(None, "a"), "a");
        assert_eq!(child_full_path(Some("a/b"), "c"), "a/b/c");
        assert_eq!(child_full_name(Some("A / B"), "C"), "A / B / C");
    }

    #[test]
    fn kinds_round_trip() {
        for k in [NamespaceKind::User, NamespaceKind::Group] {
            assert_eq!(NamespaceKind::parse(k.as_str()), Some(k));
        }
    }
}
