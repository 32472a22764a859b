mod create_project;
mod delete_project;
mod get_project;
mod list_projects;
mod reset_runners_token;
mod update_project;

use paddock_domain::UserId;
use paddock_domain::names::FieldError;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::Page;
use paddock_ports::inbound::{
    CreateError, CreateProjectRequest, DeleteError, FindError, GroupRef, ProjectDetails,
    ProjectListItem, ProjectQuery, ProjectRef, ProjectUseCases, ResetTokenError, UpdateError,
};
use paddock_ports::outbound::ProjectChanges;

use crate::Paddock;

impl ProjectUseCases for Paddock {
    fn create_project(
        &self,
        actor: &Actor,
        request: CreateProjectRequest,
    ) -> Result<ProjectDetails, CreateError> {
        create_project::execute(&self.out, actor, request)
    }

    fn project(
        &self,
        actor: Option<&Actor>,
        project: &ProjectRef,
    ) -> Result<ProjectDetails, FindError> {
        get_project::execute(&self.out, actor, project)
    }

    fn projects(
        &self,
        actor: Option<&Actor>,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectListItem>, FindError> {
        list_projects::all(&self.out, actor, &query, page)
    }

    fn group_projects(
        &self,
        actor: Option<&Actor>,
        group: &GroupRef,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectListItem>, FindError> {
        list_projects::of_group(&self.out, actor, group, &query, page)
    }

    fn user_projects(
        &self,
        actor: Option<&Actor>,
        user: UserId,
        query: ProjectQuery,
        page: PageRequest,
    ) -> Result<Page<ProjectListItem>, FindError> {
        list_projects::of_user(&self.out, actor, user, &query, page)
    }

    fn update_project(
        &self,
        actor: &Actor,
        project: &ProjectRef,
        changes: ProjectChanges,
    ) -> Result<ProjectDetails, UpdateError> {
        let updated = update_project::execute(&self.out, actor, project, changes)?;
        // A project opened to shared or group runners offers its pending jobs to runners
        // that had none: they read their queues again.
        if updated.opened_to_runners {
            self.queues.requeue_all();
        }
        Ok(updated.details)
    }

    fn delete_project(&self, actor: &Actor, project: &ProjectRef) -> Result<(), DeleteError> {
        delete_project::execute(&self.out, actor, project)
    }

    fn reset_project_runners_token(
        &self,
        actor: &Actor,
        project: &ProjectRef,
    ) -> Result<PlainToken, ResetTokenError> {
        reset_runners_token::execute(&self.out, actor, project)
    }
}

/// The largest CI configuration accepted (the request body limit applies first).
pub(crate) const CI_CONFIG_MAX: usize = 1024 * 1024;
pub(crate) const DESCRIPTION_MAX: usize = 2000;

/// A git URL runners can clone: any non-empty text without whitespace or control characters
/// (remote URLs, `file://` URLs and local paths alike).
pub(crate) fn validate_repository_url(url: &str) -> Result<(), FieldError> {
    if url.is_empty()
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || url.len() > 2048
    {
        return Err(FieldError::new(
            "repository_url",
            "must be a git URL or path without spaces (at most 2048 characters)",
        ));
    }
    Ok(())
}

/// A branch name git accepts, roughly: no spaces or control characters, no `..`, not
/// starting with `-` or `/`, not ending with `/` or `.lock`.
pub(crate) fn validate_branch_name(field: &'static str, name: &str) -> Result<(), FieldError> {
    let bad = name.is_empty()
        || name.len() > 255
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "~^:?[\\".contains(c))
        || name.contains("..")
        || name.contains("@{")
        || name.starts_with('-')
        || name.starts_with('/')
        || name.ends_with('/')
        || name.ends_with(".lock");
    if bad {
        return Err(FieldError::new(field, "is not a valid branch name"));
    }
    Ok(())
}

pub(crate) fn validate_ci_config(config: &str) -> Result<(), FieldError> {
    if config.len() > CI_CONFIG_MAX {
        return Err(FieldError::new(
            "ci_config",
            "is too long (maximum is 1 MiB)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_urls() {
        for good in [
            "https://example.com/a.git",
            "file:///srv/git/a.git",
            "/srv/git/a.git",
            "git@host:a/b.git",
        ] {
            assert!(validate_repository_url(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "line\nbreak"] {
            assert!(validate_repository_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn branch_names() {
        for good in ["main", "release/1.0", "feature-x", "v1.2"] {
            assert!(
                validate_branch_name("default_branch", good).is_ok(),
                "{good}"
            );
        }
        for bad in ["", "a b", "a..b", "-x", "/x", "x/", "x.lock", "a:b", "a@{b"] {
            assert!(
                validate_branch_name("default_branch", bad).is_err(),
                "{bad}"
            );
        }
    }
}
