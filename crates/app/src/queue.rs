//! The runners' job queues as this process knows them: for each runner token seen lately, the
//! runner (so that an idle poll needs no database), its projects, and its queue value, GitLab's
//! `X-GitLab-Last-Update`.
//!
//! A poll whose `last_update` equals the runner's value is answered "no job" from here, and so
//! is any poll of a runner whose queue was read empty at its current value (nothing it may
//! take was queued since, or the value would have moved on). The value changes when a job the runner could take becomes pending in this process, when the
//! runner changes, and when the entry is older than the refresh interval: the only way this
//! process learns of jobs queued, or runners changed, by another process sharing the database.
//!
//! Each entry also wakes the job requests parked on it (long polling): a new value wakes them
//! with [`QueueWake::Changed`]; an entry dropped (stale, or its runner changed) wakes them
//! with [`QueueWake::Reread`]. One [`Wake`] per runner entry; a parked request holds only a
//! [`Waiter`](crate::wake::Waiter) of it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use paddock_domain::ProjectId;
use paddock_domain::job::queue::{JobNeeds, ProjectScope, runner_matches, runner_serves};
use paddock_domain::runner::{Runner, RunnerId};
use paddock_domain::token::TokenDigest;

use crate::wake::Wake;
use paddock_ports::inbound::QueueWatch;

#[derive(Debug)]
struct Entry {
    runner: Runner,
    /// The projects of a project runner.
    projects: Vec<ProjectId>,
    value: String,
    /// The queue was read empty at `value`.
    empty: bool,
    fetched_at: DateTime<Utc>,
    /// Ticked with each new value; dropped with the entry (both wake parked requests).
    wake: Wake,
}

#[derive(Debug, Default)]
struct Entries {
    by_token: HashMap<TokenDigest, Entry>,
    token_of: HashMap<RunnerId, TokenDigest>,
}

/// A runner known from memory, with its current queue value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub runner: Runner,
    pub value: String,
    /// The runner's queue was read empty at this value: no job to offer.
    pub empty: bool,
}

/// The runners and queue values of this process.
#[derive(Debug)]
pub struct RunnerQueues {
    entries: Mutex<Entries>,
    /// Makes values unique across processes and restarts.
    nonce: u64,
    counter: AtomicU64,
    /// Bumped by every [`forget`](Self::forget): a runner read before a forget is not
    /// remembered after it.
    epoch: AtomicU64,
}

impl RunnerQueues {
    /// `nonce` should differ between processes (the start time will do).
    pub fn new(nonce: u64) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            nonce,
            counter: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn next_value(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{:08x}", self.nonce, n)
    }

    /// The runner of a token and its queue value, if known and fetched less than `refresh`
    /// ago.
    pub fn known(
        &self,
        token: &TokenDigest,
        now: DateTime<Utc>,
        refresh: Duration,
    ) -> Option<Known> {
        let entries = self.lock();
        let entry = entries.by_token.get(token)?;
        (now - entry.fetched_at < refresh).then(|| Known {
            runner: entry.runner.clone(),
            value: entry.value.clone(),
            empty: entry.empty,
        })
    }

    /// What to pass to [`remember`](Self::remember), taken before reading the runner.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Remembers a runner just read from the database, with a new queue value; unless some
    /// runner was forgotten since `epoch` (it may be this one, read before it changed): the
    /// value is then given but not remembered, and the runner is read again next time.
    pub fn remember(
        &self,
        token: TokenDigest,
        runner: Runner,
        projects: Vec<ProjectId>,
        now: DateTime<Utc>,
        epoch: u64,
    ) -> String {
        let value = self.next_value();
        let mut entries = self.lock();
        if self.epoch() != epoch {
            return value;
        }
        if let Some(old) = entries.token_of.insert(runner.id, token)
            && old != token
        {
            entries.by_token.remove(&old);
        }
        entries.by_token.insert(
            token,
            Entry {
                runner,
                projects,
                value: value.clone(),
                empty: false,
                fetched_at: now,
                wake: Wake::default(),
            },
        );
        value
    }

    /// A job became pending: every known runner that could take it gets a new value.
    /// Returns how many.
    pub fn job_pending(&self, project: &ProjectScope, needs: JobNeeds<'_>) -> usize {
        let mut entries = self.lock();
        let mut ticked = 0;
        let matching: Vec<TokenDigest> = entries
            .by_token
            .iter()
            .filter(|(_, e)| {
                runner_serves(&e.runner, &e.projects, project)
                    && runner_matches(&e.runner.settings, needs)
            })
            .map(|(token, _)| *token)
            .collect();
        for token in matching {
            let value = self.next_value();
            if let Some(entry) = entries.by_token.get_mut(&token) {
                entry.value = value;
                entry.empty = false;
                entry.wake.tick();
                ticked += 1;
            }
        }
        ticked
    }

    /// Jobs may have become takeable without becoming pending (a project opened to shared or
    /// group runners): every runner gets a new value and reads its queue at its next poll.
    pub fn requeue_all(&self) {
        let mut entries = self.lock();
        for entry in entries.by_token.values_mut() {
            entry.value = self.next_value();
            entry.empty = false;
            entry.wake.tick();
        }
    }

    /// The runner's queue was read empty after its value `value` was taken: unless the value
    /// moved on meanwhile (a job was queued), its polls are answered "no job" from memory
    /// until it does.
    pub fn read_empty(&self, token: &TokenDigest, value: &str) {
        let mut entries = self.lock();
        if let Some(entry) = entries.by_token.get_mut(token)
            && entry.value == value
        {
            entry.empty = true;
        }
    }

    /// A wait for the queue value of a token to move on from `value`: `None` unless `value`
    /// is the current value of an active runner known and fresh here (the request is then
    /// answered at once). Taken under the same lock as every change, so none is missed.
    pub fn watch(
        &self,
        token: &TokenDigest,
        value: &str,
        now: DateTime<Utc>,
        refresh: Duration,
    ) -> Option<QueueWatch> {
        let entries = self.lock();
        let entry = entries.by_token.get(token)?;
        if entry.value != value
            || !entry.runner.settings.active
            || now - entry.fetched_at >= refresh
        {
            return None;
        }
        Some(Box::pin(entry.wake.waiter()))
    }

    /// The runner changed or is gone: it is read again at its next request (with a new value).
    pub fn forget(&self, runner: RunnerId) {
        let mut entries = self.lock();
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if let Some(token) = entries.token_of.remove(&runner) {
            entries.by_token.remove(&token);
        }
    }

    /// Drops entries older than `refresh` (they would be read again anyway).
    pub fn evict_stale(&self, now: DateTime<Utc>, refresh: Duration) {
        let mut entries = self.lock();
        let stale: Vec<(TokenDigest, RunnerId)> = entries
            .by_token
            .iter()
            .filter(|(_, e)| now - e.fetched_at >= refresh)
            .map(|(t, e)| (*t, e.runner.id))
            .collect();
        for (token, runner) in stale {
            entries.by_token.remove(&token);
            if entries.token_of.get(&runner) == Some(&token) {
                entries.token_of.remove(&runner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paddock_domain::NamespaceId;
    use paddock_domain::runner::{RegistrationType, RunnerSettings, RunnerType, Tags};
    use paddock_ports::inbound::QueueWake;

    fn runner(id: i64, runner_type: RunnerType, group: Option<i64>, tags: &[&str]) -> Runner {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        Runner {
            id: RunnerId(id),
            runner_type,
            group_id: group.map(NamespaceId),
            settings: RunnerSettings {
                tags: Tags::parse(tags),
                run_untagged: tags.is_empty(),
                ..RunnerSettings::default()
            },
            name: None,
            token_expires_at: None,
            registration_type: RegistrationType::AuthenticatedUser,
            contacted_at: None,
            creator_id: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn scope(project: i64, namespaces: &[i64]) -> ProjectScope {
        ProjectScope {
            id: ProjectId(project),
            namespaces: namespaces.iter().map(|n| NamespaceId(*n)).collect(),
            shared_runners_enabled: true,
            group_runners_enabled: true,
        }
    }

    #[test]
    fn only_runners_that_can_take_the_job_get_a_new_value() {
        let queues = RunnerQueues::new(7);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let refresh = Duration::seconds(10);
        let tokens: Vec<TokenDigest> = (0..4).map(|i| TokenDigest::of(&format!("t{i}"))).collect();
        queues.remember(
            tokens[0],
            runner(1, RunnerType::Project, None, &[]),
            vec![ProjectId(5)],
            now,
            0,
        );
        queues.remember(
            tokens[1],
            runner(2, RunnerType::Group, Some(3), &[]),
            vec![],
            now,
            0,
        );
        queues.remember(
            tokens[2],
            runner(3, RunnerType::Instance, None, &["gpu"]),
            vec![],
            now,
            0,
        );
        queues.remember(
            tokens[3],
            runner(4, RunnerType::Project, None, &[]),
            vec![ProjectId(6)],
            now,
            0,
        );
        let before: Vec<String> = tokens
            .iter()
            .map(|t| queues.known(t, now, refresh).unwrap().value)
            .collect();
        let ticked = queues.job_pending(
            &scope(5, &[3, 4]),
            JobNeeds {
                tags: &[],
                protected: false,
            },
        );
        assert_eq!(ticked, 2, "the project runner and the group runner");
        let after: Vec<String> = tokens
            .iter()
            .map(|t| queues.known(t, now, refresh).unwrap().value)
            .collect();
        assert_ne!(before[0], after[0]);
        assert_ne!(before[1], after[1]);
        assert_eq!(
            before[2], after[2],
            "the tagged instance runner runs no untagged job"
        );
        assert_eq!(before[3], after[3]);
    }

    #[test]
    fn an_empty_read_holds_until_the_value_moves_on() {
        let queues = RunnerQueues::new(9);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let refresh = Duration::seconds(10);
        let token = TokenDigest::of("t");
        let value = queues.remember(
            token,
            runner(1, RunnerType::Instance, None, &[]),
            vec![],
            now,
            0,
        );
        assert!(!queues.known(&token, now, refresh).unwrap().empty);
        // Read empty at an older value (a job was queued meanwhile): not recorded.
        queues.read_empty(&token, "older");
        assert!(!queues.known(&token, now, refresh).unwrap().empty);
        queues.read_empty(&token, &value);
        assert!(queues.known(&token, now, refresh).unwrap().empty);
        queues.requeue_all();
        let requeued = queues.known(&token, now, refresh).unwrap();
        assert!(!requeued.empty && requeued.value != value);
        queues.read_empty(&token, &requeued.value);
        queues.job_pending(
            &scope(5, &[]),
            JobNeeds {
                tags: &[],
                protected: false,
            },
        );
        let known = queues.known(&token, now, refresh).unwrap();
        assert!(!known.empty, "a job it may take was queued");
        assert_ne!(known.value, value);
    }

    #[test]
    fn entries_expire_and_can_be_forgotten() {
        let queues = RunnerQueues::new(1);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let refresh = Duration::seconds(10);
        let token = TokenDigest::of("t");
        queues.remember(
            token,
            runner(1, RunnerType::Instance, None, &[]),
            vec![],
            now,
            0,
        );
        assert!(
            queues
                .known(&token, now + Duration::seconds(9), refresh)
                .is_some()
        );
        assert!(
            queues
                .known(&token, now + Duration::seconds(10), refresh)
                .is_none()
        );
        queues.forget(RunnerId(1));
        assert!(queues.known(&token, now, refresh).is_none());
        // Read before the forget: not remembered.
        queues.remember(
            token,
            runner(1, RunnerType::Instance, None, &[]),
            vec![],
            now,
            0,
        );
        assert!(queues.known(&token, now, refresh).is_none());
        let epoch = queues.epoch();
        queues.remember(
            token,
            runner(1, RunnerType::Instance, None, &[]),
            vec![],
            now,
            epoch,
        );
        assert!(queues.known(&token, now, refresh).is_some());
    }

    /// Polls a parked request once: `None` while it waits.
    fn woken(watch: &mut QueueWatch) -> Option<QueueWake> {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match watch.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(wake) => Some(wake),
            std::task::Poll::Pending => None,
        }
    }

    #[test]
    fn parked_requests_wake_on_a_new_value_and_when_the_entry_goes() {
        let queues = RunnerQueues::new(3);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let refresh = Duration::seconds(10);
        let token = TokenDigest::of("t");
        let value = queues.remember(
            token,
            runner(1, RunnerType::Instance, None, &[]),
            vec![],
            now,
            0,
        );
        assert!(queues.watch(&token, "stale", now, refresh).is_none());
        assert!(
            queues
                .watch(&token, &value, now + refresh, refresh)
                .is_none(),
            "a stale entry is read again first"
        );
        let mut parked = queues.watch(&token, &value, now, refresh).unwrap();
        let mut untouched = queues.watch(&token, &value, now, refresh).unwrap();
        assert_eq!(woken(&mut parked), None);
        queues.job_pending(
            &scope(5, &[]),
            JobNeeds {
                tags: &[],
                protected: false,
            },
        );
        assert_eq!(woken(&mut parked), Some(QueueWake::Changed));
        assert_eq!(woken(&mut untouched), Some(QueueWake::Changed));
        let value = queues.known(&token, now, refresh).unwrap().value;
        let mut parked = queues.watch(&token, &value, now, refresh).unwrap();
        assert_eq!(woken(&mut parked), None);
        queues.evict_stale(now + refresh, refresh);
        assert_eq!(woken(&mut parked), Some(QueueWake::Reread));

        let mut paused = runner(2, RunnerType::Instance, None, &[]);
        paused.settings.active = false;
        let other = TokenDigest::of("p");
        let value = queues.remember(other, paused, vec![], now, queues.epoch());
        assert!(queues.watch(&other, &value, now, refresh).is_none());
    }
}
