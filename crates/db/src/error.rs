//! Diesel errors become `RepoError` here, at the adapter's boundary.

use diesel::result::{DatabaseErrorKind, Error};
use paddock_ports::RepoError;

/// Unique violations become `Conflict` naming the rule (taken from the index name, which
/// both backends report: `users_email_lower` → `email`); everything else is `Internal`.
pub(crate) fn map(error: Error) -> RepoError {
    match &error {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let source = info
                .constraint_name()
                .map(str::to_owned)
                .unwrap_or_else(|| info.message().to_owned());
            RepoError::Conflict(conflict_field(&source).to_owned())
        }
        // A referenced row went away meanwhile (deleted by a concurrent request).
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            RepoError::Conflict("reference".to_owned())
        }
        _ => internal(error),
    }
}

pub(crate) fn internal(error: impl std::fmt::Display) -> RepoError {
    RepoError::Internal(error.to_string())
}

fn conflict_field(source: &str) -> &'static str {
    // Index names (PostgreSQL, SQLite expression indexes) or SQLite's `table.column, ...`
    // list for plain-column indexes.
    const FIELDS: [(&str, &str); 11] = [
        ("job_artifacts", "artifact_type"),
        ("project_variables", "variable_key"),
        ("members.", "member"),
        ("protected_branches.", "name"),
        ("username", "username"),
        ("email", "email"),
        ("token_digest", "token"),
        ("namespace_name", "name"),
        ("project_name", "name"),
        ("_user", "member"),
        ("path", "path"),
    ];
    FIELDS
        .iter()
        .find(|(needle, _)| source.contains(needle))
        .map_or("unique", |(_, field)| field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_conflicts_from_index_names_and_sqlite_messages() {
        assert_eq!(conflict_field("users_username_lower"), "username");
        assert_eq!(
            conflict_field("UNIQUE constraint failed: index 'users_email_lower'"),
            "email"
        );
        assert_eq!(conflict_field("projects_namespace_name_lower"), "name");
        assert_eq!(conflict_field("projects_path_with_namespace_lower"), "path");
        assert_eq!(conflict_field("namespaces_full_path_lower"), "path");
        assert_eq!(conflict_field("members_project_user"), "member");
        assert_eq!(conflict_field("protected_branches_project_name"), "name");
        assert_eq!(
            conflict_field("personal_access_tokens_token_digest"),
            "token"
        );
        assert_eq!(
            conflict_field("UNIQUE constraint failed: members.namespace_id, members.user_id"),
            "member"
        );
        assert_eq!(
            conflict_field(
                "UNIQUE constraint failed: protected_branches.project_id, protected_branches.name"
            ),
            "name"
        );
        assert_eq!(
            conflict_field("project_variables_project_key_scope"),
            "variable_key"
        );
        assert_eq!(
            conflict_field(
                "UNIQUE constraint failed: project_variables.project_id, project_variables.key, project_variables.environment_scope"
            ),
            "variable_key"
        );
    }
}
