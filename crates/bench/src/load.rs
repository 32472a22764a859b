//! Load generation over keep-alive connections: a closed loop (N connections, each sending its
//! next request as soon as the previous one is answered) and an open loop (a fixed request
//! rate, whatever the answers take), with latencies and status counts.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use reqwest::RequestBuilder;

use crate::process::own_cpu_seconds;

/// What a run of requests gave.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    pub requests: u64,
    pub elapsed: Duration,
    /// Latencies in microseconds, sorted.
    pub latencies: Vec<u32>,
    pub statuses: BTreeMap<u16, u64>,
    /// Request body bytes sent.
    pub bytes: u64,
    /// CPU seconds the bench process used during the run.
    pub client_cpu: f64,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0..=1) in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        f64::from(self.latencies[index]) / 1000.0
    }

    pub fn count(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// Client CPU as a share of one core.
    pub fn client_cores(&self) -> f64 {
        self.client_cpu / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// `200×10, 204×3`: the statuses seen (0: transport error).
    pub fn status_summary(&self) -> String {
        self.statuses
            .iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn merge(&mut self, other: Sample) {
        self.requests += other.latencies.len() as u64;
        self.latencies.extend(other.latencies);
        self.bytes += other.bytes;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
    }

    fn finish(mut self, begun: Instant, cpu_before: f64) -> Self {
        self.elapsed = begun.elapsed();
        self.client_cpu = own_cpu_seconds() - cpu_before;
        self.latencies.sort_unstable();
        self
    }
}

/// One task's records.
#[derive(Debug, Default)]
struct Sample {
    latencies: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    bytes: u64,
}

impl Sample {
    fn record(&mut self, begun: Instant, status: u16, bytes: u64) {
        self.latencies
            .push(u32::try_from(begun.elapsed().as_micros()).unwrap_or(u32::MAX));
        *self.statuses.entry(status).or_default() += 1;
        self.bytes += bytes;
    }
}

/// Sends the request and reads the whole answer (so the connection is reused); returns the
/// status and the body, or status 0 on a transport error.
pub async fn send(request: RequestBuilder) -> (u16, Bytes) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap_or_default())
        }
        Err(_) => (0, Bytes::new()),
    }
}

/// One request of a scenario: the worker index and the request's sequence number in that
/// worker; answers `(status, request body bytes)`.
pub trait Step: Send + Sync + 'static {
    fn call(&self, worker: usize, seq: u64) -> impl Future<Output = (u16, u64)> + Send;
}

impl<F, Fut> Step for F
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = (u16, u64)> + Send,
{
    fn call(&self, worker: usize, seq: u64) -> impl Future<Output = (u16, u64)> + Send {
        self(worker, seq)
    }
}

/// `workers` connections sending back to back for `duration`, or until a worker's step
/// answers `stop` (then that worker ends).
pub async fn closed<S: Step>(
    workers: usize,
    duration: Duration,
    stop: Option<u16>,
    step: S,
) -> Outcome {
    let step = Arc::new(step);
    let cpu_before = own_cpu_seconds();
    let begun = Instant::now();
    let deadline = begun + duration;
    let tasks: Vec<_> = (0..workers)
        .map(|worker| {
            let step = step.clone();
            tokio::spawn(async move {
                let mut sample = Sample::default();
                let mut seq = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let (status, bytes) = step.call(worker, seq).await;
                    sample.record(sent, status, bytes);
                    seq += 1;
                    if Some(status) == stop {
                        break;
                    }
                }
                sample
            })
        })
        .collect();
    let mut outcome = Outcome::default();
    for task in tasks {
        if let Ok(sample) = task.await {
            outcome.merge(sample);
        }
    }
    outcome.finish(begun, cpu_before)
}

/// At most this many requests of an open loop are in flight; later ones wait in the client.
const IN_FLIGHT: usize = 512;

/// `rate` requests per second for `duration`, each due on schedule whatever the previous ones
/// take. A latency runs from the moment the request was due, so waiting for one of the
/// `IN_FLIGHT` connections counts (no coordinated omission).
pub async fn open<S: Step>(rate: f64, duration: Duration, step: S) -> Outcome {
    let step = Arc::new(step);
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let total = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
    let cpu_before = own_cpu_seconds();
    let begun = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for seq in 0..total {
        let due = begun + Duration::from_secs_f64(seq as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let step = step.clone();
        tasks.push(tokio::spawn(async move {
            let mut sample = Sample::default();
            let (status, bytes) = step.call(0, seq).await;
            sample.record(due, status, bytes);
            drop(permit);
            sample
        }));
    }
    let mut outcome = Outcome::default();
    for task in tasks {
        if let Ok(sample) = task.await {
            outcome.merge(sample);
        }
    }
    outcome.finish(begun, cpu_before)
}
