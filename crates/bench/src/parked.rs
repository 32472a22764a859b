//! Scenario (c): many parked long polls on a paddock started with `--long-poll-timeout`.
//! `parked` untagged runners and `tagged` runners with the tag `gpu` each park one poll with
//! their current `last_update`; then a pipeline of `tagged` jobs tagged `gpu` is created.
//! Measured: the server's extra RSS once all are parked, its CPU while they wait, the delay
//! from sending the pipeline creation to each tagged runner's 201, and how many untagged
//! runners (which cannot take those jobs) were answered anyway.

use std::sync::Arc;
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

pub async fn measure(paddock: &Paddock, parked: usize, tagged: usize) -> Fallible<Vec<Row>> {
    let title = format!("(c) {parked} parked long polls");
    // Runners and their current queue values, `IN_FLIGHT` registrations at a time.
    let untagged = tokens_and_values(paddock, parked, json!({})).await?;
    let gpu = tokens_and_values(
        paddock,
        tagged,
        json!({"tag_list": "gpu", "run_untagged": false}),
    )
    .await?;
    let rss_before = paddock.served.rss_bytes();

    // Park every poll, a thousand at a time (the listen backlog is finite).
    let url = paddock.api("/jobs/request");
    let park = |runners: Vec<(String, String)>| {
        runners
            .into_iter()
            .map(|(token, value)| {
                let request = paddock
                    .client
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .body(json!({"token": token, "last_update": value}).to_string());
                tokio::spawn(async move {
                    let status = request.send().await.map_or(0, |r| r.status().as_u16());
                    (status, Instant::now())
                })
            })
            .collect::<Vec<_>>()
    };
    let mut untagged_polls = Vec::with_capacity(parked);
    for chunk in untagged.chunks(1000) {
        untagged_polls.extend(park(chunk.to_vec()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gpu_polls = park(gpu);
    // Settle, then measure memory and idle CPU while everything waits.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let early = untagged_polls.iter().filter(|t| t.is_finished()).count()
        + gpu_polls.iter().filter(|t| t.is_finished()).count();
    let rss_parked = paddock.served.rss_bytes();
    let cpu_before = paddock.served.cpu_seconds();
    let idle_window = Duration::from_secs(3);
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
    let mut woken = 0;
    for poll in gpu_polls {
        let (status, at): Answer = poll.await?;
        if status == 201 {
            delays.push(at.duration_since(created));
        }
        woken += 1;
    }
    // Give any wrong wake-up time to arrive, then count the untagged polls answered.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let spurious = untagged_polls.iter().filter(|t| t.is_finished()).count();
    // Stopping the server answers the rest at once; the caller stops it.
    for poll in &untagged_polls {
        poll.abort();
    }
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
                "{extra:.1} MB ({:.1} → {:.1} MB; {early} answered before the job)",
                rss_before as f64 / 1e6,
                rss_parked as f64 / 1e6
            ),
        )
        .target("≤ 150 MB", extra <= 150.0 && early == 0),
        Row::new(
            format!("{title}: idle CPU"),
            format!("{:.3} cores", idle_cores),
        ),
        Row::new(
            format!("{title}: pipeline → 201 of {tagged} tagged runners"),
            format!(
                "p50 {:.1} ms, p99 {:.1} ms ({} of {woken} got a job)",
                quantile(0.5),
                quantile(0.99),
                delays.len()
            ),
        )
        .target(
            "p99 ≤ 50 ms",
            quantile(0.99) <= 50.0 && delays.len() == tagged,
        ),
        Row::new(
            format!("{title}: untagged runners woken"),
            format!("{spurious} of {parked}"),
        )
        .target("0", spurious == 0),
    ])
}

/// Registers `count` runners with `body`, `IN_FLIGHT` at a time, and asks each once for a job
/// (none is pending) to learn its current `last_update`.
async fn tokens_and_values(
    paddock: &Paddock,
    count: usize,
    body: serde_json::Value,
) -> Fallible<Vec<(String, String)>> {
    const IN_FLIGHT: usize = 32;
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        let permit = permits.clone().acquire_owned().await?;
        let (client, registration, url) = (
            paddock.client.clone(),
            paddock.registration.clone(),
            paddock.api(""),
        );
        let mut body = body.clone();
        body["token"] = json!(registration);
        tasks.push(tokio::spawn(async move {
            let runner: serde_json::Value = client
                .post(format!("{url}/runners"))
                .json(&body)
                .send()
                .await?
                .json()
                .await?;
            let token = runner["token"]
                .as_str()
                .ok_or_else(|| format!("a runner token, not {runner}"))?
                .to_owned();
            let first = client
                .post(format!("{url}/jobs/request"))
                .json(&json!({"token": token}))
                .send()
                .await?;
            let value = first
                .headers()
                .get("X-GitLab-Last-Update")
                .and_then(|v| v.to_str().ok())
                .ok_or("a 204 with X-GitLab-Last-Update")?
                .to_owned();
            drop(permit);
            Fallible::Ok((token, value))
        }));
    }
    let mut runners = Vec::with_capacity(count);
    for task in tasks {
        runners.push(task.await??);
    }
    Ok(runners)
}
