//! The background sweep: every `--job-sweep-interval` seconds, bounded passes over what
//! time alone ends. Each pass runs on the blocking pool (diesel is synchronous), logs at
//! info what it did, and the loop stops when the server shuts down.
//!
//! Passes: overdue jobs (timeouts, silent and stuck jobs), then expired artifacts. A new pass
//! is one more call in [`sweep`].

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use paddock_ports::inbound::{ArtifactUseCases, JobHousekeeping};
use tokio::sync::watch;

/// How many jobs each rule ends per sweep at most; the rest wait for the next sweep.
pub const BATCH: usize = 100;
/// How many expired artifacts one sweep removes at most.
pub const EXPIRED_ARTIFACTS_BATCH: usize = 500;

/// One sweep: every pass, each bounded.
fn sweep(app: &paddock_app::Paddock) {
    match app.end_overdue_jobs(BATCH) {
        Ok(report) if report.total() > 0 => tracing::info!(
            timed_out = report.timed_out,
            silent = report.silent,
            canceled = report.canceled,
            stuck_pending = report.stuck_pending,
            "overdue jobs ended"
        ),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "the sweep of overdue jobs failed; will retry"),
    }
    match app.remove_expired_artifacts(EXPIRED_ARTIFACTS_BATCH) {
        Ok(0) => {}
        Ok(removed) => tracing::info!(removed, "expired artifacts removed"),
        Err(error) => tracing::warn!(%error, "removing expired artifacts failed; will retry"),
    }
}

/// Sweeps every `interval` until `shutdown` turns true.
pub fn spawn(
    app: Arc<paddock_app::Paddock>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(interval);
        // The first tick is at once: let the server settle first.
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            let sweeping = app.clone();
            if web::block(move || sweep(&sweeping)).await.is_err() {
                break;
            }
        }
        tracing::debug!("the sweep stopped");
    });
}
