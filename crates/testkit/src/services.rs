use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use paddock_domain::token::{PlainToken, TOKEN_BODY_LEN, TokenKind};
use paddock_ports::outbound::{CipherError, Clock, SecretCipher, TokenGenerator};

/// A clock that stands still until told to move. Starts at 2026-01-01T00:00:00Z.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl Default for FixedClock {
    fn default() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        Self(Mutex::new(start))
    }
}

impl FixedClock {
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Tokens `<prefix>0000...0001`, `...0002`, ...: unique and predictable.
#[derive(Debug, Default)]
pub struct SequentialTokens(AtomicU64);

impl TokenGenerator for SequentialTokens {
    fn generate(&self, kind: TokenKind) -> PlainToken {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        PlainToken::compose(kind, &format!("{n:0width$}", width = TOKEN_BODY_LEN))
    }
}

/// A "cipher" that stores the text behind a marker: reversible, and detects foreign input.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainCipher;

const MARKER: &[u8] = b"sealed:";

impl SecretCipher for PlainCipher {
    fn seal(&self, plain: &PlainToken) -> Vec<u8> {
        [MARKER, plain.expose().as_bytes()].concat()
    }

    fn open(&self, sealed: &[u8]) -> Result<PlainToken, CipherError> {
        let text = sealed.strip_prefix(MARKER).ok_or(CipherError)?;
        let text = std::str::from_utf8(text).map_err(|_| CipherError)?;
        Ok(PlainToken::from_user(text))
    }
}
