use chrono::{DateTime, Utc};
use paddock_ports::outbound::Clock;

/// The system clock, at the microsecond precision both databases keep.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
    }
}
