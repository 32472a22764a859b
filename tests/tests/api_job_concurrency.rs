#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Exactly-once assignment under concurrency (DESIGN §7, reference §4.2): many runners,
//! each polling from its own thread, race for hundreds of pending jobs. Every job is handed
//! out exactly once, and ends running on the runner that received it. A lost race may be
//! answered 409, which a runner retries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Barrier;

use paddock_tests::reqwest::blocking::Client;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{TestServer, expect_json, on_both_backends};

const POLLERS: usize = 24;
const PROJECTS: usize = 3;
const JOBS_PER_PIPELINE: usize = 50;
const PIPELINES_PER_PROJECT: usize = 2;
const TOTAL_JOBS: usize = PROJECTS * PIPELINES_PER_PROJECT * JOBS_PER_PIPELINE;

/// A configuration of `JOBS_PER_PIPELINE` jobs in one stage.
fn wide_config() -> String {
    (0..JOBS_PER_PIPELINE)
        .map(|i| format!("job_{i:03}:\n  script: echo {i}\n"))
        .collect()
}

/// What one poller saw.
#[derive(Debug, Default)]
struct Polled {
    jobs: Vec<i64>,
    conflicts: usize,
}

/// Polls with `token` until the queue is empty (204), collecting the jobs it got.
fn poll_until_empty(client: &Client, url: &str, token: &str) -> Polled {
    let mut polled = Polled::default();
    loop {
        let response = client
            .post(url)
            .json(&json!({"token": token}))
            .send()
            .expect("the request is answered");
        match response.status().as_u16() {
            201 => {
                let job: Value = response.json().expect("a job");
                polled.jobs.push(job["id"].as_i64().expect("a job id"));
            }
            204 => return polled,
            409 => polled.conflicts += 1,
            other => panic!(
                "POST /jobs/request answered {other}: {}",
                response.text().unwrap_or_default()
            ),
        }
    }
}

/// Every job of a project, through the paginated API.
fn all_jobs(server: &TestServer, project: i64) -> Vec<Value> {
    let mut jobs = Vec::new();
    for page in 1.. {
        let list = expect_json(
            server.get(&format!(
                "/projects/{project}/jobs?per_page=100&page={page}"
            )),
            200,
        );
        let items = list.as_array().unwrap();
        jobs.extend(items.iter().cloned());
        if items.len() < 100 {
            return jobs;
        }
    }
    unreachable!()
}

on_both_backends! {
    fn every_pending_job_is_assigned_exactly_once(server) {
        let config = wide_config();
        let projects: Vec<i64> = (0..PROJECTS)
            .map(|i| server.ci_project(&format!("app-{i}"), None, &config))
            .collect();
        for project in &projects {
            for _ in 0..PIPELINES_PER_PROJECT {
                server.create_pipeline(*project, "main");
            }
        }
        let runners: Vec<(i64, String)> = (0..POLLERS)
            .map(|i| server.instance_runner(json!({"description": format!("poller-{i}")})))
            .collect();
        let url = server.api_url("/jobs/request");
        let start = Barrier::new(POLLERS);
        let results: Vec<(i64, Polled)> = std::thread::scope(|scope| {
            let handles: Vec<_> = runners
                .iter()
                .map(|(runner_id, token)| {
                    let (url, start) = (&url, &start);
                    scope.spawn(move || {
                        let client = Client::new();
                        start.wait();
                        (*runner_id, poll_until_empty(&client, url, token))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a poller")).collect()
        });

        // No job was handed out twice, and every job was handed out.
        let mut owner: HashMap<i64, i64> = HashMap::new();
        for (runner, polled) in &results {
            for job in &polled.jobs {
                if let Some(first) = owner.insert(*job, *runner) {
                    panic!("job {job} was given to runners {first} and {runner}");
                }
            }
        }
        let conflicts: usize = results.iter().map(|(_, p)| p.conflicts).sum();
        let busy = results.iter().filter(|(_, p)| !p.jobs.is_empty()).count();
        assert_eq!(owner.len(), TOTAL_JOBS, "every job assigned ({conflicts} conflicts retried)");
        assert!(busy > 1, "the work was shared: {busy} runners got jobs");

        // The API agrees: each job runs on the runner that received it.
        let mut seen = BTreeSet::new();
        for project in &projects {
            for job in all_jobs(&server, *project) {
                let id = job["id"].as_i64().unwrap();
                assert_eq!(job["status"], "running", "job {id}");
                assert_eq!(job["runner"]["id"], json!(owner[&id]), "the runner of job {id}");
                seen.insert(id);
            }
        }
        assert_eq!(seen.len(), TOTAL_JOBS);
        assert_eq!(seen, owner.keys().copied().collect::<BTreeSet<_>>());
        // And so does each runner's job list.
        let mut by_runner: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for (job, runner) in &owner {
            by_runner.entry(*runner).or_default().insert(*job);
        }
        for (runner, _) in &runners {
            let list = expect_json(server.get(&format!("/runners/{runner}/jobs?status=running&per_page=100")), 200);
            let listed: BTreeSet<i64> = list.as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect();
            assert_eq!(listed, by_runner.remove(runner).unwrap_or_default(), "the jobs of runner {runner}");
        }
        // Nothing is left for anyone.
        assert!(server.request_job(&runners[0].1).is_none());
    }
}
