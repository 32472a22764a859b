//! The repository contract: what every implementation of the outbound repositories does, one
//! public function per behaviour.
//!
//! Each case gets the ports of a fresh, empty store and asserts with `assert!`/`assert_eq!`.
//! Times come from the store's clock (`out.clock.now()`, whole seconds) plus whole seconds or
//! microseconds, which both databases keep.
//!
//! [`contract_cases!`](crate::contract_cases) names every case, so that each backend runs each
//! one as its own `#[test]`: the in-memory store in `crates/testkit/tests/contract_memory.rs`,
//! SQLite and PostgreSQL in `crates/db/tests/contract.rs`. [`all_cases`] is the same list as
//! values.
//!
//! The cases of pipelines, jobs, CI/CD variables and artifacts are in the submodules, re-exported here.

mod artifacts;
mod job_runtime;
mod jobs;
mod pipelines;
mod variables;

pub use artifacts::*;
pub use job_runtime::*;
pub use jobs::*;
pub use pipelines::*;
pub use variables::*;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use paddock_domain::member::Membership;
use paddock_domain::namespace::{Namespace, NamespaceKind};
use paddock_domain::pagination::PageRequest;
use paddock_domain::personal_access_token::PersonalAccessToken;
use paddock_domain::project::Project;
use paddock_domain::protected_branch::BranchAccessLevel;
use paddock_domain::runner::filter::{ContactFilter, RunnerFilter, VersionPrefix};
use paddock_domain::runner::{
    AccessLevel, RegistrationType, Runner, RunnerId, RunnerInfo, RunnerManager, RunnerSettings,
    RunnerType, Tags,
};
use paddock_domain::token::TokenDigest;
use paddock_domain::user::{User, UserState};
use paddock_domain::{
    MemberSource, NamespaceId, ProjectId, Role, Scope, Scopes, TokenId, UserId, Visibility,
};
use paddock_ports::outbound::{
    Audience, ContactUpdate, GroupChanges, GroupFilter, GroupOrder, ManagerContact, MemberWithUser,
    NewGroup, NewPersonalAccessToken, NewProject, NewProtectedBranch, NewRunner, NewUser, Outbound,
    ParentFilter, ProjectChanges, ProjectFilter, ProjectOrder, RunnerChanges, RunnerQuery,
    RunnerSet, SealedToken, Sort, Unassigned, UserFilter,
};
use paddock_ports::{RepoError, RepoResult};

/// One behaviour, run on the ports of a fresh store.
pub type Case = fn(&Outbound);

/// Calls `$callback! { case, case, ... }` with the name of every contract case (each a
/// function in [`contract`](crate::contract)), so that a backend can make a `#[test]` of each.
#[macro_export]
macro_rules! contract_cases {
    ($callback:ident) => {
        $callback! {
            created_users_are_found_by_id_and_by_username_case_insensitively,
            usernames_are_unique_case_insensitively,
            emails_are_unique_case_insensitively,
            a_new_user_gets_a_personal_namespace,
            a_username_taken_by_a_top_level_group_conflicts,
            a_group_path_taken_by_a_username_conflicts,
            users_are_filtered_by_username_search_and_role,
            new_users_are_active,
            user_search_takes_like_wildcards_literally,
            users_are_sorted_by_id_and_paginated,
            deleting_a_user_removes_its_tokens_namespace_projects_and_memberships,
            deleting_a_user_clears_it_as_creator_of_what_others_keep,
            tokens_are_created_and_found_by_digest,
            tokens_of_a_user_are_listed_oldest_first,
            revoking_a_token_marks_it_revoked,
            touching_a_token_records_its_last_use,
            token_digests_are_unique,
            groups_are_created_top_level_and_nested,
            the_creator_of_a_group_becomes_its_owner,
            group_full_paths_are_unique_case_insensitively,
            namespaces_are_found_by_full_path_case_insensitively_and_by_ids,
            groups_are_filtered_by_parent,
            groups_are_searched_by_name_or_path_with_wildcards_taken_literally,
            groups_are_filtered_by_visibility,
            anonymous_visitors_see_only_public_groups,
            administrators_see_every_group,
            signed_in_users_see_open_groups_and_private_groups_they_belong_to,
            groups_are_filtered_by_membership_with_a_minimum_role,
            groups_are_ordered_by_name_path_or_id_in_either_direction,
            group_lists_are_paginated_with_totals,
            renaming_a_group_carries_the_new_path_and_name_down_the_tree,
            renaming_a_group_to_a_taken_path_conflicts,
            updating_a_group_changes_only_the_given_fields,
            updating_an_unknown_group_returns_none,
            deleting_a_group_removes_subgroups_projects_memberships_and_protected_branches,
            deleting_a_subgroup_keeps_its_parent_and_siblings,
            group_runners_tokens_are_read_and_replaced,
            projects_are_created_in_groups_and_personal_namespaces,
            a_creator_role_makes_the_creator_a_project_member,
            project_paths_are_unique_within_a_namespace_case_insensitively,
            project_names_are_unique_within_a_namespace_case_insensitively,
            a_project_path_taken_by_a_subgroup_conflicts,
            a_subgroup_path_taken_by_a_project_conflicts,
            creating_in_a_missing_namespace_is_an_internal_error,
            projects_are_found_by_full_path_case_insensitively,
            projects_are_filtered_by_namespace_with_or_without_descendants,
            projects_are_searched_by_name_or_path_with_wildcards_taken_literally,
            projects_are_filtered_by_visibility,
            anonymous_visitors_see_only_public_projects,
            administrators_see_every_project,
            signed_in_users_see_open_projects_and_private_projects_they_reach,
            projects_are_filtered_by_membership_with_a_minimum_role,
            projects_are_ordered_by_id_name_path_and_timestamps_in_either_direction,
            project_lists_are_paginated_with_totals,
            updating_a_project_changes_only_the_given_fields,
            updating_a_project_to_a_taken_path_or_name_conflicts,
            updating_an_unknown_project_returns_none,
            deleting_a_project_removes_its_memberships_and_protected_branches,
            project_runners_tokens_are_read_and_replaced,
            members_are_added_once_per_source_and_read_back,
            updating_a_member_sets_keeps_or_clears_the_expiry,
            removing_a_member_reports_whether_one_was_removed,
            members_are_listed_by_user_id_with_a_query_and_pages,
            memberships_of_a_user_cover_groups_and_projects,
            owners_are_counted_per_source,
            protected_branches_are_created_once_per_project_and_read_back,
            protected_branches_are_listed_by_id_in_pages,
            protected_branches_are_deleted_by_name,
            runners_of_every_type_are_created_and_read_back,
            creating_or_assigning_a_runner_for_a_missing_project_or_group_conflicts,
            runners_are_found_by_their_token_digest,
            a_new_runner_token_replaces_the_old_one,
            runner_token_digests_are_unique,
            updating_a_runner_changes_only_the_given_fields,
            deleting_a_runner_removes_its_tags_assignments_and_managers,
            runners_are_assigned_to_projects_once_each_in_order,
            unassigning_keeps_a_runner_at_least_one_project,
            recording_contacts_sets_the_contact_time_and_creates_then_updates_managers,
            runner_managers_are_listed_most_recently_contacted_first,
            managers_of_several_runners_are_read_together,
            runner_managers_are_deleted_by_system_id,
            every_runner_is_listed_by_id_in_pages_with_totals,
            managed_runners_are_those_of_maintained_projects_and_owned_groups,
            project_runner_lists_hold_assigned_group_and_instance_runners,
            group_runner_lists_hold_group_runners_of_the_given_groups,
            runners_are_filtered_by_type_and_active_flag,
            runners_are_filtered_by_contact_time,
            runners_are_filtered_by_tags_requiring_every_one,
            runners_are_filtered_by_the_version_of_any_of_their_managers,
            a_contradictory_filter_selects_nothing,
            projects_and_groups_are_found_by_their_runners_token,
            deleting_a_project_deletes_the_project_runners_it_leaves_without_a_project,
            deleting_a_group_deletes_its_group_runners_and_the_project_runners_it_orphans,
            deleting_a_user_deletes_the_runners_of_its_personal_projects,
            pipelines_are_created_with_their_jobs_and_read_back,
            pipeline_numbers_count_within_each_project,
            creating_a_pipeline_in_a_missing_project_conflicts,
            pipelines_are_filtered_by_status_ref_sha_source_user_and_update_time,
            pipelines_are_ordered_by_id_status_ref_update_time_or_user_in_either_direction,
            pipeline_lists_are_paginated_with_totals,
            a_pipeline_status_is_written_only_over_the_version_it_was_computed_from,
            deleting_a_pipeline_removes_its_jobs_and_their_logs,
            deleting_a_project_or_group_removes_its_pipelines_jobs_and_variables,
            deleting_a_user_keeps_pipelines_and_jobs_without_their_user,
            a_job_changes_status_only_from_the_given_statuses,
            changing_a_job_records_when_it_was_queued_and_finished,
            a_failing_change_records_the_reason_exit_code_and_allowed_failure,
            jobs_are_listed_by_project_or_pipeline_with_a_status_filter_in_pages,
            retried_jobs_are_listed_only_when_asked,
            jobs_of_a_runner_are_listed_optionally_restricted_to_projects,
            retrying_a_job_makes_a_new_try_and_marks_the_old_one_retried,
            a_job_is_retried_only_once,
            project_runners_are_offered_the_pending_jobs_of_their_projects,
            group_runners_are_offered_jobs_of_the_group_and_its_subgroups_that_allow_group_runners,
            instance_runners_are_offered_the_oldest_matching_job_of_each_project_that_allows_shared_runners,
            the_queue_offers_only_jobs_whose_tags_the_runner_has,
            untagged_jobs_are_offered_only_to_runners_that_run_untagged,
            protected_only_runners_are_offered_only_jobs_of_protected_refs,
            the_queue_is_oldest_first_by_id_and_limited,
            a_pending_job_is_assigned_exactly_once,
            assigned_jobs_are_found_by_their_token_digest,
            jobs_running_on_instance_runners_are_counted_per_project,
            deleting_a_runner_keeps_the_jobs_it_took_without_it,
            logs_are_appended_only_at_their_end,
            an_append_past_the_limit_writes_nothing,
            replacing_a_log_overwrites_it,
            logs_of_missing_jobs_are_none,
            job_secrets_are_kept_replaced_and_go_with_the_job,
            overdue_jobs_are_found_by_deadline_or_last_update_oldest_first,
            a_graceful_cancel_applies_only_to_jobs_of_runners_that_support_it,
            the_first_request_to_finish_is_kept,
            variables_are_created_and_read_back_with_sealed_values,
            variable_keys_are_unique_per_project_and_case_sensitive,
            creating_a_variable_in_a_missing_project_conflicts,
            variables_are_listed_by_key_in_pages,
            updating_a_variable_changes_only_the_given_fields,
            variables_are_deleted_by_key,
            artifacts_are_created_once_per_job_and_type_and_read_back,
            artifacts_of_several_jobs_are_read_together_by_job_and_type,
            expired_artifacts_are_found_soonest_first_and_limited,
            artifacts_are_deleted_one_by_key_or_all_of_a_job,
            artifacts_of_a_project_are_read_together,
            artifacts_go_with_their_job,
            the_instance_runners_token_is_initialised_only_once,
            setting_the_instance_runners_token_overwrites_it,
            the_storage_answers_a_ping,
        }
    };
}

macro_rules! case_list {
    ($($case:ident),* $(,)?) => {
        /// Every case with its name, in the order of [`contract_cases!`](crate::contract_cases).
        pub fn all_cases() -> Vec<(&'static str, Case)> {
            vec![$((stringify!($case), $case as Case)),*]
        }
    };
}

crate::contract_cases!(case_list);

// ----------------------------------------------------------------------------------------
// Builders
// ----------------------------------------------------------------------------------------

fn conflict(rule: &str) -> RepoError {
    RepoError::Conflict(rule.to_owned())
}

fn now(out: &Outbound) -> DateTime<Utc> {
    out.clock.now()
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

fn everything() -> PageRequest {
    PageRequest::new(Some(1), Some(100))
}

fn page(number: i64, per_page: i64) -> PageRequest {
    PageRequest::new(Some(number), Some(per_page))
}

fn sealed(label: &str) -> SealedToken {
    SealedToken {
        ciphertext: format!("sealed:{label}").into_bytes(),
        digest: TokenDigest::of(label),
    }
}

/// A registration token no other call has returned (the databases keep their digests unique).
fn fresh_token() -> SealedToken {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    sealed(&format!(
        "GR1348941{:020}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

fn new_user(out: &Outbound, username: &str, name: &str, email: &str) -> NewUser {
    NewUser {
        username: username.to_owned(),
        name: name.to_owned(),
        email: email.to_owned(),
        admin: false,
        created_at: now(out),
    }
}

fn user_named(out: &Outbound, username: &str, name: &str) -> User {
    let email = format!("{username}@example.com");
    out.users
        .create_user(new_user(out, username, name, &email))
        .expect("create a user")
}

/// A user whose name is the username with a capital letter.
fn user(out: &Outbound, username: &str) -> User {
    user_named(out, username, &capitalised(username))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn new_group(
    out: &Outbound,
    creator: &User,
    name: &str,
    path: &str,
    parent: Option<&Namespace>,
    visibility: Visibility,
) -> NewGroup {
    NewGroup {
        name: name.to_owned(),
        path: path.to_owned(),
        parent_id: parent.map(|p| p.id),
        description: String::new(),
        visibility,
        runners_token: fresh_token(),
        created_at: now(out),
        creator: creator.id,
    }
}

fn group_with(
    out: &Outbound,
    creator: &User,
    path: &str,
    parent: Option<&Namespace>,
    visibility: Visibility,
) -> Namespace {
    let new = new_group(out, creator, &capitalised(path), path, parent, visibility);
    out.namespaces.create_group(new).expect("create a group")
}

/// A private top-level group named after its path.
fn group(out: &Outbound, creator: &User, path: &str) -> Namespace {
    group_with(out, creator, path, None, Visibility::Private)
}

/// A private subgroup named after its path.
fn subgroup(out: &Outbound, creator: &User, parent: &Namespace, path: &str) -> Namespace {
    group_with(out, creator, path, Some(parent), Visibility::Private)
}

fn new_project(
    out: &Outbound,
    creator: &User,
    namespace: &Namespace,
    name: &str,
    path: &str,
    visibility: Visibility,
) -> NewProject {
    NewProject {
        name: name.to_owned(),
        path: path.to_owned(),
        description: String::new(),
        namespace_id: namespace.id,
        visibility,
        default_branch: "main".to_owned(),
        repository_url: None,
        ci_config: None,
        shared_runners_enabled: true,
        group_runners_enabled: true,
        creator_id: creator.id,
        runners_token: fresh_token(),
        created_at: now(out),
        creator_role: None,
    }
}

fn project_with(
    out: &Outbound,
    creator: &User,
    namespace: &Namespace,
    path: &str,
    visibility: Visibility,
) -> Project {
    let new = new_project(
        out,
        creator,
        namespace,
        &capitalised(path),
        path,
        visibility,
    );
    out.projects.create_project(new).expect("create a project")
}

/// A private project named after its path.
fn project(out: &Outbound, creator: &User, namespace: &Namespace, path: &str) -> Project {
    project_with(out, creator, namespace, path, Visibility::Private)
}

fn membership(
    out: &Outbound,
    source: MemberSource,
    user: &User,
    role: Role,
    expires_at: Option<DateTime<Utc>>,
) -> Membership {
    Membership {
        source,
        user_id: user.id,
        role,
        created_at: now(out),
        expires_at,
        created_by: None,
    }
}

fn join(out: &Outbound, source: MemberSource, user: &User, role: Role) {
    join_until(out, source, user, role, None);
}

fn join_until(
    out: &Outbound,
    source: MemberSource,
    user: &User,
    role: Role,
    expires_at: Option<DateTime<Utc>>,
) {
    let m = membership(out, source, user, role, expires_at);
    out.members.add_member(&m).expect("add a member");
}

fn in_group(group: &Namespace) -> MemberSource {
    MemberSource::Group(group.id)
}

fn in_project(project: &Project) -> MemberSource {
    MemberSource::Project(project.id)
}

fn new_token(out: &Outbound, user: &User, plain: &str) -> NewPersonalAccessToken {
    NewPersonalAccessToken {
        user_id: user.id,
        name: format!("token {plain}"),
        scopes: Scopes::new([Scope::Api]).expect("one scope"),
        digest: TokenDigest::of(plain),
        expires_at: None,
        created_at: now(out),
    }
}

fn token(out: &Outbound, user: &User, plain: &str) -> PersonalAccessToken {
    out.tokens
        .create_token(new_token(out, user, plain))
        .expect("create a token")
}

fn protect(out: &Outbound, project: &Project, name: &str) {
    let new = NewProtectedBranch {
        project_id: project.id,
        name: name.to_owned(),
        push_access_level: BranchAccessLevel::Maintainer,
        merge_access_level: BranchAccessLevel::Developer,
        allow_force_push: false,
        created_at: now(out),
    };
    out.protected_branches
        .create_protected_branch(new)
        .expect("protect a branch");
}

fn users_filter() -> UserFilter {
    UserFilter::default()
}

fn usernames(out: &Outbound, filter: &UserFilter) -> Vec<String> {
    let found = out.users.users(filter, everything()).expect("list users");
    found.items.into_iter().map(|u| u.username).collect()
}

/// Every group, by id.
fn groups_for(audience: Audience) -> GroupFilter {
    GroupFilter {
        audience,
        parent: ParentFilter::Any,
        search: None,
        member: None,
        visibility: None,
        order: GroupOrder::Id,
        sort: Sort::Asc,
    }
}

fn group_paths(out: &Outbound, filter: &GroupFilter) -> Vec<String> {
    let found = out
        .namespaces
        .groups(filter, everything())
        .expect("list groups");
    assert_eq!(
        found.total,
        found.items.len() as u64,
        "the total counts the list"
    );
    found.items.into_iter().map(|g| g.full_path).collect()
}

/// Every project, by id.
fn projects_for(audience: Audience) -> ProjectFilter {
    ProjectFilter {
        audience,
        namespace: None,
        search: None,
        visibility: None,
        member: None,
        order: ProjectOrder::Id,
        sort: Sort::Asc,
    }
}

fn project_paths(out: &Outbound, filter: &ProjectFilter) -> Vec<String> {
    let found = out
        .projects
        .projects(filter, everything())
        .expect("list projects");
    assert_eq!(
        found.total,
        found.items.len() as u64,
        "the total counts the list"
    );
    found
        .items
        .into_iter()
        .map(|p| p.path_with_namespace)
        .collect()
}

fn member_usernames(out: &Outbound, source: MemberSource, query: Option<&str>) -> Vec<String> {
    let found = out
        .members
        .members(source, query, everything())
        .expect("list members");
    found.items.into_iter().map(|m| m.user.username).collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// ----------------------------------------------------------------------------------------
// Users
// ----------------------------------------------------------------------------------------

pub fn created_users_are_found_by_id_and_by_username_case_insensitively(out: &Outbound) {
    let at = now(out);
    let new = NewUser {
        admin: true,
        ..new_user(out, "Alice", "Alice Liddell", "alice@example.com")
    };
    let alice = out.users.create_user(new).unwrap();
    assert_eq!(alice.username, "Alice");
    assert_eq!(alice.name, "Alice Liddell");
    assert_eq!(alice.email, "alice@example.com");
    assert!(alice.admin);
    assert_eq!(alice.state, UserState::Active);
    assert_eq!(alice.created_at, at);

    assert_eq!(out.users.user(alice.id).unwrap(), Some(alice.clone()));
    assert_eq!(
        out.users.user_by_username("Alice").unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        out.users.user_by_username("alice").unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        out.users.user_by_username("ALICE").unwrap(),
        Some(alice.clone())
    );
    assert_eq!(out.users.user_by_username("alic").unwrap(), None);
    assert_eq!(out.users.user(UserId(alice.id.0 + 1000)).unwrap(), None);
}

pub fn usernames_are_unique_case_insensitively(out: &Outbound) {
    user(out, "alice");
    let taken = out
        .users
        .create_user(new_user(out, "ALICE", "Other", "other@example.com"));
    assert_eq!(taken, Err(conflict("username")));
    assert_eq!(usernames(out, &users_filter()), ["alice"]);
    assert_eq!(out.users.user_by_username("other").unwrap(), None);
}

pub fn emails_are_unique_case_insensitively(out: &Outbound) {
    user(out, "alice");
    let taken = out
        .users
        .create_user(new_user(out, "bob", "Bob", "ALICE@Example.COM"));
    assert_eq!(taken, Err(conflict("email")));
    assert_eq!(usernames(out, &users_filter()), ["alice"]);
    // Nothing of the refused user stays behind, not even its namespace.
    assert_eq!(out.namespaces.namespace_by_full_path("bob").unwrap(), None);
    user(out, "bob");
}

pub fn a_new_user_gets_a_personal_namespace(out: &Outbound) {
    let at = now(out);
    let alice = user_named(out, "alice", "Alice Liddell");
    let namespace = out
        .namespaces
        .user_namespace(alice.id)
        .unwrap()
        .expect("a namespace");
    assert_eq!(namespace.kind, NamespaceKind::User);
    assert_eq!(namespace.path, "alice");
    assert_eq!(namespace.full_path, "alice");
    assert_eq!(namespace.name, "Alice Liddell");
    assert_eq!(namespace.full_name, "Alice Liddell");
    assert_eq!(namespace.parent_id, None);
    assert_eq!(namespace.owner_id, Some(alice.id));
    assert_eq!(namespace.traversal_ids, [namespace.id]);
    assert_eq!(namespace.created_at, at);

    assert_eq!(
        out.namespaces.namespace(namespace.id).unwrap(),
        Some(namespace.clone())
    );
    let by_path = out.namespaces.namespace_by_full_path("ALICE").unwrap();
    assert_eq!(by_path, Some(namespace.clone()));
    // It is not a group.
    assert!(group_paths(out, &groups_for(Audience::Everything)).is_empty());
    assert_eq!(
        out.namespaces
            .user_namespace(UserId(alice.id.0 + 1000))
            .unwrap(),
        None
    );
}

pub fn a_username_taken_by_a_top_level_group_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let platform = group(out, &owner, "platform");
    let taken = out
        .users
        .create_user(new_user(out, "Platform", "P", "p@example.com"));
    assert_eq!(taken, Err(conflict("username")));
    // A subgroup's path is not a top-level name.
    subgroup(out, &owner, &platform, "tools");
    user(out, "tools");
}

pub fn a_group_path_taken_by_a_username_conflicts(out: &Outbound) {
    let alice = user(out, "alice");
    let new = new_group(out, &alice, "Alice", "ALICE", None, Visibility::Public);
    assert_eq!(out.namespaces.create_group(new), Err(conflict("path")));
    assert!(group_paths(out, &groups_for(Audience::Everything)).is_empty());
}

pub fn users_are_filtered_by_username_search_and_role(out: &Outbound) {
    let create = |username: &str, name: &str, email: &str, admin: bool| {
        let new = NewUser {
            admin,
            ..new_user(out, username, name, email)
        };
        out.users.create_user(new).unwrap()
    };
    create("alice", "Alice Liddell", "alice@wonder.land", false);
    create("bob", "Bob Builder", "bob@site.org", true);
    create("carol", "Carol Danvers", "carol@alice.net", false);

    let by_username = |name: &str| UserFilter {
        username: Some(name.to_owned()),
        ..users_filter()
    };
    assert_eq!(usernames(out, &by_username("ALICE")), ["alice"]);
    assert!(usernames(out, &by_username("ali")).is_empty());

    let search = |q: &str| UserFilter {
        search: Some(q.to_owned()),
        ..users_filter()
    };
    assert_eq!(usernames(out, &search("ALIC")), ["alice", "carol"]);
    assert_eq!(usernames(out, &search("builder")), ["bob"]);
    assert_eq!(usernames(out, &search("SITE.org")), ["bob"]);
    assert!(usernames(out, &search("nobody")).is_empty());

    let admins = UserFilter {
        admins_only: true,
        ..users_filter()
    };
    assert_eq!(usernames(out, &admins), ["bob"]);
    let admins_named_alice = UserFilter {
        search: Some("alice".to_owned()),
        ..admins
    };
    assert!(usernames(out, &admins_named_alice).is_empty());
}

pub fn new_users_are_active(out: &Outbound) {
    user(out, "alice");
    user(out, "bob");
    let active = UserFilter {
        active_only: true,
        ..users_filter()
    };
    assert_eq!(usernames(out, &active), ["alice", "bob"]);
    let blocked = UserFilter {
        blocked_only: true,
        ..users_filter()
    };
    assert!(usernames(out, &blocked).is_empty());
}

pub fn user_search_takes_like_wildcards_literally(out: &Outbound) {
    let create = |username: &str, name: &str, email: &str| {
        out.users
            .create_user(new_user(out, username, name, email))
            .unwrap()
    };
    create("a_b", "Plain", "first@example.com");
    create("axb", "Completely 100% sure", "second@example.com");
    create("ab", "Back\\slash", "third@example.com");
    let search = |q: &str| {
        let filter = UserFilter {
            search: Some(q.to_owned()),
            ..users_filter()
        };
        usernames(out, &filter)
    };
    assert_eq!(search("a_b"), ["a_b"]);
    assert_eq!(search("_"), ["a_b"]);
    assert_eq!(search("%"), ["axb"]);
    assert_eq!(search("0% s"), ["axb"]);
    assert_eq!(search("\\"), ["ab"]);
    assert!(search("a%b").is_empty());
}

pub fn users_are_sorted_by_id_and_paginated(out: &Outbound) {
    let ids: Vec<UserId> = ["u1", "u2", "u3", "u4", "u5"]
        .iter()
        .map(|name| user(out, name).id)
        .collect();
    let list = |sort: Sort, page: PageRequest| {
        let filter = UserFilter {
            sort,
            ..users_filter()
        };
        let found = out.users.users(&filter, page).unwrap();
        (
            found.items.iter().map(|u| u.id).collect::<Vec<_>>(),
            found.total,
        )
    };
    assert_eq!(list(Sort::Asc, everything()), (ids.clone(), 5));
    let reversed: Vec<UserId> = ids.iter().rev().copied().collect();
    assert_eq!(list(Sort::Desc, everything()), (reversed, 5));
    assert_eq!(list(Sort::Asc, page(1, 2)), (vec![ids[0], ids[1]], 5));
    assert_eq!(list(Sort::Asc, page(3, 2)), (vec![ids[4]], 5));
    assert_eq!(list(Sort::Asc, page(4, 2)), (vec![], 5));
    assert_eq!(list(Sort::Desc, page(2, 2)), (vec![ids[2], ids[1]], 5));
    let filtered = UserFilter {
        search: Some("u".to_owned()),
        ..users_filter()
    };
    assert_eq!(out.users.users(&filtered, page(2, 3)).unwrap().total, 5);
}

pub fn deleting_a_user_removes_its_tokens_namespace_projects_and_memberships(out: &Outbound) {
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let team = group(out, &bob, "team");
    let app = project(out, &bob, &team, "app");
    join(out, in_group(&team), &alice, Role::Developer);
    join(out, in_project(&app), &alice, Role::Maintainer);
    let home = out
        .namespaces
        .user_namespace(alice.id)
        .unwrap()
        .expect("a namespace");
    let notes = project(out, &alice, &home, "notes");
    protect(out, &notes, "main");
    token(out, &alice, "glpat-alice");
    let bobs = token(out, &bob, "glpat-bob");

    assert_eq!(out.users.delete_user(alice.id), Ok(true));

    assert_eq!(out.users.user(alice.id).unwrap(), None);
    assert_eq!(out.users.user_by_username("alice").unwrap(), None);
    assert_eq!(
        out.tokens
            .token_by_digest(&TokenDigest::of("glpat-alice"))
            .unwrap(),
        None
    );
    assert!(out.tokens.tokens_of_user(alice.id).unwrap().is_empty());
    assert_eq!(out.namespaces.user_namespace(alice.id).unwrap(), None);
    assert_eq!(out.namespaces.namespace(home.id).unwrap(), None);
    assert_eq!(out.projects.project(notes.id).unwrap(), None);
    assert_eq!(
        out.projects.project_by_full_path("alice/notes").unwrap(),
        None
    );
    let branches = out
        .protected_branches
        .protected_branches(notes.id, everything());
    assert_eq!(branches.unwrap().total, 0);
    let sources = [in_group(&team), in_project(&app)];
    assert!(
        out.members
            .memberships_of(alice.id, &sources)
            .unwrap()
            .is_empty()
    );
    assert_eq!(member_usernames(out, in_group(&team), None), ["bob"]);
    assert!(member_usernames(out, in_project(&app), None).is_empty());

    // Everything of other users stays.
    assert_eq!(out.namespaces.namespace(team.id).unwrap(), Some(team));
    assert_eq!(out.projects.project(app.id).unwrap(), Some(app));
    assert_eq!(out.tokens.tokens_of_user(bob.id).unwrap(), [bobs]);

    assert_eq!(out.users.delete_user(alice.id), Ok(false));
    assert_eq!(out.users.delete_user(UserId(bob.id.0 + 1000)), Ok(false));
    // The username and its namespace path are free again.
    user(out, "alice");
}

pub fn deleting_a_user_clears_it_as_creator_of_what_others_keep(out: &Outbound) {
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let carol = user(out, "carol");
    let team = group(out, &bob, "team");
    join(out, in_group(&team), &alice, Role::Maintainer);
    let app = project(out, &alice, &team, "app");
    assert_eq!(app.creator_id, Some(alice.id));
    let added_by_alice = Membership {
        created_by: Some(alice.id),
        ..membership(out, in_group(&team), &carol, Role::Reporter, None)
    };
    out.members.add_member(&added_by_alice).unwrap();

    assert_eq!(out.users.delete_user(alice.id), Ok(true));

    let app = out
        .projects
        .project(app.id)
        .unwrap()
        .expect("the project stays");
    assert_eq!(app.creator_id, None);
    let carols = out.members.member(in_group(&team), carol.id).unwrap();
    let carols = carols.expect("the membership stays").membership;
    assert_eq!(carols.created_by, None);
    assert_eq!(carols.role, Role::Reporter);
}

// ----------------------------------------------------------------------------------------
// Personal access tokens
// ----------------------------------------------------------------------------------------

pub fn tokens_are_created_and_found_by_digest(out: &Outbound) {
    let alice = user(out, "alice");
    let at = now(out);
    let scopes = Scopes::new([Scope::ReadUser, Scope::Api]).unwrap();
    let new = NewPersonalAccessToken {
        user_id: alice.id,
        name: "ci".to_owned(),
        scopes: scopes.clone(),
        digest: TokenDigest::of("glpat-one"),
        expires_at: Some(at + Duration::days(30)),
        created_at: at,
    };
    let created = out.tokens.create_token(new).unwrap();
    assert_eq!(created.user_id, alice.id);
    assert_eq!(created.name, "ci");
    assert_eq!(created.scopes, scopes);
    assert_eq!(created.created_at, at);
    assert_eq!(created.expires_at, Some(at + Duration::days(30)));
    assert!(!created.revoked);
    assert_eq!(created.last_used_at, None);

    let found = out
        .tokens
        .token_by_digest(&TokenDigest::of("glpat-one"))
        .unwrap();
    assert_eq!(found, Some(created.clone()));
    assert_eq!(
        out.tokens
            .token_by_digest(&TokenDigest::of("glpat-two"))
            .unwrap(),
        None
    );

    let endless = token(out, &alice, "glpat-two");
    assert_eq!(endless.expires_at, None);
    let found = out
        .tokens
        .token_by_digest(&TokenDigest::of("glpat-two"))
        .unwrap();
    assert_eq!(found, Some(endless));
}

pub fn tokens_of_a_user_are_listed_oldest_first(out: &Outbound) {
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let first = token(out, &alice, "glpat-1");
    token(out, &bob, "glpat-2");
    let second = token(out, &alice, "glpat-3");
    assert_eq!(
        out.tokens.tokens_of_user(alice.id).unwrap(),
        [first, second]
    );
    assert!(
        out.tokens
            .tokens_of_user(UserId(bob.id.0 + 1000))
            .unwrap()
            .is_empty()
    );
}

pub fn revoking_a_token_marks_it_revoked(out: &Outbound) {
    let alice = user(out, "alice");
    let kept = token(out, &alice, "glpat-kept");
    let revoked = token(out, &alice, "glpat-revoked");
    assert_eq!(out.tokens.revoke_token(revoked.id), Ok(true));
    let found = out
        .tokens
        .token_by_digest(&TokenDigest::of("glpat-revoked"))
        .unwrap();
    assert!(found.expect("a revoked token is still found").revoked);
    let found = out
        .tokens
        .token_by_digest(&TokenDigest::of("glpat-kept"))
        .unwrap();
    assert_eq!(found, Some(kept));
    assert_eq!(
        out.tokens.revoke_token(TokenId(revoked.id.0 + 1000)),
        Ok(false)
    );
}

pub fn touching_a_token_records_its_last_use(out: &Outbound) {
    let alice = user(out, "alice");
    let created = token(out, &alice, "glpat-used");
    let first = now(out) + Duration::microseconds(90_123_456);
    out.tokens.touch_token(created.id, first).unwrap();
    let found = out
        .tokens
        .token_by_digest(&TokenDigest::of("glpat-used"))
        .unwrap();
    assert_eq!(found.expect("the token").last_used_at, Some(first));

    let later = first + secs(3600);
    out.tokens.touch_token(created.id, later).unwrap();
    let found = out.tokens.tokens_of_user(alice.id).unwrap();
    assert_eq!(found[0].last_used_at, Some(later));
    assert_eq!(
        out.tokens.touch_token(TokenId(created.id.0 + 1000), later),
        Ok(())
    );
}

pub fn token_digests_are_unique(out: &Outbound) {
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    token(out, &alice, "glpat-same");
    let again = out.tokens.create_token(new_token(out, &bob, "glpat-same"));
    assert_eq!(again, Err(conflict("token")));
    assert!(out.tokens.tokens_of_user(bob.id).unwrap().is_empty());
}

// ----------------------------------------------------------------------------------------
// Groups
// ----------------------------------------------------------------------------------------

pub fn groups_are_created_top_level_and_nested(out: &Outbound) {
    let owner = user(out, "owner");
    let at = now(out);
    let new = NewGroup {
        description: "The top".to_owned(),
        ..new_group(out, &owner, "Alpha", "alpha", None, Visibility::Internal)
    };
    let alpha = out.namespaces.create_group(new).unwrap();
    assert_eq!(alpha.kind, NamespaceKind::Group);
    assert_eq!(alpha.name, "Alpha");
    assert_eq!(alpha.path, "alpha");
    assert_eq!(alpha.full_path, "alpha");
    assert_eq!(alpha.full_name, "Alpha");
    assert_eq!(alpha.parent_id, None);
    assert_eq!(alpha.owner_id, None);
    assert_eq!(alpha.description, "The top");
    assert_eq!(alpha.visibility, Visibility::Internal);
    assert_eq!(alpha.traversal_ids, [alpha.id]);
    assert_eq!(alpha.created_at, at);

    let new = new_group(
        out,
        &owner,
        "Beta",
        "beta",
        Some(&alpha),
        Visibility::Private,
    );
    let beta = out.namespaces.create_group(new).unwrap();
    assert_eq!(beta.full_path, "alpha/beta");
    assert_eq!(beta.full_name, "Alpha / Beta");
    assert_eq!(beta.parent_id, Some(alpha.id));
    assert_eq!(beta.traversal_ids, [alpha.id, beta.id]);
    assert_eq!(beta.visibility, Visibility::Private);

    let new = new_group(
        out,
        &owner,
        "Gamma Ray",
        "gamma",
        Some(&beta),
        Visibility::Public,
    );
    let gamma = out.namespaces.create_group(new).unwrap();
    assert_eq!(gamma.full_path, "alpha/beta/gamma");
    assert_eq!(gamma.full_name, "Alpha / Beta / Gamma Ray");
    assert_eq!(gamma.parent_id, Some(beta.id));
    assert_eq!(gamma.traversal_ids, [alpha.id, beta.id, gamma.id]);

    for g in [&alpha, &beta, &gamma] {
        assert_eq!(out.namespaces.namespace(g.id).unwrap().as_ref(), Some(g));
    }
}

pub fn the_creator_of_a_group_becomes_its_owner(out: &Outbound) {
    let owner = user(out, "owner");
    let other = user(out, "other");
    let at = now(out);
    let team = group(out, &owner, "team");
    let found = out.members.member(in_group(&team), owner.id).unwrap();
    let found = found.expect("the creator is a member");
    assert_eq!(found.user, owner);
    assert_eq!(found.membership.source, in_group(&team));
    assert_eq!(found.membership.user_id, owner.id);
    assert_eq!(found.membership.role, Role::Owner);
    assert_eq!(found.membership.created_at, at);
    assert_eq!(found.membership.expires_at, None);
    assert_eq!(found.membership.created_by, Some(owner.id));
    assert_eq!(out.members.count_owners(in_group(&team)), Ok(1));

    // The creator of a subgroup owns it directly, whoever owns the parent.
    let sub = subgroup(out, &other, &team, "sub");
    assert_eq!(member_usernames(out, in_group(&sub), None), ["other"]);
    assert_eq!(member_usernames(out, in_group(&team), None), ["owner"]);
}

pub fn group_full_paths_are_unique_case_insensitively(out: &Outbound) {
    let owner = user(out, "owner");
    let alpha = group(out, &owner, "alpha");
    let again = new_group(out, &owner, "Other", "ALPHA", None, Visibility::Private);
    assert_eq!(out.namespaces.create_group(again), Err(conflict("path")));

    subgroup(out, &owner, &alpha, "beta");
    let again = new_group(
        out,
        &owner,
        "Other",
        "Beta",
        Some(&alpha),
        Visibility::Private,
    );
    assert_eq!(out.namespaces.create_group(again), Err(conflict("path")));

    // The same path elsewhere in the tree is fine.
    group(out, &owner, "beta");
    let other = group(out, &owner, "other");
    subgroup(out, &owner, &other, "beta");
    let all = group_paths(out, &groups_for(Audience::Everything));
    assert_eq!(all, ["alpha", "alpha/beta", "beta", "other", "other/beta"]);
    // A refused group left no membership behind.
    let owned = out.members.count_owners(in_group(&alpha)).unwrap();
    assert_eq!(owned, 1);
}

pub fn namespaces_are_found_by_full_path_case_insensitively_and_by_ids(out: &Outbound) {
    let owner = user(out, "owner");
    let alpha = group(out, &owner, "alpha");
    let beta = subgroup(out, &owner, &alpha, "beta");
    let find = |path: &str| out.namespaces.namespace_by_full_path(path).unwrap();
    assert_eq!(find("Alpha/BETA"), Some(beta.clone()));
    assert_eq!(find("alpha"), Some(alpha.clone()));
    assert_eq!(find("beta"), None);
    assert_eq!(find("alpha/gamma"), None);

    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    let missing = NamespaceId(beta.id.0 + 1000);
    let mut found = out
        .namespaces
        .namespaces(&[beta.id, missing, alpha.id, home.id])
        .unwrap();
    found.sort_by_key(|n| n.id);
    let mut expected = vec![home, alpha, beta];
    expected.sort_by_key(|n| n.id);
    assert_eq!(found, expected);
    assert!(out.namespaces.namespaces(&[]).unwrap().is_empty());
    assert_eq!(out.namespaces.namespace(missing).unwrap(), None);
}

pub fn groups_are_filtered_by_parent(out: &Outbound) {
    let owner = user(out, "owner");
    let a = group(out, &owner, "a");
    let b = subgroup(out, &owner, &a, "b");
    let c = subgroup(out, &owner, &b, "c");
    subgroup(out, &owner, &a, "d");
    let x = group(out, &owner, "x");
    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    let under = |parent: ParentFilter| {
        let filter = GroupFilter {
            parent,
            ..groups_for(Audience::Everything)
        };
        group_paths(out, &filter)
    };
    assert_eq!(under(ParentFilter::Any), ["a", "a/b", "a/b/c", "a/d", "x"]);
    assert_eq!(under(ParentFilter::TopLevel), ["a", "x"]);
    assert_eq!(under(ParentFilter::ChildrenOf(a.id)), ["a/b", "a/d"]);
    assert_eq!(under(ParentFilter::ChildrenOf(b.id)), ["a/b/c"]);
    assert!(under(ParentFilter::ChildrenOf(c.id)).is_empty());
    assert!(under(ParentFilter::ChildrenOf(home.id)).is_empty());
    assert_eq!(
        under(ParentFilter::DescendantsOf(a.id)),
        ["a/b", "a/b/c", "a/d"]
    );
    assert_eq!(under(ParentFilter::DescendantsOf(b.id)), ["a/b/c"]);
    assert!(under(ParentFilter::DescendantsOf(x.id)).is_empty());
    let missing = NamespaceId(x.id.0 + 1000);
    assert!(under(ParentFilter::DescendantsOf(missing)).is_empty());
    assert!(under(ParentFilter::ChildrenOf(missing)).is_empty());
}

pub fn groups_are_searched_by_name_or_path_with_wildcards_taken_literally(out: &Outbound) {
    let owner = user(out, "owner");
    let create = |name: &str, path: &str| {
        let new = new_group(out, &owner, name, path, None, Visibility::Private);
        out.namespaces.create_group(new).unwrap()
    };
    create("Frontend", "web");
    create("Backend", "api-server");
    create("Web_Tools", "tools");
    create("Sub-text", "subtext");
    create("50% Off", "sale");
    let search = |q: &str| {
        let filter = GroupFilter {
            search: Some(q.to_owned()),
            ..groups_for(Audience::Everything)
        };
        group_paths(out, &filter)
    };
    assert_eq!(search("WEB"), ["web", "tools"]);
    assert_eq!(search("end"), ["web", "api-server"]);
    assert_eq!(search("API"), ["api-server"]);
    assert_eq!(search("b_t"), ["tools"]);
    assert_eq!(search("%"), ["sale"]);
    assert!(search("nothing").is_empty());
}

pub fn groups_are_filtered_by_visibility(out: &Outbound) {
    let owner = user(out, "owner");
    let public = group_with(out, &owner, "public", None, Visibility::Public);
    group_with(out, &owner, "internal", None, Visibility::Internal);
    group_with(out, &owner, "private", None, Visibility::Private);
    group_with(out, &owner, "open", Some(&public), Visibility::Public);
    let only = |visibility: Visibility| {
        let filter = GroupFilter {
            visibility: Some(visibility),
            ..groups_for(Audience::Everything)
        };
        group_paths(out, &filter)
    };
    assert_eq!(only(Visibility::Public), ["public", "public/open"]);
    assert_eq!(only(Visibility::Internal), ["internal"]);
    assert_eq!(only(Visibility::Private), ["private"]);
}

/// Groups of every visibility, and `alice`'s memberships among them:
///
/// | group                | visibility | alice                        |
/// |----------------------|------------|------------------------------|
/// | `public`             | public     |                              |
/// | `internal`           | internal   |                              |
/// | `private`            | private    | guest                        |
/// | `private/sub`        | private    | (through `private`)          |
/// | `private/sub/deep`   | private    | (through `private`)          |
/// | `hidden`             | private    |                              |
/// | `hidden/team`        | private    | developer                    |
/// | `gone`               | private    | expired at `now`             |
/// | `late`               | private    | expires a second after `now` |
struct VisibilityTree {
    alice: User,
    bob: User,
}

fn visibility_tree(out: &Outbound) -> VisibilityTree {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let at = now(out);
    group_with(out, &owner, "public", None, Visibility::Public);
    group_with(out, &owner, "internal", None, Visibility::Internal);
    let private = group(out, &owner, "private");
    join(out, in_group(&private), &alice, Role::Guest);
    let sub = subgroup(out, &owner, &private, "sub");
    subgroup(out, &owner, &sub, "deep");
    let hidden = group(out, &owner, "hidden");
    let team = subgroup(out, &owner, &hidden, "team");
    join(out, in_group(&team), &alice, Role::Developer);
    let gone = group(out, &owner, "gone");
    join_until(out, in_group(&gone), &alice, Role::Owner, Some(at));
    let late = group(out, &owner, "late");
    join_until(
        out,
        in_group(&late),
        &alice,
        Role::Guest,
        Some(at + secs(1)),
    );
    VisibilityTree { alice, bob }
}

const EVERY_GROUP: [&str; 9] = [
    "public",
    "internal",
    "private",
    "private/sub",
    "private/sub/deep",
    "hidden",
    "hidden/team",
    "gone",
    "late",
];

pub fn anonymous_visitors_see_only_public_groups(out: &Outbound) {
    visibility_tree(out);
    assert_eq!(
        group_paths(out, &groups_for(Audience::Anonymous)),
        ["public"]
    );
}

pub fn administrators_see_every_group(out: &Outbound) {
    visibility_tree(out);
    assert_eq!(
        group_paths(out, &groups_for(Audience::Everything)),
        EVERY_GROUP
    );
}

/// Members see a private group through a membership of it or of an ancestor, never through a
/// membership of a subgroup, and never through an expired membership.
pub fn signed_in_users_see_open_groups_and_private_groups_they_belong_to(out: &Outbound) {
    let tree = visibility_tree(out);
    let at = now(out);
    let as_user = |user: &User| Audience::User {
        id: user.id,
        now: at,
    };
    let seen = group_paths(out, &groups_for(as_user(&tree.alice)));
    let expected = [
        "public",
        "internal",
        "private",
        "private/sub",
        "private/sub/deep",
        "hidden/team",
        "late",
    ];
    assert_eq!(seen, expected);
    let seen = group_paths(out, &groups_for(as_user(&tree.bob)));
    assert_eq!(seen, ["public", "internal"]);

    // A second later `late` has expired; a second earlier `gone` had not.
    let later = Audience::User {
        id: tree.alice.id,
        now: at + secs(1),
    };
    assert!(!group_paths(out, &groups_for(later)).contains(&"late".to_owned()));
    let earlier = Audience::User {
        id: tree.alice.id,
        now: at - secs(1),
    };
    assert!(group_paths(out, &groups_for(earlier)).contains(&"gone".to_owned()));
}

pub fn groups_are_filtered_by_membership_with_a_minimum_role(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let at = now(out);
    let dev = group(out, &bob, "dev");
    subgroup(out, &bob, &dev, "sub");
    let maint = group(out, &bob, "maint");
    let guest = group(out, &bob, "guest");
    let old = group(out, &bob, "old");
    group(out, &bob, "none");
    join(out, in_group(&dev), &alice, Role::Developer);
    join(out, in_group(&maint), &alice, Role::Maintainer);
    join(out, in_group(&guest), &alice, Role::Guest);
    join_until(
        out,
        in_group(&old),
        &alice,
        Role::Owner,
        Some(at - Duration::days(1)),
    );
    let member = |user: &User, role: Role, when: DateTime<Utc>| {
        let filter = GroupFilter {
            member: Some((user.id, role, when)),
            ..groups_for(Audience::Everything)
        };
        group_paths(out, &filter)
    };
    assert_eq!(
        member(&alice, Role::Guest, at),
        ["dev", "dev/sub", "maint", "guest"]
    );
    assert_eq!(
        member(&alice, Role::Developer, at),
        ["dev", "dev/sub", "maint"]
    );
    assert_eq!(member(&alice, Role::Maintainer, at), ["maint"]);
    assert!(member(&alice, Role::Owner, at).is_empty());
    assert_eq!(member(&alice, Role::Owner, at - Duration::days(2)), ["old"]);
    assert_eq!(
        member(&bob, Role::Owner, at),
        ["dev", "dev/sub", "maint", "guest", "old", "none"]
    );

    // The member filter narrows what the audience sees.
    let filter = GroupFilter {
        member: Some((alice.id, Role::Developer, at)),
        parent: ParentFilter::TopLevel,
        ..groups_for(Audience::User {
            id: alice.id,
            now: at,
        })
    };
    assert_eq!(group_paths(out, &filter), ["dev", "maint"]);
}

pub fn groups_are_ordered_by_name_path_or_id_in_either_direction(out: &Outbound) {
    let owner = user(out, "owner");
    let create = |name: &str, path: &str| {
        let new = new_group(out, &owner, name, path, None, Visibility::Private);
        out.namespaces.create_group(new).unwrap();
    };
    create("Beta", "zeta");
    create("Alpha", "yak");
    create("Beta", "alpha");
    create("Gamma", "beta");
    let ordered = |order: GroupOrder, sort: Sort| {
        let filter = GroupFilter {
            order,
            sort,
            ..groups_for(Audience::Everything)
        };
        group_paths(out, &filter)
    };
    // Equal names are ordered by id, in the same direction.
    assert_eq!(
        ordered(GroupOrder::Name, Sort::Asc),
        ["yak", "zeta", "alpha", "beta"]
    );
    assert_eq!(
        ordered(GroupOrder::Name, Sort::Desc),
        ["beta", "alpha", "zeta", "yak"]
    );
    assert_eq!(
        ordered(GroupOrder::Path, Sort::Asc),
        ["alpha", "beta", "yak", "zeta"]
    );
    assert_eq!(
        ordered(GroupOrder::Path, Sort::Desc),
        ["zeta", "yak", "beta", "alpha"]
    );
    assert_eq!(
        ordered(GroupOrder::Id, Sort::Asc),
        ["zeta", "yak", "alpha", "beta"]
    );
    assert_eq!(
        ordered(GroupOrder::Id, Sort::Desc),
        ["beta", "alpha", "yak", "zeta"]
    );
}

pub fn group_lists_are_paginated_with_totals(out: &Outbound) {
    let owner = user(out, "owner");
    let g1 = group(out, &owner, "g1");
    for path in ["g2", "g3", "g4", "g5"] {
        group(out, &owner, path);
    }
    subgroup(out, &owner, &g1, "child");
    let list = |filter: &GroupFilter, page: PageRequest| {
        let found = out.namespaces.groups(filter, page).unwrap();
        let paths: Vec<String> = found.items.into_iter().map(|g| g.full_path).collect();
        (paths, found.total)
    };
    let top = GroupFilter {
        parent: ParentFilter::TopLevel,
        ..groups_for(Audience::Everything)
    };
    assert_eq!(list(&top, page(1, 2)), (strings(&["g1", "g2"]), 5));
    assert_eq!(list(&top, page(2, 2)), (strings(&["g3", "g4"]), 5));
    assert_eq!(list(&top, page(3, 2)), (strings(&["g5"]), 5));
    assert_eq!(list(&top, page(4, 2)), (vec![], 5));
    let all = groups_for(Audience::Everything);
    assert_eq!(list(&all, page(2, 5)), (strings(&["g1/child"]), 6));
}

pub fn renaming_a_group_carries_the_new_path_and_name_down_the_tree(out: &Outbound) {
    let owner = user(out, "owner");
    let alpha = group(out, &owner, "alpha");
    let beta = subgroup(out, &owner, &alpha, "beta");
    let gamma = subgroup(out, &owner, &beta, "gamma");
    let alphabet = group(out, &owner, "alphabet");
    let pa = project(out, &owner, &alpha, "pa");
    let pb = project(out, &owner, &beta, "pb");
    let pc = project(out, &owner, &gamma, "pc");
    let px = project(out, &owner, &alphabet, "px");
    let group_now = |g: &Namespace| {
        let found = out.namespaces.namespace(g.id).unwrap().expect("the group");
        (found.full_path, found.full_name)
    };
    let project_now = |p: &Project| {
        let found = out.projects.project(p.id).unwrap().expect("the project");
        (found.path_with_namespace, found.name_with_namespace)
    };
    let pair = |path: &str, name: &str| (path.to_owned(), name.to_owned());

    let changes = GroupChanges {
        name: Some("Ömega".to_owned()),
        path: Some("omega".to_owned()),
        ..GroupChanges::default()
    };
    let renamed = out.namespaces.update_group(alpha.id, &changes).unwrap();
    let renamed = renamed.expect("the group exists");
    assert_eq!(
        (renamed.name.as_str(), renamed.path.as_str()),
        ("Ömega", "omega")
    );
    assert_eq!(
        (renamed.full_path.as_str(), renamed.full_name.as_str()),
        ("omega", "Ömega")
    );
    assert_eq!(renamed.traversal_ids, alpha.traversal_ids);
    assert_eq!(group_now(&beta), pair("omega/beta", "Ömega / Beta"));
    assert_eq!(
        group_now(&gamma),
        pair("omega/beta/gamma", "Ömega / Beta / Gamma")
    );
    assert_eq!(project_now(&pa), pair("omega/pa", "Ömega / Pa"));
    assert_eq!(project_now(&pb), pair("omega/beta/pb", "Ömega / Beta / Pb"));
    assert_eq!(
        project_now(&pc),
        pair("omega/beta/gamma/pc", "Ömega / Beta / Gamma / Pc")
    );
    // A group whose path merely starts the same is left alone.
    assert_eq!(group_now(&alphabet), pair("alphabet", "Alphabet"));
    assert_eq!(project_now(&px), pair("alphabet/px", "Alphabet / Px"));
    let find = |path: &str| out.namespaces.namespace_by_full_path(path).unwrap();
    assert_eq!(find("alpha/beta"), None);
    assert_eq!(find("OMEGA/beta").map(|g| g.id), Some(beta.id));
    let found = out
        .projects
        .project_by_full_path("omega/beta/gamma/pc")
        .unwrap();
    assert_eq!(found.map(|p| p.id), Some(pc.id));

    // Renaming a middle group moves only what lies below it.
    let changes = GroupChanges {
        path: Some("b2".to_owned()),
        ..GroupChanges::default()
    };
    out.namespaces.update_group(beta.id, &changes).unwrap();
    assert_eq!(group_now(&alpha), pair("omega", "Ömega"));
    assert_eq!(group_now(&beta), pair("omega/b2", "Ömega / Beta"));
    assert_eq!(
        group_now(&gamma),
        pair("omega/b2/gamma", "Ömega / Beta / Gamma")
    );
    assert_eq!(project_now(&pa), pair("omega/pa", "Ömega / Pa"));
    assert_eq!(
        project_now(&pc),
        pair("omega/b2/gamma/pc", "Ömega / Beta / Gamma / Pc")
    );

    // A new name alone changes full names only; an old name of several bytes per character
    // is cut at the right place.
    let changes = GroupChanges {
        name: Some("Omega Prime".to_owned()),
        ..GroupChanges::default()
    };
    out.namespaces.update_group(alpha.id, &changes).unwrap();
    assert_eq!(group_now(&alpha), pair("omega", "Omega Prime"));
    assert_eq!(
        group_now(&gamma),
        pair("omega/b2/gamma", "Omega Prime / Beta / Gamma")
    );
    assert_eq!(
        project_now(&pc),
        pair("omega/b2/gamma/pc", "Omega Prime / Beta / Gamma / Pc")
    );
    assert_eq!(
        project_now(&pb),
        pair("omega/b2/pb", "Omega Prime / Beta / Pb")
    );
}

pub fn renaming_a_group_to_a_taken_path_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let a = group(out, &owner, "a");
    let b = subgroup(out, &owner, &a, "b");
    subgroup(out, &owner, &a, "c");
    project(out, &owner, &a, "p");
    group(out, &owner, "x");
    let rename = |g: &Namespace, path: &str| {
        let changes = GroupChanges {
            path: Some(path.to_owned()),
            ..GroupChanges::default()
        };
        out.namespaces.update_group(g.id, &changes)
    };
    assert_eq!(rename(&b, "c"), Err(conflict("path")));
    assert_eq!(rename(&b, "C"), Err(conflict("path")));
    assert_eq!(rename(&b, "P"), Err(conflict("path")));
    assert_eq!(rename(&a, "X"), Err(conflict("path")));
    assert_eq!(rename(&a, "owner"), Err(conflict("path")));
    assert_eq!(out.namespaces.namespace(b.id).unwrap(), Some(b.clone()));
    assert_eq!(out.namespaces.namespace(a.id).unwrap(), Some(a.clone()));

    // A group keeps its own path, or changes its case.
    let same = rename(&b, "b").unwrap().expect("the group");
    assert_eq!(same.full_path, "a/b");
    let upper = rename(&b, "B").unwrap().expect("the group");
    assert_eq!(upper.full_path, "a/B");
}

pub fn updating_a_group_changes_only_the_given_fields(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let unchanged = out
        .namespaces
        .update_group(team.id, &GroupChanges::default());
    assert_eq!(unchanged, Ok(Some(team.clone())));

    let changes = GroupChanges {
        description: Some("What we do".to_owned()),
        ..GroupChanges::default()
    };
    let described = out.namespaces.update_group(team.id, &changes).unwrap();
    let expected = Namespace {
        description: "What we do".to_owned(),
        ..team.clone()
    };
    assert_eq!(described, Some(expected.clone()));

    let changes = GroupChanges {
        visibility: Some(Visibility::Public),
        ..GroupChanges::default()
    };
    let opened = out.namespaces.update_group(team.id, &changes).unwrap();
    let expected = Namespace {
        visibility: Visibility::Public,
        ..expected
    };
    assert_eq!(opened, Some(expected.clone()));
    assert_eq!(out.namespaces.namespace(team.id).unwrap(), Some(expected));
}

pub fn updating_an_unknown_group_returns_none(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let changes = GroupChanges {
        name: Some("Ghost".to_owned()),
        ..GroupChanges::default()
    };
    let missing = NamespaceId(team.id.0 + 1000);
    assert_eq!(out.namespaces.update_group(missing, &changes), Ok(None));
}

pub fn deleting_a_group_removes_subgroups_projects_memberships_and_protected_branches(
    out: &Outbound,
) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let a = group(out, &owner, "a");
    let b = subgroup(out, &owner, &a, "b");
    let c = subgroup(out, &owner, &b, "c");
    let keep = group(out, &owner, "keep");
    let pa = project(out, &owner, &a, "pa");
    let pc = project(out, &owner, &c, "pc");
    let pk = project(out, &owner, &keep, "pk");
    protect(out, &pc, "main");
    protect(out, &pk, "main");
    join(out, in_group(&b), &alice, Role::Developer);
    join(out, in_project(&pc), &alice, Role::Reporter);
    join(out, in_group(&keep), &alice, Role::Guest);

    assert_eq!(out.namespaces.delete_group(a.id), Ok(true));

    for g in [&a, &b, &c] {
        assert_eq!(out.namespaces.namespace(g.id).unwrap(), None);
        assert_eq!(
            out.members
                .members(in_group(g), None, everything())
                .unwrap()
                .total,
            0
        );
    }
    assert_eq!(out.namespaces.namespace_by_full_path("a/b").unwrap(), None);
    for p in [&pa, &pc] {
        assert_eq!(out.projects.project(p.id).unwrap(), None);
    }
    assert_eq!(
        out.protected_branches
            .protected_branch(pc.id, "main")
            .unwrap(),
        None
    );
    let gone = [in_group(&a), in_group(&b), in_group(&c), in_project(&pc)];
    assert!(
        out.members
            .memberships_of(alice.id, &gone)
            .unwrap()
            .is_empty()
    );
    assert!(
        out.members
            .memberships_of(owner.id, &gone)
            .unwrap()
            .is_empty()
    );

    // The rest of the tree is untouched.
    assert_eq!(
        group_paths(out, &groups_for(Audience::Everything)),
        ["keep"]
    );
    assert_eq!(out.projects.project(pk.id).unwrap(), Some(pk.clone()));
    assert!(
        out.protected_branches
            .protected_branch(pk.id, "main")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        member_usernames(out, in_group(&keep), None),
        ["owner", "alice"]
    );

    assert_eq!(out.namespaces.delete_group(a.id), Ok(false));
    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    assert_eq!(out.namespaces.delete_group(home.id), Ok(false));
    assert!(out.namespaces.namespace(home.id).unwrap().is_some());
}

pub fn deleting_a_subgroup_keeps_its_parent_and_siblings(out: &Outbound) {
    let owner = user(out, "owner");
    let a = group(out, &owner, "a");
    let b = subgroup(out, &owner, &a, "b");
    subgroup(out, &owner, &b, "c");
    subgroup(out, &owner, &a, "d");
    let pa = project(out, &owner, &a, "pa");
    project(out, &owner, &b, "pb");
    assert_eq!(out.namespaces.delete_group(b.id), Ok(true));
    assert_eq!(
        group_paths(out, &groups_for(Audience::Everything)),
        ["a", "a/d"]
    );
    assert_eq!(
        project_paths(out, &projects_for(Audience::Everything)),
        ["a/pa"]
    );
    assert_eq!(out.projects.project(pa.id).unwrap(), Some(pa));
    assert_eq!(out.members.count_owners(in_group(&a)), Ok(1));
}

pub fn group_runners_tokens_are_read_and_replaced(out: &Outbound) {
    let owner = user(out, "owner");
    let first = fresh_token();
    let new = NewGroup {
        runners_token: first.clone(),
        ..new_group(out, &owner, "Team", "team", None, Visibility::Private)
    };
    let team = out.namespaces.create_group(new).unwrap();
    assert_eq!(out.namespaces.group_runners_token(team.id), Ok(Some(first)));
    let second = fresh_token();
    assert_eq!(
        out.namespaces.set_group_runners_token(team.id, &second),
        Ok(true)
    );
    assert_eq!(
        out.namespaces.group_runners_token(team.id),
        Ok(Some(second))
    );

    let missing = NamespaceId(team.id.0 + 1000);
    assert_eq!(out.namespaces.group_runners_token(missing), Ok(None));
    assert_eq!(
        out.namespaces
            .set_group_runners_token(missing, &fresh_token()),
        Ok(false)
    );
    // A personal namespace has none and takes none.
    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    assert_eq!(out.namespaces.group_runners_token(home.id), Ok(None));
    assert_eq!(
        out.namespaces
            .set_group_runners_token(home.id, &fresh_token()),
        Ok(false)
    );
    assert_eq!(out.namespaces.group_runners_token(home.id), Ok(None));
}

// ----------------------------------------------------------------------------------------
// Projects
// ----------------------------------------------------------------------------------------

pub fn projects_are_created_in_groups_and_personal_namespaces(out: &Outbound) {
    let owner = user_named(out, "owner", "Owner Name");
    let team = group(out, &owner, "team");
    let core = subgroup(out, &owner, &team, "core");
    let at = now(out);
    let token = fresh_token();
    let new = NewProject {
        description: "Makes it go".to_owned(),
        repository_url: Some("https://git.example.com/engine.git".to_owned()),
        ci_config: Some("build:\n  script: make\n".to_owned()),
        default_branch: "trunk".to_owned(),
        group_runners_enabled: false,
        runners_token: token.clone(),
        ..new_project(out, &owner, &core, "Engine", "engine", Visibility::Internal)
    };
    let engine = out.projects.create_project(new).unwrap();
    assert_eq!(engine.name, "Engine");
    assert_eq!(engine.path, "engine");
    assert_eq!(engine.description, "Makes it go");
    assert_eq!(engine.namespace_id, core.id);
    assert_eq!(engine.path_with_namespace, "team/core/engine");
    assert_eq!(engine.name_with_namespace, "Team / Core / Engine");
    assert_eq!(engine.visibility, Visibility::Internal);
    assert_eq!(engine.default_branch, "trunk");
    let url = engine.repository_url.as_deref();
    assert_eq!(url, Some("https://git.example.com/engine.git"));
    assert_eq!(
        engine.ci_config.as_deref(),
        Some("build:\n  script: make\n")
    );
    assert!(engine.shared_runners_enabled);
    assert!(!engine.group_runners_enabled);
    assert_eq!(engine.creator_id, Some(owner.id));
    assert_eq!(engine.created_at, at);
    assert_eq!(engine.updated_at, at);
    assert_eq!(
        out.projects.project(engine.id).unwrap(),
        Some(engine.clone())
    );
    assert_eq!(
        out.projects.project_runners_token(engine.id),
        Ok(Some(token))
    );

    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    let notes = project(out, &owner, &home, "notes");
    assert_eq!(notes.namespace_id, home.id);
    assert_eq!(notes.path_with_namespace, "owner/notes");
    assert_eq!(notes.name_with_namespace, "Owner Name / Notes");
    assert_eq!(notes.repository_url, None);
    assert_eq!(notes.ci_config, None);
    assert_eq!(out.projects.project(notes.id).unwrap(), Some(notes));
}

pub fn a_creator_role_makes_the_creator_a_project_member(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let at = now(out);
    let new = NewProject {
        creator_role: Some(Role::Maintainer),
        ..new_project(out, &owner, &team, "App", "app", Visibility::Private)
    };
    let app = out.projects.create_project(new).unwrap();
    let found = out.members.member(in_project(&app), owner.id).unwrap();
    let found = found.expect("the creator is a member").membership;
    assert_eq!(found.role, Role::Maintainer);
    assert_eq!(found.created_at, at);
    assert_eq!(found.expires_at, None);
    assert_eq!(found.created_by, Some(owner.id));

    let lib = project(out, &owner, &team, "lib");
    assert_eq!(out.members.member(in_project(&lib), owner.id), Ok(None));
}

pub fn project_paths_are_unique_within_a_namespace_case_insensitively(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let other = group(out, &owner, "other");
    project(out, &owner, &team, "app");
    let again = new_project(out, &owner, &team, "Another", "APP", Visibility::Private);
    assert_eq!(out.projects.create_project(again), Err(conflict("path")));
    project(out, &owner, &other, "app");
    let all = project_paths(out, &projects_for(Audience::Everything));
    assert_eq!(all, ["team/app", "other/app"]);
}

pub fn project_names_are_unique_within_a_namespace_case_insensitively(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let other = group(out, &owner, "other");
    let create = |namespace: &Namespace, name: &str, path: &str| {
        let new = new_project(out, &owner, namespace, name, path, Visibility::Private);
        out.projects.create_project(new)
    };
    create(&team, "App", "app").unwrap();
    assert_eq!(create(&team, "app", "app2"), Err(conflict("name")));
    create(&other, "App", "app").unwrap();
    let all = project_paths(out, &projects_for(Audience::Everything));
    assert_eq!(all, ["team/app", "other/app"]);
}

pub fn a_project_path_taken_by_a_subgroup_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    subgroup(out, &owner, &team, "tools");
    let new = new_project(out, &owner, &team, "Tools", "Tools", Visibility::Private);
    assert_eq!(out.projects.create_project(new), Err(conflict("path")));
    assert!(project_paths(out, &projects_for(Audience::Everything)).is_empty());
}

pub fn a_subgroup_path_taken_by_a_project_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    project(out, &owner, &team, "app");
    let new = new_group(out, &owner, "App", "APP", Some(&team), Visibility::Private);
    assert_eq!(out.namespaces.create_group(new), Err(conflict("path")));
    assert_eq!(
        group_paths(out, &groups_for(Audience::Everything)),
        ["team"]
    );
}

/// The caller checks the namespace first; a namespace deleted meanwhile is a storage failure.
pub fn creating_in_a_missing_namespace_is_an_internal_error(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let gone = group(out, &owner, "gone");
    assert_eq!(out.namespaces.delete_group(gone.id), Ok(true));
    let new = new_group(out, &owner, "Sub", "sub", Some(&gone), Visibility::Private);
    let refused = out.namespaces.create_group(new);
    assert!(
        matches!(refused, Err(RepoError::Internal(_))),
        "{refused:?}"
    );
    let new = new_project(out, &owner, &gone, "App", "app", Visibility::Private);
    let refused = out.projects.create_project(new);
    assert!(
        matches!(refused, Err(RepoError::Internal(_))),
        "{refused:?}"
    );
    assert_eq!(
        group_paths(out, &groups_for(Audience::Everything)),
        ["team"]
    );
    assert!(project_paths(out, &projects_for(Audience::Everything)).is_empty());
    assert_eq!(out.members.count_owners(in_group(&team)), Ok(1));
}

pub fn projects_are_found_by_full_path_case_insensitively(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let core = subgroup(out, &owner, &team, "core");
    let engine = project(out, &owner, &core, "engine");
    let find = |path: &str| out.projects.project_by_full_path(path).unwrap();
    assert_eq!(find("TEAM/Core/ENGINE"), Some(engine.clone()));
    assert_eq!(find("team/core/engine"), Some(engine.clone()));
    assert_eq!(find("team/engine"), None);
    assert_eq!(find("team/core"), None);
    assert_eq!(
        out.projects.project(ProjectId(engine.id.0 + 1000)),
        Ok(None)
    );
}

pub fn projects_are_filtered_by_namespace_with_or_without_descendants(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let core = subgroup(out, &owner, &team, "core");
    let deep = subgroup(out, &owner, &core, "deep");
    let other = group(out, &owner, "other");
    let home = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    for (namespace, path) in [
        (&team, "p1"),
        (&core, "p2"),
        (&deep, "p3"),
        (&other, "p4"),
        (&home, "p5"),
    ] {
        project(out, &owner, namespace, path);
    }
    let within = |namespace: NamespaceId, descendants: bool| {
        let filter = ProjectFilter {
            namespace: Some((namespace, descendants)),
            ..projects_for(Audience::Everything)
        };
        project_paths(out, &filter)
    };
    assert_eq!(within(team.id, false), ["team/p1"]);
    assert_eq!(
        within(team.id, true),
        ["team/p1", "team/core/p2", "team/core/deep/p3"]
    );
    assert_eq!(within(core.id, true), ["team/core/p2", "team/core/deep/p3"]);
    assert_eq!(within(core.id, false), ["team/core/p2"]);
    assert_eq!(within(other.id, true), ["other/p4"]);
    assert_eq!(within(home.id, false), ["owner/p5"]);
    assert_eq!(within(home.id, true), ["owner/p5"]);
    assert!(within(NamespaceId(home.id.0 + 1000), true).is_empty());
    assert!(within(NamespaceId(home.id.0 + 1000), false).is_empty());
    assert_eq!(
        project_paths(out, &projects_for(Audience::Everything)).len(),
        5
    );
}

pub fn projects_are_searched_by_name_or_path_with_wildcards_taken_literally(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let create = |name: &str, path: &str| {
        let new = new_project(out, &owner, &team, name, path, Visibility::Private);
        out.projects.create_project(new).unwrap();
    };
    create("Frontend", "web");
    create("Backend", "api-server");
    create("Web_Tools", "tools");
    create("Sub-text", "subtext");
    create("50% Off", "sale");
    let search = |q: &str| {
        let filter = ProjectFilter {
            search: Some(q.to_owned()),
            ..projects_for(Audience::Everything)
        };
        project_paths(out, &filter)
    };
    assert_eq!(search("WEB"), ["team/web", "team/tools"]);
    assert_eq!(search("end"), ["team/web", "team/api-server"]);
    assert_eq!(search("b_t"), ["team/tools"]);
    assert_eq!(search("%"), ["team/sale"]);
    // The namespace's path is not searched.
    assert!(search("team").is_empty());
}

pub fn projects_are_filtered_by_visibility(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    project_with(out, &owner, &team, "public", Visibility::Public);
    project_with(out, &owner, &team, "internal", Visibility::Internal);
    project_with(out, &owner, &team, "private", Visibility::Private);
    let only = |visibility: Visibility| {
        let filter = ProjectFilter {
            visibility: Some(visibility),
            ..projects_for(Audience::Everything)
        };
        project_paths(out, &filter)
    };
    assert_eq!(only(Visibility::Public), ["team/public"]);
    assert_eq!(only(Visibility::Internal), ["team/internal"]);
    assert_eq!(only(Visibility::Private), ["team/private"]);
}

/// Projects of every visibility, and how `alice` reaches them:
///
/// | project                | visibility | alice                             |
/// |------------------------|------------|-----------------------------------|
/// | `open/pub`             | public     |                                   |
/// | `open/int`             | internal   |                                   |
/// | `open/priv`            | private    |                                   |
/// | `closed/inherited`     | private    | reporter of `closed`              |
/// | `closed/sub/deep`      | private    | reporter of `closed`              |
/// | `hidden/direct`        | private    | guest of the project              |
/// | `hidden/other`         | private    |                                   |
/// | `hidden/expired`       | private    | guest of the project, expired     |
/// | `team/top`             | private    | developer of `team/a` only        |
/// | `alice/mine`           | private    | her own namespace                 |
/// | `owner/secret`         | private    |                                   |
struct ProjectTree {
    alice: User,
    carol: User,
}

fn project_tree(out: &Outbound) -> ProjectTree {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let carol = user(out, "carol");
    let at = now(out);
    let open = group_with(out, &owner, "open", None, Visibility::Public);
    project_with(out, &owner, &open, "pub", Visibility::Public);
    project_with(out, &owner, &open, "int", Visibility::Internal);
    project(out, &owner, &open, "priv");
    let closed = group(out, &owner, "closed");
    join(out, in_group(&closed), &alice, Role::Reporter);
    project(out, &owner, &closed, "inherited");
    let sub = subgroup(out, &owner, &closed, "sub");
    project(out, &owner, &sub, "deep");
    let hidden = group(out, &owner, "hidden");
    let direct = project(out, &owner, &hidden, "direct");
    join(out, in_project(&direct), &alice, Role::Guest);
    project(out, &owner, &hidden, "other");
    let expired = project(out, &owner, &hidden, "expired");
    join_until(out, in_project(&expired), &alice, Role::Owner, Some(at));
    let team = group(out, &owner, "team");
    let a = subgroup(out, &owner, &team, "a");
    join(out, in_group(&a), &alice, Role::Developer);
    project(out, &owner, &team, "top");
    let alices = out
        .namespaces
        .user_namespace(alice.id)
        .unwrap()
        .expect("a namespace");
    project(out, &alice, &alices, "mine");
    let owners = out
        .namespaces
        .user_namespace(owner.id)
        .unwrap()
        .expect("a namespace");
    project(out, &owner, &owners, "secret");
    ProjectTree { alice, carol }
}

pub fn anonymous_visitors_see_only_public_projects(out: &Outbound) {
    project_tree(out);
    assert_eq!(
        project_paths(out, &projects_for(Audience::Anonymous)),
        ["open/pub"]
    );
}

pub fn administrators_see_every_project(out: &Outbound) {
    project_tree(out);
    let all = project_paths(out, &projects_for(Audience::Everything));
    let expected = [
        "open/pub",
        "open/int",
        "open/priv",
        "closed/inherited",
        "closed/sub/deep",
        "hidden/direct",
        "hidden/other",
        "hidden/expired",
        "team/top",
        "alice/mine",
        "owner/secret",
    ];
    assert_eq!(all, expected);
}

/// Members see a private project through a membership of it, of its group or of an ancestor
/// group, or by owning its personal namespace; not through a subgroup or an expired membership.
pub fn signed_in_users_see_open_projects_and_private_projects_they_reach(out: &Outbound) {
    let tree = project_tree(out);
    let at = now(out);
    let as_user = |user: &User| Audience::User {
        id: user.id,
        now: at,
    };
    let seen = project_paths(out, &projects_for(as_user(&tree.alice)));
    let expected = [
        "open/pub",
        "open/int",
        "closed/inherited",
        "closed/sub/deep",
        "hidden/direct",
        "alice/mine",
    ];
    assert_eq!(seen, expected);
    let seen = project_paths(out, &projects_for(as_user(&tree.carol)));
    assert_eq!(seen, ["open/pub", "open/int"]);
    let earlier = Audience::User {
        id: tree.alice.id,
        now: at - secs(1),
    };
    assert!(project_paths(out, &projects_for(earlier)).contains(&"hidden/expired".to_owned()));
}

pub fn projects_are_filtered_by_membership_with_a_minimum_role(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let at = now(out);
    let team = group(out, &bob, "team");
    let app = project(out, &bob, &team, "app");
    project_with(out, &bob, &team, "lib", Visibility::Public);
    let other = group(out, &bob, "other");
    let tool = project(out, &bob, &other, "tool");
    let old = project(out, &bob, &other, "old");
    project_with(out, &bob, &other, "open", Visibility::Public);
    let alices = out
        .namespaces
        .user_namespace(alice.id)
        .unwrap()
        .expect("a namespace");
    project(out, &alice, &alices, "mine");
    join(out, in_group(&team), &alice, Role::Developer);
    join(out, in_project(&app), &alice, Role::Maintainer);
    join(out, in_project(&tool), &alice, Role::Maintainer);
    join_until(
        out,
        in_project(&old),
        &alice,
        Role::Owner,
        Some(at - Duration::days(1)),
    );
    let member = |role: Role, when: DateTime<Utc>| {
        let filter = ProjectFilter {
            member: Some((alice.id, role, when)),
            ..projects_for(Audience::Everything)
        };
        project_paths(out, &filter)
    };
    let all_of_hers = ["team/app", "team/lib", "other/tool", "alice/mine"];
    assert_eq!(member(Role::Guest, at), all_of_hers);
    assert_eq!(member(Role::Developer, at), all_of_hers);
    // A developer of the group, a maintainer of one of its projects.
    assert_eq!(
        member(Role::Maintainer, at),
        ["team/app", "other/tool", "alice/mine"]
    );
    assert_eq!(member(Role::Owner, at), ["alice/mine"]);
    assert_eq!(
        member(Role::Owner, at - Duration::days(2)),
        ["other/old", "alice/mine"]
    );

    // Combined with an audience and a namespace.
    let filter = ProjectFilter {
        member: Some((alice.id, Role::Developer, at)),
        namespace: Some((team.id, true)),
        ..projects_for(Audience::User {
            id: alice.id,
            now: at,
        })
    };
    assert_eq!(project_paths(out, &filter), ["team/app", "team/lib"]);
}

pub fn projects_are_ordered_by_id_name_path_and_timestamps_in_either_direction(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let other = group(out, &owner, "other");
    let at = now(out);
    let create = |namespace: &Namespace, name: &str, path: &str, created: Duration| {
        let new = NewProject {
            created_at: at + created,
            ..new_project(out, &owner, namespace, name, path, Visibility::Private)
        };
        out.projects.create_project(new).unwrap()
    };
    // Creation order: zulu, yankee, alpha, xray. Created at differ by a microsecond at least.
    create(&team, "Beta", "zulu", secs(2) + Duration::microseconds(1));
    let yankee = create(&team, "Alpha", "yankee", secs(1));
    create(&team, "Gamma", "alpha", secs(2));
    create(&other, "Beta", "xray", secs(2));
    let changes = ProjectChanges {
        updated_at: Some(at + secs(20)),
        ..ProjectChanges::default()
    };
    out.projects.update_project(yankee.id, &changes).unwrap();
    let ordered = |order: ProjectOrder, sort: Sort| {
        let filter = ProjectFilter {
            order,
            sort,
            ..projects_for(Audience::Everything)
        };
        let found = out.projects.projects(&filter, everything()).unwrap();
        found.items.into_iter().map(|p| p.path).collect::<Vec<_>>()
    };
    use ProjectOrder as O;
    assert_eq!(
        ordered(O::Id, Sort::Asc),
        ["zulu", "yankee", "alpha", "xray"]
    );
    assert_eq!(
        ordered(O::Id, Sort::Desc),
        ["xray", "alpha", "yankee", "zulu"]
    );
    // Equal names and times are ordered by id, in the same direction.
    assert_eq!(
        ordered(O::Name, Sort::Asc),
        ["yankee", "zulu", "xray", "alpha"]
    );
    assert_eq!(
        ordered(O::Name, Sort::Desc),
        ["alpha", "xray", "zulu", "yankee"]
    );
    assert_eq!(
        ordered(O::Path, Sort::Asc),
        ["alpha", "xray", "yankee", "zulu"]
    );
    assert_eq!(
        ordered(O::Path, Sort::Desc),
        ["zulu", "yankee", "xray", "alpha"]
    );
    assert_eq!(
        ordered(O::CreatedAt, Sort::Asc),
        ["yankee", "alpha", "xray", "zulu"]
    );
    assert_eq!(
        ordered(O::CreatedAt, Sort::Desc),
        ["zulu", "xray", "alpha", "yankee"]
    );
    assert_eq!(
        ordered(O::UpdatedAt, Sort::Asc),
        ["alpha", "xray", "zulu", "yankee"]
    );
    assert_eq!(
        ordered(O::UpdatedAt, Sort::Desc),
        ["yankee", "zulu", "xray", "alpha"]
    );
}

pub fn project_lists_are_paginated_with_totals(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let other = group(out, &owner, "other");
    for path in ["p1", "p2", "p3", "p4", "p5"] {
        project(out, &owner, &team, path);
    }
    project(out, &owner, &other, "p6");
    let list = |filter: &ProjectFilter, page: PageRequest| {
        let found = out.projects.projects(filter, page).unwrap();
        let paths: Vec<String> = found.items.into_iter().map(|p| p.path).collect();
        (paths, found.total)
    };
    let in_team = ProjectFilter {
        namespace: Some((team.id, false)),
        ..projects_for(Audience::Everything)
    };
    assert_eq!(list(&in_team, page(1, 2)), (strings(&["p1", "p2"]), 5));
    assert_eq!(list(&in_team, page(3, 2)), (strings(&["p5"]), 5));
    assert_eq!(list(&in_team, page(9, 2)), (vec![], 5));
    let all = projects_for(Audience::Everything);
    assert_eq!(list(&all, page(2, 4)), (strings(&["p5", "p6"]), 6));
}

pub fn updating_a_project_changes_only_the_given_fields(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let at = now(out);
    let new = NewProject {
        repository_url: Some("https://git.example.com/app.git".to_owned()),
        ci_config: Some("test: {}".to_owned()),
        group_runners_enabled: false,
        ..new_project(out, &owner, &team, "App", "app", Visibility::Private)
    };
    let app = out.projects.create_project(new).unwrap();
    assert_eq!(
        out.projects
            .update_project(app.id, &ProjectChanges::default()),
        Ok(Some(app.clone()))
    );

    let changes = ProjectChanges {
        name: Some("Renamed".to_owned()),
        path: Some("renamed".to_owned()),
        description: Some("New words".to_owned()),
        visibility: Some(Visibility::Public),
        default_branch: Some("develop".to_owned()),
        repository_url: Some(None),
        ci_config: None,
        shared_runners_enabled: Some(false),
        group_runners_enabled: Some(true),
        updated_at: Some(at + secs(5)),
    };
    let updated = out.projects.update_project(app.id, &changes).unwrap();
    let expected = Project {
        name: "Renamed".to_owned(),
        path: "renamed".to_owned(),
        path_with_namespace: "team/renamed".to_owned(),
        name_with_namespace: "Team / Renamed".to_owned(),
        description: "New words".to_owned(),
        visibility: Visibility::Public,
        default_branch: "develop".to_owned(),
        repository_url: None,
        shared_runners_enabled: false,
        group_runners_enabled: true,
        updated_at: at + secs(5),
        ..app.clone()
    };
    assert_eq!(updated, Some(expected.clone()));
    assert_eq!(
        out.projects.project(app.id).unwrap(),
        Some(expected.clone())
    );
    assert_eq!(
        out.projects.project_by_full_path("team/renamed").unwrap(),
        Some(expected.clone())
    );
    assert_eq!(out.projects.project_by_full_path("team/app").unwrap(), None);

    // Without a time, `updated_at` stays; `Some(Some(..))` sets a text, `Some(None)` clears it.
    let changes = ProjectChanges {
        ci_config: Some(Some("deploy: {}".to_owned())),
        repository_url: Some(Some("https://git.example.com/renamed.git".to_owned())),
        ..ProjectChanges::default()
    };
    let updated = out
        .projects
        .update_project(app.id, &changes)
        .unwrap()
        .expect("the project");
    assert_eq!(updated.ci_config.as_deref(), Some("deploy: {}"));
    let url = updated.repository_url.as_deref();
    assert_eq!(url, Some("https://git.example.com/renamed.git"));
    assert_eq!(updated.updated_at, at + secs(5));
    let changes = ProjectChanges {
        ci_config: Some(None),
        updated_at: Some(at + Duration::microseconds(6_000_001)),
        ..ProjectChanges::default()
    };
    let updated = out
        .projects
        .update_project(app.id, &changes)
        .unwrap()
        .expect("the project");
    assert_eq!(updated.ci_config, None);
    assert!(updated.repository_url.is_some());
    assert_eq!(updated.updated_at, at + Duration::microseconds(6_000_001));
    assert_eq!(out.projects.project(app.id).unwrap(), Some(updated));
}

pub fn updating_a_project_to_a_taken_path_or_name_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    subgroup(out, &owner, &team, "tools");
    let update = |changes: ProjectChanges| out.projects.update_project(lib.id, &changes);
    let path = |p: &str| ProjectChanges {
        path: Some(p.to_owned()),
        ..ProjectChanges::default()
    };
    let name = |n: &str| ProjectChanges {
        name: Some(n.to_owned()),
        ..ProjectChanges::default()
    };
    assert_eq!(update(path("APP")), Err(conflict("path")));
    assert_eq!(update(path("tools")), Err(conflict("path")));
    assert_eq!(update(name("app")), Err(conflict("name")));
    assert_eq!(out.projects.project(lib.id).unwrap(), Some(lib.clone()));

    // A project keeps its own path and name, or changes their case.
    let upper = update(path("LIB")).unwrap().expect("the project");
    assert_eq!(upper.path_with_namespace, "team/LIB");
    let lower = update(name("lib")).unwrap().expect("the project");
    assert_eq!(lower.name_with_namespace, "Team / lib");
}

pub fn updating_an_unknown_project_returns_none(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let changes = ProjectChanges {
        name: Some("Ghost".to_owned()),
        ..ProjectChanges::default()
    };
    let missing = ProjectId(app.id.0 + 1000);
    assert_eq!(out.projects.update_project(missing, &changes), Ok(None));
}

pub fn deleting_a_project_removes_its_memberships_and_protected_branches(out: &Outbound) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let team = group(out, &owner, "team");
    let new = NewProject {
        creator_role: Some(Role::Maintainer),
        ..new_project(out, &owner, &team, "App", "app", Visibility::Private)
    };
    let app = out.projects.create_project(new).unwrap();
    let lib = project(out, &owner, &team, "lib");
    join(out, in_project(&app), &alice, Role::Developer);
    join(out, in_project(&lib), &alice, Role::Developer);
    protect(out, &app, "main");
    protect(out, &app, "release/*");
    protect(out, &lib, "main");

    assert_eq!(out.projects.delete_project(app.id), Ok(true));

    assert_eq!(out.projects.project(app.id).unwrap(), None);
    assert_eq!(out.projects.project_by_full_path("team/app").unwrap(), None);
    assert_eq!(out.projects.project_runners_token(app.id), Ok(None));
    assert_eq!(
        out.protected_branches
            .protected_branch(app.id, "main")
            .unwrap(),
        None
    );
    let branches = out
        .protected_branches
        .protected_branches(app.id, everything());
    assert_eq!(branches.unwrap().total, 0);
    assert_eq!(
        out.members.member(in_project(&app), alice.id).unwrap(),
        None
    );
    assert_eq!(
        out.members
            .members(in_project(&app), None, everything())
            .unwrap()
            .total,
        0
    );
    let sources = [in_project(&app), in_project(&lib), in_group(&team)];
    let left = out.members.memberships_of(alice.id, &sources).unwrap();
    assert_eq!(
        left.iter().map(|m| m.source).collect::<Vec<_>>(),
        [in_project(&lib)]
    );
    // The rest of the namespace stays.
    assert!(
        out.protected_branches
            .protected_branch(lib.id, "main")
            .unwrap()
            .is_some()
    );
    assert_eq!(member_usernames(out, in_group(&team), None), ["owner"]);
    assert_eq!(out.projects.delete_project(app.id), Ok(false));
}

pub fn project_runners_tokens_are_read_and_replaced(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let first = fresh_token();
    let new = NewProject {
        runners_token: first.clone(),
        ..new_project(out, &owner, &team, "App", "app", Visibility::Private)
    };
    let app = out.projects.create_project(new).unwrap();
    assert_eq!(out.projects.project_runners_token(app.id), Ok(Some(first)));
    let second = fresh_token();
    assert_eq!(
        out.projects.set_project_runners_token(app.id, &second),
        Ok(true)
    );
    assert_eq!(out.projects.project_runners_token(app.id), Ok(Some(second)));
    let missing = ProjectId(app.id.0 + 1000);
    assert_eq!(out.projects.project_runners_token(missing), Ok(None));
    assert_eq!(
        out.projects
            .set_project_runners_token(missing, &fresh_token()),
        Ok(false)
    );
}

// ----------------------------------------------------------------------------------------
// Members
// ----------------------------------------------------------------------------------------

pub fn members_are_added_once_per_source_and_read_back(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let carol = user(out, "carol");
    let team = group(out, &bob, "team");
    let app = project(out, &bob, &team, "app");
    let at = now(out);
    let added = Membership {
        created_by: Some(bob.id),
        ..membership(
            out,
            in_group(&team),
            &alice,
            Role::Developer,
            Some(at + Duration::days(30)),
        )
    };
    out.members.add_member(&added).unwrap();
    let found = out.members.member(in_group(&team), alice.id).unwrap();
    let expected = MemberWithUser {
        membership: added.clone(),
        user: alice.clone(),
    };
    assert_eq!(found, Some(expected));

    // The same user in another source is another membership.
    join(out, in_project(&app), &alice, Role::Reporter);
    let found = out.members.member(in_project(&app), alice.id).unwrap();
    assert_eq!(found.map(|m| m.membership.role), Some(Role::Reporter));

    let again = membership(out, in_group(&team), &alice, Role::Guest, None);
    assert_eq!(out.members.add_member(&again), Err(conflict("member")));
    let again = membership(out, in_project(&app), &alice, Role::Guest, None);
    assert_eq!(out.members.add_member(&again), Err(conflict("member")));
    let found = out.members.member(in_group(&team), alice.id).unwrap();
    assert_eq!(found.map(|m| m.membership), Some(added));

    assert_eq!(out.members.member(in_group(&team), carol.id), Ok(None));
    let missing = MemberSource::Group(NamespaceId(team.id.0 + 1000));
    assert_eq!(out.members.member(missing, alice.id), Ok(None));
}

pub fn updating_a_member_sets_keeps_or_clears_the_expiry(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let carol = user(out, "carol");
    let team = group(out, &bob, "team");
    let at = now(out);
    let first = at + Duration::days(10);
    let second = at + Duration::days(20) + Duration::microseconds(7);
    let original = Membership {
        created_by: Some(bob.id),
        ..membership(out, in_group(&team), &alice, Role::Developer, Some(first))
    };
    out.members.add_member(&original).unwrap();
    let source = in_group(&team);

    let kept = out
        .members
        .update_member(source, alice.id, Role::Maintainer, None)
        .unwrap();
    let expected = Membership {
        role: Role::Maintainer,
        ..original.clone()
    };
    assert_eq!(kept, Some(expected.clone()));

    let set = out
        .members
        .update_member(source, alice.id, Role::Maintainer, Some(Some(second)))
        .unwrap();
    let expected = Membership {
        expires_at: Some(second),
        ..expected
    };
    assert_eq!(set, Some(expected));

    let cleared = out
        .members
        .update_member(source, alice.id, Role::Reporter, Some(None))
        .unwrap();
    let expected = Membership {
        role: Role::Reporter,
        expires_at: None,
        ..original
    };
    assert_eq!(cleared, Some(expected.clone()));
    let found = out.members.member(source, alice.id).unwrap();
    assert_eq!(found.map(|m| m.membership), Some(expected));

    let nobody = out
        .members
        .update_member(source, carol.id, Role::Guest, None);
    assert_eq!(nobody, Ok(None));
    assert_eq!(out.members.member(source, carol.id), Ok(None));
}

pub fn removing_a_member_reports_whether_one_was_removed(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let team = group(out, &bob, "team");
    let app = project(out, &bob, &team, "app");
    join(out, in_group(&team), &alice, Role::Developer);
    join(out, in_project(&app), &alice, Role::Developer);
    assert_eq!(
        out.members.remove_member(in_project(&app), alice.id),
        Ok(true)
    );
    assert_eq!(out.members.member(in_project(&app), alice.id), Ok(None));
    assert_eq!(
        out.members.remove_member(in_project(&app), alice.id),
        Ok(false)
    );
    // The group membership is another one.
    assert!(
        out.members
            .member(in_group(&team), alice.id)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        member_usernames(out, in_group(&team), None),
        ["bob", "alice"]
    );
}

pub fn members_are_listed_by_user_id_with_a_query_and_pages(out: &Outbound) {
    // User ids: dave < alice < bob < carol < erin; memberships are added in another order.
    let dave = user_named(out, "dave", "Dave Smithers");
    let alice = user_named(out, "alice", "Alice Smith");
    let bob = user_named(out, "bob", "Bob Builder");
    let carol = out
        .users
        .create_user(new_user(out, "carol", "Carol Jones", "carol@smith.example"))
        .unwrap();
    let erin = user_named(out, "erin", "Erin Smith");
    let team = group(out, &bob, "team");
    let other = group(out, &erin, "other");
    join(out, in_group(&team), &carol, Role::Guest);
    join(out, in_group(&team), &alice, Role::Developer);
    join(out, in_group(&team), &dave, Role::Maintainer);
    join(out, in_group(&other), &alice, Role::Guest);

    let source = in_group(&team);
    assert_eq!(
        member_usernames(out, source, None),
        ["dave", "alice", "bob", "carol"]
    );
    // The query matches the username or the name, not the e-mail.
    assert_eq!(
        member_usernames(out, source, Some("SMITH")),
        ["dave", "alice"]
    );
    assert_eq!(member_usernames(out, source, Some("car")), ["carol"]);
    assert_eq!(member_usernames(out, source, Some("builder")), ["bob"]);
    assert!(member_usernames(out, source, Some("%")).is_empty());
    assert!(member_usernames(out, source, Some("erin")).is_empty());

    let listed = |query: Option<&str>, page: PageRequest| {
        let found = out.members.members(source, query, page).unwrap();
        let names: Vec<String> = found.items.into_iter().map(|m| m.user.username).collect();
        (names, found.total)
    };
    assert_eq!(listed(None, page(2, 3)), (strings(&["carol"]), 4));
    assert_eq!(listed(None, page(1, 2)), (strings(&["dave", "alice"]), 4));
    assert_eq!(listed(Some("smith"), page(2, 1)), (strings(&["alice"]), 2));
    assert_eq!(listed(None, page(5, 2)), (vec![], 4));

    let found = out
        .members
        .members(source, Some("alice"), everything())
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].user, alice);
    assert_eq!(found.items[0].membership.role, Role::Developer);
    assert_eq!(found.items[0].membership.source, source);
}

pub fn memberships_of_a_user_cover_groups_and_projects(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let at = now(out);
    let team = group(out, &bob, "team");
    let other = group(out, &bob, "other");
    let app = project(out, &bob, &team, "app");
    let lib = project(out, &bob, &team, "lib");
    join(out, in_group(&team), &alice, Role::Developer);
    join_until(
        out,
        in_group(&other),
        &alice,
        Role::Guest,
        Some(at - secs(1)),
    );
    join(out, in_project(&app), &alice, Role::Maintainer);
    let sorted = |mut found: Vec<Membership>| {
        found.sort_by_key(|m| match m.source {
            MemberSource::Group(id) => (0, id.0),
            MemberSource::Project(id) => (1, id.0),
        });
        found
            .into_iter()
            .map(|m| (m.source, m.user_id, m.role))
            .collect::<Vec<_>>()
    };
    let missing = MemberSource::Group(NamespaceId(other.id.0 + 1000));
    let sources = [
        in_project(&lib),
        in_project(&app),
        in_group(&other),
        in_group(&team),
        missing,
    ];
    let found = out.members.memberships_of(alice.id, &sources).unwrap();
    let expected = vec![
        (in_group(&team), alice.id, Role::Developer),
        (in_group(&other), alice.id, Role::Guest),
        (in_project(&app), alice.id, Role::Maintainer),
    ];
    assert_eq!(sorted(found), expected);

    let found = out
        .members
        .memberships_of(alice.id, &[in_project(&app)])
        .unwrap();
    assert_eq!(
        sorted(found),
        [(in_project(&app), alice.id, Role::Maintainer)]
    );
    assert!(
        out.members
            .memberships_of(alice.id, &[])
            .unwrap()
            .is_empty()
    );
    let found = out.members.memberships_of(bob.id, &sources).unwrap();
    let expected = vec![
        (in_group(&team), bob.id, Role::Owner),
        (in_group(&other), bob.id, Role::Owner),
    ];
    assert_eq!(sorted(found), expected);
}

pub fn owners_are_counted_per_source(out: &Outbound) {
    let bob = user(out, "bob");
    let alice = user(out, "alice");
    let carol = user(out, "carol");
    let team = group(out, &bob, "team");
    let app = project(out, &bob, &team, "app");
    assert_eq!(out.members.count_owners(in_group(&team)), Ok(1));
    join(out, in_group(&team), &alice, Role::Owner);
    join(out, in_group(&team), &carol, Role::Maintainer);
    assert_eq!(out.members.count_owners(in_group(&team)), Ok(2));
    assert_eq!(out.members.count_owners(in_project(&app)), Ok(0));
    join(out, in_project(&app), &carol, Role::Owner);
    assert_eq!(out.members.count_owners(in_project(&app)), Ok(1));
    out.members
        .update_member(in_group(&team), alice.id, Role::Developer, None)
        .unwrap();
    assert_eq!(out.members.count_owners(in_group(&team)), Ok(1));
    let missing = MemberSource::Project(ProjectId(app.id.0 + 1000));
    assert_eq!(out.members.count_owners(missing), Ok(0));
}

// ----------------------------------------------------------------------------------------
// Protected branches
// ----------------------------------------------------------------------------------------

pub fn protected_branches_are_created_once_per_project_and_read_back(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let at = now(out);
    let new = NewProtectedBranch {
        project_id: app.id,
        name: "release/*".to_owned(),
        push_access_level: BranchAccessLevel::NoOne,
        merge_access_level: BranchAccessLevel::Maintainer,
        allow_force_push: true,
        created_at: at,
    };
    let created = out
        .protected_branches
        .create_protected_branch(new.clone())
        .unwrap();
    assert_eq!(created.project_id, app.id);
    assert_eq!(created.name, "release/*");
    assert_eq!(created.push_access_level, BranchAccessLevel::NoOne);
    assert_eq!(created.merge_access_level, BranchAccessLevel::Maintainer);
    assert!(created.allow_force_push);
    assert_eq!(created.created_at, at);
    let found = out
        .protected_branches
        .protected_branch(app.id, "release/*")
        .unwrap();
    assert_eq!(found, Some(created.clone()));
    // Branch names are case-sensitive.
    assert_eq!(
        out.protected_branches.protected_branch(app.id, "Release/*"),
        Ok(None)
    );
    assert_eq!(
        out.protected_branches.protected_branch(lib.id, "release/*"),
        Ok(None)
    );

    let again = NewProtectedBranch {
        allow_force_push: false,
        ..new.clone()
    };
    let refused = out.protected_branches.create_protected_branch(again);
    assert_eq!(refused, Err(conflict("name")));
    let elsewhere = NewProtectedBranch {
        project_id: lib.id,
        ..new
    };
    let other = out
        .protected_branches
        .create_protected_branch(elsewhere)
        .unwrap();
    assert_ne!(other.id, created.id);
    let found = out
        .protected_branches
        .protected_branch(app.id, "release/*")
        .unwrap();
    assert_eq!(found, Some(created));
}

pub fn protected_branches_are_listed_by_id_in_pages(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    for name in ["zeta", "alpha", "main"] {
        protect(out, &app, name);
    }
    protect(out, &lib, "main");
    for name in ["beta", "dev"] {
        protect(out, &app, name);
    }
    let listed = |project: &Project, page: PageRequest| {
        let found = out
            .protected_branches
            .protected_branches(project.id, page)
            .unwrap();
        let names: Vec<String> = found.items.into_iter().map(|b| b.name).collect();
        (names, found.total)
    };
    let all = listed(&app, everything());
    assert_eq!(all, (strings(&["zeta", "alpha", "main", "beta", "dev"]), 5));
    assert_eq!(listed(&app, page(1, 2)), (strings(&["zeta", "alpha"]), 5));
    assert_eq!(listed(&app, page(3, 2)), (strings(&["dev"]), 5));
    assert_eq!(listed(&app, page(4, 2)), (vec![], 5));
    assert_eq!(listed(&lib, everything()), (strings(&["main"]), 1));
}

pub fn protected_branches_are_deleted_by_name(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    protect(out, &app, "main");
    protect(out, &app, "dev");
    protect(out, &lib, "main");
    assert_eq!(
        out.protected_branches
            .delete_protected_branch(app.id, "MAIN"),
        Ok(false)
    );
    assert_eq!(
        out.protected_branches
            .delete_protected_branch(app.id, "main"),
        Ok(true)
    );
    assert_eq!(
        out.protected_branches.protected_branch(app.id, "main"),
        Ok(None)
    );
    assert_eq!(
        out.protected_branches
            .delete_protected_branch(app.id, "main"),
        Ok(false)
    );
    assert!(
        out.protected_branches
            .protected_branch(app.id, "dev")
            .unwrap()
            .is_some()
    );
    assert!(
        out.protected_branches
            .protected_branch(lib.id, "main")
            .unwrap()
            .is_some()
    );
    // The name can be protected again.
    protect(out, &app, "main");
}

// ----------------------------------------------------------------------------------------
// Instance settings and health
// ----------------------------------------------------------------------------------------

pub fn the_instance_runners_token_is_initialised_only_once(out: &Outbound) {
    assert_eq!(out.settings.instance_runners_token(), Ok(None));
    let first = fresh_token();
    assert_eq!(out.settings.init_instance_runners_token(&first), Ok(true));
    assert_eq!(
        out.settings.instance_runners_token(),
        Ok(Some(first.clone()))
    );
    assert_eq!(
        out.settings.init_instance_runners_token(&fresh_token()),
        Ok(false)
    );
    assert_eq!(out.settings.instance_runners_token(), Ok(Some(first)));
}

pub fn setting_the_instance_runners_token_overwrites_it(out: &Outbound) {
    let first = fresh_token();
    out.settings.set_instance_runners_token(&first).unwrap();
    assert_eq!(out.settings.instance_runners_token(), Ok(Some(first)));
    let second = fresh_token();
    out.settings.set_instance_runners_token(&second).unwrap();
    assert_eq!(
        out.settings.instance_runners_token(),
        Ok(Some(second.clone()))
    );
    assert_eq!(
        out.settings.init_instance_runners_token(&fresh_token()),
        Ok(false)
    );
    assert_eq!(out.settings.instance_runners_token(), Ok(Some(second)));
}

pub fn the_storage_answers_a_ping(out: &Outbound) {
    assert_eq!(out.health.ping(), Ok(()));
}

// ----------------------------------------------------------------------------------------
// Runners
// ----------------------------------------------------------------------------------------

/// The digest of the runner token `glrt-<label>`.
fn runner_digest(label: &str) -> TokenDigest {
    TokenDigest::of(&format!("glrt-{label}"))
}

/// A runner of this type with default settings and the token `glrt-<label>`, made now.
fn new_runner(out: &Outbound, runner_type: RunnerType, label: &str) -> NewRunner {
    NewRunner {
        runner_type,
        group_id: None,
        project_id: None,
        settings: RunnerSettings::default(),
        name: None,
        token_digest: runner_digest(label),
        token_expires_at: None,
        registration_type: RegistrationType::AuthenticatedUser,
        creator_id: None,
        created_at: now(out),
    }
}

fn create_runner(out: &Outbound, new: NewRunner) -> Runner {
    out.runners.create_runner(new).expect("create a runner")
}

fn instance_runner(out: &Outbound, label: &str) -> Runner {
    create_runner(out, new_runner(out, RunnerType::Instance, label))
}

fn group_runner(out: &Outbound, group: &Namespace, label: &str) -> Runner {
    let new = NewRunner {
        group_id: Some(group.id),
        ..new_runner(out, RunnerType::Group, label)
    };
    create_runner(out, new)
}

fn project_runner(out: &Outbound, project: &Project, label: &str) -> Runner {
    let new = NewRunner {
        project_id: Some(project.id),
        ..new_runner(out, RunnerType::Project, label)
    };
    create_runner(out, new)
}

/// An instance runner with these tags.
fn tagged_runner(out: &Outbound, label: &str, names: &[&str]) -> Runner {
    let new = NewRunner {
        settings: RunnerSettings {
            tags: tags(names),
            ..RunnerSettings::default()
        },
        ..new_runner(out, RunnerType::Instance, label)
    };
    create_runner(out, new)
}

fn tags(names: &[&str]) -> Tags {
    Tags::parse(names)
}

fn assign(out: &Outbound, runner: &Runner, project: &Project) {
    out.runners
        .assign_runner(runner.id, project.id, now(out))
        .expect("assign a runner");
}

/// The runner as stored now.
fn reread(out: &Outbound, runner: &Runner) -> Runner {
    out.runners
        .runner(runner.id)
        .unwrap()
        .expect("the runner exists")
}

fn runner_query(set: RunnerSet, filter: RunnerFilter) -> RunnerQuery {
    RunnerQuery { set, filter }
}

/// Every runner, unfiltered.
fn all_runners() -> RunnerQuery {
    runner_query(RunnerSet::All, RunnerFilter::default())
}

/// The ids of a whole list, checking that its total counts it.
fn runner_ids(out: &Outbound, query: &RunnerQuery) -> Vec<RunnerId> {
    let found = out
        .runners
        .runners(query, everything())
        .expect("list runners");
    assert_eq!(
        found.total,
        found.items.len() as u64,
        "the total counts the list"
    );
    found.items.into_iter().map(|r| r.id).collect()
}

/// The ids of every runner passing the filter.
fn passing(out: &Outbound, filter: RunnerFilter) -> Vec<RunnerId> {
    runner_ids(out, &runner_query(RunnerSet::All, filter))
}

/// A runner machine reporting this version.
fn machine(system_id: &str, version: &str) -> ManagerContact {
    ManagerContact {
        system_id: system_id.to_owned(),
        info: Some(RunnerInfo {
            name: Some(format!("host-{system_id}")),
            version: Some(version.to_owned()),
            revision: Some("0123abcd".to_owned()),
            platform: Some("linux".to_owned()),
            architecture: Some("amd64".to_owned()),
            executor: Some("docker".to_owned()),
        }),
        ip_address: Some("10.0.0.1".to_owned()),
    }
}

/// The details a machine reports.
fn machine_info(system_id: &str, version: &str) -> RunnerInfo {
    machine(system_id, version).info.unwrap_or_default()
}

fn contact(runner: &Runner, at: DateTime<Utc>, manager: Option<ManagerContact>) -> ContactUpdate {
    ContactUpdate {
        runner: runner.id,
        contacted_at: at,
        manager,
    }
}

fn record(out: &Outbound, updates: &[ContactUpdate]) {
    out.runners
        .record_contacts(updates)
        .expect("record contacts");
}

/// The `system_id`s of a runner's managers, in the order listed.
fn system_ids(out: &Outbound, runner: &Runner) -> Vec<String> {
    let managers = out.runners.runner_managers(runner.id).unwrap();
    managers.into_iter().map(|m| m.system_id).collect()
}

pub fn runners_of_every_type_are_created_and_read_back(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let at = now(out);
    let expires = at + Duration::days(30) + Duration::microseconds(250);
    let settings = RunnerSettings {
        description: "Big builder".to_owned(),
        maintenance_note: "Reboot on Mondays".to_owned(),
        active: false,
        locked: true,
        run_untagged: false,
        access_level: AccessLevel::RefProtected,
        maximum_timeout: Some(3600),
        tags: tags(&["zeta", "alpha", "mid"]),
    };
    let new = NewRunner {
        project_id: Some(app.id),
        settings: settings.clone(),
        name: Some("builder-1".to_owned()),
        token_expires_at: Some(expires),
        registration_type: RegistrationType::RegistrationToken,
        creator_id: Some(owner.id),
        ..new_runner(out, RunnerType::Project, "project")
    };
    let builder = create_runner(out, new);
    assert_eq!(builder.runner_type, RunnerType::Project);
    assert_eq!(builder.group_id, None);
    assert_eq!(builder.settings, settings);
    // Tags keep the order they were given in.
    assert_eq!(builder.settings.tags.as_slice(), ["zeta", "alpha", "mid"]);
    assert_eq!(builder.name.as_deref(), Some("builder-1"));
    assert_eq!(builder.token_expires_at, Some(expires));
    assert_eq!(
        builder.registration_type,
        RegistrationType::RegistrationToken
    );
    assert_eq!(builder.contacted_at, None);
    assert_eq!(builder.creator_id, Some(owner.id));
    assert_eq!(builder.created_at, at);
    assert_eq!(builder.updated_at, at);
    // A project runner is assigned to its project.
    assert_eq!(out.runners.runner_project_ids(builder.id), Ok(vec![app.id]));

    let shared = instance_runner(out, "instance");
    assert_eq!(shared.runner_type, RunnerType::Instance);
    assert_eq!(shared.group_id, None);
    assert_eq!(shared.settings, RunnerSettings::default());
    assert_eq!(shared.name, None);
    assert_eq!(shared.token_expires_at, None);
    assert_eq!(
        shared.registration_type,
        RegistrationType::AuthenticatedUser
    );
    assert_eq!(shared.creator_id, None);
    assert!(
        out.runners
            .runner_project_ids(shared.id)
            .unwrap()
            .is_empty()
    );

    let grouped = group_runner(out, &team, "group");
    assert_eq!(grouped.runner_type, RunnerType::Group);
    assert_eq!(grouped.group_id, Some(team.id));
    assert!(
        out.runners
            .runner_project_ids(grouped.id)
            .unwrap()
            .is_empty()
    );

    for runner in [&builder, &shared, &grouped] {
        assert_eq!(out.runners.runner(runner.id), Ok(Some(runner.clone())));
    }
    assert_eq!(out.runners.runner(RunnerId(grouped.id.0 + 1000)), Ok(None));
}

/// The caller checks the group or project first; one deleted meanwhile is a storage failure.
pub fn creating_or_assigning_a_runner_for_a_missing_project_or_group_conflicts(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let gone = group(out, &owner, "gone");
    let lost = project(out, &owner, &team, "lost");
    assert_eq!(out.namespaces.delete_group(gone.id), Ok(true));
    assert_eq!(out.projects.delete_project(lost.id), Ok(true));
    // A reference that went away (a concurrent delete) is a conflict on `reference`.
    let internal = |result: RepoResult<()>| result == Err(conflict("reference"));

    let new = NewRunner {
        group_id: Some(gone.id),
        ..new_runner(out, RunnerType::Group, "group")
    };
    let refused = out.runners.create_runner(new).map(|_| ());
    assert!(internal(refused.clone()), "{refused:?}");
    let new = NewRunner {
        project_id: Some(lost.id),
        ..new_runner(out, RunnerType::Project, "project")
    };
    let refused = out.runners.create_runner(new).map(|_| ());
    assert!(internal(refused.clone()), "{refused:?}");
    assert!(runner_ids(out, &all_runners()).is_empty());
    assert_eq!(
        out.runners.runner_by_token(&runner_digest("project")),
        Ok(None)
    );

    let runner = project_runner(out, &app, "runner");
    let refused = out.runners.assign_runner(runner.id, lost.id, now(out));
    assert!(internal(refused.clone()), "{refused:?}");
    let missing = RunnerId(runner.id.0 + 1000);
    let refused = out.runners.assign_runner(missing, app.id, now(out));
    assert!(internal(refused.clone()), "{refused:?}");
    assert_eq!(out.runners.runner_project_ids(runner.id), Ok(vec![app.id]));
    assert!(out.runners.runner_project_ids(missing).unwrap().is_empty());
}

pub fn runners_are_found_by_their_token_digest(out: &Outbound) {
    let first = instance_runner(out, "one");
    let second = instance_runner(out, "two");
    let by_token = |label: &str| out.runners.runner_by_token(&runner_digest(label));
    assert_eq!(by_token("one"), Ok(Some(first)));
    assert_eq!(by_token("two"), Ok(Some(second)));
    assert_eq!(by_token("three"), Ok(None));
}

pub fn a_new_runner_token_replaces_the_old_one(out: &Outbound) {
    let at = now(out);
    let new = NewRunner {
        token_expires_at: Some(at + Duration::days(7)),
        ..new_runner(out, RunnerType::Instance, "old")
    };
    let runner = create_runner(out, new);
    let by_token = |label: &str| out.runners.runner_by_token(&runner_digest(label));

    let later = at + Duration::days(90) + Duration::microseconds(42);
    let replaced =
        out.runners
            .set_runner_token(runner.id, &runner_digest("new"), Some(later), None);
    assert_eq!(replaced, Ok(true));
    assert_eq!(by_token("old"), Ok(None));
    let expected = Runner {
        token_expires_at: Some(later),
        ..runner.clone()
    };
    assert_eq!(by_token("new"), Ok(Some(expected)));

    // Replacing a token that is no longer the runner's changes nothing.
    let stale = out.runners.set_runner_token(
        runner.id,
        &runner_digest("lost"),
        None,
        Some(&runner_digest("old")),
    );
    assert_eq!(stale, Ok(false));
    assert_eq!(by_token("lost"), Ok(None));

    // A token without an expiry clears it; replacing the current token works.
    let replaced = out.runners.set_runner_token(
        runner.id,
        &runner_digest("newer"),
        None,
        Some(&runner_digest("new")),
    );
    assert_eq!(replaced, Ok(true));
    assert_eq!(by_token("new"), Ok(None));
    let expected = Runner {
        token_expires_at: None,
        ..runner.clone()
    };
    assert_eq!(by_token("newer"), Ok(Some(expected.clone())));
    assert_eq!(out.runners.runner(runner.id), Ok(Some(expected)));

    let missing = RunnerId(runner.id.0 + 1000);
    let refused = out
        .runners
        .set_runner_token(missing, &runner_digest("other"), None, None);
    assert_eq!(refused, Ok(false));
    assert_eq!(by_token("other"), Ok(None));
}

pub fn runner_token_digests_are_unique(out: &Outbound) {
    let first = instance_runner(out, "same");
    let again = out
        .runners
        .create_runner(new_runner(out, RunnerType::Instance, "same"));
    assert_eq!(again, Err(conflict("token")));
    let second = instance_runner(out, "other");
    let taken = out
        .runners
        .set_runner_token(second.id, &runner_digest("same"), None, None);
    assert_eq!(taken, Err(conflict("token")));
    let by_token = |label: &str| out.runners.runner_by_token(&runner_digest(label));
    assert_eq!(by_token("same"), Ok(Some(first.clone())));
    assert_eq!(by_token("other"), Ok(Some(second.clone())));
    assert_eq!(runner_ids(out, &all_runners()), [first.id, second.id]);
}

pub fn updating_a_runner_changes_only_the_given_fields(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let new = NewRunner {
        project_id: Some(app.id),
        name: Some("builder".to_owned()),
        settings: RunnerSettings {
            description: "Builder".to_owned(),
            maximum_timeout: Some(3600),
            tags: tags(&["docker", "linux"]),
            ..RunnerSettings::default()
        },
        ..new_runner(out, RunnerType::Project, "runner")
    };
    let runner = create_runner(out, new);
    let update = |changes: &RunnerChanges| {
        out.runners
            .update_runner(runner.id, changes)
            .unwrap()
            .expect("the runner exists")
    };

    // Nothing given changes nothing, not even the time of the last update.
    assert_eq!(update(&RunnerChanges::default()), runner);

    let later = now(out) + secs(60);
    let changes = RunnerChanges {
        description: Some("Renamed".to_owned()),
        active: Some(false),
        updated_at: Some(later),
        ..RunnerChanges::default()
    };
    let expected = Runner {
        settings: RunnerSettings {
            description: "Renamed".to_owned(),
            active: false,
            ..runner.settings.clone()
        },
        updated_at: later,
        ..runner.clone()
    };
    assert_eq!(update(&changes), expected);

    // Given tags replace the old ones, in their new order.
    let changes = RunnerChanges {
        maintenance_note: Some("Check the disk".to_owned()),
        locked: Some(true),
        run_untagged: Some(false),
        access_level: Some(AccessLevel::RefProtected),
        maximum_timeout: Some(Some(7200)),
        tags: Some(tags(&["arm", "docker", "zeta"])),
        ..RunnerChanges::default()
    };
    let expected = Runner {
        settings: RunnerSettings {
            maintenance_note: "Check the disk".to_owned(),
            locked: true,
            run_untagged: false,
            access_level: AccessLevel::RefProtected,
            maximum_timeout: Some(7200),
            tags: tags(&["arm", "docker", "zeta"]),
            ..expected.settings.clone()
        },
        ..expected
    };
    assert_eq!(update(&changes), expected);

    // `Some(None)` clears the maximum timeout; empty tags clear the tags.
    let changes = RunnerChanges {
        maximum_timeout: Some(None),
        tags: Some(Tags::default()),
        ..RunnerChanges::default()
    };
    let expected = Runner {
        settings: RunnerSettings {
            maximum_timeout: None,
            tags: Tags::default(),
            ..expected.settings.clone()
        },
        ..expected
    };
    assert_eq!(update(&changes), expected);
    assert_eq!(out.runners.runner(runner.id), Ok(Some(expected.clone())));
    let docker = RunnerFilter {
        tags: tags(&["docker"]),
        ..RunnerFilter::default()
    };
    assert!(passing(out, docker).is_empty());
    // The token and the projects are not settings.
    let found = out.runners.runner_by_token(&runner_digest("runner"));
    assert_eq!(found, Ok(Some(expected)));
    assert_eq!(out.runners.runner_project_ids(runner.id), Ok(vec![app.id]));

    let missing = RunnerId(runner.id.0 + 1000);
    assert_eq!(out.runners.update_runner(missing, &changes), Ok(None));
    let nothing = out
        .runners
        .update_runner(missing, &RunnerChanges::default());
    assert_eq!(nothing, Ok(None));
}

pub fn deleting_a_runner_removes_its_tags_assignments_and_managers(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let docker = RunnerSettings {
        tags: tags(&["docker"]),
        ..RunnerSettings::default()
    };
    let new = |label: &str| NewRunner {
        project_id: Some(app.id),
        settings: docker.clone(),
        ..new_runner(out, RunnerType::Project, label)
    };
    let doomed = create_runner(out, new("doomed"));
    assign(out, &doomed, &lib);
    let kept = create_runner(out, new("kept"));
    let at = now(out);
    record(
        out,
        &[
            contact(&doomed, at, Some(machine("m1", "16.0.1"))),
            contact(&kept, at, Some(machine("m1", "16.0.1"))),
        ],
    );

    assert_eq!(out.runners.delete_runner(doomed.id), Ok(true));

    assert_eq!(out.runners.runner(doomed.id), Ok(None));
    assert_eq!(
        out.runners.runner_by_token(&runner_digest("doomed")),
        Ok(None)
    );
    assert!(
        out.runners
            .runner_project_ids(doomed.id)
            .unwrap()
            .is_empty()
    );
    assert!(out.runners.runner_managers(doomed.id).unwrap().is_empty());
    let managers = out
        .runners
        .managers_of_runners(&[doomed.id, kept.id])
        .unwrap();
    let owners: Vec<RunnerId> = managers.iter().map(|m| m.runner_id).collect();
    assert_eq!(owners, [kept.id]);
    let tagged = RunnerFilter {
        tags: tags(&["docker"]),
        ..RunnerFilter::default()
    };
    assert_eq!(passing(out, tagged), [kept.id]);
    let versioned = RunnerFilter {
        version_prefix: VersionPrefix::parse("16"),
        ..RunnerFilter::default()
    };
    assert_eq!(passing(out, versioned), [kept.id]);
    let of = |project: &Project| {
        let set = RunnerSet::ForProject {
            project: project.id,
            groups: vec![],
            instance: false,
        };
        runner_ids(out, &runner_query(set, RunnerFilter::default()))
    };
    assert!(of(&lib).is_empty());
    assert_eq!(of(&app), [kept.id]);
    // The projects stay.
    assert!(out.projects.project(lib.id).unwrap().is_some());
    assert_eq!(out.runners.runner_project_ids(kept.id), Ok(vec![app.id]));

    assert_eq!(out.runners.delete_runner(doomed.id), Ok(false));
    // Its token is free again.
    let again = instance_runner(out, "doomed");
    assert_eq!(runner_ids(out, &all_runners()), [kept.id, again.id]);
}

pub fn runners_are_assigned_to_projects_once_each_in_order(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let p1 = project(out, &owner, &team, "p1");
    let p2 = project(out, &owner, &team, "p2");
    let p3 = project(out, &owner, &team, "p3");
    let runner = project_runner(out, &p1, "runner");
    assign(out, &runner, &p3);
    assign(out, &runner, &p2);
    let projects_of = |r: &Runner| out.runners.runner_project_ids(r.id).unwrap();
    assert_eq!(projects_of(&runner), [p1.id, p3.id, p2.id]);

    for project in [&p1, &p3] {
        let again = out.runners.assign_runner(runner.id, project.id, now(out));
        assert_eq!(again, Err(conflict("runner_project")));
    }
    assert_eq!(projects_of(&runner), [p1.id, p3.id, p2.id]);

    let other = project_runner(out, &p2, "other");
    assign(out, &other, &p1);
    assert_eq!(projects_of(&other), [p2.id, p1.id]);
    assert_eq!(projects_of(&runner), [p1.id, p3.id, p2.id]);
    let missing = RunnerId(other.id.0 + 1000);
    assert!(out.runners.runner_project_ids(missing).unwrap().is_empty());
}

pub fn unassigning_keeps_a_runner_at_least_one_project(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let p1 = project(out, &owner, &team, "p1");
    let p2 = project(out, &owner, &team, "p2");
    let p3 = project(out, &owner, &team, "p3");
    let runner = project_runner(out, &p1, "runner");
    assign(out, &runner, &p2);
    assign(out, &runner, &p3);
    let later = now(out) + secs(30);
    let unassign = |project: &Project| out.runners.unassign_runner(runner.id, project.id, later);
    let projects = || out.runners.runner_project_ids(runner.id).unwrap();

    assert_eq!(unassign(&p2), Ok(Unassigned::Done));
    assert_eq!(
        reread(out, &runner).updated_at,
        later,
        "an unassignment touches the runner"
    );
    assert_eq!(unassign(&p2), Ok(Unassigned::NotAssigned));
    assert_eq!(projects(), [p1.id, p3.id]);
    assert_eq!(unassign(&p1), Ok(Unassigned::Done));
    assert_eq!(projects(), [p3.id]);

    // A project assigned again comes last.
    assign(out, &runner, &p1);
    assert_eq!(projects(), [p3.id, p1.id]);
    assert_eq!(unassign(&p3), Ok(Unassigned::Done));

    // The last project stays.
    let before = reread(out, &runner);
    assert_eq!(unassign(&p1), Ok(Unassigned::OnlyProject));
    assert_eq!(projects(), [p1.id]);
    assert_eq!(
        reread(out, &runner),
        before,
        "a refused unassignment changes nothing"
    );

    let missing = RunnerId(runner.id.0 + 1000);
    assert_eq!(
        out.runners.unassign_runner(missing, p1.id, later),
        Ok(Unassigned::NotAssigned)
    );
}

pub fn recording_contacts_sets_the_contact_time_and_creates_then_updates_managers(out: &Outbound) {
    let runner = instance_runner(out, "runner");
    let other = instance_runner(out, "other");
    let at = now(out);

    let first = at + secs(10);
    record(out, &[contact(&runner, first, None)]);
    let expected = Runner {
        contacted_at: Some(first),
        ..runner.clone()
    };
    assert_eq!(reread(out, &runner), expected);
    assert!(out.runners.runner_managers(runner.id).unwrap().is_empty());
    assert_eq!(reread(out, &other).contacted_at, None);

    // A first contact of a machine creates its manager.
    let second = first + Duration::microseconds(1_500_000);
    record(
        out,
        &[contact(&runner, second, Some(machine("m1", "16.0.1")))],
    );
    assert_eq!(reread(out, &runner).contacted_at, Some(second));
    let managers = out.runners.runner_managers(runner.id).unwrap();
    assert_eq!(managers.len(), 1);
    let created = managers[0].clone();
    let expected = RunnerManager {
        id: created.id,
        runner_id: runner.id,
        system_id: "m1".to_owned(),
        info: machine_info("m1", "16.0.1"),
        ip_address: Some("10.0.0.1".to_owned()),
        contacted_at: Some(second),
        created_at: second,
    };
    assert_eq!(created, expected);

    // Its next contact updates it.
    let third = second + secs(60);
    let upgraded = ManagerContact {
        info: Some(RunnerInfo {
            version: Some("16.1.0".to_owned()),
            executor: None,
            ..machine_info("m1", "16.0.1")
        }),
        ip_address: Some("10.0.0.2".to_owned()),
        ..machine("m1", "16.0.1")
    };
    record(out, &[contact(&runner, third, Some(upgraded.clone()))]);
    let expected = RunnerManager {
        info: upgraded.info.clone().unwrap_or_default(),
        ip_address: upgraded.ip_address.clone(),
        contacted_at: Some(third),
        ..created
    };
    assert_eq!(out.runners.runner_managers(runner.id), Ok(vec![expected]));
    assert_eq!(reread(out, &runner).contacted_at, Some(third));

    // Runners that no longer exist are skipped; the rest of the batch is written.
    let gone = instance_runner(out, "gone");
    assert_eq!(out.runners.delete_runner(gone.id), Ok(true));
    let fourth = third + secs(60);
    let batch = [
        contact(&gone, fourth, Some(machine("m9", "16.0.0"))),
        contact(&other, fourth, Some(machine("m2", "15.11.0"))),
        ContactUpdate {
            runner: RunnerId(gone.id.0 + 1000),
            contacted_at: fourth,
            manager: None,
        },
    ];
    assert_eq!(out.runners.record_contacts(&batch), Ok(()));
    assert_eq!(reread(out, &other).contacted_at, Some(fourth));
    assert_eq!(system_ids(out, &other), ["m2"]);
    assert_eq!(out.runners.runner(gone.id), Ok(None));
    assert!(out.runners.runner_managers(gone.id).unwrap().is_empty());
    assert_eq!(out.runners.record_contacts(&[]), Ok(()));

    // An older contact (another process flushing late) never moves a contact time back, nor
    // replaces newer manager details.
    record(
        out,
        &[contact(&runner, first, Some(machine("m1", "16.0.1")))],
    );
    assert_eq!(reread(out, &runner).contacted_at, Some(third));
    let managers = out.runners.runner_managers(runner.id).unwrap();
    assert_eq!(managers.len(), 1);
    assert_eq!(managers[0].contacted_at, Some(third));
    assert_eq!(managers[0].info.version.as_deref(), Some("16.1.0"));
    assert_eq!(managers[0].created_at, second);
}

pub fn runner_managers_are_listed_most_recently_contacted_first(out: &Outbound) {
    let runner = instance_runner(out, "runner");
    let other = instance_runner(out, "other");
    let at = now(out);
    for (system_id, offset) in [("a", 1), ("b", 3), ("c", 2)] {
        let manager = machine(system_id, "16.0.0");
        record(out, &[contact(&runner, at + secs(offset), Some(manager))]);
    }
    record(
        out,
        &[contact(&other, at + secs(9), Some(machine("a", "16.0.0")))],
    );
    assert_eq!(system_ids(out, &runner), ["b", "c", "a"]);

    record(
        out,
        &[contact(&runner, at + secs(5), Some(machine("a", "16.0.0")))],
    );
    assert_eq!(system_ids(out, &runner), ["a", "b", "c"]);
    assert_eq!(system_ids(out, &other), ["a"]);
    let missing = RunnerId(other.id.0 + 1000);
    assert!(out.runners.runner_managers(missing).unwrap().is_empty());
}

pub fn managers_of_several_runners_are_read_together(out: &Outbound) {
    let first = instance_runner(out, "first");
    let second = instance_runner(out, "second");
    let third = instance_runner(out, "third");
    let at = now(out);
    record(
        out,
        &[
            contact(&first, at, Some(machine("m1", "16.0.0"))),
            contact(&first, at, Some(machine("m2", "16.0.0"))),
            contact(&second, at, Some(machine("m1", "15.0.0"))),
            contact(&third, at, Some(machine("m3", "14.0.0"))),
        ],
    );
    let missing = RunnerId(third.id.0 + 1000);
    let mut found = out
        .runners
        .managers_of_runners(&[second.id, missing, first.id])
        .unwrap();
    found.sort_by_key(|m| m.id);
    let mut expected = out.runners.runner_managers(first.id).unwrap();
    expected.extend(out.runners.runner_managers(second.id).unwrap());
    expected.sort_by_key(|m| m.id);
    assert_eq!(expected.len(), 3);
    assert_eq!(found, expected);
    assert!(out.runners.managers_of_runners(&[]).unwrap().is_empty());
    assert!(
        out.runners
            .managers_of_runners(&[missing])
            .unwrap()
            .is_empty()
    );
}

pub fn runner_managers_are_deleted_by_system_id(out: &Outbound) {
    let runner = instance_runner(out, "runner");
    let other = instance_runner(out, "other");
    let at = now(out);
    record(
        out,
        &[
            contact(&runner, at, Some(machine("m1", "16.0.0"))),
            contact(&runner, at, Some(machine("m2", "16.0.0"))),
            contact(&other, at, Some(machine("m1", "16.0.0"))),
        ],
    );
    let old = out.runners.runner_managers(runner.id).unwrap();
    let old_m1 = old.iter().find(|m| m.system_id == "m1").expect("m1").id;

    assert_eq!(out.runners.delete_runner_manager(runner.id, "m1"), Ok(true));
    assert_eq!(
        out.runners.delete_runner_manager(runner.id, "m1"),
        Ok(false)
    );
    assert_eq!(system_ids(out, &runner), ["m2"]);
    assert_eq!(system_ids(out, &other), ["m1"]);
    let missing = RunnerId(other.id.0 + 1000);
    assert_eq!(out.runners.delete_runner_manager(missing, "m1"), Ok(false));

    // The machine's next contact makes a new manager.
    let later = at + secs(60);
    record(
        out,
        &[contact(&runner, later, Some(machine("m1", "16.1.0")))],
    );
    let managers = out.runners.runner_managers(runner.id).unwrap();
    assert_eq!(managers.len(), 2);
    assert_eq!(managers[0].system_id, "m1");
    assert_ne!(managers[0].id, old_m1);
    assert_eq!(managers[0].created_at, later);
}

pub fn every_runner_is_listed_by_id_in_pages_with_totals(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let a = instance_runner(out, "a");
    let b = project_runner(out, &app, "b");
    let new = NewRunner {
        group_id: Some(team.id),
        settings: RunnerSettings {
            tags: tags(&["linux", "docker"]),
            ..RunnerSettings::default()
        },
        ..new_runner(out, RunnerType::Group, "c")
    };
    let c = create_runner(out, new);
    let d = instance_runner(out, "d");
    let e = project_runner(out, &app, "e");
    assert_eq!(
        runner_ids(out, &all_runners()),
        [a.id, b.id, c.id, d.id, e.id]
    );
    let listed = |query: &RunnerQuery, page: PageRequest| {
        let found = out.runners.runners(query, page).unwrap();
        let ids: Vec<RunnerId> = found.items.iter().map(|r| r.id).collect();
        (ids, found.total)
    };
    let all = all_runners();
    assert_eq!(listed(&all, page(1, 2)), (vec![a.id, b.id], 5));
    assert_eq!(listed(&all, page(3, 2)), (vec![e.id], 5));
    assert_eq!(listed(&all, page(4, 2)), (vec![], 5));
    // Lists carry whole runners, tags included.
    let found = out.runners.runners(&all, page(2, 2)).unwrap();
    assert_eq!(found.items, [c, d.clone()]);

    // The total counts what passes the filter.
    let instance = runner_query(
        RunnerSet::All,
        RunnerFilter::default().with_type(RunnerType::Instance),
    );
    assert_eq!(listed(&instance, page(2, 1)), (vec![d.id], 2));
    assert_eq!(listed(&instance, page(3, 1)), (vec![], 2));
}

/// Runners around `alice`, and whether she manages them at `now`:
///
/// | runner       | of                                   | alice                          | managed          |
/// |--------------|--------------------------------------|--------------------------------|------------------|
/// | `shared`     | the instance                         |                                | never            |
/// | `of-top`     | group `top`                          | owner                          | yes              |
/// | `of-sub`     | group `top/sub`                      | owner of `top`                 | yes              |
/// | `of-maint`   | group `maint`                        | maintainer                     | no               |
/// | `of-gone`    | group `gone`                         | owner, expired at `now`        | no               |
/// | `of-late`    | group `late`                         | owner, expires a second later  | yes              |
/// | `on-sub`     | project `top/sub/in-sub`             | owner of `top`                 | yes              |
/// | `on-maint`   | project `maint/in-maint`             | maintainer of `maint`          | yes              |
/// | `on-direct`  | project `other/direct`               | maintainer of the project      | yes              |
/// | `on-dev`     | project `other/dev`                  | developer of the project       | no               |
/// | `spanning`   | `other/dev`, then `other/direct`     | maintainer of the second       | yes              |
/// | `on-gone`    | project `gone/in-gone`               | owner of `gone`, expired       | no               |
/// | `on-mine`    | project `alice/mine`                 | her own namespace              | yes              |
pub fn managed_runners_are_those_of_maintained_projects_and_owned_groups(out: &Outbound) {
    let owner = user(out, "owner");
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let at = now(out);
    let top = group(out, &owner, "top");
    join(out, in_group(&top), &alice, Role::Owner);
    let sub = subgroup(out, &owner, &top, "sub");
    let maint = group(out, &owner, "maint");
    join(out, in_group(&maint), &alice, Role::Maintainer);
    let other = group(out, &owner, "other");
    let gone = group(out, &owner, "gone");
    join_until(out, in_group(&gone), &alice, Role::Owner, Some(at));
    let late = group(out, &owner, "late");
    join_until(
        out,
        in_group(&late),
        &alice,
        Role::Owner,
        Some(at + secs(1)),
    );
    let home = out
        .namespaces
        .user_namespace(alice.id)
        .unwrap()
        .expect("a namespace");
    let in_sub = project(out, &owner, &sub, "in-sub");
    let in_maint = project(out, &owner, &maint, "in-maint");
    let direct = project(out, &owner, &other, "direct");
    join(out, in_project(&direct), &alice, Role::Maintainer);
    let dev = project(out, &owner, &other, "dev");
    join(out, in_project(&dev), &alice, Role::Developer);
    let in_gone = project(out, &owner, &gone, "in-gone");
    let mine = project(out, &alice, &home, "mine");

    let shared = instance_runner(out, "shared");
    let of_top = group_runner(out, &top, "of-top");
    let of_sub = group_runner(out, &sub, "of-sub");
    let of_maint = group_runner(out, &maint, "of-maint");
    let of_gone = group_runner(out, &gone, "of-gone");
    let of_late = group_runner(out, &late, "of-late");
    let on_sub = project_runner(out, &in_sub, "on-sub");
    let on_maint = project_runner(out, &in_maint, "on-maint");
    let on_direct = project_runner(out, &direct, "on-direct");
    let on_dev = project_runner(out, &dev, "on-dev");
    let spanning = project_runner(out, &dev, "spanning");
    assign(out, &spanning, &direct);
    let on_gone = project_runner(out, &in_gone, "on-gone");
    let on_mine = project_runner(out, &mine, "on-mine");

    let managed = |user: &User, when: DateTime<Utc>, filter: RunnerFilter| {
        let set = RunnerSet::ManagedBy {
            user: user.id,
            now: when,
        };
        runner_ids(out, &runner_query(set, filter))
    };
    let any = RunnerFilter::default;
    assert_eq!(
        managed(&alice, at, any()),
        [
            of_top.id,
            of_sub.id,
            of_late.id,
            on_sub.id,
            on_maint.id,
            on_direct.id,
            spanning.id,
            on_mine.id,
        ]
    );
    // A second later `late` has expired; a second earlier `gone` had not.
    assert_eq!(
        managed(&alice, at + secs(1), any()),
        [
            of_top.id,
            of_sub.id,
            on_sub.id,
            on_maint.id,
            on_direct.id,
            spanning.id,
            on_mine.id,
        ]
    );
    assert_eq!(
        managed(&alice, at - secs(1), any()),
        [
            of_top.id,
            of_sub.id,
            of_gone.id,
            of_late.id,
            on_sub.id,
            on_maint.id,
            on_direct.id,
            spanning.id,
            on_gone.id,
            on_mine.id,
        ]
    );
    // Filters narrow the set.
    let groups_only = any().with_type(RunnerType::Group);
    assert_eq!(
        managed(&alice, at, groups_only),
        [of_top.id, of_sub.id, of_late.id]
    );
    assert!(managed(&bob, at, any()).is_empty());
    // The owner of every group manages everything in them, but neither alice's own
    // projects nor the instance's runners.
    assert_eq!(
        managed(&owner, at, any()),
        [
            of_top.id,
            of_sub.id,
            of_maint.id,
            of_gone.id,
            of_late.id,
            on_sub.id,
            on_maint.id,
            on_direct.id,
            on_dev.id,
            spanning.id,
            on_gone.id,
        ]
    );
    assert_eq!(runner_ids(out, &all_runners())[0], shared.id);
}

pub fn project_runner_lists_hold_assigned_group_and_instance_runners(out: &Outbound) {
    let owner = user(out, "owner");
    let top = group(out, &owner, "top");
    let sub = subgroup(out, &owner, &top, "sub");
    let other = group(out, &owner, "other");
    let app = project(out, &owner, &sub, "app");
    let lib = project(out, &owner, &other, "lib");
    let shared = instance_runner(out, "shared");
    let of_top = group_runner(out, &top, "of-top");
    let of_sub = group_runner(out, &sub, "of-sub");
    let of_other = group_runner(out, &other, "of-other");
    let on_app = project_runner(out, &app, "on-app");
    let on_lib = project_runner(out, &lib, "on-lib");
    let both = project_runner(out, &lib, "both");
    assign(out, &both, &app);
    let of = |project: &Project, groups: &[&Namespace], instance: bool| {
        let set = RunnerSet::ForProject {
            project: project.id,
            groups: groups.iter().map(|g| g.id).collect(),
            instance,
        };
        runner_ids(out, &runner_query(set, RunnerFilter::default()))
    };
    assert_eq!(
        of(&app, &[&sub, &top], true),
        [shared.id, of_top.id, of_sub.id, on_app.id, both.id]
    );
    assert_eq!(
        of(&app, &[&sub, &top], false),
        [of_top.id, of_sub.id, on_app.id, both.id]
    );
    assert_eq!(of(&app, &[], true), [shared.id, on_app.id, both.id]);
    assert_eq!(of(&app, &[], false), [on_app.id, both.id]);
    // The groups are whatever the caller passes; they never bring project runners along.
    assert_eq!(
        of(&app, &[&other], false),
        [of_other.id, on_app.id, both.id]
    );
    assert_eq!(of(&lib, &[&sub], false), [of_sub.id, on_lib.id, both.id]);
    let filter = RunnerFilter::default().with_type(RunnerType::Project);
    let set = RunnerSet::ForProject {
        project: app.id,
        groups: vec![sub.id],
        instance: true,
    };
    assert_eq!(
        runner_ids(out, &runner_query(set, filter)),
        [on_app.id, both.id]
    );
}

pub fn group_runner_lists_hold_group_runners_of_the_given_groups(out: &Outbound) {
    let owner = user(out, "owner");
    let top = group(out, &owner, "top");
    let sub = subgroup(out, &owner, &top, "sub");
    let other = group(out, &owner, "other");
    let app = project(out, &owner, &sub, "app");
    let shared = instance_runner(out, "shared");
    let of_top = group_runner(out, &top, "of-top");
    let of_sub = group_runner(out, &sub, "of-sub");
    let of_other = group_runner(out, &other, "of-other");
    project_runner(out, &app, "on-app");
    let of = |groups: &[&Namespace], instance: bool| {
        let set = RunnerSet::ForGroups {
            groups: groups.iter().map(|g| g.id).collect(),
            instance,
        };
        runner_ids(out, &runner_query(set, RunnerFilter::default()))
    };
    assert_eq!(of(&[&sub, &top], false), [of_top.id, of_sub.id]);
    assert_eq!(of(&[&sub], true), [shared.id, of_sub.id]);
    assert_eq!(
        of(&[&other, &top], true),
        [shared.id, of_top.id, of_other.id]
    );
    assert_eq!(of(&[], true), [shared.id]);
    assert!(of(&[], false).is_empty());
}

pub fn runners_are_filtered_by_type_and_active_flag(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let paused_settings = RunnerSettings {
        active: false,
        ..RunnerSettings::default()
    };
    let shared = instance_runner(out, "shared");
    let new = NewRunner {
        group_id: Some(team.id),
        settings: paused_settings.clone(),
        ..new_runner(out, RunnerType::Group, "paused")
    };
    let paused = create_runner(out, new);
    let on_app = project_runner(out, &app, "on-app");
    let new = NewRunner {
        project_id: Some(app.id),
        settings: paused_settings,
        ..new_runner(out, RunnerType::Project, "paused-app")
    };
    let paused_app = create_runner(out, new);
    let of_types = |types: &[RunnerType]| RunnerFilter {
        types: Some(types.to_vec()),
        ..RunnerFilter::default()
    };
    let active = |active: bool| RunnerFilter {
        active: Some(active),
        ..RunnerFilter::default()
    };
    assert_eq!(
        passing(out, of_types(&[RunnerType::Project])),
        [on_app.id, paused_app.id]
    );
    assert_eq!(
        passing(out, of_types(&[RunnerType::Group, RunnerType::Instance])),
        [shared.id, paused.id]
    );
    assert!(passing(out, of_types(&[])).is_empty());
    assert_eq!(passing(out, active(true)), [shared.id, on_app.id]);
    assert_eq!(passing(out, active(false)), [paused.id, paused_app.id]);
    let both = RunnerFilter {
        active: Some(false),
        ..of_types(&[RunnerType::Project])
    };
    assert_eq!(passing(out, both), [paused_app.id]);

    // An update is seen by the filter.
    let changes = RunnerChanges {
        active: Some(true),
        ..RunnerChanges::default()
    };
    out.runners.update_runner(paused_app.id, &changes).unwrap();
    assert_eq!(passing(out, active(false)), [paused.id]);
}

pub fn runners_are_filtered_by_contact_time(out: &Outbound) {
    let at = now(out);
    let deadline = at - Duration::days(7);
    let old = at - Duration::days(10);
    let made = |label: &str, created_at: DateTime<Utc>| {
        let new = NewRunner {
            created_at,
            ..new_runner(out, RunnerType::Instance, label)
        };
        create_runner(out, new)
    };
    let never_old = made("never-old", old);
    let recent = made("recent", old);
    let long_ago = made("long-ago", old);
    let never_new = made("never-new", at);
    let edge = made("edge", deadline);
    let hour = made("hour", old);
    let an_hour_ago = at - secs(3600);
    record(
        out,
        &[
            contact(&recent, at - secs(60), None),
            contact(&long_ago, at - Duration::days(8), None),
            contact(&edge, deadline, None),
            contact(&hour, an_hour_ago, None),
        ],
    );
    let matching = |contact: &[ContactFilter]| {
        let filter = RunnerFilter {
            contact: contact.to_vec(),
            ..RunnerFilter::default()
        };
        passing(out, filter)
    };
    assert_eq!(
        matching(&[ContactFilter::ContactedAfter(an_hour_ago)]),
        [recent.id]
    );
    // After is strictly after, to the microsecond.
    let just_before = at - secs(60) - Duration::microseconds(1);
    assert_eq!(
        matching(&[ContactFilter::ContactedAfter(just_before)]),
        [recent.id]
    );
    assert!(matching(&[ContactFilter::ContactedAfter(at - secs(60))]).is_empty());
    // Never-contacted runners are not contacted at or before anything.
    assert_eq!(
        matching(&[ContactFilter::ContactedAtOrBefore(an_hour_ago)]),
        [long_ago.id, edge.id, hour.id]
    );
    assert_eq!(
        matching(&[ContactFilter::NeverContacted]),
        [never_old.id, never_new.id]
    );
    // Stale: created by the deadline, and not contacted after it.
    assert_eq!(
        matching(&[ContactFilter::Stale(deadline)]),
        [never_old.id, long_ago.id, edge.id]
    );
    // Every constraint given holds.
    assert_eq!(
        matching(&[
            ContactFilter::Stale(deadline),
            ContactFilter::NeverContacted
        ]),
        [never_old.id]
    );
    assert_eq!(
        matching(&[
            ContactFilter::ContactedAfter(an_hour_ago - secs(1)),
            ContactFilter::ContactedAtOrBefore(an_hour_ago),
        ]),
        [hour.id]
    );
    assert_eq!(matching(&[]).len(), 6);
}

pub fn runners_are_filtered_by_tags_requiring_every_one(out: &Outbound) {
    let both = tagged_runner(out, "both", &["docker", "linux"]);
    let docker = tagged_runner(out, "docker", &["docker"]);
    let more = tagged_runner(out, "more", &["linux", "arm", "docker"]);
    let none = tagged_runner(out, "none", &[]);
    let linux = tagged_runner(out, "linux", &["linux"]);
    let with = |names: &[&str]| {
        let filter = RunnerFilter {
            tags: tags(names),
            ..RunnerFilter::default()
        };
        passing(out, filter)
    };
    assert_eq!(with(&[]), [both.id, docker.id, more.id, none.id, linux.id]);
    assert_eq!(with(&["docker"]), [both.id, docker.id, more.id]);
    assert_eq!(with(&["linux"]), [both.id, more.id, linux.id]);
    assert_eq!(with(&["linux", "docker"]), [both.id, more.id]);
    assert_eq!(with(&["arm", "docker", "linux"]), [more.id]);
    assert!(with(&["docker", "gpu"]).is_empty());
    // Whole tag names only.
    assert!(with(&["dock"]).is_empty());
}

pub fn runners_are_filtered_by_the_version_of_any_of_their_managers(out: &Outbound) {
    let at = now(out);
    let reporting = |label: &str, versions: &[&str]| {
        let runner = instance_runner(out, label);
        let updates: Vec<ContactUpdate> = versions
            .iter()
            .enumerate()
            .map(|(i, version)| contact(&runner, at, Some(machine(&format!("m{i}"), version))))
            .collect();
        record(out, &updates);
        runner
    };
    let exact = reporting("exact", &["15.0.3"]);
    let thirty = reporting("thirty", &["15.0.30"]);
    let beta = reporting("beta", &["15.0.3~beta.1.g0123abcd"]);
    let sixteen = reporting("sixteen", &["16.0.1"]);
    let hundred_sixty = reporting("hundred-sixty", &["160.1.0"]);
    let mixed = reporting("mixed", &["14.9.0", "16.2.0"]);
    let silent = reporting("silent", &[]);
    let unversioned = instance_runner(out, "unversioned");
    let no_version = ManagerContact {
        info: Some(RunnerInfo::default()),
        ..machine("m0", "")
    };
    record(out, &[contact(&unversioned, at, Some(no_version))]);
    let prefixed = |text: &str| {
        let filter = RunnerFilter {
            version_prefix: Some(VersionPrefix::parse(text).expect("a version prefix")),
            ..RunnerFilter::default()
        };
        passing(out, filter)
    };
    assert_eq!(prefixed("15.0.3"), [exact.id, beta.id]);
    assert_eq!(prefixed("15.0.3.4"), [exact.id, beta.id]);
    assert_eq!(prefixed("15.0.30"), [thirty.id]);
    assert_eq!(prefixed("15.0"), [exact.id, thirty.id, beta.id]);
    assert_eq!(prefixed("15"), [exact.id, thirty.id, beta.id]);
    assert_eq!(prefixed("16"), [sixteen.id, mixed.id]);
    assert_eq!(prefixed("160"), [hundred_sixty.id]);
    assert_eq!(prefixed("14.9.0"), [mixed.id]);
    assert!(prefixed("1").is_empty());
    assert!(prefixed("17").is_empty());
    assert_eq!(
        runner_ids(out, &all_runners()),
        [
            exact.id,
            thirty.id,
            beta.id,
            sixteen.id,
            hundred_sixty.id,
            mixed.id,
            silent.id,
            unversioned.id,
        ]
    );

    // The versions are those of the managers it has now.
    assert_eq!(out.runners.delete_runner_manager(mixed.id, "m1"), Ok(true));
    assert_eq!(prefixed("16"), [sixteen.id]);
    record(
        out,
        &[contact(
            &sixteen,
            at + secs(1),
            Some(machine("m0", "17.0.0")),
        )],
    );
    assert!(prefixed("16").is_empty());
    assert_eq!(prefixed("17"), [sixteen.id]);
}

pub fn a_contradictory_filter_selects_nothing(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    instance_runner(out, "shared");
    group_runner(out, &team, "grouped");
    let contradiction = RunnerFilter::default()
        .with_type(RunnerType::Instance)
        .with_type(RunnerType::Group);
    assert!(contradiction.nothing);
    let flagged = RunnerFilter {
        nothing: true,
        ..RunnerFilter::default()
    };
    let sets = [
        RunnerSet::All,
        RunnerSet::ManagedBy {
            user: owner.id,
            now: now(out),
        },
        RunnerSet::ForGroups {
            groups: vec![team.id],
            instance: true,
        },
    ];
    for set in sets {
        for filter in [contradiction.clone(), flagged.clone()] {
            let query = runner_query(set.clone(), filter);
            let found = out.runners.runners(&query, everything()).unwrap();
            assert!(found.items.is_empty(), "{query:?}");
            assert_eq!(found.total, 0, "{query:?}");
        }
    }
    assert_eq!(runner_ids(out, &all_runners()).len(), 2);
}

pub fn projects_and_groups_are_found_by_their_runners_token(out: &Outbound) {
    let owner = user(out, "owner");
    let group_token = fresh_token();
    let new = NewGroup {
        runners_token: group_token.clone(),
        ..new_group(out, &owner, "Team", "team", None, Visibility::Private)
    };
    let team = out.namespaces.create_group(new).unwrap();
    let project_token = fresh_token();
    let new = NewProject {
        runners_token: project_token.clone(),
        ..new_project(out, &owner, &team, "App", "app", Visibility::Private)
    };
    let app = out.projects.create_project(new).unwrap();
    project(out, &owner, &team, "lib");
    subgroup(out, &owner, &team, "sub");

    let project_by = |token: &SealedToken| {
        let found = out.projects.project_by_runners_token(&token.digest);
        found.unwrap().map(|p| p.id)
    };
    let group_by = |token: &SealedToken| {
        let found = out.namespaces.group_by_runners_token(&token.digest);
        found.unwrap().map(|g| g.id)
    };
    assert_eq!(
        out.projects.project_by_runners_token(&project_token.digest),
        Ok(Some(app.clone()))
    );
    assert_eq!(
        out.namespaces.group_by_runners_token(&group_token.digest),
        Ok(Some(team.clone()))
    );
    // Each answers for its own kind of token only.
    assert_eq!(project_by(&group_token), None);
    assert_eq!(group_by(&project_token), None);
    let unknown = fresh_token();
    assert_eq!(project_by(&unknown), None);
    assert_eq!(group_by(&unknown), None);

    // A replaced token finds nothing any more.
    let newer = fresh_token();
    assert_eq!(
        out.projects.set_project_runners_token(app.id, &newer),
        Ok(true)
    );
    assert_eq!(project_by(&project_token), None);
    assert_eq!(project_by(&newer), Some(app.id));
    let newest = fresh_token();
    assert_eq!(
        out.namespaces.set_group_runners_token(team.id, &newest),
        Ok(true)
    );
    assert_eq!(group_by(&group_token), None);
    assert_eq!(group_by(&newest), Some(team.id));
}

pub fn deleting_a_project_deletes_the_project_runners_it_leaves_without_a_project(out: &Outbound) {
    let owner = user(out, "owner");
    let team = group(out, &owner, "team");
    let app = project(out, &owner, &team, "app");
    let lib = project(out, &owner, &team, "lib");
    let only = project_runner(out, &app, "only");
    let owned = project_runner(out, &app, "owned-by-app");
    assign(out, &owned, &lib);
    let borrowed = project_runner(out, &lib, "owned-by-lib");
    assign(out, &borrowed, &app);
    let of_team = group_runner(out, &team, "of-team");
    let shared = instance_runner(out, "shared");
    record(
        out,
        &[contact(&only, now(out), Some(machine("m1", "16.0.0")))],
    );

    assert_eq!(out.projects.delete_project(app.id), Ok(true));

    assert_eq!(out.runners.runner(only.id), Ok(None));
    assert_eq!(
        out.runners.runner_by_token(&runner_digest("only")),
        Ok(None)
    );
    assert!(out.runners.runner_managers(only.id).unwrap().is_empty());
    // A runner with another project stays.
    for runner in [&owned, &borrowed] {
        assert_eq!(out.runners.runner_project_ids(runner.id), Ok(vec![lib.id]));
    }
    assert_eq!(
        runner_ids(out, &all_runners()),
        [owned.id, borrowed.id, of_team.id, shared.id]
    );

    assert_eq!(out.projects.delete_project(lib.id), Ok(true));
    assert_eq!(runner_ids(out, &all_runners()), [of_team.id, shared.id]);
}

pub fn deleting_a_group_deletes_its_group_runners_and_the_project_runners_it_orphans(
    out: &Outbound,
) {
    let owner = user(out, "owner");
    let top = group(out, &owner, "top");
    let sub = subgroup(out, &owner, &top, "sub");
    let keep = group(out, &owner, "keep");
    let app = project(out, &owner, &sub, "app");
    let lib = project(out, &owner, &keep, "lib");
    let of_top = group_runner(out, &top, "of-top");
    let of_sub = group_runner(out, &sub, "of-sub");
    let of_keep = group_runner(out, &keep, "of-keep");
    let on_app = project_runner(out, &app, "on-app");
    let spanning = project_runner(out, &app, "spanning");
    assign(out, &spanning, &lib);
    let shared = instance_runner(out, "shared");
    record(
        out,
        &[contact(&of_sub, now(out), Some(machine("m1", "16.0.0")))],
    );

    assert_eq!(out.namespaces.delete_group(top.id), Ok(true));

    for runner in [&of_top, &of_sub, &on_app] {
        assert_eq!(out.runners.runner(runner.id), Ok(None));
        assert!(out.runners.runner_managers(runner.id).unwrap().is_empty());
    }
    assert_eq!(
        out.runners.runner_by_token(&runner_digest("of-sub")),
        Ok(None)
    );
    assert_eq!(
        out.runners.runner_project_ids(spanning.id),
        Ok(vec![lib.id])
    );
    assert_eq!(
        runner_ids(out, &all_runners()),
        [of_keep.id, spanning.id, shared.id]
    );
}

pub fn deleting_a_user_deletes_the_runners_of_its_personal_projects(out: &Outbound) {
    let alice = user(out, "alice");
    let bob = user(out, "bob");
    let team = group(out, &bob, "team");
    join(out, in_group(&team), &alice, Role::Owner);
    let app = project(out, &bob, &team, "app");
    let home = out
        .namespaces
        .user_namespace(alice.id)
        .unwrap()
        .expect("a namespace");
    let notes = project(out, &alice, &home, "notes");
    let by_alice = |new: NewRunner| {
        let new = NewRunner {
            creator_id: Some(alice.id),
            ..new
        };
        create_runner(out, new)
    };
    let personal = by_alice(NewRunner {
        project_id: Some(notes.id),
        ..new_runner(out, RunnerType::Project, "personal")
    });
    let spanning = by_alice(NewRunner {
        project_id: Some(notes.id),
        ..new_runner(out, RunnerType::Project, "spanning")
    });
    assign(out, &spanning, &app);
    let for_team = by_alice(NewRunner {
        project_id: Some(app.id),
        ..new_runner(out, RunnerType::Project, "for-team")
    });
    let of_team = by_alice(NewRunner {
        group_id: Some(team.id),
        ..new_runner(out, RunnerType::Group, "of-team")
    });

    assert_eq!(out.users.delete_user(alice.id), Ok(true));

    assert_eq!(out.runners.runner(personal.id), Ok(None));
    // What stays loses its creator; a runner with another project moves to it.
    let expected = Runner {
        creator_id: None,
        ..spanning.clone()
    };
    assert_eq!(reread(out, &spanning), expected);
    assert_eq!(
        out.runners.runner_project_ids(spanning.id),
        Ok(vec![app.id])
    );
    for runner in [&for_team, &of_team] {
        let expected = Runner {
            creator_id: None,
            ..runner.clone()
        };
        assert_eq!(reread(out, runner), expected);
    }
    assert_eq!(
        runner_ids(out, &all_runners()),
        [spanning.id, for_team.id, of_team.id]
    );
}
