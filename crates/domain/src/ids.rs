//! Integer identifiers, one type per kind of record (GitLab's API exposes integer ids).

use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// A user.
    UserId
);
id_type!(
    /// A namespace: a group or a user's personal namespace. A group's id is its namespace id.
    NamespaceId
);
id_type!(
    /// A project.
    ProjectId
);
id_type!(
    /// A personal access token.
    TokenId
);
id_type!(
    /// A protected branch rule.
    ProtectedBranchId
);
id_type!(
    /// A pipeline.
    PipelineId
);
id_type!(
    /// A job (GitLab's build).
    JobId
);
id_type!(
    /// A project's CI/CD variable.
    VariableId
);

/// What a membership is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberSource {
    Group(NamespaceId),
    Project(ProjectId),
}
