//! A broadcast wake-up for parked job requests, on `std` only (the use cases stay free of
//! any async runtime): one [`Wake`] per runner queue entry; each parked request holds a
//! [`Waiter`], a future that ends with [`QueueWake::Changed`] at the next [`Wake::tick`], or
//! with [`QueueWake::Reread`] once the `Wake` is dropped (the entry is gone).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use paddock_ports::inbound::QueueWake;

#[derive(Debug, Default)]
struct State {
    /// Bumped by every tick.
    generation: u64,
    /// The `Wake` was dropped.
    closed: bool,
    /// The wakers of parked waiters, by waiter key.
    wakers: HashMap<u64, Waker>,
    next_key: u64,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes every parked waiter, after `change`.
    fn wake_all(&self, change: impl FnOnce(&mut State)) {
        let wakers: Vec<Waker> = {
            let mut state = self.lock();
            change(&mut state);
            state.wakers.drain().map(|(_, waker)| waker).collect()
        };
        for waker in wakers {
            waker.wake();
        }
    }
}

/// The sending side, owned by a queue entry; dropping it wakes every waiter (`Reread`).
#[derive(Debug, Default)]
pub struct Wake {
    shared: Arc<Shared>,
}

impl Wake {
    /// Wakes every waiter with `Changed`.
    pub fn tick(&self) {
        self.shared.wake_all(|state| state.generation += 1);
    }

    /// A waiter for the next tick (or the drop), from now on.
    pub fn waiter(&self) -> Waiter {
        let generation = self.shared.lock().generation;
        Waiter {
            shared: self.shared.clone(),
            generation,
            key: None,
        }
    }
}

impl Drop for Wake {
    fn drop(&mut self) {
        self.shared.wake_all(|state| state.closed = true);
    }
}

/// A parked request's wait; holds no thread, only a reference to its entry's wake.
#[derive(Debug)]
pub struct Waiter {
    shared: Arc<Shared>,
    generation: u64,
    /// Where its waker is kept while parked.
    key: Option<u64>,
}

impl Future for Waiter {
    type Output = QueueWake;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<QueueWake> {
        let this = self.get_mut();
        let mut state = this.shared.lock();
        if state.closed {
            return Poll::Ready(QueueWake::Reread);
        }
        if state.generation != this.generation {
            return Poll::Ready(QueueWake::Changed);
        }
        let key = *this.key.get_or_insert_with(|| {
            state.next_key += 1;
            state.next_key
        });
        state.wakers.insert(key, cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            self.shared.lock().wakers.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake as StdWake;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl StdWake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll(waiter: &mut Waiter, count: &Arc<Count>) -> Poll<QueueWake> {
        let waker = Waker::from(count.clone());
        Pin::new(waiter).poll(&mut Context::from_waker(&waker))
    }

    #[test]
    fn waiters_wake_on_a_tick_and_on_the_drop_and_leave_nothing_behind() {
        let wake = Wake::default();
        let count = Arc::new(Count::default());
        let mut first = wake.waiter();
        let mut second = wake.waiter();
        assert_eq!(poll(&mut first, &count), Poll::Pending);
        assert_eq!(poll(&mut first, &count), Poll::Pending, "polled again");
        assert_eq!(poll(&mut second, &count), Poll::Pending);
        assert_eq!(wake.shared.lock().wakers.len(), 2);
        wake.tick();
        assert_eq!(count.0.load(Ordering::SeqCst), 2, "each parked waiter once");
        assert_eq!(poll(&mut first, &count), Poll::Ready(QueueWake::Changed));
        // A waiter taken after the tick waits for the next one; one dropped is forgotten.
        let mut later = wake.waiter();
        assert_eq!(poll(&mut later, &count), Poll::Pending);
        drop(second);
        let dropped = wake.waiter();
        drop(dropped);
        assert_eq!(wake.shared.lock().wakers.len(), 1);
        let shared = wake.shared.clone();
        drop(wake);
        assert_eq!(poll(&mut later, &count), Poll::Ready(QueueWake::Reread));
        drop(later);
        assert!(shared.lock().wakers.is_empty());
    }
}
