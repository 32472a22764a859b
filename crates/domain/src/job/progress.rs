//! How a pipeline moves on: which `created` jobs become pending, manual or skipped once the
//! jobs before them (the earlier stages, or the jobs a job `needs`) have a status.
//!
//! GitLab's rule (`Ci::ProcessBuildService`): the status of the jobs before is composed as a
//! pipeline's is ([`pipeline_status`]); a job whose `when` accepts that status starts (a
//! manual job becomes `manual`); one whose predecessors are complete but do not suit it is
//! skipped; otherwise it waits.

use super::{JobOutcome, JobStatus, pipeline_status};
use crate::ci::When;

/// What the progression needs to know of one job of the pipeline (its latest try).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub stage_index: i32,
    pub status: JobStatus,
    pub when: When,
    pub allow_failure: bool,
    /// `None`: waits for the earlier stages; `Some`: only for these jobs.
    pub needs: Option<Vec<String>>,
}

/// The changes due: `(index into steps, new status)`, for jobs that are `created` now.
/// Applying them and calling again gives nothing more.
pub fn progress(steps: &[Step]) -> Vec<(usize, JobStatus)> {
    let mut statuses: Vec<JobStatus> = steps.iter().map(|s| s.status).collect();
    let mut changes = Vec::new();
    loop {
        let mut changed = false;
        for (index, step) in steps.iter().enumerate() {
            if statuses[index] != JobStatus::Created {
                continue;
            }
            let before = predecessors(steps, &statuses, step);
            if let Some(next) = decide(step, &before) {
                statuses[index] = next;
                changes.push((index, next));
                changed = true;
            }
        }
        if !changed {
            return changes;
        }
    }
}

/// The outcomes of the jobs `step` waits for.
fn predecessors(steps: &[Step], statuses: &[JobStatus], step: &Step) -> Vec<JobOutcome> {
    steps
        .iter()
        .zip(statuses)
        .filter(|(other, _)| match &step.needs {
            Some(needs) => needs.iter().any(|n| n == &other.name),
            None => other.stage_index < step.stage_index,
        })
        .map(|(other, status)| JobOutcome {
            status: *status,
            allow_failure: other.allow_failure,
        })
        .collect()
}

/// What a created job becomes given its predecessors; `None`: it keeps waiting.
fn decide(step: &Step, before: &[JobOutcome]) -> Option<JobStatus> {
    use JobStatus::*;
    // Nothing before: as if everything before succeeded.
    let by_needs = step.needs.is_some();
    // A job is skipped when a job it needs did not run (GitLab's DAG rule).
    let need_skipped = by_needs
        && before
            .iter()
            .any(|b| b.status == Skipped || (b.status == Manual && b.allow_failure));
    let prior = if before.is_empty() {
        Success
    } else if need_skipped {
        Skipped
    } else {
        pipeline_status(before)
    };
    let accepted: &[JobStatus] = match step.when {
        // A job that needs others runs only when they succeeded; one that waits for the
        // earlier stages also runs when they were all skipped.
        When::OnSuccess | When::Manual if by_needs => &[Success],
        When::OnSuccess | When::Manual => &[Success, Skipped],
        When::OnFailure => &[Failed],
        When::Always => &[Success, Failed, Skipped],
    };
    if accepted.contains(&prior) {
        Some(if step.when == When::Manual {
            Manual
        } else {
            Pending
        })
    } else if prior.is_complete() {
        Some(Skipped)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobStatus::*;

    fn step(name: &str, stage: i32, status: JobStatus) -> Step {
        Step {
            name: name.to_owned(),
            stage_index: stage,
            status,
            when: When::OnSuccess,
            allow_failure: false,
            needs: None,
        }
    }

    fn with_when(mut s: Step, when: When) -> Step {
        s.when = when;
        s
    }

    fn needing(mut s: Step, needs: &[&str]) -> Step {
        s.needs = Some(needs.iter().map(|n| (*n).to_owned()).collect());
        s
    }

    #[test]
    fn first_stage_starts_and_later_stages_wait() {
        let steps = [
            step("build", 0, Created),
            step("lint", 0, Created),
            step("test", 1, Created),
        ];
        assert_eq!(progress(&steps), vec![(0, Pending), (1, Pending)]);
    }

    #[test]
    fn next_stage_starts_when_the_previous_succeeded() {
        let steps = [step("build", 0, Success), step("test", 1, Created)];
        assert_eq!(progress(&steps), vec![(1, Pending)]);
        let waiting = [step("build", 0, Running), step("test", 1, Created)];
        assert_eq!(progress(&waiting), vec![]);
    }

    #[test]
    fn failure_skips_on_success_jobs_and_starts_on_failure_and_always() {
        let steps = [
            step("build", 0, Failed),
            step("test", 1, Created),
            with_when(step("notify", 1, Created), When::OnFailure),
            with_when(step("cleanup", 2, Created), When::Always),
            step("deploy", 2, Created),
        ];
        assert_eq!(
            progress(&steps),
            vec![(1, Skipped), (2, Pending)],
            "the last stage waits for notify"
        );
        let later = [
            step("build", 0, Failed),
            step("test", 1, Skipped),
            with_when(step("notify", 1, Created), When::OnFailure),
            with_when(step("cleanup", 2, Created), When::Always),
            step("deploy", 2, Created),
        ];
        // notify still created: waits. Once it runs and succeeds, the earlier failure stays.
        assert_eq!(progress(&later), vec![(2, Pending)]);
        let done = [
            step("build", 0, Failed),
            step("test", 1, Skipped),
            with_when(step("notify", 1, Success), When::OnFailure),
            with_when(step("cleanup", 2, Created), When::Always),
            step("deploy", 2, Created),
        ];
        assert_eq!(progress(&done), vec![(3, Pending), (4, Skipped)]);
    }

    #[test]
    fn on_failure_is_skipped_after_success() {
        let steps = [
            step("build", 0, Success),
            with_when(step("notify", 1, Created), When::OnFailure),
        ];
        assert_eq!(progress(&steps), vec![(1, Skipped)]);
    }

    #[test]
    fn allowed_failures_count_as_success() {
        let mut lint = step("lint", 0, Failed);
        lint.allow_failure = true;
        let steps = [lint, step("test", 1, Created)];
        assert_eq!(progress(&steps), vec![(1, Pending)]);
    }

    #[test]
    fn skipping_cascades_through_stages() {
        let steps = [
            step("build", 0, Failed),
            step("test", 1, Created),
            step("deploy", 2, Created),
        ];
        assert_eq!(progress(&steps), vec![(1, Skipped), (2, Skipped)]);
    }

    #[test]
    fn manual_jobs_wait_for_a_user_and_block_only_when_not_allowed_to_fail() {
        let mut deploy = with_when(step("deploy", 1, Created), When::Manual);
        deploy.allow_failure = true;
        let steps = [
            step("build", 0, Success),
            deploy.clone(),
            step("after", 2, Created),
        ];
        assert_eq!(progress(&steps), vec![(1, Manual), (2, Pending)]);

        let mut blocking = deploy;
        blocking.allow_failure = false;
        let steps = [
            step("build", 0, Success),
            blocking,
            step("after", 2, Created),
        ];
        assert_eq!(progress(&steps), vec![(1, Manual)]);
    }

    #[test]
    fn needs_start_a_job_before_its_stage() {
        let steps = [
            step("build_a", 0, Success),
            step("build_b", 0, Running),
            needing(step("test_a", 1, Created), &["build_a"]),
            step("test_b", 1, Created),
            needing(step("lint", 1, Created), &[]),
        ];
        assert_eq!(progress(&steps), vec![(2, Pending), (4, Pending)]);
    }

    #[test]
    fn a_job_whose_needs_were_skipped_is_skipped() {
        let steps = [
            step("build", 0, Skipped),
            needing(step("test", 1, Created), &["build"]),
            step("report", 1, Created),
        ];
        assert_eq!(progress(&steps), vec![(1, Skipped), (2, Pending)]);
    }

    #[test]
    fn canceled_predecessors_skip_the_rest() {
        let steps = [step("build", 0, Canceled), step("test", 1, Created)];
        assert_eq!(progress(&steps), vec![(1, Skipped)]);
    }

    #[test]
    fn nothing_to_do_twice() {
        let steps = [step("build", 0, Created), step("test", 1, Created)];
        let first = progress(&steps);
        let mut after: Vec<Step> = steps.to_vec();
        for (i, status) in first {
            after[i].status = status;
        }
        assert_eq!(progress(&after), vec![]);
    }
}
