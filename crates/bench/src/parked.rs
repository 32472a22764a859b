//! Scenario (c): many parked long polls on a paddock started with `--long-poll-timeout`.
//! `parked` untagged runners and `tagged` runners with the tag `gpu` each park one poll with
//! their current `last_update`; then a pipeline of `tagged` jobs tagged `gpu` is created.
//! Measured: the server's extra RSS once all are parked, its CPU while they wait, the delay
//! from sending the pipeline creation to each tagged runner's 201, and how many untagged
//! runners (which cannot take those jobs) were answered anyway.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Semaphore;

use crate::Fallible;
use crate::scenarios::Paddock;
use crate::table::Row;

/// The server's long-poll timeout during (c), far above the scenario's length.
pub const TIMEOUT_SECS: u64 = 120;

/// One parked poll's answer: its status and when it came.
type Answer = (u16, Instant);

/// `idle_window`: how long the parked server's CPU is measured; at least the server's queue
/// refresh (10 s) in a full run, so that the periodic re-reading of parked runners counts.
pub async fn measure(
    paddock: &Paddock,
    parked: usize,
    tagged: usize,
    idle_window: Duration,
) -> Fallible<Vec<Row>> {
    let title = format!("(c) {parked} parked long polls");
    let untagged = register(paddock, parked, json!({})).await?;
    let gpu = register(
        paddock,
        tagged,
        json!({"tag_list": "gpu", "run_untagged": false}),
    )
    .await?;
    let rss_before = paddock.served.rss_bytes();

    // Each poll learns its runner's current value (a poll without `last_update`, answered at
    // once) and parks with it right away; a thousand runners at a time (the listen backlog
    // is finite).
    let url = paddock.api("/jobs/request");
    let learned = Arc::new(AtomicUsize::new(0));
    let park = |tokens: &[String]| {
        tokens
            .iter()
            .map(|token| {
                let (client, url, token) = (paddock.client.clone(), url.clone(), token.clone());
                let learned = learned.clone();
                tokio::spawn(async move {
                    let first = client
                        .post(&url)
                        .json(&json!({"token": token}))
                        .send()
                        .await;
                    let value = first
                        .ok()
                        .and_then(|r| {
                            r.headers()
                                .get("X-GitLab-Last-Update")
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned)
                        })
                        .unwrap_or_default();
                    learned.fetch_add(1, Ordering::Relaxed);
                    let status = client
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .body(json!({"token": token, "last_update": value}).to_string())
                        .send()
                        .await
                        .map_or(0, |r| r.status().as_u16());
                    (status, Instant::now())
                })
            })
            .collect::<Vec<_>>()
    };
    let mut untagged_polls = Vec::with_capacity(parked);
    for chunk in untagged.chunks(1000) {
        untagged_polls.extend(park(chunk));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let gpu_polls = park(&gpu);
    // Every runner has its value; then wait until the server has parked them all, that is
    // until it is quiet (under 0.05 cores over half a second, or 60 s at most).
    let settling = Instant::now();
    while learned.load(Ordering::Relaxed) < parked + tagged
        && settling.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    loop {
        let before = paddock.served.cpu_seconds();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let busy = (paddock.served.cpu_seconds() - before) / 0.5;
        if busy < 0.05 || settling.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    let (untagged_polls, early) = answered(untagged_polls).await;
    let (gpu_polls, gpu_early) = answered(gpu_polls).await;
    let early = merge(early, gpu_early);
    let rss_parked = paddock.served.rss_bytes();
    let cpu_before = paddock.served.cpu_seconds();
    tokio::time::sleep(idle_window).await;
    let idle_cores = (paddock.served.cpu_seconds() - cpu_before) / idle_window.as_secs_f64();

    // The pipeline whose jobs only the tagged runners may take.
    let ci_config: String = (0..tagged)
        .map(|i| format!("gpu_{i:04}:\n  script: echo {i}\n  tags: [gpu]\n"))
        .collect();
    let project = paddock
        .post_json(
            "/projects",
            json!({"name": "parked", "path": "parked", "ci_config": ci_config}),
            201,
        )
        .await?;
    let project = project["id"].as_i64().ok_or("a project id")?;
    let created = Instant::now();
    paddock
        .post_json(
            &format!("/projects/{project}/pipeline"),
            json!({"ref": "main", "sha": crate::scenarios::SHA}),
            201,
        )
        .await?;
    let mut delays = Vec::with_capacity(tagged);
    let still_parked = gpu_polls.len();
    let mut gpu_statuses = BTreeMap::new();
    for poll in gpu_polls {
        let (status, at): Answer = poll.await?;
        *gpu_statuses.entry(status).or_default() += 1;
        if status == 201 {
            delays.push(at.duration_since(created));
        }
    }
    // Give any wrong wake-up time to arrive, then count the untagged polls answered.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (untagged_polls, woken) = answered(untagged_polls).await;
    // Stopping the server answers the rest at once; the caller stops it.
    for poll in &untagged_polls {
        poll.abort();
    }
    let spurious: usize = woken.values().sum();
    delays.sort_unstable();
    let quantile = |q: f64| {
        delays
            .get(((delays.len() as f64 - 1.0) * q).round() as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let extra = rss_parked.saturating_sub(rss_before) as f64 / 1e6;
    Ok(vec![
        Row::new(
            format!("{title}: extra RSS"),
            format!(
                "{extra:.1} MB ({:.1} → {:.1} MB; answered before the job: {})",
                rss_before as f64 / 1e6,
                rss_parked as f64 / 1e6,
                summary(&early)
            ),
        )
        .target("≤ 150 MB", extra <= 150.0 && early.is_empty()),
        Row::new(
            format!("{title}: idle CPU"),
            format!(
                "{:.3} cores (over {:.0} s)",
                idle_cores,
                idle_window.as_secs_f64()
            ),
        ),
        Row::new(
            format!("{title}: pipeline → 201 of {tagged} tagged runners"),
            format!(
                "p50 {:.1} ms, p99 {:.1} ms ({} of the {still_parked} still parked got a job; {})",
                quantile(0.5),
                quantile(0.99),
                delays.len(),
                summary(&gpu_statuses)
            ),
        )
        .target(
            "p99 ≤ 50 ms",
            quantile(0.99) <= 50.0 && delays.len() == tagged,
        ),
        Row::new(
            format!("{title}: untagged runners woken"),
            format!("{spurious} of {parked} ({})", summary(&woken)),
        )
        .target("0", spurious == 0),
    ])
}

/// Polls already answered (and their statuses) and those still waiting.
async fn answered(
    polls: Vec<tokio::task::JoinHandle<Answer>>,
) -> (Vec<tokio::task::JoinHandle<Answer>>, BTreeMap<u16, usize>) {
    let mut waiting = Vec::with_capacity(polls.len());
    let mut statuses = BTreeMap::new();
    for poll in polls {
        if poll.is_finished() {
            let status = poll.await.map_or(0, |(status, _)| status);
            *statuses.entry(status).or_default() += 1;
        } else {
            waiting.push(poll);
        }
    }
    (waiting, statuses)
}

fn merge(mut a: BTreeMap<u16, usize>, b: BTreeMap<u16, usize>) -> BTreeMap<u16, usize> {
    for (status, n) in b {
        *a.entry(status).or_default() += n;
    }
    a
}

/// `none`, or `204×3, 0×2` (0: no answer, a transport error).
fn summary(statuses: &BTreeMap<u16, usize>) -> String {
    if statuses.is_empty() {
        return "none".into();
    }
    statuses
        .iter()
        .map(|(s, n)| format!("{s}×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Registers `count` runners with `body`, `IN_FLIGHT` at a time; their tokens.
async fn register(
    paddock: &Paddock,
    count: usize,
    body: serde_json::Value,
) -> Fallible<Vec<String>> {
    const IN_FLIGHT: usize = 32;
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        let permit = permits.clone().acquire_owned().await?;
        let (client, url) = (paddock.client.clone(), paddock.api("/runners"));
        let mut body = body.clone();
        body["token"] = json!(paddock.registration);
        tasks.push(tokio::spawn(async move {
            let runner: serde_json::Value =
                client.post(&url).json(&body).send().await?.json().await?;
            drop(permit);
            let token = runner["token"]
                .as_str()
                .ok_or_else(|| format!("a runner token, not {runner}"))?
                .to_owned();
            Fallible::Ok(token)
        }));
    }
    let mut tokens = Vec::with_capacity(count);
    for task in tasks {
        tokens.push(task.await??);
    }
    Ok(tokens)
}
