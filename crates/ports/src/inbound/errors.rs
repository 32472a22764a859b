use paddock_domain::names::FieldError;

use crate::RepoError;

/// The kind of record a `NotFound` is about; GitLab names it in `404 <What> Not Found`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    User,
    Group,
    Project,
    Namespace,
    Member,
    ProtectedBranch,
    Token,
    Runner,
    /// GitLab answers `404 Not found` for pipelines and jobs (a record lookup).
    Pipeline,
    Job,
    Variable,
    /// A job's artifacts (`404 Not found`, as GitLab's `not_found!`).
    Artifact,
}

impl What {
    /// Whether GitLab's 404 is the bare `404 Not found` of a failed record lookup rather than
    /// `404 <What> Not Found`.
    pub fn is_record_lookup(self) -> bool {
        matches!(self, What::Pipeline | What::Job | What::Artifact)
    }

    /// GitLab's label in its 404 message.
    pub fn label(self) -> &'static str {
        match self {
            What::User => "User",
            What::Group => "Group",
            What::Project => "Project",
            What::Namespace => "Namespace",
            What::Member => "Member",
            What::ProtectedBranch => "Protected Branch",
            What::Token => "Token",
            What::Runner => "Runner",
            What::Pipeline => "Pipeline",
            What::Job => "Job",
            What::Variable => "Variable",
            What::Artifact => "Artifact",
        }
    }
}

/// Reading one record or a list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("internal: {0}")]
    Internal(String),
}

/// Creating a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateError {
    /// The actor may not create it; the text says why when GitLab does.
    #[error("forbidden")]
    Forbidden(Option<&'static str>),
    /// Something it refers to does not exist or is not visible.
    #[error("{} not found", .0.label())]
    NotFound(What),
    /// Attributes break the model's rules (`has already been taken` included).
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    /// A unique attribute is taken where GitLab answers 409 (`Username has already been taken`).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// Changing a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden,
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("internal: {0}")]
    Internal(String),
}

/// Deleting a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden(Option<&'static str>),
    #[error("internal: {0}")]
    Internal(String),
}

/// Resetting a registration token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResetTokenError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden,
    #[error("internal: {0}")]
    Internal(String),
}

/// Reading and managing memberships.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("{} not found", .0.label())]
    NotFound(What),
    #[error("forbidden")]
    Forbidden(Option<&'static str>),
    #[error("member already exists")]
    AlreadyExists,
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("internal: {0}")]
    Internal(String),
}

macro_rules! internal_from_repo {
    ($($error:ident),*) => {
        $(
            impl From<RepoError> for $error {
                fn from(error: RepoError) -> Self {
                    $error::Internal(error.to_string())
                }
            }
        )*
    };
}

internal_from_repo!(
    FindError,
    CreateError,
    UpdateError,
    DeleteError,
    ResetTokenError,
    MemberError
);

macro_rules! find_into {
    ($($error:ident),*) => {
        $(
            impl From<FindError> for $error {
                fn from(error: FindError) -> Self {
                    match error {
                        FindError::NotFound(what) => $error::NotFound(what),
                        FindError::Internal(text) => $error::Internal(text),
                    }
                }
            }
        )*
    };
}

find_into!(
    CreateError,
    UpdateError,
    DeleteError,
    ResetTokenError,
    MemberError
);
