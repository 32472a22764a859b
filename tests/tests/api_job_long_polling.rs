#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Long polling of `POST /api/v4/jobs/request` (DESIGN §1, §2; reference §2.7): a poll whose
//! `last_update` is the runner's current queue value waits until a job it may take is
//! queued (201), until the timeout (204, same value), or until the server stops (204 at
//! once). Paused runners, polls without `last_update` and polls with a stale one never wait.
//!
//! The client is a plain HTTP client sending what gitlab-runner sends (`token`,
//! `last_update`, `info.features`), with a timeout far above the server's.

use std::time::{Duration, Instant};

use paddock_tests::reqwest::blocking::Client;
use paddock_tests::serde_json::{Value, json};
use paddock_tests::{Backend, SHA, TestServer, expect_json, header, on_both_backends};

/// The server's long-poll timeout in these tests, in seconds.
const TIMEOUT_SECS: u64 = 6;

const ONE_JOB: &str = "build:\n  script: make\n";

/// What a poll got.
#[derive(Debug)]
struct Answer {
    status: u16,
    last_update: String,
    body: Option<Value>,
    took: Duration,
}

/// `POST /api/v4/jobs/request` as gitlab-runner sends it, with a client timeout far above the
/// server's long-poll timeout.
fn long_poll(base: &str, token: &str, last_update: Option<&str>) -> Answer {
    let client = Client::builder()
        .timeout(Duration::from_secs(TIMEOUT_SECS * 10))
        .build()
        .unwrap();
    let mut body = json!({
        "token": token,
        "info": {
            "name": "gitlab-runner",
            "version": "17.5.0",
            "executor": "shell",
            "features": {"variables": true, "cancel_gracefully": true, "artifacts_exclude": true},
        },
    });
    if let Some(value) = last_update {
        body["last_update"] = json!(value);
    }
    let begun = Instant::now();
    let response = client
        .post(format!("{base}/api/v4/jobs/request"))
        .header(
            "User-Agent",
            "gitlab-runner 17.5.0 (17-5-stable; go1.22; linux/amd64)",
        )
        .json(&body)
        .send()
        .expect("the poll is answered before the client's timeout");
    let took = begun.elapsed();
    let status = response.status().as_u16();
    let last_update = header(&response, "X-GitLab-Last-Update");
    let body = (status == 201).then(|| response.json().unwrap());
    Answer {
        status,
        last_update,
        body,
        took,
    }
}

/// The runner's current queue value (an idle poll without `last_update` never waits).
fn current_value(server: &TestServer, token: &str) -> String {
    let answer = long_poll(&server.base, token, None);
    assert_eq!(answer.status, 204);
    assert!(!answer.last_update.is_empty());
    answer.last_update
}

/// Lets a poll started on another thread reach the server and park. Correctness never
/// depends on it: a job queued before the poll parks makes its value stale, and it is
/// answered 201 at once just the same.
fn let_it_park() {
    std::thread::sleep(Duration::from_millis(500));
}

on_both_backends! {
    flags: ["--long-poll-timeout", "6"];

    fn a_parked_poll_is_woken_by_a_job_it_can_take(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let (_, runner) = server.instance_runner(json!(null));
        let value = current_value(&server, &runner);
        let base = server.base.clone();
        std::thread::scope(|scope| {
            let poll = scope.spawn(|| long_poll(&base, &runner, Some(&value)));
            let_it_park();
            let queued = Instant::now();
            let pipeline = server.create_pipeline(project, "main");
            let answer = poll.join().unwrap();
            println!("a parked poll got its job {:?} after the pipeline was created", queued.elapsed());
            assert_eq!(answer.status, 201, "{answer:?}");
            let job = answer.body.clone().unwrap();
            assert_eq!(job["job_info"]["project_id"], project);
            assert_eq!(answer.last_update, "", "a 201 has no X-GitLab-Last-Update");
            assert!(answer.took < Duration::from_secs(TIMEOUT_SECS), "woken before the timeout: {answer:?}");
            let jobs = server.pipeline_jobs(project, pipeline["id"].as_i64().unwrap());
            assert_eq!(jobs[0]["status"], "running");
        });
    }

    fn runners_woken_together_for_fewer_jobs_get_a_job_or_no_job_not_a_conflict(server) {
        let project = server.ci_project("app", None, "a:\n  script: make\nb:\n  script: make\n");
        let runners: Vec<(String, String)> = (0..6)
            .map(|_| {
                let (_, token) = server.instance_runner(json!(null));
                let value = current_value(&server, &token);
                (token, value)
            })
            .collect();
        let base = server.base.clone();
        let answers: Vec<Answer> = std::thread::scope(|scope| {
            let polls: Vec<_> = runners
                .iter()
                .map(|(token, value)| scope.spawn(|| long_poll(&base, token, Some(value))))
                .collect();
            let_it_park();
            server.create_pipeline(project, "main");
            polls.into_iter().map(|poll| poll.join().unwrap()).collect()
        });
        // All six race for the two jobs; a loser is told there is no job left, as a poll
        // would be after the jobs were taken, rather than 409.
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 201, 204, 204, 204, 204]);
    }

    fn runners_that_cannot_take_the_job_stay_parked_until_the_timeout(server) {
        let project = server.ci_project("app", None, ONE_JOB);
        let other = server.ci_project("other", None, ONE_JOB);
        // A tagged instance runner runs no untagged job; a project runner of another project
        // runs none of this project's.
        let (_, tagged) = server.instance_runner(json!({"tag_list": ["gpu"], "run_untagged": false}));
        let (_, elsewhere) = server.register_runner_id(&server.project_registration_token(other), json!(null));
        let tagged_value = current_value(&server, &tagged);
        let elsewhere_value = current_value(&server, &elsewhere);
        let base = server.base.clone();
        std::thread::scope(|scope| {
            let first = scope.spawn(|| long_poll(&base, &tagged, Some(&tagged_value)));
            let second = scope.spawn(|| long_poll(&base, &elsewhere, Some(&elsewhere_value)));
            let_it_park();
            server.create_pipeline(project, "main");
            for (answer, value) in [(first.join().unwrap(), &tagged_value), (second.join().unwrap(), &elsewhere_value)] {
                assert_eq!(answer.status, 204, "{answer:?}");
                assert_eq!(&answer.last_update, value, "not woken: the same value at the timeout");
                assert!(answer.took >= Duration::from_secs(TIMEOUT_SECS), "held until the timeout: {answer:?}");
            }
        });
    }

    fn an_idle_poll_waits_for_the_timeout_and_keeps_its_value(server) {
        let (_, runner) = server.instance_runner(json!(null));
        let value = current_value(&server, &runner);
        let answer = long_poll(&server.base, &runner, Some(&value));
        assert_eq!(answer.status, 204);
        assert_eq!(answer.last_update, value);
        assert!(answer.took >= Duration::from_secs(TIMEOUT_SECS), "{answer:?}");
        println!("an idle poll was held {:?}", answer.took);
    }

    fn paused_runners_and_polls_without_a_current_value_never_park(server) {
        let (runner_id, runner) = server.instance_runner(json!(null));
        let value = current_value(&server, &runner);
        // A stale value: the queue is read and the current value told at once.
        let stale = long_poll(&server.base, &runner, Some("outdated"));
        assert_eq!(stale.status, 204);
        assert_eq!(stale.last_update, value);
        assert!(stale.took < Duration::from_secs(TIMEOUT_SECS), "{stale:?}");
        // Paused: told at once, even with the current value.
        expect_json(server.put(&format!("/runners/{runner_id}")).json(&json!({"paused": true})), 200);
        let paused_value = current_value(&server, &runner);
        let paused = long_poll(&server.base, &runner, Some(&paused_value));
        assert_eq!(paused.status, 204);
        assert_eq!(paused.last_update, paused_value);
        assert!(paused.took < Duration::from_secs(TIMEOUT_SECS), "{paused:?}");
        // An unknown token is refused at once.
        let unknown = long_poll(&server.base, "glrt-unknown", Some(&value));
        assert_eq!(unknown.status, 403);
    }

    fn a_runner_paused_while_parked_is_answered_at_once(server) {
        let (runner_id, runner) = server.instance_runner(json!(null));
        let value = current_value(&server, &runner);
        let base = server.base.clone();
        std::thread::scope(|scope| {
            let poll = scope.spawn(|| long_poll(&base, &runner, Some(&value)));
            let_it_park();
            expect_json(server.put(&format!("/runners/{runner_id}")).json(&json!({"paused": true})), 200);
            let answer = poll.join().unwrap();
            assert_eq!(answer.status, 204, "{answer:?}");
            assert!(answer.took < Duration::from_secs(TIMEOUT_SECS), "{answer:?}");
        });
    }

    fn a_job_queued_by_another_process_reaches_a_parked_runner(server) {
        // Several processes share one database only on PostgreSQL.
        if server.backend != Backend::Postgres {
            return;
        }
        let project = server.ci_project("app", None, ONE_JOB);
        let (_, runner) = server.instance_runner(json!(null));
        let mut value = current_value(&server, &runner);
        let other = server.another_process();
        let queued = Instant::now();
        let created = Client::new()
            .post(format!("{}/api/v4/projects/{project}/pipeline", other.url()))
            .header("PRIVATE-TOKEN", &server.root_token)
            .json(&json!({"ref": "main", "sha": SHA}))
            .send()
            .unwrap();
        assert_eq!(created.status(), 201);
        // This process hears of it only when it reads the runner's queue again (its entry
        // is stale after queue_refresh, 10 s): the parked polls then get the job.
        let job = loop {
            let answer = long_poll(&server.base, &runner, Some(&value));
            match answer.status {
                201 => break answer.body.unwrap(),
                204 => value = answer.last_update,
                other => panic!("unexpected {other}: {answer:?}"),
            }
            assert!(queued.elapsed() < Duration::from_secs(60), "never heard of the job");
        };
        println!("a job queued by another process reached a parked poll after {:?}", queued.elapsed());
        assert_eq!(job["job_info"]["project_id"], project);
    }

    fn shutdown_answers_parked_polls_at_once(server) {
        let (_, runner) = server.instance_runner(json!(null));
        let value = current_value(&server, &runner);
        let base = server.base.clone();
        let polls: Vec<_> = (0..3)
            .map(|_| {
                let (base, runner, value) = (base.clone(), runner.clone(), value.clone());
                std::thread::spawn(move || long_poll(&base, &runner, Some(&value)))
            })
            .collect();
        let_it_park();
        let stopping = Instant::now();
        server.stop();
        println!("the server stopped in {:?}", stopping.elapsed());
        for poll in polls {
            let answer = poll.join().unwrap();
            assert_eq!(answer.status, 204, "{answer:?}");
            assert_eq!(answer.last_update, value);
            assert!(answer.took < Duration::from_secs(TIMEOUT_SECS), "answered by the shutdown: {answer:?}");
        }
    }
}
