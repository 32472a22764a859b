//! Which runner may take which job, and in what order a runner is offered the pending jobs.

use std::collections::HashMap;

use crate::runner::{AccessLevel, Runner, RunnerSettings, RunnerType};
use crate::{JobId, NamespaceId, ProjectId};

/// What decides which runners may serve a project at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectScope {
    pub id: ProjectId,
    /// The project's namespace and its ancestors, root first.
    pub namespaces: Vec<NamespaceId>,
    pub shared_runners_enabled: bool,
    pub group_runners_enabled: bool,
}

/// Whether a runner may serve the project: a project runner assigned to it (`projects` are
/// the runner's projects), a group runner of one of its groups when the project allows group
/// runners, an instance runner when it allows shared runners.
pub fn runner_serves(runner: &Runner, projects: &[ProjectId], project: &ProjectScope) -> bool {
    match runner.runner_type {
        RunnerType::Project => projects.contains(&project.id),
        RunnerType::Group => {
            project.group_runners_enabled
                && runner
                    .group_id
                    .is_some_and(|g| project.namespaces.contains(&g))
        }
        RunnerType::Instance => project.shared_runners_enabled,
    }
}

/// What a pending job asks of a runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobNeeds<'a> {
    pub tags: &'a [String],
    /// Whether the job's ref is protected.
    pub protected: bool,
}

/// GitLab's `RunnerMatcher#matches?`: a `ref_protected` runner takes only jobs of protected
/// refs; every tag of the job must be one of the runner's (extra runner tags are fine); a
/// job without tags needs a runner that runs untagged jobs. Whether the runner may serve the
/// job's project at all (its type, assignments, the project's settings) is decided before.
pub fn runner_matches(runner: &RunnerSettings, job: JobNeeds<'_>) -> bool {
    if runner.access_level == AccessLevel::RefProtected && !job.protected {
        return false;
    }
    if job.tags.is_empty() {
        return runner.run_untagged;
    }
    job.tags.iter().all(|t| runner.tags.contains(t))
}

/// A pending job an instance runner could take: its project and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub project: ProjectId,
    pub job: JobId,
}

/// The order in which an instance runner is offered jobs: projects with the fewest jobs
/// running on instance runners first, then the oldest job (GitLab's fair scheduling).
/// Project and group runners take the oldest job first: the candidates' own order by id.
pub fn fair_order(
    mut candidates: Vec<Candidate>,
    running_on_instance: &HashMap<ProjectId, u64>,
) -> Vec<JobId> {
    candidates.sort_by_key(|c| {
        (
            running_on_instance.get(&c.project).copied().unwrap_or(0),
            c.job,
        )
    });
    candidates.into_iter().map(|c| c.job).collect()
}

/// The highest count `project_jobs_running_on_instance_runners_count` shows exactly.
pub const INSTANCE_RUNNING_JOBS_MAX_BUCKET: u64 = 5;

/// `job_info.project_jobs_running_on_instance_runners_count`: `+Inf` for a runner that is
/// not an instance runner; the count, capped at the bucket and shown `N+` there, otherwise.
pub fn running_on_instance_label(instance_runner: bool, count: u64) -> String {
    if !instance_runner {
        "+Inf".to_owned()
    } else if count >= INSTANCE_RUNNING_JOBS_MAX_BUCKET {
        format!("{INSTANCE_RUNNING_JOBS_MAX_BUCKET}+")
    } else {
        count.to_string()
    }
}

/// How long a job may run on a runner: the job's timeout (else the project's), lowered to
/// the runner's `maximum_timeout` when that is smaller.
pub fn effective_timeout(
    job_timeout: Option<u64>,
    project_timeout: u64,
    runner_max: Option<i64>,
) -> u64 {
    let timeout = job_timeout.unwrap_or(project_timeout);
    match runner_max.and_then(|m| u64::try_from(m).ok()) {
        Some(max) if max < timeout => max,
        _ => timeout,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Tags;

    fn runner(tags: &[&str], run_untagged: bool, level: AccessLevel) -> RunnerSettings {
        RunnerSettings {
            tags: Tags::parse(tags),
            run_untagged,
            access_level: level,
            ..RunnerSettings::default()
        }
    }

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn tags_must_be_a_subset_of_the_runners() {
        let r = runner(&["docker", "linux"], false, AccessLevel::NotProtected);
        fn need(t: &[String]) -> JobNeeds<'_> {
            JobNeeds {
                tags: t,
                protected: false,
            }
        }
        assert!(runner_matches(&r, need(&tags(&["docker"]))));
        assert!(runner_matches(&r, need(&tags(&["docker", "linux"]))));
        assert!(!runner_matches(&r, need(&tags(&["docker", "gpu"]))));
        assert!(
            !runner_matches(&r, need(&[])),
            "untagged job, run_untagged false"
        );
        let untagged = runner(&[], true, AccessLevel::NotProtected);
        assert!(runner_matches(&untagged, need(&[])));
        assert!(!runner_matches(&untagged, need(&tags(&["docker"]))));
        let both = runner(&["docker"], true, AccessLevel::NotProtected);
        assert!(runner_matches(&both, need(&[])));
        assert!(runner_matches(&both, need(&tags(&["docker"]))));
    }

    #[test]
    fn ref_protected_runners_take_only_protected_jobs() {
        let r = runner(&[], true, AccessLevel::RefProtected);
        assert!(!runner_matches(
            &r,
            JobNeeds {
                tags: &[],
                protected: false
            }
        ));
        assert!(runner_matches(
            &r,
            JobNeeds {
                tags: &[],
                protected: true
            }
        ));
        let open = runner(&[], true, AccessLevel::NotProtected);
        assert!(runner_matches(
            &open,
            JobNeeds {
                tags: &[],
                protected: true
            }
        ));
    }

    #[test]
    fn instance_runners_serve_the_least_busy_project_first() {
        let c = |p: i64, j: i64| Candidate {
            project: ProjectId(p),
            job: JobId(j),
        };
        let running = HashMap::from([(ProjectId(1), 3), (ProjectId(2), 1)]);
        let order = fair_order(vec![c(1, 10), c(2, 11), c(3, 12), c(1, 9)], &running);
        assert_eq!(order, vec![JobId(12), JobId(11), JobId(9), JobId(10)]);
    }

    #[test]
    fn running_count_labels() {
        assert_eq!(running_on_instance_label(false, 3), "+Inf");
        assert_eq!(running_on_instance_label(true, 0), "0");
        assert_eq!(running_on_instance_label(true, 4), "4");
        assert_eq!(running_on_instance_label(true, 5), "5+");
        assert_eq!(running_on_instance_label(true, 50), "5+");
    }

    #[test]
    fn timeouts_are_capped_by_the_runner() {
        assert_eq!(effective_timeout(None, 1234, Some(1000)), 1000);
        assert_eq!(effective_timeout(None, 1234, Some(2000)), 1234);
        assert_eq!(effective_timeout(Some(600), 3600, None), 600);
        assert_eq!(effective_timeout(Some(7200), 3600, Some(3600)), 3600);
    }
}
