//! Runner contacts kept live in memory and written to the database at most once per interval
//! per runner, and at once for a first contact or a manager that is new or changed. Runner
//! requests only touch memory; a background flush (and management reads) write what is due;
//! the last flush on shutdown writes everything newer than what was written.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use paddock_domain::runner::{Runner, RunnerId, RunnerInfo};
use paddock_ports::outbound::{ContactUpdate, ManagerContact};

#[derive(Debug)]
struct LiveManager {
    contacted_at: DateTime<Utc>,
    info: Option<RunnerInfo>,
    ip_address: Option<String>,
    /// The details changed since they were last written.
    details_dirty: bool,
    /// The contact time last written, and when it was written.
    written: Option<DateTime<Utc>>,
    written_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct LiveRunner {
    contacted_at: DateTime<Utc>,
    written: Option<DateTime<Utc>>,
    written_at: Option<DateTime<Utc>>,
    managers: HashMap<String, LiveManager>,
}

/// Whether a contact newer than what was written should be written now.
fn due(
    contacted_at: DateTime<Utc>,
    written: Option<DateTime<Utc>>,
    written_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    interval: Duration,
) -> bool {
    written.is_none_or(|w| contacted_at > w) && written_at.is_none_or(|at| now - at >= interval)
}

/// The live contact times of runners and their managers in this process.
#[derive(Debug, Default)]
pub struct LiveRunners {
    runners: Mutex<HashMap<RunnerId, LiveRunner>>,
}

impl LiveRunners {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RunnerId, LiveRunner>> {
        self.runners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a contact at `now`, and of one of the runner's machines. A contact without
    /// `info` keeps the details known so far.
    pub fn touch(
        &self,
        runner: &Runner,
        now: DateTime<Utc>,
        manager: Option<(String, Option<RunnerInfo>, Option<String>)>,
    ) {
        let mut runners = self.lock();
        let live = runners.entry(runner.id).or_insert_with(|| LiveRunner {
            contacted_at: now,
            // What the database holds counts as written, at that time.
            written: runner.contacted_at,
            written_at: runner.contacted_at,
            managers: HashMap::new(),
        });
        live.contacted_at = live.contacted_at.max(now);
        if let Some((system_id, info, ip_address)) = manager {
            match live.managers.get_mut(&system_id) {
                Some(m) => {
                    m.contacted_at = m.contacted_at.max(now);
                    let changed_info = info
                        .as_ref()
                        .is_some_and(|new| m.info.as_ref() != Some(new));
                    if changed_info || m.ip_address != ip_address {
                        m.details_dirty = true;
                    }
                    if info.is_some() {
                        m.info = info;
                    }
                    m.ip_address = ip_address;
                }
                None => {
                    live.managers.insert(
                        system_id,
                        LiveManager {
                            contacted_at: now,
                            info,
                            ip_address,
                            details_dirty: true,
                            written: None,
                            written_at: None,
                        },
                    );
                }
            }
        }
    }

    /// Records a contact at `now` of a runner known only by id (a job update), and of its
    /// machine when this process knows it.
    pub fn touch_id(&self, runner: RunnerId, now: DateTime<Utc>, system_id: Option<&str>) {
        let mut runners = self.lock();
        let live = runners.entry(runner).or_insert_with(|| LiveRunner {
            contacted_at: now,
            written: None,
            written_at: None,
            managers: HashMap::new(),
        });
        live.contacted_at = live.contacted_at.max(now);
        if let Some(m) = system_id.and_then(|id| live.managers.get_mut(id)) {
            m.contacted_at = m.contacted_at.max(now);
        }
    }

    /// The live contact time of a runner, if it contacted this process.
    pub fn contacted_at(&self, runner: RunnerId) -> Option<DateTime<Utc>> {
        self.lock().get(&runner).map(|r| r.contacted_at)
    }

    /// The live contact time of one of a runner's managers.
    pub fn manager_contacted_at(&self, runner: RunnerId, system_id: &str) -> Option<DateTime<Utc>> {
        self.lock()
            .get(&runner)
            .and_then(|r| r.managers.get(system_id))
            .map(|m| m.contacted_at)
    }

    /// Takes what is due for writing (`everything`: every contact newer than what was
    /// written, for the last flush), marking it written at `now`; forgets runners whose
    /// contacts were all written more than two intervals ago.
    pub fn take_due(
        &self,
        now: DateTime<Utc>,
        interval: Duration,
        everything: bool,
    ) -> Vec<ContactUpdate> {
        let interval = if everything {
            Duration::zero()
        } else {
            interval
        };
        let mut runners = self.lock();
        let mut updates = Vec::new();
        for (id, live) in runners.iter_mut() {
            if due(
                live.contacted_at,
                live.written,
                live.written_at,
                now,
                interval,
            ) {
                live.written = Some(live.contacted_at);
                live.written_at = Some(now);
                updates.push(ContactUpdate {
                    runner: *id,
                    contacted_at: live.contacted_at,
                    manager: None,
                });
            }
            for (system_id, m) in live.managers.iter_mut() {
                if m.details_dirty || due(m.contacted_at, m.written, m.written_at, now, interval) {
                    m.details_dirty = false;
                    m.written = Some(m.contacted_at);
                    m.written_at = Some(now);
                    updates.push(ContactUpdate {
                        runner: *id,
                        contacted_at: m.contacted_at,
                        manager: Some(ManagerContact {
                            system_id: system_id.clone(),
                            info: m.info.clone(),
                            ip_address: m.ip_address.clone(),
                        }),
                    });
                }
            }
        }
        let quiet = |written: Option<DateTime<Utc>>, contacted_at: DateTime<Utc>| {
            written == Some(contacted_at) && now - contacted_at > interval * 2
        };
        runners.retain(|_, live| {
            live.managers
                .retain(|_, m| !quiet(m.written, m.contacted_at) || m.details_dirty);
            !(quiet(live.written, live.contacted_at) && live.managers.is_empty())
        });
        updates
    }

    /// Puts back updates whose write failed, to be retried.
    pub fn restore(&self, updates: &[ContactUpdate]) {
        let mut runners = self.lock();
        for update in updates {
            let Some(live) = runners.get_mut(&update.runner) else {
                continue;
            };
            match &update.manager {
                None => {
                    live.written = None;
                    live.written_at = None;
                }
                Some(contact) => {
                    if let Some(m) = live.managers.get_mut(&contact.system_id) {
                        m.details_dirty = true;
                    }
                }
            }
        }
    }

    /// Forgets a deleted runner, or one manager of it.
    pub fn forget(&self, runner: RunnerId, system_id: Option<&str>) {
        let mut runners = self.lock();
        match system_id {
            None => {
                runners.remove(&runner);
            }
            Some(system_id) => {
                if let Some(live) = runners.get_mut(&runner) {
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

    const INTERVAL: Duration = Duration::minutes(5);

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn runner(contacted_at: Option<DateTime<Utc>>) -> Runner {
        Runner {
            id: RunnerId(7),
            runner_type: RunnerType::Instance,
            group_id: None,
            settings: RunnerSettings::default(),
            name: None,
            token_expires_at: None,
            registration_type: RegistrationType::RegistrationToken,
            contacted_at,
            creator_id: None,
            created_at: t0(),
            updated_at: t0(),
        }
    }

    fn machine(version: Option<&str>) -> Option<(String, Option<RunnerInfo>, Option<String>)> {
        let info = version.map(|v| RunnerInfo {
            version: Some(v.into()),
            ..RunnerInfo::default()
        });
        Some(("s_1".into(), info, None))
    }

    #[test]
    fn a_first_contact_is_due_at_once_then_once_per_interval() {
        let live = LiveRunners::default();
        live.touch(&runner(None), t0(), None);
        assert_eq!(live.take_due(t0(), INTERVAL, false).len(), 1);
        live.touch(&runner(None), t0() + Duration::minutes(1), None);
        assert!(
            live.take_due(t0() + Duration::minutes(1), INTERVAL, false)
                .is_empty(),
            "written a minute ago"
        );
        assert_eq!(
            live.contacted_at(RunnerId(7)),
            Some(t0() + Duration::minutes(1)),
            "readers see the live value"
        );
        // Even without another contact, the newer time is written once the interval passed.
        let due = live.take_due(t0() + Duration::minutes(5), INTERVAL, false);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].contacted_at, t0() + Duration::minutes(1));
        assert!(
            live.take_due(t0() + Duration::minutes(20), INTERVAL, false)
                .is_empty()
        );
    }

    #[test]
    fn a_recent_database_contact_counts_as_written() {
        let live = LiveRunners::default();
        live.touch(&runner(Some(t0() - Duration::minutes(1))), t0(), None);
        assert!(live.take_due(t0(), INTERVAL, false).is_empty());
        assert_eq!(
            live.take_due(t0(), INTERVAL, true).len(),
            1,
            "the last flush writes everything newer"
        );
    }

    #[test]
    fn new_or_changed_managers_are_due_at_once_and_missing_info_keeps_details() {
        let live = LiveRunners::default();
        live.touch(&runner(Some(t0())), t0(), machine(Some("17.0.0")));
        let due = live.take_due(t0(), INTERVAL, false);
        assert_eq!(due.len(), 1);
        assert_eq!(
            due[0]
                .manager
                .as_ref()
                .and_then(|m| m.info.clone())
                .and_then(|i| i.version),
            Some("17.0.0".into())
        );
        live.touch(&runner(Some(t0())), t0(), machine(None));
        assert!(
            live.take_due(t0(), INTERVAL, false).is_empty(),
            "no info changes nothing"
        );
        live.touch(&runner(Some(t0())), t0(), machine(Some("17.1.0")));
        assert_eq!(
            live.take_due(t0(), INTERVAL, false).len(),
            1,
            "a new version is written at once"
        );
    }

    #[test]
    fn quiet_runners_are_forgotten_once_written() {
        let live = LiveRunners::default();
        live.touch(&runner(None), t0(), machine(Some("1")));
        assert_eq!(live.take_due(t0(), INTERVAL, false).len(), 2);
        live.take_due(t0() + Duration::minutes(11), INTERVAL, false);
        assert_eq!(live.contacted_at(RunnerId(7)), None);
    }

    #[test]
    fn failed_writes_are_retried_and_forgotten_runners_dropped() {
        let live = LiveRunners::default();
        live.touch(&runner(None), t0(), machine(Some("1")));
        let due = live.take_due(t0(), INTERVAL, false);
        assert_eq!(due.len(), 2);
        live.restore(&due);
        assert_eq!(live.take_due(t0(), INTERVAL, false).len(), 2);
        live.touch(&runner(None), t0() + Duration::minutes(10), None);
        live.forget(RunnerId(7), None);
        assert!(
            live.take_due(t0() + Duration::minutes(10), INTERVAL, true)
                .is_empty()
        );
        assert_eq!(live.contacted_at(RunnerId(7)), None);
    }
}
