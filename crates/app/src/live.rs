//! Runner contacts kept live in memory and written down at most once per interval per runner
//! (and at once for a first contact or a manager whose details changed). Runner requests only
//! touch memory; a background flush (and any management read) writes what is due.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use paddock_domain::runner::{Runner, RunnerId, RunnerInfo};
use paddock_ports::outbound::{ContactUpdate, ManagerContact};

#[derive(Debug)]
struct LiveManager {
    info: RunnerInfo,
    ip_address: Option<String>,
    contacted_at: DateTime<Utc>,
    written_at: Option<DateTime<Utc>>,
    dirty: bool,
}

#[derive(Debug)]
struct LiveRunner {
    contacted_at: DateTime<Utc>,
    written_at: Option<DateTime<Utc>>,
    dirty: bool,
    managers: HashMap<String, LiveManager>,
}

#[derive(Debug, Default)]
struct State {
    runners: HashMap<RunnerId, LiveRunner>,
    dirty: BTreeSet<RunnerId>,
}

/// The live contact times of runners and their managers in this process.
#[derive(Debug, Default)]
pub struct LiveRunners {
    state: Mutex<State>,
}

impl LiveRunners {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a contact at `now`; marks it for writing when due.
    pub fn touch(
        &self,
        runner: &Runner,
        now: DateTime<Utc>,
        manager: Option<ManagerContact>,
        interval: Duration,
    ) {
        let mut state = self.lock();
        let live = state
            .runners
            .entry(runner.id)
            .or_insert_with(|| LiveRunner {
                contacted_at: now,
                // What the database holds counts as the last write.
                written_at: runner.contacted_at,
                dirty: false,
                managers: HashMap::new(),
            });
        live.contacted_at = now;
        let due = |written: Option<DateTime<Utc>>| written.is_none_or(|at| now - at >= interval);
        let mut dirty = false;
        if due(live.written_at) {
            live.dirty = true;
            dirty = true;
        }
        if let Some(contact) = manager {
            let entry = live
                .managers
                .entry(contact.system_id)
                .or_insert_with(|| LiveManager {
                    info: contact.info.clone(),
                    ip_address: contact.ip_address.clone(),
                    contacted_at: now,
                    written_at: None,
                    dirty: true,
                });
            let changed = entry.info != contact.info || entry.ip_address != contact.ip_address;
            entry.info = contact.info;
            entry.ip_address = contact.ip_address;
            entry.contacted_at = now;
            if changed || due(entry.written_at) {
                entry.dirty = true;
            }
            dirty |= entry.dirty;
        }
        if dirty {
            state.dirty.insert(runner.id);
        }
    }

    /// The live contact time of a runner, if it contacted this process.
    pub fn contacted_at(&self, runner: RunnerId) -> Option<DateTime<Utc>> {
        self.lock().runners.get(&runner).map(|r| r.contacted_at)
    }

    /// The live contact time of one of a runner's managers.
    pub fn manager_contacted_at(&self, runner: RunnerId, system_id: &str) -> Option<DateTime<Utc>> {
        self.lock()
            .runners
            .get(&runner)
            .and_then(|r| r.managers.get(system_id))
            .map(|m| m.contacted_at)
    }

    /// Takes what is due for writing, marking it written at `now`.
    pub fn take_due(&self, now: DateTime<Utc>) -> Vec<ContactUpdate> {
        let mut state = self.lock();
        let ids: Vec<RunnerId> = std::mem::take(&mut state.dirty).into_iter().collect();
        let mut updates = Vec::new();
        for id in ids {
            let Some(live) = state.runners.get_mut(&id) else {
                continue;
            };
            if live.dirty {
                live.dirty = false;
                live.written_at = Some(now);
                updates.push(ContactUpdate {
                    runner: id,
                    contacted_at: live.contacted_at,
                    manager: None,
                });
            }
            for (system_id, manager) in live.managers.iter_mut().filter(|(_, m)| m.dirty) {
                manager.dirty = false;
                manager.written_at = Some(now);
                updates.push(ContactUpdate {
                    runner: id,
                    contacted_at: manager.contacted_at,
                    manager: Some(ManagerContact {
                        system_id: system_id.clone(),
                        info: manager.info.clone(),
                        ip_address: manager.ip_address.clone(),
                    }),
                });
            }
        }
        updates
    }

    /// Puts back updates whose write failed, to be retried.
    pub fn restore(&self, updates: &[ContactUpdate]) {
        let mut state = self.lock();
        for update in updates {
            if let Some(live) = state.runners.get_mut(&update.runner) {
                match &update.manager {
                    None => live.dirty = true,
                    Some(contact) => {
                        if let Some(m) = live.managers.get_mut(&contact.system_id) {
                            m.dirty = true;
                        }
                    }
                }
                state.dirty.insert(update.runner);
            }
        }
    }

    /// Forgets a deleted runner, or one manager of it.
    pub fn forget(&self, runner: RunnerId, system_id: Option<&str>) {
        let mut state = self.lock();
        match system_id {
            None => {
                state.runners.remove(&runner);
                state.dirty.remove(&runner);
            }
            Some(system_id) => {
                if let Some(live) = state.runners.get_mut(&runner) {
                    live.managers.remove(system_id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use paddock_domain::runner::{RegistrationType, RunnerSettings, RunnerType};

    fn runner(contacted_at: Option<DateTime<Utc>>) -> Runner {
        let at = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        Runner {
            id: RunnerId(7),
            runner_type: RunnerType::Instance,
            group_id: None,
            owner_project_id: None,
            settings: RunnerSettings::default(),
            name: None,
            token_expires_at: None,
            registration_type: RegistrationType::RegistrationToken,
            contacted_at,
            creator_id: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn contact(version: &str) -> ManagerContact {
        ManagerContact {
            system_id: "s_1".into(),
            info: RunnerInfo {
                version: Some(version.into()),
                ..RunnerInfo::default()
            },
            ip_address: None,
        }
    }

    #[test]
    fn a_first_contact_is_due_at_once_then_once_per_interval() {
        let live = LiveRunners::default();
        let interval = Duration::minutes(5);
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        live.touch(&runner(None), t0, None, interval);
        assert_eq!(live.take_due(t0).len(), 1);
        live.touch(&runner(None), t0 + Duration::minutes(1), None, interval);
        assert!(
            live.take_due(t0 + Duration::minutes(1)).is_empty(),
            "written a minute ago"
        );
        assert_eq!(
            live.contacted_at(RunnerId(7)),
            Some(t0 + Duration::minutes(1)),
            "readers see the live value"
        );
        live.touch(&runner(None), t0 + Duration::minutes(5), None, interval);
        let due = live.take_due(t0 + Duration::minutes(5));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].contacted_at, t0 + Duration::minutes(5));
    }

    #[test]
    fn a_recent_database_contact_counts_as_written() {
        let live = LiveRunners::default();
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        live.touch(
            &runner(Some(t0 - Duration::minutes(1))),
            t0,
            None,
            Duration::minutes(5),
        );
        assert!(live.take_due(t0).is_empty());
    }

    #[test]
    fn new_or_changed_managers_are_due_at_once() {
        let live = LiveRunners::default();
        let interval = Duration::minutes(5);
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        live.touch(&runner(Some(t0)), t0, Some(contact("17.0.0")), interval);
        let due = live.take_due(t0);
        assert_eq!(due.len(), 1);
        assert!(due[0].manager.is_some());
        live.touch(&runner(Some(t0)), t0, Some(contact("17.0.0")), interval);
        assert!(live.take_due(t0).is_empty());
        live.touch(&runner(Some(t0)), t0, Some(contact("17.1.0")), interval);
        assert_eq!(
            live.take_due(t0).len(),
            1,
            "a new version is written at once"
        );
    }

    #[test]
    fn failed_writes_are_retried_and_forgotten_runners_dropped() {
        let live = LiveRunners::default();
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default();
        live.touch(&runner(None), t0, Some(contact("1")), Duration::minutes(5));
        let due = live.take_due(t0);
        assert_eq!(due.len(), 2);
        live.restore(&due);
        assert_eq!(live.take_due(t0).len(), 2);
        live.touch(&runner(None), t0, None, Duration::zero());
        live.forget(RunnerId(7), None);
        assert!(live.take_due(t0).is_empty());
        assert_eq!(live.contacted_at(RunnerId(7)), None);
    }
}
